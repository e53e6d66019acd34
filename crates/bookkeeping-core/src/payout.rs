//! Payouts (settlements) and the lines and fees behind them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{Currency, Money, MoneyError, Provider, SourceRef};

/// Where a payout is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PayoutStatus {
    /// Scheduled, not yet sent.
    Pending,
    /// Sent, not yet arrived.
    InTransit,
    /// Arrived at the bank.
    Paid,
    /// The bank rejected it; the money went back to the provider balance.
    Failed,
    /// Cancelled before it was sent.
    Canceled,
    /// A status kassabok does not know, kept as the provider wrote it.
    Unknown(String),
}

/// What a settlement line is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SettlementKind {
    /// A customer payment (charge, capture, sale).
    Charge,
    /// Money returned to a customer.
    Refund,
    /// A chargeback or dispute: funds withdrawn.
    Dispute,
    /// A dispute won: funds returned.
    DisputeReversal,
    /// A fee charged on its own line (not withheld from a charge).
    Fee,
    /// A correction by the provider.
    Adjustment,
    /// Money held back as a reserve or holdback.
    ReserveHeld,
    /// A reserve released.
    ReserveReleased,
    /// A currency conversion.
    Conversion,
    /// A transfer to or from another balance or account (including a payout
    /// reversal or a top-up).
    Transfer,
    /// The money of a payout that failed or was cancelled, back on the
    /// provider's balance (Stripe's `payout_failure` and `payout_cancel`
    /// balance transactions). `arrival_date` is the failed payout's: a close
    /// of a month that ended before the failure booked that payout's transfer
    /// to the bank (the payout stood as paid then), so a line dated after
    /// that month books the money back from the bank; otherwise the transfer
    /// was never booked and the line only moves the money within the
    /// provider's clearing account.
    PayoutReturned {
        /// The day the failed payout was to arrive at the bank.
        arrival_date: Date,
    },
    /// A type kassabok does not know, kept as the provider wrote it; mapping
    /// books it to suspense with a review item.
    Unknown(String),
}

/// What kind of fee a provider charged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeeKind {
    /// Payment processing (card, Klarna, PayPal transaction fee).
    Processing,
    /// A dispute or chargeback fee.
    Dispute,
    /// A subscription (Shopify plan, Stripe Billing).
    Subscription,
    /// An app or add-on (Radar, Shopify apps).
    App,
    /// A payout or transfer fee.
    Payout,
    /// A currency conversion fee.
    Currency,
    /// Freight bought through the provider (a Shopify Shipping label): a
    /// transport cost, not a payment fee.
    Shipping,
    /// Something else, with the provider's word for it.
    Other(String),
}

/// A fee a provider charged, with the VAT it charged on it, if any.
///
/// `amount` is what the fee cost in total, VAT included, as a positive number
/// (a refunded fee is negative); `vat` is the part of it that is VAT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// The provider object the fee comes from.
    pub source: SourceRef,
    /// The provider that charged it.
    pub provider: Provider,
    /// What kind of fee.
    pub kind: FeeKind,
    /// Total cost, VAT included (positive; negative when refunded).
    pub amount: Money,
    /// The VAT included in `amount`, when the provider charged VAT.
    pub vat: Option<Money>,
    /// When it was charged.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The provider's description.
    pub description: String,
}

impl Fee {
    /// The fee excluding VAT.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when the VAT is in another currency.
    pub fn net_of_vat(&self) -> Result<Money, MoneyError> {
        match &self.vat {
            Some(v) => self.amount.checked_sub(v),
            None => Ok(self.amount),
        }
    }
}

/// One line of a payout: a charge, refund, fee… with its gross, the fees
/// withheld from it, and the net that reached the payout, in the payout's
/// currency.
///
/// Invariant: `net = gross − Σ fees.amount` (see [`SettlementLine::check`]).
/// A fee charged on its own line has `gross` zero and the fee in `fees`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementLine {
    /// The provider object (balance transaction, settlement transaction).
    pub source: SourceRef,
    /// What the line is.
    pub kind: SettlementKind,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The amount before fees (negative for money out, such as refunds).
    pub gross: Money,
    /// Fees withheld on this line, VAT included.
    pub fees: Vec<Fee>,
    /// What the line added to the payout.
    pub net: Money,
    /// The sale, refund or invoice the line settles, when known.
    pub related: Option<SourceRef>,
    /// The order or invoice number people see, for matching when the
    /// provider's object id is not the shop's (Klarna's merchant reference).
    pub reference: Option<String>,
    /// The amount in the original currency, when the provider converted it.
    pub original: Option<Money>,
    /// The provider's exchange rate (payout currency per original unit).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub exchange_rate: Option<Decimal>,
    /// The provider's description.
    pub description: String,
}

