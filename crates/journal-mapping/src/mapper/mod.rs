//! The incremental mapper: records in, vouchers out.

mod draft;
mod kontant;
mod payout;
mod sales;
mod statement;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

pub use bookkeeping_core::DisputeLost;
use bookkeeping_core::{
    Currency, Payout, PayoutRecord, Period, Provider, Refund, ReviewItem, ReviewReason, Sale,
    SalesRecord, SourceRef, Statement, StatementBatch,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::chart::{Chart, FeeCategory, Role};
use crate::coverage::{Coverage, NeededItem, NeededReport, NeededReportKind, ProviderCoverage};
use crate::fx::ExchangeRates;
use crate::journal::{Journal, ProviderTotals, RoundingResidue};
use crate::listing::{NeededItems, NeededRow, Review, ReviewParts, SourceList, SourceRow, Store};
use crate::policy::{AccountingMethod, FeeVatClass, Policy};
use crate::reconcile::PayoutReconciliation;
pub(crate) use crate::rounding::r2;
use crate::voucher::VoucherKind;

use draft::{Draft, DraftKey};

/// Everything for one period, for [`map`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MappingInput {
    /// Sales (orders, invoices).
    pub sales: Vec<Sale>,
    /// Refunds.
    pub refunds: Vec<Refund>,
    /// Payouts with their lines.
    pub payouts: Vec<Payout>,
    /// Balance transactions of the period no payout in `payouts` carries
    /// (see [`BalanceLine`](bookkeeping_core::BalanceLine)).
    #[serde(default)]
    pub balance_lines: Vec<bookkeeping_core::BalanceLine>,
    /// Bank-like balances (PayPal).
    pub statements: Vec<Statement>,
    /// Lost disputes.
    pub disputes_lost: Vec<DisputeLost>,
    /// Provider bills outside payouts (subscriptions, apps).
    pub fees: Vec<bookkeeping_core::Fee>,
    /// Review items from the provider clients.
    pub review: Vec<ReviewItem>,
}

/// Maps a whole period at once: sales and refunds first (so settlements find
/// them), then review items, payouts, balance lines, statements, lost
/// disputes and bills.
///
/// ```
/// use bookkeeping_core::Period;
/// use journal_mapping::{map, Chart, FixedRates, MappingInput, Policy};
/// use time::Month;
///
/// let period = Period::month(2026, Month::March)?;
/// let journal = map(&MappingInput::default(), Chart::default(), Policy::default(), FixedRates::new(), period);
/// assert!(journal.vouchers.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn map<R: ExchangeRates>(
    input: &MappingInput,
    chart: Chart,
    policy: Policy,
    rates: R,
    period: Period,
) -> Journal {
    let mut m = Mapper::new(chart, policy, rates, period);
    for s in &input.sales {
        m.add_sale(s);
    }
    for r in &input.refunds {
        m.add_refund(r);
    }
    for item in &input.review {
        m.add_review(item.clone());
    }
    for p in &input.payouts {
        m.add_payout(p);
    }
    for l in &input.balance_lines {
        m.add_balance_line(l);
    }
    for s in &input.statements {
        m.add_statement(s);
    }
    for d in &input.disputes_lost {
        m.add_dispute_lost(d);
    }
    for f in &input.fees {
        m.add_fee(f);
    }
    m.finish()
}

/// What the mapper remembers of a sale or refund, for settling it later.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The provider whose data the document came from.
    pub(crate) provider: Provider,
    pub(crate) currency: Currency,
    pub(crate) date: time::Date,
    pub(crate) in_period: bool,
    pub(crate) invoice: bool,
    /// A refund (its breakdown debits revenue).
    pub(crate) refund: bool,
    /// The document number, for the coverage report.
    pub(crate) document: bookkeeping_core::text::Text,
    /// SEK paid by gift card (booked at once under kontantmetod).
    pub(crate) prepaid_sek: Decimal,
    /// Per provider channel: amount in the document currency and the SEK
    /// booked on its clearing account.
    pub(crate) channels: Channels,
    /// The revenue side: role, amount in document currency, SEK (positive =
    /// credit for a sale).
    pub(crate) breakdown: Breakdown,
}

/// [`Entry::channels`]: one, or two for a payment split between providers,
/// kept in the entry's own allocation (a month holds an entry per sale).
pub(crate) type Channels = SmallVec<[(Provider, Decimal, Decimal); 2]>;

