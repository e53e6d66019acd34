//! Driving every provider the same way: fetch a period from any number of
//! sources concurrently, then map it into a [`Journal`].
//!
//! Provider-neutral: the host builds the clients (each implements the
//! bookkeeping-core source traits) and hands them over as trait objects.
//!
//! ```no_run
//! use std::sync::Arc;
//! use kassabok::close::{Sources, fetch};
//! use kassabok::core::Period;
//! use kassabok::mapping::{Chart, FixedRates, Policy};
//!
//! # async fn run(stripe: kassabok::stripe::StripeClient) -> Result<(), Box<dyn std::error::Error>> {
//! let stripe = Arc::new(stripe);
//! let sources = Sources {
//!     sales: vec![stripe.clone()],
//!     payouts: vec![stripe],
//!     statements: vec![],
//! };
//! let period = Period::month(2026, time::Month::March)?;
//! let fetched = fetch(&sources, &period, &|_provider, _n| {}).await?;
//! let journal = fetched.map(Chart::bas2025(), Policy::default(), FixedRates::new(), period);
//! assert!(journal.is_balanced());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use bookkeeping_core::{
    PayoutRecord, PayoutSource, Period, Provider, SalesRecord, SalesSource, SourceError,
    StatementBatch, StatementSource,
};
use futures::StreamExt;
use journal_mapping::{Chart, ExchangeRates, Journal, Mapper, Policy};

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

/// Days before a period whose sales [`fetch`] also reads, only so that a
/// receipt of the period finds its sale (a PayPal receipt just after midnight
/// for a sale just before it settles the clearing account instead of going
/// to suspense). They are not booked again: the run of their month did.
pub const SALES_LOOKBACK_DAYS: i64 = 7;

/// Everything fetched for a period, in the order the sources gave it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetched {
    /// Sales of the [`SALES_LOOKBACK_DAYS`] before the period, for matching
    /// receipts only.
    pub earlier_sales: Vec<bookkeeping_core::Sale>,
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

/// Fetches `period` from every source concurrently. `progress` is called with
/// the provider and the number of records each time records arrive (a payout
/// counts its lines), for a progress display.
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
    let sales = futures::future::try_join_all(sources.sales.iter().map(|s| async move {
        let provider = s.provider();
        let mut out = Vec::new();
        let mut stream = s.sales(period);
        while let Some(rec) = stream.next().await {
            out.push(match rec? {
                known
                @ (SalesRecord::Sale(_) | SalesRecord::Refund(_) | SalesRecord::Review(_)) => known,
                other => SalesRecord::Review(unknown_record(provider, format!("{other:?}"))),
            });
            progress(provider, 1);
        }
        let count = out.len();
        Ok::<_, SourceError>((provider, out, count))
    }));
    let payouts = futures::future::try_join_all(sources.payouts.iter().map(|s| async move {
        let provider = s.provider();
        let mut out = Vec::new();
        let mut count = 0;
        let mut stream = s.payouts(period);
        while let Some(rec) = stream.next().await {
            let rec = match rec? {
                known @ (PayoutRecord::Payout(_)
                | PayoutRecord::Line(_)
                | PayoutRecord::Review(_)
                | PayoutRecord::DisputeLost(_)) => known,
                other => PayoutRecord::Review(unknown_record(provider, format!("{other:?}"))),
            };
            // A payout counts with its lines: that is what a host waits for.
            let n = match &rec {
                PayoutRecord::Payout(p) => p.lines.len() + 1,
                _ => 1,
            };
            count += n;
            progress(provider, n);
            out.push(rec);
        }
        Ok::<_, SourceError>((provider, out, count))
    }));
    let statements = futures::future::try_join_all(sources.statements.iter().map(|s| async move {
        let provider = s.provider();
        let batch = s.statements(period).await?;
        let count = batch
            .statements
            .iter()
            .map(|st| st.lines.len())
            .sum::<usize>()
            + batch.review.len();
        progress(provider, count);
        Ok::<_, SourceError>((provider, batch, count))
    }));
    let lookback = lookback_period(period);
    let earlier = futures::future::try_join_all(sources.sales.iter().map(|s| async move {
        let mut out = Vec::new();
        let Some(lookback) = lookback else {
            return Ok::<_, SourceError>(out);
        };
        let mut stream = s.sales(&lookback);
        while let Some(rec) = stream.next().await {
            if let SalesRecord::Sale(sale) = rec? {
                out.push(sale);
            }
        }
        Ok(out)
    }));
    let (sales, payouts, statements) = futures::try_join!(sales, payouts, statements)?;
    // After the period's own listings, not beside them: the lookback is
    // small, and running it alongside would add to each provider's
    // concurrent load (Shopify's query-cost bucket) for no gain in time.
    let earlier = earlier.await?;

    let mut fetched = Fetched {
        earlier_sales: earlier.into_iter().flatten().collect(),
        ..Fetched::default()
    };
    for (provider, recs, count) in sales {
        *fetched.records.entry(provider).or_default() += count;
        fetched.sales.extend(recs);
    }
    for (provider, recs, count) in payouts {
        *fetched.records.entry(provider).or_default() += count;
        fetched.payouts.extend(recs);
    }
    for (provider, batch, count) in statements {
        *fetched.records.entry(provider).or_default() += count;
        fetched.statements.push(batch);
    }
    Ok(fetched)
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
