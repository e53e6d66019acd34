//! The Settlements API endpoints: payouts, transactions, summary, reports.

use bookkeeping_core::{Currency, PayoutRecord, Period};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use provider_http::http::header::{ACCEPT, HeaderValue};
use provider_http::{LaneItem, Lanes, Page, RequestSpec, end_after_error, flatten_batches};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::{SETTLEMENTS, api_version};
use crate::disputes::lost_disputes;
use crate::listed::decode_item;
use crate::models::{OrderId, Pagination, PaymentReference, Payout, PayoutSummary, Transaction};
use crate::normalize::normalize_payout;
use crate::report::{PayoutReport, parse_payout_report, parse_payouts_report};
use crate::{Error, KlarnaClient};
use provider_http::Listed;

/// Payout listings read at the same time. Payouts do not depend on each
/// other, so their listings (each a chain of pages) run at once and a
/// month's payouts take the round trips of the longest one, within the
/// client's rate limit; records still come out in the order of the payouts
/// list ([`Lanes`]).
const PAYOUT_LISTS_AT_ONCE: usize = 16;

/// Transactions that listings which are not first may read ahead of their
/// turn, in all: memory stays bounded however large the payouts.
const READ_AHEAD: usize = 5_000;

/// Which payouts to list (`GET /settlements/v1/payouts`). Klarna filters on
/// the payout date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayoutQuery {
    /// Payouts from this instant (inclusive).
    pub start: Option<OffsetDateTime>,
    /// Payouts up to this instant (inclusive, as Klarna reads `end_date`).
    pub end: Option<OffsetDateTime>,
    /// Only payouts in this currency.
    pub currency: Option<Currency>,
}

impl PayoutQuery {
    /// All payouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// The payouts of a period of Stockholm dates: from its first midnight to
    /// one second before the next period starts (Klarna's `end_date` is
    /// inclusive, and a bare date would mean midnight).
    pub fn period(period: &Period) -> Self {
        Self {
            start: Some(period.start_utc()),
            end: Some(period.end_utc() - time::Duration::SECOND),
            currency: None,
        }
    }

    /// Only payouts in `currency`.
    #[must_use]
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = Some(currency);
        self
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(s) = self.start {
            q.push(("start_date", utc(s)));
        }
        if let Some(e) = self.end {
            q.push(("end_date", utc(e)));
        }
        if let Some(c) = self.currency {
            q.push(("currency_code", c.to_string()));
        }
        q
    }
}

/// Which transactions to list (`GET /settlements/v1/transactions`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionQuery {
    /// The transactions of one payout.
    Payout(PaymentReference),
    /// The transactions of one order.
    Order(OrderId),
}

impl TransactionQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        match self {
            TransactionQuery::Payout(p) => vec![("payment_reference", p.to_string())],
            TransactionQuery::Order(o) => vec![("order_id", o.to_string())],
        }
    }
}