/// [`Entry::breakdown`]: a rate's sales and its VAT, shipping's, a gift
/// card's, kept in the entry's own allocation.
pub(crate) type Breakdown = SmallVec<[(Role, Decimal, Decimal); 4]>;

impl Entry {
    pub(crate) fn channel(&self, provider: Provider) -> Option<(Decimal, Decimal)> {
        let mut found = None;
        for (p, f, s) in &self.channels {
            if *p == provider {
                let (af, asek) = found.unwrap_or((Decimal::ZERO, Decimal::ZERO));
                found = Some((af + f, asek + s));
            }
        }
        found
    }
}

#[derive(Debug, Default, Clone)]
struct NeededAcc {
    count: u64,
    amount: Decimal,
    examples: Vec<String>,
    /// The records, as indices of the store's.
    items: Vec<u32>,
}

/// Lengths to go back to after a sale of the days before the period.
#[derive(Debug, Clone, Copy)]
struct NeededMark {
    count: u64,
    amount: Decimal,
    examples: usize,
    items: usize,
}

/// Maps records into a [`Journal`] one at a time, so a period can be streamed
/// without holding its records: with per-payout or per-day granularity a
/// payout's lines aggregate into one voucher, and only a small entry per sale
/// is kept for settling it.
///
/// Add sales and refunds before the payouts and statements that settle them
/// (a settlement line whose sale has not been added counts as unknown).
///
/// Memory: a payout's lines fold into its voucher as they are read; what
/// grows with the input is one small entry per sale or refund (about 300
/// bytes, kept to settle it later, including sales outside the period), the
/// vouchers themselves, and the journal's per-record listings (booked lines,
/// review items, the coverage report's records), stored compactly: about 60
/// bytes a booked line plus its texts, and about 100 bytes plus the texts for
/// a payment whose sale is not known (see [`Review`]).
///
/// ```
/// use bookkeeping_core::*;
/// use journal_mapping::{Chart, FixedRates, Mapper, Policy};
/// use rust_decimal::Decimal;
/// use time::{Month, macros::datetime};
///
/// let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
/// let sale = Sale {
///     source: SourceRef::new(Provider::Shopify, "order", "1001"),
///     document_number: "#1001".into(),
///     occurred_at: datetime!(2026-03-02 10:15 UTC),
///     currency: Currency::SEK,
///     lines: vec![SaleLine {
///         kind: LineKind::Goods,
///         description: "Kaffe".into(),
///         net: sek("80.00"),
///         vat: sek("20.00"),
///         vat_rate: Some(VatRate::from_percent(Decimal::from(25))),
///         treatment: TaxTreatment::Domestic,
///     }],
///     customer: Customer::default(),
///     payments: vec![],
///     test: false,
/// };
/// let mut m = Mapper::new(Chart::default(), Policy::default(), FixedRates::new(), Period::month(2026, Month::March)?);
/// m.add_sale(&sale);
/// let journal = m.finish();
/// assert_eq!(journal.vouchers.len(), 1);
/// assert_eq!(journal.vouchers[0].amount_on("1580"), Decimal::from(100));
/// assert_eq!(journal.vouchers[0].amount_on("3001"), Decimal::from(-80));
/// assert_eq!(journal.vouchers[0].amount_on("2611"), Decimal::from(-20));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Mapper<R> {
    chart: Chart,
    policy: Policy,
    rates: R,
    period: Period,
    drafts: BTreeMap<DraftKey, Draft>,
    entries: KeyMap<Arc<Entry>>,
    test_sales: KeySet,
    sale_by_doc: KeyMap<u64>,
    refund_by_doc: KeyMap<u64>,
    /// Every refund booked, by document number, provider, currency and
    /// total: a refund another provider's data also holds (a Shopify refund
    /// paid back through Klarna, and Klarna's own record of it) is found
    /// here and booked once. Keyed this finely, and the refunds matched
    /// already dropped from the front, so that refunds sharing a document
    /// number (an integration that sends one reference for every order) are
    /// not each compared with all before them.
    refunds_of_doc: HashMap<(u64, Provider, Currency, Decimal), std::collections::VecDeque<u64>>,
    /// The refunds found as another provider's record of one booked, each
    /// matched once (two equal partial refunds are two refunds).
    twinned: KeySet,
    /// Sales and refunds not booked because another provider's data holds
    /// the same purchase or refund, which was booked ([`Journal::booked_elsewhere`]).
    booked_elsewhere: std::collections::BTreeSet<SourceRef>,
    /// The texts of the per-record listings, each stored once.
    store: Store,
    review: ReviewParts,
    reconciliations: Vec<PayoutReconciliation>,
    outstanding: Vec<crate::reconcile::Outstanding>,
    /// Balance transactions booked by this run, so a line listed both in a
    /// payout and on its own is booked once.
    booked_lines: KeySet,
    /// Payouts and lost disputes added, so one a provider lists twice (on
    /// two pages, or a cursor that goes back) is booked once; sales and
    /// refunds are found in `entries`.
    listed: KeySet,
    booked: Vec<SourceRow>,
    coverage: BTreeMap<Provider, ProviderCoverage>,
    totals: BTreeMap<Provider, ProviderTotals>,
    needed: BTreeMap<(Provider, NeededReportKind), NeededAcc>,
    /// Kontantmetod: SEK of each sale booked as paid so far.
    paid: KeyMap<Decimal>,
}

