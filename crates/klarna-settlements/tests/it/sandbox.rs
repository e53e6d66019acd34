//! The client against the simulated Klarna server over the shared scenario.

use std::time::Duration;

use bookkeeping_core::{
    Money, Payout, PayoutRecord, PayoutSource, Period, SettlementKind, SourceErrorKind,
};
use futures::{StreamExt, TryStreamExt};
use klarna_settlements::normalize::normalize_payout;
use klarna_settlements::{Credentials, KlarnaClient, Listed};
use provider_http::RetryPolicy;
use provider_sandbox::scenario::{ItemKind, Scenario, ScenarioConfig};
use provider_sandbox::{Faults, klarna};
use time::Month;

fn march() -> Period {
    Period::month(2026, Month::March).unwrap()
}

fn client_for(sb: &klarna::KlarnaSandbox, page_size: u32) -> KlarnaClient {
    KlarnaClient::builder(Credentials::basic(sb.username(), sb.password()))
        .base_url(sb.uri())
        .page_size(page_size)
        .retry(
            RetryPolicy::default()
                .max_attempts(5)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

async fn payouts(c: &KlarnaClient, period: &Period) -> Vec<Payout> {
    let records: Vec<PayoutRecord> = c.payouts(period).try_collect().await.unwrap();
    records
        .into_iter()
        .filter_map(|r| match r {
            PayoutRecord::Payout(p) => Some(p),
            // The scenario's reversal (`the_scenarios_reversal_is_a_lost_dispute`).
            PayoutRecord::DisputeLost(_) => None,
            other => panic!("no review item expected: {other:?}"),
        })
        .collect()
}

/// The scenario's Klarna dispute decided for the customer comes as a
/// `REVERSAL` in its settlement ("refund transactions, registered by Klarna
/// in disputed orders in favour of the customer", Klarna's settlement-files
/// documentation), and the client yields it as a lost dispute dated by the
/// payout, naming the order and the shop's order number.
#[tokio::test]
async fn the_scenarios_reversal_is_a_lost_dispute() {
    use provider_sandbox::scenario::ItemKind;
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let sb = klarna::start(&scenario, Faults::none()).await;
    let records: Vec<PayoutRecord> = client_for(&sb, 500)
        .payouts(&period)
        .try_collect()
        .await
        .unwrap();
    let (plan, item) = scenario
        .klarna_payouts
        .iter()
        .flat_map(|p| p.items.iter().map(move |i| (p, i)))
        .find(|(_, i)| i.kind == ItemKind::Dispute)
        .expect("the scenario reverses one Klarna order");
    let lost: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            PayoutRecord::DisputeLost(l) => Some(l),
            _ => None,
        })
        .collect();
    let [lost] = lost.as_slice() else {
        panic!("one lost dispute expected: {lost:?}")
    };
    let order = &scenario.orders[item.order.unwrap()];
    assert_eq!(lost.provider, bookkeeping_core::Provider::Klarna);
    assert!(
        lost.source.id.starts_with("krn:klarna:eu1:dispute:"),
        "{}",
        lost.source
    );
    assert_eq!(lost.reference.as_deref(), Some(order.name.as_str()));
    assert_eq!(
        lost.amount,
        Money::from_minor_units(-item.gross, plan.currency).unwrap()
    );
    assert_eq!(
        bookkeeping_core::stockholm_date(lost.decided_at),
        bookkeeping_core::stockholm_date(plan.created_at)
    );
    // The payout carrying it is in this period's listing: booked with it.
    assert!(period.contains(plan.created_at));
}

/// The scenario's own numbers for the Klarna payouts paid out in `period`.
fn check_against_scenario(scenario: &Scenario, period: &Period, got: &[Payout]) {
    let plans: Vec<_> = scenario
        .klarna_payouts
        .iter()
        .filter(|p| period.contains(p.created_at))
        .collect();
    assert!(!plans.is_empty());
    let ids: Vec<_> = got.iter().map(|p| p.source.id.as_str()).collect();
    let expected_ids: Vec<_> = plans.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, expected_ids);
    for (payout, plan) in got.iter().zip(&plans) {
        assert_eq!(
            payout.amount,
            Money::from_minor_units(plan.amount(), plan.currency).unwrap()
        );
        assert!(payout.unexplained().unwrap().is_zero(), "{}", payout.source);
        let fee_total: i64 = plan.items.iter().map(|i| i.fee).sum();
        let fee_vat: i64 = plan.items.iter().map(|i| i.fee_vat).sum();
        let fees = Money::sum(payout.currency(), payout.fees().map(|f| &f.amount)).unwrap();
        let vat = Money::sum(
            payout.currency(),
            payout.fees().filter_map(|f| f.vat.as_ref()),
        )
        .unwrap();
        assert_eq!(fees.to_minor_units().unwrap(), fee_total);
        assert_eq!(vat.to_minor_units().unwrap(), fee_vat);
        let charges = plan
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Charge)
            .count();
        assert_eq!(
            payout
                .lines
                .iter()
                .filter(|l| l.kind == SettlementKind::Charge)
                .count(),
            charges
        );
        for line in &payout.lines {
            assert_eq!(line.check().unwrap(), None);
        }
    }
}

