//! [`HttpError`]: the one error type of the HTTP layer.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};

/// How many bytes of a response body an error keeps (8 KiB).
pub const MAX_ERROR_BODY: usize = 8 * 1024;

/// An error from the HTTP layer: the request that failed and why.
///
/// Every error that concerns a request names the provider, the method and the path
/// (never the query string, which may carry filters or secrets), and how many attempts were
/// made. What went wrong is in [`kind`](HttpError::kind); the most common questions have
/// direct accessors: [`status`](HttpError::status), [`api`](HttpError::api),
/// [`is_retryable`](HttpError::is_retryable), [`retry_after`](HttpError::retry_after).
///
/// `Display` is one lowercase line, e.g.
/// `stripe: GET /v1/payouts: 429 Too Many Requests: rate_limit: too many requests (request id req_1), gave up after 4 attempts`.
/// No credential is ever part of an error: request headers are never stored, and transport
/// errors have their URL stripped.
///
/// The error is boxed inside so that `Result<T, HttpError>` stays small.
pub struct HttpError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    provider: &'static str,
    request: Option<RequestInfo>,
    kind: HttpErrorKind,
}

/// The request an error belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestInfo {
    /// HTTP method.
    pub method: Method,
    /// The URL path (no scheme, host or query), e.g. `/v1/payouts`.
    pub path: String,
    /// How many attempts were made, the failing one included (at least 1).
    pub attempts: u32,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// The client or request was misconfigured (a base URL that is not https, an invalid header
    /// value, a body that cannot be serialized). Never retryable.
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
    /// No usable response: connecting failed, the request timed out or the connection broke.
    #[error("{kind}")]
    Transport {
        /// Which kind of transport failure.
        kind: TransportKind,
        /// The HTTP library's error, with the URL removed. Boxed, so the HTTP library's
        /// version is not part of this crate's public API.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The provider answered with an error status (or with a success status that the
    /// provider's [`RetryClassifier`](crate::RetryClassifier) declared a failure, such as a
    /// Shopify GraphQL `THROTTLED` answer, once the retry budget was spent).
    #[error("{0}")]
    Api(ApiError),
    /// The response body could not be decoded into the expected type.
    #[error("decoding the response failed at `{path}`: {source}")]
    Decode {
        /// The HTTP status of the response.
        status: StatusCode,
        /// The JSON path of the field that failed, e.g. `data[3].amount` (`.` for the root).
        path: String,
        /// serde_json's error (line, column, what was expected).
        #[source]
        source: serde_json::Error,
        /// The start of the body (at most [`MAX_ERROR_BODY`] bytes).
        body: RawBody,
    },
    /// The response body was larger than the client's cap
    /// ([`Limits::max_response_bytes`](crate::Limits)): refused from its `Content-Length`, or
    /// when the streamed body passed the cap. Never retried: the same request would get the
    /// same answer.
    #[error("response larger than the limit of {limit} bytes{}", declared.map(|n| format!(" (Content-Length {n})")).unwrap_or_default())]
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: u64,
        /// The `Content-Length` the provider announced, if it did.
        declared: Option<u64>,
    },
    /// No complete answer within the request deadline ([`Limits::deadline`](crate::Limits)),
    /// retries and waits included: the provider stalled.
    #[error("no complete answer within {} s (the request deadline, retries included)", waited.as_secs_f64())]
    Deadline {
        /// How long the request waited: the deadline.
        waited: Duration,
    },
    /// A paginated listing went wrong (a cursor repeated).
    #[error(transparent)]
    Pagination(#[from] PaginationError),
}

/// The kind of a [`HttpErrorKind::Transport`] failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be established (DNS, TCP, TLS). The request was not sent.
    Connect,
    /// The request or the connection timed out.
    Timeout,
    /// The connection broke while sending the request or reading the response.
    Connection,
    /// Anything else reqwest reports (e.g. a redirect loop).
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connection failed",
            Self::Timeout => "timed out",
            Self::Connection => "connection broken",
            Self::Other => "transport error",
        })
    }
}

impl TransportKind {
    pub(crate) fn of(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            Self::Timeout
        } else if err.is_connect() {
            Self::Connect
        } else if err.is_request() || err.is_body() {
            Self::Connection
        } else {
            Self::Other
        }
    }
}

/// An error answer from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What the provider's [`ErrorDecoder`](crate::ErrorDecoder) found in the body and headers.
    pub details: ErrorDetails,
    /// The start of the body (at most [`MAX_ERROR_BODY`] bytes); it may be HTML.
    pub body: RawBody,
    /// Whether the answer was classified as retryable (the retry budget may have run out, or
    /// the request was not idempotent).
    pub retryable: bool,
    /// How long the provider asked to wait (`Retry-After` or a provider throttle signal).
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    /// The provider's code, message and request id are the provider's text: shown
    /// [`printable`](bookkeeping_core::text::printable), so an error body cannot move the
    /// cursor, set a terminal's title or fake a line of its own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use bookkeeping_core::text::printable;
        write!(f, "{}", self.status)?;
        if let Some(code) = &self.details.code {
            write!(f, ": {}", printable(code))?;
        }
        if let Some(message) = &self.details.message {
            write!(f, ": {}", printable(message))?;
        }
        if let Some(id) = &self.details.request_id {
            write!(f, " (request id {})", printable(id))?;
        }
        Ok(())
    }
}

