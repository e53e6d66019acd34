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
use provider_http::scan::{Scan, Scanner, once};
use provider_http::{Listed, Page, PaginationError, RequestSpec, paginate};
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
    /// Every object of a list endpoint, page by page, starting after
    /// `first_cursor` (to continue an embedded list), each decoded as `T` on
    /// its own ([`ListPage`]).
    pub(crate) fn list<T: StripeObject + Send + 'static>(
        &self,
        object: &'static str,
        path: String,
        query: Vec<(String, String)>,
        first_cursor: Option<String>,
    ) -> ListStream<T> {
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
                let resp = http.send(RequestSpec::get(&path).queries(&pairs)).await?;
                let page = match ListPage::<T>::whole(resp.body()) {
                    Some(page) => page,
                    // Not every object decodes, or the page is not a list at
                    // all: `decode` says which field of the page failed then.
                    None => ListPage::each(object, http.decode(&resp)?),
                };
                let next = match page.next_cursor() {
                    None => None,
                    Some(Some(id)) => Some(id.to_owned()),
                    Some(None) => {
                        return Err(Error::Pagination {
                            path: path.clone(),
                            reason: if page.items.is_empty() {
                                "has_more is true on an empty page"
                            } else {
                                "the last object of the page has no id"
                            }
                            .to_owned(),
                        });
                    }
                };
                Ok::<_, Error>(Page::new(page.items, next))
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
}

pub(crate) fn pair(key: &str, value: impl Into<String>) -> (String, String) {
    (key.to_owned(), value.into())
}

/// A Stripe object that lists return: it has an id, which the next page is
/// asked for with (`starting_after`).
pub trait StripeObject: DeserializeOwned {
    /// The object's id.
    fn object_id(&self) -> &str;

    /// The object read with kassabok's JSON scanner, the fast path of
    /// [`ListPage::decode`]: exactly what serde would read, or
    /// [`Declined`](provider_http::scan::Declined) (the default: the kind is
    /// read by serde alone).
    #[doc(hidden)]
    fn scan(_: &mut Scanner<'_>) -> Scan<Self> {
        Err(provider_http::scan::Declined)
    }
}

/// One page of a Stripe list, each object decoded on its own: an object that
/// does not decode is its [`Malformed`](provider_http::Malformed) report, and
/// the others still come through.
///
/// A page is first read by kassabok's JSON scanner ([`provider_http::scan`])
/// where its kind has a scan (balance transactions): the fields bookkeeping
/// needs read where they lie, the rest skipped. A page the scanner declines
/// (anything not plainly of Stripe's shape, or not JSON) is decoded whole by
/// serde, straight into the models (one pass over the bytes, no
/// `serde_json::Value` tree); only a page on which some object fails is read
/// again as `Value`s and decoded object by object, to say which object and
/// which field. The three give the same objects wherever more than one reads
/// a page.
///
/// ```
/// use stripe_invoicing::models::BalanceTransaction;
/// use stripe_invoicing::ListPage;
///
/// let body = br#"{"object": "list", "has_more": true, "url": "/v1/balance_transactions",
///   "data": [
///     {"id": "txn_1", "object": "balance_transaction", "amount": 1000, "fee": 59, "net": 941,
///      "currency": "sek", "reporting_category": "charge", "type": "charge", "created": 1772323200},
///     {"id": "txn_2", "object": "balance_transaction", "amount": "10.00", "fee": 0, "net": 0,
///      "currency": "sek", "reporting_category": "charge", "type": "charge", "created": 1772323200}
///   ]}"#;
/// let page = ListPage::<BalanceTransaction>::decode("balance_transaction", body).unwrap();
/// assert!(page.items[0].item().is_some());
/// let bad = page.items[1].malformed().unwrap();
/// assert_eq!((bad.id.as_deref(), bad.field.as_str()), (Some("txn_2"), "amount"));
/// assert_eq!(page.next_cursor(), Some(Some("txn_2")));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<T> {
    /// The objects of the page, in Stripe's order.
    pub items: Vec<Listed<T>>,
    /// Whether more objects follow.
    pub has_more: bool,
}

