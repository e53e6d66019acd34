//! Errors of the Stripe client.

use bookkeeping_core::{Provider, SourceError, SourceErrorKind};
use provider_http::{HttpError, Malformed};

/// An error from the Stripe client. `Display` is one lowercase line naming
/// what failed, e.g. `stripe: GET /v1/payouts: 429 Too Many Requests: rate_limit: …`.
/// No error ever contains the secret key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The HTTP layer failed: transport, an error answer from Stripe (with its
    /// status, code, message and request id), a response that is not a list,
    /// or a repeated pagination cursor.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// A list page could not be followed: `has_more` with no usable last id.
    #[error("stripe: GET {path}: cannot continue the list: {reason}")]
    Pagination {
        /// The list path.
        path: String,
        /// Why.
        reason: String,
    },
    /// One object could not be decoded (when a single object was asked for;
    /// in lists such an object becomes a [`Malformed`] item instead).
    /// Boxed: a rare error should not make every `Result` large.
    #[error(transparent)]
    Malformed(Box<Malformed>),
}

impl Error {
    /// The HTTP error, if this is one.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            Error::Http(e) => Some(e),
            _ => None,
        }
    }

    /// Whether trying again later may succeed (rate limits, 5xx, timeouts, and
    /// whatever `Stripe-Should-Retry` said).
    pub fn is_retryable(&self) -> bool {
        self.http().is_some_and(HttpError::is_retryable)
    }
}

impl From<Malformed> for Error {
    fn from(m: Malformed) -> Self {
        Error::Malformed(Box::new(m))
    }
}

impl From<Error> for SourceError {
    fn from(err: Error) -> Self {
        let kind = match &err {
            Error::Http(http) => http.source_kind(),
            Error::Pagination { .. } => SourceErrorKind::Api,
            Error::Malformed(_) => SourceErrorKind::Decode,
        };
        SourceError::new(Provider::Stripe, kind, err.to_string()).with_source(err)
    }
}