impl<R> fmt::Debug for Mapper<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mapper")
            .field("period", &self.period)
            .field("drafts", &self.drafts.len())
            .field("entries", &self.entries.len())
            .field("review", &self.review.len())
            .finish_non_exhaustive()
    }
}

/// A review item about a provider object.
pub(crate) fn review_item(
    provider: Provider,
    reason: ReviewReason,
    source: &SourceRef,
    message: String,
) -> ReviewItem {
    ReviewItem::new(provider, reason, message).with_source(source.clone())
}

/// The key a source or a document number is known by within a run: a
/// SipHash under a key drawn once per process, so no provider can choose ids
/// that collide (an unkeyed hash such as FNV can be steered), and one pass
/// over the text eight bytes at a time. Never persisted: voucher ids use
/// their own stable hash.
fn run_key(parts: &[&str]) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    static KEY: std::sync::OnceLock<std::hash::RandomState> = std::sync::OnceLock::new();
    let mut h = KEY.get_or_init(std::hash::RandomState::new).build_hasher();
    // `str`'s `Hash` ends each text with a byte no UTF-8 text holds, so
    // ("ab", "c") and ("a", "bc") differ.
    parts.iter().for_each(|p| p.hash(&mut h));
    h.finish()
}

pub(crate) fn source_key(s: &SourceRef) -> u64 {
    run_key(&[s.provider.as_str(), &s.kind, &s.id])
}

pub(crate) fn doc_key(doc: &str) -> u64 {
    run_key(&[doc.trim().trim_start_matches('#')])
}

/// A map keyed by [`source_key`] or [`doc_key`]: the key is a keyed hash
/// already, used as the bucket hash as it is instead of hashed again.
type KeyMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<KeyHasher>>;
/// A set of [`source_key`]s.
type KeySet = std::collections::HashSet<u64, std::hash::BuildHasherDefault<KeyHasher>>;

/// The hasher of [`KeyMap`]: a `u64` key is its own hash.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed here; any other key still gets a hash.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(crate) fn is_invoice(s: &SourceRef) -> bool {
    s.kind.eq_ignore_ascii_case("invoice") || s.kind.eq_ignore_ascii_case("credit_note")
}

impl<R: ExchangeRates> Mapper<R> {
    /// A mapper for `period` with the firm's chart, policy and exchange rates.
    pub fn new(chart: Chart, policy: Policy, rates: R, period: Period) -> Self {
        Mapper {
            chart,
            policy,
            rates,
            period,
            drafts: BTreeMap::new(),
            entries: KeyMap::default(),
            test_sales: KeySet::default(),
            sale_by_doc: KeyMap::default(),
            refund_by_doc: KeyMap::default(),
            refunds_of_doc: HashMap::new(),
            twinned: KeySet::default(),
            booked_elsewhere: std::collections::BTreeSet::new(),
            store: Store::default(),
            review: ReviewParts::default(),
            reconciliations: Vec::new(),
            outstanding: Vec::new(),
            booked_lines: KeySet::default(),
            listed: KeySet::default(),
            booked: Vec::new(),
            coverage: BTreeMap::new(),
            totals: BTreeMap::new(),
            needed: BTreeMap::new(),
            paid: KeyMap::default(),
        }
    }

