//! Payouts and their balance transactions into [`Payout`]s and settlement lines.

use super::*;

/// Which Stripe invoice each payment (PaymentIntent or charge id) paid, from
/// invoice payments. Used to point settlement lines at their invoices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceLinks {
    /// The invoice, and its id as a [`SourceRef`] holds it (shared by the
    /// settlement lines that point to it, not copied for each).
    by_payment: HashMap<String, (InvoiceId, SourceId)>,
}

impl InvoiceLinks {
    /// No links.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records which invoice `payment` paid (only paid invoice payments count).
    pub fn add(&mut self, payment: &InvoicePayment) {
        if payment.status != InvoicePaymentStatus::Paid {
            return;
        }
        if let Some(reference) = payment.payment.reference() {
            let invoice = payment.invoice.as_str();
            self.by_payment.insert(
                reference.to_owned(),
                (InvoiceId::new(invoice), SourceId::from(invoice)),
            );
        }
    }

    /// The invoice a PaymentIntent or charge paid, if known.
    pub fn invoice_for(&self, payment: &str) -> Option<&InvoiceId> {
        self.by_payment.get(payment).map(|(id, _)| id)
    }

    /// [`invoice_for`](Self::invoice_for) as the reference a settlement
    /// line's `related` holds.
    fn invoice_source(&self, payment: &str) -> Option<SourceRef> {
        self.by_payment
            .get(payment)
            .map(|(_, id)| sref("invoice", id.clone()))
    }

    /// How many payments are linked.
    pub fn len(&self) -> usize {
        self.by_payment.len()
    }

    /// Whether there are no links.
    pub fn is_empty(&self) -> bool {
        self.by_payment.is_empty()
    }
}

impl<'a> FromIterator<&'a InvoicePayment> for InvoiceLinks {
    fn from_iter<I: IntoIterator<Item = &'a InvoicePayment>>(iter: I) -> Self {
        let mut links = InvoiceLinks::new();
        for p in iter {
            links.add(p);
        }
        links
    }
}

/// A payout with its balance transactions (as listed with
/// `payout=po_…`; the payout's own `payout` transaction may be among them),
/// as a [`Payout`] record followed by review items.
///
/// A manual payout (`automatic: false`) has no lines and a
/// [`ReviewReason::NoBreakdown`] item; a payout whose lines do not add up to
/// its amount gets a [`ReviewReason::AmountMismatch`] item with the difference.
pub fn normalize_payout(
    payout: &Payout,
    transactions: &[BalanceTransaction],
    links: &InvoiceLinks,
) -> Vec<PayoutRecord> {
    let mut assembly = PayoutAssembly::new(payout.clone());
    for txn in transactions {
        assembly.add(txn, links);
    }
    assembly.finish()
}

/// [`normalize_payout`] one balance transaction at a time, as the payout's
/// listing hands them on: each becomes its settlement line (or review item)
/// when it arrives, so a payout of tens of thousands of transactions is held
/// as its lines, not as its decoded transactions as well. This is how
/// `StripeSource` normalizes a payout; the records are those
/// [`normalize_payout`] gives for the same transactions.
///
/// ```
/// use stripe_invoicing::models::{BalanceTransaction, Payout};
/// use stripe_invoicing::normalize::{InvoiceLinks, PayoutAssembly, normalize_payout};
/// use bookkeeping_core::PayoutRecord;
///
/// let payout: Payout = serde_json::from_value(serde_json::json!({
///     "id": "po_1", "amount": 9680, "currency": "sek", "arrival_date": 1775001600,
///     "created": 1774828800, "automatic": true, "balance_transaction": "txn_po",
///     "failure_balance_transaction": null, "failure_code": null, "failure_message": null,
///     "status": "paid", "reconciliation_status": "completed"
/// }))?;
/// let charge: BalanceTransaction = serde_json::from_value(serde_json::json!({
///     "id": "txn_1", "amount": 10000, "fee": 320, "net": 9680, "currency": "sek",
///     "reporting_category": "charge", "type": "charge", "exchange_rate": null,
///     "created": 1774742400, "available_on": 1774915200, "status": "available",
///     "description": "Order #1001", "source": "ch_1",
///     "fee_details": [{"amount": 320, "application": null, "currency": "sek",
///                      "description": "Stripe processing fees", "type": "stripe_fee"}]
/// }))?;
/// let links = InvoiceLinks::new();
/// let mut assembly = PayoutAssembly::new(payout.clone());
/// assembly.add(&charge, &links); // or `add_owned(charge, …)`, without copying its texts
/// let records = assembly.finish();
/// assert_eq!(records, normalize_payout(&payout, &[charge], &links));
/// let Some(PayoutRecord::Payout(p)) = records.first() else { panic!() };
/// assert_eq!(p.lines.len(), 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug)]
pub struct PayoutAssembly {
    payout: Payout,
    source: SourceRef,
    /// The payout's amount; `None` when its currency is not one we know (the
    /// payout is then a single review item, already in `reviews`).
    amount: Option<Money>,
    status: CorePayoutStatus,
    lines: Vec<SettlementLine>,
    reviews: Vec<ReviewItem>,
}

