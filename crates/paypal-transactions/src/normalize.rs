//! From PayPal transactions to bookkeeping-core statement lines and statements.
//!
//! PayPal is booked like a bank account: every balance-affecting transaction becomes
//! [`StatementLine`]s on the balance of its currency, gross and fee as **separate** lines
//! (PayPal sends the fee signed as it hits the balance, negative on a received payment;
//! netting it into the payment, or flipping its sign, is the classic bug). The lines of a
//! period, with PayPal's balances at its start and end, make one [`Statement`] per
//! currency; when opening + lines ≠ closing the difference is a [`ReviewItem`].

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use bookkeeping_core::{
    Currency, Money, Provider, ReviewItem, ReviewReason, SourceRef, Statement, StatementBatch,
    StatementClass, StatementLine,
};

use crate::models::{
    BalancesResponse, EventClass, ReferenceIdType, TransactionDetail, TransactionStatus,
};

/// The lines and review items of one transaction.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct NormalizedTransaction {
    /// The statement lines: the gross amount, then the fee when there is one.
    pub lines: Vec<StatementLine>,
    /// What needs an accountant's look.
    pub review: Vec<ReviewItem>,
}

fn source(id: &str) -> SourceRef {
    SourceRef::new(Provider::PayPal, "transaction", id)
}

/// The [`StatementClass`] of a PayPal event class (`None`: it moves no money).
pub fn statement_class(class: &EventClass) -> Option<StatementClass> {
    Some(match class {
        EventClass::Payment => StatementClass::Payment,
        EventClass::Fee => StatementClass::Fee,
        EventClass::Conversion => StatementClass::Conversion,
        EventClass::BankDeposit | EventClass::Withdrawal => StatementClass::Withdrawal,
        EventClass::Refund => StatementClass::Refund,
        EventClass::Chargeback => StatementClass::Chargeback,
        EventClass::Adjustment => StatementClass::Other("adjustment".to_owned()),
        EventClass::Hold => StatementClass::Hold,
        EventClass::Authorization => return None,
        EventClass::Unknown(code) => StatementClass::Unknown(code.clone()),
    })
}

pub(crate) fn label(class: &StatementClass, amount: &Money) -> String {
    let incoming = !amount.is_negative();
    match class {
        StatementClass::Payment if incoming => "PayPal payment received".to_owned(),
        StatementClass::Payment => "PayPal payment sent".to_owned(),
        StatementClass::Fee => "PayPal fee".to_owned(),
        StatementClass::Conversion => "Currency conversion".to_owned(),
        StatementClass::Withdrawal if incoming => "Transfer from bank".to_owned(),
        StatementClass::Withdrawal => "Transfer to bank".to_owned(),
        StatementClass::Refund if incoming => "Reversal".to_owned(),
        StatementClass::Refund => "Refund".to_owned(),
        StatementClass::Chargeback if incoming => "Chargeback reversal".to_owned(),
        StatementClass::Chargeback => "Chargeback".to_owned(),
        StatementClass::Hold if incoming => "Hold released".to_owned(),
        StatementClass::Hold => "Hold".to_owned(),
        StatementClass::Other(name) => format!("PayPal {name}"),
        StatementClass::Unknown(code) => format!("PayPal event {code}"),
        _ => "PayPal".to_owned(),
    }
}

fn reference_kind(kind: Option<&ReferenceIdType>) -> String {
    match kind {
        None | Some(ReferenceIdType::Transaction) => "transaction".to_owned(),
        Some(ReferenceIdType::Order) => "order".to_owned(),
        Some(ReferenceIdType::Subscription) => "subscription".to_owned(),
        Some(ReferenceIdType::PreApprovedPayment) => "pre_approved_payment".to_owned(),
        Some(other) => other.as_str().to_ascii_lowercase(),
    }
}

/// Whether a record moves money on the balance: not denied, not pending, not an
/// authorization.
pub fn is_balance_affecting(detail: &TransactionDetail) -> bool {
    let info = &detail.transaction_info;
    !matches!(
        info.transaction_status,
        Some(TransactionStatus::Denied | TransactionStatus::Pending)
    ) && info.transaction_event_code.class() != EventClass::Authorization
}

