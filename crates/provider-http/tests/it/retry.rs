//! Retries: status codes, Retry-After, classifiers, transport errors, the budget.

use std::time::{Duration, Instant, SystemTime};

use provider_http::http::{HeaderMap, StatusCode};
use provider_http::{
    HttpErrorKind, Idempotency, RetryClassifier, RetryDecision, RetryPolicy, TransportKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{FailThenSucceed, Thing, builder, catch_all, fast_retry, ok_json};

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things/1"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(429).insert_header("Retry-After", "1"),
            ok_json("1"),
        ))
        .expect(2)
        .named("429 with Retry-After: 1, then 200")
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let started = Instant::now();
    let thing: Thing = client.get_json("/v1/things/1", &[]).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(thing.id, "1");
    assert!(
        elapsed >= Duration::from_millis(950),
        "waited only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "waited {elapsed:?}");
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    // HTTP dates have whole seconds: ask for 2 s from now, which is at least 1 s away.
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(503).insert_header("Retry-After", at.as_str()),
            ok_json("1"),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let started = Instant::now();
    let _: Thing = client.get_json("/x", &[]).await.unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900),
        "waited only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "waited {elapsed:?}");
}

#[tokio::test]
async fn service_unavailable_twice_then_ok() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things"))
        .respond_with(FailThenSucceed::new(
            2,
            ResponseTemplate::new(503),
            ok_json("a"),
        ))
        .expect(3)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let resp = client
        .send(provider_http::RequestSpec::get("/v1/things"))
        .await
        .unwrap();
    assert_eq!(resp.attempts(), 3);
    let thing: Thing = client.decode(&resp).unwrap();
    assert_eq!(thing.id, "a");
}

#[tokio::test]
async fn budget_exhausted_says_how_many_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("Request-Id", "req_42")
                .set_body_json(
                    serde_json::json!({"error": {"type": "api_error", "message": "boom"}}),
                ),
        )
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server).retry(fast_retry(3)).build().unwrap();

    let err = client
        .get_json::<Thing>("/v1/things", &[])
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    let api = err.api().unwrap();
    assert_eq!(api.status.as_u16(), 500);
    assert_eq!(api.details.code.as_deref(), Some("api_error"));
    assert_eq!(api.details.request_id.as_deref(), Some("req_42"));
    let shown = err.to_string();
    assert!(shown.contains("after 3 attempts"), "{shown}");
    assert!(shown.starts_with("test: GET /v1/things: 500"), "{shown}");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_string("{\"errors\":\"Not Found\"}"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable());
    assert_eq!(
        err.api().unwrap().details.message.as_deref(),
        Some("Not Found")
    );
}

#[tokio::test]
async fn non_idempotent_post_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(503),
            ok_json("p"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .post_json::<_, Thing>(
            "/create",
            &serde_json::json!({}),
            Idempotency::NotIdempotent,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable(), "a later run may succeed");
}

#[tokio::test]
async fn idempotent_post_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(502),
            ok_json("q"),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let thing: Thing = client
        .post_json(
            "/graphql.json",
            &serde_json::json!({"query": "{}"}),
            Idempotency::Idempotent,
        )
        .await
        .unwrap();
    assert_eq!(thing.id, "q");
}

/// A provider whose `Should-Retry` header says whether to retry (as
/// Stripe's `Stripe-Should-Retry` does): a classifier's `Retry` and
/// `DoNotRetry` override the status rules.
#[derive(Debug)]
struct ShouldRetryHeader;

impl RetryClassifier for ShouldRetryHeader {
    fn classify(&self, _: StatusCode, headers: &HeaderMap, _: &[u8]) -> RetryDecision {
        match headers.get("should-retry").and_then(|v| v.to_str().ok()) {
            Some("true") => RetryDecision::Retry { after: None },
            Some("false") => RetryDecision::DoNotRetry,
            _ => RetryDecision::Default,
        }
    }
}

/// A provider that answers `THROTTLED` with status 200 and says, from its
/// own rate-limit state, when capacity returns (as Shopify's GraphQL cost
/// does): a metered wait, here the 0.1 s of
/// `(requested 105 - available 100) / restore rate 50`.
#[derive(Debug)]
struct MeteredThrottle;

impl RetryClassifier for MeteredThrottle {
    fn classify(&self, _: StatusCode, _: &HeaderMap, body: &[u8]) -> RetryDecision {
        if body.windows(9).any(|w| w == b"THROTTLED") {
            RetryDecision::Retry {
                after: Some(Duration::from_millis(100)),
            }
        } else {
            RetryDecision::Default
        }
    }
}

