//! Decode errors and what errors show.

use provider_http::{HttpErrorKind, MAX_ERROR_BODY};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Thing, builder, catch_all};

#[derive(Debug, serde::Deserialize)]
struct List {
    #[allow(dead_code)]
    data: Vec<Thing>,
}

#[tokio::test]
async fn body_that_is_not_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/things"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let err = client
        .get_json::<List>("/v1/things", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), HttpErrorKind::Decode { .. }),
        "{err:?}"
    );
    assert_eq!(err.decode_path(), Some("."));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.body().unwrap().text, "<html>maintenance</html>");
    assert!(!err.is_retryable());
    let shown = err.to_string();
    assert!(
        shown.starts_with("test: GET /v1/things: decoding the response failed at `.`"),
        "{shown}"
    );
}

#[tokio::test]
async fn missing_field_names_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"id": "a", "amount": 1}, {"id": "b", "amount": 2}, {"id": "c"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let err = client
        .get_json::<List>("/v1/things", &[])
        .await
        .unwrap_err();
    assert_eq!(err.decode_path(), Some("data[2]"));
    let shown = err.to_string();
    assert!(shown.contains("data[2]"), "{shown}");
    assert!(shown.contains("missing field `amount`"), "{shown}");
}

#[tokio::test]
async fn wrong_type_names_the_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"id": "a", "amount": "12.50"}]
        })))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .get_json::<List>("/v1/things", &[])
        .await
        .unwrap_err();
    assert_eq!(err.decode_path(), Some("data[0].amount"));
}

#[tokio::test]
async fn utf8_bom_is_skipped() {
    let server = MockServer::start().await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"id":"k","amount":5}"#);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let thing: Thing = client.get_json("/x", &[]).await.unwrap();
    assert_eq!(thing.id, "k");
}

#[tokio::test]
async fn error_body_is_bounded_and_html_is_kept() {
    let server = MockServer::start().await;
    let html = format!("<h1>502 Bad Gateway</h1>{}", "x".repeat(20_000));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_string(html))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client.get_json::<Thing>("/x", &[]).await.unwrap_err();
    let body = err.body().unwrap();
    assert!(body.truncated);
    assert_eq!(body.text.len(), MAX_ERROR_BODY);
    assert!(body.text.starts_with("<h1>502 Bad Gateway</h1>"));
    assert_eq!(err.api().unwrap().details.code, None);
}

#[tokio::test]
async fn query_never_appears_in_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .get_json::<Thing>("/search", &[("email", "anna@example.se".to_owned())])
        .await
        .unwrap_err();
    assert_eq!(err.request().unwrap().path, "/search");
    assert!(!err.to_string().contains("anna@"));
    assert!(!format!("{err:?}").contains("anna@"));
}

#[tokio::test]
async fn provider_crate_can_turn_a_200_into_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "shop-req-9")
                .set_body_json(serde_json::json!({
                    "data": null,
                    "errors": [{"message": "Access denied for orders field.",
                                "extensions": {"code": "ACCESS_DENIED"}}]
                })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let resp = client
        .send(
            provider_http::RequestSpec::post("/graphql.json")
                .json(&serde_json::json!({"query": "{ orders { nodes { id } } }"}))
                .idempotency(provider_http::Idempotency::Idempotent),
        )
        .await
        .unwrap();
    let err = client.api_error(&resp, None);
    let api = err.api().unwrap();
    assert_eq!(api.details.code.as_deref(), Some("ACCESS_DENIED"));
    assert_eq!(api.details.request_id.as_deref(), Some("shop-req-9"));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "test: POST /graphql.json: 200 OK: ACCESS_DENIED: Access denied for orders field. (request id shop-req-9)"
    );
}
