//! List endpoints as streams: `limit=100`, `starting_after=<last id>`, one
//! object decoded at a time.
//!
//! Every list yields `Ok(Listed::Item(object))`, `Ok(Listed::Malformed(_))`
//! for an object that could not be decoded (the others still come through),
//! or one `Err` after
//! which the stream ends: a failure mid-list is an error, never a short list.
//! Retries (429, 5xx, `Stripe-Should-Retry`) happen per page inside
//! `provider-http`, so a retried page never repeats or loses objects, and a
//! cursor that repeats ends the list with an error.

mod invoicing;
mod payouts;

use bookkeeping_core::Provider;
use futures::stream::{BoxStream, StreamExt};
use provider_http::{Listed, Page, PaginationError, paginate};
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;

use crate::StripeClient;
use crate::error::Error;
use crate::models::List;

/// Objects per page: Stripe's maximum.
pub const PAGE_SIZE: u32 = 100;

/// A listing: each item is an object, or the
/// [`Malformed`](provider_http::Malformed) report of one that could not be
/// decoded; the stream ends after the first `Err`.
pub type ListStream<T> = BoxStream<'static, Result<Listed<T>, Error>>;

/// A half-open time range for Stripe's range filters: `[gte, lt)`, sent as
/// `created[gte]=…&created[lt]=…` in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// The first instant included.
    pub gte: OffsetDateTime,
    /// The first instant excluded.
    pub lt: OffsetDateTime,
}

impl TimeRange {
    /// `[gte, lt)`.
    pub fn new(gte: OffsetDateTime, lt: OffsetDateTime) -> Self {
        TimeRange { gte, lt }
    }

    /// The range of a bookkeeping period (Stockholm days in UTC instants).
    pub fn of_period(period: &bookkeeping_core::Period) -> Self {
        TimeRange::new(period.start_utc(), period.end_utc())
    }

    pub(crate) fn query(&self, field: &'static str) -> [(String, String); 2] {
        [
            (
                format!("{field}[gte]"),
                self.gte.unix_timestamp().to_string(),
            ),
            (format!("{field}[lt]"), self.lt.unix_timestamp().to_string()),
        ]
    }
}

impl From<PaginationError> for Error {
    fn from(err: PaginationError) -> Self {
        Error::Pagination {
            path: String::new(),
            reason: err.to_string(),
        }
    }
}

impl StripeClient {
    /// Every object of a list endpoint as raw JSON, page by page, starting
    /// after `first_cursor` (to continue an embedded list).
    pub(crate) fn list_raw(
        &self,
        path: String,
        query: Vec<(String, String)>,
        first_cursor: Option<String>,
    ) -> BoxStream<'static, Result<Value, Error>> {
        let http = self.http.clone();
        let list_path = path.clone();
        paginate(first_cursor, move |cursor: Option<String>| {
            let http = http.clone();
            let path = path.clone();
            let mut query = query.clone();
            async move {
                query.push(("limit".to_owned(), PAGE_SIZE.to_string()));
                if let Some(after) = cursor {
                    query.push(("starting_after".to_owned(), after));
                }
                let pairs: Vec<(&str, String)> =
                    query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                let page: List<Value> = http.get_json(&path, &pairs).await?;
                let next = if page.has_more {
                    let last = page.data.last().ok_or_else(|| Error::Pagination {
                        path: path.clone(),
                        reason: "has_more is true on an empty page".to_owned(),
                    })?;
                    let id = last.get("id").and_then(Value::as_str).ok_or_else(|| {
                        Error::Pagination {
                            path: path.clone(),
                            reason: "the last object of the page has no id".to_owned(),
                        }
                    })?;
                    Some(id.to_owned())
                } else {
                    None
                };
                Ok::<_, Error>(Page::new(page.data, next))
            }
        })
        .map(move |item| {
            item.map_err(|err| match err {
                Error::Pagination { path, reason } if path.is_empty() => Error::Pagination {
                    path: list_path.clone(),
                    reason,
                },
                other => other,
            })
        })
        .boxed()
    }

    /// [`list_raw`](Self::list_raw), each object decoded as `T` on its own.
    pub(crate) fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        object: &'static str,
        path: String,
        query: Vec<(String, String)>,
        first_cursor: Option<String>,
    ) -> ListStream<T> {
        self.list_raw(path, query, first_cursor)
            .map(move |item| {
                item.map(|value| Listed::decode(Provider::Stripe, object, &["/id"], value))
            })
            .boxed()
    }
}

pub(crate) fn pair(key: &str, value: impl Into<String>) -> (String, String) {
    (key.to_owned(), value.into())
}
