//! Shared helpers: fixtures, a mock Shopify, a client pointed at it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use provider_http::{Jitter, RetryPolicy};
use serde_json::Value;
use shopify_bookkeeping::ShopifyClient;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const TOKEN: &str = "shpat_test_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub(crate) const GRAPHQL: &str = "/admin/api/2026-01/graphql.json";
pub(crate) const MARCH_QUERY: &str =
    "processed_at:>='2026-02-28T23:00:00Z' processed_at:<'2026-03-31T22:00:00Z'";
pub(crate) const EARLIER_QUERY: &str =
    "updated_at:>='2026-02-28T23:00:00Z' processed_at:<'2026-02-28T23:00:00Z'";

pub(crate) fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/shopify/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A client for the mock server, with short backoff.
pub(crate) fn client(server: &MockServer) -> ShopifyClient {
    builder(server).build().expect("client")
}

pub(crate) fn builder(server: &MockServer) -> shopify_bookkeeping::ShopifyClientBuilder {
    ShopifyClient::builder("kassabok-demo.myshopify.com", TOKEN)
        .base_url(server.uri())
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20))
                .jitter(Jitter::None),
        )
        .page_size(4)
        // These tests script every paged request; bulk operations have their own.
        .bulk_mode(shopify_bookkeeping::bulk::BulkMode::Never)
}

/// The GraphQL variables of a request.
pub(crate) fn variables(req: &Request) -> Value {
    serde_json::from_slice::<Value>(&req.body)
        .ok()
        .and_then(|v| v.get("variables").cloned())
        .unwrap_or(Value::Null)
}

/// A GraphQL request of the client (path, method, token) whose variables
/// satisfy `check`.
pub(crate) fn graphql(
    check: impl Fn(&Value) -> bool + Send + Sync + 'static,
) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(GRAPHQL))
        .and(header("x-shopify-access-token", TOKEN))
        .and(move |req: &Request| check(&variables(req)))
}

/// The app's access scopes (`currentAppInstallation { accessScopes }`), as
/// the sales source asks them first: `scopes`, once.
pub(crate) async fn mount_scopes(server: &MockServer, scopes: &[&str]) {
    let scopes: Vec<Value> = scopes
        .iter()
        .map(|s| serde_json::json!({ "handle": s }))
        .collect();
    Mock::given(method("POST"))
        .and(path(GRAPHQL))
        .and(header("x-shopify-access-token", TOKEN))
        .and(wiremock::matchers::body_string_contains(
            "currentAppInstallation",
        ))
        .respond_with(ok(serde_json::json!({ "data": {
            "currentAppInstallation": { "accessScopes": scopes }
        } })))
        .expect(1)
        .mount(server)
        .await;
}

/// Variables `query` and `after` equal to these.
pub(crate) fn page(query: &'static str, after: Option<&'static str>) -> wiremock::MockBuilder {
    graphql(move |v| {
        v["query"].as_str() == Some(query)
            && match after {
                None => v["after"].is_null(),
                Some(c) => v["after"].as_str() == Some(c),
            }
    })
}

/// The loud catch-all, mounted last: any request nothing else matched fails
/// the test (418 to the client, and `expect(0)` when the server is dropped).
pub(crate) async fn catch_all(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418).set_body_string(format!(
                "unexpected request: {} {} {}",
                req.method,
                req.url,
                String::from_utf8_lossy(&req.body)
            ))
        })
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all: unexpected request")
        .mount(server)
        .await;
}

pub(crate) fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Fails `failures` times with `fail`, then answers `ok`.
pub(crate) struct FailThenSucceed {
    failures: usize,
    calls: AtomicUsize,
    fail: ResponseTemplate,
    ok: ResponseTemplate,
}

impl FailThenSucceed {
    pub(crate) fn new(failures: usize, fail: ResponseTemplate, ok: ResponseTemplate) -> Self {
        FailThenSucceed {
            failures,
            calls: AtomicUsize::new(0),
            fail,
            ok,
        }
    }
}

impl Respond for FailThenSucceed {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            self.fail.clone()
        } else {
            self.ok.clone()
        }
    }
}

/// Shopify's answer when the bucket is empty (HTTP 200): `requested −
/// available` points at `restore` points per second.
pub(crate) fn throttled(requested: u32, available: u32, restore: u32) -> ResponseTemplate {
    ok(serde_json::json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED",
            "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": null,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": available,
                "restoreRate": restore}}}
    }))
}

pub(crate) fn march() -> bookkeeping_core::Period {
    bookkeeping_core::Period::month(2026, time::Month::March).expect("period")
}