impl<T: StripeObject> ListPage<T> {
    /// Decodes a list page's body; objects of kind `object` (`balance_transaction`).
    ///
    /// # Errors
    /// When the body is not a Stripe list at all (then no object is read).
    pub fn decode(object: &'static str, body: &[u8]) -> Result<Self, serde_json::Error> {
        match Self::scanned(body).or_else(|| Self::whole(body)) {
            Some(page) => Ok(page),
            None => serde_json::from_slice(provider_http::strip_bom(body))
                .map(|list| Self::each(object, list)),
        }
    }

    /// The page read by the scanner, unless it declines.
    fn scanned(body: &[u8]) -> Option<Self> {
        let mut s = Scanner::new(provider_http::strip_bom(body));
        let (mut data, mut has_more, mut url) = (None, None, None);
        s.object(|s, key| match key {
            b"data" => {
                let mut items = Vec::with_capacity(PAGE_SIZE as usize);
                let read = s.array(|s| {
                    items.push(Listed::Item(T::scan(s)?));
                    Ok(())
                });
                once(&mut data, read.map(|()| items))
            }
            b"has_more" => once(&mut has_more, s.bool()),
            // Not used, but serde checks it is a string (or null).
            b"url" => once(&mut url, s.str_or_null().map(|_| ())),
            _ => s.skip_field(key),
        })
        .ok()?;
        s.end().ok()?;
        Some(ListPage {
            items: data?,
            has_more: has_more.unwrap_or(false),
        })
    }

    /// The page decoded whole, if every object decodes.
    fn whole(body: &[u8]) -> Option<Self> {
        let list: WholeList<T> = serde_json::from_slice(provider_http::strip_bom(body)).ok()?;
        Some(ListPage {
            items: list.data.0,
            has_more: list.has_more,
        })
    }

    /// The page decoded object by object.
    fn each(object: &'static str, list: List<Value>) -> Self {
        ListPage {
            items: list
                .data
                .into_iter()
                .map(|raw| Listed::decode(Provider::Stripe, object, &["/id"], raw))
                .collect(),
            has_more: list.has_more,
        }
    }

    /// `None` on the last page; else `Some` of the id to continue after, which
    /// is `None` when the page's last object has no id (or there is none).
    pub fn next_cursor(&self) -> Option<Option<&str>> {
        if !self.has_more {
            return None;
        }
        Some(self.items.last().and_then(|last| match last {
            Listed::Item(t) => Some(t.object_id()),
            Listed::Malformed(m) => m.raw.get("id").and_then(Value::as_str),
        }))
    }
}

#[cfg(test)]
mod scan_tests;

macro_rules! stripe_objects {
    ($($t:ty),+ $(,)?) => {
        $(impl StripeObject for $t {
            fn object_id(&self) -> &str {
                self.id.as_str()
            }
        })+
    };
}

impl StripeObject for crate::models::BalanceTransaction {
    fn object_id(&self) -> &str {
        self.id.as_str()
    }

    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        provider_http::scan::Scannable::scan(s)
    }
}

stripe_objects!(
    crate::models::Payout,
    crate::models::Invoice,
    crate::models::InvoiceLineItem,
    crate::models::InvoicePayment,
    crate::models::CreditNote,
    crate::models::CreditNoteLineItem,
    crate::models::TaxRate,
);

/// A list page read whole: [`List`]'s fields, its objects decoded straight
/// into the page's `Vec<Listed<T>>` (no second `Vec` and no move of every
/// object into it).
#[derive(serde::Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct WholeList<T> {
    data: Items<T>,
    #[serde(default)]
    has_more: bool,
    #[serde(default, rename = "url")]
    _url: Option<String>,
}

/// The objects of a list page, each as [`Listed::Item`].
struct Items<T>(Vec<Listed<T>>);

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Items<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Seq<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for Seq<T> {
            type Value = Items<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of objects")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Items<T>, A::Error> {
                // Stripe's pages hold at most 100 objects (`limit`, "between
                // 1 and 100"), and kassabok asks for `PAGE_SIZE`: room for a
                // whole page at once, without `serde_json`'s unknown length
                // growing the `Vec` six times (each a copy of the objects so far).
                let page = PAGE_SIZE as usize;
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(page).min(page));
                while let Some(item) = seq.next_element::<T>()? {
                    items.push(Listed::Item(item));
                }
                Ok(Items(items))
            }
        }
        d.deserialize_seq(Seq(std::marker::PhantomData))
    }
}
