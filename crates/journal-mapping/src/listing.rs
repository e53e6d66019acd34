//! The journal's per-record listings, stored compactly: review items,
//! the records of the coverage report and the booked lines.
//!
//! A month of a large shop has a million balance transactions, and a
//! [`SourceRef`], [`ReviewItem`] or [`NeededItem`] per record, each with
//! strings of its own (a review item's message alone repeats the record's
//! id, date and description in a sentence of 200 bytes), cost about 1 KB a
//! record (#20). Here every text is stored once, end to end in one buffer
//! shared by the listings ([`Store`]), and a record is a row of spans into
//! it: a booked line and the review item about the same line share its id, a
//! review item and the coverage entry of the same payment its id and
//! description, and a message is written only when the item is read.
//! Nothing is lost: each listing yields the same items, in the same order,
//! as the vectors it replaces, and serializes as they did.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bookkeeping_core::{Currency, Money, Provider, ReviewItem, ReviewReason, SourceRef};
use rust_decimal::Decimal;
use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::coverage::NeededItem;

/// What every listing implements as the list of items it reads as: equality
/// item by item, `Debug` and serde as that list (the journal's JSON is the
/// same as when the listings were vectors).
macro_rules! reads_as_list {
    ($list:ty, $item:ty) => {
        impl PartialEq for $list {
            fn eq(&self, other: &Self) -> bool {
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }

        impl Eq for $list {}

        impl fmt::Debug for $list {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }

        impl Serialize for $list {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.iter())
            }
        }

        impl<'de> Deserialize<'de> for $list {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Vec::<$item>::deserialize(deserializer)?
                    .into_iter()
                    .collect())
            }
        }
    };
}

/// An iterator over a listing whose rows each make one item, and the
/// listing's `IntoIterator` for a reference.
macro_rules! rows_iter {
    ($(#[$doc:meta])* $iter:ident, $list:ty, $row:ty, $item:ty, $make:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $iter<'a> {
            store: &'a Store,
            rows: std::slice::Iter<'a, $row>,
        }

        impl Iterator for $iter<'_> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                let make = $make;
                self.rows.next().map(|row| make(self.store, row))
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.rows.size_hint()
            }
        }

        impl ExactSizeIterator for $iter<'_> {}

        impl<'a> IntoIterator for &'a $list {
            type Item = $item;
            type IntoIter = $iter<'a>;

            fn into_iter(self) -> $iter<'a> {
                self.iter()
            }
        }
    };
}

/// Where a text is in a [`Store`]. `len == LONG` marks a text kept on its
/// own (`start` indexes [`Store::long`]): one that does not fit the shared
/// buffer's 32-bit offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

const LONG: u32 = u32::MAX;

/// A row index. Past 4 billion rows it saturates; a store that size is
/// beyond any month (and beyond memory: every row is at least 12 bytes).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX - 1)
}

/// Texts end to end, the (provider, kind) pairs of the sources, and the
/// records of the coverage report (which review items refer to).
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    text: String,
    long: Vec<String>,
    kinds: Vec<(Provider, Cow<'static, str>)>,
    needed: Vec<NeededRow>,
    /// Amounts of review items that are not their coverage record's SEK.
    amounts: Vec<Money>,
}

/// A [`SourceRef`] in a [`Store`]: its (provider, kind) pair and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceRow {
    kind: u32,
    id: Span,
}

/// A length to go back to (see [`Store::truncate`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoreMark {
    text: usize,
    long: usize,
    kinds: usize,
    needed: usize,
    amounts: usize,
}

impl Store {
    /// Stores `s`.
    pub(crate) fn text(&mut self, s: &str) -> Span {
        let start = self.text.len();
        if let (Ok(start32), Ok(len)) = (u32::try_from(start), u32::try_from(s.len()))
            && len != LONG
            && u32::try_from(start + s.len()).is_ok()
        {
            self.text.push_str(s);
            return Span {
                start: start32,
                len,
            };
        }
        self.long.push(s.to_owned());
        Span {
            start: index(self.long.len() - 1),
            len: LONG,
        }
    }

    /// The text at `span`.
    pub(crate) fn get(&self, span: Span) -> &str {
        if span.len == LONG {
            self.long
                .get(span.start as usize)
                .map_or("", String::as_str)
        } else {
            let start = span.start as usize;
            self.text
                .get(start..start + span.len as usize)
                .unwrap_or("")
        }
    }

