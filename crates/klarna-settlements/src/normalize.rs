//! Klarna payouts and transactions into bookkeeping-core records.
//!
//! Each transaction becomes one [`SettlementLine`] in the payout currency:
//!
//! | Klarna `type` | line kind | sign of `net` |
//! |---|---|---|
//! | `SALE` | `Charge` | + |
//! | `RETURN` | `Refund` | − |
//! | `REVERSAL` | `Dispute` (withheld on the disputed receivable; [`crate::disputes`] makes it a lost dispute) | − |
//! | `REVERSAL_MERCHANT_PROTECTION` | `Dispute` (Klarna's merchant protection credits it back) | + |
//! | `FEE` | `Fee` (gross 0, one [`Fee`] with its VAT) | − |
//! | `FEE_REFUND` | `Fee` (a negative fee) | + |
//! | `TAX` | `Fee` (all of it VAT on Klarna's fees) | − |
//! | `CORRECTION` of a fee (`…FEE_CORRECTION…`) | `Fee` (a negative fee) | as sent |
//! | other `CORRECTION` | `Adjustment` | as sent |
//! | `COMMISSION`, `CREDIT` | `Adjustment` | + |
//! | `COMMISSION` reversed (negative, or `COMMISSION_RETURN…`) | `Adjustment` | − |
//! | `CHARGE` | `Adjustment` | − |
//! | `HOLDBACK` | `ReserveHeld` | − |
//! | `RELEASE` | `ReserveReleased` | + |
//! | unknown | `Unknown(type)` and a review item | as sent |
//!
//! Klarna reports amounts as magnitudes; the direction comes from the type
//! (a negative amount is read by its magnitude too), except for corrections
//! and unknown types, whose sign is kept. The signs are those of Klarna's
//! settlement formula
//! (<https://docs.klarna.com/payments/after-payments/settlements/settlement-files/>):
//! `REVERSAL_MERCHANT_PROTECTION` is "credited by Klarna for merchant
//! protection" and reduces `total_reversal_amount`, so a protected fraud case
//! nets to zero; commission reversals are subtracted
//! (`− total_commission_reversal_amount`).
//!
//! Rows that belong to no order (holdback, release, charges,
//! `CASH_ADVANCE_*`, `LIABILITY_TRANSFER`) may carry `""` for `order_id`,
//! `capture_id` and `purchase_country`; their lines have no related order.
//! A `SALE` or `RETURN` line's related record is the sale of its capture
//! day, by the id Klarna's sales report gives it
//! ([`crate::report::parse_sales_report`]); other lines name the order.
//!
//! Dates: a payout's `arrival_date` (the date the bank account, BAS 1930, is
//! debited in the journal) is the Stockholm date of `payout_date`. Klarna
//! says crediting "usually takes one banking day" after the payout date, so
//! the bank statement may show it a banking day later (a payout on the last
//! day of a month then reaches the bank in the next month); bank matching is
//! by `payment_reference`, not by date. Debt movements that have no
//! transaction of their own (`repay_amount`, `deposit_amount`,
//! `tax_refund_amount`) become `Transfer` / `Fee` lines from the totals.
//!
//! VAT on fees: when a payout has `TAX` transactions, they carry the VAT and
//! fee lines carry none; otherwise a fee's `vat_amount` is added to the fee
//! (Klarna's `fee_amount` excludes VAT and `tax_amount` is deducted on top)
//! and recorded as the fee's VAT. Whether that VAT is deductible is the
//! accountant's call (journal-mapping's fee VAT policy).
//!
//! The lines of a payout sum to `settlement_amount` to the öre, or the
//! payout carries a [`ReviewItem`] saying which totals disagree with the
//! transactions. Nothing is dropped: a transaction that cannot become a line
//! (another currency, malformed) is a review item with its amount.

use std::collections::{BTreeMap, HashMap, HashSet};

