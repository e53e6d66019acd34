//! A simulated Stripe API over the scenario's Stripe Invoicing invoices and
//! Stripe payouts.
//!
//! Serves, in Stripe's current shapes (API version `2026-07-29.dahlia`:
//! integer minor units, unix timestamps, `{"object": "list", "data", "has_more",
//! "url"}` lists, newest first, `limit` 1–100 (default 10) and
//! `starting_after` cursors, `{"error": {...}}` errors with `Request-Id`):
//!
//! - `GET /v1/payouts` (`created[gte|gt|lte|lt]`, `arrival_date[…]`, `status`);
//! - `GET /v1/balance_transactions` (`payout`, `type`, `created[…]`;
//!   `expand[]=data.source` expands charges, refunds and disputes, otherwise
//!   `source` is an id); each payout's own `payout` transaction is included;
//! - `GET /v1/invoices` (`status`, `customer`, `created[…]`;
//!   `expand[]=data.payments`), `GET /v1/invoices/{id}`, `GET /v1/invoices/{id}/lines`;
//! - `GET /v1/invoice_payments` (`invoice`, `status`, `created[…]`,
//!   `payment[payment_intent]`);
//! - `GET /v1/credit_notes` (`invoice`, `created[…]`), `GET /v1/tax_rates`;
//! - `GET /v1/events` (`type`, `created[…]`): the `charge.dispute.closed`
//!   events, only those of the 30 days before the scenario's clock ("List
//!   events, going back up to 30 days", <https://docs.stripe.com/api/events/list>;
//!   none without a clock, which shows the data long after the period). The
//!   same events as a webhook endpoint received them are
//!   [`StripeSandbox::webhook_events`].
//!
//! Every request needs `Authorization: Bearer` with the sandbox key
//! ([`SECRET_KEY`]); anything else is a 401 as Stripe answers it. Faults come
//! from the shared [`Faults`] (429 with `Retry-After: 1`, 503 with
//! `Stripe-Should-Retry: true`, slow answers); every request is counted.
//!
//! Each scenario invoice is a paid invoice with its tax rate, an invoice
//! payment and a card charge; charges settle in the scenario's payouts
//! (EUR invoices converted to SEK at the scenario's rate), a payment for an
//! invoice issued elsewhere and Stripe's monthly fee among them. A payout's
//! amount is the sum of its transactions' nets. One invoice's charge is
//! disputed (a `dispute` balance transaction withdraws it) and the dispute is
//! lost when its evidence is due: the `Dispute` then has `status: lost`, and a
//! `charge.dispute.closed` event dated the decision carries it (Stripe's
//! `dispute` and `event` schemas, stripe/openapi `spec3.json`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};
use time::{OffsetDateTime, Time};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::{Faults, Faulty, RequestCounter};
use crate::scenario::{
    Invoice, ItemKind, PayoutPlan, STRIPE_DISPUTE_DECIDED_AFTER, Scenario, SettlementItem,
};

/// The API version the sandbox renders events in (`Event.api_version`).
const API_VERSION: &str = "2026-07-29.dahlia";
/// The event that dates a dispute's decision.
const DISPUTE_CLOSED: &str = "charge.dispute.closed";
/// How long Stripe lists events.
const EVENT_RETENTION: time::Duration = time::Duration::days(30);

/// The key the sandbox accepts: a restricted (read-only) live-mode key, as a
/// bookkeeping integration uses. The sandbox plays a live account, so its
/// objects have `livemode: true` and its sales are booked, not skipped as
/// test data.
pub const SECRET_KEY: &str = "rk_live_sandbox_kassabok_read_only";
/// Stripe's default page size.
const DEFAULT_LIMIT: usize = 10;
/// Stripe's largest page size.
const MAX_LIMIT: usize = 100;

/// A running simulated Stripe server. It stops when dropped.
#[derive(Debug)]
pub struct StripeSandbox {
    server: MockServer,
    counter: RequestCounter,
    data: Arc<Data>,
}

impl StripeSandbox {
    /// Starts a server on loopback serving `scenario`'s Stripe data.
    pub async fn start(scenario: &Scenario, faults: Faults) -> StripeSandbox {
        start(scenario, faults).await
    }

    /// The base URL to give the client (`StripeClientBuilder::base_url`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The secret key the server accepts.
    pub fn secret_key(&self) -> &'static str {
        SECRET_KEY
    }

    /// The request counter (requests received, and answered with data).
    pub fn counter(&self) -> &RequestCounter {
        &self.counter
    }

    /// Requests received so far, faulted ones included.
    pub fn requests(&self) -> u64 {
        self.counter.total()
    }

    /// The `charge.dispute.closed` events of every decision made by the
    /// scenario's clock, as Stripe delivers them to a webhook endpoint (the
    /// request body: the Event object), oldest first: what a host stores to
    /// date decisions the Events API no longer lists.
    pub fn webhook_events(&self) -> Vec<Vec<u8>> {
        let mut events: Vec<&Object> = self.data.webhook_events.iter().collect();
        events.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
        events
            .into_iter()
            .map(|o| serde_json::to_vec(&o.json).unwrap_or_default())
            .collect()
    }
}

/// Starts a server on loopback serving `scenario`'s Stripe data.
pub async fn start(scenario: &Scenario, faults: Faults) -> StripeSandbox {
    let server = MockServer::start().await;
    let counter = RequestCounter::new();
    let data = Arc::new(Data::build(scenario));
    let api = Api {
        data: Arc::clone(&data),
        request_ids: AtomicU64::new(0),
    };
    Mock::given(any())
        .respond_with(Faulty::new(
            api,
            faults,
            counter.clone(),
            throttled,
            unavailable,
        ))
        .named("stripe api")
        .mount(&server)
        .await;
    StripeSandbox {
        server,
        counter,
        data,
    }
}

fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> ResponseTemplate {
    let mut body = json!({"type": kind, "message": message});
    if let Some(code) = code {
        body["code"] = code.into();
    }
    ResponseTemplate::new(status)
        .insert_header("Request-Id", "req_sandboxError0001")
        .set_body_json(json!({ "error": body }))
}

fn throttled() -> ResponseTemplate {
    error(
        429,
        "invalid_request_error",
        Some("rate_limit"),
        "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
    )
}

fn unavailable() -> ResponseTemplate {
    error(
        503,
        "api_error",
        None,
        "An unknown error occurred while processing the request.",
    )
    .insert_header("Stripe-Should-Retry", "true")
}

fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

/// A stable Stripe-shaped id suffix from a text (FNV-1a, base 62).
fn id_from(prefix: &str, text: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in text.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let mut out = String::with_capacity(24);
    for _ in 0..24 {
        out.push(char::from(CHARS[(h % 62) as usize]));
        h /= 62;
        if h == 0 {
            h = 0x9e37_79b9_7f4a_7c15;
        }
    }
    format!("{prefix}_{out}")
}

/// A JSON number from a percentage or rate (Stripe sends these as numbers).
fn number(d: Decimal) -> Value {
    d.to_f64().map_or(Value::Null, Value::from)
}

fn lower(c: bookkeeping_core::Currency) -> String {
    c.code().to_ascii_lowercase()
}

/// One object with the fields the filters need.
#[derive(Debug)]
struct Object {
    id: String,
    created: i64,
    json: Value,
    /// Filter keys: `status`, `payout`, `invoice`, `customer`, `type`,
    /// `payment_intent`, `arrival_date`.
    keys: Map<String, Value>,
}

impl Object {
    fn key(&self, name: &str) -> Option<&Value> {
        self.keys.get(name)
    }
}

#[derive(Debug, Default)]
struct Data {
    tax_rates: Vec<Object>,
    invoices: Vec<Object>,
    invoice_payments: Vec<Object>,
    payouts: Vec<Object>,
    balance_transactions: Vec<Object>,
    /// The `charge.dispute.closed` events `GET /v1/events` still lists.
    events: Vec<Object>,
    /// Every `charge.dispute.closed` event by the clock.
    webhook_events: Vec<Object>,
}

impl Data {
    fn build(s: &Scenario) -> Data {
        let mut data = Data::default();
        let mut rates: Vec<Decimal> = s
            .invoices
            .iter()
            .flat_map(|i| i.lines.iter())
            .map(|l| l.tax_rate.normalize())
            .filter(|r| !r.is_zero())
            .collect();
        rates.sort();
        rates.dedup();
        let rate_created = ts(s.config.period.start_utc()) - 400 * 86_400;
        for r in &rates {
            let id = tax_rate_id(*r);
            data.tax_rates.push(Object {
                id: id.clone(),
                created: rate_created,
                json: json!({
                    "id": id, "object": "tax_rate", "active": true, "country": "SE",
                    "created": rate_created, "description": format!("Svensk moms {r} %"),
                    "display_name": "Moms", "effective_percentage": number(*r),
                    "flat_amount": null, "inclusive": false, "jurisdiction": "SE",
                    "jurisdiction_level": "country", "livemode": true, "metadata": {},
                    "percentage": number(*r), "rate_type": "percentage", "state": null,
                    "tax_type": "vat"
                }),
                keys: Map::new(),
            });
        }
        for inv in s.invoices.iter().filter(|i| s.has_happened(i.finalized_at)) {
            let paid = s.has_happened(inv.paid_at);
            let (invoice, payment) = invoice_json(inv, paid);
            let mut keys = Map::new();
            keys.insert("status".into(), if paid { "paid" } else { "open" }.into());
            keys.insert("customer".into(), inv.customer.id.clone().into());
            data.invoices.push(Object {
                id: inv.id.clone(),
                created: invoice["created"].as_i64().unwrap_or_default(),
                json: invoice,
                keys,
            });
            let mut keys = Map::new();
            keys.insert("status".into(), "paid".into());
            keys.insert("invoice".into(), inv.id.clone().into());
            keys.insert(
                "payment_intent".into(),
                inv.payment_intent_id.clone().into(),
            );
            if paid {
                data.invoice_payments.push(Object {
                    id: inv.invoice_payment_id.clone(),
                    created: payment["created"].as_i64().unwrap_or_default(),
                    json: payment,
                    keys,
                });
            }
        }
        for p in &s.stripe_payouts {
            if s.has_happened(p.created_at) {
                let arrived = s.clock.is_none_or(|now| p.arrival_date <= now.date());
                data.add_payout(p, s, arrived);
            } else {
                // Not yet paid out: the balance transactions that happened
                // are on the balance, in no payout.
                for item in p.items.iter().filter(|i| s.has_happened(i.occurred_at)) {
                    data.add_transaction(item, p, s, None);
                }
            }
            for item in p.items.iter().filter(|i| i.kind == ItemKind::Dispute) {
                data.add_decision(item, p, s);
            }
        }
        for list in [
            &mut data.tax_rates,
            &mut data.invoices,
            &mut data.invoice_payments,
            &mut data.payouts,
            &mut data.balance_transactions,
            &mut data.events,
        ] {
            // Stripe lists newest first.
            list.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
        }
        data
    }