    /// Stores a source.
    pub(crate) fn source(&mut self, source: &SourceRef) -> SourceRow {
        let kind = match self
            .kinds
            .iter()
            .position(|(p, k)| *p == source.provider && *k == source.kind)
        {
            Some(i) => i,
            None => {
                self.kinds.push((source.provider, source.kind.clone()));
                self.kinds.len() - 1
            }
        };
        SourceRow {
            kind: index(kind),
            id: self.text(&source.id),
        }
    }

    /// Whether `row` is `source`.
    pub(crate) fn is(&self, row: SourceRow, source: &SourceRef) -> bool {
        self.kinds
            .get(row.kind as usize)
            .is_some_and(|(p, k)| *p == source.provider && *k == source.kind)
            && self.get(row.id) == source.id
    }

    /// The source at `row`.
    pub(crate) fn source_ref(&self, row: SourceRow) -> SourceRef {
        let (provider, kind) = self
            .kinds
            .get(row.kind as usize)
            .map_or((Provider::Stripe, Cow::Borrowed("")), |(p, k)| {
                (*p, k.clone())
            });
        SourceRef::new(provider, kind, self.get(row.id))
    }

    /// Each stored kind's place in the order of [`SourceRef`]'s `Ord`
    /// (provider, then kind), by its index: with the id's text, a row's key
    /// in that order (the kinds are distinct, so the ranks are).
    fn kind_ranks(&self) -> Vec<u32> {
        let mut order: Vec<(Provider, &str, usize)> = self
            .kinds
            .iter()
            .enumerate()
            .map(|(i, (p, k))| (*p, k.as_ref(), i))
            .collect();
        order.sort_unstable();
        let mut rank = vec![0; self.kinds.len()];
        for (place, (_, _, i)) in order.into_iter().enumerate() {
            if let Some(r) = rank.get_mut(i) {
                *r = index(place);
            }
        }
        rank
    }

    pub(crate) fn mark(&self) -> StoreMark {
        StoreMark {
            text: self.text.len(),
            long: self.long.len(),
            kinds: self.kinds.len(),
            needed: self.needed.len(),
            amounts: self.amounts.len(),
        }
    }

    /// Forgets what was stored after `mark`.
    pub(crate) fn truncate(&mut self, mark: StoreMark) {
        self.text.truncate(mark.text);
        self.long.truncate(mark.long);
        self.kinds.truncate(mark.kinds);
        self.needed.truncate(mark.needed);
        self.amounts.truncate(mark.amounts);
    }

    /// Stores a record of the coverage report; its index.
    pub(crate) fn push_needed(&mut self, row: NeededRow) -> u32 {
        self.needed.push(row);
        index(self.needed.len() - 1)
    }

    fn needed(&self, index: u32) -> Option<&NeededRow> {
        self.needed.get(index as usize)
    }

    /// The text of the record's id (for the report's examples).
    pub(crate) fn needed_id(&self, index: u32) -> &str {
        self.needed(index).map_or("", |r| self.get(r.id))
    }

    fn needed_item(&self, index: u32) -> NeededItem {
        self.needed(index).map_or_else(
            || NeededItem {
                date: Date::MIN,
                id: String::new(),
                amount_sek: Decimal::ZERO,
                description: String::new(),
            },
            |r| r.item(self),
        )
    }
}

/// The settlement lines booked in a period ([`Journal::booked_lines`]),
/// sorted, each stored as its kind and id in the journal's shared texts.
///
/// Reads as a list of [`SourceRef`]s:
///
/// ```
/// use bookkeeping_core::{Provider, SourceRef};
/// use journal_mapping::SourceList;
///
/// let lines: SourceList = [SourceRef::new(Provider::Stripe, "balance_transaction", "txn_1")]
///     .into_iter()
///     .collect();
/// assert_eq!(lines.len(), 1);
/// assert_eq!(lines.iter().next().unwrap().id, "txn_1");
/// ```
///
/// [`Journal::booked_lines`]: crate::Journal::booked_lines
#[derive(Clone, Default)]
pub struct SourceList {
    store: Arc<Store>,
    rows: Vec<SourceRow>,
}