impl PayoutAssembly {
    /// Starts the payout's records.
    pub fn new(payout: Payout) -> Self {
        let source = sref("payout", payout.id.as_str());
        let mut reviews = Vec::new();
        let amount = match money(payout.amount, payout.currency) {
            Ok(m) => Some(m),
            Err(e) => {
                reviews.push(currency_review(&source, &e));
                None
            }
        };
        let status = match &payout.status {
            PayoutStatus::Pending => CorePayoutStatus::Pending,
            PayoutStatus::InTransit => CorePayoutStatus::InTransit,
            PayoutStatus::Paid => CorePayoutStatus::Paid,
            PayoutStatus::Failed => CorePayoutStatus::Failed,
            PayoutStatus::Canceled => CorePayoutStatus::Canceled,
            other => CorePayoutStatus::Unknown(other.as_str().to_owned()),
        };
        if amount.is_some() {
            if let CorePayoutStatus::Unknown(status) = &status {
                reviews.push(
                    review(
                        ReviewReason::UnknownType,
                        &source,
                        format!("payout status {status:?} is not known"),
                    )
                    .with_field("status"),
                );
            }
            if payout.automatic {
                match &payout.reconciliation_status {
                    Some(ReconciliationStatus::Completed) | None => {}
                    Some(other) => reviews.push(
                        review(
                            ReviewReason::Incomplete,
                            &source,
                            format!(
                                "reconciliation_status is {:?}: Stripe has not yet settled which transactions the payout contains",
                                other.as_str()
                            ),
                        )
                        .with_field("reconciliation_status"),
                    ),
                }
            }
        }
        PayoutAssembly {
            payout,
            source,
            amount,
            status,
            lines: Vec::new(),
            reviews,
        }
    }

    /// The payout.
    pub fn payout(&self) -> &Payout {
        &self.payout
    }

    /// Adds one of the payout's balance transactions (as listed with
    /// `payout=po_…`; the payout's own `payout` transaction is recognised and
    /// not made a line).
    pub fn add(&mut self, txn: &BalanceTransaction, links: &InvoiceLinks) {
        self.add_owned(txn.clone(), links);
    }

    /// [`add`](Self::add) of a transaction the caller is done with (as
    /// listed, the client's case): its texts and ids move into the line
    /// instead of being copied.
    pub fn add_owned(&mut self, txn: BalanceTransaction, links: &InvoiceLinks) {
        let Some(amount) = self.amount else { return };
        let payout = &self.payout;
        if !payout.automatic {
            return;
        }
        let own = payout.balance_transaction.as_ref().map(|r| r.as_str());
        if Some(txn.id.as_str()) == own || is_payout_itself(&txn, payout) {
            if Some(txn.amount) != payout.amount.checked_neg() || txn.currency != payout.currency {
                self.reviews.push(
                    review(
                        ReviewReason::AmountMismatch,
                        &self.source,
                        format!(
                            "the payout's own balance transaction {} is {} {} but the payout is {}",
                            txn.id, txn.amount, txn.currency, amount
                        ),
                    )
                    .with_amount(amount),
                );
            }
            return;
        }
        if txn.currency != payout.currency {
            self.reviews.push(
                review(
                    ReviewReason::Currency,
                    &sref("balance_transaction", txn.id.as_str()),
                    format!(
                        "balance transaction in {} inside a payout in {}: not booked as a line of it",
                        txn.currency, payout.currency
                    ),
                )
                .with_field("currency"),
            );
            return;
        }
        let (line, mut r) = settlement_line_of(txn, links);
        self.reviews.append(&mut r);
        if let Some(line) = line {
            self.lines.push(line);
        }
    }

