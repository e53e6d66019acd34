//! The bookkeeping-core source traits on [`StripeClient`], so a host drives
//! Stripe like every other provider.

use std::collections::HashSet;
use std::sync::Arc;

use bookkeeping_core::{
    BalanceLine, PayoutRecord, PayoutSource, Period, Provider, RecordStream, SalesRecord,
    SalesSource, Source, SourceError,
};
use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

use crate::StripeClient;
use crate::error::Error;
use crate::models::{BalanceTransaction, InvoicePaymentStatus, Payout, ReportingCategory};
use crate::normalize::{
    InvoiceContext, InvoiceLinks, TaxRates, normalize_credit_note, normalize_invoice,
    normalize_payout, settlement_line,
};
use crate::resources::TimeRange;
use provider_http::{LaneItem, Lanes, Listed, Malformed};

/// Payout listings read at the same time. Payouts do not depend on each
/// other, so their listings (each a chain of cursor pages) run at once and a
/// month's payouts take the round trips of the longest one, within the
/// client's rate limit; records still come out in the order of the payouts
/// list ([`Lanes`]).
pub(crate) const PAYOUT_LISTS_AT_ONCE: usize = 16;

/// Balance transactions that listings which are not first may read ahead of
/// their turn, in all. Bounds memory however large the payouts: the payout
/// whose turn it is, plus this many transactions waiting.
pub(crate) const READ_AHEAD: usize = 5_000;

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
    /// paid out at the period's end). Manual payouts come with no lines and a
    /// review item.
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        let client = self.clone();
        let period = *period;
        let records = stream::once(async move {
            let range = TimeRange::of_period(&period);
            // Independent lists, read at once.
            let (links, created, arriving) = futures::join!(
                client.invoice_links(&period),
                client.list_payouts(range).collect::<Vec<_>>(),
                client
                    .list_payouts_arriving(range, period.start_utc())
                    .collect::<Vec<_>>(),
            );
            let (links, malformed) = links?;
            let payouts: Vec<_> = created.into_iter().chain(arriving).collect();
            Ok::<_, Error>((client, links, malformed, payouts, range))
        })
        .map_ok(move |(client, links, malformed, payouts, range)| {
            let head = stream::iter(
                malformed
                    .into_iter()
                    .map(|m| Ok(vec![PayoutRecord::Review(m.review())])),
            );
            // One lane per payout, then the period's transactions, which are
            // handed on only after every payout (so `carried` is complete).
            let lanes = stream::iter(payouts)
                .map({
                    let client = client.clone();
                    move |item| payout_lane(&client, item)
                })
                .chain(stream::once(async move {
                    client
                        .list_balance_transactions(range)
                        .map(Part::Unpaid)
                        .boxed()
                }));
            let mut assembler = Assembler {
                links,
                payout: None,
                transactions: Vec::new(),
                malformed: Vec::new(),
                carried: HashSet::new(),
            };
            let body = Lanes::new(lanes.boxed(), PAYOUT_LISTS_AT_ONCE, READ_AHEAD)
                .map(move |item| assembler.take(item));
            head.chain(body)
        })
        .try_flatten();
        records_stream(records)
    }
}

/// A piece of a payout lane.
enum Part {
    /// A payout; its balance transactions follow (none for a manual payout).
    Payout(Payout),
    /// A balance transaction of the payout before it.
    Transaction(Result<Listed<BalanceTransaction>, Error>),
    /// A balance transaction of the period (paid out or not).
    Unpaid(Result<Listed<BalanceTransaction>, Error>),
    /// A payout that did not decode.
    Malformed(Malformed),
    /// The payouts list failed.
    Failed(Error),
}

/// The lane of one item of the payouts lists: the payout and, for an
/// automatic payout, its balance transactions.
fn payout_lane(
    client: &StripeClient,
    item: Result<Listed<Payout>, Error>,
) -> BoxStream<'static, Part> {
    match item.map(Listed::into_result) {
        Err(e) => stream::once(async move { Part::Failed(e) }).boxed(),
        Ok(Err(m)) => stream::once(async move { Part::Malformed(m) }).boxed(),
        Ok(Ok(payout)) if payout.automatic => {
            let transactions = client
                .list_payout_transactions(&payout.id)
                .map(Part::Transaction);
            stream::once(async move { Part::Payout(payout) })
                .chain(transactions)
                .boxed()
        }
        // Stripe cannot break a manual payout down: no request for it.
        Ok(Ok(payout)) => stream::once(async move { Part::Payout(payout) }).boxed(),
    }
}

/// Turns the lanes' parts, in order, into records: a payout when its lane
/// ends, the period's transactions that no payout carried as lines.
struct Assembler {
    links: InvoiceLinks,
    payout: Option<Payout>,
    transactions: Vec<BalanceTransaction>,
    malformed: Vec<Malformed>,
    /// The balance transactions the payouts listed carry.
    carried: HashSet<String>,
}

impl Assembler {
    fn take(&mut self, item: LaneItem<Part>) -> Result<Vec<PayoutRecord>, Error> {
        match item {
            LaneItem::Item(Part::Payout(payout)) => {
                self.payout = Some(payout);
                Ok(Vec::new())
            }
            LaneItem::Item(Part::Transaction(listed)) => {
                match listed?.into_result() {
                    Ok(t) => self.transactions.push(t),
                    Err(m) => self.malformed.push(m),
                }
                Ok(Vec::new())
            }
            LaneItem::Item(Part::Unpaid(listed)) => Ok(match listed?.into_result() {
                Ok(txn) => balance_line(&txn, &self.links, &self.carried),
                Err(m) => vec![PayoutRecord::Review(m.review())],
            }),
            LaneItem::Item(Part::Malformed(m)) => Ok(vec![PayoutRecord::Review(m.review())]),
            LaneItem::Item(Part::Failed(e)) => Err(e),
            LaneItem::End => Ok(self.payout_records()),
        }
    }

    /// The records of the payout whose lane has ended (none after a lane
    /// without a payout).
    fn payout_records(&mut self) -> Vec<PayoutRecord> {
        let Some(payout) = self.payout.take() else {
            return Vec::new();
        };
        let transactions = std::mem::take(&mut self.transactions);
        let malformed = std::mem::take(&mut self.malformed);
        self.carried
            .extend(transactions.iter().map(|t| t.id.as_str().to_owned()));
        self.carried
            .extend(malformed.iter().filter_map(|m| m.id.clone()));
        tracing::debug!(
            payout = %payout.id,
            automatic = payout.automatic,
            transactions = transactions.len(),
            malformed = malformed.len(),
            "stripe payout listed"
        );
        let mut records = normalize_payout(&payout, &transactions, &self.links);
        records.extend(malformed.iter().map(|m| PayoutRecord::Review(m.review())));
        records
    }
}

/// A balance transaction of the period that no listed payout carries, as a
/// [`PayoutRecord::Line`]; nothing for one a payout carries and for payouts
/// themselves (their transfer is the payout's).
fn balance_line(
    txn: &BalanceTransaction,
    links: &InvoiceLinks,
    carried: &HashSet<String>,
) -> Vec<PayoutRecord> {
    let is_transfer = matches!(
        txn.reporting_category,
        ReportingCategory::Payout | ReportingCategory::PayoutReversal
    );
    if is_transfer || carried.contains(txn.id.as_str()) {
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

    async fn invoice_records(
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
