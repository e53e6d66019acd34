//! Credentials and how they become an `Authorization` (or custom) header.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::{HttpClient, HttpError, Idempotency, RequestSpec};

/// How requests authenticate. `Debug` never shows a secret.
///
/// Header values are built once when the client is built (so a value that is not a valid
/// header fails at [`build`](crate::HttpClientBuilder::build)) and marked sensitive, so
/// reqwest, hyper and `http` never print them.
#[derive(Clone)]
#[non_exhaustive]
pub enum Auth {
    /// No authentication.
    None,
    /// `Authorization: Bearer <token>` (Stripe secret keys).
    Bearer(SecretString),
    /// `Authorization: Basic base64(username:password)` (Klarna).
    Basic {
        /// The user name (not secret; shown in `Debug`).
        username: String,
        /// The password.
        password: SecretString,
    },
    /// A custom header carrying a secret, e.g. Shopify's `X-Shopify-Access-Token`.
    Header {
        /// The header name.
        name: HeaderName,
        /// The header value.
        value: SecretString,
    },
    /// `Authorization: Bearer <token>` with tokens from a [`TokenSource`] (OAuth2 client
    /// credentials, PayPal). Tokens are cached, refreshed shortly before they expire (see
    /// [`HttpClientBuilder::token_refresh_margin`](crate::HttpClientBuilder::token_refresh_margin)),
    /// and refreshed once when the provider answers 401.
    Token(Arc<dyn TokenSource>),
}

impl Auth {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<SecretString>) -> Self {
        Self::Bearer(token.into())
    }

    /// HTTP Basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// A custom header carrying a secret.
    pub fn header(name: HeaderName, value: impl Into<SecretString>) -> Self {
        Self::Header {
            name,
            value: value.into(),
        }
    }

    /// Tokens from a [`TokenSource`], cached and refreshed.
    pub fn token(source: impl TokenSource + 'static) -> Self {
        Self::Token(Arc::new(source))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Bearer(_) => f.write_str("Bearer([redacted])"),
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"[redacted]")
                .finish(),
            Self::Header { name, .. } => f
                .debug_struct("Header")
                .field("name", name)
                .field("value", &"[redacted]")
                .finish(),
            Self::Token(source) => f.debug_tuple("Token").field(source).finish(),
        }
    }
}

