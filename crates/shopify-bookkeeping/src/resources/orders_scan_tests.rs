//! The scanner's reading of order pages against serde's
//! (`OrdersPage::scanned` against `OrdersPage::deserialized`): every page the
//! simulated Shopify serves, plain and hostile, and our own March pages in
//! the shapes of Shopify's 2026-01 schema (`tests/fixtures/shopify`, written
//! by its `generate.py`) are read by the scanner, and read as serde reads
//! them; on pages changed at random, whatever the scanner reads serde reads
//! the same.

use std::sync::Arc;

use bookkeeping_core::Period;
use provider_sandbox::Faults;
use provider_sandbox::hostile::{hostile, mutated};
use provider_sandbox::scenario::{Scenario, ScenarioConfig};
use serde_json::{Value, json};

use super::{OrderQuery, OrdersPage};

fn march() -> Period {
    Period::month(2026, time::Month::March).unwrap()
}

/// Every page of the orders query (`first: 10`) the simulated Shopify
/// answers for `scenario`, as sent.
async fn sandbox_pages(scenario: Scenario) -> Vec<Vec<u8>> {
    let sandbox = provider_sandbox::shopify::start(&Arc::new(scenario), Faults::none()).await;
    sandbox.set_plan(provider_sandbox::shopify_cost::Plan::UNLIMITED);
    let url = format!("{}{}", sandbox.uri(), crate::graphql_path());
    let http = reqwest::Client::new();
    let search = OrderQuery::processed_in(&march()).search(march().start_utc());
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = json!({
            "query": crate::queries::ORDERS,
            "variables": {"first": 10, "after": after, "query": search, "sortKey": "PROCESSED_AT"},
        });
        let response = http
            .post(&url)
            .header("X-Shopify-Access-Token", sandbox.access_token())
            .json(&body)
            .send()
            .await
            .expect("the sandbox answers");
        assert!(response.status().is_success());
        let page = response.bytes().await.expect("a body").to_vec();
        let v: Value = serde_json::from_slice(&page).unwrap();
        let orders = &v["data"]["orders"];
        pages.push(page);
        if orders["pageInfo"]["hasNextPage"] != Value::Bool(true) {
            return pages;
        }
        after = orders["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// Our own answers in `tests/fixtures/shopify` (`generate.py`).
fn fixture_pages() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shopify");
    [
        "orders-march-page1.json",
        "orders-march-page2.json",
        "orders-earlier-updated.json",
    ]
    .iter()
    .map(|name| std::fs::read(format!("{dir}/{name}")).unwrap())
    .collect()
}

/// What the client makes of a page, read by the scanner (`None` if it declines).
fn scanned(page: &[u8]) -> Option<Option<(OrdersPage, Option<Value>)>> {
    OrdersPage::scanned(page).map(super::Scanned::whole)
}

#[tokio::test]
async fn the_scanner_reads_every_served_page_as_serde_does() {
    let plain = Scenario::generate(&ScenarioConfig::small(march()));
    let mut pages = sandbox_pages(plain.clone()).await;
    pages.extend(sandbox_pages(hostile(plain)).await);
    pages.extend(fixture_pages());
    let (mut orders, mut refunds, mut companies) = (0, 0, 0);
    for page in &pages {
        let text = String::from_utf8_lossy(page);
        let read = scanned(page).unwrap_or_else(|| panic!("declined: {text}"));
        assert_eq!(read, OrdersPage::deserialized(page), "{text}");
        let (page, _) = read.expect("a whole page");
        orders += page.orders.len();
        refunds += page.orders.iter().map(|o| o.refunds.len()).sum::<usize>();
        companies += page
            .orders
            .iter()
            .filter(|o| o.purchasing_entity.is_some())
            .count();
    }
    // The pages held what an order can hold, not only the plain cases.
    assert!(
        orders > 20 && refunds > 0 && companies > 0,
        "{orders} {refunds} {companies}"
    );
    // The hostile month's texts (quotes, backslashes, control characters
    // as escapes) were read, not declined.
    assert!(pages.iter().any(|p| p.windows(2).any(|w| w == br#"\""#)));
}

#[tokio::test]
async fn what_the_scanner_reads_of_a_changed_page_serde_reads_the_same() {
    let mut pages =
        sandbox_pages(hostile(Scenario::generate(&ScenarioConfig::small(march())))).await;
    pages.extend(fixture_pages());
    let pages: Vec<Value> = pages
        .iter()
        .map(|p| serde_json::from_slice(p).unwrap())
        .collect();
    let (mut read, mut declined, mut refused) = (0, 0, 0);
    for seed in 0..6_000 {
        let page = mutated(seed, &pages[seed as usize % pages.len()]);
        let serde = OrdersPage::deserialized(&page);
        match scanned(&page) {
            Some(scanned) => {
                let text = String::from_utf8_lossy(&page);
                assert_eq!(scanned, serde, "{text}");
                read += 1;
            }
            None if serde.is_some() => declined += 1,
            None => refused += 1,
        }
    }
    // Both sides of the rules were reached: pages read, pages serde refuses.
    assert!(read > 600 && refused > 600, "{read} {declined} {refused}");
}
