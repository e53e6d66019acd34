//! Integration tests of klarna-settlements: one binary, one module per area.

mod client;
mod fixtures;
mod normalize;
mod payouts;
mod properties;
mod published;
mod report;
mod sandbox;
mod source;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use klarna_settlements::{Credentials, KlarnaClient};
use provider_http::RetryPolicy;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const USERNAME: &str = "0b7c6f2e-4d1a-4c9b-9e8f-2a3b4c5d6e7f";
pub(crate) const PASSWORD: &str = "klarna_test_api_S3cr3tK3y";
/// `Basic base64(USERNAME:PASSWORD)`.
pub(crate) const BASIC: &str =
    "Basic MGI3YzZmMmUtNGQxYS00YzliLTllOGYtMmEzYjRjNWQ2ZTdmOmtsYXJuYV90ZXN0X2FwaV9TM2NyM3RLM3k=";

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/klarna/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A fixture as JSON, BOM skipped.
pub(crate) fn json(name: &str) -> serde_json::Value {
    let bytes = fixture(name);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(bytes).unwrap()
}

pub(crate) fn json_response(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

/// A client for `server` with short backoff, so retry tests stay fast.
pub(crate) fn client(server: &MockServer) -> KlarnaClient {
    KlarnaClient::builder(Credentials::basic(USERNAME, PASSWORD))
        .base_url(server.uri())
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

/// Mounted last: any request no other mock expects fails the test loudly
/// (418 with the request, and `.expect(0)` checked when the server drops).
pub(crate) async fn mount_catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418)
                .set_body_string(format!("unexpected request: {} {}", req.method, req.url))
        })
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all: unexpected request")
        .mount(server)
        .await;
}

/// Fails `failures` times with `failure`, then answers `success`.
pub(crate) struct FailThenSucceed {
    pub(crate) calls: AtomicUsize,
    pub(crate) failures: usize,
    pub(crate) failure: ResponseTemplate,
    pub(crate) success: ResponseTemplate,
}

impl Respond for FailThenSucceed {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            self.failure.clone()
        } else {
            self.success.clone()
        }
    }
}
