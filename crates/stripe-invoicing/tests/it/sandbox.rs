//! The client against the simulated Stripe of `provider-sandbox`: the
//! scenario's month comes back with the scenario's totals, with and without
//! injected faults.

use std::collections::BTreeMap;
use std::time::Duration;

use bookkeeping_core::{
    Currency, Money, PayoutRecord, PayoutSource, Period, SalesRecord, SalesSource, SettlementKind,
    SourceErrorKind,
};
use futures::{StreamExt, TryStreamExt};
use provider_sandbox::stripe::StripeSandbox;
use provider_sandbox::{Faults, Scenario, ScenarioConfig};
use stripe_invoicing::amount::money;
use stripe_invoicing::{RateLimit, RetryPolicy, StripeClient};
use time::Month;

fn march() -> Period {
    Period::month(2026, Month::March).unwrap()
}

pub(crate) fn client(sandbox: &StripeSandbox, key: &str) -> StripeClient {
    StripeClient::builder(key.to_owned())
        .base_url(sandbox.uri())
        .rate_limit(RateLimit::per_second(1000))
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

async fn month(faults: Faults) -> (Scenario, Vec<PayoutRecord>, Vec<SalesRecord>, u64, u64) {
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let sandbox = StripeSandbox::start(&scenario, faults).await;
    let client = stripe_invoicing::StripeSource::new(client(&sandbox, sandbox.secret_key()))
        .dispute_decisions(crate::disputes::stored(&sandbox));
    let payouts: Vec<PayoutRecord> = client.payouts(&period).try_collect().await.unwrap();
    let sales: Vec<SalesRecord> = client.sales(&period).try_collect().await.unwrap();
    let counter = sandbox.counter();
    (scenario, payouts, sales, counter.total(), counter.served())
}

#[tokio::test]
async fn the_sandbox_month_normalizes_to_the_scenario_totals() {
    let period = march();
    let (scenario, payouts, sales, _, _) = month(Faults::none()).await;

    let expected: BTreeMap<&str, i64> = scenario
        .stripe_payouts
        .iter()
        .filter(|p| period.contains(p.created_at))
        .map(|p| (p.id.as_str(), p.amount()))
        .collect();
    assert!(!expected.is_empty());
    let mut got = BTreeMap::new();
    for record in &payouts {
        match record {
            PayoutRecord::Payout(p) => {
                assert!(p.unexplained().unwrap().is_zero(), "{}", p.source);
                for line in &p.lines {
                    assert_eq!(line.check().unwrap(), None, "{}", line.source);
                    if line.kind == SettlementKind::Charge
                        && !line.description.starts_with("Faktura")
                    {
                        assert!(line.related.is_some(), "{}", line.source);
                    }
                }
                got.insert(p.source.id.as_str(), p.amount.to_minor_units().unwrap());
            }
            PayoutRecord::Review(r) => panic!("unexpected review: {r}"),
            _ => {}
        }
    }
    assert_eq!(got, expected);

    let mut want_totals: BTreeMap<Currency, Money> = BTreeMap::new();
    for inv in &scenario.invoices {
        let total = money(inv.total(), inv.currency).unwrap();
        let sum = want_totals
            .entry(inv.currency)
            .or_insert(Money::zero(inv.currency));
        *sum = sum.checked_add(&total).unwrap();
    }
    let mut got_totals: BTreeMap<Currency, Money> = BTreeMap::new();
    let mut count = 0;
    for record in &sales {
        match record {
            SalesRecord::Sale(s) => {
                count += 1;
                let sum = got_totals
                    .entry(s.currency)
                    .or_insert(Money::zero(s.currency));
                *sum = sum.checked_add(&s.total().unwrap()).unwrap();
                assert!(
                    s.lines.iter().all(|l| l.vat_rate.is_some()),
                    "{}",
                    s.document_number
                );
                assert_eq!(s.payments.len(), 1, "{}", s.document_number);
            }
            SalesRecord::Review(r) => panic!("unexpected review: {r}"),
            _ => {}
        }
    }
    assert_eq!(count, scenario.invoices.len());
    assert_eq!(got_totals, want_totals);
}

#[tokio::test]
async fn injected_faults_are_absorbed_without_losing_or_repeating_a_record() {
    let (_, clean_payouts, clean_sales, clean_total, _) = month(Faults::none()).await;
    let faults = Faults {
        rate_limit_every: Some(6),
        server_error_every: Some(4),
        slow_every: Some((5, Duration::from_millis(50))),
        latency: Duration::ZERO,
    };
    let (_, payouts, sales, total, served) = month(faults).await;
    assert_eq!(payouts, clean_payouts);
    assert_eq!(sales, clean_sales);
    assert!(total > served, "faults were injected: {total} > {served}");
    assert_eq!(served, clean_total);
}

#[tokio::test]
async fn a_wrong_key_is_refused_like_stripe_does() {
    let scenario = Scenario::generate(&ScenarioConfig::small(march()));
    let sandbox = StripeSandbox::start(&scenario, Faults::none()).await;
    let client = client(&sandbox, "sk_test_51WrongKey000000000000000000");
    let err = client.payouts(&march()).next().await.unwrap().unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Auth);
    assert!(err.to_string().contains("401"), "{err}");
    // The three independent lists a month starts with (invoice payments,
    // payouts created, payouts arriving) go out at once; each is refused
    // once and none is retried.
    assert_eq!(sandbox.requests(), 3);
}