    /// A settlement item as a balance transaction, in `payout` when it has
    /// been paid out.
    fn add_transaction(
        &mut self,
        item: &SettlementItem,
        p: &PayoutPlan,
        s: &Scenario,
        payout: Option<&str>,
    ) {
        let (mut json, kind) = item_json(item, p, &s.invoices, dispute_status(item, s));
        // "The transaction's net funds status in the Stripe balance, which
        // are either `available` or `pending`"; `available_on`: "The date
        // that the transaction's net funds become available in the Stripe
        // balance" (docs.stripe.com/api/balance_transactions/object).
        let available_on = json["available_on"].as_i64().unwrap_or_default();
        if s.clock
            .is_some_and(|now| now.unix_timestamp() < available_on)
        {
            json["status"] = Value::from("pending");
        }
        let mut keys = Map::new();
        if let Some(payout) = payout {
            keys.insert("payout".into(), payout.into());
        }
        keys.insert("type".into(), kind.into());
        self.balance_transactions.push(Object {
            id: item.id.clone(),
            created: ts(item.occurred_at),
            json,
            keys,
        });
    }

    /// The `charge.dispute.closed` event of a dispute item, once the clock
    /// has passed its decision: listed by `GET /v1/events` for 30 days.
    fn add_decision(&mut self, item: &SettlementItem, p: &PayoutPlan, s: &Scenario) {
        let decided = item.occurred_at + STRIPE_DISPUTE_DECIDED_AFTER;
        if !s.has_happened(decided) {
            return;
        }
        let (txn, _) = item_json(item, p, &s.invoices, "lost");
        let id = id_from("evt", &format!("dispute closed {}", item.id));
        let created = ts(decided);
        let event = json!({
            "id": id, "object": "event", "api_version": API_VERSION, "created": created,
            "data": {"object": txn["source"].clone()}, "livemode": true, "pending_webhooks": 0,
            "request": {"id": null, "idempotency_key": null}, "type": DISPUTE_CLOSED
        });
        let mut keys = Map::new();
        keys.insert("type".into(), DISPUTE_CLOSED.into());
        let object = |json| Object {
            id: id.clone(),
            created,
            json,
            keys: keys.clone(),
        };
        // Stripe keeps events 30 days; without a clock the data stand long after.
        if s.clock.is_some_and(|now| decided >= now - EVENT_RETENTION) {
            self.events.push(object(event.clone()));
        }
        self.webhook_events.push(object(event));
    }

    fn add_payout(&mut self, p: &PayoutPlan, s: &Scenario, arrived: bool) {
        let failed_at = p.failed_at.filter(|at| s.has_happened(*at));
        let status = match (failed_at, arrived) {
            (Some(_), _) => "failed",
            (None, true) => "paid",
            (None, false) => "in_transit",
        };
        let amount = p.amount();
        let created = ts(p.created_at);
        let arrival = ts(p.arrival_date.with_time(Time::MIDNIGHT).assume_utc());
        let own = id_from("txn", &format!("payout {}", p.id));
        let trace = format!(
            "SE{}{:08}",
            p.arrival_date.year(),
            amount.rem_euclid(100_000_000)
        );
        // "If the payout fails or cancels, this is the ID of the balance
        // transaction that reverses the initial balance transaction and returns
        // the funds from the failed payout back in your balance"
        // (docs.stripe.com/api/payouts/object): type `payout_failure`, in the
        // reporting category `payout_reversal`, its source the payout. It is
        // on the balance, in no payout yet.
        let failure = failed_at.map(|at| {
            let id = id_from("txn", &format!("payout failure {}", p.id));
            let created = ts(at);
            (
                id.clone(),
                created,
                txn_json(
                    &id,
                    amount,
                    &[],
                    created,
                    p.currency,
                    ("payout_failure", "payout_reversal"),
                    Value::String(p.id.clone()),
                    "STRIPE PAYOUT FAILURE",
                    None,
                ),
            )
        });
        let (failure_code, failure_message) = if failure.is_some() {
            (
                json!("account_closed"),
                json!("The bank account has been closed."),
            )
        } else {
            (Value::Null, Value::Null)
        };
        let mut payout = json!({
            "id": p.id, "object": "payout", "amount": amount, "application_fee": null,
            "application_fee_amount": null, "arrival_date": arrival, "automatic": true,
            "balance_transaction": own, "created": created, "currency": lower(p.currency),
            "description": "STRIPE PAYOUT", "destination": "ba_1SandboxKassabokBank0001",
            "failure_balance_transaction": failure.as_ref().map_or(Value::Null, |f| f.0.clone().into()),
            "failure_code": failure_code, "failure_message": failure_message,
            "livemode": true, "metadata": {}, "method": "standard", "original_payout": null,
            "payout_method": null, "reconciliation_status": "completed", "reversed_by": null,
            "source_type": "card", "statement_descriptor": null, "status": status,
            "trace_id": {"status": "supported", "value": trace}, "type": "bank_account"
        });
        let mut keys = Map::new();
        keys.insert("status".into(), status.into());
        keys.insert("arrival_date".into(), arrival.into());
        // `expand[]=data.source` expands a payout's own and failure
        // transactions' source to the payout, as it does a charge.
        let source = payout.clone();
        if let Some((id, created, mut json)) = failure {
            json["source"] = source.clone();
            payout["failure_balance_transaction"] = json.clone();
            let mut keys = Map::new();
            keys.insert("type".into(), "payout_failure".into());
            self.balance_transactions.push(Object {
                id,
                created,
                json,
                keys,
            });
        }
        self.payouts.push(Object {
            id: p.id.clone(),
            created,
            json: payout,
            keys,
        });
        let mut own_keys = Map::new();
        own_keys.insert("payout".into(), p.id.clone().into());
        own_keys.insert("type".into(), "payout".into());
        self.balance_transactions.push(Object {
            id: own.clone(),
            created,
            json: txn_json(
                &own,
                -amount,
                &[],
                created,
                p.currency,
                ("payout", "payout"),
                source,
                "STRIPE PAYOUT",
                None,
            ),
            keys: own_keys,
        });
        for item in &p.items {
            self.add_transaction(item, p, s, Some(&p.id));
        }
    }
}