/// `2025-03-01T00:00:00Z`: UTC, whole seconds.
fn utc(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A page of a list answer: its objects (under `payouts` or `transactions`),
/// kept raw so that each decodes on its own, and the pagination.
#[derive(Deserialize)]
struct ListPage {
    #[serde(alias = "payouts", alias = "transactions")]
    items: Vec<Value>,
    pagination: Option<Pagination>,
}

impl KlarnaClient {
    fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &'static str,
        query: Vec<(&'static str, String)>,
        object: &'static str,
        id_fields: &'static [&'static str],
    ) -> BoxStream<'static, Result<Listed<T>, Error>> {
        let http = self.http.clone();
        let size = self.page_size;
        let pages = provider_http::paginate(Some(0u64), move |offset: Option<u64>| {
            let http = http.clone();
            let mut query = query.clone();
            async move {
                let offset = offset.unwrap_or(0);
                query.push(("size", size.to_string()));
                query.push(("offset", offset.to_string()));
                let resp = http.send(RequestSpec::get(path).queries(&query)).await?;
                let ListPage {
                    items: raw,
                    pagination,
                } = http.decode(&resp)?;
                let seen = offset + raw.len() as u64;
                // Klarna's `next` says whether there is more; the next offset is
                // computed from what arrived, so nothing is skipped or repeated.
                let next = match pagination {
                    Some(Pagination {
                        next: Some(_),
                        total: Some(total),
                        ..
                    }) if seen >= total => {
                        return Err(Error::LongList { path, seen, total });
                    }
                    Some(p) if p.next.is_some() => Some(seen),
                    Some(Pagination {
                        total: Some(total), ..
                    }) if seen < total => {
                        return Err(Error::ShortList { path, seen, total });
                    }
                    _ => None,
                };
                let items: Vec<Listed<T>> = raw
                    .into_iter()
                    .map(|v| decode_item(object, id_fields, v))
                    .collect();
                Ok::<_, Error>(Page::new(items, next))
            }
        });
        end_after_error(pages).boxed()
    }

    /// Lists payouts, every page (`size` 500), each payout decoded on its
    /// own: a malformed payout is a [`Listed::Malformed`] naming the field,
    /// and the others still come through.
    ///
    /// The stream ends after the first error; a failure mid-list is an error,
    /// never a short list.
    pub fn list_payouts(
        &self,
        query: &PayoutQuery,
    ) -> BoxStream<'static, Result<Listed<Payout>, Error>> {
        self.list::<Payout>(PAYOUTS, query.pairs(), "payout", &["/payment_reference"])
    }

    /// Lists transactions of a payout or an order, every page, each decoded
    /// on its own. Ends after the first error.
    pub fn list_transactions(
        &self,
        query: &TransactionQuery,
    ) -> BoxStream<'static, Result<Listed<Transaction>, Error>> {
        self.list::<Transaction>(
            TRANSACTIONS,
            query.pairs(),
            "transaction",
            &["/capture_id", "/refund_id", "/order_id"],
        )
    }

    /// All transactions of one payout.
    ///
    /// # Errors
    /// The first request or pagination error.
    pub async fn payout_transactions(
        &self,
        payment_reference: &PaymentReference,
    ) -> Result<Vec<Listed<Transaction>>, Error> {
        self.list_transactions(&TransactionQuery::Payout(payment_reference.clone()))
            .try_collect()
            .await
    }

    /// One payout by its payment reference.
    ///
    /// # Errors
    /// [`Error::Http`]: 404 with Klarna's error when there is no such payout
    /// (see [`Error::klarna_error`]), or a decode error naming the field.
    pub async fn payout(&self, payment_reference: &PaymentReference) -> Result<Payout, Error> {
        let path = format!("{PAYOUTS}/{}", encode_segment(payment_reference.as_str()));
        Ok(self.http.get_json(&path, &[]).await?)
    }

    /// The payout summary of a period, one entry per currency
    /// (`GET /settlements/v1/payouts/summary`; both dates are required).
    ///
    /// # Errors
    /// Request and decode errors.
    pub async fn payout_summary(
        &self,
        start: OffsetDateTime,
        end: OffsetDateTime,
        currency: Option<Currency>,
    ) -> Result<Vec<PayoutSummary>, Error> {
        let mut query = vec![("start_date", utc(start)), ("end_date", utc(end))];
        if let Some(c) = currency {
            query.push(("currency_code", c.to_string()));
        }
        Ok(self
            .http
            .get_json(&format!("{PAYOUTS}/summary"), &query)
            .await?)
    }

    /// The payout-with-transactions CSV report of one payout, read by
    /// column name (see [`parse_payout_report`]).
    ///
    /// # Errors
    /// Request errors, and [`Error::Report`] when the CSV cannot be read.
    pub async fn payout_report(
        &self,
        payment_reference: &PaymentReference,
    ) -> Result<PayoutReport, Error> {
        let spec = RequestSpec::get(format!("{SETTLEMENTS}/reports/payout-with-transactions"))
            .query("payment_reference", payment_reference.as_str())
            .header(ACCEPT, HeaderValue::from_static("text/csv"));
        let resp = self.http.send(spec).await?;
        Ok(parse_payout_report(resp.body())?)
    }

    /// The payouts-summary-with-transactions CSV report of a period, one
    /// [`PayoutReport`] per payout (see [`parse_payouts_report`]).
    ///
    /// # Errors
    /// Request errors, and [`Error::Report`] when the CSV cannot be read.
    pub async fn payouts_report(
        &self,
        start: OffsetDateTime,
        end: OffsetDateTime,
    ) -> Result<Vec<PayoutReport>, Error> {
        let spec = RequestSpec::get(format!(
            "{SETTLEMENTS}/reports/payouts-summary-with-transactions"
        ))
        .query("start_date", utc(start))
        .query("end_date", utc(end))
        .header(ACCEPT, HeaderValue::from_static("text/csv"));
        let resp = self.http.send(spec).await?;
        Ok(parse_payouts_report(resp.body())?)
    }

    /// The payouts of a period, each fetched with its transactions and
    /// normalized ([`normalize_payout`]), followed by the disputes its
    /// settlement lost ([`lost_disputes`]), as source records. Ends after
    /// the first error.
    pub fn normalized_payouts(
        &self,
        query: &PayoutQuery,
    ) -> BoxStream<'static, Result<PayoutRecord, Error>> {
        let client = self.clone();
        // One lane per payout: the payout, then its transactions.
        let lanes =
            self.list_payouts(query)
                .map(move |item| match item {
                    Ok(Listed::Item(payout)) => {
                        let transactions = client
                            .list_transactions(&TransactionQuery::Payout(
                                payout.payment_reference.clone(),
                            ))
                            .map(|t| Part::Transaction(Box::new(t)));
                        stream::once(async move { Part::Payout(Box::new(payout)) })
                            .chain(transactions)
                            .boxed()
                    }
                    Ok(Listed::Malformed(m)) => stream::once(async move {
                        Part::Records(vec![PayoutRecord::Review(m.review())])
                    })
                    .boxed(),
                    Err(e) => stream::once(async move { Part::Failed(e) }).boxed(),
                })
                .boxed();
        let mut payout = None;
        let mut transactions = Vec::new();
        let per_payout = Lanes::new(lanes, PAYOUT_LISTS_AT_ONCE, READ_AHEAD).map(
            move |item| -> Result<Vec<PayoutRecord>, Error> {
                match item {
                    LaneItem::Item(Part::Payout(p)) => payout = Some(*p),
                    LaneItem::Item(Part::Transaction(t)) => transactions.push((*t)?),
                    LaneItem::Item(Part::Records(records)) => return Ok(records),
                    LaneItem::Item(Part::Failed(e)) => return Err(e),
                    LaneItem::End => {
                        let listed = std::mem::take(&mut transactions);
                        if let Some(p) = payout.take() {
                            let mut records = normalize_payout(&p, &listed).into_records();
                            records.extend(lost_disputes(&p, &listed));
                            return Ok(records);
                        }
                    }
                }
                Ok(Vec::new())
            },
        );
        flatten_batches(per_payout).boxed()
    }
}

/// A piece of a payout lane of [`KlarnaClient::normalized_payouts`].
enum Part {
    /// A payout; its transactions follow (boxed, as a transaction: both are
    /// large, and a lane holds many parts).
    Payout(Box<Payout>),
    /// A transaction of the payout before it.
    Transaction(Box<Result<Listed<Transaction>, Error>>),
    /// Records as they are (a payout that did not decode).
    Records(Vec<PayoutRecord>),
    /// The payouts list failed.
    Failed(Error),
}

const PAYOUTS: &str = concat!("/settlements/", api_version!(), "/payouts");
const TRANSACTIONS: &str = concat!("/settlements/", api_version!(), "/transactions");

/// Percent-encodes a path segment (payment references are plain letters and
/// digits, but a crafted one must not change the path).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