impl SettlementLine {
    /// Checks `net = gross − Σ fees`.
    ///
    /// # Errors
    /// [`MoneyError`] on mixed currencies; `Ok(Some(diff))` when the line does
    /// not add up, with `net − (gross − fees)`.
    pub fn check(&self) -> Result<Option<Money>, MoneyError> {
        let fees = Money::sum(self.gross.currency(), self.fees.iter().map(|f| &f.amount))?;
        let expected = self.gross.checked_sub(&fees)?;
        let diff = self.net.checked_sub(&expected)?;
        Ok((!diff.is_zero()).then_some(diff))
    }
}

/// A payout (settlement) from a provider to the bank, with the lines behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// The provider object.
    pub source: SourceRef,
    /// The provider.
    pub provider: Provider,
    /// Status.
    pub status: PayoutStatus,
    /// When the provider created it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The date it arrives (or arrived) at the bank.
    pub arrival_date: Date,
    /// The amount to the bank, in the settlement currency (negative when the
    /// provider debits the bank).
    pub amount: Money,
    /// The reference the bank statement shows, when known.
    pub bank_reference: Option<String>,
    /// When a payout with status [`Failed`](PayoutStatus::Failed) or
    /// [`Canceled`](PayoutStatus::Canceled) failed, when the provider says (the
    /// balance transaction that returned its money). A payout can fail days
    /// after it was paid, so the close of a month that ended before then
    /// books it as it stood then ([`Payout::stopped_by`]); `None` for a
    /// payout that has not failed, or whose failure is not dated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub failed_at: Option<OffsetDateTime>,
    /// The lines behind the payout. Empty when the provider cannot break the
    /// payout down (a Stripe manual payout): a review item says so.
    pub lines: Vec<SettlementLine>,
}

impl Payout {
    /// The settlement currency.
    pub fn currency(&self) -> Currency {
        self.amount.currency()
    }

    /// `Σ lines.net − amount`: zero when the lines explain the payout.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when a line is in another currency.
    pub fn unexplained(&self) -> Result<Money, MoneyError> {
        let lines = Money::sum(self.currency(), self.lines.iter().map(|l| &l.net))?;
        lines.checked_sub(&self.amount)
    }

    /// The review item for a payout its lines do not explain: an
    /// [`AmountMismatch`](crate::ReviewReason::AmountMismatch) carrying
    /// [`unexplained`](Payout::unexplained) (lines minus amount), or a
    /// [`Currency`](crate::ReviewReason::Currency) item when a line is in
    /// another currency; `None` when the lines add up to the amount. Every
    /// provider checks its payouts with this one rule.
    ///
    /// ```
    /// use bookkeeping_core::*;
    /// use time::macros::{date, datetime};
    ///
    /// let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
    /// let payout = Payout {
    ///     source: SourceRef::new(Provider::Stripe, "payout", "po_1"),
    ///     provider: Provider::Stripe,
    ///     status: PayoutStatus::Paid,
    ///     created_at: datetime!(2026-03-02 08:00 UTC),
    ///     arrival_date: date!(2026-03-03),
    ///     amount: sek("100.00"),
    ///     bank_reference: None,
    ///     failed_at: None,
    ///     lines: Vec::new(),
    /// };
    /// let item = payout.unexplained_review().unwrap();
    /// assert_eq!(item.reason, ReviewReason::AmountMismatch);
    /// assert_eq!(item.amount, Some(sek("-100.00")));
    /// ```
    pub fn unexplained_review(&self) -> Option<crate::ReviewItem> {
        use crate::{ReviewItem, ReviewReason};
        let item = match self.unexplained() {
            Ok(diff) if diff.is_zero() => return None,
            Ok(diff) => ReviewItem::new(
                self.provider,
                ReviewReason::AmountMismatch,
                format!(
                    "the payout's {} lines differ from its amount {} by {diff}",
                    self.lines.len(),
                    self.amount
                ),
            )
            .with_amount(diff),
            Err(e) => ReviewItem::new(
                self.provider,
                ReviewReason::Currency,
                format!("the payout's lines are in another currency: {e}"),
            ),
        };
        Some(item.with_source(self.source.clone()))
    }