use bookkeeping_core::{
    Currency, Fee, FeeKind, Money, Payout as CorePayout, PayoutRecord, PayoutStatus, Provider,
    ReviewItem, ReviewReason, SettlementKind, SettlementLine, SourceRef, stockholm_date,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::models::{DetailedType, Payout, Totals, Transaction, TransactionType};
use provider_http::Listed;

/// A normalized payout and what needs review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NormalizedPayout {
    /// The payout with its lines; `None` only when its currency has no known
    /// minor unit (a review item says so).
    pub payout: Option<CorePayout>,
    /// Items that need review: unknown types, malformed transactions,
    /// totals that do not reconcile.
    pub review: Vec<ReviewItem>,
}

impl NormalizedPayout {
    /// Whether the lines explain the payout to the öre.
    pub fn reconciles(&self) -> bool {
        self.payout
            .as_ref()
            .and_then(|p| p.unexplained().ok())
            .is_some_and(|d| d.is_zero())
    }

    /// The payout (if any) and the review items, as source records.
    pub fn into_records(self) -> Vec<PayoutRecord> {
        self.payout
            .map(PayoutRecord::Payout)
            .into_iter()
            .chain(self.review.into_iter().map(PayoutRecord::Review))
            .collect()
    }
}

/// A sale Klarna settled whose sales document (with VAT) must come from the
/// shop's own report (e.g. Shopify orders), matched by `order_id` or the
/// merchant reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExpectedSale {
    /// Klarna's order.
    pub order: SourceRef,
    /// The shop's order number (`merchant_reference1`), when set.
    pub merchant_reference: Option<String>,
    /// The second merchant reference, when set.
    pub merchant_reference2: Option<String>,
    /// The captured amount, VAT included.
    pub amount: Money,
    /// When it was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub captured_at: OffsetDateTime,
    /// The payout that settled it.
    pub payment_reference: Option<String>,
}

/// The sales behind `SALE` transactions: Klarna's settlement data carries no
/// sales VAT, so these are matched against the shop's report. A transaction
/// in a currency without a known minor unit is left out here (normalizing its
/// payout already flags it).
pub fn expected_sales<'a>(
    transactions: impl IntoIterator<Item = &'a Transaction>,
) -> Vec<ExpectedSale> {
    transactions
        .into_iter()
        .filter(|t| t.transaction_type == TransactionType::Sale)
        .filter_map(|t| {
            Some(ExpectedSale {
                order: SourceRef::new(
                    Provider::Klarna,
                    "order",
                    t.order_id
                        .as_ref()
                        .map_or_else(|| t.key(), |o| o.to_string()),
                ),
                merchant_reference: t.merchant_reference1.clone(),
                merchant_reference2: t.merchant_reference2.clone(),
                amount: Money::from_minor_units(t.amount.abs(), t.currency_code).ok()?,
                captured_at: t.capture_date,
                payment_reference: t.payment_reference.as_ref().map(|p| p.to_string()),
            })
        })
        .collect()
}

/// The totals a transaction counts towards, by name.
const SALE: &str = "sale_amount";
const RETURN: &str = "return_amount";
const REVERSAL: &str = "reversal_amount";
const FEE: &str = "fee_amount";
const FEE_CORRECTION: &str = "fee_correction_amount";
const FEE_REFUND: &str = "fee_refund_amount";
const TAX: &str = "tax_amount";
const COMMISSION: &str = "commission_amount";
const COMMISSION_REVERSAL: &str = "commission_reversal_amount";
const CHARGE: &str = "charge_amount";
const CREDIT: &str = "credit_amount";
const HOLDBACK: &str = "holdback_amount";
const RELEASE: &str = "release_amount";

