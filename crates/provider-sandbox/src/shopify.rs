//! A simulated Shopify GraphQL Admin API over the scenario's orders and
//! Shopify Payments payouts.
//!
//! Serves `POST /admin/api/{version}/graphql.json` in Shopify's real shapes
//! (GIDs, `MoneyBag`s with decimal strings whose trailing zeros are dropped,
//! Relay connections with opaque base64 cursors, `extensions.cost`):
//!
//! - `orders(first, after, query, sortKey)`: the search syntax's
//!   `processed_at`, `updated_at` and `created_at` with `>=`, `>`, `<=`, `<`
//!   (quoted or not), sorted by `PROCESSED_AT`, `UPDATED_AT`, `CREATED_AT`
//!   or `ID`;
//! - `shopifyPaymentsAccount { payouts(first, after, query) }` with
//!   `issued_at` bounds, oldest first;
//! - `nodes(ids:)` of orders (their refunds and refund transaction ids) and
//!   of refunds (their refunded shipping and adjustments);
//! - `order(id:)` with the whole order (the order of a lost dispute), or
//!   with one nested connection, and `refund(id:)` with one nested connection;
//! - `ordersCount(query:, limit:)`;
//! - bulk query operations ([`crate::shopify_bulk`]): `bulkOperationRunQuery`,
//!   `bulkOperation(id:)` and the JSONL result at a signed URL;
//! - `shopifyPaymentsAccount { balanceTransactions(first, after, query,
//!   hideTransfers) }` with `payments_transfer_id:<payout id>` or
//!   `payout_date:YYYY-MM-DD`; without
//!   `hideTransfers: true` each payout also has its `TRANSFER` row.
//!
//! `first` is at most 250, as at Shopify; a larger value, a cursor that is not
//! one of the server's, or an unknown root field is a GraphQL error. Every
//! request needs `X-Shopify-Access-Token` ([`ACCESS_TOKEN`]); anything else
//! is Shopify's 401. An API version that is not `YYYY-MM` of a supported
//! quarter is a 404.
//!
//! Faults come from the shared [`Faults`]: a rate-limit fault is Shopify's
//! GraphQL `THROTTLED` answer (HTTP 200, cost information asking for a short
//! wait), a server error a 503. Every request is counted.
//!
//! Every query is validated against Shopify's 2026-01 schema and its
//! requested cost counted as Shopify counts it ([`crate::shopify_cost`]): an
//! invalid query gets its validation errors, one above 1000 points
//! `MAX_COST_EXCEEDED`, and a leaky bucket ([`Plan::STANDARD`] by default,
//! [`ShopifySandbox::set_plan`]) answers `THROTTLED` with its real
//! `throttleStatus` when it cannot pay. Answers carry the real
//! `requestedQueryCost`, an `actualQueryCost` of one point per object
//! returned, and the bucket's state.
//!
//! The documents themselves are not executed: every node carries the
//! fields `shopify-bookkeeping` selects.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bookkeeping_core::Currency;
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::{Faults, Faulty, RequestCounter};
use crate::scenario::{
    ItemKind, Order, OrderLine, OrderTax, PayoutPlan, Scenario, SettlementItem, TransactionKind,
};
use crate::selection::{Selected, into_text, write_key};
use crate::shopify_bulk::{BulkOps, check_bulk_query, orders_jsonl};
use crate::shopify_cost::{Bucket, MAX_QUERY_COST, Plan, requested_cost};
use crate::{base64, unbase64};

/// The sandbox's Admin API access token.
pub const ACCESS_TOKEN: &str = "shpat_sandbox_6b1f0c9e2d4a4e7f9a3b5c8d0e2f4a6b";
/// API versions the sandbox answers, like Shopify's supported quarters.
pub const SUPPORTED_VERSIONS: &[&str] = &["2025-07", "2025-10", "2026-01", "2026-04"];
/// Shopify's largest page.
const MAX_PAGE: usize = 250;

/// A running simulated Shopify. It stops when dropped.
#[derive(Debug)]
pub struct ShopifySandbox {
    server: MockServer,
    counter: RequestCounter,
    shop: String,
    costs: Arc<Costs>,
    bulk: Arc<BulkOps>,
    scopes: Arc<Mutex<Vec<String>>>,
}

/// The access scopes the sandbox's app is granted unless told otherwise
/// ([`ShopifySandbox::set_access_scopes`]): those the client needs, with
/// `read_all_orders`.
pub const DEFAULT_ACCESS_SCOPES: &[&str] = &[
    "read_orders",
    "read_all_orders",
    "read_shopify_payments_payouts",
    "read_shopify_payments_disputes",
];

/// How far back an app without `read_all_orders` sees orders: "Only the
/// last 60 days' worth of orders from a store are accessible from the
/// `Order` object by default" (2026-01 schema, `Order`). The sandbox counts
/// them back from the real clock by `processedAt`.
const ORDERS_VISIBLE_WITHOUT_READ_ALL_ORDERS: time::Duration = time::Duration::days(60);

/// The query-cost state shared by the server and its handle: the bucket and
/// what was asked of it.
#[derive(Debug)]
struct Costs {
    bucket: Mutex<Bucket>,
    /// The highest requested cost seen.
    max_requested: AtomicU64,
    /// Queries refused with `MAX_COST_EXCEEDED`.
    too_costly: AtomicU64,
    /// Queries refused with `THROTTLED` by the bucket.
    throttled: AtomicU64,
    /// Requested costs by query text and variables (parsing a query against
    /// the schema takes a while; a listing repeats the same one).
    cache: Mutex<HashMap<String, Result<u64, String>>>,
}

impl ShopifySandbox {
    /// Starts a server on loopback serving `scenario`'s orders and payouts,
    /// with the query-cost bucket of a standard plan ([`Plan::STANDARD`]).
    pub async fn start(scenario: &Scenario, faults: Faults) -> ShopifySandbox {
        start(scenario, faults).await
    }

    /// Bulk query operations that may run at once (5, as from API 2026-01;
    /// 1 before).
    pub fn set_bulk_concurrency(&self, n: usize) {
        *lock(&self.bulk.concurrency) = n;
    }

    /// The next bulk operation fails with `error_code` (`TIMEOUT`,
    /// `INTERNAL_SERVER_ERROR`, `ACCESS_DENIED`), keeping partial data.
    pub fn fail_next_bulk(&self, error_code: &'static str) {
        *lock(&self.bulk.fail_next) = Some(error_code);
    }

    /// The next `bulkOperationRunQuery` starts its operation and answers
    /// only after `delay`: an answer a client gives up on (its timeout) or
    /// loses after Shopify acted on it.
    pub fn delay_next_bulk_start(&self, delay: std::time::Duration) {
        *lock(&self.bulk.start_delay) = Some(delay);
    }

    /// From now on every bulk result URL answers as an expired signed URL.
    pub fn expire_bulk_results(&self) {
        *lock(&self.bulk.expired) = true;
    }

    /// How many polls a bulk operation stays `RUNNING` (default 2).
    pub fn set_bulk_running_polls(&self, polls: u32) {
        *lock(&self.bulk.running_polls) = polls;
    }

    /// Bulk operations started so far.
    pub fn bulk_operations(&self) -> usize {
        lock(&self.bulk.ops).len()
    }

    /// The access scopes the app is granted (`currentAppInstallation {
    /// accessScopes }`); without `read_all_orders` the orders listings show
    /// only the orders of the last 60 days, as Shopify's do.
    pub fn set_access_scopes(&self, scopes: &[&str]) {
        *lock(&self.scopes) = scopes.iter().map(|s| (*s).to_owned()).collect();
    }

