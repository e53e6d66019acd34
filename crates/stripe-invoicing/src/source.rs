//! The bookkeeping-core source traits on [`StripeSource`] (and on
//! [`StripeClient`], with the default [`SourceOptions`]), so a host drives
//! Stripe like every other provider.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use bookkeeping_core::{
    BalanceLine, LineKind, PayoutRecord, PayoutSource, Period, Provider, RecordStream, SalesRecord,
    SalesSource, Source, SourceError,
};
use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

use crate::StripeClient;
use crate::disputes::DisputeDecisions;
use crate::error::Error;
use crate::models::{
    BalanceTransaction, CreditNote, Invoice, InvoicePaymentStatus, InvoiceStatus, Payout,
    ReportingCategory, TaxRate,
};
use crate::normalize::{
    InvoiceContext, InvoiceLinks, PayoutAssembly, TaxRates, normalize_credit_note,
    normalize_invoice, settlement_line_of,
};
use crate::numbering::InvoiceNumbers;
use crate::resources::TimeRange;
use provider_http::{LaneItem, Lanes, Listed, Malformed, flatten_batches};

/// Payout listings read at the same time. Payouts do not depend on each
/// other, so their listings (each a chain of cursor pages) run at once and a
/// month's payouts take the round trips of the longest one, within the
/// client's rate limit; records still come out in the order of the payouts
/// list ([`Lanes`]).
const PAYOUT_LISTS_AT_ONCE: usize = 16;

/// Balance transactions that listings which are not first may read ahead of
/// their turn, in all. Bounds memory however large the payouts: the payout
/// whose turn it is, plus this many transactions waiting.
const READ_AHEAD: usize = 5_000;

/// What Stripe's source traits list and how they read it: the host's
/// bookkeeping choices, which a [`StripeSource`] carries beside the client
/// (the [`StripeClient`] carries transport only).
///
/// ```
/// use bookkeeping_core::LineKind;
/// use stripe_invoicing::SourceOptions;
/// use stripe_invoicing::models::InvoiceStatus;
///
/// let options = SourceOptions::default()
///     .with_invoice_statuses(&[InvoiceStatus::Paid])
///     .with_invoice_line_kind(LineKind::Goods);
/// assert_eq!(options.invoice_statuses, [InvoiceStatus::Paid]);
/// assert_eq!(options.invoice_lookback, time::Duration::days(92));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SourceOptions {
    /// Which invoice statuses [`SalesSource::sales`] books (default `open`,
    /// `paid`, `void`, `uncollectible`: every issued invoice, so an invoice
    /// is booked in the month it was issued whether or not it was paid by
    /// the day the close runs; a close that left out `open` would book an
    /// invoice paid after the month's end only when run after the payment).
    /// The invoices of every status are read in one listing and those of
    /// other statuses left out, so an invoice whose status changes while the
    /// close runs is read once.
    pub invoice_statuses: Vec<InvoiceStatus>,
    /// How long before a period invoices may have been created and still be
    /// finalized, voided or marked uncollectible in it (default 92 days).
    /// Stripe filters invoices by creation time only. An invoice created
    /// earlier and made final in the period is not read; when its number
    /// falls between two invoices made final in the period (Stripe numbers
    /// invoices without gaps), the sales end with a review item naming it
    /// (field `number`).
    pub invoice_lookback: time::Duration,
    /// What invoice lines are (default [`LineKind::Service`]): Stripe invoice
    /// lines do not say whether they are goods or services, and the VAT
    /// report puts goods and services to other EU countries in different boxes.
    pub invoice_line_kind: LineKind,
    /// The `charge.dispute.closed` events the host stored from its webhooks,
    /// which date lost disputes once Stripe's Events API no longer lists
    /// them (30 days; see [`crate::disputes`]). Default none.
    pub dispute_decisions: Option<Arc<DisputeDecisions>>,
    /// The time the run takes as now when it decides which days the Events
    /// API still lists (default `None`: the system clock).
    pub as_of: Option<time::OffsetDateTime>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            invoice_statuses: vec![
                InvoiceStatus::Open,
                InvoiceStatus::Paid,
                InvoiceStatus::Void,
                InvoiceStatus::Uncollectible,
            ],
            invoice_lookback: time::Duration::days(92),
            invoice_line_kind: LineKind::Service,
            dispute_decisions: None,
            as_of: None,
        }
    }
}