    /// The period being mapped.
    pub fn period(&self) -> Period {
        self.period
    }

    /// Adds a sale of the days before the period only so that a receipt of
    /// the period can settle it (a PayPal receipt just after midnight for a
    /// sale just before it clears the clearing account, as a payout line
    /// does): nothing is booked, counted or reported for it, since the run
    /// of its own month did that. A sale that is not before the period is
    /// ignored.
    pub fn add_earlier_sale(&mut self, sale: &Sale) {
        self.add_earlier(sale.occurred_at, sale.source.provider, |m| {
            m.add_sale(sale);
        });
    }

    /// Adds a refund of the days before the period only so that a line of
    /// the period can settle it, as [`Mapper::add_earlier_sale`] does for a
    /// sale: PayPal's refund transaction (`T1107`) just after midnight of a
    /// refund made in Shopify just before it clears the clearing account
    /// the refund was credited to, instead of going to suspense. Nothing is
    /// booked, counted or reported for it; a refund that is not before the
    /// period is ignored.
    pub fn add_earlier_refund(&mut self, refund: &Refund) {
        self.add_earlier(refund.occurred_at, refund.source.provider, |m| {
            m.add_refund(refund);
        });
    }

    /// Adds a sale of the days after the period only so that a payment of
    /// the period can settle it, as [`Mapper::add_earlier_sale`] does for one
    /// before it: a PayPal receipt at 23:59:59 on 31 March for an order
    /// Shopify processed at 00:00:01 on 1 April (the payment comes first at
    /// checkout). The receipt clears the clearing account in March, which
    /// the sale debits in April: the two months add up to one close of both.
    /// Nothing is booked, counted or reported for the sale here. A sale that
    /// is not after the period is ignored.
    pub fn add_later_sale(&mut self, sale: &Sale) {
        if bookkeeping_core::stockholm_date(sale.occurred_at) <= self.period.last() {
            return;
        }
        self.for_matching_only(sale.source.provider, |m| m.add_sale(sale));
    }

    /// Runs `add` for a record of `provider` at `occurred_at`, before the
    /// period, keeping only what it learnt for matching: the review items,
    /// coverage counts, needed-report rows and texts it stored are cut back.
    fn add_earlier(
        &mut self,
        occurred_at: time::OffsetDateTime,
        provider: Provider,
        add: impl FnOnce(&mut Self),
    ) {
        if bookkeeping_core::stockholm_date(occurred_at) >= self.period.first() {
            return;
        }
        self.for_matching_only(provider, add);
    }

    /// Runs `add` for a record of `provider` outside the period, keeping
    /// only what it learnt for matching (see [`Mapper::add_earlier`]).
    fn for_matching_only(&mut self, provider: Provider, add: impl FnOnce(&mut Self)) {
        let review = self.review.len();
        let coverage = self.coverage.get(&provider).cloned();
        // Lengths, not copies: the coverage report may hold a million records.
        let needed: BTreeMap<(Provider, NeededReportKind), NeededMark> = self
            .needed
            .iter()
            .map(|(k, acc)| {
                let mark = NeededMark {
                    count: acc.count,
                    amount: acc.amount,
                    examples: acc.examples.len(),
                    items: acc.items.len(),
                };
                (k.clone(), mark)
            })
            .collect();
        let store = self.store.mark();
        add(self);
        self.review.truncate(review);
        match coverage {
            Some(c) => {
                self.coverage.insert(provider, c);
            }
            None => {
                self.coverage.remove(&provider);
            }
        }
        self.needed.retain(|k, acc| match needed.get(k) {
            Some(mark) => {
                acc.count = mark.count;
                acc.amount = mark.amount;
                acc.examples.truncate(mark.examples);
                acc.items.truncate(mark.items);
                true
            }
            None => false,
        });
        // Only what this record stored is forgotten: the review items and
        // records above were cut back to before it.
        self.store.truncate(store);
    }

    /// Whether a sale numbered `document` (`#1007`) was added, of the period
    /// or earlier: a lost dispute that names it by that number
    /// ([`DisputeLost::reference`]) finds it.
    pub fn knows_sale_document(&self, document: &str) -> bool {
        self.sale_by_doc.contains_key(&doc_key(document))
    }