    /// The payout record and its review items.
    pub fn finish(self) -> Vec<PayoutRecord> {
        let Some(amount) = self.amount else {
            return self.reviews.into_iter().map(PayoutRecord::Review).collect();
        };
        let payout = self.payout;
        let mut reviews = self.reviews;
        if !payout.automatic {
            reviews.push(
                review(
                    ReviewReason::NoBreakdown,
                    &self.source,
                    "manual payout: Stripe cannot say which balance transactions it contains; \
                     reconcile it against the Stripe balance by hand",
                )
                .with_amount(amount),
            );
        }
        let core = CorePayout {
            source: self.source,
            provider: STRIPE,
            status: self.status,
            created_at: payout.created,
            arrival_date: stockholm_date(payout.arrival_date),
            amount,
            bank_reference: payout.trace_id.as_ref().and_then(|t| t.value.clone()),
            failed_at: failed_at(&payout),
            lines: self.lines,
        };
        if payout.automatic {
            reviews.extend(core.unexplained_review());
        }
        std::iter::once(PayoutRecord::Payout(core))
            .chain(reviews.into_iter().map(PayoutRecord::Review))
            .collect()
    }
}

/// When a failed or cancelled payout failed: its `failure_balance_transaction`'s
/// `created`, when the payout was listed with it expanded.
fn failed_at(payout: &Payout) -> Option<time::OffsetDateTime> {
    matches!(payout.status, PayoutStatus::Failed | PayoutStatus::Canceled)
        .then(|| payout.failure_balance_transaction.as_ref()?.created)
        .flatten()
}

fn is_payout_itself(txn: &BalanceTransaction, payout: &Payout) -> bool {
    txn.reporting_category == ReportingCategory::Payout
        && txn
            .source
            .as_ref()
            .is_some_and(|s| s.id() == payout.id.as_str())
}

/// What a balance transaction is as a settlement line.
fn settlement_kind(txn: &BalanceTransaction) -> SettlementKind {
    use BalanceTransactionType as T;
    use ReportingCategory as C;
    match &txn.transaction_type {
        T::ReserveHold | T::PayoutMinimumBalanceHold => return SettlementKind::ReserveHeld,
        T::ReserveRelease | T::PayoutMinimumBalanceRelease => {
            return SettlementKind::ReserveReleased;
        }
        T::StripeFxFee => return SettlementKind::Fee,
        // "If the payout fails or cancels, this is the ID of the balance
        // transaction that reverses the initial balance transaction and
        // returns the funds from the failed payout back in your balance"
        // (docs.stripe.com/api/payouts/object, `failure_balance_transaction`);
        // its source is the payout, expanded with its arrival date.
        T::PayoutFailure | T::PayoutCancel => {
            if let Some(TransactionSource::Payout { arrival_date, .. }) = &txn.source {
                return SettlementKind::PayoutReturned {
                    arrival_date: stockholm_date(*arrival_date),
                };
            }
        }
        _ => {}
    }
    match &txn.reporting_category {
        C::Charge | C::ChargeFailure | C::PartialCaptureReversal => SettlementKind::Charge,
        C::Refund | C::RefundFailure => SettlementKind::Refund,
        C::Dispute => SettlementKind::Dispute,
        C::DisputeReversal => SettlementKind::DisputeReversal,
        C::Fee | C::Tax => SettlementKind::Fee,
        C::OtherAdjustment => SettlementKind::Adjustment,
        C::RiskReservedFunds | C::ConnectReservedFunds => {
            if txn.amount < 0 {
                SettlementKind::ReserveHeld
            } else {
                SettlementKind::ReserveReleased
            }
        }
        C::Payout
        | C::PayoutReversal
        | C::Topup
        | C::TopupReversal
        | C::Transfer
        | C::TransferReversal
        | C::ConnectCollectionTransfer
        | C::Advance
        | C::AdvanceFunding => SettlementKind::Transfer,
        other => SettlementKind::Unknown(other.as_str().to_owned()),
    }
}