#[tokio::test]
async fn the_scenario_month_normalizes_to_the_scenarios_totals() {
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let sb = klarna::start(&scenario, Faults::none()).await;
    let got = payouts(&client_for(&sb, 500), &period).await;
    check_against_scenario(&scenario, &period, &got);
    // One list request, one transaction page per payout.
    assert_eq!(sb.requests(), 1 + got.len() as u64);
}

#[tokio::test]
async fn small_pages_and_faults_give_the_same_payouts() {
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let calm = klarna::start(&scenario, Faults::none()).await;
    let expected = payouts(&client_for(&calm, 500), &period).await;

    let faults = Faults {
        rate_limit_every: Some(6),
        server_error_every: Some(4),
        slow_every: Some((5, Duration::from_millis(50))),
        latency: Duration::ZERO,
    };
    let stormy = klarna::start(&scenario, faults).await;
    let got = payouts(&client_for(&stormy, 3), &period).await;
    assert_eq!(got, expected, "no payout or line lost or repeated");
    check_against_scenario(&scenario, &period, &got);
    let counter = stormy.counter();
    assert!(counter.total() > counter.served(), "faults were injected");
}

#[tokio::test]
async fn wrong_credentials_are_refused_like_klarna() {
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let sb = klarna::start(&scenario, Faults::none()).await;
    let c = KlarnaClient::builder(Credentials::basic(sb.username(), "klarna_test_api_wrong"))
        .base_url(sb.uri())
        .build()
        .unwrap();
    let items: Vec<_> = c.payouts(&period).collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().kind, SourceErrorKind::Auth);
    // The API key alone is accepted too.
    let c = KlarnaClient::builder(Credentials::api_key(sb.password()))
        .base_url(sb.uri())
        .build()
        .unwrap();
    assert!(!payouts(&c, &period).await.is_empty());
}

#[tokio::test]
async fn the_sandbox_csv_report_matches_the_api() {
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let sb = klarna::start(&scenario, Faults::none()).await;
    let c = client_for(&sb, 500);
    let plan = &scenario.klarna_payouts[0];
    let reference = plan.id.as_str().into();
    let report = c.payout_report(&reference).await.unwrap();
    let Some(Listed::Item(payout)) = &report.payout else {
        panic!("payout header: {:?}", report.payout)
    };
    let n = normalize_payout(payout, &report.transactions);
    assert!(n.reconciles(), "{:#?}", n.review);
    let from_api = normalize_payout(
        &c.payout(&reference).await.unwrap(),
        &c.payout_transactions(&reference).await.unwrap(),
    );
    assert_eq!(
        n.payout.as_ref().unwrap().amount,
        from_api.payout.as_ref().unwrap().amount
    );
    assert_eq!(
        n.payout.unwrap().lines.len(),
        from_api.payout.unwrap().lines.len()
    );
    let summary = c
        .payout_summary(period.start_utc(), period.end_utc(), None)
        .await
        .unwrap();
    let expected: i64 = scenario
        .klarna_payouts
        .iter()
        .filter(|p| p.created_at >= period.start_utc() && p.created_at <= period.end_utc())
        .map(|p| p.amount())
        .sum();
    assert_eq!(summary[0].summary_total_settlement_amount, expected);
}

#[tokio::test]
async fn the_sandbox_period_report_reconciles_per_payout() {
    let period = march();
    let scenario = Scenario::generate(&ScenarioConfig::small(period));
    let sb = klarna::start(&scenario, Faults::none()).await;
    let c = client_for(&sb, 500);
    let reports = c
        .payouts_report(
            period.start_utc(),
            period.end_utc() - time::Duration::SECOND,
        )
        .await
        .unwrap();
    let from_api = payouts(&c, &period).await;
    assert_eq!(reports.len(), from_api.len());
    for (report, api) in reports.iter().zip(&from_api) {
        let Some(Listed::Item(payout)) = &report.payout else {
            panic!("payout header: {:?}", report.payout)
        };
        let n = normalize_payout(payout, &report.transactions);
        assert!(n.reconciles(), "{:#?}", n.review);
        let p = n.payout.unwrap();
        assert_eq!(p.source, api.source);
        assert_eq!(p.amount, api.amount);
        assert_eq!(p.lines.len(), api.lines.len());
    }
}
