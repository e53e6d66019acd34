//! The crate's error type.

use std::time::Duration;

use bookkeeping_core::{Provider, SourceError, SourceErrorKind};
use provider_http::http::StatusCode;
use provider_http::{HttpError, PaginationError};

use crate::models::ErrorResponse;
use crate::report::ReportError;

/// An error from the Klarna client.
///
/// `Display` is one lowercase line naming what failed, e.g.
/// `klarna: GET /settlements/v1/payouts: 429 Too Many Requests: RATE_LIMITED: slow down (request id 6c1f…)`.
/// No credential is ever part of an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request failed: transport, an error answer from Klarna, or a body
    /// that is not the expected JSON at all.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// A list went wrong: a page cursor repeated, or a page ended the list
    /// before Klarna's `total` was reached.
    #[error("klarna: {0}")]
    Pagination(#[from] PaginationError),
    /// A list ended early: the last page's `offset + count` is short of `total`.
    #[error("klarna: {path}: the list ended at {seen} of {total} items")]
    ShortList {
        /// The listed path.
        path: &'static str,
        /// Items seen.
        seen: u64,
        /// Items Klarna said there are.
        total: u64,
    },
    /// A list said there was more after as many items as its own `total`:
    /// a server that ignores `offset` and serves the same page with `next`
    /// would be followed until the page cap, its records repeated.
    #[error("klarna: {path}: the list goes on past its total of {total} items (at {seen})")]
    LongList {
        /// The listed path.
        path: &'static str,
        /// Items seen.
        seen: u64,
        /// Items Klarna said there are.
        total: u64,
    },
    /// A CSV report could not be read.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The client was set up wrongly.
    #[error("klarna: invalid configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status of Klarna's answer, if one was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Http(e) => e.status(),
            _ => None,
        }
    }

    /// Klarna's error answer (`error_code`, `error_messages`,
    /// `correlation_id`), when the body had that shape.
    pub fn klarna_error(&self) -> Option<ErrorResponse> {
        let Error::Http(e) = self else { return None };
        let body = e.api()?.body.text.as_str();
        let body = body.strip_prefix('\u{feff}').unwrap_or(body);
        serde_json::from_str(body).ok()
    }

    /// Klarna's correlation id, to quote to Klarna's support.
    pub fn correlation_id(&self) -> Option<String> {
        match self {
            Error::Http(e) => e.api()?.details.request_id.clone(),
            _ => None,
        }
    }

    /// Whether trying again later may succeed (connection failures, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Http(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// How long Klarna asked to wait, if it said (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Http(e) => e.retry_after(),
            _ => None,
        }
    }

    /// What kind of failure this is, in terms a host can act on.
    pub fn source_kind(&self) -> SourceErrorKind {
        match self {
            Error::Http(e) => e.source_kind(),
            Error::Pagination(_) | Error::ShortList { .. } | Error::LongList { .. } => {
                SourceErrorKind::Api
            }
            Error::Report(_) => SourceErrorKind::Decode,
            Error::Config(_) => SourceErrorKind::Config,
        }
    }
}

impl From<Error> for SourceError {
    fn from(err: Error) -> Self {
        SourceError::new(Provider::Klarna, err.source_kind(), err.to_string()).with_source(err)
    }
}