impl SourceOptions {
    /// Sets [`invoice_statuses`](Self::invoice_statuses).
    #[must_use]
    pub fn with_invoice_statuses(mut self, statuses: &[InvoiceStatus]) -> Self {
        self.invoice_statuses = statuses.to_vec();
        self
    }

    /// Sets [`invoice_lookback`](Self::invoice_lookback).
    #[must_use]
    pub fn with_invoice_lookback(mut self, lookback: time::Duration) -> Self {
        self.invoice_lookback = lookback;
        self
    }

    /// Sets [`invoice_line_kind`](Self::invoice_line_kind).
    #[must_use]
    pub fn with_invoice_line_kind(mut self, kind: LineKind) -> Self {
        self.invoice_line_kind = kind;
        self
    }

    /// Sets [`dispute_decisions`](Self::dispute_decisions).
    #[must_use]
    pub fn with_dispute_decisions(mut self, decisions: DisputeDecisions) -> Self {
        self.dispute_decisions = Some(Arc::new(decisions));
        self
    }

    /// Sets [`as_of`](Self::as_of).
    #[must_use]
    pub fn with_as_of(mut self, now: time::OffsetDateTime) -> Self {
        self.as_of = Some(now);
        self
    }
}

/// Stripe as a source of sales and payouts: a [`StripeClient`] (transport)
/// with the host's [`SourceOptions`] (bookkeeping). Cheap to clone.
///
/// ```
/// use bookkeeping_core::LineKind;
/// use stripe_invoicing::{StripeClient, StripeSource};
///
/// let client = StripeClient::builder("sk_test_123").build()?;
/// let stripe = StripeSource::new(client).invoice_line_kind(LineKind::Goods);
/// assert_eq!(stripe.options().invoice_line_kind, LineKind::Goods);
/// # Ok::<(), stripe_invoicing::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StripeSource {
    client: StripeClient,
    options: SourceOptions,
}

impl StripeSource {
    /// `client` with the default [`SourceOptions`].
    pub fn new(client: StripeClient) -> Self {
        Self::with_options(client, SourceOptions::default())
    }

    /// `client` with `options`.
    pub fn with_options(client: StripeClient, options: SourceOptions) -> Self {
        StripeSource { client, options }
    }

    /// Sets [`SourceOptions::invoice_statuses`].
    #[must_use]
    pub fn invoice_statuses(mut self, statuses: &[InvoiceStatus]) -> Self {
        self.options.invoice_statuses = statuses.to_vec();
        self
    }

    /// Sets [`SourceOptions::invoice_lookback`].
    #[must_use]
    pub fn invoice_lookback(mut self, lookback: time::Duration) -> Self {
        self.options.invoice_lookback = lookback;
        self
    }

    /// Sets [`SourceOptions::invoice_line_kind`].
    #[must_use]
    pub fn invoice_line_kind(mut self, kind: LineKind) -> Self {
        self.options.invoice_line_kind = kind;
        self
    }

    /// Sets [`SourceOptions::dispute_decisions`]: the `charge.dispute.closed`
    /// events the host stored from its webhooks.
    #[must_use]
    pub fn dispute_decisions(mut self, decisions: DisputeDecisions) -> Self {
        self.options.dispute_decisions = Some(Arc::new(decisions));
        self
    }

    /// Sets [`SourceOptions::as_of`]: the time taken as now when deciding
    /// which days Stripe's Events API still lists (for tests, and to re-run a
    /// close as it ran on a day).
    #[must_use]
    pub fn as_of(mut self, now: time::OffsetDateTime) -> Self {
        self.options.as_of = Some(now);
        self
    }

    /// The client.
    pub fn client(&self) -> &StripeClient {
        &self.client
    }

