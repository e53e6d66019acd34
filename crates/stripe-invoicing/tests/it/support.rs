//! Test helpers: fixtures, a Stripe list responder that pages like Stripe,
//! the loud catch-all, and a client with fast retries.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use stripe_invoicing::{RateLimit, RetryPolicy, StripeClient};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const KEY: &str = "sk_test_51KassabokSECRETxyz0123456789";

pub(crate) fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stripe")
        .join(name)
}

pub(crate) fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The `data` of a list fixture.
pub(crate) fn items(name: &str) -> Vec<Value> {
    fixture(name)["data"].as_array().unwrap().clone()
}

/// A client for `server` with fast retries and no practical rate limit.
pub(crate) fn client(server: &MockServer) -> StripeClient {
    StripeClient::builder(KEY)
        .base_url(server.uri())
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
        .rate_limit(RateLimit::per_second(1000))
        .build()
        .unwrap()
}

/// Serves `GET /v1/events?type=charge.dispute.closed` with no event (no
/// dispute closed in the period), as a payouts listing asks for it last.
pub(crate) async fn mount_no_closed_disputes(server: &MockServer) {
    Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v1/events"))
        .and(wiremock::matchers::query_param(
            "type",
            "charge.dispute.closed",
        ))
        .respond_with(StripeList::new("/v1/events", vec![]))
        .mount(server)
        .await;
}

/// `client(server)` as the source a host builds when it stores Stripe's
/// webhook events (since 2026, none of them a closed dispute): a close of
/// 2026 is complete whatever day it runs, with no review item for the
/// Events API's 30 days.
pub(crate) fn source(server: &MockServer) -> stripe_invoicing::StripeSource {
    stripe_invoicing::StripeSource::new(client(server)).dispute_decisions(
        stripe_invoicing::DisputeDecisions::new(time::macros::datetime!(2026-01-01 00:00 UTC)),
    )
}

/// Mounts the catch-all last: any request no other mock expected fails the
/// test loudly with a 418 naming the request.
pub(crate) async fn mount_catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418)
                .set_body_string(format!("unexpected request: {} {}", req.method, req.url))
        })
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

/// Serves `items` (newest first) as Stripe does: `limit` per page (default
/// 10, at most 100), `starting_after=<id>`, `has_more`.
#[derive(Clone)]
pub(crate) struct StripeList {
    pub(crate) items: Vec<Value>,
    pub(crate) url: String,
}

impl StripeList {
    pub(crate) fn new(url: &str, items: Vec<Value>) -> Self {
        StripeList {
            items,
            url: url.to_owned(),
        }
    }
}

impl Respond for StripeList {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let query: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let limit = query
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(10)
            .clamp(1, 100);
        let start = match query.get("starting_after") {
            None => 0,
            Some(after) => match self.items.iter().position(|v| v["id"] == after.as_str()) {
                Some(i) => i + 1,
                None => {
                    return ResponseTemplate::new(400).set_body_json(json!({"error": {
                        "type": "invalid_request_error", "code": "resource_missing",
                        "param": "starting_after", "message": format!("No such object: '{after}'")}}));
                }
            },
        };
        let end = (start + limit).min(self.items.len());
        ResponseTemplate::new(200)
            .insert_header("Request-Id", "req_test")
            .set_body_json(json!({
                "object": "list",
                "url": self.url,
                "has_more": end < self.items.len(),
                "data": self.items[start..end],
            }))
    }
}
