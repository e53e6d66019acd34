//! A month close: every provider's records of a period, mapped into a
//! [`Journal`].
//!
//! [`Close`] is the way to do it: each client goes in once and plays every
//! role it has ([`Roles`]), the records stream into the mapper as they
//! arrive, progress, deadlines and rate preparation are optional.
//!
//! A client carries transport only; the host's bookkeeping choices of a
//! provider go on its source adapter (`StripeSource`, `ShopifySource`), and
//! the firm's on the [`Policy`]:
//!
//! ```no_run
//! use kassabok::close::Close;
//! use kassabok::core::LineKind;
//! use kassabok::mapping::Policy;
//! use kassabok::shopify::ShopifyClient;
//! use kassabok::stripe::{StripeClient, StripeSource};
//! use kassabok::{Month, Period};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let shopify = ShopifyClient::builder("my-shop", "shpat_…").build()?;
//! let stripe = StripeClient::builder("sk_live_…").build()?;
//! let closed = Close::new(Period::month(2026, Month::March)?)
//!     .source(shopify)
//!     .source(StripeSource::new(stripe).invoice_line_kind(LineKind::Goods))
//!     .policy(Policy::default().with_external_invoices(true))
//!     .run()
//!     .await?;
//! assert!(closed.journal.is_balanced());
//! # Ok(()) }
//! ```
//!
//! [`fetch`] and [`Fetched::map`] are the older, two-step form: the whole
//! period read into memory, then mapped. They give the same journal and stay
//! for hosts that keep the records (to store or forward them).

use std::collections::BTreeMap;
use std::sync::Arc;

use bookkeeping_core::{
    PayoutRecord, PayoutSource, Period, Provider, SalesRecord, SalesSource, SourceError,
    StatementBatch, StatementSource,
};
use journal_mapping::{Chart, ExchangeRates, Journal, Mapper, Policy};

mod drive;
mod roles;
mod run;

pub use drive::MAX_SALE_LOOKUPS;
pub use roles::Roles;
pub use run::{Close, CloseError, Closed, DEFAULT_READ_AHEAD, Record};

use drive::{Arrival, Plan, Sink, drive};

/// The sources of a run, as trait objects so that a host drives every provider
/// the same way.
#[derive(Clone, Default)]
pub struct Sources {
    /// Sources of sales and refunds (Shopify orders, Stripe invoices, Klarna's sales report).
    pub sales: Vec<Arc<dyn SalesSource>>,
    /// Sources of payouts (Shopify Payments, Klarna, Stripe).
    pub payouts: Vec<Arc<dyn PayoutSource>>,
    /// Sources of bank-like statements (PayPal).
    pub statements: Vec<Arc<dyn StatementSource>>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |v: Vec<Provider>| v.into_iter().map(|p| p.as_str()).collect::<Vec<_>>();
        f.debug_struct("Sources")
            .field(
                "sales",
                &names(self.sales.iter().map(|s| s.provider()).collect()),
            )
            .field(
                "payouts",
                &names(self.payouts.iter().map(|s| s.provider()).collect()),
            )
            .field(
                "statements",
                &names(self.statements.iter().map(|s| s.provider()).collect()),
            )
            .finish()
    }
}

/// Days before a period whose sales and refunds [`fetch`] also reads, only
/// so that a receipt of the period finds its sale (a PayPal receipt just
/// after midnight for a sale just before it settles the clearing account
/// instead of going to suspense), and a refund transaction its refund (PayPal's
/// `T1107` just after midnight for a refund made in Shopify just before it).
/// They are not booked again: the run of their month did.
pub const SALES_LOOKBACK_DAYS: i64 = 7;