    /// The options.
    pub fn options(&self) -> &SourceOptions {
        &self.options
    }
}

impl From<StripeClient> for StripeSource {
    fn from(client: StripeClient) -> Self {
        StripeSource::new(client)
    }
}

impl StripeClient {
    /// The client as a source with the options its (deprecated) builder
    /// setters chose, which are the defaults unless one was called.
    fn as_source(&self) -> StripeSource {
        StripeSource::with_options(self.clone(), self.source_options.clone())
    }
}

impl Source for StripeClient {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }
}

impl Source for StripeSource {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }
}

/// The client's own source traits: [`StripeSource`]'s with the default options.
impl PayoutSource for StripeClient {
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.as_source().payout_records(*period)
    }
}

/// The client's own source traits: [`StripeSource`]'s with the default options.
impl SalesSource for StripeClient {
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        self.as_source().sales_records(*period)
    }
}

impl PayoutSource for StripeSource {
    /// Every payout created in `period` or arriving at the bank in it, each
    /// with its balance transactions as lines (one listing per automatic
    /// payout, sources expanded), its charges pointed at the Stripe invoices
    /// they paid; then, as [`PayoutRecord::Line`], every balance transaction
    /// created in the period that none of those payouts contains (not yet
    /// paid out at the period's end); then the disputes lost in the period
    /// ([`StripeSource::lost_disputes`]). Manual payouts come with no lines
    /// and a review item.
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.clone().payout_records(*period)
    }
}

impl SalesSource for StripeSource {
    /// Stripe Invoicing in `period`: invoices of the configured statuses
    /// (default open, paid, void, uncollectible) finalized, voided or written off
    /// in the period, as sales with their payments; credit notes as refunds.
    /// Charges without an invoice are not sales (see [`crate::normalize`]).
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        self.clone().sales_records(*period)
    }
}