/// The kind of a Stripe fee, from the transaction and the fee's description.
fn fee_kind(txn: &BalanceTransaction, description: Option<&str>) -> FeeKind {
    if txn.transaction_type == BalanceTransactionType::StripeFxFee {
        return FeeKind::Currency;
    }
    if matches!(
        txn.reporting_category,
        ReportingCategory::Dispute | ReportingCategory::DisputeReversal
    ) {
        return FeeKind::Dispute;
    }
    let raw = description
        .or(txn.description.as_deref())
        .unwrap_or_default();
    let found = LowerText::new(raw).words();
    if found & (DISPUTE | CHARGEBACK) != 0 {
        FeeKind::Dispute
    } else if found & RADAR != 0 {
        FeeKind::App
    } else if found & (BILLING | INVOICING | SUBSCRIPTION) != 0 {
        FeeKind::Subscription
    } else if txn.transaction_type == BalanceTransactionType::TaxFee || found & STRIPE_TAX != 0 {
        FeeKind::App
    } else if found & CURRENCY_CONVERSION != 0 {
        FeeKind::Currency
    } else if found & PAYOUT != 0 {
        FeeKind::Payout
    } else if matches!(
        txn.reporting_category,
        ReportingCategory::Charge | ReportingCategory::Refund | ReportingCategory::ChargeFailure
    ) {
        FeeKind::Processing
    } else {
        FeeKind::Other(if raw.is_empty() {
            txn.transaction_type.as_str().to_owned()
        } else {
            raw.to_lowercase()
        })
    }
}

/// A description searched as lower case: a short ASCII text (every Stripe
/// fee description seen) lower-cased on the stack, without the `String`
/// `to_lowercase` makes for every fee; any other text through
/// `to_lowercase`, which lower-cases some non-ASCII letters to ASCII ones
/// (the Kelvin sign to `k`).
enum LowerText {
    Short([u8; LowerText::SHORT], usize),
    Lowered(String),
}

impl LowerText {
    const SHORT: usize = 64;

    fn new(text: &str) -> Self {
        let mut short = [0u8; LowerText::SHORT];
        match short.get_mut(..text.len()) {
            Some(buf) if text.is_ascii() => {
                buf.copy_from_slice(text.as_bytes());
                buf.make_ascii_lowercase();
                LowerText::Short(short, text.len())
            }
            _ => LowerText::Lowered(text.to_lowercase()),
        }
    }

    /// The words of a fee's description that decide its kind
    /// ([`fee_kind`]), as bits, found in one pass over the lower-cased text:
    /// each position is compared only with the words that start with its
    /// byte (nine `contains` scans of each description were a third of a
    /// Stripe balance transaction's normalizing, counted in instructions).
    fn words(&self) -> u16 {
        let text = match self {
            LowerText::Short(buf, len) => buf.get(..*len).unwrap_or_default(),
            LowerText::Lowered(text) => text.as_bytes(),
        };
        let mut found = 0;
        for (at, first) in text.iter().enumerate() {
            let words: &[(u16, &[u8])] = match first {
                b'd' => &[(DISPUTE, b"dispute")],
                b'c' => &[
                    (CHARGEBACK, b"chargeback"),
                    (CURRENCY_CONVERSION, b"currency conversion"),
                ],
                b'r' => &[(RADAR, b"radar")],
                b'b' => &[(BILLING, b"billing")],
                b'i' => &[(INVOICING, b"invoicing")],
                b's' => &[(SUBSCRIPTION, b"subscription"), (STRIPE_TAX, b"stripe tax")],
                b'p' => &[(PAYOUT, b"payout")],
                _ => continue,
            };
            let rest = text.get(at..).unwrap_or_default();
            for (bit, word) in words {
                if rest.starts_with(word) {
                    found |= bit;
                }
            }
        }
        found
    }
}