fn total_named(totals: &Totals, name: &str) -> Option<i64> {
    match name {
        SALE => Some(totals.sale_amount),
        RETURN => Some(totals.return_amount),
        REVERSAL => Some(totals.reversal_amount),
        FEE => Some(totals.fee_amount),
        FEE_CORRECTION => totals.fee_correction_amount,
        FEE_REFUND => totals.fee_refund_amount,
        TAX => totals.tax_amount,
        COMMISSION => Some(totals.commission_amount),
        COMMISSION_REVERSAL => totals.commission_reversal_amount,
        CHARGE => totals.charge_amount,
        CREDIT => totals.credit_amount,
        HOLDBACK => Some(totals.holdback_amount),
        RELEASE => Some(totals.release_amount),
        _ => None,
    }
}

const COMPARED: [&str; 13] = [
    SALE,
    RETURN,
    REVERSAL,
    FEE,
    FEE_CORRECTION,
    FEE_REFUND,
    TAX,
    COMMISSION,
    COMMISSION_REVERSAL,
    CHARGE,
    CREDIT,
    HOLDBACK,
    RELEASE,
];

fn fee_kind(detailed: Option<&DetailedType>) -> FeeKind {
    match detailed {
        None => FeeKind::Processing,
        Some(DetailedType::DisputeFee | DetailedType::DisputeFeeRefund) => FeeKind::Dispute,
        Some(d)
            if matches!(
                d,
                DetailedType::PurchaseFeePercentage
                    | DetailedType::PurchaseFeeFixed
                    | DetailedType::PurchaseFeePercentageRefund
                    | DetailedType::PercentageFees
                    | DetailedType::FeeRefund
            ) || d.is_fee_correction() =>
        {
            FeeKind::Processing
        }
        Some(d) => FeeKind::Other(d.as_str().to_ascii_lowercase()),
    }
}

struct Builder<'a> {
    payout: &'a Payout,
    currency: Currency,
    payout_ref: SourceRef,
    lines: Vec<SettlementLine>,
    review: Vec<ReviewItem>,
    /// Minor units per total name, as the transactions add up.
    sums: BTreeMap<&'static str, i64>,
    keys: HashMap<String, u32>,
    /// Every line id given so far in this payout.
    ids: HashSet<String>,
}

impl Builder<'_> {
    fn money(&self, minor: i64) -> Money {
        // The currency was checked when the builder was made.
        Money::from_minor_units(minor, self.currency).unwrap_or_else(|_| Money::zero(self.currency))
    }

    fn count(&mut self, total: &'static str, minor: i64) {
        // Saturating: a sum beyond an `i64` (only a flood of lines at the
        // bound reaches it) disagrees with every total, which is reviewed.
        let sum = self.sums.entry(total).or_insert(0);
        *sum = sum.saturating_add(minor);
    }

    /// A movement that is one settlement line of `gross`, without fees,
    /// counted as its magnitude toward the payout's `total`.
    fn movement(
        &mut self,
        t: &Transaction,
        total: &'static str,
        kind: SettlementKind,
        gross: i64,
        description: String,
    ) {
        self.count(total, gross.abs());
        self.push(t, kind, gross, None, description);
    }

    /// `{payment_reference}/{key}`, numbered `#2`, `#3`… when the key
    /// repeats. The key is made of the provider's ids, which are not
    /// checked: a capture id `x#2` beside two of `x` would make the same id
    /// twice, and the second line would pass for one already booked. A
    /// number whose id was given already is skipped.
    fn unique_id(&mut self, key: String) -> String {
        let base = format!("{}/{}", self.payout.payment_reference, key);
        let n = self.keys.entry(key).or_insert(0);
        loop {
            *n += 1;
            let id = if *n == 1 {
                base.clone()
            } else {
                format!("{base}#{n}")
            };
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        t: &Transaction,
        kind: SettlementKind,
        gross: i64,
        fee: Option<(i64, Option<i64>)>,
        description: String,
    ) {
        let id = self.unique_id(t.key());
        let source = SourceRef::new(Provider::Klarna, "transaction", id);
        let fees: Vec<Fee> = fee
            .map(|(amount, vat)| Fee {
                source: source.clone(),
                provider: Provider::Klarna,
                kind: fee_kind(t.detailed_type.as_ref()),
                amount: self.money(amount),
                vat: vat.map(|v| self.money(v)),
                occurred_at: t.capture_date,
                description: description.clone(),
            })
            .into_iter()
            .collect();
        let fee_total = fee.map_or(0, |(a, _)| a);
        let line = SettlementLine {
            source,
            kind,
            occurred_at: t.capture_date,
            gross: self.money(gross),
            fees,
            net: self.money(gross - fee_total),
            related: related(t),
            reference: t.merchant_reference1.clone(),
            original: None,
            exchange_rate: None,
            description,
        };
        self.lines.push(line);
    }

    fn push_total_line(&mut self, kind: SettlementKind, name: &str, net: i64, description: &str) {
        let fee = matches!(kind, SettlementKind::Fee);
        let source = SourceRef::new(
            Provider::Klarna,
            "payout_total",
            format!("{}/{name}", self.payout.payment_reference),
        );
        let fees = if fee {
            vec![Fee {
                source: source.clone(),
                provider: Provider::Klarna,
                kind: FeeKind::Processing,
                amount: self.money(-net),
                vat: Some(self.money(-net)),
                occurred_at: self.payout.payout_date,
                description: description.to_owned(),
            }]
        } else {
            Vec::new()
        };
        self.lines.push(SettlementLine {
            source,
            kind,
            occurred_at: self.payout.payout_date,
            gross: self.money(if fee { 0 } else { net }),
            fees,
            net: self.money(net),
            related: Some(self.payout_ref.clone()),
            reference: None,
            original: None,
            exchange_rate: None,
            description: description.to_owned(),
        });
    }
}

