//! Authentication, the token cache and secret redaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use provider_http::http::header::HeaderName;
use provider_http::{
    AccessToken, Auth, ClientCredentials, HttpClient, HttpError, SecretString, TokenSource,
    async_trait,
};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{Thing, builder, catch_all, ok_json};

const SECRET: &str = "sk_test_VERY_SECRET_51Hx";

#[tokio::test]
async fn bearer_header_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .respond_with(ok_json("1"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).auth(Auth::bearer(SECRET)).build().unwrap();
    let _: Thing = client.get_json("/x", &[]).await.unwrap();
}

#[tokio::test]
async fn basic_and_custom_header_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/basic"))
        // base64("klarna_user:pa55word")
        .and(header(
            "authorization",
            "Basic a2xhcm5hX3VzZXI6cGE1NXdvcmQ=",
        ))
        .respond_with(ok_json("b"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/custom"))
        .and(header("x-shopify-access-token", "shpat_123"))
        .respond_with(ok_json("c"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let basic = builder(&server)
        .auth(Auth::basic("klarna_user", "pa55word"))
        .build()
        .unwrap();
    let _: Thing = basic.get_json("/basic", &[]).await.unwrap();
    let custom = builder(&server)
        .auth(Auth::header(
            HeaderName::from_static("x-shopify-access-token"),
            "shpat_123",
        ))
        .build()
        .unwrap();
    let _: Thing = custom.get_json("/custom", &[]).await.unwrap();
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fail"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key"}}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/garbage"))
        .respond_with(ResponseTemplate::new(200).set_body_string("not json"))
        .mount(&server)
        .await;
    let auths = [
        Auth::bearer(SECRET),
        Auth::basic("user", SECRET),
        Auth::header(HeaderName::from_static("x-shopify-access-token"), SECRET),
        Auth::token(ClientCredentials::new("/token", "client", SECRET)),
    ];
    for auth in auths {
        let b = builder(&server)
            .auth(auth.clone())
            .retry(provider_http::RetryPolicy::none());
        assert!(!format!("{b:?}").contains(SECRET));
        assert!(!format!("{auth:?}").contains(SECRET));
        let client = b.build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("VERY_SECRET"), "{shown}");
        for p in ["/fail", "/garbage"] {
            let err = client.get_json::<Thing>(p, &[]).await.unwrap_err();
            for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
                assert!(!text.contains(SECRET), "{text}");
            }
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                assert!(!s.to_string().contains(SECRET));
                source = s.source();
            }
        }
    }
    // A transport error (its URL is stripped) neither.
    let client = HttpClient::builder("test", "http://127.0.0.1:9")
        .auth(Auth::bearer(SECRET))
        .retry(provider_http::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .get_json::<Thing>("/x", &[("token", SECRET.to_owned())])
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains(SECRET), "{err:?}");
}

/// A token source that counts its calls and hands out `tok-<n>` tokens.
#[derive(Debug, Default)]
struct Counting {
    calls: Arc<AtomicUsize>,
    lifetime: Option<Duration>,
}

#[async_trait]
impl TokenSource for Counting {
    async fn fetch(&self, _http: &HttpClient) -> Result<AccessToken, HttpError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(AccessToken::new(
            SecretString::from(format!("tok-{n}")),
            self.lifetime,
        ))
    }
}

#[tokio::test]
async fn oauth_token_is_cached_and_refreshed_before_expiry() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ok_json("1"))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ok_json("2"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let source = Counting {
        calls: Arc::clone(&calls),
        lifetime: Some(Duration::from_millis(400)),
    };
    // Refresh 300 ms before expiry is more than half the lifetime: refresh at 200 ms.
    let client = builder(&server)
        .auth(Auth::token(source))
        .token_refresh_margin(Duration::from_millis(300))
        .build()
        .unwrap();
    let concurrent = (0..3).map(|_| client.get_json::<Thing>("/x", &[]));
    for r in futures::future::join_all(concurrent).await {
        assert_eq!(r.unwrap().id, "1");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one token for concurrent requests"
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    let thing: Thing = client.get_json("/x", &[]).await.unwrap();
    assert_eq!(thing.id, "2");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unauthorized_triggers_exactly_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = builder(&server)
        .auth(Auth::token(Counting {
            calls: Arc::clone(&calls),
            lifetime: None,
        }))
        .build()
        .unwrap();
    // The timeout turns a refresh loop into a failure instead of a hang.
    let err = tokio::time::timeout(Duration::from_secs(5), client.get_json::<Thing>("/x", &[]))
        .await
        .expect("a 401 must not refresh forever")
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "initial token + one refresh"
    );
    assert_eq!(err.attempts(), 2);
}

#[tokio::test]
async fn unauthorized_then_fresh_token_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ok_json("ok"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = builder(&server)
        .auth(Auth::token(Counting {
            calls: Arc::clone(&calls),
            lifetime: None,
        }))
        .build()
        .unwrap();
    let thing: Thing = client.get_json("/x", &[]).await.unwrap();
    assert_eq!(thing.id, "ok");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn client_credentials_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth2/token"))
        // base64("client-id:client-secret")
        .and(header(
            "authorization",
            "Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=",
        ))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "scope": "https://uri.paypal.com/services/reporting/search/read",
            "access_token": "A21AAL9x0EXAMPLE",
            "token_type": "Bearer",
            "expires_in": 32400
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/reporting/transactions"))
        .and(header("authorization", "Bearer A21AAL9x0EXAMPLE"))
        .respond_with(ok_json("t"))
        .expect(2)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server)
        .auth(Auth::token(ClientCredentials::new(
            "/v1/oauth2/token",
            "client-id",
            "client-secret",
        )))
        .build()
        .unwrap();
    for _ in 0..2 {
        let _: Thing = client
            .get_json("/v1/reporting/transactions", &[])
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn token_endpoint_failure_is_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client", "error_description": "Client Authentication failed"
        })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server)
        .auth(Auth::token(ClientCredentials::new(
            "/v1/oauth2/token",
            "id",
            SECRET,
        )))
        .build()
        .unwrap();
    let err = client
        .get_json::<Thing>("/v1/reporting/transactions", &[])
        .await
        .unwrap_err();
    assert_eq!(err.request().unwrap().path, "/v1/oauth2/token");
    assert_eq!(
        err.api().unwrap().details.code.as_deref(),
        Some("invalid_client")
    );
    assert!(!format!("{err} {err:?}").contains(SECRET));
}

#[tokio::test]
async fn absurd_token_lifetime_does_not_panic() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "long-lived", "expires_in": u64::MAX
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer long-lived"))
        .respond_with(ok_json("l"))
        .expect(2)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server)
        .auth(Auth::token(ClientCredentials::new(
            "/token", "id", "secret",
        )))
        .build()
        .unwrap();
    for _ in 0..2 {
        let _: Thing = client.get_json("/x", &[]).await.unwrap();
    }
}