impl SourceList {
    /// Sorts `rows` by their sources.
    ///
    /// A row's kind is compared by its rank, looked up in a table of the
    /// few kinds made once, not by resolving both rows' kinds and comparing
    /// their texts (most of a Stripe month's `Mapper::finish`, a row per
    /// balance transaction). Unstable and in place: rows with the same key
    /// are the same source, and a month of a million rows sorts without a
    /// stable sort's scratch buffer; a cache of the keys (32 bytes a row) put
    /// that month over the memory target of #20.
    pub(crate) fn sorted(store: Arc<Store>, mut rows: Vec<SourceRow>) -> Self {
        let rank = store.kind_ranks();
        let key = |r: &SourceRow| {
            (
                rank.get(r.kind as usize).copied().unwrap_or(u32::MAX),
                store.get(r.id),
            )
        };
        rows.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        SourceList { store, rows }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The sources, in order.
    pub fn iter(&self) -> SourceIter<'_> {
        SourceIter {
            store: &self.store,
            rows: self.rows.iter(),
        }
    }

    /// Whether `source` is among them (a scan: for one look-up; collect
    /// [`SourceList::to_vec`] into a set for many).
    pub fn contains(&self, source: &SourceRef) -> bool {
        self.rows.iter().any(|r| self.store.is(*r, source))
    }

    /// The sources as a vector.
    pub fn to_vec(&self) -> Vec<SourceRef> {
        self.iter().collect()
    }
}

impl FromIterator<SourceRef> for SourceList {
    fn from_iter<I: IntoIterator<Item = SourceRef>>(iter: I) -> Self {
        let mut store = Store::default();
        let rows = iter.into_iter().map(|s| store.source(&s)).collect();
        SourceList {
            store: Arc::new(store),
            rows,
        }
    }
}

reads_as_list!(SourceList, SourceRef);
rows_iter!(
    /// The sources of a [`SourceList`], in order ([`SourceList::iter`]).
    SourceIter, SourceList, SourceRow, SourceRef, |store: &Store, row: &SourceRow| store.source_ref(*row)
);

/// One record of a [`NeededReport`](crate::NeededReport), as spans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NeededRow {
    pub(crate) date: Date,
    pub(crate) id: Span,
    pub(crate) amount_sek: Decimal,
    pub(crate) description: Span,
}

impl NeededRow {
    pub(crate) fn new(store: &mut Store, item: &NeededItem) -> Self {
        NeededRow {
            date: item.date,
            id: store.text(&item.id),
            amount_sek: item.amount_sek,
            description: store.text(&item.description),
        }
    }

    fn item(&self, store: &Store) -> NeededItem {
        NeededItem {
            date: self.date,
            id: store.get(self.id).to_owned(),
            amount_sek: self.amount_sek,
            description: store.get(self.description).to_owned(),
        }
    }
}

/// Every record of a [`NeededReport`](crate::NeededReport), in the order
/// met, stored as rows of the journal's shared texts; reads as a list of
/// [`NeededItem`]s.
///
/// ```
/// use journal_mapping::{NeededItem, NeededItems};
/// use rust_decimal::Decimal;
/// use time::macros::date;
///
/// let items: NeededItems = [NeededItem {
///     date: date!(2026 - 03 - 02),
///     id: "pi_1".into(),
///     amount_sek: Decimal::new(10000, 2),
///     description: "Order #1001".into(),
/// }]
/// .into_iter()
/// .collect();
/// assert_eq!(items.get(0).unwrap().id, "pi_1");
/// ```
#[derive(Clone, Default)]
pub struct NeededItems {
    store: Arc<Store>,
    /// Indices of the store's records.
    rows: Vec<u32>,
}

impl NeededItems {
    pub(crate) fn new(store: Arc<Store>, rows: Vec<u32>) -> Self {
        NeededItems { store, rows }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The items, in order.
    pub fn iter(&self) -> NeededIter<'_> {
        NeededIter {
            store: &self.store,
            rows: self.rows.iter(),
        }
    }

    /// The item at `index`.
    pub fn get(&self, index: usize) -> Option<NeededItem> {
        self.rows.get(index).map(|r| self.store.needed_item(*r))
    }

    /// The items as a vector.
    pub fn to_vec(&self) -> Vec<NeededItem> {
        self.iter().collect()
    }
}

impl FromIterator<NeededItem> for NeededItems {
    fn from_iter<I: IntoIterator<Item = NeededItem>>(iter: I) -> Self {
        let mut store = Store::default();
        let rows = iter
            .into_iter()
            .map(|i| {
                let row = NeededRow::new(&mut store, &i);
                store.push_needed(row)
            })
            .collect();
        NeededItems {
            store: Arc::new(store),
            rows,
        }
    }
}