    /// Replaces the query-cost bucket with a full one of `plan`.
    pub fn set_plan(&self, plan: Plan) {
        *lock(&self.costs.bucket) = Bucket::new(plan);
    }

    /// The highest requested query cost received so far.
    pub fn max_requested_cost(&self) -> u64 {
        self.costs.max_requested.load(Ordering::Relaxed)
    }

    /// Queries refused as too costly (`MAX_COST_EXCEEDED`, above
    /// [`MAX_QUERY_COST`]).
    pub fn refused_as_too_costly(&self) -> u64 {
        self.costs.too_costly.load(Ordering::Relaxed)
    }

    /// Queries refused because the bucket was empty (`THROTTLED`; injected
    /// faults not counted).
    pub fn throttled(&self) -> u64 {
        self.costs.throttled.load(Ordering::Relaxed)
    }

    /// The base URL to give the client (`ShopifyClientBuilder::base_url`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The shop (`{handle}.myshopify.com`).
    pub fn shop(&self) -> &str {
        &self.shop
    }

    /// The access token the server accepts.
    pub fn access_token(&self) -> &'static str {
        ACCESS_TOKEN
    }

    /// The request counter (requests received, and answered with data).
    pub fn counter(&self) -> &RequestCounter {
        &self.counter
    }

    /// Requests received so far, faulted ones included.
    pub fn requests(&self) -> u64 {
        self.counter.total()
    }
}

/// Starts a server on loopback serving `scenario`'s orders and payouts.
pub async fn start(scenario: &Scenario, faults: Faults) -> ShopifySandbox {
    let server = MockServer::start().await;
    let counter = RequestCounter::new();
    let costs = Arc::new(Costs {
        bucket: Mutex::new(Bucket::new(Plan::STANDARD)),
        max_requested: AtomicU64::new(0),
        too_costly: AtomicU64::new(0),
        throttled: AtomicU64::new(0),
        cache: Mutex::new(HashMap::new()),
    });
    let bulk = Arc::new(BulkOps::default());
    let scopes = Arc::new(Mutex::new(
        DEFAULT_ACCESS_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    ));
    let api = Api {
        data: Arc::new(Data::build(scenario)),
        costs: Arc::clone(&costs),
        bulk: Arc::clone(&bulk),
        base: server.uri(),
        scopes: Arc::clone(&scopes),
        selections: Mutex::new(HashMap::new()),
    };
    Mock::given(any())
        .respond_with(Faulty::new(
            api,
            faults,
            counter.clone(),
            throttled,
            unavailable,
        ))
        .named("shopify graphql admin api")
        .mount(&server)
        .await;
    ShopifySandbox {
        server,
        counter,
        shop: format!("{}.myshopify.com", scenario.shop.handle),
        costs,
        bulk,
        scopes,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `extensions.cost` as Shopify sends it.
fn cost(requested: u64, actual: Option<u64>, available: u64, plan: Plan) -> Value {
    json!({
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": plan.bucket as f64,
            "currentlyAvailable": available,
            "restoreRate": plan.restore_per_second as f64
        }
    })
}

/// What a query really cost once it ran: one point per object returned,
/// money values and page info free (Shopify charges the actual cost and
/// gives the rest of the requested cost back to the bucket).
fn actual_cost(data: &Value) -> u64 {
    match data {
        Value::Array(items) => items.iter().map(actual_cost).sum(),
        Value::Object(map) => {
            let free = map.contains_key("amount")
                || map.contains_key("shopMoney")
                || map.contains_key("hasNextPage");
            let own = u64::from(!free);
            own + map.values().map(actual_cost).sum::<u64>()
        }
        _ => 0,
    }
}

/// Shopify's GraphQL throttle answer: HTTP 200, `THROTTLED`, and a bucket 5
/// points short of the query's cost (a 50 ms wait at 100 points per second).
fn throttled() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "errors": [{
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits"
            }
        }],
        "extensions": { "cost": { "requestedQueryCost": 105, "actualQueryCost": null,
            "throttleStatus": { "maximumAvailable": 2000.0, "currentlyAvailable": 100,
                "restoreRate": 100.0 } } }
    }))
}

fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503)
        .insert_header("x-request-id", "sandbox-503")
        .set_body_json(json!({ "errors": "Service Unavailable" }))
}

