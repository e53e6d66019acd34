//! Synthetic data for benchmarks: a Stripe account with any number of balance
//! transactions, generated lazily by index, and a helper that regroups a
//! scenario's payouts.
//!
//! [`SyntheticStripe`] serves `transactions` card charges split evenly over
//! `payouts` automatic payouts in the same shapes as the [`stripe`](crate::stripe)
//! sandbox (API version `2026-07-29.dahlia`: `{"object": "list", ...}` pages,
//! newest first, `limit` 1–100, `starting_after` cursors, `expand[]=data.source`).
//! Nothing is rendered before it is asked for: a page is built from the
//! indices it covers, so a million transactions never sit in memory as JSON
//! and the server's own allocations stay at one page per request.
//!
//! ```no_run
//! use provider_sandbox::synthetic::{SyntheticStripe, SyntheticStripeConfig};
//! use provider_sandbox::Faults;
//! use bookkeeping_core::Period;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let period = Period::month(2026, time::Month::March)?;
//! let config = SyntheticStripeConfig { period, payouts: 30, transactions: 1_000_000 };
//! let stripe = SyntheticStripe::start(&config, Faults::none()).await;
//! println!("{} transactions at {}", config.transactions, stripe.uri());
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bookkeeping_core::{Period, stockholm_date};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, Time};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::{Faults, Faulty, RequestCounter};
use crate::scenario::{PayoutPlan, Scenario};

/// Stripe's largest page size.
const MAX_LIMIT: usize = 100;
/// Stripe's default page size.
const DEFAULT_LIMIT: usize = 10;
/// Prefix of a charge's balance transaction id; the index follows.
const TXN_PREFIX: &str = "txn_3SynKassabok";
/// Prefix of a payout's own balance transaction id; the payout index follows.
const OWN_PREFIX: &str = "txn_3SynPayout";
/// Prefix of a payout id; the payout index follows.
const PAYOUT_PREFIX: &str = "po_1SynKassabok";

/// What a [`SyntheticStripe`] serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticStripeConfig {
    /// The period the payouts are created in.
    pub period: Period,
    /// Automatic payouts (at least 1).
    pub payouts: usize,
    /// Card charges, split evenly over the payouts.
    pub transactions: usize,
}

impl SyntheticStripeConfig {
    /// The number of charges in payout `i` (0 = the oldest).
    pub fn transactions_in(&self, i: usize) -> usize {
        let p = self.payouts.max(1);
        (i + 1) * self.transactions / p - i * self.transactions / p
    }
}

/// One payout of the plan.
#[derive(Debug, Clone)]
struct PayoutInfo {
    created: i64,
    arrival: i64,
    /// Index of its first charge.
    first: usize,
    /// Number of charges.
    count: usize,
    /// Σ nets, minor units.
    amount: i64,
}

#[derive(Debug)]
struct Plan {
    /// Oldest first.
    payouts: Vec<PayoutInfo>,
}

/// The amount, fee and net of charge `j`, öre.
fn charge_amounts(j: usize) -> (i64, i64, i64) {
    let amount = 5_000 + (j as i64).wrapping_mul(7_919).rem_euclid(95_000);
    // 1.5 % + 1.80 kr, as Stripe charges EEA cards.
    let fee = (amount * 15 + 500) / 1_000 + 180;
    (amount, fee, amount - fee)
}

impl Plan {
    fn build(config: &SyntheticStripeConfig) -> Plan {
        let n = config.payouts.max(1);
        let start = config.period.start_utc().unix_timestamp();
        let span = (config.period.end_utc().unix_timestamp() - start).max(1);
        let mut payouts = Vec::with_capacity(n);
        let mut first = 0;
        for i in 0..n {
            let count = config.transactions_in(i);
            let created = start + span * (i as i64 + 1) / (n as i64 + 1);
            let day = stockholm_date(
                OffsetDateTime::from_unix_timestamp(created).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            ) + Duration::days(2);
            let arrival = day.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp();
            let amount = (first..first + count).map(|j| charge_amounts(j).2).sum();
            payouts.push(PayoutInfo {
                created,
                arrival,
                first,
                count,
                amount,
            });
            first += count;
        }
        Plan { payouts }
    }

    /// When charge `k` of payout `p` was created: spread over the time since
    /// the previous payout.
    fn charge_created(&self, p: usize, k: usize) -> i64 {
        let info = &self.payouts[p];
        let from = if p == 0 {
            info.created - 7 * 86_400
        } else {
            self.payouts[p - 1].created
        };
        let span = (info.created - from - 60).max(1);
        from + span * (k as i64 + 1) / (info.count as i64 + 1)
    }
}

