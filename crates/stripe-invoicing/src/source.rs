//! The bookkeeping-core source traits on [`StripeClient`], so a host drives
//! Stripe like every other provider.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use bookkeeping_core::{
    BalanceLine, PayoutRecord, PayoutSource, Period, Provider, RecordStream, SalesRecord,
    SalesSource, Source, SourceError,
};
use futures::stream::{self, Stream, StreamExt, TryStreamExt};

use crate::StripeClient;
use crate::error::Error;
use crate::models::{BalanceTransaction, InvoicePaymentStatus, Payout, ReportingCategory};
use crate::normalize::{
    InvoiceContext, InvoiceLinks, TaxRates, normalize_credit_note, normalize_invoice,
    normalize_payout, settlement_line,
};
use crate::resources::TimeRange;
use provider_http::Malformed;

/// Payouts whose lines are fetched at the same time. Each payout's
/// listing is a chain of cursor pages, but payouts do not depend on each
/// other: two at once halve a month close's round trips for payouts, within
/// the client's rate limit, and records still come out in the order of the
/// payouts list. Memory holds the transactions of every payout in flight
/// (a large shop's payout can have tens of thousands), so more than two
/// would trade memory for latency: with six, 1,000,000 Stripe transactions
/// in 30 payouts peaked at 368 MiB instead of 197 MiB with one.
const PAYOUT_CONCURRENCY: usize = 2;

impl Source for StripeClient {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }
}

impl PayoutSource for StripeClient {
    /// Every payout created in `period` or arriving at the bank in it, each
    /// with its balance transactions as lines (one listing per automatic
    /// payout, sources expanded), its charges pointed at the Stripe invoices
    /// they paid; then, as [`PayoutRecord::Line`], every balance transaction
    /// created in the period that none of those payouts contains (not yet
    /// paid out at the period's end); then the disputes lost in the period
    /// ([`StripeClient::lost_disputes`]). Manual payouts come with no lines and a
    /// review item.
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        let lost = self.lost_disputes(period);
        let client = self.clone();
        let period = *period;
        let records = stream::once(async move {
            let (links, malformed) = client.invoice_links(&period).await?;
            Ok::<_, Error>((client, Arc::new(links), malformed))
        })
        .map_ok(move |(client, links, malformed)| {
            let head = stream::iter(
                malformed
                    .into_iter()
                    .map(|m| Ok(vec![PayoutRecord::Review(m.review())])),
            );
            // The balance transactions the payouts listed carry.
            let carried: Arc<Mutex<HashSet<String>>> = Arc::default();
            let range = TimeRange::of_period(&period);
            let listed = client
                .list_payouts(range)
                .chain(client.list_payouts_arriving(range, period.start_utc()));
            let body = listed
                .map({
                    let client = client.clone();
                    let links = Arc::clone(&links);
                    let carried = Arc::clone(&carried);
                    move |item| {
                        let client = client.clone();
                        let links = Arc::clone(&links);
                        let carried = Arc::clone(&carried);
                        async move {
                            match item?.into_result() {
                                Ok(payout) => {
                                    client.payout_records(&payout, &links, &carried).await
                                }
                                Err(m) => Ok(vec![PayoutRecord::Review(m.review())]),
                            }
                        }
                    }
                })
                .buffered(PAYOUT_CONCURRENCY);
            // Listed once every payout is in, so `carried` is complete.
            let not_paid_out = stream::once(async move {
                client.list_balance_transactions(range).map_ok(move |item| {
                    match item.into_result() {
                        Ok(txn) => balance_line(&txn, &links, &carried),
                        Err(m) => vec![PayoutRecord::Review(m.review())],
                    }
                })
            })
            .flatten();
            head.chain(body).chain(not_paid_out)
        })
        .try_flatten();
        // After every payout and line: the mapping books the withdrawals first.
        provider_http::end_after_error(records_stream(records).chain(lost)).boxed()
    }
}

