//! What a request is ([`RequestSpec`], [`Idempotency`]), what a successful answer is
//! ([`HttpResponse`]) and what a request may cost ([`Limits`]).

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;

#[cfg(doc)]
use crate::{HttpClient, HttpErrorKind, RetryPolicy};

/// Whether a request may be sent again without changing anything at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Safe to repeat: reads (GET), GraphQL queries sent by POST, token requests, and POSTs
    /// that carry an idempotency key (Stripe `Idempotency-Key`, `PayPal-Request-Id`).
    /// Retried according to the [`RetryPolicy`].
    Idempotent,
    /// Not safe to repeat (a POST that creates something). Sent once; only a failure to
    /// connect (the request never left) is retried.
    NotIdempotent,
}

/// A request for [`HttpClient::send`]: method, path, query, headers, body and idempotency.
///
/// ```
/// use provider_http::{Idempotency, RequestSpec};
///
/// let spec = RequestSpec::post("/v1/reporting/transactions")
///     .query("page", "2")
///     .header_str("PayPal-Request-Id", "8f1c")
///     .json(&serde_json::json!({"a": 1}))
///     .idempotency(Idempotency::Idempotent);
/// ```
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) idempotency: Idempotency,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    None,
    Bytes(HeaderValue, Bytes),
    Invalid(String),
}

impl RequestSpec {
    /// A request with no query, headers or body. GET, HEAD, PUT, DELETE and OPTIONS are
    /// idempotent, other methods are not until [`idempotency`](RequestSpec::idempotency) says
    /// so.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let idempotency = if method.is_idempotent() {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        };
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::None,
            idempotency,
        }
    }

    /// A GET request (idempotent).
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A POST request (not idempotent until marked so).
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// Adds a query pair (percent-encoded when sent).
    #[must_use]
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds query pairs.
    #[must_use]
    pub fn queries(mut self, pairs: &[(&str, String)]) -> Self {
        self.query
            .extend(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        self
    }

    /// Adds a header. A header set here replaces the client's default of the same name (the
    /// auth header included). Mark secret values with [`HeaderValue::set_sensitive`].
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Adds a header from strings; an invalid name or value makes
    /// [`HttpClient::send`] fail with [`HttpErrorKind::Config`].
    #[must_use]
    pub fn header_str(self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => self.header(name, value),
            _ => Self {
                body: Body::Invalid(format!("invalid header `{name}`")),
                ..self
            },
        }
    }

    /// Sets a JSON body; a value that cannot be serialized makes [`HttpClient::send`] fail
    /// with [`HttpErrorKind::Config`].
    #[must_use]
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        if matches!(self.body, Body::Invalid(_)) {
            return self;
        }
        self.body = match serde_json::to_vec(body) {
            Ok(bytes) => Body::Bytes(
                HeaderValue::from_static("application/json"),
                Bytes::from(bytes),
            ),
            Err(e) => Body::Invalid(format!("cannot serialize the request body: {e}")),
        };
        self
    }

    /// Sets a form body (`application/x-www-form-urlencoded`).
    #[must_use]
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        if matches!(self.body, Body::Invalid(_)) {
            return self;
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.body = Body::Bytes(
            HeaderValue::from_static("application/x-www-form-urlencoded"),
            Bytes::from(encoded),
        );
        self
    }

    /// Sets a raw body with its content type.
    #[must_use]
    pub fn body(mut self, content_type: HeaderValue, body: impl Into<Bytes>) -> Self {
        if matches!(self.body, Body::Invalid(_)) {
            return self;
        }
        self.body = Body::Bytes(content_type, body.into());
        self
    }

    /// Says whether the request may be retried.
    #[must_use]
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }
}

/// A successful response: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) attempts: u32,
}

impl HttpResponse {
    /// The status (2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (e.g. Shopify's REST `Link`, a request id).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header as text, if present and valid UTF-8 text.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request path (no query).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// How many attempts it took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// What a provider may cost a request at most: time and memory.
///
/// A server that accepts a connection and never answers, or answers a gigabyte, must fail the
/// request (and so the close) soon, with an error that says which provider and endpoint and
/// what limit it hit, instead of holding the run for minutes or exhausting memory.
///
/// ```
/// use std::time::Duration;
/// use provider_http::Limits;
///
/// let limits = Limits::default()
///     .deadline(Duration::from_secs(120))
///     .max_response_bytes(256 * 1024 * 1024);
/// assert_eq!(limits.deadline, Duration::from_secs(120));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The time one request may take from its first attempt to its answer, every retry and
    /// backoff or `Retry-After` wait included (default 60 s). When it passes, the request fails
    /// with [`HttpErrorKind::Deadline`]; a wait that would end after it is not started.
    pub deadline: Duration,
    /// The largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    /// Checked against `Content-Length` before reading and counted while the body streams in,
    /// so a larger body is never held in memory: [`HttpErrorKind::ResponseTooLarge`].
    pub max_response_bytes: u64,
}

/// The default response-size cap: 64 MiB. The largest pages kassabok asks for are a few
/// megabytes (Shopify GraphQL pages of 250 orders with their lines, refunds and transactions
/// stay within Shopify's 1 000-point query cost; Stripe and PayPal list at most 100 and 500
/// objects a page; Klarna's report CSVs for a month of a large shop are tens of megabytes),
/// so 64 MiB leaves a wide margin while bounding memory per request.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: Duration::from_secs(60),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl Limits {
    /// With this request deadline.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// With this response-size cap, in bytes.
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }
}
