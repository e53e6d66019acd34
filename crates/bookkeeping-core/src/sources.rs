//! The traits every provider client implements, so that a host drives all
//! providers the same way.

use std::error::Error as StdError;
use std::fmt;

use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::{
    BalanceLine, DisputeLost, Payout, Period, Provider, Refund, ReviewItem, Sale, Statement,
};

/// A stream of records from a provider. It ends after the first `Err`: a
/// failure mid-list is an error, never a short list that looks complete. A
/// single record that cannot be used is not an `Err` but a `Review` record, so
/// the rest of the period still comes through.
pub type RecordStream<'a, T> = BoxStream<'a, Result<T, SourceError>>;

/// What a [`SalesSource`] yields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SalesRecord {
    /// A sale.
    Sale(Sale),
    /// A refund.
    Refund(Refund),
    /// Something that needs review (a record that could not be used, and why).
    Review(ReviewItem),
}

impl SalesRecord {
    /// The provider the record comes from, whatever its kind: a consumer that meets a kind it
    /// does not know (the enum is `non_exhaustive`) still names the right provider in its
    /// review item.
    ///
    /// ```
    /// use bookkeeping_core::{Provider, ReviewItem, ReviewReason, SalesRecord};
    ///
    /// let item = ReviewItem::new(Provider::Klarna, ReviewReason::UnknownType, "a new row type");
    /// assert_eq!(SalesRecord::Review(item).provider(), Provider::Klarna);
    /// ```
    pub fn provider(&self) -> Provider {
        match self {
            SalesRecord::Sale(sale) => sale.source.provider,
            SalesRecord::Refund(refund) => refund.source.provider,
            SalesRecord::Review(item) => item.provider,
        }
    }
}

/// What a [`PayoutSource`] yields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PayoutRecord {
    /// A payout with its lines.
    Payout(Payout),
    /// A balance transaction of the period in none of the payouts listed for
    /// it (not yet paid out at the period's end).
    Line(BalanceLine),
    /// Something that needs review.
    Review(ReviewItem),
    /// A dispute decided against the shop in the period.
    DisputeLost(DisputeLost),
}

impl PayoutRecord {
    /// The provider the record comes from, whatever its kind (see [`SalesRecord::provider`]).
    ///
    /// ```
    /// use bookkeeping_core::{PayoutRecord, Provider, ReviewItem, ReviewReason};
    ///
    /// let item = ReviewItem::new(Provider::Stripe, ReviewReason::UnknownType, "a new payout type");
    /// assert_eq!(PayoutRecord::Review(item).provider(), Provider::Stripe);
    /// ```
    pub fn provider(&self) -> Provider {
        match self {
            PayoutRecord::Payout(payout) => payout.provider,
            PayoutRecord::Line(line) => line.provider,
            PayoutRecord::Review(item) => item.provider,
            PayoutRecord::DisputeLost(lost) => lost.provider,
        }
    }
}

/// What a [`StatementSource`] returns for a period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatementBatch {
    /// One statement per currency balance.
    pub statements: Vec<Statement>,
    /// Items that need review.
    pub review: Vec<ReviewItem>,
}

/// Every source names its provider.
pub trait Source: Send + Sync {
    /// The provider behind this source.
    fn provider(&self) -> Provider;
}

/// A source of sales and refunds (Shopify orders, Stripe invoices, Klarna's
/// sales report).
pub trait SalesSource: Source {
    /// The sales and refunds that occurred in `period` (Stockholm dates).
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord>;

    /// The sale whose document number people see is `document` (an order
    /// name such as `#1007`), whatever its date, when the source can look
    /// one up and exactly one sale has it; `Ok(None)` otherwise (the
    /// default). A close asks for it when another provider names a sale of
    /// an earlier month only by that number: a Klarna `REVERSAL` of an order
    /// sold through Shopify weeks before ([`DisputeLost::reference`]).
    ///
    /// # Errors
    /// A [`SourceError`] when the provider cannot be read.
    fn sale_by_document<'a>(
        &'a self,
        document: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Option<Sale>, SourceError>> {
        let _ = document;
        Box::pin(async { Ok(None) })
    }

    /// [`sale_by_document`](Self::sale_by_document) of several documents at
    /// once: one answer per document, in their order. The default asks for
    /// each in turn; a source whose provider can search for several numbers
    /// in one request (Shopify's `name:'#1001' OR name:'#1002'`) overrides
    /// it, so a close that checks hundreds of numbers sends a few requests.
    ///
    /// # Errors
    /// A [`SourceError`] when the provider cannot be read.
    fn sales_by_documents<'a>(
        &'a self,
        documents: &'a [&'a str],
    ) -> futures::future::BoxFuture<'a, Result<Vec<Option<Sale>>, SourceError>> {
        Box::pin(async move {
            let mut found = Vec::with_capacity(documents.len());
            for document in documents {
                found.push(self.sale_by_document(document).await?);
            }
            Ok(found)
        })
    }
}

/// A source of payouts with their settlement lines (Shopify Payments, Klarna, Stripe).
pub trait PayoutSource: Source {
    /// For `period` (Stockholm dates): every payout created in it or arriving
    /// at the bank in it, each with all its lines whatever their dates (so it
    /// can be reconciled), and, as [`PayoutRecord::Line`], every balance
    /// transaction dated in the period that none of those payouts contains.
    /// A source whose provider states its lines only with the payout (Klarna)
    /// lists payouts by their date and yields no lines on their own.
    ///
    /// The period rule (docs/accounting.md, "Periods"): each line is booked
    /// in the month of its own date, the payout's transfer to the bank in the
    /// month it arrives; so a line is fetched by the run of its month and
    /// listed again, for reconciliation only, by the run of its payout's.
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord>;
}

/// A source of bank-like statements (PayPal).
#[async_trait::async_trait]
pub trait StatementSource: Source {
    /// Every balance movement in `period`, per currency, with opening and
    /// closing balances.
    ///
    /// # Errors
    /// A [`SourceError`] when the provider cannot be read.
    async fn statements(&self, period: &Period) -> Result<StatementBatch, SourceError>;
}

/// What went wrong reading a provider, in terms a host can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// Credentials were refused.
    Auth,
    /// The server could not be reached or the connection failed.
    Network,
    /// The provider kept throttling past the retry budget.
    RateLimited,
    /// The provider answered with an error.
    Api,
    /// A response could not be decoded as a whole.
    Decode,
    /// The client was set up wrongly (bad shop name, base URL).
    Config,
    /// Anything else.
    Other,
}

impl fmt::Display for SourceErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceErrorKind::Auth => "authentication failed",
            SourceErrorKind::Network => "network error",
            SourceErrorKind::RateLimited => "rate limited",
            SourceErrorKind::Api => "api error",
            SourceErrorKind::Decode => "decode error",
            SourceErrorKind::Config => "configuration error",
            SourceErrorKind::Other => "error",
        })
    }
}

/// An error from a source: which provider, what kind, and the provider
/// crate's own error as the cause. Never contains credentials.
#[derive(Debug, thiserror::Error)]
#[error("{provider}: {kind}: {message}")]
pub struct SourceError {
    /// The provider.
    pub provider: Provider,
    /// What kind of failure.
    pub kind: SourceErrorKind,
    /// One line saying what failed.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn StdError + Send + Sync>>,
}

impl SourceError {
    /// A new error.
    pub fn new(provider: Provider, kind: SourceErrorKind, message: impl Into<String>) -> Self {
        SourceError {
            provider,
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// With the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}
