//! Transaction Search: windows of at most 31 days, every page, `RESULTSET_TOO_LARGE`
//! splitting, and the cap at `last_refreshed_datetime`.

use std::collections::VecDeque;

use bookkeeping_core::{Provider, ReviewItem};
use futures::stream::{self, BoxStream, StreamExt};
use provider_http::{Malformed, RequestSpec, end_after_error};
use time::{Duration, OffsetDateTime};

use crate::models::{SearchPage, TransactionDetail, format_request_time};
use crate::{Error, MAX_WINDOW_DAYS, PayPalClient, TRANSACTIONS_PATH};

/// What [`PayPalClient::transactions`] yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SearchItem {
    /// A transaction, decoded.
    Transaction(Box<TransactionDetail>),
    /// A transaction that could not be decoded, naming its id and the field
    /// ([`Malformed::review`] is its review item).
    Malformed(Malformed),
    /// The last item, when PayPal's data is complete only up to `data_until`, earlier than
    /// the end asked for (`last_refreshed_datetime`, or the start PayPal had no data for yet). Nothing after it was searched.
    Incomplete {
        /// Until when the data is complete.
        data_until: OffsetDateTime,
    },
}

/// Everything a search found in a range; see [`PayPalClient::search`].
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct TransactionSearch {
    /// The transactions, in PayPal's order, window by window.
    pub transactions: Vec<TransactionDetail>,
    /// Records that could not be decoded.
    pub review: Vec<ReviewItem>,
    /// `Some` when PayPal's data ends before the range does.
    pub data_until: Option<OffsetDateTime>,
}

impl TransactionSearch {
    /// Whether the whole range was searched with complete data.
    pub fn is_complete(&self) -> bool {
        self.data_until.is_none()
    }
}

#[derive(Debug, Clone)]
struct Job {
    start: OffsetDateTime,
    /// Exclusive.
    end: OffsetDateTime,
    page: u32,
    expected_total: Option<u64>,
    restarts: u8,
}

struct State {
    client: PayPalClient,
    from: OffsetDateTime,
    to: OffsetDateTime,
    jobs: VecDeque<Job>,
    refreshed: Option<OffsetDateTime>,
    incomplete_until: Option<OffsetDateTime>,
    finished: bool,
}

/// The windows of at most [`MAX_WINDOW_DAYS`] days covering `[from, to)`.
pub(crate) fn windows(
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Vec<(OffsetDateTime, OffsetDateTime)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = (start + Duration::days(MAX_WINDOW_DAYS)).min(to);
        out.push((start, end));
        start = end;
    }
    out
}

impl PayPalClient {
    /// Every transaction initiated in `[from, to)`, as a stream.
    ///
    /// The range is searched in windows of at most 31 days (PayPal's limit) with
    /// `fields=all` and `page_size=500`, following `page` up to `total_pages`. A window
    /// that answers `400 RESULTSET_TOO_LARGE` is split in half and searched again. The
    /// end is capped at PayPal's `last_refreshed_datetime`: the stream then
    /// ends with [`SearchItem::Incomplete`]. Each record is decoded on its own; one that
    /// cannot be decoded is a [`SearchItem::Malformed`] naming its id and field, and the rest
    /// still come. If the item count changes between the pages of a window (new data
    /// arriving), the window is read again from page 1 (twice at most), so records may
    /// repeat but none is lost; [`dedupe_transactions`](crate::dedupe_transactions) drops
    /// the repeats.
    ///
    /// The stream ends after the first `Err`: a failure mid-list is never a short list.
    pub fn transactions(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> BoxStream<'static, Result<SearchItem, Error>> {
        // No cap at the local clock: PayPal's `last_refreshed_datetime` is the authority
        // (and a wrong local clock must not cut a period short).
        let jobs = windows(from, to)
            .into_iter()
            .map(|(start, end)| Job {
                start,
                end,
                page: 1,
                expected_total: None,
                restarts: 0,
            })
            .collect();
        let state = State {
            client: self.clone(),
            from,
            to,
            jobs,
            refreshed: None,
            incomplete_until: None,
            finished: false,
        };
        let pages = stream::unfold(state, |mut state| async move {
            if state.finished {
                return None;
            }
            match state.step().await {
                Ok(Some(items)) => Some((items.into_iter().map(Ok).collect::<Vec<_>>(), state)),
                Ok(None) => {
                    state.finished = true;
                    let tail = state
                        .incomplete_until
                        .map(|data_until| vec![Ok(SearchItem::Incomplete { data_until })])
                        .unwrap_or_default();
                    Some((tail, state))
                }
                Err(e) => Some((vec![Err(e)], state)),
            }
        });
        end_after_error(pages.flat_map(stream::iter)).boxed()
    }

