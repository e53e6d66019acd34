//! Traces: one span per request with method, path, status and attempts; no secrets, no query.

use std::io::Write;
use std::sync::{Arc, Mutex};

use provider_http::Auth;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{FailThenSucceed, Thing, builder, ok_json};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_the_request_but_never_secrets_or_query() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // tracing-core caches each callsite's interest. While only one dispatcher is registered, a
    // callsite first hit by another test's thread (which has no subscriber) is cached as
    // "never" and this thread's subscriber would miss it. A second live dispatcher makes
    // tracing ask every registered dispatcher instead.
    let _second = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(std::io::sink)
            .finish(),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    // Another test's thread may have registered a callsite while no
    // subscriber wanted it, caching "never": recompute, or this test's
    // events could be lost.
    tracing::callsite::rebuild_interest_cache();

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(503),
            ok_json("t"),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .auth(Auth::bearer("sk_live_TRACE_SECRET"))
        .build()
        .unwrap();
    let _: Thing = client
        .get_json(
            "/v1/balance_transactions",
            &[("payout", "po_QUERYVALUE".to_owned())],
        )
        .await
        .unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("http_request"), "{text}");
    assert!(text.contains("/v1/balance_transactions"), "{text}");
    assert!(text.contains("method=GET"), "{text}");
    assert!(text.contains("status=503"), "{text}");
    assert!(text.contains("attempt=2"), "{text}");
    assert!(!text.contains("TRACE_SECRET"), "{text}");
    assert!(!text.contains("QUERYVALUE"), "{text}");
}
