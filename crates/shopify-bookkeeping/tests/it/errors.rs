//! Errors: GraphQL errors, throttling, authentication, secrets, pacing.

use std::time::Duration;

use bookkeeping_core::SourceErrorKind;
use futures::TryStreamExt;
use serde_json::{Value, json};
use shopify_bookkeeping::{Error, OrderQuery};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn a_graphql_error_is_typed() {
    let server = MockServer::start().await;
    graphql(|_| true)
        .respond_with(ok(json!({
            "data": null,
            "errors": [{"message": "Access denied for orders field. Required access: `read_orders` access scope.",
                "locations": [{"line": 2, "column": 3}], "path": ["orders"],
                "extensions": {"code": "ACCESS_DENIED",
                    "documentation": "https://shopify.dev/api/usage/access-scopes"}}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let err = client
        .orders(OrderQuery::processed_in(&march()))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.graphql_codes(), ["ACCESS_DENIED"]);
    assert!(!err.is_retryable());
    insta::assert_snapshot!("access_denied", err.to_string());
    let source = bookkeeping_core::SourceError::from(err);
    assert_eq!(source.kind, SourceErrorKind::Auth);
}

#[tokio::test]
async fn throttling_past_the_retries_is_a_throttled_error() {
    let server = MockServer::start().await;
    graphql(|_| true)
        // Three attempts for errors, and up to sixteen waits per attempt for
        // a throttle that says when its points return: 3 + 48 requests.
        .respond_with(throttled(52, 50, 100))
        .expect(51)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let err = client
        .graphql(shopify_bookkeeping::queries::ORDERS, json!({}))
        .await
        .unwrap_err();
    let Error::Throttled {
        attempts,
        retry_after,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*attempts, 51);
    assert_eq!(*retry_after, Some(Duration::from_millis(20)));
    assert!(err.is_retryable());
    assert_eq!(
        bookkeeping_core::SourceError::from(err).kind,
        SourceErrorKind::RateLimited
    );
}

#[tokio::test]
async fn the_client_paces_itself_from_the_throttle_status() {
    let server = MockServer::start().await;
    graphql(|_| true)
        .respond_with(ok(json!({
            "data": {"shop": {"name": "Kassabok Demo"}},
            "extensions": {"cost": {"requestedQueryCost": 502, "actualQueryCost": 480,
                "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 22, "restoreRate": 100.0}}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let resp = client
        .graphql("query { shop { name } }", json!({}))
        .await
        .unwrap();
    assert_eq!(resp.data["shop"]["name"], "Kassabok Demo");
    // 480 points short at 100 per second: the next request waits ~4.8 s.
    let paused = client.http().rate_limiter().paused_until().expect("paused");
    let wait = paused - tokio::time::Instant::now();
    assert!(
        wait > Duration::from_secs(4) && wait <= Duration::from_millis(4800),
        "{wait:?}"
    );
}

/// The throttle status is the provider's numbers: a `requestedQueryCost` of
/// a million at a `restoreRate` of 1 asked the client to pause for eleven
/// days, which held every request of the close. A query never needs more
/// than the whole bucket (Shopify refuses one that costs more), and the
/// client never pauses longer than it honours a provider's asked-for wait
/// (60 s).
#[tokio::test]
async fn a_throttle_status_beyond_reason_pauses_the_client_at_most_a_minute() {
    for (requested, max, restore) in [
        (json!(1_000_000), json!(1000.0), json!(1)),
        (json!(1_000_000), Value::Null, json!(0.001)),
    ] {
        let server = MockServer::start().await;
        graphql(|_| true)
            .respond_with(ok(json!({
                "data": {"shop": {"name": "Kassabok Demo"}},
                "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": 10,
                    "throttleStatus": {"maximumAvailable": max, "currentlyAvailable": 0, "restoreRate": restore}}}
            })))
            .expect(1)
            .mount(&server)
            .await;
        catch_all(&server).await;
        let client = client(&server);
        client
            .graphql("query { shop { name } }", json!({}))
            .await
            .unwrap();
        let paused = client.http().rate_limiter().paused_until().expect("paused");
        let wait = paused - tokio::time::Instant::now();
        assert!(wait <= Duration::from_secs(60), "{wait:?}");
    }
}

#[tokio::test]
async fn a_bad_token_is_an_auth_error_without_the_token() {
    let server = MockServer::start().await;
    graphql(|_| true)
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("x-request-id", "5f6a7b8c-401")
                .set_body_json(json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let err = client
        .graphql("query { shop { name } }", json!({}))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?} {client:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(
        err.to_string()
            .starts_with("shopify: POST /admin/api/2026-01/graphql.json: 401"),
        "{err}"
    );
    assert_eq!(
        bookkeeping_core::SourceError::from(err).kind,
        SourceErrorKind::Auth
    );
}

#[test]
fn http_is_refused_except_on_loopback() {
    let err = shopify_bookkeeping::ShopifyClient::builder("kassabok-demo", TOKEN)
        .base_url("http://kassabok-demo.myshopify.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
    let err = shopify_bookkeeping::ShopifyClient::builder("evil.com/x?", TOKEN)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidShop { .. }));
}

/// A writer that keeps what the subscriber logs.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_is_never_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
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

    let server = MockServer::start().await;
    graphql(|_| true)
        .respond_with(FailThenSucceed::new(
            1,
            throttled(12, 10, 100),
            ResponseTemplate::new(401).set_body_json(json!({"errors": "[API] Invalid API key"})),
        ))
        .expect(2)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    tracing::info!(client = ?client, "client built");
    let err = client
        .graphql("query { shop { name } }", json!({}))
        .await
        .unwrap_err();
    tracing::warn!(error = %err, debug = ?err, "request failed");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("graphql.json"),
        "the request was logged: {logs}"
    );
    assert!(!logs.contains(TOKEN), "{logs}");
}