/// Everything fetched for a period, in the order the sources gave it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    /// Sales of the [`SALES_LOOKBACK_DAYS`] before the period, for matching
    /// receipts only.
    pub earlier_sales: Vec<bookkeeping_core::Sale>,
    /// Refunds of the same days, for matching refund transactions only.
    pub earlier_refunds: Vec<bookkeeping_core::Refund>,
    /// Sales of the day after the period that a payment of the period names
    /// (a receipt at 23:59:59 for an order of 00:00:01), for matching only.
    pub later_sales: Vec<bookkeeping_core::Sale>,
    /// Sales, refunds and their review items.
    pub sales: Vec<SalesRecord>,
    /// Payouts and their review items.
    pub payouts: Vec<PayoutRecord>,
    /// Statements per source.
    pub statements: Vec<StatementBatch>,
    /// Records fetched per provider (sales, refunds, payouts, statement lines,
    /// review items).
    pub records: BTreeMap<Provider, usize>,
}

/// Fetches `period` from every source concurrently, into memory. `progress`
/// is called with the provider and the number of records each time records
/// arrive (a payout counts its lines), for a progress display.
///
/// [`Close`] does the same and maps the records as they arrive, without
/// holding the period; `fetch` is for a host that keeps the records. Unlike
/// [`Close::run`], it reads a period that has not ended yet as it stands
/// (what a host keeping records as they come may want): check
/// `period.end_utc()` first when the records are to be booked as the period's.
///
/// ```no_run
/// use std::sync::Arc;
/// use kassabok::close::{Sources, fetch};
/// use kassabok::core::Period;
/// use kassabok::mapping::{Chart, FixedRates, Policy};
///
/// # async fn run(stripe: kassabok::stripe::StripeClient) -> Result<(), Box<dyn std::error::Error>> {
/// let stripe = Arc::new(stripe);
/// let sources = Sources {
///     sales: vec![stripe.clone()],
///     payouts: vec![stripe],
///     statements: vec![],
/// };
/// let period = Period::month(2026, time::Month::March)?;
/// let fetched = fetch(&sources, &period, &|_provider, _n| {}).await?;
/// let journal = fetched.map(Chart::bas2025(), Policy::default(), FixedRates::new(), period);
/// assert!(journal.is_balanced());
/// # Ok(()) }
/// ```
///
/// # Errors
/// The first [`SourceError`] of any source: a run with a provider that failed
/// (bad credentials, an unreachable server, a list that broke off) is not
/// complete and must not be booked.
pub async fn fetch(
    sources: &Sources,
    period: &Period,
    progress: &(dyn Fn(Provider, usize) + Sync),
) -> Result<Fetched, SourceError> {
    let plan = Plan {
        period,
        sales: sources.sales.iter().map(|s| s.as_ref() as _).collect(),
        payouts: sources.payouts.iter().map(|s| s.as_ref() as _).collect(),
        statements: sources.statements.iter().map(|s| s.as_ref() as _).collect(),
        // `Sources::with_deadlines` has put the clock on the sources themselves.
        clock: None,
        // Everything is kept anyway: every source is read at full speed.
        read_ahead: usize::MAX,
        progress: Some(progress),
    };
    let mut sink = FetchSink::default();
    sink.fetched.records = drive::<SourceError>(plan, &mut sink, None).await?;
    Ok(sink.fetched)
}

/// `fetch` keeps what the driver hands on, in its order, and the numbers of
/// the sales among it (asked once per payment line that names one).
#[derive(Default)]
struct FetchSink {
    fetched: Fetched,
    documents: std::collections::HashSet<bookkeeping_core::text::Text>,
}

impl Sink for FetchSink {
    fn earlier_sale(&mut self, sale: bookkeeping_core::Sale) {
        self.documents.insert(sale.document_number.clone());
        self.fetched.earlier_sales.push(sale);
    }

    fn earlier_refund(&mut self, refund: bookkeeping_core::Refund) {
        self.fetched.earlier_refunds.push(refund);
    }

    fn later_sale(&mut self, sale: bookkeeping_core::Sale) {
        self.documents.insert(sale.document_number.clone());
        self.fetched.later_sales.push(sale);
    }

    fn knows_sale(&self, document: &str) -> bool {
        self.documents.contains(document)
    }

