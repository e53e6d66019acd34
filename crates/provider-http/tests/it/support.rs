//! Shared test helpers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use provider_http::{HttpClient, HttpClientBuilder, Jitter, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Responds with `failure` for the first `failures` calls, then with `success`.
#[derive(Clone)]
pub(crate) struct FailThenSucceed {
    failures: usize,
    failure: ResponseTemplate,
    success: ResponseTemplate,
    calls: Arc<AtomicUsize>,
}

impl FailThenSucceed {
    pub(crate) fn new(
        failures: usize,
        failure: ResponseTemplate,
        success: ResponseTemplate,
    ) -> Self {
        Self {
            failures,
            failure,
            success,
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }
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

/// A retry policy with millisecond backoff, so retry tests stay fast.
pub(crate) fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(max_attempts)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .jitter(Jitter::None)
}

/// A builder for a client of the test provider `"test"` pointed at `server`.
pub(crate) fn builder(server: &MockServer) -> HttpClientBuilder {
    HttpClient::builder("test", "https://api.example.com")
        .base_url(server.uri())
        .retry(fast_retry(4))
}

/// A loud catch-all, mounted after the real expectations: any request it sees fails the test
/// (on drop of the server) and gets a non-retryable 418 naming the request.
pub(crate) async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(|req: &Request| {
            ResponseTemplate::new(418)
                .set_body_string(format!("unexpected request: {} {}", req.method, req.url))
        })
        .named("catch-all: no request should reach this")
        .expect(0)
        .mount(server)
        .await;
}

/// JSON body `{"id": "<id>", "amount": 100}`.
pub(crate) fn ok_json(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": id, "amount": 100}))
}

#[derive(Debug, serde::Deserialize, PartialEq)]
pub(crate) struct Thing {
    pub(crate) id: String,
    pub(crate) amount: i64,
}

/// Compile-time checks: the client, its futures and streams can cross threads, so provider
/// crates can use them behind `async_trait` and `tokio::spawn`.
#[allow(dead_code)]
fn assert_send_sync() {
    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<HttpClient>();
    send_sync::<provider_http::HttpError>();
    send_sync::<provider_http::Auth>();
    send_sync::<provider_http::RateLimiter>();
    let client = HttpClient::builder("t", "https://x.example")
        .build()
        .unwrap();
    send(&client.get_json::<Thing>("/", &[]));
    send(&client.send(provider_http::RequestSpec::get("/")));
    send(&client.post_json::<_, Thing>("/", &1, provider_http::Idempotency::Idempotent));
    let c = client.clone();
    send(&client.paginate(None, move |cursor: Option<String>| {
        let c = c.clone();
        async move {
            let t: Thing = c.get_json("/", &[]).await?;
            Ok(provider_http::Page::new(vec![t], cursor))
        }
    }));
}
