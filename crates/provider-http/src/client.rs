//! [`HttpClient`]: sending a request, the retry loop around it, decoding its answer.
//! The builder is in `builder.rs`, the request and response types in `request.rs`, and the
//! retry loop's decisions in `attempt.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::attempt::{AfterResponse, Budget, after_response, retry_transport};
use crate::auth::TokenCache;
use crate::builder::HttpClientBuilder;
use crate::decode::{DefaultErrorDecoder, ErrorDecoder};
use crate::error::{ApiError, ErrorDetails, HttpErrorKind, RawBody, RequestInfo, TransportKind};
use crate::request::{Body, HttpResponse, Idempotency, Limits, RequestSpec};
#[cfg(doc)]
use crate::retry::RetryDecision;
use crate::retry::{DefaultClassifier, RetryClassifier};
use crate::{Auth, HttpError, RateLimiter, RetryPolicy, parse_retry_after};

/// The `User-Agent` every request carries: `kassabok/<version>`.
pub const USER_AGENT: &str = concat!("kassabok/", env!("CARGO_PKG_VERSION"));

/// An HTTP client for one provider: base URL, authentication, timeouts, retries, rate
/// limiting and error decoding.
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool, the rate limiter and the
/// token cache. `Debug` shows the configuration with every credential redacted.
///
/// [`get_json`](HttpClient::get_json), [`post_json`](HttpClient::post_json) and
/// [`post_form`](HttpClient::post_form) cover most calls. [`send`](HttpClient::send) is the
/// lower level: any method, headers and body, and the response's status, headers and bytes
/// (Shopify REST's `Link` header, CSV downloads), decoded with [`decode`](HttpClient::decode):
///
/// ```no_run
/// use provider_http::{HttpClient, HttpError, Idempotency, RequestSpec};
///
/// #[derive(serde::Deserialize)]
/// struct Payouts { payouts: Vec<serde_json::Value> }
///
/// # async fn run(client: HttpClient) -> Result<(), HttpError> {
/// let resp = client
///     .send(RequestSpec::get("/admin/api/2025-07/shopify_payments/payouts.json").query("limit", "250"))
///     .await?;
/// let next_link = resp.header_str("link").map(str::to_owned);
/// let page: Payouts = client.decode(&resp)?;
///
/// // A GraphQL query is a POST that is safe to retry.
/// let spec = RequestSpec::post("/admin/api/2025-07/graphql.json")
///     .json(&serde_json::json!({ "query": "{ shop { name } }" }))
///     .idempotency(Idempotency::Idempotent);
/// let resp = client.send(spec).await?;
/// # let _ = (next_link, page, resp);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    pub(crate) shared: Arc<Shared>,
    pub(crate) auth: AuthState,
}

pub(crate) struct Shared {
    pub(crate) provider: &'static str,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) retry: RetryPolicy,
    pub(crate) classifier: Box<dyn RetryClassifier>,
    pub(crate) decoder: Box<dyn ErrorDecoder>,
    pub(crate) limiter: RateLimiter,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) limits: Limits,
    pub(crate) user_agent: String,
    pub(crate) auth_debug: String,
}

#[derive(Clone)]
pub(crate) enum AuthState {
    None,
    Static(HeaderName, HeaderValue),
    Token(Arc<TokenCache>),
}

impl HttpClient {
    /// Starts a client for `provider` (a short lowercase name used in errors and traces:
    /// `"stripe"`, `"shopify"`, `"klarna"`, `"paypal"`) whose requests go to
    /// `default_base_url` unless [`HttpClientBuilder::base_url`] overrides it.
    pub fn builder(provider: &'static str, default_base_url: &str) -> HttpClientBuilder {
        HttpClientBuilder {
            provider,
            base_url: default_base_url.to_owned(),
            auth: Auth::None,
            headers: Vec::new(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            retry: RetryPolicy::default(),
            rate_limit: None,
            classifier: Box::new(DefaultClassifier),
            decoder: Box::new(DefaultErrorDecoder),
            user_agent_suffix: None,
            token_refresh_margin: Duration::from_secs(60),
        }
    }

    /// The provider name given to [`builder`](HttpClient::builder).
    pub fn provider(&self) -> &'static str {
        self.shared.provider
    }