/// The statement lines of one transaction.
///
/// - Denied (`D`) records and authorizations (T13xx) move no money: no lines.
/// - Pending (`P`) records are not on the balance yet: no lines, a review item that says
///   to close the month again once the record completes (PayPal does not say by which
///   date a record is listed, so the next month's close may never see it).
/// - Otherwise a line with the gross `transaction_amount`, and a fee line (class
///   [`StatementClass::Fee`], same source) with `fee_amount` as PayPal signed it. The fee
///   line carries PayPal's `ending_balance`; the gross line the balance between the two.
///   Both are information only: PayPal leaves `ending_balance` empty whenever optional
///   query parameters are sent (`reporting_transactions_v1.json`,
///   `transaction_info.ending_balance`), and nothing here depends on it.
/// - An event code kassabok does not classify, an unknown status, a fee in another
///   currency, a positive fee on a received payment, or an amount that is not whole minor
///   units is booked as PayPal reported it and also reported for review.
pub fn transaction_lines(detail: &TransactionDetail) -> NormalizedTransaction {
    let info = &detail.transaction_info;
    let id = info.transaction_id.as_str();
    let code = info.transaction_event_code.as_str();
    let src = source(id);
    let mut out = NormalizedTransaction::default();
    let review = |reason, message: String| {
        ReviewItem::new(Provider::PayPal, reason, message).with_source(src.clone())
    };

    match &info.transaction_status {
        Some(TransactionStatus::Denied) => return out,
        Some(TransactionStatus::Pending) => {
            out.review.push(
                review(
                    ReviewReason::Incomplete,
                    // PayPal's Transaction Search does not say whether a record is listed
                    // by the date it began or the date it last changed: after it
                    // completes, either the close of the month it completes in lists it,
                    // or a new close of this month does; neither books it twice.
                    format!(
                        "{code} is pending and not yet on the balance: not booked; once it \
                         completes, close this month again (PayPal may list it here only)"
                    ),
                )
                .with_field("transaction_info.transaction_status")
                .with_amount(info.transaction_amount),
            );
            return out;
        }
        Some(TransactionStatus::Unknown(s)) => out.review.push(
            review(
                ReviewReason::UnknownType,
                format!("transaction status {s:?} is not known; booked as reported"),
            )
            .with_field("transaction_info.transaction_status")
            .with_amount(info.transaction_amount),
        ),
        _ => {}
    }

    let event_class = info.transaction_event_code.class();
    let Some(class) = statement_class(&event_class) else {
        return out;
    };
    if let StatementClass::Unknown(_) = class {
        out.review.push(
            review(
                ReviewReason::UnknownType,
                format!("event code {code:?} is not one kassabok classifies; booked as reported"),
            )
            .with_field("transaction_info.transaction_event_code")
            .with_amount(info.transaction_amount),
        );
    }

    let amount = info.transaction_amount;
    let fee = info.fee_amount.filter(|f| !f.is_zero());
    for (m, field) in [(Some(amount), "transaction_amount"), (fee, "fee_amount")] {
        if let Some(m) = m
            && !m.is_minor_unit_exact()
        {
            let message = if m.currency().is_known() {
                format!("{m} is not a whole number of minor units of its currency")
            } else {
                format!("currency {} has no known minor unit", m.currency())
            };
            out.review.push(
                review(ReviewReason::Currency, message)
                    .with_field(format!("transaction_info.{field}")),
            );
        }
    }
    if let Some(f) = fee {
        if f.currency() != amount.currency() {
            out.review.push(
                review(
                    ReviewReason::AmountMismatch,
                    format!("the fee {f} is in another currency than the amount {amount}"),
                )
                .with_field("transaction_info.fee_amount"),
            );
        } else if class == StatementClass::Payment && !amount.is_negative() && !f.is_negative() {
            out.review.push(
                review(
                    ReviewReason::AmountMismatch,
                    format!("the fee {f} on a received payment is not negative"),
                )
                .with_field("transaction_info.fee_amount")
                .with_amount(f),
            );
        }
    }

    // PayPal's running balance after the record: `ending_balance` when PayPal sends it,
    // else `available_balance` ("the available amount of transaction currency during the
    // completion of this transaction"). Information only.
    let running = info.ending_balance.or(info.available_balance);
    let ending = running.filter(|b| b.currency() == amount.currency());
    let gross_balance = match (ending, fee) {
        (Some(b), Some(f)) if f.currency() == b.currency() => b.checked_sub(&f).ok(),
        (_, Some(_)) => None,
        (b, None) => b,
    };
    let counterparty = detail.payer_info.as_ref().and_then(|p| p.display_name());
    let reference = info
        .invoice_id
        .clone()
        .or_else(|| info.custom_field.clone())
        .filter(|s| !s.trim().is_empty());
    let related = info
        .paypal_reference_id
        .as_ref()
        .filter(|r| r.as_str() != id)
        .map(|r| {
            SourceRef::new(
                Provider::PayPal,
                reference_kind(info.paypal_reference_id_type.as_ref()),
                r.as_str(),
            )
        });
    let base = label(&class, &amount);
    let text = match info
        .transaction_subject
        .as_deref()
        .or(reference.as_deref())
        .filter(|s| !s.trim().is_empty())
    {
        Some(s) => format!("{base}: {s}"),
        None => base,
    };
    out.lines.push(StatementLine {
        source: src.clone(),
        booked_at: info.transaction_initiation_date,
        amount,
        balance_after: gross_balance,
        event_code: code.to_owned(),
        class: class.clone(),
        counterparty: counterparty.clone(),
        text,
        reference: reference.clone(),
        related: related.clone(),
    });
    if let Some(f) = fee {
        let text = if f.is_negative() {
            format!("PayPal fee {code}")
        } else {
            format!("PayPal fee refunded {code}")
        };
        out.lines.push(StatementLine {
            source: src,
            booked_at: info.transaction_initiation_date,
            amount: f,
            balance_after: running.filter(|b| b.currency() == f.currency()),
            event_code: code.to_owned(),
            class: StatementClass::Fee,
            counterparty,
            text,
            reference,
            related,
        });
    }
    out
}