reads_as_list!(NeededItems, NeededItem);
rows_iter!(
    /// The items of [`NeededItems`], in order ([`NeededItems::iter`]).
    NeededIter, NeededItems, u32, NeededItem, |store: &Store, row: &u32| store.needed_item(*row)
);

/// The review item about a Stripe payment without a Stripe invoice or a
/// known sale (a million of them in a month of Checkout payments): its
/// balance transaction, and its coverage record, which holds the payment's
/// id, date and description.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnknownStripePayment {
    source: SourceRow,
    needed: u32,
    /// `SAME_AMOUNT`: the record's SEK amount, in SEK (a SEK payment);
    /// else an index of the store's amounts.
    amount: u32,
}

const SAME_AMOUNT: u32 = u32::MAX;

impl UnknownStripePayment {
    /// The item about the payment of `amount` whose balance transaction is
    /// `source` and whose coverage record is `needed`.
    pub(crate) fn new(store: &mut Store, source: SourceRow, needed: u32, amount: Money) -> Self {
        let same = amount.currency() == Currency::SEK
            && store
                .needed(needed)
                .is_some_and(|r| r.amount_sek.serialize() == amount.amount().serialize());
        let amount = if same {
            SAME_AMOUNT
        } else {
            store.amounts.push(amount);
            index(store.amounts.len() - 1).min(SAME_AMOUNT - 1)
        };
        UnknownStripePayment {
            source,
            needed,
            amount,
        }
    }

    fn item(&self, store: &Store) -> ReviewItem {
        let record = store.needed(self.needed);
        let text = |f: fn(&NeededRow) -> Span| record.map_or("", |r| store.get(f(r)));
        let amount = if self.amount == SAME_AMOUNT {
            record.map(|r| Money::new(r.amount_sek, Currency::SEK))
        } else {
            store.amounts.get(self.amount as usize).copied()
        };
        let mut item = ReviewItem::new(
            Provider::Stripe,
            ReviewReason::UnknownSale,
            format!(
                "Stripe payment {} on {} without a Stripe invoice or a known sale: \"{}\"; its revenue and VAT are not booked (the money is on the clearing account)",
                text(|r| r.id),
                record.map_or(Date::MIN, |r| r.date),
                text(|r| r.description)
            ),
        )
        .with_source(store.source_ref(self.source));
        item.amount = amount;
        item
    }
}

/// A run of consecutive items of one form.
#[derive(Debug, Clone, Copy)]
struct Run {
    compact: bool,
    len: u32,
}

/// The review items as the mapper collects them: items of their own and
/// compact ones, in the order added.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReviewParts {
    items: Vec<ReviewItem>,
    payments: Vec<UnknownStripePayment>,
    runs: Vec<Run>,
}

impl ReviewParts {
    fn extend_run(&mut self, compact: bool) {
        match self.runs.last_mut() {
            Some(run) if run.compact == compact && run.len < u32::MAX => run.len += 1,
            _ => self.runs.push(Run { compact, len: 1 }),
        }
    }

    pub(crate) fn push(&mut self, item: ReviewItem) {
        self.items.push(item);
        self.extend_run(false);
    }

    pub(crate) fn push_payment(&mut self, payment: UnknownStripePayment) {
        self.payments.push(payment);
        self.extend_run(true);
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len() + self.payments.len()
    }

    /// Keeps the first `len` items.
    pub(crate) fn truncate(&mut self, len: usize) {
        let mut drop = self.len().saturating_sub(len);
        while drop > 0 {
            let Some(run) = self.runs.last_mut() else {
                break;
            };
            let n = (run.len as usize).min(drop);
            if run.compact {
                self.payments.truncate(self.payments.len() - n);
            } else {
                self.items.truncate(self.items.len() - n);
            }
            drop -= n;
            run.len -= n as u32;
            if run.len == 0 {
                self.runs.pop();
            }
        }
    }
}