    /// Adds a review item from a provider client (it goes to the journal as is).
    pub fn add_review(&mut self, item: ReviewItem) {
        self.cov(item.provider).provider_review_items += 1;
        self.review.push(item);
    }

    /// Adds what a `SalesSource` yields: a sale, a refund or a review item.
    pub fn add_sales_record(&mut self, record: &SalesRecord) {
        match record {
            SalesRecord::Sale(s) => self.add_sale(s),
            SalesRecord::Refund(r) => self.add_refund(r),
            SalesRecord::Review(item) => self.add_review(item.clone()),
            other => self.add_review(ReviewItem::new(
                other.provider(),
                ReviewReason::UnknownType,
                format!("a sales record kassabok's mapping does not know: {other:?}"),
            )),
        }
    }

    /// Adds what a `PayoutSource` yields: a payout or a review item.
    pub fn add_payout_record(&mut self, record: &PayoutRecord) {
        match record {
            PayoutRecord::Payout(p) => self.add_payout(p),
            PayoutRecord::Line(l) => self.add_balance_line(l),
            PayoutRecord::Review(item) => self.add_review(item.clone()),
            PayoutRecord::DisputeLost(lost) => self.add_dispute_lost(lost),
            other => self.add_review(ReviewItem::new(
                other.provider(),
                ReviewReason::UnknownType,
                format!("a payout record kassabok's mapping does not know: {other:?}"),
            )),
        }
    }

    /// Adds what a `StatementSource` returns: its statements and review items.
    pub fn add_statement_batch(&mut self, batch: &StatementBatch) {
        for item in &batch.review {
            self.add_review(item.clone());
        }
        for s in &batch.statements {
            self.add_statement(s);
        }
    }

    /// Marks `provider` as read for the period, whether or not it gave a
    /// record: the journal's coverage then lists it
    /// ([`Coverage::providers`](crate::Coverage::providers)). A voucher of a
    /// provider the coverage lists, booked by an earlier run of the period
    /// and missing from this one, is gone from the source; one of a provider
    /// this run did not read is not (`voucher-ledger` reverses only the
    /// first). A provider that gives a record is marked by it.
    pub fn source_read(&mut self, provider: Provider) {
        self.cov(provider);
    }

    pub(crate) fn cov(&mut self, p: Provider) -> &mut ProviderCoverage {
        self.coverage.entry(p).or_default()
    }

    pub(crate) fn tot(&mut self, p: Provider) -> &mut ProviderTotals {
        self.totals.entry(p).or_default()
    }

    pub(crate) fn rate(&self, currency: Currency, date: time::Date) -> Option<Decimal> {
        if currency == Currency::SEK {
            Some(Decimal::ONE)
        } else {
            self.rates.sek_per_unit(currency, date)
        }
    }

    pub(crate) fn push_review(&mut self, item: ReviewItem) {
        self.review.push(item);
    }

    /// Sends a record a provider listed again to review instead of booking it
    /// a second time (a list that repeats an object on a later page, or a
    /// cursor that goes back a page); true when `source` was added before.
    /// `known` says whether it was: sales and refunds are looked up in the
    /// entries kept to settle them, payouts and lost disputes in `listed`.
    /// A sale or refund dated before the period (`dated`) may come both as
    /// an earlier record for matching and in the period's list: its repeat
    /// books nothing and is no finding.
    pub(crate) fn refuse_repeat(
        &mut self,
        source: &SourceRef,
        known: bool,
        dated: Option<time::OffsetDateTime>,
    ) -> bool {
        let in_period = dated.is_none_or(|at| {
            self.period
                .contains_date(bookkeeping_core::stockholm_date(at))
        });
        if known && in_period {
            self.push_review(review_item(
                source.provider,
                ReviewReason::Malformed,
                source,
                format!(
                    "{} {} {} was listed twice by the provider; the first listing is booked, this one is not",
                    source.provider.display_name(),
                    source.kind,
                    source.id
                ),
            ));
        }
        known
    }

    /// Sends a record with an amount beyond
    /// [`bounds::MAX_AMOUNT`](bookkeeping_core::bounds::MAX_AMOUNT) to review
    /// instead of booking it (converting or sharing out such an amount would
    /// overflow); true when it did.
    pub(crate) fn refuse_unbookable(
        &mut self,
        record: &impl bookkeeping_core::bounds::Bounded,
    ) -> bool {
        match record.unbookable_review() {
            Some(item) => {
                self.push_review(item);
                true
            }
            None => false,
        }
    }

