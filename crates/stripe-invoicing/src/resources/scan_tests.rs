//! The scanner's reading of balance-transaction pages against serde's
//! (`ListPage::scanned` against `ListPage::whole`): on every page the sandbox
//! and the recorded month serve, plain and hostile, the scanner reads the page
//! and reads it as serde does; on pages mutated at random, whatever the
//! scanner reads, serde reads the same (it declines the rest).

use std::sync::Arc;

use bookkeeping_core::Period;
use provider_sandbox::Faults;
use provider_sandbox::hostile::hostile;
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

/// The recorded month (`tests/fixtures/stripe/month_2026_03`) and Stripe's
/// public example objects as sources of a page.
fn recorded_pages() -> Vec<Vec<u8>> {
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
    pages.extend(recorded_pages());
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

/// A random change to a page: a value replaced by one of the values that
/// sit on a rule's edge, a key removed, repeated or escaped, or a byte
/// changed, added or removed.
fn mutate(rng: &mut fastrand::Rng, page: &Value) -> Vec<u8> {
    const VALUES: &[&str] = &[
        "null",
        "\"x\"",
        "0",
        "-0",
        "7",
        "-7",
        "1.5",
        "1e3",
        "true",
        "[]",
        "{}",
        r#""a\"b""#,
        r#""\u00e5\ud83d\ude00""#,
        r#""\ud800""#,
        "12345678901234567890",
        "-9223372036854775808",
        "123456789012345678",
        r#"{"id": "ch_9"}"#,
        r#"{"object": "charge"}"#,
        r#""sek""#,
        r#""SEKX""#,
        r#""charge""#,
        "253402300800",
        r#"[{"amount": 1}]"#,
        "\"\\u0000\"",
    ];
    let mut value = page.clone();
    let mut pointers = Vec::new();
    collect_pointers(&value, String::new(), &mut pointers);
    let pointer = &pointers[rng.usize(..pointers.len())];
    let marker = "\u{1}MARK\u{1}";
    match rng.u8(..4) {
        0 => {
            if let Some(v) = value.pointer_mut(pointer) {
                *v = Value::String(marker.to_owned());
            }
        }
        1 => {
            if let Some((parent, key)) = pointer.rsplit_once('/')
                && let Some(Value::Object(map)) = value.pointer_mut(parent)
            {
                map.remove(key);
            }
        }
        _ => {}
    }
    let mut text = serde_json::to_string(&value).unwrap();
    let replacement = VALUES[rng.usize(..VALUES.len())];
    text = text.replace(&serde_json::to_string(marker).unwrap(), replacement);
    let mut bytes = text.into_bytes();
    let at = rng.usize(..bytes.len());
    match rng.u8(..8) {
        // A key repeated: `"key":` written twice, with another value first.
        0 => {
            if let Some(pos) = find_from(&bytes, b"\":", at) {
                let start = bytes[..pos].iter().rposition(|&b| b == b'"').unwrap_or(0);
                let mut repeated = bytes[start..pos + 2].to_vec();
                repeated.extend_from_slice(replacement.as_bytes());
                repeated.push(b',');
                bytes.splice(start..start, repeated);
            }
        }
        // A key's first letter written as an escape.
        1 => {
            if let Some(pos) = find_from(&bytes, b"\":", at) {
                let start = bytes[..pos].iter().rposition(|&b| b == b'"').unwrap_or(0);
                if start + 1 < pos {
                    let escape = format!("\\u{:04x}", bytes[start + 1]);
                    bytes.splice(start + 1..start + 2, escape.into_bytes());
                }
            }
        }
        2 => bytes[at] = [b'"', b'\\', b',', b'}', b']', b'0', b' ', 0x1f, 0xff][rng.usize(..9)],
        3 => {
            bytes.remove(at);
        }
        4 => bytes.insert(
            at,
            [b'"', b'\\', b',', b'{', b'[', b'-', b'\n'][rng.usize(..7)],
        ),
        _ => {}
    }
    bytes
}

fn find_from(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[tokio::test]
async fn what_the_scanner_reads_of_a_mutated_page_serde_reads_the_same() {
    let period = Period::month(2026, time::Month::March).unwrap();
    let plain = Scenario::generate(&ScenarioConfig::small(period));
    let mut pages = sandbox_pages(hostile(plain)).await;
    pages.extend(recorded_pages());
    let pages: Vec<Value> = pages
        .iter()
        .map(|p| serde_json::from_slice(p).unwrap())
        .collect();
    let mut rng = fastrand::Rng::with_seed(2026);
    let (mut scanned, mut declined, mut refused) = (0, 0, 0);
    for _ in 0..20_000 {
        let pick = rng.usize(..pages.len());
        let page = mutate(&mut rng, &pages[pick]);
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
