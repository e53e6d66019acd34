//! Lost disputes from the simulated Stripe: dated by their
//! `charge.dispute.closed` event, read from the Events API while Stripe
//! lists it (30 days, <https://docs.stripe.com/api/events/list>) and from the
//! events a host stored from its webhooks, each dispute once; the days
//! neither covers are a review item, never a silent nothing.
//!
//! The sandbox plays Stripe's `dispute` and `event` schemas (stripe/openapi
//! `spec3.json`): the dispute withdraws its amount with a `dispute` balance
//! transaction nine days after the payment and is lost 21 days later, when
//! its evidence is due.

use bookkeeping_core::{
    DisputeLost, PayoutRecord, Period, Provider, ReviewReason, SourceRef, stockholm_date,
    stockholm_midnight,
};
use futures::TryStreamExt;
use provider_sandbox::scenario::{
    ItemKind, STRIPE_DISPUTE_DECIDED_AFTER, Scenario, SettlementItem,
};
use provider_sandbox::stripe::StripeSandbox;
use provider_sandbox::{Faults, ScenarioConfig};
use stripe_invoicing::amount::money;
use stripe_invoicing::{DisputeDecisions, StripeSource};
use time::macros::{date, datetime};
use time::{Duration, Month, OffsetDateTime};

/// March and April 2026: the dispute opens in March and is lost in April.
fn scenario() -> Scenario {
    let both = Period::new(date!(2026 - 03 - 01), date!(2026 - 04 - 30)).unwrap();
    Scenario::generate(&ScenarioConfig::small(both))
}

fn april() -> Period {
    Period::month(2026, Month::April).unwrap()
}

fn march() -> Period {
    Period::month(2026, Month::March).unwrap()
}

/// The scenario's disputed charge.
fn dispute_item(scenario: &Scenario) -> &SettlementItem {
    scenario
        .stripe_payouts
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.kind == ItemKind::Dispute)
        .expect("the scenario disputes one Stripe charge")
}

fn decided(scenario: &Scenario) -> OffsetDateTime {
    dispute_item(scenario).occurred_at + STRIPE_DISPUTE_DECIDED_AFTER
}

/// What the sandbox shop's webhook endpoint stored, complete since 2025.
pub(crate) fn stored(sandbox: &StripeSandbox) -> DisputeDecisions {
    let mut decisions = DisputeDecisions::new(datetime!(2025-01-01 00:00 UTC));
    for body in sandbox.webhook_events() {
        decisions.add_json(&body).unwrap();
    }
    decisions
}

fn client(sandbox: &StripeSandbox) -> StripeSource {
    StripeSource::new(crate::sandbox::client(sandbox, sandbox.secret_key()))
}

async fn lost(client: &StripeSource, period: Period) -> Vec<PayoutRecord> {
    client.lost_disputes(&period).try_collect().await.unwrap()
}

/// The lost dispute the scenario's April should give.
fn expected(scenario: &Scenario) -> DisputeLost {
    let item = dispute_item(scenario);
    let invoice = &scenario.invoices[item.invoice.unwrap()];
    DisputeLost {
        source: SourceRef::new(Provider::Stripe, "dispute", "placeholder"),
        provider: Provider::Stripe,
        sale: Some(SourceRef::new(
            Provider::Stripe,
            "invoice",
            invoice.id.as_str(),
        )),
        decided_at: decided(scenario),
        amount: money(invoice.total(), invoice.currency).unwrap(),
        earlier_sale: None,
        reference: None,
    }
}

fn only_lost(records: &[PayoutRecord]) -> &DisputeLost {
    match records {
        [PayoutRecord::DisputeLost(lost)] => lost,
        other => panic!("expected one lost dispute, got {other:?}"),
    }
}