// The words of [`LowerText::words`].
const DISPUTE: u16 = 1;
const CHARGEBACK: u16 = 1 << 1;
const RADAR: u16 = 1 << 2;
const BILLING: u16 = 1 << 3;
const INVOICING: u16 = 1 << 4;
const SUBSCRIPTION: u16 = 1 << 5;
const STRIPE_TAX: u16 = 1 << 6;
const CURRENCY_CONVERSION: u16 = 1 << 7;
const PAYOUT: u16 = 1 << 8;

/// One balance transaction as a settlement line, with review items for
/// whatever is unknown or does not add up. `None` only when its amounts
/// cannot be expressed (a currency without a minor unit); a review item says so.
pub fn settlement_line(
    txn: &BalanceTransaction,
    links: &InvoiceLinks,
) -> (Option<SettlementLine>, Vec<ReviewItem>) {
    settlement_line_of(txn.clone(), links)
}

/// [`settlement_line`] of a transaction the caller is done with: its texts
/// and ids move into the line instead of being copied (the client's path:
/// a payout of 100,000 transactions copied 200,000 strings).
pub(crate) fn settlement_line_of(
    txn: BalanceTransaction,
    links: &InvoiceLinks,
) -> (Option<SettlementLine>, Vec<ReviewItem>) {
    let source = sref("balance_transaction", txn.id.as_str());
    let mut reviews = Vec::new();
    match build_line(txn, links, &source, &mut reviews) {
        Ok(line) => (Some(line), reviews),
        Err(e) => {
            reviews.push(currency_review(&source, &e));
            (None, reviews)
        }
    }
}

fn build_line(
    mut txn: BalanceTransaction,
    links: &InvoiceLinks,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
) -> Result<SettlementLine, MoneyError> {
    let cur = txn.currency;
    let kind = settlement_kind(&txn);
    if let SettlementKind::Unknown(what) = &kind {
        reviews.push(
            review(
                ReviewReason::UnknownType,
                source,
                format!(
                    "reporting category {what:?} (type {:?}) is not one kassabok books on its own",
                    txn.transaction_type.as_str()
                ),
            )
            .with_field("reporting_category")
            .with_amount(money(txn.net, cur)?),
        );
    }
    // Checked: Stripe's integers are whatever the provider sent.
    if txn.amount.checked_sub(txn.fee) != Some(txn.net) {
        reviews.push(
            review(
                ReviewReason::AmountMismatch,
                source,
                format!(
                    "net {} is not amount {} minus fee {}",
                    txn.net, txn.amount, txn.fee
                ),
            )
            .with_field("net"),
        );
    }

    let mut fees = withheld_fees(&mut txn, source, reviews)?;
    let gross = if kind == SettlementKind::Fee {
        // A fee on its own line: gross 0, the whole amount is the fee.
        let text = txn.description.clone().unwrap_or_default();
        let is_tax = txn.reporting_category == ReportingCategory::Tax;
        let amount = money(txn.amount, cur)?.negated();
        fees.insert(
            0,
            Fee {
                source: source.clone(),
                provider: STRIPE,
                kind: fee_kind(&txn, None),
                amount,
                vat: is_tax.then_some(amount),
                occurred_at: txn.created,
                description: text,
            },
        );
        Money::zero(cur)
    } else {
        money(txn.amount, cur)?
    };

    let related = payment_of(txn.source.as_ref()).and_then(|p| links.invoice_source(p));
    let original = match (&txn.exchange_rate, txn.source.as_ref()) {
        (Some(_), Some(src)) => original_amount(src, cur)?,
        _ => None,
    };
    Ok(SettlementLine {
        source: source.clone(),
        kind,
        occurred_at: txn.created,
        gross,
        fees,
        net: money(txn.net, cur)?,
        related,
        reference: txn.source.map(reference),
        original,
        exchange_rate: txn.exchange_rate,
        description: txn.description.unwrap_or_default(),
    })
}