/// A balance transaction of the period that no listed payout carries, as a
/// [`PayoutRecord::Line`]; nothing for one a payout carries and for payouts
/// themselves (their transfer is the payout's).
fn balance_line(
    txn: &BalanceTransaction,
    links: &InvoiceLinks,
    carried: &Mutex<HashSet<String>>,
) -> Vec<PayoutRecord> {
    let is_transfer = matches!(
        txn.reporting_category,
        ReportingCategory::Payout | ReportingCategory::PayoutReversal
    );
    let is_carried = carried
        .lock()
        .map(|set| set.contains(txn.id.as_str()))
        .unwrap_or(false);
    if is_transfer || is_carried {
        return Vec::new();
    }
    let (line, reviews) = settlement_line(txn, links);
    line.map(|line| {
        PayoutRecord::Line(BalanceLine {
            provider: Provider::Stripe,
            line,
        })
    })
    .into_iter()
    .chain(reviews.into_iter().map(PayoutRecord::Review))
    .collect()
}

impl SalesSource for StripeClient {
    /// Stripe Invoicing in `period`: invoices of the configured statuses
    /// (default paid, void, uncollectible) finalized, voided or written off
    /// in the period, as sales with their payments; credit notes as refunds.
    /// Charges without an invoice are not sales (see [`crate::normalize`]).
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        let client = self.clone();
        let period = *period;
        let records = stream::once(async move {
            let mut rates = TaxRates::new();
            let mut malformed = Vec::new();
            let mut listing = client.list_tax_rates();
            while let Some(item) = listing.next().await {
                match item?.into_result() {
                    Ok(rate) => rates.insert(rate),
                    Err(m) => malformed.push(m),
                }
            }
            Ok::<_, Error>((client, Arc::new(rates), malformed))
        })
        .map_ok(move |(client, rates, malformed)| {
            let head = stream::iter(
                malformed
                    .into_iter()
                    .map(|m| Ok(vec![SalesRecord::Review(m.review())])),
            );
            let created = client.lookback_range(&period);
            let statuses = client.options.invoice_statuses.clone();
            let invoices = stream::iter(statuses)
                .map({
                    let client = client.clone();
                    move |status| client.list_invoices(&status, created)
                })
                .flatten()
                .and_then({
                    let client = client.clone();
                    let rates = Arc::clone(&rates);
                    move |item| {
                        let client = client.clone();
                        let rates = Arc::clone(&rates);
                        async move {
                            client
                                .invoice_records(item.into_result(), &rates, &period)
                                .await
                        }
                    }
                });
            let credit_notes = client.list_credit_notes(created).and_then({
                let client = client.clone();
                move |item| {
                    let client = client.clone();
                    let rates = Arc::clone(&rates);
                    async move {
                        client
                            .credit_note_records(item.into_result(), &rates, &period)
                            .await
                    }
                }
            });
            head.chain(invoices).chain(credit_notes)
        })
        .try_flatten();
        records_stream(records)
    }
}

/// Flattens batches of records into a record stream that ends after the first error.
fn records_stream<'a, T: Send + 'a>(
    batches: impl Stream<Item = Result<Vec<T>, Error>> + Send + 'a,
) -> RecordStream<'a, T> {
    batches
        .map_ok(|batch| stream::iter(batch.into_iter().map(Ok::<T, Error>)))
        .try_flatten()
        .map_err(SourceError::from)
        .scan(false, |failed, item| {
            let out = if *failed {
                None
            } else {
                *failed = item.is_err();
                Some(item)
            };
            futures::future::ready(out)
        })
        .boxed()
}

impl StripeClient {
    /// `[period start − invoice lookback, period end)`.
    fn lookback_range(&self, period: &Period) -> TimeRange {
        TimeRange::new(
            period.start_utc() - self.options.invoice_lookback,
            period.end_utc(),
        )
    }

    /// Which invoice each PaymentIntent paid, from the paid invoice payments
    /// created from the invoice lookback before `period` to its end.
    ///
    /// # Errors
    /// A [`Error`] when the listing fails; invoice payments that cannot
    /// be decoded are returned beside the links.
    pub async fn invoice_links(
        &self,
        period: &Period,
    ) -> Result<(InvoiceLinks, Vec<Malformed>), Error> {
        let mut links = InvoiceLinks::new();
        let mut malformed = Vec::new();
        let mut listing =
            self.list_invoice_payments(&InvoicePaymentStatus::Paid, self.lookback_range(period));
        while let Some(item) = listing.next().await {
            match item?.into_result() {
                Ok(p) => links.add(&p),
                Err(m) => malformed.push(m),
            }
        }
        Ok((links, malformed))
    }