    /// The base URL that request paths are appended to.
    pub fn base_url(&self) -> &Url {
        &self.shared.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.retry
    }

    /// The client's rate limiter, shared by its clones: pause it from a provider's throttle
    /// information ([`RateLimiter::throttle`], [`RateLimiter::pause_until`]) or change its rate
    /// ([`RateLimiter::set_limit`]).
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.shared.limiter
    }

    /// `GET path?query` and decodes the JSON answer. Retried per the [`RetryPolicy`].
    ///
    /// `path` is appended to the base URL (`/v1/payouts` on `https://api.stripe.com`); the
    /// query pairs are percent-encoded.
    ///
    /// # Errors
    ///
    /// See [`send`](HttpClient::send) and [`decode`](HttpClient::decode).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, HttpError> {
        let resp = self.send(RequestSpec::get(path).queries(query)).await?;
        self.decode(&resp)
    }

    /// `POST path` with a JSON body and decodes the JSON answer. Retried only if `idempotency`
    /// is [`Idempotency::Idempotent`] (GraphQL queries are).
    ///
    /// # Errors
    ///
    /// See [`send`](HttpClient::send) and [`decode`](HttpClient::decode); a body that cannot
    /// be serialized is a [`HttpErrorKind::Config`] error.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency: Idempotency,
    ) -> Result<T, HttpError> {
        let spec = RequestSpec::post(path).json(body).idempotency(idempotency);
        let resp = self.send(spec).await?;
        self.decode(&resp)
    }

    /// `POST path` with a form body (`application/x-www-form-urlencoded`) and decodes the JSON
    /// answer. Retried only if `idempotency` is [`Idempotency::Idempotent`].
    ///
    /// # Errors
    ///
    /// See [`send`](HttpClient::send) and [`decode`](HttpClient::decode).
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
        idempotency: Idempotency,
    ) -> Result<T, HttpError> {
        let spec = RequestSpec::post(path).form(form).idempotency(idempotency);
        let resp = self.send(spec).await?;
        self.decode(&resp)
    }

    /// Sends a request: waits for the rate limiter, adds authentication, retries per the
    /// [`RetryPolicy`] and the provider's [`RetryClassifier`], and returns the successful
    /// response with its body.
    ///
    /// A response is successful if its status is 2xx and the classifier did not declare it a
    /// failure ([`RetryDecision::Retry`]). Redirects are not followed (a 3xx is an error), so
    /// requests and credentials never leave the base URL's host.
    ///
    /// # Errors
    ///
    /// - [`HttpErrorKind::Config`]: the path is an absolute URL, or the body could not be
    ///   serialized.
    /// - [`HttpErrorKind::Transport`]: no response after the retry budget (or at once, for a
    ///   request that is not idempotent).
    /// - [`HttpErrorKind::Api`]: a failure status (or classified failure) that was not retried
    ///   or still failed when the budget ran out; it carries the provider's code, message,
    ///   request id and the start of the body.
    /// - With [`Auth::Token`], the error of the token request, if that failed.
    pub async fn send(&self, spec: RequestSpec) -> Result<HttpResponse, HttpError> {
        let url = self.url_for(&spec.path, &spec.query)?;
        let path = url.path().to_owned();
        let info = RequestInfo {
            method: spec.method.clone(),
            path: path.clone(),
            attempts: 0,
        };
        let body = match spec.body {
            Body::None => None,
            Body::Bytes(content_type, bytes) => Some((content_type, bytes)),
            Body::Invalid(message) => {
                return Err(HttpError::config(self.provider(), message).with_request(info));
            }
        };
        let span = tracing::info_span!(
            "http_request",
            provider = self.provider(),
            method = %spec.method,
            path = %path,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        let request = Prepared {
            method: spec.method,
            url,
            path,
            headers: spec.headers,
            body,
            idempotent: spec.idempotency == Idempotency::Idempotent,
        };
        self.run(request).instrument(span).await
    }

    /// [`attempts`](Self::attempts) within the request deadline.
    async fn run(&self, req: Prepared) -> Result<HttpResponse, HttpError> {
        let limit = self.shared.limits.deadline;
        let deadline = tokio::time::Instant::now() + limit;
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let info = RequestInfo {
            method: req.method.clone(),
            path: req.path.clone(),
            attempts: 0,
        };
        match tokio::time::timeout_at(deadline, self.attempts(req, deadline, &attempts)).await {
            Ok(result) => result,
            Err(_) => {
                let attempts = attempts.load(std::sync::atomic::Ordering::Relaxed);
                tracing::warn!(
                    attempts,
                    deadline_ms = limit.as_millis() as u64,
                    "request deadline passed, giving up"
                );
                Err(HttpError::new(
                    self.provider(),
                    Some(RequestInfo { attempts, ..info }),
                    HttpErrorKind::Deadline { waited: limit },
                ))
            }
        }
    }

    /// Sends `req` until it succeeds, fails for good or the retry budget is spent; a wait
    /// that would end after `deadline` is not started (the last error is returned instead).
    async fn attempts(
        &self,
        req: Prepared,
        deadline: tokio::time::Instant,
        attempts: &std::sync::atomic::AtomicU32,
    ) -> Result<HttpResponse, HttpError> {
        let fits = |wait: Duration| tokio::time::Instant::now() + wait < deadline;
        let max_body = self.shared.limits.max_response_bytes;
        let policy = &self.shared.retry;
        let mut budget = Budget::new(policy);
        let mut attempt: u32 = 0;
        let mut refreshed_token = false;
        loop {
            attempt += 1;
            attempts.store(attempt, std::sync::atomic::Ordering::Relaxed);
            let info = RequestInfo {
                method: req.method.clone(),
                path: req.path.clone(),
                attempts: attempt,
            };
            self.shared.limiter.acquire().await;
            let (auth, generation) = self.auth_header().await?;
            let mut builder = self
                .shared
                .http
                .request(req.method.clone(), req.url.clone())
                .headers(req.headers.clone());
            if let Some((name, value)) = auth
                && !req.headers.contains_key(&name)
            {
                builder = builder.header(name, value);
            }
            if let Some((content_type, bytes)) = &req.body {
                builder = builder
                    .header(CONTENT_TYPE, content_type.clone())
                    .body(bytes.clone());
            }
            let started = tokio::time::Instant::now();
            let result = match builder.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    read_body(resp, max_body)
                        .await
                        .map(|body| (status, headers, body))
                }
                Err(err) => Err(BodyError::Transport(err)),
            };
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            let (status, headers, body) = match result {
                Ok(parts) => parts,
                Err(BodyError::TooLarge { declared }) => {
                    tracing::warn!(attempt, limit = max_body, "response too large, giving up");
                    return Err(HttpError::new(
                        self.provider(),
                        Some(info),
                        HttpErrorKind::ResponseTooLarge {
                            limit: max_body,
                            declared,
                        },
                    ));
                }
                Err(BodyError::Transport(err)) => {
                    let kind = TransportKind::of(&err);
                    tracing::debug!(attempt, elapsed_ms, error = %kind, "request failed");
                    let backoff = policy.backoff(attempt);
                    if retry_transport(kind, req.idempotent, attempt, &budget, backoff, fits) {
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                    tracing::warn!(attempt, error = %kind, "request failed, giving up");
                    return Err(HttpError::new(
                        self.provider(),
                        Some(info),
                        HttpErrorKind::Transport {
                            kind,
                            source: Box::new(err.without_url()),
                        },
                    ));
                }
            };
            span.record("status", status.as_u16());
            tracing::debug!(attempt, status = status.as_u16(), elapsed_ms, "response");

            if status == StatusCode::UNAUTHORIZED
                && !refreshed_token
                && let AuthState::Token(cache) = &self.auth
            {
                // The token may have been revoked or expired early: fetch a new one, once.
                refreshed_token = true;
                budget.attempts += 1;
                cache.invalidate(generation).await;
                continue;
            }

            let decision = self.shared.classifier.classify(status, &headers, &body);
            let next = after_response(
                status,
                decision,
                parse_retry_after(&headers),
                policy,
                req.idempotent,
                attempt,
                &mut budget,
                policy.backoff(attempt),
                fits,
            );
            let (retryable, wait) = match next {
                AfterResponse::Success => {
                    return Ok(HttpResponse {
                        status,
                        headers,
                        body,
                        method: req.method,
                        path: req.path,
                        attempts: attempt,
                    });
                }
                AfterResponse::RetryAfterProviderWait(wait) => {
                    // The provider's wait applies to the whole client: pause the
                    // limiter, which the next attempt waits for.
                    self.shared.limiter.throttle(wait);
                    continue;
                }
                AfterResponse::RetryAfterBackoff(backoff) => {
                    tokio::time::sleep(backoff).await;
                    continue;
                }
                AfterResponse::Fail {
                    retryable,
                    retry_after,
                    pause,
                } => {
                    if let Some(pause) = pause {
                        self.shared.limiter.throttle(pause);
                    }
                    (retryable, retry_after)
                }
            };
            let details = self.shared.decoder.decode(status, &headers, &body);
            tracing::warn!(
                attempt,
                status = status.as_u16(),
                code = details.code.as_deref(),
                request_id = details.request_id.as_deref(),
                "request failed"
            );
            return Err(HttpError::new(
                self.provider(),
                Some(info),
                HttpErrorKind::Api(ApiError {
                    status,
                    details,
                    body: RawBody::new(&body),
                    retryable,
                    retry_after: wait,
                }),
            ));
        }
    }

    /// An [`HttpErrorKind::Api`] error for a response that the HTTP layer accepted but the
    /// provider crate found to be a failure, e.g. a Shopify GraphQL answer with status 200 and
    /// a non-empty `errors` (other than `THROTTLED`, which `shopify-bookkeeping`'s classifier
    /// retries).
    ///
    /// `details` defaults to what the client's [`ErrorDecoder`] finds in the response. The error
    /// is not retryable.
    pub fn api_error(&self, resp: &HttpResponse, details: Option<ErrorDetails>) -> HttpError {
        let details = details.unwrap_or_else(|| {
            self.shared
                .decoder
                .decode(resp.status, &resp.headers, &resp.body)
        });
        HttpError::new(
            self.provider(),
            Some(RequestInfo {
                method: resp.method.clone(),
                path: resp.path.clone(),
                attempts: resp.attempts,
            }),
            HttpErrorKind::Api(ApiError {
                status: resp.status,
                details,
                body: RawBody::new(&resp.body),
                retryable: false,
                retry_after: None,
            }),
        )
    }

    /// The authentication header for the next attempt and the token generation it belongs to.
    async fn auth_header(&self) -> Result<(Option<(HeaderName, HeaderValue)>, u64), HttpError> {
        match &self.auth {
            AuthState::None => Ok((None, 0)),
            AuthState::Static(name, value) => Ok((Some((name.clone(), value.clone())), 0)),
            AuthState::Token(cache) => {
                let unauthenticated = HttpClient {
                    shared: Arc::clone(&self.shared),
                    auth: AuthState::None,
                };
                let (value, generation) = cache.get(&unauthenticated).await?;
                Ok((Some((reqwest::header::AUTHORIZATION, value)), generation))
            }
        }
    }

    fn url_for(&self, path: &str, query: &[(String, String)]) -> Result<Url, HttpError> {
        if path.starts_with("//") || path.contains("://") {
            return Err(HttpError::config(
                self.provider(),
                "request path must be relative to the base url",
            ));
        }
        let (path, inline_query) = path.split_once('?').unwrap_or((path, ""));
        let base = &self.shared.base_url;
        let mut url = base.clone();
        url.set_path(&format!(
            "{}/{}",
            base.path().trim_end_matches('/'),
            path.trim_start_matches('/')
        ));
        url.set_query(None);
        if !inline_query.is_empty() {
            url.set_query(Some(inline_query));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// Decodes a response body as JSON into `T`, naming the failing field.
    ///
    /// A UTF-8 byte-order mark at the start is skipped (Klarna's examples have one).
    ///
    /// # Errors
    ///
    /// [`HttpErrorKind::Decode`] with the JSON path of the field that failed (e.g.
    /// `data[2].amount`, or `.` when the body is not JSON at all), serde's message, the status
    /// and the start of the body.
    pub fn decode<T: DeserializeOwned>(&self, resp: &HttpResponse) -> Result<T, HttpError> {
        let body = crate::strip_bom(&resp.body);
        // Plain serde_json first: tracking the path of every field costs an
        // allocation per key, and almost every body decodes. Only a body that
        // fails is decoded again, with the path, for the error.
        if let Ok(value) = serde_json::from_slice(body) {
            return Ok(value);
        }
        let mut de = serde_json::Deserializer::from_slice(body);
        let result = serde_path_to_error::deserialize(&mut de)
            .map_err(|err| (err.path().to_string(), err.into_inner()))
            .and_then(|value| de.end().map(|()| value).map_err(|e| (".".to_owned(), e)));
        result.map_err(|(path, source)| {
            HttpError::new(
                self.provider(),
                Some(RequestInfo {
                    method: resp.method.clone(),
                    path: resp.path.clone(),
                    attempts: resp.attempts,
                }),
                HttpErrorKind::Decode {
                    status: resp.status,
                    path,
                    source,
                    body: RawBody::new(&resp.body),
                },
            )
        })
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        f.debug_struct("HttpClient")
            .field("provider", &s.provider)
            .field("base_url", &s.base_url.as_str())
            .field(
                "auth",
                &match self.auth {
                    AuthState::None => "None",
                    _ => s.auth_debug.as_str(),
                },
            )
            .field("user_agent", &s.user_agent)
            .field("timeout", &s.timeout)
            .field("connect_timeout", &s.connect_timeout)
            .field("limits", &s.limits)
            .field("retry", &s.retry)
            .field("rate_limiter", &s.limiter)
            .field("classifier", &s.classifier)
            .field("error_decoder", &s.decoder)
            .finish()
    }
}

struct Prepared {
    method: Method,
    url: Url,
    path: String,
    headers: HeaderMap,
    body: Option<(HeaderValue, Bytes)>,
    idempotent: bool,
}

enum BodyError {
    Transport(reqwest::Error),
    TooLarge { declared: Option<u64> },
}

/// Reads the body of `resp`, at most `limit` bytes: a `Content-Length` over the limit fails
/// before anything is read, and a streamed body fails as soon as it passes the limit (the
/// connection is dropped, not drained). A JSON body's lone surrogate escapes are mended
/// ([`crate::mend_lone_surrogates`]), so every decoder of it reads the rest.
async fn read_body(mut resp: reqwest::Response, limit: u64) -> Result<Bytes, BodyError> {
    let declared = resp.content_length();
    if declared.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge { declared });
    }
    let capacity = declared.unwrap_or(0).min(limit).min(1024 * 1024);
    let mut body = bytes::BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge { declared });
        }
        body.extend_from_slice(&chunk);
    }
    if crate::surrogates::looks_like_json(&body) {
        let mended = crate::surrogates::mend_lone_surrogates(&mut body);
        if mended > 0 {
            tracing::warn!(
                mended,
                "lone UTF-16 surrogate escapes in a JSON body, read as U+FFFD"
            );
        }
    }
    Ok(body.freeze())
}