    /// Collects [`transactions`](PayPalClient::transactions) for `[from, to)`.
    ///
    /// # Errors
    /// The first error of the stream: [`Error::Token`], [`Error::Http`] (a page that failed
    /// after retries, or that could not be decoded as a page), [`Error::ResultSetTooLarge`],
    /// [`Error::Inconsistent`].
    pub async fn search(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<TransactionSearch, Error> {
        let mut out = TransactionSearch::default();
        let mut items = self.transactions(from, to);
        while let Some(item) = items.next().await {
            match item? {
                SearchItem::Transaction(t) => out.transactions.push(*t),
                SearchItem::Malformed(m) => out.review.push(m.review()),
                SearchItem::Incomplete { data_until } => out.data_until = Some(data_until),
            }
        }
        Ok(out)
    }

    /// One page of one window.
    async fn fetch_page(&self, job: &Job) -> Result<SearchPage, Error> {
        // PayPal's `end_date` is inclusive (its own examples end at 23:59:59), and
        // transactions carry whole seconds: ask up to one second before the window's end.
        let last = (job.end - Duration::SECOND).max(job.start);
        let spec = RequestSpec::get(TRANSACTIONS_PATH).queries(&[
            ("start_date", format_request_time(job.start)),
            ("end_date", format_request_time(last)),
            ("fields", "all".to_owned()),
            ("balance_affecting_records_only", "Y".to_owned()),
            ("page_size", self.page_size.to_string()),
            ("page", job.page.to_string()),
        ]);
        let resp = self.http.send(spec).await.map_err(Error::from_http)?;
        self.http.decode(&resp).map_err(Error::from_http)
    }
}

/// `INVALID_REQUEST` "Data for the given start date is not available." for a start that
/// is recent: the data is not refreshed yet. PayPal's answer has been seen with status 400
/// and with 404 (the spec's `default` response covers both), so either is accepted. (The
/// same answer for a start more than three years back is a real error: that data is gone.)
fn is_not_yet_available(e: &Error, start: OffsetDateTime) -> bool {
    let Some(api) = e.http().and_then(provider_http::HttpError::api) else {
        return false;
    };
    let recent = start > OffsetDateTime::now_utc() - Duration::days(3 * 365 - 7);
    matches!(api.status.as_u16(), 400 | 404)
        && matches!(
            api.details.code.as_deref(),
            None | Some("INVALID_REQUEST" | "RESOURCE_NOT_FOUND")
        )
        && api
            .details
            .message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("not available"))
        && recent
}