/// What a transaction's line settles, named as Klarna's sales report names
/// it ([`crate::report::parse_sales_report`]): a `SALE` the sale of its
/// capture day (`order` `{order_id}/{YYYY-MM-DD}`), and a `RETURN` the same
/// (Klarna gives a return no capture id; its `capture_date` is the one
/// date it has for the capture it returns); any other line its order. A
/// line whose day the report has no sale of is found by
/// `merchant_reference1`, as before.
fn related(t: &Transaction) -> Option<SourceRef> {
    let order = t.order_id.as_ref()?.as_str();
    let id = match t.transaction_type {
        TransactionType::Sale | TransactionType::Return => {
            crate::report::capture_document_id(order, t.capture_date)
        }
        _ => order.to_owned(),
    };
    Some(SourceRef::new(Provider::Klarna, "order", id))
}

/// A `COMMISSION` row that takes commission back (Klarna's
/// `− total_commission_reversal_amount`): sent negative, or with a
/// commission-return detailed type.
fn is_commission_reversal(t: &Transaction) -> bool {
    t.amount < 0
        || matches!(
            t.detailed_type,
            Some(DetailedType::CommissionReturn | DetailedType::CommissionReturnGross)
        )
}

fn describe(t: &Transaction) -> String {
    let what = match &t.detailed_type {
        Some(d) => d.as_str().to_ascii_lowercase().replace('_', " "),
        None => t
            .transaction_type
            .as_str()
            .to_ascii_lowercase()
            .replace('_', " "),
    };
    match &t.merchant_reference1 {
        Some(r) => format!("Klarna {what} {r}"),
        None => match t
            .short_order_id
            .as_deref()
            .or(t.order_id.as_ref().map(|o| o.as_str()))
        {
            Some(order) => format!("Klarna {what} {order}"),
            None => format!("Klarna {what}"),
        },
    }
}