fn graphql_error(message: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Minor units as Shopify writes a `Decimal`: trailing zeros dropped, at
/// least one decimal (`76720` → `"767.2"`, `4900` → `"49.0"`).
fn amount(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent().unwrap_or(2);
    let d = Decimal::new(minor, exp).normalize();
    let text = d.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

fn money(minor: i64, currency: Currency) -> Value {
    json!({ "amount": amount(minor, currency), "currencyCode": currency.code() })
}

fn bag(minor: i64, currency: Currency) -> Value {
    json!({ "shopMoney": money(minor, currency) })
}

/// A percentage as the JSON numbers Shopify sends (`rate` 0.25, `ratePercentage` 25.0).
fn float(d: Decimal) -> Value {
    let mut text = d.normalize().to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn tax_title(tax: &OrderTax) -> String {
    match tax {
        OrderTax::Oss(c) => format!("{c} VAT"),
        _ => "Moms".to_owned(),
    }
}

fn tax_lines(tax: &OrderTax, rate: Decimal, vat: i64, currency: Currency) -> Value {
    if rate.is_zero() {
        return json!([]);
    }
    json!([{
        "title": tax_title(tax),
        "rate": float(rate / Decimal::ONE_HUNDRED),
        "ratePercentage": float(rate),
        "channelLiable": false,
        "priceSet": bag(vat, currency)
    }])
}

fn connection(nodes: Vec<Value>) -> Value {
    json!({ "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": nodes })
}

/// A line item. The scenario's discount code applies to the whole order, so
/// it is an order-level discount: per the 2026-01 schema it would be left out
/// of `totalDiscountSet` ("doesn't include order-level discounts", which is
/// why the client does not select that field) and appears in
/// `discountAllocations` as a `DiscountCodeApplication` allocated `ACROSS`
/// the lines, while the tax lines are the tax after it (`TaxLine.priceSet`:
/// "after discounts and before returns").
fn line_json(order: &Order, line: &OrderLine) -> Value {
    let c = order.currency;
    let allocations: Vec<Value> = order
        .discount_code
        .iter()
        .filter(|_| line.discount != 0)
        // Only what the query selects (`allocatedAmountSet`): the code's
        // `DiscountCodeApplication` is not selected, so it is not answered.
        .map(|_| json!({ "allocatedAmountSet": bag(line.discount, c) }))
        .collect();
    json!({
        "id": format!("gid://shopify/LineItem/{}", line.id),
        "name": line.title,
        "quantity": line.quantity,
        // No sandbox order is edited: only refunds take units off a line.
        "currentQuantity": i64::from(line.quantity) - refunded_units(order, line.id),
        "taxable": !line.gift_card,
        "isGiftCard": line.gift_card,
        "originalTotalSet": bag(i64::from(line.quantity) * line.unit_price, c),
        "discountAllocations": allocations,
        "taxLines": if line.gift_card { json!([]) } else { tax_lines(&order.tax, line.vat_rate, line.vat, c) },
    })
}

/// The units of line `line_id` the order's refunds (those made so far) refunded.
fn refunded_units(order: &Order, line_id: u64) -> i64 {
    order
        .refunds
        .iter()
        .flat_map(|r| &r.lines)
        .filter(|l| l.line_id == line_id)
        .map(|l| i64::from(l.quantity))
        .sum()
}

fn transaction_json(
    id: u64,
    kind: &str,
    gateway: &str,
    minor: i64,
    at: OffsetDateTime,
    c: Currency,
) -> Value {
    json!({
        "id": format!("gid://shopify/OrderTransaction/{id}"),
        "kind": kind,
        "status": "SUCCESS",
        "gateway": gateway,
        "processedAt": rfc3339(at),
        "test": false,
        "amountSet": bag(minor, c),
    })
}

/// When an order last changed: its processing or its latest refund.
fn updated_at(order: &Order) -> OffsetDateTime {
    order
        .refunds
        .iter()
        .map(|r| r.created_at)
        .chain(order.transactions.iter().map(|t| t.processed_at))
        .fold(order.processed_at, OffsetDateTime::max)
}

fn order_json(order: &Order) -> Value {
    let c = order.currency;
    let total = order.total();
    let refunded: i64 = order.refunds.iter().map(|r| r.transaction.amount).sum();
    let amount = |kind| {
        order
            .transactions
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.amount)
            .sum::<i64>()
    };
    let captured = amount(TransactionKind::Sale) + amount(TransactionKind::Capture);
    let status = if order.cancelled_at.is_some() && captured == 0 {
        "VOIDED"
    } else if amount(TransactionKind::Authorization) > amount(TransactionKind::Capture) {
        "AUTHORIZED"
    } else if refunded == 0 {
        "PAID"
    } else if refunded >= total {
        "REFUNDED"
    } else {
        "PARTIALLY_REFUNDED"
    };
    let mut order_tax: Vec<(Decimal, i64)> = Vec::new();
    let lines_and_shipping = order
        .lines
        .iter()
        .filter(|l| !l.gift_card)
        .map(|l| (l.vat_rate, l.vat))
        .chain(order.shipping.iter().map(|s| (s.vat_rate, s.vat)));
    for (rate, vat) in lines_and_shipping.filter(|(r, _)| !r.is_zero()) {
        match order_tax.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, v)) => *v += vat,
            None => order_tax.push((rate, vat)),
        }
    }
    let order_tax_lines: Vec<Value> = order_tax
        .iter()
        .flat_map(|(rate, vat)| {
            tax_lines(&order.tax, *rate, *vat, c)
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let shipping_lines: Vec<Value> = order
        .shipping
        .iter()
        .map(|s| {
            json!({
                "id": format!("gid://shopify/ShippingLine/{}", order.id * 10 + 1),
                "title": s.title,
                "isRemoved": false,
                "discountedPriceSet": bag(s.price, c),
                "taxLines": tax_lines(&order.tax, s.vat_rate, s.vat, c),
            })
        })
        .collect();
    let refunds: Vec<Value> = order
        .refunds
        .iter()
        .map(|r| {
            let items: Vec<Value> = r
                .lines
                .iter()
                .enumerate()
                .map(|(i, rl)| {
                    let line = order.lines.iter().find(|l| l.id == rl.line_id);
                    json!({
                        "id": format!("gid://shopify/RefundLineItem/{}", r.id * 10 + i as u64),
                        "quantity": rl.quantity,
                        "subtotalSet": bag(rl.subtotal, c),
                        "totalTaxSet": bag(rl.vat, c),
                        "lineItem": {
                            "id": format!("gid://shopify/LineItem/{}", rl.line_id),
                            "name": line.map_or("", |l| l.title.as_str()),
                            "isGiftCard": line.is_some_and(|l| l.gift_card),
                            "taxLines": line.map_or(json!([]), |l| tax_lines(&order.tax, l.vat_rate, l.vat, c)),
                        }
                    })
                })
                .collect();
            let t = &r.transaction;
            json!({
                "id": format!("gid://shopify/Refund/{}", r.id),
                "createdAt": rfc3339(r.created_at),
                "processedAt": rfc3339(r.created_at),
                "totalRefundedSet": bag(t.amount, c),
                "refundLineItems": connection(items),
                "refundShippingLines": connection(Vec::new()),
                "orderAdjustments": connection(Vec::new()),
                "transactions": connection(vec![transaction_json(
                    t.id, "REFUND", t.gateway.shopify_name(), t.amount, t.processed_at, c,
                )]),
            })
        })
        .collect();
    let transactions: Vec<Value> = order
        .transactions
        .iter()
        .filter_map(|t| {
            let kind = match t.kind {
                TransactionKind::Sale => "SALE",
                TransactionKind::Authorization => "AUTHORIZATION",
                TransactionKind::Capture => "CAPTURE",
                TransactionKind::Void => "VOID",
                TransactionKind::Refund => return None,
            };
            Some((t, kind))
        })
        .map(|(t, kind)| {
            transaction_json(
                t.id,
                kind,
                t.gateway.shopify_name(),
                t.amount,
                t.processed_at,
                c,
            )
        })
        .collect();
    let address = json!({ "countryCodeV2": order.country.as_str() });
    let purchasing_entity = match &order.vat_number {
        Some(vat) => json!({
            "__typename": "PurchasingCompany",
            "location": { "taxSettings": { "taxRegistrationId": vat, "taxExempt": true } }
        }),
        None => json!({ "__typename": "Customer" }),
    };
    json!({
        "id": format!("gid://shopify/Order/{}", order.id),
        "name": order.name,
        "createdAt": rfc3339(order.processed_at),
        "processedAt": rfc3339(order.processed_at),
        "updatedAt": rfc3339(updated_at(order)),
        "cancelledAt": order.cancelled_at.map(rfc3339),
        "test": false,
        // No sandbox order is edited after it is placed.
        "edited": false,
        "currencyCode": c.code(),
        "taxesIncluded": true,
        "taxExempt": false,
        "displayFinancialStatus": status,
        "totalPriceSet": bag(total, c),
        "totalTaxSet": bag(order.total_vat(), c),
        "totalTipReceivedSet": bag(0, c),
        "taxLines": order_tax_lines,
        "billingAddress": address,
        "shippingAddress": address,
        "purchasingEntity": purchasing_entity,
        "customAttributes": [],
        "lineItems": connection(order.lines.iter().map(|l| line_json(order, l)).collect()),
        "shippingLines": connection(shipping_lines),
        "refunds": refunds,
        "transactions": transactions,
    })
}

fn payout_gid(plan: &PayoutPlan) -> String {
    format!("gid://shopify/ShopifyPaymentsPayout/{}", plan.id)
}

fn item_type(kind: ItemKind) -> (&'static str, &'static str) {
    match kind {
        ItemKind::Charge => ("CHARGE", "CHARGE"),
        ItemKind::Refund => ("REFUND", "REFUND"),
        ItemKind::Dispute => ("DISPUTE_WITHDRAWAL", "DISPUTE"),
        ItemKind::Fee => ("BILLING_DEBIT", "ADJUSTMENT"),
        ItemKind::ReserveHeld => ("RESERVED_FUNDS", "ADJUSTMENT"),
        ItemKind::ReserveReleased => ("RESERVED_FUNDS_REVERSAL", "ADJUSTMENT_REVERSAL"),
    }
}

fn balance_json(scenario: &Scenario, plan: &PayoutPlan, item: &SettlementItem) -> Value {
    let c = plan.currency;
    let (kind, source) = item_type(item.kind);
    let order = item.order.and_then(|i| scenario.orders.get(i));
    json!({
        "id": format!("gid://shopify/ShopifyPaymentsBalanceTransaction/{}", item.id),
        "type": kind,
        "sourceType": source,
        "test": false,
        "transactionDate": rfc3339(item.occurred_at),
        "adjustmentReason": null,
        "sourceId": format!("{}1", item.id),
        "sourceOrderTransactionId": if matches!(item.kind, ItemKind::Charge | ItemKind::Refund) { json!(item.reference) } else { Value::Null },
        "amount": money(item.gross, c),
        "fee": money(item.fee, c),
        "net": money(item.net(), c),
        "associatedOrder": order.map(|o| json!({ "id": format!("gid://shopify/Order/{}", o.id), "name": o.name })),
        "associatedPayout": { "id": payout_gid(plan), "status": "PAID" },
    })
}

/// The `ShopifyPaymentsDispute` behind a dispute withdrawal: the sandbox
/// shop loses every dispute, decided (`finalizedOn`) a week after the money
/// was withdrawn: lost (`LOST`), or, for an item whose id ends in an even
/// digit, accepted by the shop (`ACCEPTED`), which returns the money no more
/// than a loss does.
fn dispute_json(scenario: &Scenario, plan: &PayoutPlan, item: &SettlementItem) -> Value {
    let order = item.order.and_then(|i| scenario.orders.get(i));
    let decided = bookkeeping_core::stockholm_date(item.occurred_at) + time::Duration::days(7);
    let accepted = item
        .id
        .bytes()
        .last()
        .is_some_and(|b| b.is_ascii_digit() && (b - b'0').is_multiple_of(2));
    json!({
        "id": format!("gid://shopify/ShopifyPaymentsDispute/{}", item.id),
        "status": if accepted { "ACCEPTED" } else { "LOST" },
        "finalizedOn": decided.to_string(),
        "initiatedAt": rfc3339(item.occurred_at),
        "amount": money(-item.gross, plan.currency),
        "order": order.map(|o| json!({
            "id": format!("gid://shopify/Order/{}", o.id),
            "name": o.name,
            "processedAt": rfc3339(o.processed_at),
        })),
    })
}

fn transfer_json(plan: &PayoutPlan) -> Value {
    let c = plan.currency;
    json!({
        "id": format!("gid://shopify/ShopifyPaymentsBalanceTransaction/{}9", plan.id),
        "type": "TRANSFER",
        "sourceType": "TRANSFER",
        "test": false,
        "transactionDate": rfc3339(plan.created_at),
        "adjustmentReason": null,
        "sourceId": plan.id,
        "sourceOrderTransactionId": null,
        "amount": money(-plan.amount(), c),
        "fee": money(0, c),
        "net": money(-plan.amount(), c),
        "associatedOrder": null,
        "associatedPayout": { "id": payout_gid(plan), "status": "PAID" },
    })
}

fn payout_json(plan: &PayoutPlan) -> Value {
    let c = plan.currency;
    let sum = |kinds: &[ItemKind], f: fn(&SettlementItem) -> i64| -> Value {
        money(
            plan.items
                .iter()
                .filter(|i| kinds.contains(&i.kind))
                .map(f)
                .sum(),
            c,
        )
    };
    let amount = plan.amount();
    json!({
        "id": payout_gid(plan),
        "legacyResourceId": plan.id,
        "issuedAt": rfc3339(plan.created_at),
        "status": "PAID",
        "transactionType": if amount < 0 { "WITHDRAWAL" } else { "DEPOSIT" },
        "externalTraceId": format!("SHOPIFY-{}", plan.id),
        "net": money(amount.abs(), c),
        "summary": {
            "adjustmentsFee": sum(&[ItemKind::Dispute, ItemKind::Fee], |i| i.fee),
            "adjustmentsGross": sum(&[ItemKind::Dispute, ItemKind::Fee], |i| i.gross),
            "advanceFees": money(0, c),
            "advanceGross": money(0, c),
            "chargesFee": sum(&[ItemKind::Charge], |i| i.fee),
            "chargesGross": sum(&[ItemKind::Charge], |i| i.gross),
            "refundsFee": sum(&[ItemKind::Refund], |i| i.fee),
            "refundsFeeGross": sum(&[ItemKind::Refund], |i| i.gross),
            "reservedFundsFee": sum(&[ItemKind::ReserveHeld, ItemKind::ReserveReleased], |i| i.fee),
            "reservedFundsGross": sum(&[ItemKind::ReserveHeld, ItemKind::ReserveReleased], |i| i.gross),
            "retriedPayoutsFee": money(0, c),
            "retriedPayoutsGross": money(0, c),
        }
    })
}

/// A node with the timestamps it can be filtered and sorted by, rendered
/// once when the scenario is served: a page is its nodes' texts put
/// together, as a real provider's rendering costs its client nothing (cloning
/// and serializing every order's tree per page was most of a month close's
/// CPU time in the benchmark).
struct Node {
    id: u64,
    processed_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    json: Value,
    /// What the node costs when a query returns it ([`actual_cost`]).
    cost: u64,
    /// `json` as last written, and for which selection (its address: the
    /// selections of each query text are kept for the server's life), so
    /// that a listing asked for again (a second close, a test's second
    /// run) is not written again.
    written: Mutex<Option<(usize, Arc<str>)>>,
}

impl Node {
    /// The node as `sel` selects it, written once for each selection.
    fn text(&self, sel: &Selected) -> Arc<str> {
        let key = std::ptr::from_ref(sel) as usize;
        let mut written = lock(&self.written);
        match &*written {
            Some((k, text)) if *k == key => Arc::clone(text),
            _ => {
                let text: Arc<str> = sel.to_text(&self.json).into();
                *written = Some((key, Arc::clone(&text)));
                text
            }
        }
    }

    fn new(id: u64, processed_at: OffsetDateTime, updated_at: OffsetDateTime, json: Value) -> Node {
        Node {
            id,
            processed_at,
            updated_at,
            cost: actual_cost(&json),
            json,
            written: Mutex::new(None),
        }
    }

    /// A balance transaction, filtered and sorted by its `transactionDate`.
    fn balance_transaction(json: Value) -> Node {
        let at = json["transactionDate"]
            .as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let id = json["id"]
            .as_str()
            .and_then(|s| s.rsplit('/').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Node::new(id, at, at, json)
    }
}

fn null_text() -> Box<RawValue> {
    RawValue::from_string("null".to_owned()).unwrap_or_default()
}

struct PayoutData {
    legacy_id: String,
    /// The payout's date (Europe/Stockholm), for `payout_date:`.
    date: String,
    node: Node,
    transactions: Vec<Node>,
    transfer: Node,
}

struct Data {
    orders: Vec<Node>,
    payouts: Vec<PayoutData>,
    /// Balance transactions that happened but are in no payout yet (at the
    /// scenario's clock), `associatedPayout` null.
    pending: Vec<Node>,
    disputes: Vec<Node>,
}

impl Data {
    fn build(scenario: &Scenario) -> Data {
        let orders = scenario
            .orders
            .iter()
            .filter(|o| scenario.has_happened(o.processed_at))
            .map(|o| {
                // A refund shows on its order only once it was made.
                let mut o = o.clone();
                o.refunds.retain(|r| scenario.has_happened(r.created_at));
                // And a capture or a cancellation only once it was made.
                o.transactions
                    .retain(|t| scenario.has_happened(t.processed_at));
                o.cancelled_at = o.cancelled_at.filter(|t| scenario.has_happened(*t));
                Node::new(o.id, o.processed_at, updated_at(&o), order_json(&o))
            })
            .collect();
        let pending = scenario
            .shopify_payouts
            .iter()
            .filter(|p| !scenario.has_happened(p.created_at))
            .flat_map(|p| {
                p.items
                    .iter()
                    .filter(|i| scenario.has_happened(i.occurred_at))
                    .map(move |i| {
                        let mut json = balance_json(scenario, p, i);
                        json["associatedPayout"] = json!({ "id": null, "status": null });
                        Node::balance_transaction(json)
                    })
            })
            .collect();
        let payouts = scenario
            .shopify_payouts
            .iter()
            .filter(|p| scenario.has_happened(p.created_at))
            .map(|p| PayoutData {
                legacy_id: p.id.clone(),
                date: bookkeeping_core::stockholm_date(p.created_at).to_string(),
                node: Node::new(
                    p.id.parse().unwrap_or(0),
                    p.created_at,
                    p.created_at,
                    payout_json(p),
                ),
                transactions: p
                    .items
                    .iter()
                    .map(|i| Node::balance_transaction(balance_json(scenario, p, i)))
                    .collect(),
                transfer: Node::balance_transaction(transfer_json(p)),
            })
            .collect();
        let disputes = scenario
            .shopify_payouts
            .iter()
            .flat_map(|p| p.items.iter().map(move |i| (p, i)))
            .filter(|(_, i)| i.kind == ItemKind::Dispute)
            .map(|(p, i)| {
                Node::new(
                    i.id.parse().unwrap_or(0),
                    i.occurred_at,
                    i.occurred_at,
                    dispute_json(scenario, p, i),
                )
            })
            .collect();
        Data {
            orders,
            payouts,
            pending,
            disputes,
        }
    }
}

/// One term of Shopify's search syntax, `field:>=value`.
#[derive(Debug, PartialEq, Eq)]
struct Term {
    field: String,
    op: &'static str,
    value: String,
}

/// Parses the search terms the sandbox understands (space-separated
/// `field:op value`, the value quoted or not). Other words are ignored, as
/// Shopify ignores filters it does not know.
fn parse_search(query: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        let (word, tail) = split_word(rest);
        rest = tail.trim_start();
        let Some((field, value)) = word.split_once(':') else {
            continue;
        };
        let (op, value) = [">=", "<=", ">", "<"]
            .iter()
            .find_map(|op| value.strip_prefix(op).map(|v| (*op, v)))
            .unwrap_or(("=", value));
        terms.push(Term {
            field: field.to_ascii_lowercase(),
            op,
            value: value.trim_matches(|c| c == '\'' || c == '"').to_owned(),
        });
    }
    terms
}

/// A search of orders as alternatives: Shopify's search grammar joins terms
/// with the connectives `AND` (implied between terms) and `OR` ("Connective
/// = AND | OR", shopify.dev/docs/api/usage/search-syntax). An order matches
/// when every term of one alternative does. The grammar does not say which
/// connective binds tighter; here `OR` separates alternatives of `AND`ed
/// terms (kassabok sends `OR`s of single terms only, the same either way).
fn parse_alternatives(query: &str) -> Vec<Vec<Term>> {
    let mut groups = vec![String::new()];
    let mut rest = query.trim();
    while !rest.is_empty() {
        let (word, tail) = split_word(rest);
        rest = tail.trim_start();
        if word == "OR" {
            groups.push(String::new());
        } else if let Some(group) = groups.last_mut() {
            group.push_str(word);
            group.push(' ');
        }
    }
    groups.iter().map(|g| parse_search(g)).collect()
}

/// The next word, where quoted parts may hold spaces.
fn split_word(s: &str) -> (&str, &str) {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => return (&s[..i], &s[i..]),
            _ => {}
        }
    }
    (s, "")
}