impl State {
    /// Fetches the next page; `None` when every window is done.
    async fn step(&mut self) -> Result<Option<Vec<SearchItem>>, Error> {
        loop {
            let Some(mut job) = self.jobs.pop_front() else {
                return Ok(None);
            };
            if job.page == 1
                && let Some(refreshed) = self.refreshed
            {
                if job.start >= refreshed {
                    self.mark_incomplete(refreshed);
                    continue;
                }
                if job.end > refreshed {
                    job.end = refreshed;
                    self.mark_incomplete(refreshed);
                }
            }
            let page = match self.client.fetch_page(&job).await {
                Ok(page) => page,
                Err(e) if job.page == 1 && e.code() == Some("RESULTSET_TOO_LARGE") => {
                    let span = job.end - job.start;
                    if span <= self.client.min_window {
                        return Err(Error::ResultSetTooLarge {
                            start: job.start,
                            end: job.end,
                        });
                    }
                    let half = Duration::seconds((span.whole_seconds() / 2).max(1));
                    let mid = job.start + half;
                    tracing::debug!(start = %job.start, end = %job.end, "result set too large, splitting the window");
                    self.jobs.push_front(Job {
                        start: mid,
                        ..job.clone()
                    });
                    self.jobs.push_front(Job { end: mid, ..job });
                    continue;
                }
                Err(e) if job.page == 1 && is_not_yet_available(&e, job.start) => {
                    // PayPal has no data from this start yet (it lags up to three hours):
                    // nothing from here on can be searched now.
                    tracing::debug!(start = %job.start, "data not yet available, stopping");
                    self.mark_incomplete(job.start);
                    self.jobs.clear();
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            if let Some(r) = page.last_refreshed_datetime {
                self.refreshed = Some(self.refreshed.map_or(r, |old| old.max(r)));
                if r < job.end {
                    self.mark_incomplete(r);
                }
            }
            let total_pages = page.total_pages.unwrap_or(1);
            // More pages than the records fill, or an empty page before the
            // last: PayPal's numbers do not hold together, and following them
            // (`total_pages` of 4294967295 at PayPal's 50 requests a minute)
            // would not end.
            let fill = page
                .total_items
                .map(|items| items.div_ceil(u64::from(self.client.page_size.max(1))));
            let lie = match fill {
                Some(fill) if job.page == 1 => u64::from(total_pages) > fill.max(1),
                _ => false,
            } || (page.transaction_details.is_empty() && job.page < total_pages);
            if lie {
                return Err(Error::Inconsistent(format!(
                    "page {} of {total_pages} with {} records, {:?} in all, in the window starting {}",
                    job.page,
                    page.transaction_details.len(),
                    page.total_items,
                    job.start
                )));
            }
            if job.page > 1 && page.total_items != job.expected_total {
                if job.restarts >= 2 {
                    return Err(Error::Inconsistent(format!(
                        "total_items changed from {:?} to {:?} between pages of the window starting {}",
                        job.expected_total, page.total_items, job.start
                    )));
                }
                // New records arrived while paging: page boundaries moved. Read the window
                // again; repeats are dropped by the caller's de-duplication.
                self.jobs.push_front(Job {
                    page: 1,
                    expected_total: None,
                    restarts: job.restarts + 1,
                    ..job
                });
                continue;
            }
            if let Some(p) = page.page
                && p != job.page
            {
                return Err(Error::Inconsistent(format!(
                    "asked for page {} and got page {p}",
                    job.page
                )));
            }
            if job.page < total_pages {
                self.jobs.push_front(Job {
                    page: job.page + 1,
                    expected_total: page.total_items,
                    ..job.clone()
                });
            }
            let items = page
                .transaction_details
                .into_iter()
                .enumerate()
                .filter_map(|(i, value)| self.decode_item(i, value))
                .collect();
            return Ok(Some(items));
        }
    }

    fn mark_incomplete(&mut self, until: OffsetDateTime) {
        if until < self.to {
            self.incomplete_until = Some(self.incomplete_until.map_or(until, |u| u.min(until)));
        }
    }

    fn decode_item(&self, index: usize, value: serde_json::Value) -> Option<SearchItem> {
        let pointers = ["/transaction_info/transaction_id"];
        match Malformed::decode::<TransactionDetail>(
            Provider::PayPal,
            "transaction",
            &pointers,
            value,
        ) {
            Ok(detail) => {
                let at = detail.transaction_info.transaction_initiation_date;
                // Records dated outside the range belong to another range.
                (at >= self.from && at < self.to).then(|| SearchItem::Transaction(Box::new(detail)))
            }
            Err(m) => Some(SearchItem::Malformed(
                m.within("transaction_details", index),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_are_at_most_31_days_and_cover_the_range() {
        let from = datetime!(2026-09-30 22:00 UTC);
        let to = datetime!(2026-10-31 23:00 UTC); // October in Stockholm: 31 days and 1 hour
        let w = windows(from, to);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0], (from, datetime!(2026-10-31 22:00 UTC)));
        assert_eq!(w[1], (datetime!(2026-10-31 22:00 UTC), to));
        assert!(windows(to, to).is_empty());
    }
}
