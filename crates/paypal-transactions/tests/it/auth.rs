//! OAuth2 client credentials: caching, refresh, typed errors, redaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use paypal_transactions::{Error, PayPalClient, TokenErrorCode};
use time::macros::datetime;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, Request, ResponseTemplate};

use crate::common::*;

const TOKEN_ONE: &str = "A21AAtokenONE0000000000000001";
const TOKEN_TWO: &str = "A21AAtokenTWO0000000000000002";

/// A token endpoint that hands out token one, then token two, with `expires_in`.
async fn mount_two_tokens(server: &wiremock::MockServer, expires_in: u64) -> Arc<AtomicU32> {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&calls);
    Mock::given(method("POST"))
        .and(path("/v1/oauth2/token"))
        .and(header("authorization", BASIC))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let token = if n == 0 { TOKEN_ONE } else { TOKEN_TWO };
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "scope": "https://uri.paypal.com/services/reporting/search/read",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": expires_in,
                "nonce": "2026-10-01T09:12:44ZnA5cT0kEXAMPLE"
            }))
        })
        .mount(server)
        .await;
    calls
}

fn window1() -> serde_json::Value {
    fixture("transactions_2026-10_window1.json")
}

fn paged(server: &wiremock::MockServer) -> PayPalClient {
    PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url(server.uri())
        .retry(fast_retry())
        .no_rate_limit()
        .page_size(4)
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_token_is_fetched_once_and_reused() {
    let server = server().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/balances"))
        .and(header("authorization", BEARER))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("balances_2026-09-30T22.json")),
        )
        .expect(3)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = client(&server);
    for _ in 0..3 {
        let b = client.balances(None).await.expect("balances");
        assert_eq!(b.balances.len(), 2);
    }
}

