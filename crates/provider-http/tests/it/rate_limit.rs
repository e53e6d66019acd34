//! The client-side rate limiter.

use std::time::{Duration, Instant};

use provider_http::RateLimit;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::support::{Thing, builder, ok_json};

#[tokio::test]
async fn requests_are_spaced() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok_json("r"))
        .expect(5)
        .mount(&server)
        .await;
    let client = builder(&server)
        .rate_limit(RateLimit::per_second(20))
        .build()
        .unwrap();
    let started = Instant::now();
    // Concurrent requests share the limiter too.
    let calls = (0..5).map(|_| {
        let c = client.clone();
        async move { c.get_json::<Thing>("/x", &[]).await }
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    // 5 requests 50 ms apart: the last starts 200 ms after the first.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(195), "{elapsed:?}");
}

#[tokio::test]
async fn throttle_pauses_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok_json("r"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    client.rate_limiter().throttle(Duration::from_millis(300));
    let started = Instant::now();
    let _: Thing = client.get_json("/x", &[]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(295));
}

#[tokio::test]
async fn retry_after_pauses_other_requests_too() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/limited"))
        .respond_with(crate::support::FailThenSucceed::new(
            1,
            wiremock::ResponseTemplate::new(429).insert_header("Retry-After", "1"),
            ok_json("a"),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/other"))
        .respond_with(ok_json("b"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let first = client.get_json::<Thing>("/limited", &[]);
    let c2 = client.clone();
    let second = async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        c2.get_json::<Thing>("/other", &[]).await.unwrap();
        started.elapsed()
    };
    let (a, waited) = tokio::join!(first, second);
    a.unwrap();
    assert!(waited >= Duration::from_millis(700), "{waited:?}");
}
