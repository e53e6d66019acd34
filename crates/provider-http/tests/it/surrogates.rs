//! A JSON escape of half a UTF-16 surrogate pair (`"\ud800"`) is valid JSON
//! text but no Unicode character, and serde_json refuses the whole body for
//! it ("lone leading surrogate in hex escape"): one customer text with it
//! would fail a whole page of records. The body is mended: a lone surrogate
//! escape reads as U+FFFD, a valid pair and an escaped backslash stay as sent.

use provider_http::HttpClient;
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering every request with `body`, and a client of it (the
/// server stops when dropped).
async fn serve(body: &'static str, content_type: &str) -> (HttpClient, MockServer) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.as_bytes(), content_type))
        .mount(&server)
        .await;
    let client = crate::support::builder(&server).build().unwrap();
    (client, server)
}

#[tokio::test]
async fn a_lone_surrogate_escape_reads_as_a_replacement_character_and_the_page_decodes() {
    let (client, _server) = serve(
        r#"{"data": [
            {"id": "a", "description": "high \ud800 alone"},
            {"id": "b", "description": "low \udc00 alone, high then letter \uD83D\u0041"},
            {"id": "c", "description": "pair \ud83d\ude00, escaped \\ud800, \\\ud800"},
            {"id": "d", "description": "at the end \udbff"}
        ], "has_more": false}"#,
        "application/json",
    )
    .await;
    let page: Value = client.get_json("/v1/things", &[]).await.unwrap();
    let texts: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "high \u{fffd} alone",
            "low \u{fffd} alone, high then letter \u{fffd}A",
            "pair 😀, escaped \\ud800, \\\u{fffd}",
            "at the end \u{fffd}",
        ]
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_left_as_sent() {
    let csv = "id,description\r\n1,\\ud800 typed as text\r\n";
    let (client, _server) =
        serve("id,description\r\n1,\\ud800 typed as text\r\n", "text/csv").await;
    let resp = client
        .send(provider_http::RequestSpec::get("/report.csv"))
        .await
        .unwrap();
    assert_eq!(&resp.body()[..], csv.as_bytes());
}