fn payout_id(i: usize) -> String {
    format!("{PAYOUT_PREFIX}{i:010}")
}

fn payout_json(i: usize, p: &PayoutInfo) -> Value {
    let id = payout_id(i);
    json!({
        "id": id, "object": "payout", "amount": p.amount, "application_fee": null,
        "application_fee_amount": null, "arrival_date": p.arrival, "automatic": true,
        "balance_transaction": format!("{OWN_PREFIX}{i:010}"), "created": p.created,
        "currency": "sek", "description": "STRIPE PAYOUT",
        "destination": "ba_1SandboxKassabokBank0001", "failure_balance_transaction": null,
        "failure_code": null, "failure_message": null, "livemode": true, "metadata": {},
        "method": "standard", "original_payout": null, "payout_method": null,
        "reconciliation_status": "completed", "reversed_by": null, "source_type": "card",
        "statement_descriptor": null, "status": "paid",
        "trace_id": {"status": "supported", "value": format!("SE{:010}", p.amount.rem_euclid(10_000_000_000))},
        "type": "bank_account"
    })
}

/// The payout's own `payout` balance transaction.
fn own_json(i: usize, p: &PayoutInfo) -> Value {
    let id = payout_id(i);
    json!({
        "id": format!("{OWN_PREFIX}{i:010}"), "object": "balance_transaction",
        "amount": -p.amount, "available_on": p.created, "balance_type": "payments",
        "created": p.created, "currency": "sek", "description": "STRIPE PAYOUT",
        "exchange_rate": null, "fee": 0, "fee_details": [], "net": -p.amount,
        "reporting_category": "payout", "source": id, "status": "available", "type": "payout"
    })
}

/// Charge `j` as a balance transaction, its source expanded or as an id.
fn charge_json(j: usize, created: i64, expand: bool) -> Value {
    let (amount, fee, net) = charge_amounts(j);
    let charge_id = format!("ch_3SynKassabok{j:010}");
    let description = format!("Order #{}", 100_000 + j);
    let source = if expand {
        crate::stripe::card_charge(&crate::stripe::CardCharge {
            id: &charge_id,
            amount,
            balance_transaction: &format!("{TXN_PREFIX}{j:010}"),
            created,
            currency: "sek",
            customer: None,
            description: &description,
            disputed: false,
            payment_intent: &format!("pi_3SynKassabok{j:010}"),
            refunded: false,
        })
    } else {
        Value::String(charge_id)
    };
    json!({
        "id": format!("{TXN_PREFIX}{j:010}"), "object": "balance_transaction",
        "amount": amount, "available_on": created + 2 * 86_400, "balance_type": "payments",
        "created": created, "currency": "sek", "description": description,
        "exchange_rate": null, "fee": fee,
        "fee_details": [{"amount": fee, "application": null, "currency": "sek",
                         "description": "Stripe processing fees", "type": "stripe_fee"}],
        "net": net, "reporting_category": "charge", "source": source,
        "status": "available", "type": "charge"
    })
}

/// A running synthetic Stripe server. It stops when dropped.
#[derive(Debug)]
pub struct SyntheticStripe {
    server: MockServer,
    counter: RequestCounter,
    config: SyntheticStripeConfig,
}

impl SyntheticStripe {
    /// Starts a server on loopback serving `config`'s payouts and transactions.
    pub async fn start(config: &SyntheticStripeConfig, faults: Faults) -> SyntheticStripe {
        let server = MockServer::start().await;
        let counter = RequestCounter::new();
        let api = Api {
            plan: Arc::new(Plan::build(config)),
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
            .named("synthetic stripe api")
            .mount(&server)
            .await;
        SyntheticStripe {
            server,
            counter,
            config: config.clone(),
        }
    }

    /// The base URL to give the client (`StripeClientBuilder::base_url`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The secret key the server accepts (the same as the Stripe sandbox's).
    pub fn secret_key(&self) -> &'static str {
        crate::stripe::SECRET_KEY
    }

    /// The request counter.
    pub fn counter(&self) -> &RequestCounter {
        &self.counter
    }

    /// Requests received so far, faulted ones included.
    pub fn requests(&self) -> u64 {
        self.counter.total()
    }

    /// What the server serves.
    pub fn config(&self) -> &SyntheticStripeConfig {
        &self.config
    }

    /// The id of payout `i` (0 = the oldest).
    pub fn payout_id(&self, i: usize) -> String {
        payout_id(i)
    }
}

fn error(status: u16, code: Option<&str>, message: &str) -> ResponseTemplate {
    let mut body = json!({"type": "invalid_request_error", "message": message});
    if let Some(code) = code {
        body["code"] = code.into();
    }
    ResponseTemplate::new(status)
        .insert_header("Request-Id", "req_syntheticError01")
        .set_body_json(json!({ "error": body }))
}