impl Extend<ReviewItem> for ReviewParts {
    fn extend<I: IntoIterator<Item = ReviewItem>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

/// What an accountant must look at ([`Journal::review`]): every review item
/// of the period, in the order the mapping met them.
///
/// The items the mapping makes per record (a Stripe payment without a
/// Stripe invoice: one per balance transaction in a month of Checkout
/// payments) are stored as rows of the journal's shared texts and written
/// out when read; the others as [`ReviewItem`]s. Reading yields
/// [`ReviewItem`]s either way, and it serializes as a list of them.
///
/// ```
/// use bookkeeping_core::{Provider, ReviewItem, ReviewReason};
/// use journal_mapping::Review;
///
/// let mut review = Review::default();
/// review.push(ReviewItem::new(Provider::Stripe, ReviewReason::Other, "check this"));
/// assert_eq!(review.len(), 1);
/// assert_eq!(review.get(0).unwrap().message, "check this");
/// for item in &review {
///     assert_eq!(item.reason, ReviewReason::Other);
/// }
/// ```
///
/// [`Journal::review`]: crate::Journal::review
#[derive(Clone, Default)]
pub struct Review {
    store: Arc<Store>,
    parts: ReviewParts,
}

impl Review {
    pub(crate) fn new(store: Arc<Store>, parts: ReviewParts) -> Self {
        Review { store, parts }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether there is nothing to review.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds an item at the end.
    pub fn push(&mut self, item: ReviewItem) {
        self.parts.push(item);
    }

    /// The items, in order; those stored compactly are written out as read.
    pub fn iter(&self) -> ReviewIter<'_> {
        ReviewIter {
            review: self,
            run: 0,
            taken: 0,
            items: 0,
            payments: 0,
        }
    }

    /// The item at `index`.
    pub fn get(&self, index: usize) -> Option<Cow<'_, ReviewItem>> {
        let (mut items, mut payments, mut at) = (0, 0, index);
        for run in &self.parts.runs {
            let len = run.len as usize;
            if at < len {
                return if run.compact {
                    self.parts
                        .payments
                        .get(payments + at)
                        .map(|p| Cow::Owned(p.item(&self.store)))
                } else {
                    self.parts.items.get(items + at).map(Cow::Borrowed)
                };
            }
            at -= len;
            if run.compact {
                payments += len;
            } else {
                items += len;
            }
        }
        None
    }

    /// The items as a vector.
    pub fn to_vec(&self) -> Vec<ReviewItem> {
        self.iter().map(Cow::into_owned).collect()
    }
}

/// The items of a [`Review`], in order ([`Review::iter`]): the runs in
/// order, each from its own vector.
#[derive(Debug)]
pub struct ReviewIter<'a> {
    review: &'a Review,
    run: usize,
    /// Items taken from the current run.
    taken: usize,
    items: usize,
    payments: usize,
}

impl<'a> Iterator for ReviewIter<'a> {
    type Item = Cow<'a, ReviewItem>;

    fn next(&mut self) -> Option<Self::Item> {
        let parts = &self.review.parts;
        loop {
            let run = parts.runs.get(self.run)?;
            if self.taken == run.len as usize {
                self.run += 1;
                self.taken = 0;
                continue;
            }
            self.taken += 1;
            return if run.compact {
                self.payments += 1;
                parts
                    .payments
                    .get(self.payments - 1)
                    .map(|p| Cow::Owned(p.item(&self.review.store)))
            } else {
                self.items += 1;
                parts.items.get(self.items - 1).map(Cow::Borrowed)
            };
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.review.len() - self.items - self.payments;
        (left, Some(left))
    }
}

impl ExactSizeIterator for ReviewIter<'_> {}

impl Extend<ReviewItem> for Review {
    fn extend<I: IntoIterator<Item = ReviewItem>>(&mut self, iter: I) {
        self.parts.extend(iter);
    }
}

impl FromIterator<ReviewItem> for Review {
    fn from_iter<I: IntoIterator<Item = ReviewItem>>(iter: I) -> Self {
        let mut review = Review::default();
        review.extend(iter);
        review
    }
}

impl From<Vec<ReviewItem>> for Review {
    fn from(items: Vec<ReviewItem>) -> Self {
        items.into_iter().collect()
    }
}

reads_as_list!(Review, ReviewItem);

impl<'a> IntoIterator for &'a Review {
    type Item = Cow<'a, ReviewItem>;
    type IntoIter = ReviewIter<'a>;

    fn into_iter(self) -> ReviewIter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: usize) -> ReviewItem {
        ReviewItem::new(Provider::Klarna, ReviewReason::Other, format!("item {n}"))
    }