/// The provider's own description of an error, extracted by an
/// [`ErrorDecoder`](crate::ErrorDecoder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetails {
    /// The provider's error code (`resource_missing`, `RATE_LIMIT_REACHED`, `THROTTLED`, ...).
    pub code: Option<String>,
    /// The provider's human-readable message.
    pub message: Option<String>,
    /// The request id to quote to the provider's support (`Request-Id`, `X-Request-Id`,
    /// `Paypal-Debug-Id`, ...).
    pub request_id: Option<String>,
}

impl ErrorDetails {
    /// Details with the given code, message and request id.
    pub fn new(code: Option<String>, message: Option<String>, request_id: Option<String>) -> Self {
        Self {
            code,
            message,
            request_id,
        }
    }
}

/// The start of a response body, kept for diagnosis: at most [`MAX_ERROR_BODY`] bytes,
/// decoded as UTF-8 with replacement characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawBody {
    /// The text.
    pub text: String,
    /// Whether the body was longer than what is kept.
    pub truncated: bool,
}

impl RawBody {
    /// Keeps the start of `body`.
    pub fn new(body: &[u8]) -> Self {
        let truncated = body.len() > MAX_ERROR_BODY;
        let mut end = body.len().min(MAX_ERROR_BODY);
        // Do not cut a UTF-8 sequence in two when the body is text.
        if truncated {
            while end > 0 && end < body.len() && (body[end] & 0b1100_0000) == 0b1000_0000 {
                end -= 1;
            }
        }
        Self {
            text: String::from_utf8_lossy(&body[..end]).into_owned(),
            truncated,
        }
    }
}

/// A paginated listing went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// The provider returned a cursor that was already used: following it would loop.
    #[error("pagination cursor repeated after {pages} pages: {cursor}")]
    RepeatedCursor {
        /// The cursor, as `Debug` formats it.
        cursor: String,
        /// Pages fetched so far.
        pages: u64,
    },
    /// Pages in a row held nothing yet each had a next cursor: a provider
    /// that keeps saying "more" with fresh cursors and no records would be
    /// followed forever.
    #[error("{pages} pages in a row held no records yet each had a next cursor")]
    EmptyPages {
        /// The empty pages in a row.
        pages: u64,
    },
    /// More pages than any listing of a period holds
    /// ([`MAX_PAGES`](crate::MAX_PAGES)): a provider that keeps
    /// handing out fresh cursors would be followed forever.
    #[error("more than {pages} pages: the listing does not end")]
    TooManyPages {
        /// Pages fetched.
        pages: u64,
    },
}

impl HttpError {
    pub(crate) fn new(
        provider: &'static str,
        request: Option<RequestInfo>,
        kind: HttpErrorKind,
    ) -> Self {
        Self(Box::new(Inner {
            provider,
            request,
            kind,
        }))
    }

    pub(crate) fn config(provider: &'static str, message: impl Into<String>) -> Self {
        Self::new(
            provider,
            None,
            HttpErrorKind::Config {
                message: message.into(),
                source: None,
            },
        )
    }

    pub(crate) fn config_with(
        provider: &'static str,
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::new(
            provider,
            None,
            HttpErrorKind::Config {
                message: message.into(),
                source: Some(Box::new(source)),
            },
        )
    }

    pub(crate) fn with_provider(mut self, provider: &'static str) -> Self {
        self.0.provider = provider;
        self
    }

    pub(crate) fn with_request(mut self, request: RequestInfo) -> Self {
        self.0.request = Some(request);
        self
    }

