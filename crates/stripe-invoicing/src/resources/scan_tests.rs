//! The scanner's reading of balance-transaction pages against serde's
//! (`ListPage::scanned` against `ListPage::whole`): on every page the sandbox
//! serves, plain and hostile, on our own March in Stripe's shapes
//! (`tests/fixtures/stripe/month_2026_03`) and on Stripe's published example
//! objects (`fixtures3.json`, copied from the `stripe/openapi` repository:
//! `tests/fixtures/stripe/SOURCES.md`), the scanner reads the page and reads
//! it as serde does; on pages mutated at random, whatever the scanner reads,
//! serde reads the same (it declines the rest).

use std::sync::Arc;

use bookkeeping_core::Period;
use provider_sandbox::Faults;
use provider_sandbox::hostile::{hostile, mutated};
use provider_sandbox::scenario::{Scenario, ScenarioConfig};
use serde_json::Value;

use super::ListPage;
use crate::models::BalanceTransaction;

type Page = ListPage<BalanceTransaction>;

/// Every balance-transaction page (`expand[]=data.source`) of every payout
/// the simulated Stripe serves for `scenario`, as sent.
async fn sandbox_pages(scenario: Scenario) -> Vec<Vec<u8>> {
    let sandbox = provider_sandbox::stripe::start(&Arc::new(scenario), Faults::none()).await;
    let http = reqwest::Client::new();
    let get = |url: String| {
        let request = http.get(url).bearer_auth(sandbox.secret_key());
        async move {
            let response = request.send().await.expect("the sandbox answers");
            assert!(response.status().is_success());
            response.bytes().await.expect("a body").to_vec()
        }
    };
    let base = sandbox.uri();
    let payouts: Value =
        serde_json::from_slice(&get(format!("{base}/v1/payouts?limit=100")).await).unwrap();
    let mut pages = Vec::new();
    for payout in payouts["data"].as_array().unwrap() {
        let id = payout["id"].as_str().unwrap();
        let mut after = String::new();
        loop {
            let page = get(format!(
                "{base}/v1/balance_transactions?payout={id}&expand[]=data.source&limit=7{after}"
            ))
            .await;
            let v: Value = serde_json::from_slice(&page).unwrap();
            pages.push(page);
            if v["has_more"] != Value::Bool(true) {
                break;
            }
            let last = v["data"].as_array().unwrap().last().unwrap()["id"]
                .as_str()
                .unwrap();
            after = format!("&starting_after={last}");
        }
    }
    pages
}

/// Our own month (`tests/fixtures/stripe/month_2026_03`) and Stripe's
/// published example objects (`fixtures3.json`, `stripe/openapi`) as the
/// sources of a page.
fn fixture_pages() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stripe");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(format!("{dir}/month_2026_03")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("balance_transactions_") {
            pages.push(std::fs::read(path).unwrap());
        }
    }
    let examples: Value =
        serde_json::from_slice(&std::fs::read(format!("{dir}/fixtures3.json")).unwrap()).unwrap();
    let resources = &examples["resources"];
    let mut data = Vec::new();
    for source in ["charge", "refund", "dispute", "payout", "transfer", "topup"] {
        let mut txn = resources["balance_transaction"].clone();
        if !resources[source].is_null() {
            txn["source"] = resources[source].clone();
        }
        data.push(txn);
    }
    pages.push(serde_json::to_vec(&serde_json::json!({"object": "list", "data": data, "has_more": false, "url": "/v1/balance_transactions"})).unwrap());
    pages
}

#[tokio::test]
async fn the_scanner_reads_every_served_page_as_serde_does() {
    let period = Period::month(2026, time::Month::March).unwrap();
    let plain = Scenario::generate(&ScenarioConfig::small(period));
    let mut pages = sandbox_pages(plain.clone()).await;
    pages.extend(sandbox_pages(hostile(plain)).await);
    pages.extend(fixture_pages());
    let mut kinds = std::collections::BTreeMap::new();
    for page in &pages {
        let text = String::from_utf8_lossy(page);
        let scanned = Page::scanned(page).unwrap_or_else(|| panic!("declined: {text}"));
        assert_eq!(Some(&scanned), Page::whole(page).as_ref(), "{text}");
        for item in &scanned.items {
            let source = item.item().and_then(|t| t.source.as_ref());
            let kind = source.map(|s| s.object().unwrap_or("id").to_owned());
            *kinds.entry(kind).or_insert(0) += 1;
        }
    }
    // Every kind of source the scanner reads was on the pages.
    for kind in ["charge", "refund", "dispute", "payout", "id", "transfer"] {
        assert!(
            kinds.contains_key(&Some(kind.to_owned())),
            "no {kind} source: {kinds:?}"
        );
    }
    // The hostile month's texts (quotes, backslashes, control characters as
    // escapes) were read, not declined.
    assert!(pages.iter().any(|p| p.windows(2).any(|w| w == br#"\""#)));
}

#[tokio::test]
async fn what_the_scanner_reads_of_a_mutated_page_serde_reads_the_same() {
    let period = Period::month(2026, time::Month::March).unwrap();
    let plain = Scenario::generate(&ScenarioConfig::small(period));
    let mut pages = sandbox_pages(hostile(plain)).await;
    pages.extend(fixture_pages());
    let pages: Vec<Value> = pages
        .iter()
        .map(|p| serde_json::from_slice(p).unwrap())
        .collect();
    let (mut scanned, mut declined, mut refused) = (0, 0, 0);
    for seed in 0..20_000 {
        let page = mutated(seed, &pages[seed as usize % pages.len()]);
        let whole = Page::whole(&page);
        match Page::scanned(&page) {
            Some(read) => {
                let text = String::from_utf8_lossy(&page);
                assert_eq!(Some(&read), whole.as_ref(), "{text}");
                scanned += 1;
            }
            None if whole.is_some() => declined += 1,
            None => refused += 1,
        }
    }
    // Both sides of the rules were reached: pages read, pages serde refuses.
    assert!(
        scanned > 2_000 && refused > 2_000,
        "{scanned} {declined} {refused}"
    );
}

/// A page cut off anywhere (a connection that dropped) is never read as a
/// shorter page: the scanner declines every prefix, and serde refuses it.
#[test]
fn a_page_cut_off_anywhere_is_declined() {
    let file = fixture_pages().remove(0);
    let page = file.trim_ascii_end();
    for end in 0..page.len() {
        let cut = &page[..end];
        assert!(Page::scanned(cut).is_none(), "read {end} bytes as a page");
        assert!(Page::whole(cut).is_none());
    }
    assert!(Page::scanned(page).is_some());
}