fn throttled() -> ResponseTemplate {
    error(
        429,
        Some("rate_limit"),
        "Too many requests hit the API too quickly.",
    )
}

fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503)
        .insert_header("Stripe-Should-Retry", "true")
        .set_body_json(json!({"error": {"type": "api_error",
            "message": "An unknown error occurred while processing the request."}}))
}

#[derive(Debug)]
struct Api {
    plan: Arc<Plan>,
    request_ids: AtomicU64,
}

type Query = Vec<(String, String)>;

fn get<'q>(query: &'q Query, key: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Whether `value` passes every `field[gte|gt|lte|lt]` filter of the query.
fn in_range(query: &Query, field: &str, value: i64) -> bool {
    query.iter().all(|(k, v)| {
        let Some(op) = k.strip_prefix(field) else {
            return true;
        };
        let Ok(bound) = v.parse::<i64>() else {
            return false;
        };
        match op {
            "" => value == bound,
            "[gte]" => value >= bound,
            "[gt]" => value > bound,
            "[lte]" => value <= bound,
            "[lt]" => value < bound,
            _ => true,
        }
    })
}

/// A Stripe list envelope.
fn list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "url": url, "has_more": has_more, "data": data})
}

impl Api {
    fn ok(&self, body: &Value) -> ResponseTemplate {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        ResponseTemplate::new(200)
            .insert_header("Request-Id", format!("req_synthetic{n:010}").as_str())
            .set_body_raw(
                serde_json::to_vec(body).unwrap_or_default(),
                "application/json",
            )
    }

    /// The payouts, newest first, in the `created` range.
    fn payouts(&self, query: &Query, limit: usize) -> Result<Value, Box<ResponseTemplate>> {
        let newest_first: Vec<usize> = (0..self.plan.payouts.len())
            .rev()
            .filter(|&i| in_range(query, "created", self.plan.payouts[i].created))
            .collect();
        let start = match get(query, "starting_after") {
            None => 0,
            Some(after) => match newest_first.iter().position(|&i| payout_id(i) == after) {
                Some(pos) => pos + 1,
                None => {
                    return Err(Box::new(error(
                        400,
                        Some("resource_missing"),
                        "No such payout",
                    )));
                }
            },
        };
        let end = (start + limit).min(newest_first.len());
        let data = newest_first[start..end]
            .iter()
            .map(|&i| payout_json(i, &self.plan.payouts[i]))
            .collect();
        Ok(list("/v1/payouts", data, end < newest_first.len()))
    }

    /// A payout's balance transactions, newest first: its own `payout`
    /// transaction (position 0), then its charges from the newest.
    fn transactions(&self, query: &Query, limit: usize) -> Result<Value, Box<ResponseTemplate>> {
        let Some(p) = get(query, "payout")
            .and_then(|id| id.strip_prefix(PAYOUT_PREFIX))
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|&i| i < self.plan.payouts.len())
        else {
            // Only listings per payout are served.
            return Ok(list("/v1/balance_transactions", Vec::new(), false));
        };
        let info = &self.plan.payouts[p];
        let len = info.count + 1;
        // Position of an id in the listing.
        let position = |id: &str| -> Option<usize> {
            if id == format!("{OWN_PREFIX}{p:010}") {
                return Some(0);
            }
            let j: usize = id.strip_prefix(TXN_PREFIX)?.parse().ok()?;
            (info.first..info.first + info.count)
                .contains(&j)
                .then(|| info.first + info.count - j)
        };
        let start = match get(query, "starting_after") {
            None => 0,
            Some(after) => match position(after) {
                Some(pos) => pos + 1,
                None => {
                    return Err(Box::new(error(
                        400,
                        Some("resource_missing"),
                        "No such object",
                    )));
                }
            },
        };
        let expand = query
            .iter()
            .any(|(k, v)| k == "expand[]" && v == "data.source");
        let end = (start + limit).min(len);
        let data = (start..end)
            .map(|pos| {
                if pos == 0 {
                    own_json(p, info)
                } else {
                    let k = info.count - pos;
                    charge_json(info.first + k, self.plan.charge_created(p, k), expand)
                }
            })
            .collect();
        Ok(list("/v1/balance_transactions", data, end < len))
    }
}

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let authorized = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|key| key == crate::stripe::SECRET_KEY);
        if !authorized {
            return error(401, None, "Invalid API Key provided: sk_test_****");
        }
        let query: Query = request.url.query_pairs().into_owned().collect();
        let limit = match get(&query, "limit").map(str::parse::<usize>) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                return error(
                    400,
                    Some("parameter_invalid_integer"),
                    "This value must be greater than or equal to 1 and less than or equal to 100.",
                );
            }
        };
        let page = match request.url.path() {
            "/v1/payouts" => self.payouts(&query, limit),
            "/v1/balance_transactions" => self.transactions(&query, limit),
            // No invoices: every charge is a card payment without a Stripe invoice.
            path @ ("/v1/invoice_payments"
            | "/v1/events"
            | "/v1/invoices"
            | "/v1/credit_notes"
            | "/v1/tax_rates") => Ok(list(path, Vec::new(), false)),
            path => Err(Box::new(error(
                404,
                None,
                &format!("Unrecognized request URL (GET: {path})."),
            ))),
        };
        match page {
            Ok(body) => self.ok(&body),
            Err(template) => *template,
        }
    }
}