    /// The provider the request went to (`"stripe"`, `"shopify"`, ...), as given to
    /// [`HttpClient::builder`](crate::HttpClient::builder). Empty for a
    /// [`PaginationError`] converted with `From` outside a client (see
    /// [`HttpClient::paginate`](crate::HttpClient::paginate), which names the provider).
    pub fn provider(&self) -> &'static str {
        self.0.provider
    }

    /// The request that failed, if the error concerns one (configuration and pagination errors
    /// may not).
    pub fn request(&self) -> Option<&RequestInfo> {
        self.0.request.as_ref()
    }

    /// How many attempts were made (0 if no request was sent).
    pub fn attempts(&self) -> u32 {
        self.0.request.as_ref().map_or(0, |r| r.attempts)
    }

    /// What went wrong.
    pub fn kind(&self) -> &HttpErrorKind {
        &self.0.kind
    }

    /// The HTTP status of the response, if one was received.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.0.kind {
            HttpErrorKind::Api(api) => Some(api.status),
            HttpErrorKind::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The provider's error answer, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match &self.0.kind {
            HttpErrorKind::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The JSON path of the field that failed to decode, if this is a decode error.
    pub fn decode_path(&self) -> Option<&str> {
        match &self.0.kind {
            HttpErrorKind::Decode { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The start of the response body, if a response was received.
    pub fn body(&self) -> Option<&RawBody> {
        match &self.0.kind {
            HttpErrorKind::Api(api) => Some(&api.body),
            HttpErrorKind::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether trying the same request again later may succeed: connection failures, timeouts,
    /// 408, 409, 425, 429, 500–504, and whatever the provider's classifier says (e.g.
    /// `Stripe-Should-Retry`). The client has already retried idempotent requests within its
    /// [`RetryPolicy`](crate::RetryPolicy); this tells a caller (or a job scheduler) whether a
    /// later run may succeed.
    pub fn is_retryable(&self) -> bool {
        match &self.0.kind {
            HttpErrorKind::Transport { kind, .. } => !matches!(kind, TransportKind::Other),
            HttpErrorKind::Deadline { .. } => true,
            HttpErrorKind::Api(api) => api.retryable,
            _ => false,
        }
    }

    /// How long the provider asked to wait before trying again, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.0.kind {
            HttpErrorKind::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// What kind of failure this is, in the terms a host acts on
    /// ([`SourceErrorKind`](bookkeeping_core::SourceErrorKind)): the one mapping every
    /// provider client uses for its HTTP errors.
    ///
    /// | [`HttpErrorKind`] | kind |
    /// |---|---|
    /// | `Config` | `Config` |
    /// | `Transport` (connect, timeout, broken connection), `Deadline` | `Network` |
    /// | `Transport` (other) | `Other` |
    /// | `Decode`, `Pagination` | `Decode` |
    /// | `Api` 401, 403 | `Auth` |
    /// | `Api` 429 | `RateLimited` |
    /// | `Api` other | `Api` |
    /// | `ResponseTooLarge` | `Other` |
    ///
    /// ```
    /// use bookkeeping_core::SourceErrorKind;
    /// use provider_http::{HttpError, PaginationError};
    ///
    /// let err = HttpError::from(PaginationError::RepeatedCursor { cursor: "c".into(), pages: 2 });
    /// assert_eq!(err.source_kind(), SourceErrorKind::Decode);
    /// ```
    pub fn source_kind(&self) -> bookkeeping_core::SourceErrorKind {
        use bookkeeping_core::SourceErrorKind as Kind;
        match &self.0.kind {
            HttpErrorKind::Config { .. } => Kind::Config,
            HttpErrorKind::Transport {
                kind: TransportKind::Other,
                ..
            } => Kind::Other,
            HttpErrorKind::Transport { .. } | HttpErrorKind::Deadline { .. } => Kind::Network,
            HttpErrorKind::Decode { .. } | HttpErrorKind::Pagination(_) => Kind::Decode,
            HttpErrorKind::Api(api) => match api.status {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Kind::Auth,
                StatusCode::TOO_MANY_REQUESTS => Kind::RateLimited,
                _ => Kind::Api,
            },
            HttpErrorKind::ResponseTooLarge { .. } => Kind::Other,
        }
    }

    /// Whether the request timed out: an attempt's timeout, or the request deadline.
    pub fn is_timeout(&self) -> bool {
        matches!(
            &self.0.kind,
            HttpErrorKind::Transport {
                kind: TransportKind::Timeout,
                ..
            } | HttpErrorKind::Deadline { .. }
        )
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.provider.is_empty() {
            write!(f, "{}: ", self.0.provider)?;
        }
        if let Some(request) = &self.0.request {
            write!(f, "{} {}: ", request.method, request.path)?;
        }
        write!(f, "{}", self.0.kind)?;
        if let Some(request) = &self.0.request
            && request.attempts > 1
        {
            write!(f, ", gave up after {} attempts", request.attempts)?;
        }
        Ok(())
    }
}

impl fmt::Debug for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpError")
            .field("provider", &self.0.provider)
            .field("request", &self.0.request)
            .field("kind", &self.0.kind)
            .finish()
    }
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        // The kind's own message is already part of Display; continue with a cause whose
        // message Display does not already carry (a decode error's and a pagination error's
        // are in it: reporting them again would print them twice).
        match &self.0.kind {
            HttpErrorKind::Transport { source, .. } => Some(source.as_ref()),
            HttpErrorKind::Config { source, .. } => source.as_deref().map(|s| s as _),
            _ => None,
        }
    }
}

impl From<PaginationError> for HttpError {
    fn from(err: PaginationError) -> Self {
        Self::new("", None, HttpErrorKind::Pagination(err))
    }
}