#[tokio::test]
async fn a_classifiers_do_not_retry_stops_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).insert_header("Should-Retry", "false"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .classifier(ShouldRetryHeader)
        .build()
        .unwrap();
    let err = client
        .get_json::<Thing>("/v1/payouts", &[])
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_classifiers_retry_retries_a_400() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(400).insert_header("Should-Retry", "true"),
            ok_json("s"),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .classifier(ShouldRetryHeader)
        .build()
        .unwrap();
    let _: Thing = client.get_json("/v1/payouts", &[]).await.unwrap();
}

fn throttled_body() -> serde_json::Value {
    serde_json::json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {"cost": {"requestedQueryCost": 105, "actualQueryCost": null,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 100, "restoreRate": 50.0}}}
    })
}

#[tokio::test]
async fn a_throttled_answer_with_status_200_is_retried_after_the_metered_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(FailThenSucceed::new(
            1,
            ResponseTemplate::new(200).set_body_json(throttled_body()),
            ok_json("gid://shopify/Order/1"),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .classifier(MeteredThrottle)
        .build()
        .unwrap();
    let started = Instant::now();
    let thing: Thing = client
        .post_json(
            "/admin/api/2025-07/graphql.json",
            &serde_json::json!({"query": "{}"}),
            Idempotency::Idempotent,
        )
        .await
        .unwrap();
    // (105 - 100) / 50 = 0.1 s.
    assert!(
        started.elapsed() >= Duration::from_millis(95),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(thing.id, "gid://shopify/Order/1");
}

#[tokio::test]
async fn throttled_beyond_the_metered_wait_budget_is_an_error() {
    // A throttled answer says when points return, so it does not use up the
    // two attempts meant for errors: up to sixteen waits per attempt follow
    // (2 + 32 requests), then the client gives up with Shopify's answer.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(throttled_body()))
        .expect(34)
        .mount(&server)
        .await;
    let client = builder(&server)
        .classifier(MeteredThrottle)
        .retry(fast_retry(2))
        .build()
        .unwrap();
    let err = client
        .post_json::<_, Thing>(
            "/graphql.json",
            &serde_json::json!({}),
            Idempotency::Idempotent,
        )
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(api.details.code.as_deref(), Some("THROTTLED"));
    assert_eq!(err.retry_after(), Some(Duration::from_millis(100)));
    assert_eq!(err.attempts(), 34);
}

#[tokio::test]
async fn retry_after_beyond_the_limit_is_not_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let started = Instant::now();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

/// A raw HTTP server on loopback that drops the first `drops` connections right after
/// accepting them (a reset connection), then answers every request with a small JSON body.
async fn dropping_server(drops: usize) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let mut accepted = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            accepted += 1;
            if accepted <= drops {
                // Read part of the request so the client has sent it, then reset.
                let mut buf = [0u8; 16];
                let _ = socket.read(&mut buf).await;
                drop(socket);
                continue;
            }
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let body = r#"{"id":"raw","amount":1}"#;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
                    body.len(),
                    body
                );
                let _ = socket.write_all(resp.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), handle)
}

#[tokio::test]
async fn reset_connection_is_retried() {
    let (url, server) = dropping_server(2).await;
    let client = provider_http::HttpClient::builder("test", &url)
        .retry(fast_retry(4))
        .build()
        .unwrap();
    let resp = client
        .send(provider_http::RequestSpec::get("/x"))
        .await
        .unwrap();
    assert_eq!(resp.attempts(), 3);
    let thing: Thing = client.decode(&resp).unwrap();
    assert_eq!(thing.id, "raw");
    server.abort();
}

#[tokio::test]
async fn reset_connection_every_time_gives_up_after_the_budget() {
    let (url, server) = dropping_server(usize::MAX).await;
    let client = provider_http::HttpClient::builder("test", &url)
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client
        .get_json::<Thing>("/x", &[("q", "1".into())])
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert!(
        matches!(
            err.kind(),
            HttpErrorKind::Transport {
                kind: TransportKind::Connection,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    server.abort();
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let client = provider_http::HttpClient::builder("test", &format!("http://127.0.0.1:{port}"))
        .retry(fast_retry(2))
        .build()
        .unwrap();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            HttpErrorKind::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 2);
}

#[tokio::test]
async fn timeout_is_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok_json("slow").set_delay(Duration::from_millis(300)))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .timeout(Duration::from_millis(50))
        .retry(fast_retry(2))
        .build()
        .unwrap();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.attempts(), 2);
}

#[tokio::test]
async fn no_retries_policy_sends_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    assert_eq!(err.attempts(), 1);
}