/// A search value as an instant: an RFC 3339 time, or a date (midnight UTC).
fn instant(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &Rfc3339).ok().or_else(|| {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(value, &format)
            .ok()
            .map(|d| d.midnight().assume_utc())
    })
}

fn compare(at: OffsetDateTime, op: &str, bound: OffsetDateTime) -> bool {
    match op {
        ">=" => at >= bound,
        ">" => at > bound,
        "<=" => at <= bound,
        "<" => at < bound,
        _ => at == bound,
    }
}

/// A cursor: the position after the node with this sort value and id.
fn cursor(value: OffsetDateTime, id: u64) -> String {
    base64(
        json!({ "last_id": id, "last_value": rfc3339(value) })
            .to_string()
            .as_bytes(),
    )
}

fn decode_cursor(cursor: &str) -> Option<(OffsetDateTime, u64)> {
    let v: Value = serde_json::from_slice(&unbase64(cursor)?).ok()?;
    let at = OffsetDateTime::parse(v.get("last_value")?.as_str()?, &Rfc3339).ok()?;
    Some((at, v.get("last_id")?.as_u64()?))
}

struct Api {
    data: Arc<Data>,
    costs: Arc<Costs>,
    bulk: Arc<BulkOps>,
    /// The server's own base URL (for the bulk result URLs).
    base: String,
    /// The app's access scopes.
    scopes: Arc<Mutex<Vec<String>>>,
    /// What each query text selects, for writing its answer in the order
    /// GraphQL writes it ([`Selected`]); `None` for a text that is not a
    /// valid query (refused before it is answered).
    selections: Mutex<HashMap<String, Option<Arc<Selected>>>>,
}