/// A sensitive header value: `Basic base64(username:password)`.
pub(crate) fn basic_header(username: &str, password: &SecretString) -> Option<HeaderValue> {
    let raw = format!("{username}:{}", password.expose_secret());
    let mut value = HeaderValue::from_str(&format!("Basic {}", base64(raw.as_bytes()))).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// A sensitive header value: `Bearer <token>`.
pub(crate) fn bearer_header(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// A sensitive header value as given.
pub(crate) fn secret_header(value: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(value.expose_secret()).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Standard base64 with padding (RFC 4648), as HTTP Basic authentication (RFC 7617) wants.
fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

/// An access token with its lifetime, as a [`TokenSource`] returns it.
#[derive(Clone)]
pub struct AccessToken {
    token: SecretString,
    expires_in: Option<Duration>,
}

impl AccessToken {
    /// A token valid for `expires_in` from now (`None`: until the provider answers 401).
    pub fn new(token: impl Into<SecretString>, expires_in: Option<Duration>) -> Self {
        Self {
            token: token.into(),
            expires_in,
        }
    }

    /// The token.
    pub fn token(&self) -> &SecretString {
        &self.token
    }

    /// How long the token is valid, counted from when it was fetched.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Fetches access tokens, e.g. with the OAuth2 client-credentials grant.
///
/// The client calls [`fetch`](TokenSource::fetch) only when it has no valid cached token, one
/// caller at a time. `http` is the same client (base URL, timeouts, retries, rate limiter,
/// error decoder) **without** authentication, so a token request can set its own
/// `Authorization` header; see [`ClientCredentials`] for the ready-made OAuth2 source.
///
/// Implement it with `#[async_trait]` (re-exported as [`provider_http::async_trait`](crate::async_trait)):
///
/// ```
/// use std::time::Duration;
/// use provider_http::http::header::{AUTHORIZATION, HeaderValue};
/// use provider_http::{
///     async_trait, AccessToken, Auth, ExposeSecret, HttpClient, HttpError, Idempotency,
///     RequestSpec, SecretString, TokenSource,
/// };
///
/// /// A provider that trades a refresh token for an access token (JSON in, JSON out).
/// #[derive(Debug)]
/// struct RefreshToken(SecretString); // SecretString's Debug is redacted
///
/// #[derive(serde::Deserialize)]
/// struct Answer { token: SecretString, ttl_seconds: u64 }
///
/// #[async_trait]
/// impl TokenSource for RefreshToken {
///     async fn fetch(&self, http: &HttpClient) -> Result<AccessToken, HttpError> {
///         let body = serde_json::json!({ "refresh_token": self.0.expose_secret() });
///         let answer: Answer = http.post_json("/oauth/token", &body, Idempotency::Idempotent).await?;
///         Ok(AccessToken::new(answer.token, Some(Duration::from_secs(answer.ttl_seconds))))
///     }
/// }
///
/// # fn build() -> Result<HttpClient, HttpError> {
/// let client = HttpClient::builder("example", "https://api.example.com")
///     .auth(Auth::token(RefreshToken(SecretString::from("rt_..."))))
///     .build()?;
/// # Ok(client) }
/// ```
///
/// # Errors
///
/// Whatever the token endpoint answered; the request that needed the token fails with it.
#[async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Fetches a fresh token.
    async fn fetch(&self, http: &HttpClient) -> Result<AccessToken, HttpError>;
}

/// The OAuth2 client-credentials grant (RFC 6749 §4.4), as PayPal uses it:
/// `POST <token_path>` with `Authorization: Basic base64(client_id:client_secret)` and the
/// form `grant_type=client_credentials[&scope=...]`; the answer is JSON with `access_token`
/// and `expires_in` (seconds).
///
/// The token request is retried like any idempotent request (it creates nothing).
#[derive(Clone)]
pub struct ClientCredentials {
    token_path: String,
    client_id: String,
    client_secret: SecretString,
    scope: Option<String>,
}

impl ClientCredentials {
    /// A client-credentials source posting to `token_path` (relative to the client's base URL,
    /// e.g. `/v1/oauth2/token` for PayPal).
    pub fn new(
        token_path: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        Self {
            token_path: token_path.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: None,
        }
    }

    /// Asks for the given scope (space-separated scopes).
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_path", &self.token_path)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("scope", &self.scope)
            .finish()
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    expires_in: Option<u64>,
}

#[async_trait]
impl TokenSource for ClientCredentials {
    async fn fetch(&self, http: &HttpClient) -> Result<AccessToken, HttpError> {
        let auth = basic_header(&self.client_id, &self.client_secret).ok_or_else(|| {
            HttpError::config(http.provider(), "client id or secret is not a valid header")
        })?;
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope));
        }
        let spec = RequestSpec::post(&self.token_path)
            .header(AUTHORIZATION, auth)
            .form(&form)
            .idempotency(Idempotency::Idempotent);
        let resp = http.send(spec).await?;
        let token: TokenResponse = http.decode(&resp)?;
        Ok(AccessToken::new(
            token.access_token,
            token.expires_in.map(Duration::from_secs),
        ))
    }
}

/// The token cache of a client with [`Auth::Token`].
pub(crate) struct TokenCache {
    source: Arc<dyn TokenSource>,
    margin: Duration,
    current: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    header: HeaderValue,
    refresh_at: Option<Instant>,
    generation: u64,
}

impl TokenCache {
    pub(crate) fn new(source: Arc<dyn TokenSource>, margin: Duration) -> Self {
        Self {
            source,
            margin,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// The current header value and its generation, fetching a token if needed.
    pub(crate) async fn get(&self, http: &HttpClient) -> Result<(HeaderValue, u64), HttpError> {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref()
            && c.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok((c.header.clone(), c.generation));
        }
        let generation = current.as_ref().map_or(0, |c| c.generation + 1);
        let fetched_at = Instant::now();
        let token = self.source.fetch(http).await?;
        let header = bearer_header(&token.token).ok_or_else(|| {
            HttpError::config(http.provider(), "access token is not a valid header")
        })?;
        // Refresh `margin` before expiry, but never later than half-way through a short-lived
        // token's life. A lifetime too long to represent means "until a 401".
        let refresh_at = token
            .expires_in
            .and_then(|life| fetched_at.checked_add(life - self.margin.min(life / 2)));
        tracing::debug!(
            provider = http.provider(),
            generation,
            "fetched access token"
        );
        *current = Some(Cached {
            header: header.clone(),
            refresh_at,
            generation,
        });
        Ok((header, generation))
    }

    /// Forgets the token of `generation` (after a 401), unless it was already replaced.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_mut()
            && c.generation == generation
        {
            c.refresh_at = Some(Instant::now());
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("source", &self.source)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn debug_redacts() {
        let auths = [
            Auth::bearer("sk_test_SECRET".to_owned()),
            Auth::basic("user", "SECRET".to_owned()),
            Auth::header(HeaderName::from_static("x-token"), "SECRET".to_owned()),
            Auth::token(ClientCredentials::new("/t", "id", "SECRET".to_owned())),
        ];
        for a in auths {
            let s = format!("{a:?}");
            assert!(!s.contains("SECRET"), "{s}");
        }
        let t = AccessToken::new("SECRET".to_owned(), None);
        assert!(!format!("{t:?}").contains("SECRET"));
    }
}
