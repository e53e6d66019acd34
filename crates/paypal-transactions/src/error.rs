//! The crate's error type.

use std::time::Duration;

use bookkeeping_core::{Provider, SourceError, SourceErrorKind};
use provider_http::HttpError;
use time::OffsetDateTime;

use crate::TOKEN_PATH;

/// The error code of a failed OAuth2 token request (RFC 6749 §5.2), as PayPal sends it:
/// `{"error": "invalid_client", "error_description": "Client Authentication failed"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenErrorCode {
    /// `invalid_client`: the client id or secret is wrong, or belongs to the other environment.
    InvalidClient,
    /// `invalid_grant`.
    InvalidGrant,
    /// `invalid_scope`.
    InvalidScope,
    /// `invalid_request`.
    InvalidRequest,
    /// `unauthorized_client`.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// Another code, or none, kept as sent.
    Unknown(String),
}

impl TokenErrorCode {
    fn parse(code: &str) -> Self {
        match code {
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "invalid_scope" => Self::InvalidScope,
            "invalid_request" => Self::InvalidRequest,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The code as PayPal sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::Unknown(s) => s,
        }
    }
}

/// An error of the PayPal client. Never contains the client secret or an access token.
///
/// `Display` is one lowercase line naming what failed, e.g.
/// `paypal: POST /v1/oauth2/token: 401 Unauthorized: invalid_client: Client Authentication failed`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// PayPal refused to issue an access token.
    #[error("{source}")]
    Token {
        /// The OAuth2 error code.
        code: TokenErrorCode,
        /// PayPal's `error_description`.
        description: Option<String>,
        /// The HTTP error.
        #[source]
        source: HttpError,
    },
    /// A request failed (transport, an error status, or a body that could not be decoded).
    ///
    /// Transparent: the message and the cause chain are the HTTP error's own, so a report that
    /// walks `source()` prints each cause once.
    #[error(transparent)]
    Http(HttpError),
    /// A window still answered `RESULTSET_TOO_LARGE` after being split down to the smallest
    /// window kassabok asks for.
    #[error(
        "paypal: GET /v1/reporting/transactions: result set too large even for the window {start}..{end}"
    )]
    ResultSetTooLarge {
        /// Window start.
        start: OffsetDateTime,
        /// Window end (exclusive).
        end: OffsetDateTime,
    },
    /// PayPal's pages contradicted each other (the item count kept changing between pages),
    /// so the listing cannot be trusted to be complete.
    #[error("paypal: GET /v1/reporting/transactions: {0}")]
    Inconsistent(String),
    /// PayPal's data ends before the period does (`last_refreshed_datetime`;
    /// "It takes a maximum of three hours for executed transactions to
    /// appear"): a close of the period now would book only part of it.
    #[error(
        "paypal: the data reaches only {data_until} and the period ends {period_end}: \
         PayPal publishes transactions up to three hours late; close the period later"
    )]
    NotYetPublished {
        /// Where PayPal's data ends.
        data_until: time::OffsetDateTime,
        /// Where the period ends.
        period_end: time::OffsetDateTime,
    },
    /// The client was set up wrongly.
    #[error("paypal: invalid configuration: {0}")]
    Config(String),
    /// The activity CSV could not be read as a whole (no header, unreadable bytes).
    #[error("paypal: activity csv: {message}")]
    Csv {
        /// What is wrong.
        message: String,
        /// The CSV reader's error.
        #[source]
        source: Option<csv::Error>,
    },
}

impl Error {
    pub(crate) fn from_http(err: HttpError) -> Self {
        let is_token = err.request().is_some_and(|r| r.path.ends_with(TOKEN_PATH));
        if is_token && let Some(api) = err.api() {
            let code = api.details.code.as_deref().map_or_else(
                || TokenErrorCode::Unknown(String::new()),
                TokenErrorCode::parse,
            );
            return Self::Token {
                code,
                description: api.details.message.clone(),
                source: err,
            };
        }
        Self::Http(err)
    }

    /// The HTTP error behind this one, if any.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            Self::Token { source, .. } => Some(source),
            Self::Http(e) => Some(e),
            _ => None,
        }
    }

    /// PayPal's error name (`RESULTSET_TOO_LARGE`, `INVALID_REQUEST`, `invalid_client`, …).
    pub fn code(&self) -> Option<&str> {
        self.http()
            .and_then(HttpError::api)
            .and_then(|a| a.details.code.as_deref())
    }

    /// Whether trying again later may succeed (decided by the HTTP layer from the status).
    pub fn is_retryable(&self) -> bool {
        self.http().is_some_and(HttpError::is_retryable)
    }

    /// How long PayPal asked to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.http().and_then(HttpError::retry_after)
    }

    fn source_kind(&self) -> SourceErrorKind {
        match self {
            Self::Token { .. } => SourceErrorKind::Auth,
            Self::Http(e) => e.source_kind(),
            Self::ResultSetTooLarge { .. }
            | Self::Inconsistent(_)
            | Self::NotYetPublished { .. } => SourceErrorKind::Api,
            Self::Config(_) => SourceErrorKind::Config,
            Self::Csv { .. } => SourceErrorKind::Decode,
        }
    }
}

impl From<Error> for SourceError {
    fn from(err: Error) -> Self {
        SourceError::new(Provider::PayPal, err.source_kind(), err.to_string()).with_source(err)
    }
}