    /// Lists a record in the coverage report under the report it needs.
    pub(crate) fn need(&mut self, provider: Provider, kind: NeededReportKind, item: NeededItem) {
        let row = NeededRow::new(&mut self.store, &item);
        self.need_row(provider, kind, row);
    }

    /// [`Mapper::need`] for a record whose texts are stored; the record's
    /// index in the store.
    pub(crate) fn need_row(
        &mut self,
        provider: Provider,
        kind: NeededReportKind,
        row: NeededRow,
    ) -> u32 {
        let index = self.store.push_needed(NeededRow {
            amount_sek: r2(row.amount_sek),
            ..row
        });
        let acc = self.needed.entry((provider, kind)).or_default();
        acc.count += 1;
        acc.amount += row.amount_sek;
        if acc.examples.len() < 5 {
            let id = self.store.needed_id(index);
            if !acc.examples.iter().any(|e| e == id) {
                acc.examples.push(id.to_owned());
            }
        }
        acc.items.push(index);
        index
    }

    /// Stores a line booked by this run (for [`Journal::booked_lines`]).
    pub(crate) fn book_line_source(&mut self, source: &SourceRef) {
        let row = self.store.source(source);
        self.booked.push(row);
    }

    /// `source` in the store: the last booked line's row when it is that
    /// line (a review item about the line being booked shares its id).
    pub(crate) fn source_row(&mut self, source: &SourceRef) -> SourceRow {
        match self.booked.last() {
            Some(row) if self.store.is(*row, source) => *row,
            _ => self.store.source(source),
        }
    }

    /// The draft under `key`, begun with `text()` when there is none yet:
    /// a day's sales are added to it directly, without a draft and a text
    /// of their own to merge.
    pub(crate) fn draft(&mut self, key: DraftKey, text: impl FnOnce() -> String) -> &mut Draft {
        self.drafts.entry(key).or_insert_with(|| Draft::new(text()))
    }

    /// Merges a draft into the voucher under `key` (a day's sales add up).
    pub(crate) fn commit(&mut self, key: DraftKey, draft: Draft) {
        match self.drafts.get_mut(&key) {
            Some(existing) => existing.merge(draft),
            None => {
                self.drafts.insert(key, draft);
            }
        }
    }

