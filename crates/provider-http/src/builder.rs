//! [`HttpClientBuilder`]: every option of an [`HttpClient`], validated by `build()`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use url::{Host, Url};

use crate::auth::{TokenCache, basic_header, bearer_header, secret_header};
use crate::client::{AuthState, Shared, USER_AGENT};
use crate::decode::ErrorDecoder;
use crate::retry::RetryClassifier;
use crate::{Auth, HttpClient, HttpError, Limits, RateLimit, RateLimiter, RetryPolicy};
#[cfg(doc)]
use crate::{DefaultClassifier, DefaultErrorDecoder, HttpErrorKind};

/// Builds an [`HttpClient`]; see [`HttpClient::builder`]. Every option has a default;
/// [`build`](HttpClientBuilder::build) validates them all.
pub struct HttpClientBuilder {
    pub(crate) provider: &'static str,
    pub(crate) base_url: String,
    pub(crate) auth: Auth,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) limits: Limits,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) classifier: Box<dyn RetryClassifier>,
    pub(crate) decoder: Box<dyn ErrorDecoder>,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) token_refresh_margin: Duration,
}

impl HttpClientBuilder {
    /// Overrides the base URL: **the test hook** (point a client at a wiremock server or the
    /// sandbox) and the way to reach another environment (PayPal sandbox, Klarna playground).
    ///
    /// It must be `https`, or plain `http` to a loopback address (`127.0.0.1`, `::1`,
    /// `localhost`); it must not carry credentials, a query or a fragment. Checked by
    /// [`build`](HttpClientBuilder::build).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the authentication (default [`Auth::None`]).
    #[must_use]
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Adds a header to every request, e.g. `Stripe-Version`. Not for secrets: use
    /// [`Auth::Header`]. Checked by [`build`](HttpClientBuilder::build).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The total time allowed for one attempt, reading the body included (default 30 s, so
    /// that a stalled attempt is retried once within the request deadline of
    /// [`Limits::deadline`], 60 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time allowed to connect (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the request deadline and the response-size cap (default [`Limits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the steady request rate (default: unlimited). It can be changed later through
    /// [`HttpClient::rate_limiter`].
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Removes the steady request rate (the default): tests and the sandbox.
    #[must_use]
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Sets the provider's retry classifier (default: [`DefaultClassifier`]).
    #[must_use]
    pub fn classifier(mut self, classifier: impl RetryClassifier + 'static) -> Self {
        self.classifier = Box::new(classifier);
        self
    }

    /// Sets the provider's error decoder (default: [`DefaultErrorDecoder`], which knows the
    /// Stripe, PayPal, OAuth2, Shopify and Klarna error shapes).
    #[must_use]
    pub fn error_decoder(mut self, decoder: impl ErrorDecoder + 'static) -> Self {
        self.decoder = Box::new(decoder);
        self
    }

    /// Appends to the `User-Agent` (`kassabok/<version> <suffix>`), e.g. the provider crate's
    /// name and version.
    #[must_use]
    pub fn user_agent_suffix(mut self, suffix: &str) -> Self {
        self.user_agent_suffix = Some(suffix.to_owned());
        self
    }

    /// With [`Auth::Token`]: how long before a token expires it is refreshed (default 60 s;
    /// never later than half-way through the token's lifetime).
    #[must_use]
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::Config`] if the base URL is not a valid URL, is not `https` (plain
    /// `http` is accepted only for loopback hosts), carries credentials, a query or a fragment;
    /// if a header name or value, a credential or the user agent is not a valid header; or if
    /// reqwest cannot build its client (e.g. no TLS backend).
    pub fn build(self) -> Result<HttpClient, HttpError> {
        let provider = self.provider;
        let base_url = validate_base_url(provider, &self.base_url)?;

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        for (raw_name, value) in &self.headers {
            let name = HeaderName::from_bytes(raw_name.as_bytes()).map_err(|e| {
                HttpError::config_with(provider, format!("invalid header name `{raw_name}`"), e)
            })?;
            let value = HeaderValue::from_str(value).map_err(|e| {
                HttpError::config_with(
                    provider,
                    format!("invalid value for header `{raw_name}`"),
                    e,
                )
            })?;
            headers.insert(name, value);
        }

        let invalid_credential =
            || HttpError::config(provider, "credential is not a valid header value");
        let auth = match &self.auth {
            Auth::None => AuthState::None,
            Auth::Bearer(token) => AuthState::Static(
                reqwest::header::AUTHORIZATION,
                bearer_header(token).ok_or_else(invalid_credential)?,
            ),
            Auth::Basic { username, password } => AuthState::Static(
                reqwest::header::AUTHORIZATION,
                basic_header(username, password).ok_or_else(invalid_credential)?,
            ),
            Auth::Header { name, value } => AuthState::Static(
                name.clone(),
                secret_header(value).ok_or_else(invalid_credential)?,
            ),
            Auth::Token(source) => AuthState::Token(Arc::new(TokenCache::new(
                Arc::clone(source),
                self.token_refresh_margin,
            ))),
        };

        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_owned(),
        };
        HeaderValue::from_str(&user_agent)
            .map_err(|e| HttpError::config_with(provider, "invalid user agent suffix", e))?;

        let http = reqwest::Client::builder()
            .user_agent(&user_agent)
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HttpError::config_with(provider, "cannot build the http client", e))?;

        Ok(HttpClient {
            shared: Arc::new(Shared {
                provider,
                http,
                base_url,
                retry: self.retry,
                classifier: self.classifier,
                decoder: self.decoder,
                limiter: RateLimiter::new(self.rate_limit),
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                limits: self.limits,
                user_agent,
                auth_debug: format!("{:?}", self.auth),
            }),
            auth,
        })
    }
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("headers", &self.headers)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("limits", &self.limits)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("classifier", &self.classifier)
            .field("error_decoder", &self.decoder)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("token_refresh_margin", &self.token_refresh_margin)
            .finish()
    }
}

fn validate_base_url(provider: &'static str, raw: &str) -> Result<Url, HttpError> {
    let url = Url::parse(raw)
        .map_err(|e| HttpError::config_with(provider, "base url is not a valid url", e))?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(HttpError::config(provider, "base url has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(HttpError::config(
            provider,
            "base url must not contain credentials",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(HttpError::config(
            provider,
            "base url must not have a query or fragment",
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(HttpError::config(
            provider,
            format!(
                "base url must use https (plain http is allowed only for loopback hosts), got host `{}`",
                url.host_str().unwrap_or_default()
            ),
        )),
        other => Err(HttpError::config(
            provider,
            format!("base url scheme must be https, got `{other}`"),
        )),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