/// The status of a dispute item's `Dispute` by the clock: the sandbox shop
/// submits no evidence, so it is lost when the evidence is due.
fn dispute_status(item: &SettlementItem, s: &Scenario) -> &'static str {
    if s.has_happened(item.occurred_at + STRIPE_DISPUTE_DECIDED_AFTER) {
        "lost"
    } else {
        "needs_response"
    }
}

fn tax_rate_id(rate: Decimal) -> String {
    id_from("txr", &format!("SE moms {rate}"))
}

/// An invoice (paid, with its embedded payment) and its invoice payment.
fn invoice_json(inv: &Invoice, paid: bool) -> (Value, Value) {
    let cur = lower(inv.currency);
    let finalized = ts(inv.finalized_at);
    let created = finalized - 600;
    let paid_at = paid.then(|| ts(inv.paid_at));
    let (amount_paid, status) = if paid {
        (inv.total(), "paid")
    } else {
        (0, "open")
    };
    let lines: Vec<Value> = inv
        .lines
        .iter()
        .map(|l| {
            let taxes = if l.tax_rate.is_zero() {
                Value::Array(Vec::new())
            } else {
                json!([{
                    "amount": l.tax, "tax_behavior": "exclusive", "taxability_reason": "standard_rated",
                    "taxable_amount": l.amount, "type": "tax_rate_details",
                    "tax_rate_details": {"tax_rate": tax_rate_id(l.tax_rate.normalize())}
                }])
            };
            json!({
                "id": l.id, "object": "line_item", "amount": l.amount, "currency": cur,
                "description": l.description, "discount_amounts": [], "discountable": true,
                "discounts": [], "invoice": inv.id, "livemode": true, "metadata": {},
                "parent": {"type": "invoice_item_details", "invoice_item_details": {
                    "invoice_item": id_from("ii", &l.id), "proration": false,
                    "proration_details": {"credited_items": null}, "subscription": null}},
                "period": {"start": finalized, "end": finalized},
                "pretax_credit_amounts": [],
                "pricing": {"type": "price_details", "price_details": {
                    "price": id_from("price", &l.description), "product": id_from("prod", &l.description)},
                    "unit_amount_decimal": (l.amount / i64::from(l.quantity.max(1))).to_string()},
                "quantity": l.quantity, "subtotal": l.amount, "taxes": taxes
            })
        })
        .collect();
    let total_taxes: Vec<Value> = lines
        .iter()
        .flat_map(|l| l["taxes"].as_array().cloned().unwrap_or_default())
        .collect();
    let payment = json!({
        "id": inv.invoice_payment_id, "object": "invoice_payment", "amount_paid": inv.total(),
        "amount_requested": inv.total(), "created": finalized, "currency": cur,
        "invoice": inv.id, "is_default": true, "livemode": true,
        "payment": {"type": "payment_intent", "payment_intent": inv.payment_intent_id},
        "status": "paid", "status_transitions": {"canceled_at": null, "paid_at": paid_at}
    });
    let tax_ids: Vec<Value> = inv
        .customer
        .vat_number
        .iter()
        .map(|v| json!({"type": "eu_vat", "value": v}))
        .collect();
    let invoice = json!({
        "id": inv.id, "object": "invoice", "account_country": "SE",
        "account_name": "Kaffekompaniet i Göteborg AB", "account_tax_ids": null,
        "amount_due": inv.total(), "amount_overpaid": 0, "amount_paid": amount_paid,
        "amount_remaining": inv.total() - amount_paid, "amount_shipping": 0, "application": null, "attempt_count": 1,
        "attempted": true, "auto_advance": false,
        "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null, "provider": null, "status": null},
        "billing_reason": "manual", "collection_method": "send_invoice", "created": created,
        "currency": cur, "customer": inv.customer.id, "customer_account": null,
        "customer_address": {"city": null, "country": inv.customer.country.as_str(), "line1": null,
                              "line2": null, "postal_code": null, "state": null},
        "customer_email": null, "customer_name": inv.customer.name, "customer_phone": null,
        "customer_shipping": null, "customer_tax_exempt": inv.customer.tax_exempt,
        "customer_tax_ids": tax_ids, "default_payment_method": null, "default_source": null,
        "default_tax_rates": [], "description": null, "discounts": [],
        "due_date": finalized + 30 * 86_400, "effective_at": finalized, "ending_balance": 0,
        "footer": null, "from_invoice": null, "hosted_invoice_url": null, "invoice_pdf": null
    });
    let rest = json!({
        "issuer": {"type": "self"}, "last_finalization_error": null, "latest_revision": null,
        "lines": {"object": "list", "data": lines, "has_more": false,
                  "url": format!("/v1/invoices/{}/lines", inv.id)},
        "livemode": true, "metadata": {}, "next_payment_attempt": null, "number": inv.number,
        "on_behalf_of": null, "parent": null, "period_end": finalized, "period_start": finalized,
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
        "receipt_number": null, "rendering": null, "shipping_cost": null, "shipping_details": null,
        "starting_balance": 0, "statement_descriptor": null, "status": status,
        "status_transitions": {"finalized_at": finalized, "marked_uncollectible_at": null,
                               "paid_at": paid_at, "voided_at": null},
        "subtotal": inv.subtotal(), "subtotal_excluding_tax": inv.subtotal(), "test_clock": null,
        "total": inv.total(), "total_discount_amounts": [], "total_excluding_tax": inv.subtotal(),
        "total_pretax_credit_amounts": [], "total_taxes": total_taxes,
        "webhooks_delivered_at": finalized
    });
    let mut invoice = invoice;
    if let (Some(head), Value::Object(tail)) = (invoice.as_object_mut(), rest) {
        head.extend(tail);
    }
    (invoice, payment)
}

