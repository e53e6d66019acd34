//! A simulated Klarna Settlements API v1 over the scenario's Klarna payouts.
//!
//! Serves, in Klarna's real shapes (integer minor units, RFC 3339 UTC dates,
//! offset pagination with full `next`/`prev` URLs, `ErrorResponse` errors):
//!
//! - `GET /settlements/v1/payouts` (`start_date`, `end_date` on the payout
//!   date, inclusive; `currency_code`; `size` default 20, at most 500; `offset`);
//! - `GET /settlements/v1/payouts/{payment_reference}` (404 when unknown);
//! - `GET /settlements/v1/payouts/summary` (both dates required);
//! - `GET /settlements/v1/transactions` (`payment_reference`, `order_id`,
//!   `size`, `offset`);
//! - `GET /settlements/v1/reports/payout-with-transactions?payment_reference=`
//!   and `GET /settlements/v1/reports/payouts-summary-with-transactions`
//!   (`start_date`, `end_date`) as `;`-separated CSV with Swedish decimals.
//!
//! Every request needs HTTP Basic credentials (`username:password`, or the
//! password alone as an API key, as Klarna accepts); anything else is a 401.
//! Faults come from the shared [`Faults`]; every request is counted.
//!
//! Each scenario charge becomes a `SALE` and two `FEE`s (the 2.49 % part and
//! the 2.00 kr part, each with 25 % VAT in `vat_amount`), a refund a
//! `RETURN`, a holdback and its release `HOLDBACK` and `RELEASE`; the payout
//! totals are the sums, and `settlement_amount` is the scenario payout's amount.

use std::collections::HashMap;
use std::sync::Arc;

use bookkeeping_core::Currency;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::base64;
use crate::faults::{Faults, Faulty, RequestCounter};
use crate::scenario::{ItemKind, PayoutPlan, Scenario, SettlementItem};

/// The sandbox's Klarna username (a UUID, as Klarna issues with API keys).
pub const USERNAME: &str = "5f3c2a1b-7d9e-4c8f-a6b5-0e1d2c3b4a59";
/// The sandbox's Klarna password (an API key).
pub const PASSWORD: &str = "klarna_test_api_c2FuZGJveC1rYXNzYWJvaw";
/// Klarna's default page size.
const DEFAULT_SIZE: usize = 20;
/// Klarna's largest page size.
const MAX_SIZE: usize = 500;
const PREFIX: &str = "/settlements/v1";

/// A running simulated Klarna server. It stops when dropped.
#[derive(Debug)]
pub struct KlarnaSandbox {
    server: MockServer,
    counter: RequestCounter,
}

impl KlarnaSandbox {
    /// Starts a server on loopback serving `scenario`'s Klarna payouts.
    pub async fn start(scenario: &Scenario, faults: Faults) -> KlarnaSandbox {
        start(scenario, faults).await
    }

    /// The base URL to give the client (`KlarnaClientBuilder::base_url`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The username the server accepts.
    pub fn username(&self) -> &'static str {
        USERNAME
    }

    /// The password (API key) the server accepts.
    pub fn password(&self) -> &'static str {
        PASSWORD
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

/// Starts a server on loopback serving `scenario`'s Klarna payouts.
pub async fn start(scenario: &Scenario, faults: Faults) -> KlarnaSandbox {
    let server = MockServer::start().await;
    let counter = RequestCounter::new();
    let api = Api {
        data: Arc::new(Data::build(scenario)),
        base: server.uri(),
    };
    Mock::given(any())
        .respond_with(Faulty::new(
            api,
            faults,
            counter.clone(),
            throttled,
            unavailable,
        ))
        .named("klarna settlements api")
        .mount(&server)
        .await;
    KlarnaSandbox { server, counter }
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error_code": code,
        "error_messages": [message],
        "correlation_id": "00000000-5a4d-4b0c-8000-000000000000"
    }))
}