/// An answer's body: `{"data":…,"extensions":…}` (the order of GraphQL's
/// response format), `data` written as its query selects it.
#[derive(serde::Serialize)]
struct Body {
    data: Box<RawValue>,
    extensions: Value,
}

/// An error answer (boxed: a `ResponseTemplate` is large).
type Rejected = Box<ResponseTemplate>;

#[derive(Clone, Copy)]
enum Sort {
    ProcessedAt,
    UpdatedAt,
    Id,
}

impl Sort {
    fn key(self, n: &Node) -> OffsetDateTime {
        match self {
            Sort::ProcessedAt | Sort::Id => n.processed_at,
            Sort::UpdatedAt => n.updated_at,
        }
    }
}

/// A page of a connection: its `pageInfo` and its nodes' texts.
struct Page<'a> {
    page_info: Value,
    nodes: Vec<&'a Node>,
}

impl Page<'_> {
    /// The page as its connection's selection selects it (`pageInfo` and
    /// `nodes` in the order asked for), or as a `Value` writes it without one.
    fn write(&self, sel: Option<&Selected>, out: &mut Vec<u8>) {
        let none = Selected::default();
        let keys: Vec<&str> = match sel {
            Some(sel) => sel.keys().collect(),
            None => vec!["nodes", "pageInfo"],
        };
        let field = |key: &str| sel.and_then(|s| s.get(key)).unwrap_or(&none);
        out.push(b'{');
        let mut first = true;
        for key in keys {
            let write_key = |out: &mut Vec<u8>, first: &mut bool| {
                if !std::mem::take(first) {
                    out.push(b',');
                }
                write_key(out, key);
            };
            match key {
                "pageInfo" => {
                    write_key(out, &mut first);
                    field(key).write(&self.page_info, out);
                }
                "nodes" => {
                    write_key(out, &mut first);
                    out.push(b'[');
                    for (i, node) in self.nodes.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        match sel {
                            Some(_) => out.extend_from_slice(node.text(field(key)).as_bytes()),
                            None => none.write(&node.json, out),
                        }
                    }
                    out.push(b']');
                }
                _ => {}
            }
        }
        out.push(b'}');
    }
}

/// An answer's `data`: a tree, or a page of a connection inside objects of
/// one key each (`{"orders": page}`, `{"shopifyPaymentsAccount":
/// {"payouts": page}}`).
enum Answer<'a> {
    Tree(Value),
    Page(&'static [&'static str], Page<'a>),
}