/// The payment id to look a line's invoice up by: the PaymentIntent (or,
/// without one, the charge) a charge, refund or dispute belongs to.
fn payment_of(source: Option<&TransactionSource>) -> Option<&str> {
    let name = crate::models::ObjectRef::as_str;
    match source? {
        TransactionSource::Charge(c) => Some(
            c.payment_intent
                .as_ref()
                .map_or_else(|| c.id.as_str(), name),
        ),
        TransactionSource::Refund(r) => r.payment_intent.as_ref().or(r.charge.as_ref()).map(name),
        TransactionSource::Dispute(d) => Some(name(d.payment_intent.as_ref().unwrap_or(&d.charge))),
        _ => None,
    }
}

/// The matching reference of a line: a charge's payment (as [`payment_of`]),
/// a refund's or dispute's own id, any other source's id.
fn reference(source: TransactionSource) -> String {
    match source {
        TransactionSource::Charge(c) => {
            c.payment_intent.map_or_else(|| c.id.into_string(), |p| p.0)
        }
        TransactionSource::Refund(r) => r.id.into_string(),
        TransactionSource::Dispute(d) => d.id.into_string(),
        TransactionSource::Id(id)
        | TransactionSource::Other { id, .. }
        | TransactionSource::Payout { id, .. } => id,
    }
}

/// The amount in the presentment currency, when it differs from the settlement currency.
fn original_amount(
    src: &TransactionSource,
    settlement: Currency,
) -> Result<Option<Money>, MoneyError> {
    // Money out (a refund, a dispute) is negative; negated as a `Decimal`,
    // which holds any `i64` negated.
    let (minor, currency, out) = match src {
        TransactionSource::Charge(c) => (c.amount, c.currency, false),
        TransactionSource::Refund(r) => (r.amount, r.currency, true),
        TransactionSource::Dispute(d) => (d.amount, d.currency, true),
        _ => return Ok(None),
    };
    if currency == settlement {
        return Ok(None);
    }
    let amount = money(minor, currency)?;
    Ok(Some(if out { amount.negated() } else { amount }))
}