/// Normalizes a payout and its transactions (decoded or malformed).
///
/// The result's payout has one line per transaction (see the module docs),
/// plus lines for debt movements that only the totals show. When the lines
/// do not sum to `settlement_amount`, a [`ReviewReason::AmountMismatch`] item
/// names the totals that disagree with the transactions; the lines are kept
/// as they are.
pub fn normalize_payout(payout: &Payout, transactions: &[Listed<Transaction>]) -> NormalizedPayout {
    let currency = payout.currency_code;
    let payout_ref = SourceRef::new(
        Provider::Klarna,
        "payout",
        payout.payment_reference.as_str(),
    );
    let mut review: Vec<ReviewItem> = transactions
        .iter()
        .filter_map(|t| match t {
            Listed::Malformed(m) => Some(m.review()),
            Listed::Item(_) => None,
        })
        .collect();
    let Ok(amount) = Money::from_minor_units(payout.totals.settlement_amount, currency) else {
        review.insert(
            0,
            ReviewItem::new(
                Provider::Klarna,
                ReviewReason::Currency,
                format!(
                    "payout currency {currency} has no known minor unit; \
                     settlement_amount {} (minor units) and its {} transactions are not booked",
                    payout.totals.settlement_amount,
                    transactions.len()
                ),
            )
            .with_source(payout_ref)
            .with_field("currency_code"),
        );
        return NormalizedPayout {
            payout: None,
            review,
        };
    };

    // An amount beyond what kassabok books (`bounds::MAX_AMOUNT`) is not
    // summed or negated, which could leave an `i64` and stop the close: a
    // total beyond it leaves the payout unbooked, a transaction's leaves that
    // transaction out, each with a review item naming the field.
    let bookable = |minor: i64| {
        Money::from_minor_units(minor, currency)
            .is_ok_and(|m| bookkeeping_core::bounds::is_bookable(&m))
    };
    if let Some((field, minor)) = payout
        .totals
        .amounts()
        .into_iter()
        .find_map(|(field, minor)| minor.filter(|m| !bookable(*m)).map(|m| (field, m)))
    {
        review.insert(
            0,
            ReviewItem::new(
                Provider::Klarna,
                ReviewReason::Malformed,
                format!(
                    "totals.{field} {minor} (minor units) is beyond what kassabok books; \
                     the payout and its {} transactions are not booked",
                    transactions.len()
                ),
            )
            .with_source(payout_ref)
            .with_field(format!("totals.{field}")),
        );
        return NormalizedPayout {
            payout: None,
            review,
        };
    }
    let (items, beyond): (Vec<&Transaction>, Vec<&Transaction>) = transactions
        .iter()
        .filter_map(Listed::item)
        .partition(|t| bookable(t.amount) && t.vat_amount.is_none_or(bookable));
    for t in beyond {
        let field = if bookable(t.amount) {
            "vat_amount"
        } else {
            "amount"
        };
        review.push(
            ReviewItem::new(
                Provider::Klarna,
                ReviewReason::Malformed,
                format!(
                    "transaction {field} {} (minor units) is beyond what kassabok books; \
                     not booked as a settlement line",
                    if field == "amount" {
                        t.amount
                    } else {
                        t.vat_amount.unwrap_or_default()
                    }
                ),
            )
            .with_source(SourceRef::new(
                Provider::Klarna,
                "transaction",
                format!("{}/{}", payout.payment_reference, t.key()),
            ))
            .with_field(field),
        );
    }
    let has_tax_lines = items
        .iter()
        .any(|t| t.transaction_type == TransactionType::Tax);
    let mut b = Builder {
        payout,
        currency,
        payout_ref: payout_ref.clone(),
        lines: Vec::with_capacity(items.len() + 2),
        review,
        sums: BTreeMap::new(),
        keys: HashMap::new(),
        ids: HashSet::new(),
    };

    for t in &items {
        if t.currency_code != currency {
            let mut item = ReviewItem::new(
                Provider::Klarna,
                ReviewReason::Currency,
                format!(
                    "transaction in {} in a {currency} payout is not booked as a settlement line",
                    t.currency_code
                ),
            )
            .with_source(SourceRef::new(
                Provider::Klarna,
                "transaction",
                format!("{}/{}", payout.payment_reference, t.key()),
            ))
            .with_field("currency_code");
            if let Ok(m) = Money::from_minor_units(t.amount, t.currency_code) {
                item = item.with_amount(m);
            }
            b.review.push(item);
            continue;
        }
        if let Some(d) = t.detailed_type.as_ref().filter(|d| d.is_unknown()) {
            b.review.push(
                ReviewItem::new(
                    Provider::Klarna,
                    ReviewReason::UnknownType,
                    format!(
                        "detailed_type {:?} is not known; booked by its type {}",
                        d.as_str(),
                        t.transaction_type
                    ),
                )
                .with_source(SourceRef::new(
                    Provider::Klarna,
                    "transaction",
                    format!("{}/{}", payout.payment_reference, t.key()),
                ))
                .with_field("detailed_type")
                .with_amount(b.money(t.amount)),
            );
        }
        let m = t.amount.abs();
        let s = t.amount;
        let vat = if has_tax_lines { None } else { t.vat_amount };
        let vat_abs = vat.map(i64::abs);
        let description = describe(t);
        match &t.transaction_type {
            TransactionType::Sale => b.movement(t, SALE, SettlementKind::Charge, m, description),
            TransactionType::Return => {
                b.movement(t, RETURN, SettlementKind::Refund, -m, description)
            }
            TransactionType::Reversal => {
                b.movement(t, REVERSAL, SettlementKind::Dispute, -m, description)
            }
            TransactionType::ReversalMerchantProtection => {
                // A credit to the merchant that reduces total_reversal_amount.
                b.count(REVERSAL, -m);
                b.push(t, SettlementKind::Dispute, m, None, description);
            }
            TransactionType::Fee => {
                b.count(FEE, m);
                let v = vat_abs.unwrap_or(0);
                b.count(TAX, v);
                b.push(
                    t,
                    SettlementKind::Fee,
                    0,
                    Some((m + v, vat_abs)),
                    description,
                );
            }
            TransactionType::FeeRefund => {
                b.count(FEE_REFUND, m);
                let v = vat_abs.unwrap_or(0);
                b.count("tax_refund_amount", v);
                b.push(
                    t,
                    SettlementKind::Fee,
                    0,
                    Some((-(m + v), vat_abs.map(|v| -v))),
                    description,
                );
            }
            TransactionType::Tax => {
                b.count(TAX, m);
                b.push(t, SettlementKind::Fee, 0, Some((m, Some(m))), description);
            }
            TransactionType::Correction
                if t.detailed_type
                    .as_ref()
                    .is_some_and(DetailedType::is_fee_correction) =>
            {
                b.count(FEE_CORRECTION, s);
                b.push(t, SettlementKind::Fee, 0, Some((-s, None)), description);
            }
            TransactionType::Correction => {
                b.count("correction", s);
                b.push(t, SettlementKind::Adjustment, s, None, description);
            }
            TransactionType::Commission if is_commission_reversal(t) => b.movement(
                t,
                COMMISSION_REVERSAL,
                SettlementKind::Adjustment,
                -m,
                description,
            ),
            TransactionType::Commission => {
                b.movement(t, COMMISSION, SettlementKind::Adjustment, m, description)
            }
            TransactionType::Credit => {
                b.movement(t, CREDIT, SettlementKind::Adjustment, m, description)
            }
            TransactionType::Charge => {
                b.movement(t, CHARGE, SettlementKind::Adjustment, -m, description)
            }
            TransactionType::Holdback => {
                b.movement(t, HOLDBACK, SettlementKind::ReserveHeld, -m, description)
            }
            TransactionType::Release => {
                b.movement(t, RELEASE, SettlementKind::ReserveReleased, m, description)
            }
            TransactionType::Unknown(other) => {
                b.count("unknown", s);
                let key = t.key();
                b.push(
                    t,
                    SettlementKind::Unknown(other.clone()),
                    s,
                    None,
                    description,
                );
                let money = b.money(s);
                b.review.push(
                    ReviewItem::new(
                        Provider::Klarna,
                        ReviewReason::UnknownType,
                        format!(
                            "transaction type {other:?} is not known; booked as sent, to suspense"
                        ),
                    )
                    .with_source(SourceRef::new(
                        Provider::Klarna,
                        "transaction",
                        format!("{}/{key}", payout.payment_reference),
                    ))
                    .with_field("type")
                    .with_amount(money),
                );
            }
        }
    }

    // Debt movements that only the totals show.
    let totals = &payout.totals;
    if totals.repay_amount != 0 {
        b.push_total_line(
            SettlementKind::Transfer,
            "repay_amount",
            -totals.repay_amount.abs(),
            "Klarna debt repaid from payout",
        );
    }
    if let Some(deposit) = totals.deposit_amount.filter(|d| *d != 0) {
        b.push_total_line(
            SettlementKind::Transfer,
            "deposit_amount",
            deposit.abs(),
            "Klarna debt increased (payout shortfall)",
        );
    }
    let tax_refund_seen = b.sums.get("tax_refund_amount").copied().unwrap_or(0);
    if let Some(tax_refund) = totals.tax_refund_amount.filter(|t| *t != 0)
        && tax_refund_seen == 0
    {
        b.push_total_line(
            SettlementKind::Fee,
            "tax_refund_amount",
            tax_refund.abs(),
            "VAT on Klarna fees refunded",
        );
    }

    let lines_total = b
        .lines
        .iter()
        .try_fold(0i64, |acc, l| acc.checked_add(l.net.to_minor_units().ok()?));
    if lines_total != Some(totals.settlement_amount) {
        let message = mismatch_message(&b, lines_total);
        b.review.push(
            ReviewItem::new(Provider::Klarna, ReviewReason::AmountMismatch, message)
                .with_source(payout_ref.clone())
                .with_field("totals.settlement_amount")
                .with_amount(
                    lines_total
                        .and_then(|l| totals.settlement_amount.checked_sub(l))
                        .map_or(amount, |d| b.money(d)),
                ),
        );
    }

    let Builder { lines, review, .. } = b;
    NormalizedPayout {
        payout: Some(CorePayout {
            source: payout_ref,
            provider: Provider::Klarna,
            status: PayoutStatus::Paid,
            created_at: payout.payout_date,
            arrival_date: stockholm_date(payout.payout_date),
            amount,
            bank_reference: Some(payout.payment_reference.to_string()),
            failed_at: None,
            lines,
        }),
        review,
    }
}

