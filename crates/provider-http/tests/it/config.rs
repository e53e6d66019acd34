//! Building clients: base URL rules, headers, user agent.

use provider_http::{HttpClient, HttpErrorKind, USER_AGENT};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Thing, builder, catch_all, ok_json};

fn build(url: &str) -> Result<HttpClient, provider_http::HttpError> {
    HttpClient::builder("test", "https://api.example.com")
        .base_url(url)
        .build()
}

#[test]
fn http_to_a_non_loopback_host_is_refused() {
    for url in [
        "http://api.stripe.com",
        "http://10.0.0.1:8080",
        "http://localhost.evil.example",
        "http://[::ffff:10.0.0.1]",
    ] {
        let err = build(url).unwrap_err();
        assert!(
            matches!(err.kind(), HttpErrorKind::Config { .. }),
            "{url}: {err:?}"
        );
        assert!(err.to_string().contains("https"), "{err}");
    }
}

#[test]
fn https_and_loopback_http_are_accepted() {
    for url in [
        "https://api.stripe.com",
        "https://shop.myshopify.com/admin/api/2025-07/",
        "http://127.0.0.1:1234",
        "http://127.8.9.10",
        "http://localhost:8080",
        "http://[::1]:9000",
    ] {
        build(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

#[test]
fn other_schemes_credentials_and_queries_are_refused() {
    for url in [
        "ftp://127.0.0.1",
        "https://user:pw@api.example.com",
        "https://api.example.com/?key=1",
        "not a url",
    ] {
        assert!(build(url).is_err(), "{url}");
    }
}

#[test]
fn invalid_header_fails_at_build() {
    let err = HttpClient::builder("test", "https://api.example.com")
        .header("Stripe-Version", "bad\nvalue")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("Stripe-Version"), "{err}");
}

#[tokio::test]
async fn base_path_query_headers_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts"))
        .and(query_param("size", "500"))
        .and(query_param("start_date", "2026-03-01T00:00:00Z"))
        .and(header(
            "user-agent",
            format!("{USER_AGENT} klarna-settlements/0.1.0").as_str(),
        ))
        .and(header("x-api-version", "1"))
        .and(header("accept", "application/json"))
        .respond_with(ok_json("p"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server)
        .base_url(format!("{}/settlements/v1/", server.uri()))
        .header("X-Api-Version", "1")
        .user_agent_suffix("klarna-settlements/0.1.0")
        .build()
        .unwrap();
    assert!(USER_AGENT.starts_with("kassabok/"));
    let _: Thing = client
        .get_json(
            "/payouts",
            &[
                ("size", "500".into()),
                ("start_date", "2026-03-01T00:00:00Z".into()),
            ],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn absolute_urls_as_paths_are_refused() {
    let server = MockServer::start().await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    for p in ["https://evil.example/x", "//evil.example/x"] {
        let err = client.get_json::<Thing>(p, &[]).await.unwrap_err();
        assert!(
            matches!(err.kind(), HttpErrorKind::Config { .. }),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/x"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "https://evil.example/"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
}