/// The fees withheld from a transaction (`fee_details`), with Stripe's VAT on
/// them folded in. When `fee_details` does not add up to `fee`, one fee of
/// `fee` is used and a review item says so.
fn withheld_fees(
    txn: &mut BalanceTransaction,
    source: &SourceRef,
    reviews: &mut Vec<ReviewItem>,
) -> Result<Vec<Fee>, MoneyError> {
    let (cur, created) = (txn.currency, txn.created);
    // `None` when the details' sum, or their tax's, leaves an `i64`: then
    // they do not add up either.
    let detail_sum = txn
        .fee_details
        .iter()
        .try_fold(0_i64, |sum, d| sum.checked_add(d.amount));
    let tax_sum = txn
        .fee_details
        .iter()
        .filter(|d| d.fee_type == FeeDetailType::Tax)
        .try_fold(0_i64, |sum, d| sum.checked_add(d.amount));
    let fee =
        |kind: FeeKind, minor: i64, vat: Option<i64>, text: String| -> Result<Fee, MoneyError> {
            Ok(Fee {
                source: source.clone(),
                provider: STRIPE,
                kind,
                amount: money(minor, cur)?,
                vat: vat.map(|v| money(v, cur)).transpose()?,
                occurred_at: created,
                description: text,
            })
        };
    if detail_sum != Some(txn.fee)
        || tax_sum.is_none()
        || txn.fee_details.iter().any(|d| d.currency != cur)
    {
        let sum = detail_sum.map_or_else(|| "more than an i64 holds".to_owned(), |s| s.to_string());
        reviews.push(
            review(
                ReviewReason::AmountMismatch,
                source,
                format!(
                    "fee_details add up to {sum} but the fee is {}; booked as one fee",
                    txn.fee
                ),
            )
            .with_field("fee_details"),
        );
        if txn.fee == 0 {
            return Ok(Vec::new());
        }
        return Ok(vec![fee(
            fee_kind(txn, None),
            txn.fee,
            None,
            "Stripe fees".to_owned(),
        )?]);
    }
    // Built as the line's fees straight away: one `Vec`, and each detail's
    // text moved, not copied.
    let tax = tax_sum.unwrap_or_default();
    // Sized exactly: a close holds every line's fees until the period is
    // booked (a million lines at the memory benchmark's scale).
    let own = txn
        .fee_details
        .iter()
        .filter(|d| d.fee_type != FeeDetailType::Tax && d.amount != 0)
        .count();
    let mut fees: Vec<Fee> = Vec::with_capacity(own + usize::from(tax != 0 && own != 1));
    let mut first_minor = 0;
    for i in 0..txn.fee_details.len() {
        let d = &txn.fee_details[i];
        let kind = match &d.fee_type {
            FeeDetailType::Tax => continue,
            FeeDetailType::StripeFee => fee_kind(txn, d.description.as_deref()),
            FeeDetailType::PaymentMethodPassthroughFee => FeeKind::Processing,
            FeeDetailType::ApplicationFee => FeeKind::Other("application_fee".to_owned()),
            FeeDetailType::WithheldTax => FeeKind::Other("withheld_tax".to_owned()),
            other => {
                reviews.push(
                    review(
                        ReviewReason::UnknownType,
                        source,
                        format!("fee type {:?} is not known", other.as_str()),
                    )
                    .with_field(format!("fee_details[{i}].type")),
                );
                FeeKind::Other(other.as_str().to_owned())
            }
        };
        let d = &mut txn.fee_details[i];
        if d.amount != 0 {
            let text = d
                .description
                .take()
                .unwrap_or_else(|| d.fee_type.to_string());
            if fees.is_empty() {
                first_minor = d.amount;
            }
            fees.push(fee(kind, d.amount, None, text)?);
        }
    }
    if tax != 0 {
        // VAT Stripe charged on its fees belongs to the fee it was charged on.
        match fees.as_mut_slice() {
            [only] => {
                let minor = first_minor.checked_add(tax).ok_or(MoneyError::Overflow)?;
                only.amount = money(minor, cur)?;
                only.vat = Some(money(tax, cur)?);
            }
            _ => {
                let kind = fees
                    .first()
                    .map(|f| f.kind.clone())
                    .unwrap_or_else(|| fee_kind(txn, None));
                fees.push(fee(kind, tax, Some(tax), "VAT on Stripe fees".to_owned())?);
            }
        }
    }
    Ok(fees)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words found in one pass are those `contains` finds in the
    /// lower-cased text, for ASCII texts short and long (past the stack
    /// buffer), non-ASCII ones (the Kelvin sign lower-cases to `k`), words
    /// that overlap or repeat, and none.
    #[test]
    fn words_are_found_as_contains_finds_them() {
        const WORDS: [(u16, &str); 9] = [
            (DISPUTE, "dispute"),
            (CHARGEBACK, "chargeback"),
            (RADAR, "radar"),
            (BILLING, "billing"),
            (INVOICING, "invoicing"),
            (SUBSCRIPTION, "subscription"),
            (STRIPE_TAX, "stripe tax"),
            (CURRENCY_CONVERSION, "currency conversion"),
            (PAYOUT, "payout"),
        ];
        let long = format!("{} Instant Payout fee", "x".repeat(LowerText::SHORT));
        let texts = [
            "",
            "Stripe processing fees",
            "Billing - Usage Fee (2026-03-01 - 2026-03-31)",
            "Radar for Fraud Teams",
            "Dispute fee",
            "CHARGEBAC\u{212A} fee",
            "Stripe Tax: calculation",
            "Currency conversion fee",
            "Invoicing Plus",
            "Subscription: Billing Scale",
            "payoutpayoutdisputes",
            "stripe taxradarchargeback – åäö",
            "strip e tax, currencyconversion, pay out",
            &long,
        ];
        for text in texts {
            let lower = text.to_lowercase();
            let expected = WORDS
                .iter()
                .filter(|(_, w)| lower.contains(w))
                .fold(0, |found, (bit, _)| found | bit);
            assert_eq!(LowerText::new(text).words(), expected, "{text:?}");
        }
        assert_eq!(
            LowerText::new("CHARGEBAC\u{212A}").words(),
            CHARGEBACK,
            "the Kelvin sign"
        );
    }
}
