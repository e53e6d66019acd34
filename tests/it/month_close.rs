//! The sandbox month, end to end.

use std::time::Duration;

use kassabok::core::Provider;
use kassabok::mapping::SieExport;
use provider_sandbox::scenario::Gateway;
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use time::macros::date;

use crate::support::{close, march};

fn sie_bytes(journal: &kassabok::mapping::Journal) -> Vec<u8> {
    let mut export = SieExport::new("Kaffekompaniet i Göteborg AB", date!(2026 - 04 - 02));
    export.org_nr = Some("556677-8899".to_owned());
    kassabok::sie::write(
        &journal.to_sie(&export),
        &kassabok::sie::WriteOptions::default(),
    )
    .expect("the journal is a valid SIE 4I document")
}

fn csv(journal: &kassabok::mapping::Journal) -> String {
    let mut out = Vec::new();
    journal.to_csv(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_month_books_balances_and_reconciles() {
    let config = ScenarioConfig::small(march());
    let sandbox = Sandbox::start(&config, Faults::none()).await;
    let (fetched, journal) = close(&sandbox, march()).await;

    // Every provider delivered.
    for p in Provider::ALL {
        assert!(
            fetched.records.get(&p).copied().unwrap_or(0) > 0,
            "{p} delivered nothing"
        );
    }

    // Every voucher balances to the öre.
    assert!(!journal.vouchers().is_empty());
    for v in journal.vouchers() {
        assert!(
            v.is_balanced(),
            "voucher {:?} does not balance: {}",
            v.id,
            v.sum()
        );
    }

    // Every payout of the period is reconciled against its bank line.
    let payouts = sandbox.scenario.shopify_payouts.len()
        + sandbox.scenario.klarna_payouts.len()
        + sandbox.scenario.stripe_payouts.len();
    assert!(journal.reconciliations().len() <= payouts);
    let unreconciled: Vec<_> = journal
        .reconciliations()
        .iter()
        .filter(|r| !r.is_reconciled())
        .collect();
    assert!(unreconciled.is_empty(), "not reconciled: {unreconciled:#?}");

    // The coverage report names the orders paid through the manual gateway.
    let review = journal.review_markdown();
    let manual: Vec<&str> = sandbox
        .scenario
        .orders
        .iter()
        .filter(|o| o.gateway() == Gateway::Manual)
        .map(|o| o.name.as_str())
        .collect();
    assert!(!manual.is_empty());
    assert!(review.contains("\"manual\""), "{review}");
    assert!(review.contains(manual[0]), "{review}");
    assert!(!journal.coverage().is_complete());

    // The SIE file reads back with sie-file, valid and with the same vouchers.
    let bytes = sie_bytes(&journal);
    let doc = kassabok::sie::parse(&bytes).expect("our SIE file parses");
    assert_eq!(doc.vouchers.len(), journal.vouchers().len());
    let report = kassabok::sie::validate(&doc);
    assert!(report.is_valid(), "{report}");

    insta::assert_snapshot!("sandbox_march_summary", journal.summary().to_string());
    insta::assert_snapshot!("sandbox_march_journal_csv", csv(&journal));
    insta::assert_snapshot!("sandbox_march_review", review);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_do_not_change_the_journal() {
    let config = ScenarioConfig::small(march());
    let calm = Sandbox::start(&config, Faults::none()).await;
    let (_, expected) = close(&calm, march()).await;

    let faults = Faults {
        rate_limit_every: Some(11),
        server_error_every: Some(7),
        slow_every: Some((5, Duration::from_millis(40))),
        latency: Duration::ZERO,
    };
    let stormy = Sandbox::start(&config, faults).await;
    let (_, journal) = close(&stormy, march()).await;

    let faulted: u64 = stormy.requests().iter().map(|(_, n)| n).sum();
    let served = stormy.shopify.counter().served()
        + stormy.klarna.counter().served()
        + stormy.stripe.counter().served()
        + stormy.paypal.counter().served();
    assert!(
        faulted > served,
        "faults were injected ({faulted} requests, {served} served)"
    );
    assert_eq!(journal, expected);
    assert_eq!(sie_bytes(&journal), sie_bytes(&expected));
}