    /// The balance transactions of an automatic payout, with those that could
    /// not be decoded beside them. A manual payout has none (Stripe cannot
    /// break it down), and no request is made for it.
    ///
    /// # Errors
    /// A [`Error`] when the listing fails.
    pub async fn payout_transactions(
        &self,
        payout: &Payout,
    ) -> Result<(Vec<BalanceTransaction>, Vec<Malformed>), Error> {
        let mut transactions = Vec::new();
        let mut malformed = Vec::new();
        if payout.automatic {
            let mut listing = self.list_payout_transactions(&payout.id);
            while let Some(item) = listing.next().await {
                match item?.into_result() {
                    Ok(t) => transactions.push(t),
                    Err(m) => malformed.push(m),
                }
            }
        }
        Ok((transactions, malformed))
    }

    async fn payout_records(
        &self,
        payout: &Payout,
        links: &InvoiceLinks,
        carried: &Mutex<HashSet<String>>,
    ) -> Result<Vec<PayoutRecord>, Error> {
        let (transactions, malformed) = self.payout_transactions(payout).await?;
        if let Ok(mut set) = carried.lock() {
            set.extend(transactions.iter().map(|t| t.id.as_str().to_owned()));
            set.extend(malformed.iter().filter_map(|m| m.id.clone()));
        }
        tracing::debug!(
            payout = %payout.id,
            automatic = payout.automatic,
            transactions = transactions.len(),
            malformed = malformed.len(),
            "stripe payout listed"
        );
        let mut records = normalize_payout(payout, &transactions, links);
        records.extend(malformed.iter().map(|m| PayoutRecord::Review(m.review())));
        Ok(records)
    }

    pub(crate) async fn invoice_records(
        &self,
        item: Result<crate::models::Invoice, Malformed>,
        rates: &TaxRates,
        period: &Period,
    ) -> Result<Vec<SalesRecord>, Error> {
        let invoice = match item {
            Ok(invoice) => invoice,
            Err(m) => return Ok(vec![SalesRecord::Review(m.review())]),
        };
        let lines = match self.invoice_lines(&invoice).await {
            Ok(lines) => lines,
            Err(Error::Malformed(m)) => return Ok(vec![SalesRecord::Review(m.review())]),
            Err(e) => return Err(e),
        };
        let payments = match self.invoice_payments(&invoice).await {
            Ok(payments) => payments,
            Err(Error::Malformed(m)) => return Ok(vec![SalesRecord::Review(m.review())]),
            Err(e) => return Err(e),
        };
        tracing::debug!(
            invoice = %invoice.id,
            lines = lines.len(),
            payments = payments.len(),
            "stripe invoice listed"
        );
        let ctx = InvoiceContext {
            period,
            tax_rates: rates,
            line_kind: self.options.line_kind,
        };
        Ok(normalize_invoice(&invoice, &lines, &payments, &ctx))
    }

    async fn credit_note_records(
        &self,
        item: Result<crate::models::CreditNote, Malformed>,
        rates: &TaxRates,
        period: &Period,
    ) -> Result<Vec<SalesRecord>, Error> {
        let credit_note = match item {
            Ok(cn) => cn,
            Err(m) => return Ok(vec![SalesRecord::Review(m.review())]),
        };
        let lines = match self.credit_note_lines(&credit_note).await {
            Ok(lines) => lines,
            Err(Error::Malformed(m)) => return Ok(vec![SalesRecord::Review(m.review())]),
            Err(e) => return Err(e),
        };
        let ctx = InvoiceContext {
            period,
            tax_rates: rates,
            line_kind: self.options.line_kind,
        };
        Ok(normalize_credit_note(&credit_note, &lines, &ctx))
    }
}