#[tokio::test]
async fn a_token_expired_mid_sync_is_refreshed_once() {
    let server = server().await;
    let token_calls = mount_two_tokens(&server, 32_400).await;
    let all = window1();
    // Page 1 with token one; then PayPal considers token one expired.
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_ONE}").as_str(),
        ))
        .and(search_query(
            "2026-10-01T00:00:00Z",
            "2026-10-30T23:59:59Z",
            1,
            4,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&all, 1, 4)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_ONE}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_token",
            "error_description": "Token signature verification failed"
        })))
        .expect(1)
        .mount(&server)
        .await;
    for page in 2..=3 {
        Mock::given(method("GET"))
            .and(path("/v1/reporting/transactions"))
            .and(header(
                "authorization",
                format!("Bearer {TOKEN_TWO}").as_str(),
            ))
            .and(search_query(
                "2026-10-01T00:00:00Z",
                "2026-10-30T23:59:59Z",
                page,
                4,
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&all, page as usize, 4)))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;

    let found = paged(&server)
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .await
        .expect("search");
    assert_eq!(found.transactions.len(), 9);
    assert_eq!(token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_is_refreshed_before_expires_in() {
    let server = server().await;
    // A 2-second token is refreshed after 1 second (half-way, since the margin is larger).
    let token_calls = mount_two_tokens(&server, 2).await;
    let all = window1();
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_ONE}").as_str(),
        ))
        .and(search_query(
            "2026-10-01T00:00:00Z",
            "2026-10-30T23:59:59Z",
            1,
            4,
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page_of(&all, 1, 4))
                .set_delay(Duration::from_millis(1_200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    for page in 2..=3 {
        Mock::given(method("GET"))
            .and(path("/v1/reporting/transactions"))
            .and(header(
                "authorization",
                format!("Bearer {TOKEN_TWO}").as_str(),
            ))
            .and(search_query(
                "2026-10-01T00:00:00Z",
                "2026-10-30T23:59:59Z",
                page,
                4,
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&all, page as usize, 4)))
            .expect(1)
            .mount(&server)
            .await;
    }
    mount_catch_all(&server).await;
    let found = paged(&server)
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .await
        .expect("search");
    assert_eq!(found.transactions.len(), 9);
    assert_eq!(token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn invalid_client_is_a_typed_error_without_the_secret() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("paypal-debug-id", "f0a1b2c3d4e5f")
                .set_body_json(fixture("token_invalid_client.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = client(&server);
    let err = client.balances(None).await.expect_err("refused");
    match &err {
        Error::Token {
            code, description, ..
        } => {
            assert_eq!(*code, TokenErrorCode::InvalidClient);
            assert_eq!(description.as_deref(), Some("Client Authentication failed"));
        }
        other => panic!("not a token error: {other:?}"),
    }
    assert!(!err.is_retryable());
    let display = err.to_string();
    assert_eq!(
        display,
        "paypal: POST /v1/oauth2/token: 401 Unauthorized: invalid_client: Client Authentication failed (request id f0a1b2c3d4e5f)"
    );
    let source: bookkeeping_core::SourceError = err.into();
    assert_eq!(source.kind, bookkeeping_core::SourceErrorKind::Auth);
    for text in [
        display,
        format!("{source:?}"),
        source.to_string(),
        format!("{client:?}"),
    ] {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(
            !text.contains(&BASIC[6..]),
            "basic credentials leaked: {text}"
        );
    }
}

#[tokio::test]
async fn debug_never_shows_the_secret_or_the_token() {
    let server = server().await;
    mount_token(&server, 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/balances"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("balances_2026-09-30T22.json")),
        )
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let builder = PayPalClient::builder(CLIENT_ID, SECRET.to_owned()).base_url(server.uri());
    let builder_debug = format!("{builder:?}");
    let client = builder.no_rate_limit().build().expect("client");
    client.balances(None).await.expect("balances");
    let client_debug = format!("{client:?}");
    for text in [builder_debug, client_debug] {
        assert!(text.contains(CLIENT_ID), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[test]
fn base_urls_must_be_https_or_loopback() {
    let err = PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
        .base_url("http://api-m.paypal.com.evil.example")
        .build()
        .expect_err("plain http to a remote host");
    assert!(matches!(err, Error::Http(_)), "{err:?}");
    assert!(!format!("{err:?}").contains(SECRET));
    assert!(
        PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
            .sandbox()
            .build()
            .is_ok()
    );
    assert!(matches!(
        PayPalClient::builder(" ", SECRET.to_owned()).build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        PayPalClient::builder(CLIENT_ID, SECRET.to_owned())
            .page_size(501)
            .build(),
        Err(Error::Config(_))
    ));
}

/// A `MakeWriter` that keeps everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_at_trace_level_never_show_the_secret_or_the_token() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // tracing-core caches each callsite's interest. While only one dispatcher
    // is registered, a callsite first hit by another test's thread (which has
    // no subscriber) is cached as "never" and this thread's subscriber would
    // miss it. A second live dispatcher makes tracing ask every registered
    // dispatcher instead (as provider-http's trace test does).
    let _second = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(std::io::sink)
            .finish(),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    let server = server().await;
    // The 401 on balances costs one refresh.
    mount_token(&server, 2).await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_of(&window1(), 1, 500)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/balances"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_token", "error_description": "Token signature verification failed"
        })))
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let client = client(&server);
    client
        .search(
            datetime!(2026-10-01 00:00 UTC),
            datetime!(2026-10-31 00:00 UTC),
        )
        .await
        .expect("search");
    let err = client
        .balances(None)
        .await
        .expect_err("401 after one refresh");
    tracing::error!(error = %err, debug = ?err, "logged by the host");

    let text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(
        text.contains("/v1/reporting/transactions"),
        "something was logged: {text}"
    );
    for secret in [SECRET, TOKEN, &BASIC[6..]] {
        assert!(!text.contains(secret), "leaked {secret} in logs:\n{text}");
    }
}