fn throttled() -> ResponseTemplate {
    error(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")
}

fn unavailable() -> ResponseTemplate {
    error(
        503,
        "SERVICE_UNAVAILABLE",
        "Service temporarily unavailable",
    )
}

/// A stable UUID-shaped id from a text (FNV-1a), for Klarna's order and capture ids.
fn uuid_from(text: &str) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in text.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

struct PayoutData {
    payout_date: OffsetDateTime,
    currency: Currency,
    json: Value,
    transactions: Vec<Value>,
}

struct Data {
    payouts: Vec<PayoutData>,
    by_reference: HashMap<String, usize>,
}

#[derive(Default)]
struct Sums {
    sale: i64,
    ret: i64,
    reversal: i64,
    fee: i64,
    tax: i64,
    holdback: i64,
    release: i64,
}

impl Data {
    fn build(scenario: &Scenario) -> Data {
        let mut payouts = Vec::new();
        let mut by_reference = HashMap::new();
        // A settlement exists once Klarna has paid it out.
        for plan in scenario
            .klarna_payouts
            .iter()
            .filter(|p| scenario.has_happened(p.created_at))
        {
            by_reference.insert(plan.id.clone(), payouts.len());
            payouts.push(render_payout(scenario, plan));
        }
        Data {
            payouts,
            by_reference,
        }
    }
}

fn render_payout(scenario: &Scenario, plan: &PayoutPlan) -> PayoutData {
    let mut sums = Sums::default();
    let mut transactions = Vec::new();
    for item in &plan.items {
        render_item(scenario, plan, item, &mut sums, &mut transactions);
    }
    let reference = &plan.id;
    let json = json!({
        "totals": {
            "commission_amount": 0,
            "repay_amount": 0,
            "sale_amount": sums.sale,
            "holdback_amount": sums.holdback,
            "tax_amount": sums.tax,
            "settlement_amount": plan.amount(),
            "fee_correction_amount": 0,
            "reversal_amount": sums.reversal,
            "release_amount": sums.release,
            "return_amount": sums.ret,
            "fee_amount": sums.fee,
            "charge_amount": 0,
            "credit_amount": 0,
            "fee_refund_amount": 0,
            "tax_refund_amount": 0,
            "deposit_amount": 0,
            "opening_debt_balance_amount": 0,
            "closing_debt_balance_amount": 0
        },
        "payment_reference": reference,
        "payout_date": rfc3339(plan.created_at),
        "currency_code": plan.currency.code(),
        "currency_code_of_registration_country": "SEK",
        "merchant_settlement_type": "NET",
        "merchant_id": "PK04711",
        "transactions": format!("https://api.klarna.com/settlements/v1/transactions?payment_reference={reference}")
    });
    PayoutData {
        payout_date: plan.created_at,
        currency: plan.currency,
        json,
        transactions,
    }
}

fn render_item(
    scenario: &Scenario,
    plan: &PayoutPlan,
    item: &SettlementItem,
    sums: &mut Sums,
    out: &mut Vec<Value>,
) {
    let order = item.order.and_then(|i| scenario.orders.get(i));
    let order_id = order.map_or_else(
        || uuid_from(&item.id),
        |o| uuid_from(&format!("order/{}", o.id)),
    );
    let sale_date = order.map_or(item.occurred_at, |o| o.processed_at);
    let country = order.map_or("SE", |o| o.country.as_str());
    let capture_id = uuid_from(&format!("capture/{}", item.id));
    let base = |amount: i64, kind: &str, detailed: &str| {
        let mut t = json!({
            "amount": amount,
            "type": kind,
            "detailed_type": detailed,
            "capture_id": capture_id,
            "sale_date": rfc3339(sale_date),
            "capture_date": rfc3339(item.occurred_at),
            "payment_reference": plan.id,
            "order_id": order_id,
            "short_order_id": &order_id[..7],
            "currency_code": plan.currency.code(),
            "purchase_country": country,
            "shipping_country": country,
            "payout": format!("https://api.klarna.com/settlements/v1/payouts/{}", plan.id),
        });
        if let Some(o) = order {
            t["merchant_reference1"] = json!(o.name);
        }
        t
    };
    match item.kind {
        ItemKind::Charge => {
            sums.sale += item.gross;
            let mut sale = base(item.gross, "SALE", "PURCHASE");
            sale["initial_payment_method_type"] = json!("invoice");
            out.push(sale);
            if item.fee != 0 {
                // 2.49 % + 2.00 kr: the fixed part and its VAT are exact.
                let fee_net = item.fee - item.fee_vat;
                let (fixed, fixed_vat) = if fee_net >= 200 && item.fee_vat >= 50 {
                    (200, 50)
                } else {
                    (0, 0)
                };
                let mut pct = base(fee_net - fixed, "FEE", "PURCHASE_FEE_PERCENTAGE");
                pct["vat_rate"] = json!(2500);
                pct["vat_amount"] = json!(item.fee_vat - fixed_vat);
                out.push(pct);
                if fixed != 0 {
                    let mut fix = base(fixed, "FEE", "PURCHASE_FEE_FIXED");
                    fix["vat_rate"] = json!(2500);
                    fix["vat_amount"] = json!(fixed_vat);
                    out.push(fix);
                }
                sums.fee += fee_net;
                sums.tax += item.fee_vat;
            }
        }
        ItemKind::Refund => {
            sums.ret += -item.gross;
            let mut t = base(-item.gross, "RETURN", "PURCHASE_RETURN");
            t["capture_id"] = json!("");
            t["refund_id"] = json!(uuid_from(&format!("refund/{}", item.id)));
            out.push(t);
        }
        ItemKind::Dispute => {
            sums.reversal += -item.gross;
            let mut t = base(-item.gross, "REVERSAL", "REVERSAL");
            // "for certain transaction types such as RETURNS and REVERSALS,
            // where captures do not exist, the API will return empty strings"
            // (`capture_id`, settlements-api-v1.openapi.yml).
            t["capture_id"] = json!("");
            t["reversal_reference"] = json!(format!(
                "krn:klarna:eu1:dispute:{}",
                uuid_from(&format!("dispute/{}", item.id))
            ));
            out.push(t);
        }
        ItemKind::Fee => {
            let cost = -item.net();
            sums.fee += cost - item.fee_vat;
            sums.tax += item.fee_vat;
            let mut t = base(cost - item.fee_vat, "FEE", "SERVICING_FEE");
            t["vat_rate"] = json!(2500);
            t["vat_amount"] = json!(item.fee_vat);
            out.push(t);
        }
        ItemKind::ReserveHeld => {
            sums.holdback += -item.gross;
            out.push(without_order(
                base(-item.gross, "HOLDBACK", "ROLLING_RESERVE"),
                order.is_none(),
            ));
        }
        ItemKind::ReserveReleased => {
            sums.release += item.gross;
            out.push(without_order(
                base(item.gross, "RELEASE", "ROLLING_RESERVE"),
                order.is_none(),
            ));
        }
    }
}

/// A row that belongs to no order (holdback, release): `""` for the capture
/// ("provided exclusively for sale and fee transactions", OpenAPI
/// `Transaction.capture_id`) and the countries. `order_id` stays a UUID: the
/// OpenAPI declares it `format: uuid` (the client also reads `""` there).
fn without_order(mut t: Value, no_order: bool) -> Value {
    if no_order {
        for field in ["capture_id", "purchase_country", "shipping_country"] {
            t[field] = json!("");
        }
    }
    t
}

/// A date-time query value; a bare date is midnight UTC (Klarna's quirk).
fn parse_instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(text, &format)
            .ok()
            .map(|d| d.midnight().assume_utc())
    })
}

