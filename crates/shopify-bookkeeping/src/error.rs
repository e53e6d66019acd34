//! [`Error`]: everything that can go wrong talking to Shopify.

use std::time::Duration;

use bookkeeping_core::{Provider, SourceError, SourceErrorKind};
use provider_http::{HttpError, PaginationError};
use serde::{Deserialize, Serialize};

/// One entry of a GraphQL response's top-level `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphQlError {
    /// Shopify's message.
    pub message: String,
    /// `extensions.code` (`THROTTLED`, `ACCESS_DENIED`, `MAX_COST_EXCEEDED`…).
    pub code: Option<String>,
    /// The path of the field that failed, as Shopify gave it.
    pub path: Option<String>,
    /// The whole `extensions` object (e.g. `cost` and `maxCost` for
    /// `MAX_COST_EXCEEDED`).
    pub extensions: Option<serde_json::Value>,
}

/// One entry of a mutation payload's `userErrors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    /// The input field concerned, joined with `.`.
    pub field: Option<String>,
    /// Shopify's message.
    pub message: String,
    /// Shopify's code, when the payload has one.
    pub code: Option<String>,
}

/// An error from the Shopify client.
///
/// `Display` is one lowercase line naming the request, e.g.
/// `shopify: POST /admin/api/2026-01/graphql.json: graphql error ACCESS_DENIED: access denied for orders field`.
/// No error ever contains the access token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The shop name is not `{shop}.myshopify.com` or a bare shop handle.
    #[error("shopify: invalid shop name {shop:?}: {reason}")]
    InvalidShop {
        /// What was given.
        shop: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The client was set up wrongly (a page size outside 1–250).
    #[error("shopify: invalid configuration: {0}")]
    Config(String),
    /// The HTTP layer failed: configuration, connection, an error status, or
    /// a body that is not JSON.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Shopify kept answering `THROTTLED` after the retry budget.
    #[error(
        "shopify: POST {path}: throttled (query cost exceeds the available points), gave up after {attempts} attempts"
    )]
    Throttled {
        /// The request path.
        path: String,
        /// Attempts made.
        attempts: u32,
        /// The wait Shopify's cost information asked for.
        retry_after: Option<Duration>,
    },
    /// The response's top-level `errors` were not empty.
    #[error("shopify: POST {path}: graphql error {}", summarize(.errors))]
    GraphQl {
        /// The request path.
        path: String,
        /// The errors.
        errors: Vec<GraphQlError>,
    },
    /// A bulk operation did not deliver its result: it failed (with
    /// Shopify's `errorCode`), was canceled or expired, outlasted the
    /// client's patience, or its result could not be downloaded.
    #[error("shopify: bulk operation {id}: {message}")]
    Bulk {
        /// The operation's GID.
        id: String,
        /// What went wrong (whether Shopify kept partial data, never its
        /// signed URL, which grants access like a credential).
        message: String,
    },
    /// A mutation answered with `userErrors`.
    #[error("shopify: {operation}: user errors: {}", summarize_user(.errors))]
    UserErrors {
        /// The operation (payload field) concerned.
        operation: String,
        /// The errors.
        errors: Vec<UserError>,
    },
    /// A part of the response that the whole page depends on (the envelope,
    /// `pageInfo`) could not be decoded.
    #[error("shopify: POST {path}: decoding {what} failed at `{field}`: {source}")]
    Decode {
        /// The request path.
        path: String,
        /// What was being decoded.
        what: &'static str,
        /// The JSON path of the failing field.
        field: String,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// The response had no data where the query asks for it (e.g.
    /// `shopifyPaymentsAccount` is null: the shop does not use Shopify Payments).
    #[error("shopify: POST {path}: the response has no `{pointer}`")]
    MissingData {
        /// The request path.
        path: String,
        /// The JSON pointer that was empty.
        pointer: String,
    },
    /// A list's cursor repeated: following it would repeat or lose records.
    #[error("shopify: {0}")]
    Pagination(#[from] PaginationError),
}

fn summarize(errors: &[GraphQlError]) -> String {
    let mut parts = errors.iter().map(|e| match (&e.code, &e.path) {
        (Some(c), Some(p)) => format!("{c}: {} (at {p})", e.message),
        (Some(c), None) => format!("{c}: {}", e.message),
        (None, Some(p)) => format!("{} (at {p})", e.message),
        (None, None) => e.message.clone(),
    });
    let first = parts.next().unwrap_or_default();
    match errors.len() {
        0 | 1 => first,
        n => format!("{first} (and {} more)", n - 1),
    }
}

fn summarize_user(errors: &[UserError]) -> String {
    errors
        .iter()
        .map(|e| match &e.field {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// Whether trying again later may succeed (throttling, connection
    /// failures, 429 and 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Throttled { .. } => true,
            Error::Http(e) => e.is_retryable(),
            Error::GraphQl { errors, .. } => errors.iter().any(|e| {
                matches!(
                    e.code.as_deref(),
                    Some("THROTTLED" | "INTERNAL_SERVER_ERROR")
                )
            }),
            _ => false,
        }
    }

    /// How long Shopify asked to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after, .. } => *retry_after,
            Error::Http(e) => e.retry_after(),
            _ => None,
        }
    }

    /// The GraphQL error codes, if this is a GraphQL error.
    pub fn graphql_codes(&self) -> Vec<&str> {
        match self {
            Error::GraphQl { errors, .. } => {
                errors.iter().filter_map(|e| e.code.as_deref()).collect()
            }
            _ => Vec::new(),
        }
    }

    fn source_kind(&self) -> SourceErrorKind {
        match self {
            Error::InvalidShop { .. } | Error::Config(_) => SourceErrorKind::Config,
            Error::Throttled { .. } => SourceErrorKind::RateLimited,
            Error::GraphQl { errors, .. } => {
                if errors
                    .iter()
                    .any(|e| e.code.as_deref() == Some("ACCESS_DENIED"))
                {
                    SourceErrorKind::Auth
                } else if errors
                    .iter()
                    .any(|e| e.code.as_deref() == Some("THROTTLED"))
                {
                    SourceErrorKind::RateLimited
                } else {
                    SourceErrorKind::Api
                }
            }
            Error::UserErrors { .. } | Error::Bulk { .. } => SourceErrorKind::Api,
            Error::Decode { .. } | Error::MissingData { .. } | Error::Pagination(_) => {
                SourceErrorKind::Decode
            }
            Error::Http(e) => e.source_kind(),
        }
    }
}

impl From<Error> for SourceError {
    fn from(err: Error) -> Self {
        SourceError::new(Provider::Shopify, err.source_kind(), err.to_string()).with_source(err)
    }
}