    fn payment(store: &mut Store, n: usize) -> UnknownStripePayment {
        let source = store.source(&SourceRef::new(
            Provider::Stripe,
            "balance_transaction",
            format!("txn_{n}"),
        ));
        let record = NeededRow {
            date: time::macros::date!(2026 - 03 - 02),
            id: store.text(&format!("pi_{n}")),
            amount_sek: Decimal::new(10000, 2),
            description: store.text("Order"),
        };
        let needed = store.push_needed(record);
        // Every other one in euros: its amount is stored apart.
        let amount = if n.is_multiple_of(2) {
            Money::new(Decimal::new(900, 2), Currency::EUR)
        } else {
            Money::new(Decimal::new(10000, 2), Currency::SEK)
        };
        UnknownStripePayment::new(store, source, needed, amount)
    }

    #[test]
    fn review_keeps_the_order_items_were_added_in_and_truncates_across_runs() {
        let mut store = Store::default();
        let mut parts = ReviewParts::default();
        parts.push(item(0));
        parts.push_payment(payment(&mut store, 1));
        parts.push_payment(payment(&mut store, 2));
        parts.push(item(3));
        parts.push_payment(payment(&mut store, 4));
        let review = Review::new(Arc::new(store.clone()), parts.clone());
        let messages: Vec<String> = review.iter().map(|i| i.message.clone()).collect();
        assert_eq!(messages.len(), 5);
        assert_eq!(messages[0], "item 0");
        assert!(messages[1].starts_with("Stripe payment pi_1 on 2026-03-02"));
        assert!(messages[2].starts_with("Stripe payment pi_2 "));
        assert_eq!(messages[3], "item 3");
        assert!(messages[4].starts_with("Stripe payment pi_4 "));
        for (i, m) in messages.iter().enumerate() {
            assert_eq!(&review.get(i).unwrap().message, m);
        }
        assert!(review.get(5).is_none());
        assert_eq!(review.get(1).unwrap().source.as_ref().unwrap().id, "txn_1");
        let amounts: Vec<Option<Money>> = review.iter().map(|i| i.amount).collect();
        let (sek, eur) = (
            Money::new(Decimal::new(10000, 2), Currency::SEK),
            Money::new(Decimal::new(900, 2), Currency::EUR),
        );
        assert_eq!(amounts, [None, Some(sek), Some(eur), None, Some(eur)]);

        parts.truncate(2);
        let review = Review::new(Arc::new(store), parts);
        assert_eq!(review.len(), 2);
        assert_eq!(review.to_vec()[1].source.as_ref().unwrap().id, "txn_1");
        let json = serde_json::to_string(&review).unwrap();
        let back: Review = serde_json::from_str(&json).unwrap();
        assert_eq!(back, review);
    }

    #[test]
    fn sources_sort_as_source_refs_do() {
        let refs = [
            SourceRef::new(Provider::Stripe, "balance_transaction", "txn_b"),
            SourceRef::new(Provider::Shopify, "balance_transaction", "9"),
            SourceRef::new(Provider::Stripe, "balance_transaction", "txn_a"),
            SourceRef::new(Provider::Stripe, "application_fee", "fee_z"),
            // Kinds stored in another order than theirs, the same id under
            // two kinds, a provider stored last that sorts first.
            SourceRef::new(Provider::PayPal, "transaction", "txn_a"),
            SourceRef::new(Provider::Stripe, "application_fee", "txn_a"),
            SourceRef::new(Provider::Klarna, "settlement", "1"),
            SourceRef::new(Provider::Shopify, "order", "9"),
            SourceRef::new(Provider::Stripe, "balance_transaction", "txn_a"),
        ];
        let mut store = Store::default();
        let rows = refs.iter().map(|r| store.source(r)).collect();
        let list = SourceList::sorted(Arc::new(store), rows);
        let mut expected = refs.to_vec();
        expected.sort();
        assert_eq!(list.to_vec(), expected);
        assert!(list.contains(&refs[1]));
    }

    #[test]
    fn a_store_gives_back_every_text() {
        let mut store = Store::default();
        let spans: Vec<Span> = ["", "a", "ö€", "txn_1"]
            .iter()
            .map(|t| store.text(t))
            .collect();
        let back: Vec<&str> = spans.iter().map(|s| store.get(*s)).collect();
        assert_eq!(back, ["", "a", "ö€", "txn_1"]);
    }
}