struct Api {
    data: Arc<Data>,
    base: String,
}

type Query = HashMap<String, String>;

impl Api {
    fn authorized(&self, request: &Request) -> bool {
        let Some(value) = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let basic = format!(
            "Basic {}",
            base64(format!("{USERNAME}:{PASSWORD}").as_bytes())
        );
        value == basic || value == format!("Basic {PASSWORD}")
    }

    /// `size` and `offset`, or a 400 like Klarna's.
    fn paging(query: &Query) -> Result<(usize, usize), String> {
        let size = match query.get("size") {
            None => DEFAULT_SIZE,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=MAX_SIZE).contains(&n) => n,
                _ => return Err("Bad value: size".to_owned()),
            },
        };
        let offset = match query.get("offset") {
            None => 0,
            Some(s) => s
                .parse::<usize>()
                .map_err(|_| "Bad value: offset".to_owned())?,
        };
        Ok((size, offset))
    }

    fn page(&self, path: &str, key: &str, query: &Query, items: Vec<&Value>) -> ResponseTemplate {
        let (size, offset) = match Self::paging(query) {
            Ok(p) => p,
            Err(e) => return error(400, "BAD_VALUE", &e),
        };
        let total = items.len();
        let page: Vec<&Value> = items.into_iter().skip(offset).take(size).collect();
        let url = |offset: usize| {
            let mut pairs: Vec<(String, String)> = query
                .iter()
                .filter(|(k, _)| k.as_str() != "offset" && k.as_str() != "size")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            pairs.sort();
            pairs.push(("offset".into(), offset.to_string()));
            pairs.push(("size".into(), size.to_string()));
            let qs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            format!("{}{path}?{}", self.base, qs.join("&"))
        };
        let mut pagination = json!({"count": page.len(), "total": total, "offset": offset});
        if offset + page.len() < total {
            pagination["next"] = json!(url(offset + page.len()));
        }
        if offset > 0 {
            pagination["prev"] = json!(url(offset.saturating_sub(size)));
        }
        let mut body = serde_json::Map::new();
        body.insert(key.to_owned(), json!(page));
        body.insert("pagination".to_owned(), pagination);
        ResponseTemplate::new(200).set_body_json(Value::Object(body))
    }

    fn in_range(&self, query: &Query, p: &PayoutData) -> Result<bool, String> {
        let bound = |name: &str| match query.get(name) {
            None => Ok(None),
            Some(v) => parse_instant(v)
                .map(Some)
                .ok_or_else(|| format!("Bad value: {name}")),
        };
        let start = bound("start_date")?;
        let end = bound("end_date")?;
        let currency = query.get("currency_code");
        Ok(start.is_none_or(|s| p.payout_date >= s)
            && end.is_none_or(|e| p.payout_date <= e)
            && currency.is_none_or(|c| c.eq_ignore_ascii_case(p.currency.code())))
    }

    fn payouts(&self, query: &Query) -> ResponseTemplate {
        let mut items = Vec::new();
        for p in &self.data.payouts {
            match self.in_range(query, p) {
                Ok(true) => items.push(&p.json),
                Ok(false) => {}
                Err(e) => return error(400, "BAD_VALUE", &e),
            }
        }
        self.page(&format!("{PREFIX}/payouts"), "payouts", query, items)
    }

    fn summary(&self, query: &Query) -> ResponseTemplate {
        if !query.contains_key("start_date") || !query.contains_key("end_date") {
            return error(400, "BAD_VALUE", "start_date and end_date are required");
        }
        let mut by_currency: Vec<(Currency, Vec<&PayoutData>)> = Vec::new();
        for p in &self.data.payouts {
            match self.in_range(query, p) {
                Ok(true) => match by_currency.iter_mut().find(|(c, _)| *c == p.currency) {
                    Some((_, v)) => v.push(p),
                    None => by_currency.push((p.currency, vec![p])),
                },
                Ok(false) => {}
                Err(e) => return error(400, "BAD_VALUE", &e),
            }
        }
        let summaries: Vec<Value> = by_currency
            .into_iter()
            .map(|(currency, ps)| {
                let total = |name: &str| -> i64 {
                    ps.iter()
                        .map(|p| p.json["totals"][name].as_i64().unwrap_or(0))
                        .sum()
                };
                json!({
                    "summary_total_fee_correction_amount": total("fee_correction_amount"),
                    "summary_payout_date_start": rfc3339(ps[0].payout_date),
                    "summary_total_release_amount": total("release_amount"),
                    "summary_settlement_currency": currency.code(),
                    "summary_payout_date_end": rfc3339(ps[ps.len() - 1].payout_date),
                    "summary_total_tax_amount": total("tax_amount"),
                    "summary_total_settlement_amount": total("settlement_amount"),
                    "summary_total_holdback_amount": total("holdback_amount"),
                    "summary_total_reversal_amount": total("reversal_amount"),
                    "summary_total_return_amount": total("return_amount"),
                    "summary_total_fee_amount": total("fee_amount"),
                    "summary_total_commission_amount": total("commission_amount"),
                    "summary_total_sale_amount": total("sale_amount"),
                    "summary_total_repay_amount": total("repay_amount"),
                })
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(summaries)
    }

    fn transactions(&self, query: &Query) -> ResponseTemplate {
        let reference = query.get("payment_reference");
        let order = query.get("order_id");
        let items: Vec<&Value> = self
            .data
            .payouts
            .iter()
            .filter(|p| {
                reference.is_none_or(|r| p.json["payment_reference"].as_str() == Some(r.as_str()))
            })
            .flat_map(|p| p.transactions.iter())
            .filter(|t| order.is_none_or(|o| t["order_id"].as_str() == Some(o.as_str())))
            .collect();
        self.page(
            &format!("{PREFIX}/transactions"),
            "transactions",
            query,
            items,
        )
    }

    fn report(&self, query: &Query) -> ResponseTemplate {
        let Some(reference) = query.get("payment_reference") else {
            return error(400, "BAD_VALUE", "payment_reference is required");
        };
        let Some(p) = self
            .data
            .by_reference
            .get(reference)
            .map(|i| &self.data.payouts[*i])
        else {
            return not_found(reference);
        };
        ResponseTemplate::new(200).set_body_raw(csv_report(&[p]), "text/csv")
    }
}

impl Api {
    fn period_report(&self, query: &Query) -> ResponseTemplate {
        if !query.contains_key("start_date") || !query.contains_key("end_date") {
            return error(400, "BAD_VALUE", "start_date and end_date are required");
        }
        let mut payouts = Vec::new();
        for p in &self.data.payouts {
            match self.in_range(query, p) {
                Ok(true) => payouts.push(p),
                Ok(false) => {}
                Err(e) => return error(400, "BAD_VALUE", &e),
            }
        }
        ResponseTemplate::new(200).set_body_raw(csv_report(&payouts), "text/csv")
    }
}

fn not_found(reference: &str) -> ResponseTemplate {
    error(
        404,
        "NOT_FOUND",
        &format!("Payout with payment_reference {reference} not found"),
    )
}

/// `1 234,50`: Swedish decimals with a space between thousands.
fn swedish(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

/// The CSV report of `payouts`: one header line, then one row per
/// transaction with its payout's header fields repeated.
fn csv_report(payouts: &[&PayoutData]) -> String {
    // Klarna's documented header fields, in its order ("Settlement reports",
    // https://docs.klarna.com/payments/after-payments/settlements/settlement-files/):
    // (column, JSON total it comes from; `None`: not in the JSON, always 0 here).
    const TOTALS: [(&str, Option<&str>); 18] = [
        ("total_sale_amount", Some("sale_amount")),
        ("total_fee_amount", Some("fee_amount")),
        ("total_fee_correction_amount", Some("fee_correction_amount")),
        ("total_tax_amount", Some("tax_amount")),
        ("total_return_amount", Some("return_amount")),
        ("total_reversal_amount", Some("reversal_amount")),
        ("total_commission_amount", Some("commission_amount")),
        ("total_commission_reversal_amount", None),
        ("total_holdback_amount", Some("holdback_amount")),
        ("total_repay_amount", Some("repay_amount")),
        ("total_release_amount", Some("release_amount")),
        ("total_charge_amount", Some("charge_amount")),
        ("total_credit_amount", Some("credit_amount")),
        ("total_fee_refund_amount", Some("fee_refund_amount")),
        ("total_deposit_amount", Some("deposit_amount")),
        ("opening_debt_balance", Some("opening_debt_balance_amount")),
        ("closing_debt_balance", Some("closing_debt_balance_amount")),
        ("total_settlement_amount", Some("settlement_amount")),
    ];
    // Body fields: the JSON transaction's names, except the currency
    // (`posting_currency`) and the VAT on fees (`tax_rate`, `tax_amount`).
    const TEXT: [&str; 10] = [
        "type",
        "detailed_type",
        "capture_id",
        "refund_id",
        "order_id",
        "short_order_id",
        "merchant_reference1",
        "sale_date",
        "capture_date",
        "purchase_country",
    ];
    let mut out = String::new();
    let mut header = vec!["payment_reference", "payout_date", "settlement_currency"];
    header.extend(TOTALS.iter().map(|(column, _)| *column));
    header.extend(TEXT);
    header.extend(["amount", "posting_currency", "tax_rate", "tax_amount"]);
    out.push_str(&header.join(";"));
    out.push('\n');
    for p in payouts {
        let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
        let head: Vec<String> = [
            text(&p.json["payment_reference"]),
            text(&p.json["payout_date"]),
            text(&p.json["currency_code"]),
        ]
        .into_iter()
        .chain(TOTALS.iter().map(|(_, total)| {
            swedish(total.map_or(0, |t| p.json["totals"][t].as_i64().unwrap_or(0)))
        }))
        .collect();
        for t in &p.transactions {
            let mut row = head.clone();
            row.extend(TEXT.iter().map(|c| text(&t[c])));
            row.push(swedish(t["amount"].as_i64().unwrap_or(0)));
            row.push(text(&t["currency_code"]));
            row.push(
                t["vat_rate"]
                    .as_i64()
                    .map_or(String::new(), |r| format!("{},{:02}", r / 100, r % 100)),
            );
            row.push(t["vat_amount"].as_i64().map_or(String::new(), swedish));
            out.push_str(&row.join(";"));
            out.push('\n');
        }
    }
    out
}

/// Percent-encodes a query value.
fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if !self.authorized(request) {
            return error(401, "UNAUTHORIZED", "Invalid credentials");
        }
        if request.method.as_str() != "GET" {
            return error(405, "METHOD_NOT_ALLOWED", "Only GET is supported");
        }
        let query: Query = request.url.query_pairs().into_owned().collect();
        let path = request.url.path();
        let Some(rest) = path.strip_prefix(PREFIX) else {
            return error(404, "NOT_FOUND", "Not found");
        };
        match rest {
            "/payouts" => self.payouts(&query),
            "/payouts/summary" => self.summary(&query),
            "/transactions" => self.transactions(&query),
            "/reports/payout-with-transactions" => self.report(&query),
            "/reports/payouts-summary-with-transactions" => self.period_report(&query),
            other => match other.strip_prefix("/payouts/") {
                Some(reference) if !reference.contains('/') => {
                    match self.data.by_reference.get(reference) {
                        Some(i) => {
                            ResponseTemplate::new(200).set_body_json(&self.data.payouts[*i].json)
                        }
                        None => not_found(reference),
                    }
                }
                _ => error(404, "NOT_FOUND", "Not found"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers() {
        assert_eq!(swedish(128_765), "1 287,65");
        assert_eq!(swedish(-5), "-0,05");
        assert_eq!(swedish(123_456_789), "1 234 567,89");
    }

    #[test]
    fn ids_are_uuid_shaped_and_stable() {
        let a = uuid_from("order/1");
        assert_eq!(a.len(), 36);
        assert_eq!(a, uuid_from("order/1"));
        assert_ne!(a, uuid_from("order/2"));
    }

    #[test]
    fn basic_credentials_encode_like_rfc_4648() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