    fn record(&mut self, record: Arrival) {
        match record {
            Arrival::Sale(rec) => {
                if let SalesRecord::Sale(sale) = &rec {
                    self.documents.insert(sale.document_number.clone());
                }
                self.fetched.sales.push(rec);
            }
            Arrival::Payout(rec) => self.fetched.payouts.push(rec),
            Arrival::Statements(batch) => self.fetched.statements.push(batch),
        }
    }

    fn payouts_done(&mut self) {}
}

impl Fetched {
    /// Maps everything fetched into a [`Journal`] with `chart`, `policy` and `rates`.
    pub fn map<R: ExchangeRates>(
        &self,
        chart: Chart,
        policy: Policy,
        rates: R,
        period: Period,
    ) -> Journal {
        let mut mapper = Mapper::new(chart, policy, rates, period);
        for sale in &self.earlier_sales {
            mapper.add_earlier_sale(sale);
        }
        for refund in &self.earlier_refunds {
            mapper.add_earlier_refund(refund);
        }
        for sale in &self.later_sales {
            mapper.add_later_sale(sale);
        }
        for rec in &self.sales {
            match rec {
                SalesRecord::Sale(s) => mapper.add_sale(s),
                SalesRecord::Refund(r) => mapper.add_refund(r),
                SalesRecord::Review(item) => mapper.add_review(item.clone()),
                // `fetch` already turned kinds newer than this facade into review items.
                _ => {}
            }
        }
        for rec in &self.payouts {
            match rec {
                PayoutRecord::Payout(p) => mapper.add_payout(p),
                PayoutRecord::Line(l) => mapper.add_balance_line(l),
                PayoutRecord::Review(item) => mapper.add_review(item.clone()),
                _ => {}
            }
        }
        // Lost disputes after all payouts: their withdrawals are booked first.
        for rec in &self.payouts {
            if let PayoutRecord::DisputeLost(lost) = rec {
                mapper.add_dispute_lost(lost);
            }
        }
        for batch in &self.statements {
            for st in &batch.statements {
                mapper.add_statement(st);
            }
            for item in &batch.review {
                mapper.add_review(item.clone());
            }
        }
        mapper.finish()
    }
}

/// The [`SALES_LOOKBACK_DAYS`] before `period`, if the calendar has them.
fn lookback_period(period: &Period) -> Option<Period> {
    let last = period.first().previous_day()?;
    let mut first = last;
    for _ in 1..SALES_LOOKBACK_DAYS {
        first = first.previous_day()?;
    }
    Period::new(first, last).ok()
}

/// A record of a kind newer than this facade: never dropped silently.
fn unknown_record(provider: Provider, debug: String) -> bookkeeping_core::ReviewItem {
    let debug = truncate_chars(&debug, 200);
    bookkeeping_core::ReviewItem::new(
        provider,
        bookkeeping_core::ReviewReason::UnknownType,
        format!("a record of a kind this version of kassabok does not book: {debug}"),
    )
}

/// At most `max` characters of `text`: cut at a character, never inside one (provider text is
/// full of å, ä, ö and emoji, and `String::truncate` panics inside a multi-byte character).
fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_record_with_multibyte_text_at_the_cut_does_not_panic() {
        // Byte 200 falls inside "ö" (two bytes) after 199 ASCII bytes: `truncate(200)` panicked.
        let debug = format!("{}{}", "x".repeat(199), "ö".repeat(10));
        let item = unknown_record(Provider::Klarna, debug);
        assert_eq!(item.provider, Provider::Klarna);
        let expected = format!("{}{}", "x".repeat(199), "ö");
        assert!(item.message.ends_with(&expected), "{}", item.message);
    }

    #[test]
    fn truncate_chars_counts_characters_not_bytes() {
        assert_eq!(truncate_chars("åäö", 2), "åä");
        assert_eq!(truncate_chars("åäö", 3), "åäö");
        assert_eq!(truncate_chars("🙂🙂", 1), "🙂");
        assert_eq!(truncate_chars("", 5), "");
    }
}