impl Answer<'_> {
    /// [`actual_cost`] of the answer as a tree.
    fn actual_cost(&self) -> u64 {
        match self {
            Answer::Tree(data) => actual_cost(data),
            // One point per enclosing object and for the connection.
            Answer::Page(path, page) => {
                path.len() as u64
                    + 1
                    + actual_cost(&page.page_info)
                    + page.nodes.iter().map(|n| n.cost).sum::<u64>()
            }
        }
    }
}

impl Answer<'_> {
    /// The answer's JSON text, written as `sel` (the query's) selects it.
    fn to_text(&self, sel: Option<&Selected>) -> String {
        let mut out = Vec::new();
        match self {
            Answer::Tree(data) => match sel {
                Some(sel) => sel.write(data, &mut out),
                None => out = data.to_string().into_bytes(),
            },
            Answer::Page(path, page) => {
                for key in *path {
                    out.push(b'{');
                    write_key(&mut out, key);
                }
                page.write(sel.and_then(|s| s.at(path)), &mut out);
                out.extend(std::iter::repeat_n(b'}', path.len()));
            }
        }
        into_text(out)
    }
}

impl From<Value> for Answer<'_> {
    fn from(data: Value) -> Self {
        Answer::Tree(data)
    }
}

/// Pages `nodes` (already filtered and sorted) after `after`, `first` at a time.
fn page<'a>(
    nodes: &[&'a Node],
    sort: Sort,
    first: usize,
    after: Option<&str>,
) -> Result<Page<'a>, Rejected> {
    let start = match after {
        None => 0,
        Some(c) => {
            let (at, id) = decode_cursor(c).ok_or_else(|| {
                Box::new(graphql_error(
                    "Invalid cursor for current pagination sort.",
                    "BAD_REQUEST",
                ))
            })?;
            nodes
                .iter()
                .position(|n| (sort.key(n), n.id) > (at, id))
                .unwrap_or(nodes.len())
        }
    };
    let slice = &nodes[start..nodes.len().min(start + first)];
    let has_next = start + slice.len() < nodes.len();
    let end = slice.last().map(|n| cursor(sort.key(n), n.id));
    Ok(Page {
        page_info: json!({ "hasNextPage": has_next, "endCursor": end }),
        nodes: slice.to_vec(),
    })
}

/// A page of a `shopifyPaymentsAccount` connection, oldest first.
fn account_page<'a>(
    mut nodes: Vec<&'a Node>,
    vars: &Value,
    first: usize,
    path: &'static [&'static str],
) -> Result<Answer<'a>, Rejected> {
    nodes.sort_by_key(|n| (n.processed_at, n.id));
    let after = vars.get("after").and_then(Value::as_str);
    let conn = page(&nodes, Sort::ProcessedAt, first, after)?;
    Ok(Answer::Page(path, conn))
}

fn first_of(vars: &Value) -> Result<usize, Rejected> {
    let first = vars.get("first").and_then(Value::as_u64).unwrap_or(0);
    if first == 0 {
        return Err(Box::new(graphql_error(
            "you must provide one of first or last",
            "BAD_REQUEST",
        )));
    }
    if first > MAX_PAGE as u64 {
        return Err(Box::new(graphql_error(
            "The maximum number of records you can request per page is 250.",
            "BAD_REQUEST",
        )));
    }
    Ok(first as usize)
}