/// The properties of a dispute's `evidence` (Stripe's `dispute` in
/// fixtures3.json, dahlia), all empty until evidence is submitted.
const DISPUTE_EVIDENCE: [&str; 27] = [
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
];

/// What differs between the card charges the simulated Stripe renders.
pub(crate) struct CardCharge<'a> {
    pub(crate) id: &'a str,
    pub(crate) amount: i64,
    pub(crate) balance_transaction: &'a str,
    pub(crate) created: i64,
    /// Lower-case, as Stripe writes it.
    pub(crate) currency: &'a str,
    pub(crate) customer: Option<&'a str>,
    pub(crate) description: &'a str,
    pub(crate) disputed: bool,
    pub(crate) payment_intent: &'a str,
    pub(crate) refunded: bool,
}

/// A card charge made through a PaymentIntent, whole, as Stripe sends it in
/// the current API version: every property of the `charge` object of
/// stripe/openapi's `fixtures3.json` (API version 2026-07-29.dahlia), with
/// a live Swedish card payment's values; not `refunds`, which "The `Charge`
/// object no longer auto-expands" (docs.stripe.com/changelog/2022-11-15/
/// deprecates-charges-auto-expand); `source`, the legacy Source a charge was
/// made from, is `null`. A client reads a handful of these properties, but
/// it must read past all of them, as it does at Stripe: a page of balance
/// transactions with their sources expanded is mostly charges.
pub(crate) fn card_charge(c: &CardCharge<'_>) -> Value {
    // A stable card per charge: its last four digits and fingerprint.
    let n =
        c.id.bytes()
            .fold(0_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let last4 = format!("{:04}", n % 10_000);
    let fingerprint = id_from("fp", c.id);
    let payment_method = id_from("pm", c.id);
    let brand = if n % 3 == 0 { "mastercard" } else { "visa" };
    let card = json!({
        "amount_authorized": c.amount, "authorization_code": format!("{:06}", n % 1_000_000),
        "brand": brand,
        "checks": {"address_line1_check": null, "address_postal_code_check": "pass",
                   "cvc_check": "pass"},
        "country": "SE", "exp_month": 1 + (n % 12), "exp_year": 2027 + (n % 5),
        "extended_authorization": {"status": "disabled"},
        "fingerprint": fingerprint, "funding": "debit",
        "incremental_authorization": {"status": "unavailable"},
        "installments": null, "last4": last4, "mandate": null,
        "multicapture": {"status": "unavailable"}, "network": brand,
        "network_token": {"used": false},
        "network_transaction_id": format!("{:015}", n % 1_000_000_000_000_000),
        "overcapture": {"maximum_amount_capturable": c.amount, "status": "unavailable"},
        "regulated_status": "unregulated",
        "three_d_secure": {
            "authentication_flow": "frictionless", "electronic_commerce_indicator": "05",
            "exemption_indicator": null, "result": "authenticated", "result_reason": null,
            "transaction_id": format!("{:032x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15),
            "version": "2.2.0"
        },
        "wallet": null
    });
    let outcome = json!({
        "advice_code": null, "network_advice_code": null, "network_decline_code": null,
        "network_status": "approved_by_network", "reason": null, "risk_level": "normal",
        "risk_score": 12 + (n % 40), "seller_message": "Payment complete.", "type": "authorized"
    });
    let billing = json!({
        "address": {"city": null, "country": "SE", "line1": null, "line2": null,
                    "postal_code": "41301", "state": null},
        "email": null, "name": null, "phone": null, "tax_id": null
    });
    let receipt = format!(
        "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xU2FuZGJveEthc3NhYm9r{}",
        &fingerprint[3..]
    );
    let mut charge = json!({
        "id": c.id, "object": "charge", "amount": c.amount, "amount_captured": c.amount,
        "amount_refunded": 0, "application": null, "application_fee": null,
        "application_fee_amount": null, "balance_transaction": c.balance_transaction,
        "billing_details": billing, "calculated_statement_descriptor": "KAFFEKOMPANIET",
        "captured": true, "created": c.created, "currency": c.currency, "customer": c.customer,
        "description": c.description, "disputed": c.disputed,
        "failure_balance_transaction": null, "failure_code": null, "failure_message": null,
        "fraud_details": {}, "livemode": true, "metadata": {}, "on_behalf_of": null,
        "outcome": outcome, "paid": true, "payment_intent": c.payment_intent,
        "payment_method": payment_method,
        "payment_method_details": {"card": card, "type": "card"}
    });
    let rest = json!({
        "receipt_email": null, "receipt_number": null, "receipt_url": receipt,
        "refunded": c.refunded, "review": null, "shipping": null, "source": null,
        "source_transfer": null,
        "statement_descriptor": null, "statement_descriptor_suffix": null,
        "status": "succeeded", "transfer_data": null, "transfer_group": null
    });
    if let (Some(head), Value::Object(tail)) = (charge.as_object_mut(), rest) {
        head.extend(tail);
    }
    charge
}

#[allow(clippy::too_many_arguments)]
fn txn_json(
    id: &str,
    amount: i64,
    fee_details: &[(i64, &str, &str)],
    created: i64,
    currency: bookkeeping_core::Currency,
    (kind, category): (&str, &str),
    source: Value,
    description: &str,
    exchange_rate: Option<Decimal>,
) -> Value {
    let cur = lower(currency);
    let fee: i64 = fee_details.iter().map(|f| f.0).sum();
    let details: Vec<Value> = fee_details
        .iter()
        .map(|(amount, text, kind)| {
            json!({"amount": amount, "application": null, "currency": cur,
                   "description": text, "type": kind})
        })
        .collect();
    json!({
        "id": id, "object": "balance_transaction", "amount": amount,
        "available_on": created + 2 * 86_400, "balance_type": "payments", "created": created,
        "currency": cur, "description": description,
        "exchange_rate": exchange_rate.map_or(Value::Null, number), "fee": fee,
        "fee_details": details, "net": amount - fee, "reporting_category": category,
        "source": source, "status": "available", "type": kind
    })
}

/// A settlement item as a balance transaction (source expanded), and its type.
fn item_json(
    item: &SettlementItem,
    p: &PayoutPlan,
    invoices: &[Invoice],
    dispute_status: &str,
) -> (Value, &'static str) {
    let created = ts(item.occurred_at);
    let mut fees: Vec<(i64, &str, &str)> = Vec::new();
    let fee_text = match item.kind {
        ItemKind::Dispute => "Dispute fee",
        ItemKind::Fee => "Stripe fee",
        _ => "Stripe processing fees",
    };
    if item.fee - item.fee_vat != 0 && item.kind != ItemKind::Fee {
        fees.push((item.fee - item.fee_vat, fee_text, "stripe_fee"));
    }
    if item.fee_vat != 0 && item.kind != ItemKind::Fee {
        fees.push((item.fee_vat, "VAT", "tax"));
    }
    let invoice = item.invoice.and_then(|i| invoices.get(i));
    let reference = item.reference.clone().unwrap_or_default();
    let (charge_id, payment_intent, description) = match invoice {
        Some(inv) => (
            inv.charge_id.clone(),
            inv.payment_intent_id.clone(),
            format!("Payment for Invoice {}", inv.number),
        ),
        None => (
            id_from("ch", &item.id),
            id_from("pi", &item.id),
            reference.clone(),
        ),
    };
    let (presented, presented_currency) = item
        .original
        .map_or((item.gross.abs(), p.currency), |(c, a)| (a.abs(), c));
    let charge = card_charge(&CardCharge {
        id: &charge_id,
        amount: presented,
        balance_transaction: &item.id,
        created,
        currency: &lower(presented_currency),
        customer: invoice.map(|i| i.customer.id.as_str()),
        description: &description,
        disputed: item.kind == ItemKind::Dispute,
        payment_intent: &payment_intent,
        refunded: item.kind == ItemKind::Refund,
    });
    match item.kind {
        ItemKind::Charge => (
            txn_json(
                &item.id,
                item.gross,
                &fees,
                created,
                p.currency,
                ("charge", "charge"),
                charge,
                &description,
                item.exchange_rate,
            ),
            "charge",
        ),
        ItemKind::Refund => {
            // Every property of Stripe's `refund` (fixtures3.json, dahlia:
            // `customer`, `customer_account` and `payment_method` are new
            // there), as for a card refund.
            let refund = json!({
                "id": id_from("re", &item.id), "object": "refund", "amount": presented,
                "balance_transaction": item.id, "charge": charge_id, "created": created,
                "currency": lower(presented_currency),
                "customer": invoice.map(|i| i.customer.id.clone()), "customer_account": null,
                "destination_details": {"card": {"reference": id_from("arn", &item.id),
                                                 "reference_status": "available",
                                                 "reference_type": "acquirer_reference_number",
                                                 "type": "refund"},
                                        "type": "card"},
                "metadata": {}, "payment_intent": payment_intent,
                "payment_method": id_from("pm", &charge_id),
                "reason": "requested_by_customer", "receipt_number": null,
                "source_transfer_reversal": null, "status": "succeeded",
                "transfer_reversal": null
            });
            (
                txn_json(
                    &item.id,
                    item.gross,
                    &fees,
                    created,
                    p.currency,
                    ("refund", "refund"),
                    refund,
                    &format!("REFUND FOR CHARGE ({description})"),
                    item.exchange_rate,
                ),
                "refund",
            )
        }
        ItemKind::Dispute => {
            let dispute_id = id_from("du", &item.id);
            let description = format!("Chargeback withdrawal for {charge_id}");
            let withdrawal = |source| {
                txn_json(
                    &item.id,
                    item.gross,
                    &fees,
                    created,
                    p.currency,
                    ("adjustment", "dispute"),
                    source,
                    &description,
                    item.exchange_rate,
                )
            };
            let due_by = ts(item.occurred_at + STRIPE_DISPUTE_DECIDED_AFTER);
            // Every property of Stripe's `dispute` (fixtures3.json, dahlia),
            // as for a card chargeback on which no evidence was submitted.
            let evidence: serde_json::Map<String, Value> = DISPUTE_EVIDENCE
                .iter()
                .map(|k| ((*k).to_owned(), Value::Null))
                .chain([("enhanced_evidence".to_owned(), json!({}))])
                .collect();
            let dispute = json!({
                "id": dispute_id, "object": "dispute", "amount": presented,
                "balance_transactions": [withdrawal(Value::String(dispute_id.clone()))],
                "charge": charge_id, "created": created, "currency": lower(presented_currency),
                "enhanced_eligibility_types": [], "evidence": evidence,
                "evidence_details": {"due_by": due_by, "enhanced_eligibility": {},
                                     "has_evidence": false,
                                     "past_due": dispute_status == "lost", "submission_count": 0},
                "is_charge_refundable": false, "livemode": true, "metadata": {},
                "payment_intent": payment_intent,
                "payment_method_details": {"card": {"brand": "visa", "case_type": "chargeback",
                                                    "network_reason_code": "10.4",
                                                    "network": "visa"},
                                           "type": "card"},
                "reason": "fraudulent", "status": dispute_status
            });
            (withdrawal(dispute), "adjustment")
        }
        ItemKind::Fee => (
            txn_json(
                &item.id,
                item.gross - item.fee,
                &[],
                created,
                p.currency,
                ("stripe_fee", "fee"),
                Value::String(id_from("fee", &item.id)),
                &reference,
                None,
            ),
            "stripe_fee",
        ),
        ItemKind::ReserveHeld | ItemKind::ReserveReleased => (
            txn_json(
                &item.id,
                item.gross,
                &fees,
                created,
                p.currency,
                ("reserve_transaction", "risk_reserved_funds"),
                Value::String(id_from("rsvt", &item.id)),
                "Reserve",
                None,
            ),
            "reserve_transaction",
        ),
    }
}

type Query = Vec<(String, String)>;

fn get<'q>(query: &'q Query, key: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn expands(query: &Query, path: &str) -> bool {
    query.iter().any(|(k, v)| k == "expand[]" && v == path)
}

/// Whether `value` passes the range filter `field[gte|gt|lte|lt]` (or `field=`).
/// An invalid integer in a range filter is an error message for a 400.
fn in_range(query: &Query, field: &str, value: i64) -> Result<bool, String> {
    for (k, v) in query {
        let Some(op) = k.strip_prefix(field) else {
            continue;
        };
        let bound: i64 = v.parse().map_err(|_| format!("Invalid integer: {v}"))?;
        let ok = match op {
            "" => value == bound,
            "[gte]" => value >= bound,
            "[gt]" => value > bound,
            "[lte]" => value <= bound,
            "[lt]" => value < bound,
            _ => continue,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[derive(Debug)]
struct Api {
    data: Arc<Data>,
    request_ids: AtomicU64,
}

impl Api {
    fn authorized(request: &Request) -> bool {
        request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|key| key == SECRET_KEY)
    }

    /// A page of `objects` after the filters, as Stripe pages it.
    fn page<'a>(
        &self,
        url: &str,
        query: &Query,
        objects: impl Iterator<Item = &'a Object>,
        filter: impl Fn(&Object) -> Result<bool, String>,
        render: impl Fn(&Object) -> Value,
    ) -> ResponseTemplate {
        let limit = match get(query, "limit").map(str::parse::<usize>) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                return error(
                    400,
                    "invalid_request_error",
                    Some("parameter_invalid_integer"),
                    "This value must be greater than or equal to 1 and less than or equal to 100.",
                );
            }
        };
        if get(query, "ending_before").is_some() {
            return error(
                400,
                "invalid_request_error",
                None,
                "The sandbox pages forwards only (starting_after).",
            );
        }
        let mut matching = Vec::new();
        for o in objects {
            match filter(o) {
                Ok(true) => matching.push(o),
                Ok(false) => {}
                Err(message) => {
                    return error(
                        400,
                        "invalid_request_error",
                        Some("parameter_invalid_integer"),
                        &message,
                    );
                }
            }
        }
        let start = match get(query, "starting_after") {
            None => 0,
            Some(after) => match matching.iter().position(|o| o.id == after) {
                Some(i) => i + 1,
                None => {
                    return error(
                        400,
                        "invalid_request_error",
                        Some("resource_missing"),
                        &format!("No such object: '{after}'"),
                    );
                }
            },
        };
        let end = (start + limit).min(matching.len());
        let data: Vec<Value> = matching[start..end].iter().map(|o| render(o)).collect();
        self.ok(
            json!({"object": "list", "url": url, "has_more": end < matching.len(), "data": data}),
        )
    }

    fn ok(&self, body: Value) -> ResponseTemplate {
        let n = self.request_ids.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .insert_header("Request-Id", format!("req_sandbox{n:010}").as_str())
            .set_body_json(body)
    }

    fn key_is(o: &Object, query: &Query, param: &str, key: &str) -> bool {
        get(query, param).is_none_or(|want| o.key(key).and_then(Value::as_str) == Some(want))
    }
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if !Api::authorized(request) {
            return error(
                401,
                "invalid_request_error",
                None,
                "Invalid API Key provided: sk_test_****",
            );
        }
        if request.method.as_str() != "GET" {
            return error(
                405,
                "invalid_request_error",
                None,
                "The sandbox serves GET requests only.",
            );
        }
        let query: Query = request.url.query_pairs().into_owned().collect();
        let data = &self.data;
        let plain = |o: &Object| o.json.clone();
        let expand_failure = expands(&query, "data.failure_balance_transaction");
        match request.url.path() {
            "/v1/payouts" => self.page(
                "/v1/payouts",
                &query,
                data.payouts.iter(),
                |o| {
                    Ok(in_range(&query, "created", o.created)?
                        && in_range(
                            &query,
                            "arrival_date",
                            o.key("arrival_date").and_then(Value::as_i64).unwrap_or(0),
                        )?
                        && Api::key_is(o, &query, "status", "status"))
                },
                |o| {
                    let mut json = o.json.clone();
                    if !expand_failure
                        && let Some(id) = json["failure_balance_transaction"].get("id").cloned()
                    {
                        json["failure_balance_transaction"] = id;
                    }
                    json
                },
            ),
            "/v1/balance_transactions" => {
                let expand = expands(&query, "data.source");
                self.page(
                    "/v1/balance_transactions",
                    &query,
                    data.balance_transactions.iter(),
                    |o| {
                        Ok(in_range(&query, "created", o.created)?
                            && Api::key_is(o, &query, "payout", "payout")
                            && Api::key_is(o, &query, "type", "type"))
                    },
                    |o| {
                        let mut json = o.json.clone();
                        if !expand && let Some(id) = json["source"].get("id").cloned() {
                            json["source"] = id;
                        }
                        json
                    },
                )
            }
            "/v1/invoices" => {
                let expand = expands(&query, "data.payments");
                self.page(
                    "/v1/invoices",
                    &query,
                    data.invoices.iter(),
                    |o| {
                        Ok(in_range(&query, "created", o.created)?
                            && Api::key_is(o, &query, "status", "status")
                            && Api::key_is(o, &query, "customer", "customer"))
                    },
                    |o| self.invoice(o, expand),
                )
            }
            "/v1/invoice_payments" => self.page(
                "/v1/invoice_payments",
                &query,
                data.invoice_payments.iter(),
                |o| {
                    Ok(in_range(&query, "created", o.created)?
                        && Api::key_is(o, &query, "status", "status")
                        && Api::key_is(o, &query, "invoice", "invoice")
                        && Api::key_is(o, &query, "payment[payment_intent]", "payment_intent"))
                },
                plain,
            ),
            "/v1/credit_notes" => self.page(
                "/v1/credit_notes",
                &query,
                std::iter::empty(),
                |_| Ok(true),
                plain,
            ),
            "/v1/events" => self.page(
                "/v1/events",
                &query,
                data.events.iter(),
                |o| {
                    Ok(in_range(&query, "created", o.created)?
                        && Api::key_is(o, &query, "type", "type"))
                },
                plain,
            ),
            "/v1/tax_rates" => self.page(
                "/v1/tax_rates",
                &query,
                data.tax_rates.iter(),
                |_| Ok(true),
                plain,
            ),
            path => {
                let rest = path.strip_prefix("/v1/invoices/").unwrap_or_default();
                let (id, lines) = match rest.split_once('/') {
                    Some((id, "lines")) => (id, true),
                    Some(_) => ("", false),
                    None => (rest, false),
                };
                match data.invoices.iter().find(|o| !id.is_empty() && o.id == id) {
                    Some(o) if lines => self.page(
                        &format!("/v1/invoices/{id}/lines"),
                        &query,
                        o.json["lines"]["data"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|l| Object {
                                id: l["id"].as_str().unwrap_or_default().to_owned(),
                                created: 0,
                                json: l.clone(),
                                keys: Map::new(),
                            })
                            .collect::<Vec<_>>()
                            .iter(),
                        |_| Ok(true),
                        plain,
                    ),
                    Some(o) => self.ok(self.invoice(o, expands(&query, "payments"))),
                    None if !id.is_empty() => error(
                        404,
                        "invalid_request_error",
                        Some("resource_missing"),
                        &format!("No such invoice: '{id}'"),
                    ),
                    None => error(
                        404,
                        "invalid_request_error",
                        None,
                        &format!("Unrecognized request URL (GET: {path})."),
                    ),
                }
            }
        }
    }
}