    /// Books a fee (VAT included in `amount`, provider VAT `vat`) on `draft`
    /// in `currency` at `rate`, by the policy's VAT class. Returns the class.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn book_fee(
        &self,
        draft: &mut Draft,
        provider: Provider,
        category: FeeCategory,
        amount: Decimal,
        vat: Decimal,
        currency: Currency,
        rate: Decimal,
    ) -> FeeVatClass {
        let class = self.policy.fee_class(provider, category);
        let fee_role = Role::Fee { provider, category };
        let mut add = |role: Role, a: Decimal| draft.add(role, currency, a, a * rate);
        // VAT shown on a fee not classed Swedish is VAT of the provider's
        // country: never Swedish input VAT (2641). It is part of the cost
        // unless the chart puts it on a receivable (Role::ForeignFeeVat).
        let foreign_vat = Role::ForeignFeeVat { provider, category };
        match class {
            FeeVatClass::Review => add(fee_role, amount),
            FeeVatClass::Exempt => {
                add(fee_role, amount - vat);
                add(foreign_vat, vat);
            }
            FeeVatClass::SwedishVat => {
                add(fee_role, amount - vat);
                add(Role::InputVat, vat);
            }
            FeeVatClass::ReverseCharge { memo } => {
                // Reverse charge on the price of the service, without the
                // foreign VAT charged on it.
                let base = amount - vat;
                add(fee_role, base);
                add(foreign_vat, vat);
                // Rounded per fee: a payout whose lines fall in two months
                // is booked in two parts, and the months' VAT must add up
                // to the VAT of one close of both, to the öre.
                let rc = r2(base * Decimal::new(25, 2));
                add(Role::ReverseChargeInputVat, rc);
                add(Role::ReverseChargeOutputVat, -rc);
                if memo {
                    add(Role::ReverseChargeBase, base);
                    add(Role::ReverseChargeBaseContra, -base);
                }
            }
        }
        draft.fee_classes.insert((provider, category), class);
        class
    }

    /// Finishes the journal: vouchers sorted, balanced to the öre, with ids.
    pub fn finish(mut self) -> Journal {
        if self.policy.method == AccountingMethod::Kontantmetod {
            self.unpaid_sales();
        }
        let drafts = std::mem::take(&mut self.drafts);
        let mut vouchers = Vec::with_capacity(drafts.len());
        let mut rounding = Vec::new();
        for (key, draft) in drafts {
            let provider = key.provider;
            let (voucher, residue, reviews) = draft.finalize(&key, &self.chart, &self.policy);
            self.review.extend(reviews);
            if let Some(v) = voucher {
                if let Some(r) = residue {
                    rounding.push(RoundingResidue {
                        voucher: v.id.clone(),
                        amount: r,
                    });
                    self.tot(provider).rounding_sek += r;
                }
                self.tot(provider).vouchers += 1;
                vouchers.push(v);
            }
        }
        vouchers.sort_by(|a, b| {
            (a.date, a.kind, a.provider, &a.text, &a.id)
                .cmp(&(b.date, b.kind, b.provider, &b.text, &b.id))
        });
        // A text the SIE file cannot hold as it is gets replaced there: say so.
        #[cfg(feature = "sie")]
        self.review.extend(
            vouchers
                .iter()
                .filter_map(crate::export::unencodable_review),
        );
        let store = std::sync::Arc::new(std::mem::take(&mut self.store));
        let needed = std::mem::take(&mut self.needed)
            .into_iter()
            .map(|((provider, kind), acc)| NeededReport {
                provider,
                kind,
                count: acc.count,
                amount_sek: r2(acc.amount),
                examples: acc.examples,
                items: NeededItems::new(store.clone(), acc.items),
            })
            .collect();
        let providers = Provider::ALL
            .iter()
            .filter_map(|p| self.coverage.get(p).map(|c| (*p, c.clone())))
            .collect();
        for rec in &self.reconciliations {
            let t = self.totals.entry(rec.provider).or_default();
            if rec.is_reconciled() {
                t.payouts_reconciled += 1;
            } else {
                t.payouts_unreconciled += 1;
            }
        }
        let mut used: Vec<&str> = vouchers
            .iter()
            .flat_map(|v| v.postings.iter().map(|p| p.account.as_str()))
            .collect();
        used.sort_unstable();
        used.dedup();
        let accounts = self.chart.describe(used.iter().copied());
        let own_accounts = self.chart.own_accounts(used);
        Journal {
            period: self.period,
            series: self.policy.series.clone(),
            vouchers,
            reconciliations: self.reconciliations,
            outstanding: {
                let mut o = self.outstanding;
                o.sort_by(|a, b| {
                    (a.provider, a.date, &a.source).cmp(&(b.provider, b.date, &b.source))
                });
                o
            },
            booked_lines: SourceList::sorted(store.clone(), self.booked),
            booked_elsewhere: self.booked_elsewhere,
            review: Review::new(store, self.review),
            coverage: Coverage {
                period: self.period,
                providers,
                needed,
            },
            accounts,
            own_accounts,
            rounding,
            totals: self
                .totals
                .into_iter()
                .map(|(p, t)| (p, t.rounded()))
                .collect(),
        }
    }

    pub(crate) fn draft_key(
        &self,
        kind: VoucherKind,
        date: time::Date,
        provider: Provider,
        group: String,
    ) -> DraftKey {
        DraftKey {
            date,
            kind,
            provider,
            group,
        }
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    /// Where one text ends is part of a key (("ab", "c") is not ("a", "bc")),
    /// a key is the same for the same texts within a run, and `doc_key`
    /// reads `#1001` and ` 1001` as the same number.
    #[test]
    fn keys_tell_texts_apart() {
        assert_ne!(run_key(&["ab", "c"]), run_key(&["a", "bc"]));
        assert_eq!(run_key(&["stripe", "txn_1"]), run_key(&["stripe", "txn_1"]));
        assert_eq!(doc_key("#1001"), doc_key(" 1001"));
        assert_ne!(doc_key("1001"), doc_key("1002"));
        let mut set = KeySet::default();
        assert!(set.insert(doc_key("1001")));
        assert!(!set.insert(doc_key("#1001")));
    }
}