impl StripeSource {
    fn payout_records(self, period: Period) -> RecordStream<'static, PayoutRecord> {
        let lost = self.clone().lost_dispute_records(period);
        let source = self;
        let records = stream::once(async move {
            let range = TimeRange::of_period(&period);
            let client = &source.client;
            // Independent lists, read at once.
            let (links, created, arriving) = futures::join!(
                client.invoice_links_in(source.lookback_range(&period)),
                client.list_payouts(range).collect::<Vec<_>>(),
                client
                    .list_payouts_arriving(range, period.start_utc())
                    .collect::<Vec<_>>(),
            );
            let (links, malformed) = links?;
            let payouts: Vec<_> = created.into_iter().chain(arriving).collect();
            Ok::<_, Error>((source, links, malformed, payouts, range))
        })
        .map_ok(move |(source, links, malformed, payouts, range)| {
            let head = stream::iter(
                malformed
                    .into_iter()
                    .map(|m| Ok(vec![PayoutRecord::Review(m.review())])),
            );
            // One lane per payout, then the period's transactions, which are
            // read from the start but handed on only after every payout (so
            // `carried` is complete).
            let client = source.client;
            let lanes = stream::iter(payouts).map({
                let client = client.clone();
                move |item| payout_lane(&client, item)
            });
            let unpaid = client
                .list_balance_transactions(range)
                .map(Part::Unpaid)
                .boxed();
            let mut assembler = Assembler {
                links,
                payout: None,
                transactions: 0,
                malformed: Vec::new(),
                carried: Vec::new(),
                carried_sorted: false,
            };
            let body = Lanes::new(lanes.boxed(), PAYOUT_LISTS_AT_ONCE, READ_AHEAD)
                .with_last([unpaid])
                .map(move |item| assembler.take(item));
            head.chain(body)
        })
        .try_flatten();
        // After every payout and line: the mapping books the withdrawals first.
        provider_http::end_after_error(records_stream(records).chain(lost)).boxed()
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
/// ends (its transactions turned into lines as they arrive), the period's
/// transactions that no payout carried as lines.
struct Assembler {
    links: InvoiceLinks,
    payout: Option<PayoutAssembly>,
    /// How many transactions the payout being assembled has had.
    transactions: usize,
    malformed: Vec<Malformed>,
    /// The balance transactions the payouts listed carry, by [`IdPrint`]:
    /// pushed while the payouts are listed, sorted when the period's
    /// transactions (handed on after every payout) start, then searched. A
    /// sorted `Vec` takes 16 bytes a transaction; a `HashSet` twice that and
    /// more (its buckets double past seven eighths full).
    carried: Vec<IdPrint>,
    /// Whether `carried` is sorted (and complete).
    carried_sorted: bool,
}

/// A 128-bit fingerprint of a balance transaction id: what `carried` keeps
/// instead of the id (16 bytes instead of a `String` of ~60; at a million
/// transactions the set of ids was 77 MB of the close's peak memory). Two
/// ids share a print with a probability of about n² / 2¹²⁹ (10⁻²⁷ at a
/// million): never, in practice, and then one line would go unlisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct IdPrint(u64, u64);

impl IdPrint {
    fn of(id: &str) -> IdPrint {
        // Two SipHash values of the id under different prefixes.
        let half = |salt: u8| {
            let mut hasher = DefaultHasher::new();
            salt.hash(&mut hasher);
            id.hash(&mut hasher);
            hasher.finish()
        };
        IdPrint(half(0), half(1))
    }
}

impl Assembler {
    fn take(&mut self, item: LaneItem<Part>) -> Result<Vec<PayoutRecord>, Error> {
        match item {
            LaneItem::Item(Part::Payout(payout)) => {
                self.payout = Some(PayoutAssembly::new(payout));
                self.transactions = 0;
                Ok(Vec::new())
            }
            LaneItem::Item(Part::Transaction(listed)) => {
                let listed = listed?.into_result();
                // A lane starts with its payout: nothing to add to otherwise.
                let Some(payout) = &mut self.payout else {
                    return Ok(Vec::new());
                };
                match listed {
                    Ok(t) => {
                        self.carried.push(IdPrint::of(t.id.as_str()));
                        self.carried_sorted = false;
                        self.transactions += 1;
                        payout.add_owned(t, &self.links);
                    }
                    Err(m) => {
                        if let Some(id) = m.id.as_deref() {
                            self.carried.push(IdPrint::of(id));
                            self.carried_sorted = false;
                        }
                        self.malformed.push(m);
                    }
                }
                Ok(Vec::new())
            }
            LaneItem::Item(Part::Unpaid(listed)) => Ok(match listed?.into_result() {
                Ok(txn) => {
                    if !self.carried_sorted {
                        self.carried.sort_unstable();
                        self.carried.dedup();
                        self.carried.shrink_to_fit();
                        self.carried_sorted = true;
                    }
                    balance_line(txn, &self.links, &self.carried)
                }
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
        let malformed = std::mem::take(&mut self.malformed);
        tracing::debug!(
            payout = %payout.payout().id,
            automatic = payout.payout().automatic,
            transactions = self.transactions,
            malformed = malformed.len(),
            "stripe payout listed"
        );
        let mut records = payout.finish();
        records.extend(malformed.iter().map(|m| PayoutRecord::Review(m.review())));
        records
    }
}

/// A balance transaction of the period that no listed payout carries, as a
/// [`PayoutRecord::Line`]; nothing for one a payout carries and for payouts
/// themselves (their transfer is the payout's). A failed payout's
/// `payout_failure` (category `payout_reversal`) is a line: it returns the
/// money of a payout that may have been booked as paid by an earlier month
/// ([`SettlementKind::PayoutReturned`](bookkeeping_core::SettlementKind::PayoutReturned)).
fn balance_line(
    txn: BalanceTransaction,
    links: &InvoiceLinks,
    carried: &[IdPrint],
) -> Vec<PayoutRecord> {
    let is_transfer = txn.reporting_category == ReportingCategory::Payout;
    if is_transfer || carried.binary_search(&IdPrint::of(txn.id.as_str())).is_ok() {
        return Vec::new();
    }
    let (line, reviews) = settlement_line_of(txn, links);
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

/// A piece of the sales lanes: the tax rates (read first: invoices are
/// normalized with them), then the invoices of each status, then the credit
/// notes.
enum SalesPart {
    // Boxed, as the others: a tax rate is large too.
    Rate(Box<Result<Listed<TaxRate>, Error>>),
    // Boxed: an invoice is large.
    Invoice(Box<Result<Listed<Invoice>, Error>>),
    CreditNote(Box<Result<Listed<CreditNote>, Error>>),
}

impl StripeSource {
    fn sales_records(self, period: Period) -> RecordStream<'static, SalesRecord> {
        // The lists need nothing from each other: read at once, handed on in
        // order (the tax rates first), so the month's sales take the round
        // trips of the longest list, not of all of them one after another.
        let created = self.lookback_range(&period);
        let client = &self.client;
        let rates = client
            .list_tax_rates()
            .map(|r| SalesPart::Rate(Box::new(r)))
            .boxed();
        // One listing of every status, the chosen ones kept below: one
        // listing per status, read at once, lost an invoice whose status
        // changed while the close ran (`open` → `paid` after the `paid`
        // listing had passed it and before the `open` one reached it) and
        // repeated one that changed the other way. A listing without a
        // status filter pages by id whatever the statuses do.
        let invoices = client
            .list_all_invoices(created)
            .map(|item| SalesPart::Invoice(Box::new(item)))
            .boxed();
        let credit_notes = client
            .list_credit_notes(created)
            .map(|item| SalesPart::CreditNote(Box::new(item)))
            .boxed();
        let lists = vec![rates, invoices, credit_notes];
        let lanes = Lanes::new(stream::iter(lists), usize::MAX, READ_AHEAD);
        let batches = stream::unfold(
            (
                lanes,
                self,
                TaxRates::new(),
                Some(InvoiceNumbers::default()),
            ),
            move |(mut lanes, source, mut rates, mut numbers)| async move {
                let Some(item) = lanes.next().await else {
                    // Every list read: the gaps in the invoice numbers are
                    // invoices it did not list.
                    let gaps = numbers.take()?.gaps();
                    let gaps = gaps.into_iter().map(SalesRecord::Review).collect();
                    return Some((Ok(gaps), (lanes, source, rates, numbers)));
                };
                let out = async {
                    match item {
                        LaneItem::End => Ok(Vec::new()),
                        LaneItem::Item(SalesPart::Rate(item)) => Ok(match (*item)?.into_result() {
                            Ok(rate) => {
                                rates.insert(rate);
                                Vec::new()
                            }
                            Err(m) => vec![SalesRecord::Review(m.review())],
                        }),
                        LaneItem::Item(SalesPart::Invoice(item)) => {
                            let invoice = (*item)?.into_result();
                            if let (Ok(invoice), Some(numbers)) = (&invoice, numbers.as_mut()) {
                                numbers.add(invoice, &period);
                            }
                            if invoice.as_ref().is_ok_and(|i| !source.lists_status(i)) {
                                return Ok(Vec::new());
                            }
                            source.invoice_records(invoice, &rates, &period).await
                        }
                        LaneItem::Item(SalesPart::CreditNote(item)) => {
                            let note = (*item)?.into_result();
                            source.credit_note_records(note, &rates, &period).await
                        }
                    }
                }
                .await;
                Some((out, (lanes, source, rates, numbers)))
            },
        );
        records_stream(batches)
    }
}

/// The batches' records as the source's stream, ending after the first error.
fn records_stream<'a, T: Send + 'a>(
    batches: impl Stream<Item = Result<Vec<T>, Error>> + Send + 'a,
) -> RecordStream<'a, T> {
    flatten_batches(batches).map_err(SourceError::from).boxed()
}

impl StripeSource {
    /// Whether the source books invoices of `invoice`'s status: one of
    /// [`SourceOptions::invoice_statuses`], or a status this crate does not
    /// know (normalized into a review item, never dropped unsaid).
    fn lists_status(&self, invoice: &crate::models::Invoice) -> bool {
        match &invoice.status {
            Some(InvoiceStatus::Unknown(_)) | None => true,
            Some(status) => self.options.invoice_statuses.contains(status),
        }
    }

    /// `[period start − invoice lookback, period end)`.
    fn lookback_range(&self, period: &Period) -> TimeRange {
        lookback_range(period, self.options.invoice_lookback)
    }
}

/// `[period start − lookback, period end)`.
fn lookback_range(period: &Period, lookback: time::Duration) -> TimeRange {
    TimeRange::new(period.start_utc() - lookback, period.end_utc())
}

impl StripeClient {
    /// Which invoice each PaymentIntent paid, from the paid invoice payments
    /// created from the invoice lookback before `period` to its end (the
    /// default 92 days, or what the deprecated builder setter chose).
    ///
    /// # Errors
    /// A [`Error`] when the listing fails; invoice payments that cannot
    /// be decoded are returned beside the links.
    pub async fn invoice_links(
        &self,
        period: &Period,
    ) -> Result<(InvoiceLinks, Vec<Malformed>), Error> {
        self.invoice_links_in(lookback_range(period, self.source_options.invoice_lookback))
            .await
    }

    /// [`invoice_links`](Self::invoice_links) of the invoice payments created in `created`.
    async fn invoice_links_in(
        &self,
        created: TimeRange,
    ) -> Result<(InvoiceLinks, Vec<Malformed>), Error> {
        let mut links = InvoiceLinks::new();
        let mut malformed = Vec::new();
        let mut listing = self.list_invoice_payments(&InvoicePaymentStatus::Paid, created);
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
}

impl StripeSource {
    pub(crate) async fn invoice_records(
        &self,
        item: Result<crate::models::Invoice, Malformed>,
        rates: &TaxRates,
        period: &Period,
    ) -> Result<Vec<SalesRecord>, Error> {
        reviewed(
            async {
                let invoice = item?;
                let lines = self.client.invoice_lines(&invoice).await?;
                let payments = self.client.invoice_payments(&invoice).await?;
                tracing::debug!(
                    invoice = %invoice.id,
                    lines = lines.len(),
                    payments = payments.len(),
                    "stripe invoice listed"
                );
                let ctx = self.invoice_context(rates, period);
                Ok(normalize_invoice(&invoice, &lines, &payments, &ctx))
            }
            .await,
        )
    }

    async fn credit_note_records(
        &self,
        item: Result<crate::models::CreditNote, Malformed>,
        rates: &TaxRates,
        period: &Period,
    ) -> Result<Vec<SalesRecord>, Error> {
        reviewed(
            async {
                let credit_note = item?;
                let lines = self.client.credit_note_lines(&credit_note).await?;
                let ctx = self.invoice_context(rates, period);
                Ok(normalize_credit_note(&credit_note, &lines, &ctx))
            }
            .await,
        )
    }

    fn invoice_context<'a>(&self, rates: &'a TaxRates, period: &'a Period) -> InvoiceContext<'a> {
        InvoiceContext {
            period,
            tax_rates: rates,
            line_kind: self.options.invoice_line_kind,
        }
    }
}

/// An invoice's or credit note's records, or its review item alone when it,
/// or one of its own listings (lines, payments), does not decode: the rest of
/// the period still comes through. Any other error ends the source.
fn reviewed(records: Result<Vec<SalesRecord>, Error>) -> Result<Vec<SalesRecord>, Error> {
    match records {
        Err(Error::Malformed(m)) => Ok(vec![SalesRecord::Review(m.review())]),
        other => other,
    }
}

#[cfg(test)]
mod id_print_tests {
    use super::IdPrint;

    #[test]
    fn an_id_has_one_print_and_ids_apart_have_prints_apart() {
        assert_eq!(IdPrint::of("txn_1"), IdPrint::of("txn_1"));
        let prints: std::collections::BTreeSet<_> = (0..100_000)
            .map(|n| IdPrint::of(&format!("txn_{n:024}")))
            .collect();
        assert_eq!(prints.len(), 100_000);
        // The two halves are not one value twice.
        let IdPrint(a, b) = IdPrint::of("txn_1");
        assert_ne!(a, b);
    }
}