impl Api {
    fn invoice(&self, o: &Object, with_payments: bool) -> Value {
        let mut json = o.json.clone();
        if with_payments {
            let payments: Vec<Value> = self
                .data
                .invoice_payments
                .iter()
                .filter(|p| p.key("invoice").and_then(Value::as_str) == Some(o.id.as_str()))
                .map(|p| p.json.clone())
                .collect();
            json["payments"] = json!({"object": "list", "data": payments, "has_more": false,
                                      "url": "/v1/invoice_payments"});
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::ScenarioConfig;

    /// A balance transaction is `pending` until its `available_on`, then
    /// `available`.
    #[test]
    fn a_balance_transaction_is_pending_until_it_is_available() {
        let period = bookkeeping_core::Period::month(2026, time::Month::March).unwrap();
        let s = Scenario::generate(&ScenarioConfig::small(period));
        let item = s
            .stripe_payouts
            .iter()
            .flat_map(|p| &p.items)
            .find(|i| i.kind == ItemKind::Charge)
            .unwrap();
        let status = |after: Duration| {
            let data = Data::build(&s.at(item.occurred_at + after));
            let txn = data
                .balance_transactions
                .iter()
                .find(|t| t.id == item.id)
                .unwrap();
            assert_eq!(txn.json["available_on"], ts(item.occurred_at) + 2 * 86_400);
            txn.json["status"].as_str().unwrap().to_owned()
        };
        assert_eq!(status(Duration::hours(1)), "pending");
        assert_eq!(
            status(Duration::days(2) + Duration::minutes(1)),
            "available"
        );
    }
}