fn mismatch_message(b: &Builder<'_>, lines_total: Option<i64>) -> String {
    let totals = &b.payout.totals;
    let fmt = |minor: i64| b.money(minor).amount().to_string();
    let cur = b.currency;
    let mut parts = Vec::new();
    match lines_total {
        Some(l) => parts.push(format!(
            "the transactions sum to {} {cur} but settlement_amount is {} {cur} (difference {} {cur})",
            fmt(l),
            fmt(totals.settlement_amount),
            totals
                .settlement_amount
                .checked_sub(l)
                .map_or_else(|| "beyond an i64".to_owned(), fmt),
        )),
        None => parts.push("the lines cannot be summed".to_owned()),
    }
    let mut disagree = Vec::new();
    for name in COMPARED {
        let seen = b.sums.get(name).copied().unwrap_or(0);
        match total_named(totals, name) {
            Some(total) if total.abs() != seen.abs() => disagree.push(format!(
                "{name} {} vs transactions {}",
                fmt(total),
                fmt(seen)
            )),
            None if seen != 0 => {
                disagree.push(format!("{name} not reported vs transactions {}", fmt(seen)))
            }
            _ => {}
        }
    }
    if disagree.is_empty() {
        parts.push("no single total disagrees with the transactions".to_owned());
    } else {
        parts.push(format!("totals that disagree: {}", disagree.join(", ")));
    }
    match totals.expected_settlement() {
        Some(e) if e != totals.settlement_amount => parts.push(format!(
            "the totals themselves give {} {cur}, not settlement_amount",
            fmt(e)
        )),
        _ => {}
    }
    parts.join("; ")
}
