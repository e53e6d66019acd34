//! Shared helpers: fixtures, a mock server with a loud catch-all, a client for it.

use std::time::Duration;

use paypal_transactions::PayPalClient;
use provider_http::{Jitter, RetryPolicy};
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub(crate) const CLIENT_ID: &str = "AeXkassabokTestClient01";
pub(crate) const SECRET: &str = "EKsecret-DO-NOT-LEAK-7f3c9a";
/// `Basic base64(CLIENT_ID:SECRET)`.
pub(crate) const BASIC: &str =
    "Basic QWVYa2Fzc2Fib2tUZXN0Q2xpZW50MDE6RUtzZWNyZXQtRE8tTk9ULUxFQUstN2YzYzlh";
pub(crate) const TOKEN: &str = "A21AAL9x0EXAMPLEq2Wc8zN0tY7-3fJ";
pub(crate) const BEARER: &str = "Bearer A21AAL9x0EXAMPLEq2Wc8zN0tY7-3fJ";

pub(crate) fn fixture_text(name: &str) -> String {
    let p = format!(
        "{}/tests/fixtures/paypal/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

pub(crate) fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).expect("fixture is JSON")
}

/// A page of a search response: the fixture's `transaction_details[range]`, with `page`,
/// `total_pages` and `total_items` set as PayPal would for `page_size`.
pub(crate) fn page_of(response: &Value, page: usize, page_size: usize) -> Value {
    let all = response["transaction_details"]
        .as_array()
        .expect("details")
        .clone();
    let total = all.len();
    let total_pages = total.div_ceil(page_size).max(1);
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .collect();
    let mut out = response.clone();
    out["transaction_details"] = Value::Array(items);
    out["page"] = page.into();
    out["total_pages"] = total_pages.into();
    out["total_items"] = total.into();
    out
}

pub(crate) async fn server() -> MockServer {
    MockServer::start().await
}

/// The token endpoint, checking the client-credentials request.
pub(crate) async fn mount_token(server: &MockServer, expect: u64) {
    Mock::given(method("POST"))
        .and(path("/v1/oauth2/token"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(wiremock::matchers::body_string(
            "grant_type=client_credentials",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("token.json")))
        .expect(expect)
        .mount(server)
        .await;
}

/// Mounted last: any request nothing else expected fails loudly with what it was.
pub(crate) async fn mount_catch_all(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418).set_body_string(format!(
                "unexpected request: {} {} (authorization: {:?})",
                req.method,
                req.url,
                req.headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap_or("?").to_owned())
            ))
        })
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

pub(crate) fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .jitter(Jitter::None)
}

pub(crate) fn client(server: &MockServer) -> PayPalClient {
    PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url(server.uri())
        .retry(fast_retry())
        .no_rate_limit()
        .build()
        .expect("client builds")
}

/// Matches the query parameters the client sends for one page of one window.
pub(crate) fn search_query(
    start: &str,
    end: &str,
    page: u32,
    page_size: u32,
) -> impl wiremock::Match + use<> {
    let expected: Vec<(String, String)> = vec![
        ("start_date".into(), start.into()),
        ("end_date".into(), end.into()),
        ("fields".into(), "all".into()),
        ("balance_affecting_records_only".into(), "Y".into()),
        ("page_size".into(), page_size.to_string()),
        ("page".into(), page.to_string()),
    ];
    move |req: &Request| {
        let got: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
        expected.iter().all(|e| got.contains(e)) && got.len() == expected.len()
    }
}
