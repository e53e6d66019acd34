//! Builder, regions, authentication and secrets.

use klarna_settlements::models::PaymentReference;
use klarna_settlements::{Credentials, Environment, Error, KlarnaClient, Region};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{BASIC, PASSWORD, USERNAME, client, json_response, mount_catch_all};

#[test]
fn regions_and_playground_have_klarnas_urls() {
    assert_eq!(
        Region::Eu.base_url(Environment::Live),
        "https://api.klarna.com"
    );
    assert_eq!(
        Region::Na.base_url(Environment::Live),
        "https://api-na.klarna.com"
    );
    assert_eq!(
        Region::Oc.base_url(Environment::Playground),
        "https://api-oc.playground.klarna.com"
    );
    let c = KlarnaClient::builder(Credentials::api_key("klarna_test_api_x"))
        .region(Region::Na)
        .playground()
        .build()
        .unwrap();
    assert_eq!(c.region(), Region::Na);
    assert_eq!(c.environment(), Environment::Playground);
    assert_eq!(
        c.http().base_url().as_str(),
        "https://api-na.playground.klarna.com/"
    );
}

#[test]
fn build_refuses_bad_settings() {
    let err = KlarnaClient::builder(Credentials::basic(USERNAME, PASSWORD))
        .page_size(501)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert_eq!(
        err.to_string(),
        "klarna: invalid configuration: page size 501 is outside 1..=500"
    );
    let err = KlarnaClient::builder(Credentials::basic(USERNAME, PASSWORD))
        .base_url("http://klarna.example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Http(_)), "{err}");
}

#[tokio::test]
async fn sends_basic_auth_with_username_and_password() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/K7Q2M9XB"))
        .and(header("authorization", BASIC))
        .respond_with(json_response("payout-sek-K7Q2M9XB.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let payout = client(&server)
        .payout(&PaymentReference::new("K7Q2M9XB"))
        .await
        .unwrap();
    assert_eq!(payout.totals.settlement_amount, 128_765);
}

#[tokio::test]
async fn sends_an_api_key_verbatim_after_basic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/K7Q2M9XB"))
        .and(header("authorization", "Basic klarna_test_api_S3cr3tK3y"))
        .respond_with(json_response("payout-sek-K7Q2M9XB.json"))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let c = KlarnaClient::builder(Credentials::api_key(PASSWORD))
        .base_url(server.uri())
        .build()
        .unwrap();
    let payout = c.payout(&PaymentReference::new("K7Q2M9XB")).await.unwrap();
    assert_eq!(payout.payment_reference.as_str(), "K7Q2M9XB");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/K7Q2M9XB"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error_code": "UNAUTHORIZED",
            "error_messages": ["Invalid credentials"],
            "correlation_id": "2f8e1c3a-9b7d-4e5f-a1c2-d3e4f5a6b7c8"
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let creds = Credentials::basic(USERNAME, PASSWORD);
    let key = Credentials::api_key(PASSWORD);
    let builder = KlarnaClient::builder(creds.clone()).base_url(server.uri());
    let builder_debug = format!("{builder:?}");
    let c = builder.build().unwrap();
    let err = c
        .payout(&PaymentReference::new("K7Q2M9XB"))
        .await
        .unwrap_err();
    let texts = [
        format!("{creds:?}"),
        format!("{key:?}"),
        builder_debug,
        format!("{c:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{}", bookkeeping_core::SourceError::from(err)),
    ];
    for text in &texts {
        assert!(!text.contains(PASSWORD), "secret in {text}");
        assert!(!text.contains(&BASIC[6..]), "encoded secret in {text}");
    }
    assert!(texts[0].contains(USERNAME), "{}", texts[0]);
    assert!(texts[0].contains("[redacted]"), "{}", texts[0]);
}

#[tokio::test]
async fn errors_keep_klarnas_error_shape() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/payouts/K7Q2M9XX"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "error_code": "NOT_FOUND",
            "error_messages": ["Payout with payment_reference K7Q2M9XX not found"],
            "correlation_id": "6c1f2a9e-3b7d-4e21-9a55-0d8c7b6e5f43"
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let err = client(&server)
        .payout(&PaymentReference::new("K7Q2M9XX"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(!err.is_retryable());
    let klarna = err.klarna_error().expect("klarna error body");
    assert_eq!(klarna.error_code, "NOT_FOUND");
    assert_eq!(
        klarna.error_messages,
        ["Payout with payment_reference K7Q2M9XX not found"]
    );
    assert_eq!(
        err.correlation_id().as_deref(),
        Some("6c1f2a9e-3b7d-4e21-9a55-0d8c7b6e5f43")
    );
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn rate_limit_defaults_to_klarnas_per_merchant_limits_and_clones_share_it() {
    use provider_http::RateLimit;
    let live = KlarnaClient::builder(Credentials::basic(USERNAME, PASSWORD))
        .build()
        .unwrap();
    assert_eq!(
        live.http().rate_limiter().limit(),
        Some(RateLimit::per_second(200))
    );
    let playground = KlarnaClient::builder(Credentials::basic(USERNAME, PASSWORD))
        .playground()
        .build()
        .unwrap();
    assert_eq!(
        playground.http().rate_limiter().limit(),
        Some(RateLimit::per_second(50))
    );
    let custom = KlarnaClient::builder(Credentials::basic(USERNAME, PASSWORD))
        .rate_limit(RateLimit::per_second(5))
        .build()
        .unwrap();
    let clone = custom.clone();
    clone
        .http()
        .rate_limiter()
        .set_limit(Some(RateLimit::per_second(7)));
    assert_eq!(
        custom.http().rate_limiter().limit(),
        Some(RateLimit::per_second(7)),
        "one limiter per merchant, shared by clones"
    );
}