/// Drops repeated transactions, so no transaction is booked twice.
///
/// Records are the same transaction when they share the transaction id and the currency of
/// the amount (both sides of a conversion may share an id; they differ in currency).
/// An exact repeat (an overlapping window, a re-read page) is dropped. When the same id
/// comes as a balance-affecting and a non-balance-affecting record (PayPal documents that
/// this happens), the balance-affecting one is kept. When two different balance-affecting
/// records share an id, the first is kept and the other reported for review, with its amount.
pub fn dedupe_transactions(
    records: Vec<TransactionDetail>,
) -> (Vec<TransactionDetail>, Vec<ReviewItem>) {
    let mut kept: Vec<TransactionDetail> = Vec::with_capacity(records.len());
    let mut index: HashMap<(String, Currency), usize> = HashMap::new();
    let mut review = Vec::new();
    // Only whether the record moves money decides which copy is kept: PayPal leaves
    // `ending_balance` empty whenever optional query parameters are sent, so nothing may
    // depend on it.
    let score = |d: &TransactionDetail| (is_balance_affecting(d),);
    for record in records {
        let info = &record.transaction_info;
        let key = (
            info.transaction_id.as_str().to_owned(),
            info.transaction_amount.currency(),
        );
        match index.get(&key) {
            None => {
                index.insert(key, kept.len());
                kept.push(record);
            }
            Some(&i) => {
                let old = &kept[i];
                if same_record(old, &record) {
                    continue;
                }
                let (new_score, old_score) = (score(&record), score(old));
                if new_score > old_score {
                    kept[i] = record;
                } else if new_score == old_score && new_score.0 {
                    review.push(
                        ReviewItem::new(
                            Provider::PayPal,
                            ReviewReason::AmountMismatch,
                            format!(
                                "transaction id appears twice with different content ({} and {}); only the first is booked",
                                old.transaction_info.transaction_event_code,
                                info.transaction_event_code
                            ),
                        )
                        .with_source(source(info.transaction_id.as_str()))
                        .with_amount(info.transaction_amount),
                    );
                }
            }
        }
    }
    (kept, review)
}

/// Whether two copies are the same record: equal but for `ending_balance`, which PayPal
/// fills or leaves empty depending on the query parameters sent.
fn same_record(a: &TransactionDetail, b: &TransactionDetail) -> bool {
    let strip = |d: &TransactionDetail| {
        let mut d = d.clone();
        d.transaction_info.ending_balance = None;
        d
    };
    a == b || strip(a) == strip(b)
}

/// Pairs the two sides of each currency conversion (class [`StatementClass::Conversion`]):
/// lines that refer to the same original transaction (or, without a reference, are booked
/// at the same moment), one out of a currency and one into another. Each side's `related`
/// then points at the other side and both texts say `Currency conversion 10.00 EUR → 112.20
/// SEK`. A side without a counterpart stays as it is and is reported for review.
pub fn pair_conversions(lines: &mut [StatementLine]) -> Vec<ReviewItem> {
    let (pairs, unpaired) = conversion_pairs(lines);
    let review = unpaired
        .into_iter()
        .map(|i| {
            ReviewItem::new(
                Provider::PayPal,
                ReviewReason::AmountMismatch,
                "currency conversion without its other side in the period",
            )
            .with_source(lines[i].source.clone())
            .with_amount(lines[i].amount)
        })
        .collect();
    for (o, j) in pairs {
        let text = format!(
            "Currency conversion {} → {}",
            lines[o].amount.negated(),
            lines[j].amount
        );
        let (src_o, src_j) = (lines[o].source.clone(), lines[j].source.clone());
        lines[o].related = Some(src_j);
        lines[j].related = Some(src_o);
        lines[o].text.clone_from(&text);
        lines[j].text = text;
    }
    review
}