#[tokio::test]
async fn a_dispute_lost_within_the_last_30_days_comes_from_the_events_api() {
    let scenario = scenario();
    let opened = dispute_item(&scenario).occurred_at;
    assert!(march().contains(opened) && april().contains(decided(&scenario)));
    // A run ten days after the decision: Stripe still lists all of April so far.
    let now = decided(&scenario) + Duration::days(10);
    let sandbox = StripeSandbox::start(&scenario.at(now), Faults::none()).await;
    let records = lost(&client(&sandbox).as_of(now), april()).await;
    let got = only_lost(&records);
    let want = expected(&scenario);
    assert!(got.source.id.starts_with("du_"), "{}", got.source);
    assert_eq!(
        (&got.sale, got.decided_at, got.amount),
        (&want.sale, want.decided_at, want.amount)
    );
    // The invoice was issued in March: April's close carries its sale, normalized
    // as the sales listing does, so the mapping can reverse its revenue and VAT.
    let sale = got.earlier_sale.as_deref().expect("the March invoice");
    assert_eq!(Some(&sale.source), want.sale.as_ref());
    assert_eq!(stockholm_date(sale.occurred_at).month(), Month::March);
    assert_eq!(sale.total().unwrap(), want.amount);

    // March: opened, not decided (and beyond the 30 days: a review item says so).
    let march = lost(&client(&sandbox).as_of(now), march()).await;
    assert!(
        march.iter().all(|r| matches!(r, PayoutRecord::Review(_))),
        "{march:?}"
    );
}

#[tokio::test]
async fn a_close_run_after_stripe_dropped_the_events_says_which_days_may_be_missing() {
    let scenario = scenario();
    let sandbox = StripeSandbox::start(&scenario, Faults::none()).await;
    // Run in mid-June: Stripe lists events from 16 May on, none of April's.
    let now = stockholm_midnight(date!(2026 - 06 - 15));
    let records = lost(&client(&sandbox).as_of(now), april()).await;
    let [PayoutRecord::Review(item)] = records.as_slice() else {
        panic!("expected one review item, got {records:?}");
    };
    assert_eq!(item.provider, Provider::Stripe);
    assert_eq!(item.reason, ReviewReason::Incomplete);
    assert!(
        item.message.contains("from 2026-04-01 to 2026-04-30"),
        "{}",
        item.message
    );

    // Within the month: only the days before the Events API's 30 days.
    let now = stockholm_midnight(date!(2026 - 05 - 10));
    let records = lost(&client(&sandbox).as_of(now), april()).await;
    let [PayoutRecord::Review(item)] = records.as_slice() else {
        panic!("expected one review item, got {records:?}");
    };
    assert!(
        item.message.contains("from 2026-04-01 to 2026-04-09"),
        "{}",
        item.message
    );
}

#[tokio::test]
async fn stored_webhook_events_date_the_decision_whatever_day_the_close_runs() {
    let scenario = scenario();
    let want = expected(&scenario);
    let mut seen = Vec::new();
    // Ten days after the decision (the Events API and the store both have
    // it: one record) and in mid-June (only the store has it).
    for now in [
        decided(&scenario) + Duration::days(10),
        stockholm_midnight(date!(2026 - 06 - 15)),
    ] {
        let sandbox = StripeSandbox::start(&scenario.at(now), Faults::none()).await;
        let client = client(&sandbox)
            .as_of(now)
            .dispute_decisions(stored(&sandbox));
        let records = lost(&client, april()).await;
        let got = only_lost(&records);
        assert_eq!(
            (&got.sale, got.decided_at, got.amount),
            (&want.sale, want.decided_at, want.amount)
        );
        assert!(lost(&client, march()).await.is_empty());
        seen.push(got.clone());
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test]
async fn the_payouts_listing_ends_with_the_periods_lost_disputes() {
    use bookkeeping_core::PayoutSource;
    let scenario = scenario();
    let sandbox = StripeSandbox::start(&scenario, Faults::none()).await;
    let client = client(&sandbox).dispute_decisions(stored(&sandbox));
    let records: Vec<PayoutRecord> = client.payouts(&april()).try_collect().await.unwrap();
    let last = records.last().expect("records");
    assert!(matches!(last, PayoutRecord::DisputeLost(_)), "{last:?}");
    let lost = records
        .iter()
        .filter(|r| matches!(r, PayoutRecord::DisputeLost(_)))
        .count();
    assert_eq!(lost, 1);
}