impl Api {
    fn orders(&self, query: &str, vars: &Value) -> Result<Answer<'_>, Rejected> {
        let first = first_of(vars)?;
        let terms = parse_alternatives(vars.get("query").and_then(Value::as_str).unwrap_or(""));
        let sort = match vars.get("sortKey").and_then(Value::as_str) {
            Some("UPDATED_AT") => Sort::UpdatedAt,
            Some("ID") => Sort::Id,
            _ if query.contains("sortKey: UPDATED_AT") => Sort::UpdatedAt,
            _ => Sort::ProcessedAt,
        };
        let nodes = self.matching_orders_terms(&terms, sort);
        let conn = page(
            &nodes,
            sort,
            first,
            vars.get("after").and_then(Value::as_str),
        )?;
        Ok(Answer::Page(&["orders"], conn))
    }

    fn matching_orders(&self, search: &str, sort: Sort) -> Vec<&Node> {
        self.matching_orders_terms(&parse_alternatives(search), sort)
    }

    /// The orders matching the search terms, sorted: of those the app may
    /// see (the last 60 days' without `read_all_orders`).
    fn matching_orders_terms(&self, alternatives: &[Vec<Term>], sort: Sort) -> Vec<&Node> {
        let visible_from = (!lock(&self.scopes).iter().any(|s| s == "read_all_orders"))
            .then(|| OffsetDateTime::now_utc() - ORDERS_VISIBLE_WITHOUT_READ_ALL_ORDERS);
        let mut nodes: Vec<&Node> = self
            .data
            .orders
            .iter()
            .filter(|n| visible_from.is_none_or(|from| n.processed_at >= from))
            .filter(|n| {
                alternatives.iter().any(|terms| {
                    terms.iter().all(|t| {
                        let at = match t.field.as_str() {
                            // `name`: "Filter by the order name field" (the
                            // `orders` query's filters, 2026-01 schema).
                            "name" => {
                                return n.json.get("name").and_then(Value::as_str)
                                    == Some(t.value.as_str());
                            }
                            "processed_at" | "created_at" => n.processed_at,
                            "updated_at" => n.updated_at,
                            _ => return true,
                        };
                        instant(&t.value).is_some_and(|b| compare(at, t.op, b))
                    })
                })
            })
            .collect();
        nodes.sort_by_key(|n| (sort.key(n), n.id));
        nodes
    }

    fn payouts(&self, vars: &Value) -> Result<Answer<'_>, Rejected> {
        let first = first_of(vars)?;
        let terms = parse_search(vars.get("query").and_then(Value::as_str).unwrap_or(""));
        let nodes: Vec<&Node> = self
            .data
            .payouts
            .iter()
            .map(|p| &p.node)
            .filter(|n| {
                terms.iter().all(|t| match t.field.as_str() {
                    "issued_at" => {
                        instant(&t.value).is_some_and(|b| compare(n.processed_at, t.op, b))
                    }
                    "id" => t.value == n.id.to_string(),
                    _ => true,
                })
            })
            .collect();
        account_page(nodes, vars, first, &["shopifyPaymentsAccount", "payouts"])
    }

    fn disputes(&self, vars: &Value) -> Result<Answer<'_>, Rejected> {
        let first = first_of(vars)?;
        let terms = parse_search(vars.get("query").and_then(Value::as_str).unwrap_or(""));
        let nodes: Vec<&Node> = self
            .data
            .disputes
            .iter()
            .filter(|n| {
                terms.iter().all(|t| match t.field.as_str() {
                    "status" => n.json["status"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&t.value)),
                    "initiated_at" => {
                        instant(&t.value).is_some_and(|b| compare(n.processed_at, t.op, b))
                    }
                    _ => true,
                })
            })
            .collect();
        account_page(nodes, vars, first, &["shopifyPaymentsAccount", "disputes"])
    }

    fn balance_transactions(&self, query: &str, vars: &Value) -> Result<Answer<'_>, Rejected> {
        let first = first_of(vars)?;
        let terms = parse_search(vars.get("query").and_then(Value::as_str).unwrap_or(""));
        let hide_transfers = query.contains("hideTransfers: true")
            || vars.get("hideTransfers").and_then(Value::as_bool) == Some(true);
        let payout = terms
            .iter()
            .find(|t| t.field == "payments_transfer_id")
            .map(|t| t.value.clone());
        let payout_date = terms
            .iter()
            .find(|t| t.field == "payout_date")
            .map(|t| t.value.clone());
        // Balance transactions not yet paid out match no payout filter.
        let pending = (payout.is_none() && payout_date.is_none())
            .then_some(self.data.pending.iter())
            .into_iter()
            .flatten();
        // `processed_at` is the transaction's date (`transactionDate`).
        let mut nodes: Vec<&Node> =
            self.data
                .payouts
                .iter()
                .filter(|p| payout.as_ref().is_none_or(|id| *id == p.legacy_id))
                .filter(|p| payout_date.as_ref().is_none_or(|d| *d == p.date))
                .flat_map(|p| {
                    let transfer = (!hide_transfers).then_some(&p.transfer);
                    p.transactions.iter().chain(transfer)
                })
                .chain(pending)
                .filter(|n| {
                    terms.iter().filter(|t| t.field == "processed_at").all(|t| {
                        instant(&t.value).is_some_and(|b| compare(n.processed_at, t.op, b))
                    })
                })
                .collect();
        nodes.sort_by_key(|n| (n.processed_at, n.id));
        let conn = page(
            &nodes,
            Sort::ProcessedAt,
            first,
            vars.get("after").and_then(Value::as_str),
        )?;
        Ok(Answer::Page(
            &["shopifyPaymentsAccount", "balanceTransactions"],
            conn,
        ))
    }

    fn refund(&self, id: &Value) -> Option<&Value> {
        self.data.orders.iter().find_map(|o| {
            o.json["refunds"]
                .as_array()
                .and_then(|rs| rs.iter().find(|r| r["id"] == *id))
        })
    }

    /// `nodes(ids:)` for refunds (their refunded lines, transactions,
    /// refunded shipping and adjustments) and for orders, with the refunds and the ids of their
    /// transactions (what `… on Order { id refunds { id transactions { nodes
    /// { id } } } }` selects); an unknown id is `null`, as at Shopify.
    fn nodes(&self, vars: &Value) -> Value {
        let ids = vars.get("ids").and_then(Value::as_array);
        let nodes: Vec<Value> = ids
            .into_iter()
            .flatten()
            .map(|id| {
                if let Some(refund) = self.refund(id) {
                    // `… on Refund { id refundLineItems transactions
                    // refundShippingLines orderAdjustments }`.
                    return json!({
                        "id": id,
                        "refundLineItems": refund["refundLineItems"],
                        "transactions": refund["transactions"],
                        "refundShippingLines": refund["refundShippingLines"],
                        "orderAdjustments": refund["orderAdjustments"],
                    });
                }
                let Some(order) = self.data.orders.iter().find(|o| o.json["id"] == *id) else {
                    return Value::Null;
                };
                let refunds: Vec<Value> = order.json["refunds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        let ids: Vec<Value> = r["transactions"]["nodes"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|t| json!({ "id": t["id"] }))
                            .collect();
                        json!({ "id": r["id"], "transactions": { "nodes": ids } })
                    })
                    .collect();
                json!({ "id": id, "refunds": refunds })
            })
            .collect();
        json!({ "nodes": nodes })
    }

    /// A bulk result file: a signed storage URL, refused with the shop's
    /// token (it is not the API) and once expired.
    fn bulk_result(&self, request: &Request) -> ResponseTemplate {
        let denied = |code: &str, message: &str| {
            ResponseTemplate::new(403)
                .insert_header("content-type", "application/xml; charset=UTF-8")
                .set_body_string(format!(
                    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
                ))
        };
        if request.headers.contains_key("x-shopify-access-token") {
            return denied(
                "AccessDenied",
                "The request carries credentials the signed URL does not expect.",
            );
        }
        if *lock(&self.bulk.expired) {
            return denied("ExpiredToken", "The provided token has expired.");
        }
        match self.bulk.result(request.url.path()) {
            Some(text) => ResponseTemplate::new(200)
                .insert_header("content-type", "application/jsonl")
                .set_body_string(text),
            None => denied("NoSuchKey", "The specified key does not exist."),
        }
    }

    fn run_bulk(&self, vars: &Value) -> Value {
        let query = vars.get("query").and_then(Value::as_str).unwrap_or("");
        // `groupObjects: Boolean! = false` (2026-01), as a variable.
        let grouped = vars
            .get("groupObjects")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let payload = match check_bulk_query(query) {
            Err(message) => json!({ "bulkOperation": null, "userErrors": [
                { "field": ["query"], "message": message, "code": "INVALID" }] }),
            Ok(search) => match self.bulk.start(query, search, grouped) {
                Ok(op) => json!({
                    "bulkOperation": BulkOps::to_json(&op, &self.base),
                    "userErrors": []
                }),
                Err((code, message)) => json!({ "bulkOperation": null, "userErrors": [
                    { "field": null, "message": message, "code": code }] }),
            },
        };
        json!({ "bulkOperationRunQuery": payload })
    }

    fn poll_bulk(&self, vars: &Value) -> Value {
        let id = vars
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| s.rsplit('/').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let op = self.bulk.poll(id, |search, query, grouped| {
            let nodes = self.matching_orders(search, Sort::ProcessedAt);
            let sel = self.selection(query);
            let order = sel
                .as_deref()
                .and_then(|s| s.at(&["orders", "edges", "node"]));
            orders_jsonl(nodes.into_iter().map(|n| &n.json), grouped, order)
        });
        json!({ "bulkOperation": op.map(|o| BulkOps::to_json(&o, &self.base)) })
    }

    /// `order(id:)` selecting the whole order (what `orders` nodes carry);
    /// `null` for an id the shop does not have (or not yet, at the
    /// scenario's clock), as Shopify answers (`QueryRoot.order: Order`, nullable).
    fn order(&self, vars: &Value) -> Value {
        let id = vars.get("id").cloned().unwrap_or(Value::Null);
        let order = self.data.orders.iter().find(|o| o.json["id"] == id);
        json!({ "order": order.map(|o| o.json.clone()) })
    }

    /// A nested connection of one order or refund (`order(id:) {
    /// lineItems(first:, after:) }`, `refund(id:) { orderAdjustments(…) }`),
    /// whole: the sandbox's orders hold every nested node on one page.
    fn nested(&self, query: &str, vars: &Value) -> Value {
        let id = vars.get("id").cloned().unwrap_or(Value::Null);
        let (root, fields): (&str, &[&str]) = if query.contains("order(id:") {
            ("order", &["lineItems", "shippingLines"])
        } else {
            (
                "refund",
                &[
                    "refundLineItems",
                    "refundShippingLines",
                    "orderAdjustments",
                    "transactions",
                ],
            )
        };
        let Some(field) = fields
            .iter()
            .find(|f| query.contains(&format!("{f}(first: $first")))
        else {
            return json!({ root: null });
        };
        let owner = if root == "order" {
            self.data
                .orders
                .iter()
                .find(|o| o.json["id"] == id)
                .map(|o| &o.json)
        } else {
            self.refund(&id)
        };
        let conn = owner
            .and_then(|o| o.get(*field))
            .filter(|c| c.is_object())
            .map(|c| json!({ "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": c["nodes"] }))
            .unwrap_or_else(|| json!({ "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] }));
        match owner {
            Some(_) => json!({ root: { *field: conn } }),
            None => json!({ root: null }),
        }
    }

    fn orders_count(&self, vars: &Value) -> Value {
        let search = vars.get("query").and_then(Value::as_str).unwrap_or("");
        let n = self.matching_orders(search, Sort::ProcessedAt).len() as u64;
        let limit = vars.get("limit").and_then(Value::as_u64).unwrap_or(10_000);
        json!({ "ordersCount": {
            "count": n.min(limit),
            "precision": if n > limit { "AT_LEAST" } else { "EXACT" }
        } })
    }

    fn answer(&self, request: &Request) -> Result<ResponseTemplate, Rejected> {
        let path = request.url.path();
        if path.starts_with("/bulk-results/") {
            return Ok(self.bulk_result(request));
        }
        let version = path
            .strip_prefix("/admin/api/")
            .and_then(|p| p.strip_suffix("/graphql.json"));
        let not_found =
            || Box::new(ResponseTemplate::new(404).set_body_json(json!({ "errors": "Not Found" })));
        let Some(version) = version else {
            return Err(not_found());
        };
        if !SUPPORTED_VERSIONS.contains(&version) {
            return Err(not_found());
        }
        let token = request
            .headers
            .get("x-shopify-access-token")
            .and_then(|v| v.to_str().ok());
        if token != Some(ACCESS_TOKEN) {
            return Err(Box::new(ResponseTemplate::new(401).set_body_json(json!({
                "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
            }))));
        }
        if request.method.as_str() != "POST" {
            return Err(Box::new(
                ResponseTemplate::new(405).set_body_json(json!({ "errors": "Method Not Allowed" })),
            ));
        }
        let body: Value = serde_json::from_slice(&request.body).map_err(|_| {
            Box::new(
                ResponseTemplate::new(400)
                    .set_body_json(json!({ "errors": "Bad Request: the body is not JSON" })),
            )
        })?;
        let query = body.get("query").and_then(Value::as_str).unwrap_or("");
        let vars = body.get("variables").cloned().unwrap_or(Value::Null);
        let requested = self.requested(query, &vars)?;
        let data = if query.contains("bulkOperationRunQuery(") {
            Ok(self.run_bulk(&vars).into())
        } else if query.contains("bulkOperation(id:") {
            Ok(self.poll_bulk(&vars).into())
        } else if query.contains("bulkOperations(") {
            // The client asks `first: 10` (`queries::BULK_QUERIES`).
            Ok(self.bulk.list_json(10).into())
        } else if query.contains("ordersCount(") {
            Ok(self.orders_count(&vars).into())
        } else if query.contains("currentAppInstallation") {
            let scopes: Vec<Value> = lock(&self.scopes)
                .iter()
                .map(|s| json!({ "handle": s }))
                .collect();
            Ok(json!({ "currentAppInstallation": { "accessScopes": scopes } }).into())
        } else if query.contains("order(id:") && query.contains("...OrderFields") {
            Ok(self.order(&vars).into())
        } else if query.contains("order(id:") || query.contains("refund(id:") {
            Ok(self.nested(query, &vars).into())
        } else if query.contains("nodes(ids:") {
            Ok(self.nodes(&vars).into())
        } else if query.contains("balanceTransactions(") {
            self.balance_transactions(query, &vars)
        } else if query.contains("payouts(") {
            self.payouts(&vars)
        } else if query.contains("orders(") {
            self.orders(query, &vars)
        } else if query.contains("disputes(") {
            self.disputes(&vars)
        } else {
            Err(Box::new(graphql_error(
                "The sandbox answers only orders, payouts, balanceTransactions and disputes.",
                "undefinedField",
            )))
        };
        let data = match data {
            Ok(data) => data,
            Err(e) => {
                // Refused before running: the points go back.
                lock(&self.costs.bucket).refund(requested);
                return Err(e);
            }
        };
        let actual = data.actual_cost().min(requested);
        let (available, plan) = {
            let mut bucket = lock(&self.costs.bucket);
            bucket.refund(requested - actual);
            (bucket.spend(0).available, bucket.plan())
        };
        let sel = self.selection(query);
        let data =
            RawValue::from_string(data.to_text(sel.as_deref())).unwrap_or_else(|_| null_text());
        let answer = ResponseTemplate::new(200)
            .insert_header("x-request-id", "sandbox-request")
            .set_body_json(Body {
                data,
                extensions: json!({ "cost": cost(requested, Some(actual), available, plan) }),
            });
        let delay = if query.contains("bulkOperationRunQuery(") {
            lock(&self.bulk.start_delay).take()
        } else {
            None
        };
        Ok(match delay {
            Some(delay) => answer.set_delay(delay),
            None => answer,
        })
    }

    /// What `query` selects (parsed once per query text).
    fn selection(&self, query: &str) -> Option<Arc<Selected>> {
        lock(&self.selections)
            .entry(query.to_owned())
            .or_insert_with(|| Selected::of_query(query).map(Arc::new))
            .clone()
    }

    /// Counts the query's requested cost as Shopify does
    /// ([`shopify_cost`](crate::shopify_cost)) and takes it from the bucket:
    /// an invalid query is refused with its validation errors, one above
    /// [`MAX_QUERY_COST`] with `MAX_COST_EXCEEDED`, one the bucket cannot pay
    /// for with `THROTTLED` and the bucket's state.
    fn requested(&self, query: &str, vars: &Value) -> Result<u64, Rejected> {
        let key = format!("{query}\u{0}{}", vars.get("first").unwrap_or(&Value::Null));
        let counted = lock(&self.costs.cache)
            .entry(key)
            .or_insert_with(|| requested_cost(query, vars))
            .clone();
        let requested = counted.map_err(|errors| {
            Box::new(ResponseTemplate::new(200).set_body_json(json!({
                "errors": [{ "message": errors }]
            })))
        })?;
        self.costs
            .max_requested
            .fetch_max(requested, Ordering::Relaxed);
        if requested > MAX_QUERY_COST {
            self.costs.too_costly.fetch_add(1, Ordering::Relaxed);
            return Err(Box::new(ResponseTemplate::new(200).set_body_json(json!({
                "errors": [{
                    "message": format!(
                        "Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."
                    ),
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": requested,
                        "maxCost": MAX_QUERY_COST
                    }
                }]
            }))));
        }
        let (spend, plan) = {
            let mut bucket = lock(&self.costs.bucket);
            (bucket.spend(requested), bucket.plan())
        };
        if !spend.allowed {
            self.costs.throttled.fetch_add(1, Ordering::Relaxed);
            return Err(Box::new(ResponseTemplate::new(200).set_body_json(json!({
                "errors": [{
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits"
                    }
                }],
                "extensions": { "cost": cost(requested, None, spend.available, plan) }
            }))));
        }
        Ok(requested)
    }
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.answer(request) {
            Ok(t) => t,
            Err(t) => *t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_like_shopify() {
        assert_eq!(amount(76_720, Currency::SEK), "767.2");
        assert_eq!(amount(4_900, Currency::SEK), "49.0");
        assert_eq!(amount(-17_910, Currency::SEK), "-179.1");
        assert_eq!(amount(0, Currency::SEK), "0.0");
        assert_eq!(amount(1_234, Currency::SEK), "12.34");
    }

    #[test]
    fn search_terms_and_cursors() {
        let terms = parse_search(
            "processed_at:>='2026-02-28T23:00:00Z' processed_at:<2026-03-31T22:00:00Z payments_transfer_id:118000001",
        );
        assert_eq!(terms.len(), 3);
        assert_eq!(terms[0].op, ">=");
        assert_eq!(terms[0].value, "2026-02-28T23:00:00Z");
        assert_eq!(terms[1].op, "<");
        assert_eq!(terms[2].value, "118000001");
        let at = OffsetDateTime::parse("2026-03-02T09:15:00Z", &Rfc3339).unwrap();
        assert_eq!(decode_cursor(&cursor(at, 42)), Some((at, 42)));
        assert_eq!(decode_cursor("not a cursor"), None);
    }
}