/// The pairs (out of one currency, into another) of `lines`' conversions,
/// and the sides left without a counterpart, in line order. Each step looks
/// its candidates up by id or by group, never by scanning every conversion
/// of the month: a month of 100,000 conversions pairs in linear time.
fn conversion_pairs(lines: &[StatementLine]) -> (Vec<(usize, usize)>, Vec<usize>) {
    let conversions: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].class == StatementClass::Conversion)
        .collect();
    let is_pair = |o: usize, j: usize| {
        lines[o].amount.is_negative()
            && !lines[j].amount.is_negative()
            && lines[j].amount.currency() != lines[o].amount.currency()
    };
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &conversions {
        by_id.entry(&*lines[i].source.id).or_default().push(i);
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut done: BTreeSet<usize> = BTreeSet::new();
    // Sides that point at each other (`paypal_reference_id` of one is the other's id).
    for &o in &conversions {
        let Some(r) = &lines[o].related else {
            continue;
        };
        if done.contains(&o) {
            continue;
        }
        let candidates = by_id.get(&*r.id).map_or(&[][..], Vec::as_slice);
        if let Some(&j) = candidates
            .iter()
            .find(|&&j| !done.contains(&j) && (is_pair(o, j) || is_pair(j, o)))
        {
            let (out, into) = if lines[o].amount.is_negative() {
                (o, j)
            } else {
                (j, o)
            };
            pairs.push((out, into));
            done.extend([o, j]);
        }
    }
    // Sides that refer to the same original transaction, or (without a reference) are
    // booked at the same moment.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in conversions.iter().filter(|i| !done.contains(i)) {
        let l = &lines[i];
        let key = match &l.related {
            Some(r) => format!("ref:{}", r.id),
            None => format!("at:{}", l.booked_at.unix_timestamp()),
        };
        groups.entry(key).or_default().push(i);
    }
    let mut unpaired = Vec::new();
    for members in groups.values() {
        // Each side out of a currency takes the first side into another
        // currency not yet taken, in line order: the sides into each
        // currency wait in a queue of their own, so a group of many
        // conversions in one second is not scanned again for each.
        let mut into: BTreeMap<Currency, VecDeque<usize>> = BTreeMap::new();
        for &j in members.iter().filter(|&&j| !lines[j].amount.is_negative()) {
            into.entry(lines[j].amount.currency())
                .or_default()
                .push_back(j);
        }
        for &o in members.iter().filter(|&&i| lines[i].amount.is_negative()) {
            let from = lines[o].amount.currency();
            let first = into
                .iter_mut()
                .filter(|(c, queue)| **c != from && !queue.is_empty())
                .min_by_key(|(_, queue)| queue.front().copied())
                .and_then(|(_, queue)| queue.pop_front());
            match first {
                Some(j) => pairs.push((o, j)),
                None => unpaired.push(o),
            }
        }
        unpaired.extend(into.into_values().flatten());
    }
    unpaired.sort_unstable();
    (pairs, unpaired)
}

/// The balances of a `balances` answer, by currency: the balance the transaction lines
/// move, which is the **available** balance.
///
/// PayPal's `total_balance` is "the sum of all the other balances", withheld money
/// included (`reporting_transactions_v1.json`, `balance_detail.total_balance` and
/// `withheld_balance`). Hold events (T1105, T1110, T1111, T15xx, T21xx) only move money between
/// available and withheld, yet they come as lines; against `total_balance` a month with
/// an open hold would never reconcile. So the statement is the available balance, and
/// hold lines (class [`StatementClass::Hold`]) carry the money to and from the withheld
/// part, which journal-mapping books on a reserve account of its own. Where PayPal leaves
/// out `available_balance` (it is optional) it is `total_balance − withheld_balance`, and
/// `total_balance` when neither is given.
pub fn balances_by_currency(balances: &BalancesResponse) -> BTreeMap<Currency, Money> {
    balances
        .balances
        .iter()
        .map(|b| {
            let available = b
                .available_balance
                .filter(|a| a.currency() == b.currency)
                .or_else(|| {
                    b.withheld_balance
                        .and_then(|w| b.total_balance.checked_sub(&w).ok())
                })
                .unwrap_or(b.total_balance);
            (b.currency, available)
        })
        .collect()
}

