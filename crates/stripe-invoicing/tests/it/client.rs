//! The client: headers, secret redaction, retry signals, base URL checks.

use bookkeeping_core::{PayoutSource, Period, SourceErrorKind};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use stripe_invoicing::TimeRange;
use stripe_invoicing::{API_VERSION, StripeClient};
use time::Month;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{KEY, StripeList, client, mount_catch_all};

fn march() -> Period {
    Period::month(2026, Month::March).unwrap()
}

#[tokio::test]
async fn sends_bearer_key_pinned_version_account_and_period_filters() {
    let server = MockServer::start().await;
    let range = TimeRange::of_period(&march());
    Mock::given(method("GET"))
        .and(path("/v1/payouts"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("stripe-version", API_VERSION))
        .and(header("stripe-account", "acct_1NxConnected01"))
        .and(query_param("limit", "100"))
        .and(query_param("created[gte]", "1772319600"))
        .and(query_param("created[lt]", "1774994400"))
        .respond_with(StripeList::new("/v1/payouts", vec![]))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    assert_eq!(range.gte.unix_timestamp(), 1_772_319_600); // 2026-03-01 00:00 Stockholm
    let client = StripeClient::builder(KEY)
        .base_url(server.uri())
        .account("acct_1NxConnected01")
        .build()
        .unwrap();
    assert_eq!(client.account(), Some("acct_1NxConnected01"));
    let payouts: Vec<_> = client.list_payouts(range).try_collect().await.unwrap();
    assert!(payouts.is_empty());
}

#[tokio::test]
async fn the_secret_key_never_appears_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("Request-Id", "req_401")
                .set_body_json(json!({"error": {"type": "invalid_request_error",
                    "message": format!("Invalid API Key provided: {}****6789", &KEY[..8])}})),
        )
        .mount(&server)
        .await;
    let builder = StripeClient::builder(KEY).base_url(server.uri());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let client_debug = format!("{client:?}");

    let err = client
        .list_payouts(TimeRange::of_period(&march()))
        .next()
        .await
        .unwrap()
        .unwrap_err();
    let source_err = client.payouts(&march()).next().await.unwrap().unwrap_err();
    assert_eq!(source_err.kind, SourceErrorKind::Auth);
    let display = err.to_string();
    assert!(
        display.starts_with("stripe: GET /v1/invoice_payments: 401")
            || display.starts_with("stripe: GET /v1/payouts: 401"),
        "{display}"
    );
    assert!(display.contains("req_401"), "{display}");
    for text in [
        builder_debug,
        client_debug,
        display,
        format!("{err:?}"),
        source_err.to_string(),
        format!("{source_err:?}"),
    ] {
        assert!(!text.contains(KEY), "secret leaked: {text}");
        assert!(!text.contains("SECRETxyz"), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn stripe_should_retry_false_stops_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payouts"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("Stripe-Should-Retry", "false")
                .set_body_json(json!({"error": {"type": "api_error", "message": "boom"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let err = client(&server)
        .list_payouts(TimeRange::of_period(&march()))
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(err.http().unwrap().status().unwrap().as_u16(), 500);
}

#[test]
fn base_url_must_be_https_unless_loopback() {
    assert!(
        StripeClient::builder(KEY)
            .base_url("http://api.example.com")
            .build()
            .is_err()
    );
    assert!(
        StripeClient::builder(KEY)
            .base_url("http://127.0.0.1:9")
            .build()
            .is_ok()
    );
    let err = StripeClient::builder("sk_live_bad\nkey")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("sk_live_bad"), "{err}");
}

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Every event of this test binary at trace level, from its first use on:
/// a global subscriber, because a thread-scoped one (`set_default`) can miss
/// events whose callsites another test's thread registered first.
fn global_logs() -> &'static Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in this test binary");
        logs
    })
}

#[tokio::test]
async fn trace_logs_never_contain_the_secret_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payouts"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payouts"))
        .respond_with(StripeList::new("/v1/payouts", vec![]))
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let logs = global_logs();
    let client = client(&server);
    tracing::debug!(?client, "client built");
    let payouts: Vec<_> = client
        .list_payouts(TimeRange::of_period(&march()))
        .try_collect()
        .await
        .unwrap();
    assert!(payouts.is_empty());
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("/v1/payouts"), "nothing was logged: {text}");
    assert!(!text.contains(KEY) && !text.contains("SECRETxyz"), "{text}");
}