    /// Whether the payout had failed or been cancelled by the end of `last`
    /// (a Stockholm date): its status is [`Failed`](PayoutStatus::Failed) or
    /// [`Canceled`](PayoutStatus::Canceled) and it failed on or before that
    /// day, or its failure is not dated. A month closed before a paid payout
    /// failed books it as paid, whatever day the close runs.
    ///
    /// ```
    /// use bookkeeping_core::*;
    /// use time::macros::{date, datetime};
    ///
    /// let payout = Payout {
    ///     source: SourceRef::new(Provider::Stripe, "payout", "po_1"),
    ///     provider: Provider::Stripe,
    ///     status: PayoutStatus::Failed,
    ///     created_at: datetime!(2026-01-26 08:00 UTC),
    ///     arrival_date: date!(2026-01-28),
    ///     amount: Money::parse("100.00", Currency::SEK).unwrap(),
    ///     bank_reference: None,
    ///     failed_at: Some(datetime!(2026-02-03 10:00 UTC)),
    ///     lines: Vec::new(),
    /// };
    /// assert!(!payout.stopped_by(date!(2026-01-31)));
    /// assert!(payout.stopped_by(date!(2026-02-28)));
    /// ```
    pub fn stopped_by(&self, last: Date) -> bool {
        matches!(self.status, PayoutStatus::Failed | PayoutStatus::Canceled)
            && self
                .failed_at
                .is_none_or(|at| crate::stockholm_date(at) <= last)
    }

    /// All fees of all lines.
    pub fn fees(&self) -> impl Iterator<Item = &Fee> {
        self.lines.iter().flat_map(|l| l.fees.iter())
    }
}

/// A balance transaction of a period that is in none of the payouts a
/// [`PayoutSource`](crate::PayoutSource) listed for that period: at the
/// period's end it had not been paid out (still pending, available, or paid
/// out later by a payout created after the period).
///
/// Stripe and Shopify Payments state a fee, refund or dispute on the day they
/// charge it, so such a line is booked in its own month whatever payout later
/// carries it; that payout then only moves the money to the bank.
///
/// ```
/// use bookkeeping_core::*;
/// use time::macros::datetime;
///
/// let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
/// let line = BalanceLine {
///     provider: Provider::Stripe,
///     line: SettlementLine {
///         source: SourceRef::new(Provider::Stripe, "balance_transaction", "txn_1"),
///         kind: SettlementKind::Charge,
///         occurred_at: datetime!(2026-03-31 20:00 UTC),
///         gross: sek("100.00"),
///         fees: vec![],
///         net: sek("100.00"),
///         related: None,
///         reference: None,
///         original: None,
///         exchange_rate: None,
///         description: "Payment for Invoice KK-2026-0001".into(),
///     },
/// };
/// assert_eq!(line.line.check(), Ok(None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceLine {
    /// The provider whose balance it moved.
    pub provider: Provider,
    /// The line, as a payout would carry it.
    pub line: SettlementLine,
}

/// A dispute the provider decided against the shop: the money withdrawn when
/// it opened is lost. Providers report this as a dispute's status, not as a
/// settlement line; a client yields it as [`crate::PayoutRecord::DisputeLost`]
/// (Shopify Payments disputes with status `LOST`, dated `finalizedOn`; Stripe
/// disputes closed `lost`, dated by their `charge.dispute.closed` event;
/// Klarna `REVERSAL` settlement transactions that Klarna's merchant
/// protection does not credit back), or the host passes it in when it
/// learns of it.
///
/// ```
/// use bookkeeping_core::*;
/// use time::macros::datetime;
///
/// let lost = DisputeLost {
///     source: SourceRef::new(Provider::Stripe, "dispute", "dp_1"),
///     provider: Provider::Stripe,
///     sale: Some(SourceRef::new(Provider::Stripe, "invoice", "in_1")),
///     decided_at: datetime!(2026-04-08 09:30 UTC),
///     amount: Money::parse("447.00", Currency::SEK).unwrap(),
///     earlier_sale: None,
///     reference: None,
/// };
/// assert_eq!(PayoutRecord::DisputeLost(lost).provider(), Provider::Stripe);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeLost {
    /// The dispute object.
    pub source: SourceRef,
    /// The provider.
    pub provider: Provider,
    /// The sale the dispute concerned, when known.
    pub sale: Option<SourceRef>,
    /// When it was decided.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// The amount lost (positive), in the currency it was withdrawn in.
    pub amount: Money,
    /// The disputed sale itself, when the client fetched it because it was
    /// made before the period the dispute was lost in (a March order
    /// disputed and lost in April). The mapping registers it as an earlier
    /// sale, so that a monthly close reverses that sale's revenue and VAT
    /// without the sales of its month; it is never booked again. A close
    /// also fills it in for a dispute that names its sale only by
    /// [`reference`](Self::reference) (a Klarna reversal of a Shopify
    /// order), from the sales source that has that document number. `None`
    /// when the sale is of the same period (the period's sales carry it) or
    /// could not be fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier_sale: Option<Box<crate::Sale>>,
    /// The order or invoice number people see, when the provider names the
    /// sale by it rather than by an object of the sales source (Klarna's
    /// merchant reference of an order the shop sold through Shopify): the
    /// mapping finds the sale by it when `sale` is not one it knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}