/// Regroups the Shopify Payments, Klarna and Stripe payouts of `scenario`
/// into exactly `n` payouts each (fewer when a provider has fewer items), in
/// the order the items occurred, keeping each provider's id style. Used by
/// the wall-time benchmark, which needs a fixed number of independent
/// payouts per provider. Call it before starting the servers.
pub fn regroup_payouts(scenario: &mut Scenario, n: usize) {
    let period = scenario.config.period;
    let mut shopify_n = 218_000_000_u64;
    regroup(&mut scenario.shopify_payouts, n, period, |_| {
        shopify_n += 1;
        shopify_n.to_string()
    });
    let mut klarna_n = 0_u64;
    regroup(&mut scenario.klarna_payouts, n, period, |_| {
        klarna_n += 1;
        format!("XISA{:07}", 5_100_000 + klarna_n * 97)
    });
    regroup(&mut scenario.stripe_payouts, n, period, |i| {
        format!("po_1SynRegrouped{i:010}")
    });
}

fn regroup(
    payouts: &mut Vec<PayoutPlan>,
    n: usize,
    period: Period,
    mut id: impl FnMut(usize) -> String,
) {
    let Some(currency) = payouts.first().map(|p| p.currency) else {
        return;
    };
    let mut items: Vec<_> = payouts.drain(..).flat_map(|p| p.items).collect();
    items.sort_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then(a.id.cmp(&b.id)));
    let n = n.clamp(1, items.len().max(1));
    let total = items.len();
    let latest = period.end_utc() - Duration::hours(1);
    let mut rest = items.into_iter();
    for i in 0..n {
        let count = (i + 1) * total / n - i * total / n;
        let chunk: Vec<_> = rest.by_ref().take(count).collect();
        let Some(last) = chunk.last().map(|it| it.occurred_at) else {
            continue;
        };
        let created_at = (last + Duration::minutes(30)).min(latest);
        payouts.push(PayoutPlan {
            id: id(i),
            created_at,
            arrival_date: stockholm_date(created_at) + Duration::days(2),
            currency,
            items: chunk,
            failed_at: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SyntheticStripeConfig {
        SyntheticStripeConfig {
            period: Period::month(2026, time::Month::March).expect("period"),
            payouts: 3,
            transactions: 250,
        }
    }

    #[test]
    fn payouts_add_up_and_split_evenly() {
        let c = config();
        let plan = Plan::build(&c);
        assert_eq!(plan.payouts.iter().map(|p| p.count).sum::<usize>(), 250);
        for p in &plan.payouts {
            let sum: i64 = (p.first..p.first + p.count)
                .map(|j| charge_amounts(j).2)
                .sum();
            assert_eq!(sum, p.amount);
            assert!(
                c.period
                    .contains(OffsetDateTime::from_unix_timestamp(p.created).expect("timestamp"))
            );
        }
    }

    #[test]
    fn a_listing_pages_through_every_transaction_once() {
        let api = Api {
            plan: Arc::new(Plan::build(&config())),
            request_ids: AtomicU64::new(0),
        };
        let info = api.plan.payouts[1].clone();
        let mut after: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let mut q: Query = vec![
                ("payout".into(), payout_id(1)),
                ("limit".into(), "100".into()),
            ];
            if let Some(a) = &after {
                q.push(("starting_after".into(), a.clone()));
            }
            let resp_body = api.transactions(&q, 100).expect("page");
            let data = resp_body["data"].as_array().cloned().unwrap_or_default();
            seen.extend(
                data.iter()
                    .map(|t| t["id"].as_str().unwrap_or("").to_owned()),
            );
            if !resp_body["has_more"].as_bool().unwrap_or(false) {
                break;
            }
            after = data
                .last()
                .and_then(|t| t["id"].as_str())
                .map(str::to_owned);
        }
        assert_eq!(seen.len(), info.count + 1);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len());
    }
}