/// One [`Statement`] per currency from `lines`, with the opening and closing balances
/// given, and the balance check: opening + Σ lines = closing, to the minor unit, else a
/// [`ReviewItem`] ([`ReviewReason::AmountMismatch`]) with the difference. A currency that
/// has lines but no reported balance gets a review item saying its lines were not
/// reconciled. Lines are ordered by booking time (PayPal's order within a second).
pub fn build_statements(
    account: &SourceRef,
    lines: Vec<StatementLine>,
    opening: &BTreeMap<Currency, Money>,
    closing: &BTreeMap<Currency, Money>,
    complete: bool,
) -> StatementBatch {
    let mut by_currency: BTreeMap<Currency, Vec<StatementLine>> = BTreeMap::new();
    let currencies: BTreeSet<Currency> = opening
        .keys()
        .chain(closing.keys())
        .copied()
        .chain(lines.iter().map(|l| l.amount.currency()))
        .collect();
    for c in &currencies {
        by_currency.insert(*c, Vec::new());
    }
    for l in lines {
        by_currency.entry(l.amount.currency()).or_default().push(l);
    }
    let mut batch = StatementBatch::default();
    for (currency, mut lines) in by_currency {
        lines.sort_by_key(|l| l.booked_at);
        let statement = Statement {
            account: account.clone(),
            currency,
            opening: opening.get(&currency).copied(),
            closing: closing.get(&currency).copied(),
            lines,
            complete,
        };
        match statement.unexplained() {
            Ok(Some(diff)) if diff.is_zero() => {}
            Ok(Some(diff)) => {
                let moved = Money::sum(currency, statement.lines.iter().map(|l| &l.amount))
                    .unwrap_or_else(|_| Money::zero(currency));
                let (o, c) = (
                    statement.opening.unwrap_or_else(|| Money::zero(currency)),
                    statement.closing.unwrap_or_else(|| Money::zero(currency)),
                );
                batch.review.push(
                    ReviewItem::new(
                        Provider::PayPal,
                        ReviewReason::AmountMismatch,
                        format!(
                            "{currency} balance does not reconcile: opening {o} + lines {moved} ≠ closing {c} reported by PayPal"
                        ),
                    )
                    .with_source(account.clone())
                    .with_amount(diff.negated()),
                );
            }
            Ok(None) if !statement.lines.is_empty() => batch.review.push(
                ReviewItem::new(
                    Provider::PayPal,
                    ReviewReason::Other,
                    format!("{currency} has lines but PayPal reported no opening or closing balance; the lines are not reconciled"),
                )
                .with_source(account.clone()),
            ),
            Ok(None) => {}
            Err(e) => batch.review.push(
                ReviewItem::new(Provider::PayPal, ReviewReason::Currency, e.to_string())
                    .with_source(account.clone()),
            ),
        }
        batch.statements.push(statement);
    }
    batch
}

/// The whole way from searched transactions and the balances at both ends of the period to
/// statements: de-duplication, lines, conversion pairs, and the balance check.
///
/// A currency missing from a balances answer while the other answer or the lines have it
/// counts as zero there (PayPal lists only the currencies the account holds). When
/// `complete` is false (PayPal's data ended before the period did) a review item says so.
pub fn statements_from_transactions(
    account: &SourceRef,
    transactions: Vec<TransactionDetail>,
    opening: &BalancesResponse,
    closing: &BalancesResponse,
    complete: bool,
) -> StatementBatch {
    let (records, mut review) = dedupe_transactions(transactions);
    let mut lines = Vec::new();
    for r in &records {
        let n = transaction_lines(r);
        lines.extend(n.lines);
        review.extend(n.review);
    }
    review.extend(pair_conversions(&mut lines));
    let mut opening = balances_by_currency(opening);
    let mut closing = balances_by_currency(closing);
    let all: BTreeSet<Currency> = opening
        .keys()
        .chain(closing.keys())
        .copied()
        .chain(lines.iter().map(|l| l.amount.currency()))
        .collect();
    for c in all {
        opening.entry(c).or_insert_with(|| Money::zero(c));
        closing.entry(c).or_insert_with(|| Money::zero(c));
    }
    let mut batch = build_statements(account, lines, &opening, &closing, complete);
    if !complete {
        review.push(
            ReviewItem::new(
                Provider::PayPal,
                ReviewReason::Incomplete,
                "PayPal's data is not yet complete for the whole period (last_refreshed_datetime is earlier than its end); fetch the period again later",
            )
            .with_source(account.clone()),
        );
    }
    review.append(&mut batch.review);
    batch.review = review;
    batch
}
