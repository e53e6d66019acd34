//! Sales and refunds: what the shop sold, with VAT per line, and how it was paid.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::text::Text;
use crate::{CountryCode, Currency, Money, MoneyError, Provider, SourceRef};

/// A VAT rate in percent (`25`, `12`, `6`, `0`, or a foreign OSS rate such as `19`).
///
/// Stored as a percentage, never a fraction, so `25` can never be confused with `0.25`.
///
/// ```
/// use bookkeeping_core::VatRate;
/// use rust_decimal::Decimal;
///
/// let r = VatRate::from_percent(Decimal::from(25));
/// assert_eq!(r.to_string(), "25%");
/// assert_eq!(r.fraction(), Decimal::new(25, 2));
/// // Written as text; another program's `"25.00"` reads as the same rate.
/// assert_eq!(serde_json::to_string(&r)?, r#""25""#);
/// assert_eq!(serde_json::from_str::<VatRate>(r#""25.00""#)?, r);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VatRate(#[serde(with = "normalized")] Decimal);

// Compared as the numbers they are, as `Decimal` compares them, with a short
// way for the usual case: a rate is held without trailing zeros, so the
// rates in use (25, 12, 6) have the same scale, and at one scale the
// mantissas order as the numbers do. (A voucher's lines are kept by role,
// and the roles of sales and VAT hold a rate: `Decimal`'s general comparison
// was 2 % of the instructions of a Shopify order page's pipeline.)
impl Ord for VatRate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self.0.scale() == other.0.scale() {
            self.0.mantissa().cmp(&other.0.mantissa())
        } else {
            self.0.cmp(&other.0)
        }
    }
}

impl PartialOrd for VatRate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for VatRate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for VatRate {}

impl std::hash::Hash for VatRate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // `Decimal`'s hash: equal numbers hash alike, whatever their scale.
        self.0.hash(state);
    }
}

/// A rate's percent as text, read without its trailing zeros: `"25.00"`
/// written by another program is the rate `25` as [`VatRate::from_percent`]
/// makes it, shown `25%` in texts and written back as `"25"`.
mod normalized {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str::serialize(d, s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        rust_decimal::serde::str::deserialize(d).map(|r: Decimal| r.normalize())
    }
}

impl VatRate {
    /// No VAT.
    pub const ZERO: VatRate = VatRate(Decimal::ZERO);

    /// A rate given in percent (`25` for 25 %). Trailing zeros are dropped, so
    /// `25.00` and `25` are the same rate.
    pub fn from_percent(percent: Decimal) -> Self {
        VatRate(percent.normalize())
    }

    /// A rate given as a fraction (`0.25` for 25 %), as some providers send it.
    ///
    /// # Panics
    /// When `fraction` × 100 is beyond what a `Decimal` holds; for a
    /// provider's number use [`VatRate::checked_from_fraction`].
    pub fn from_fraction(fraction: Decimal) -> Self {
        Self::checked_from_fraction(fraction).expect("a fraction × 100 that a Decimal holds")
    }

    /// [`VatRate::from_fraction`], or `None` when `fraction` × 100 is beyond
    /// what a `Decimal` holds (a provider's number is input).
    ///
    /// ```
    /// use bookkeeping_core::VatRate;
    /// use rust_decimal::Decimal;
    ///
    /// assert_eq!(VatRate::checked_from_fraction(Decimal::new(25, 2)), Some(VatRate::from_percent(25.into())));
    /// assert_eq!(VatRate::checked_from_fraction(Decimal::MAX), None);
    /// ```
    pub fn checked_from_fraction(fraction: Decimal) -> Option<Self> {
        fraction
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|p| VatRate(p.normalize()))
    }

    /// The rate in percent.
    pub fn percent(&self) -> Decimal {
        self.0
    }

    /// The rate as a fraction (`0.25`).
    pub fn fraction(&self) -> Decimal {
        // A hundredth is the same digits two places further right: no
        // division (once for every sale line mapped), but where that would
        // pass `Decimal`'s 28 places.
        if self.0.is_zero() {
            return Decimal::ZERO;
        }
        let mut fraction = self.0;
        match fraction.set_scale(self.0.scale() + 2) {
            // Without trailing zeros, as the division gives it (`1`, not `1.00`).
            Ok(()) => fraction.normalize(),
            Err(_) => self.0 / Decimal::ONE_HUNDRED,
        }
    }

    /// Whether the rate is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Whether the rate is one of Sweden's: 25, 12 or 6 % (mervärdesskattelagen
    /// 9 kap.; 0 % is not a rate but no VAT).
    ///
    /// ```
    /// use bookkeeping_core::VatRate;
    ///
    /// assert!(VatRate::from_percent(12.into()).is_swedish());
    /// assert!(!VatRate::from_percent(19.into()).is_swedish());
    /// ```
    pub fn is_swedish(&self) -> bool {
        // A rate is held without trailing zeros: 25 % is the integer 25.
        self.0.scale() == 0 && matches!(self.0.mantissa(), 25 | 12 | 6)
    }
}

/// How the VAT on sales to consumers in other EU countries is reported: a
/// fact about the shop (its OSS registration), not about a sale, so every
/// provider's sales are read with the same one. A rate alone does not say it:
/// 25 % is Sweden's rate and Denmark's and Croatia's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EuConsumerVat {
    /// The shop is registered for One-Stop-Shop: the buyer country's VAT
    /// ([`TaxTreatment::EuOss`]). The default: Shopify charges the
    /// destination's VAT once OSS is set up.
    Oss,
    /// Below the EU threshold: Swedish VAT ([`TaxTreatment::EuB2cSwedishVat`]).
    SwedishVat,
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl fmt::Debug for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// How a line is taxed, which decides the sales and VAT accounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaxTreatment {
    /// Swedish VAT on a sale in Sweden (25, 12 or 6 %).
    Domestic,
    /// Exempt from VAT (momsfri), e.g. some services; no VAT.
    Exempt,
    /// Goods exported outside the EU; no Swedish VAT.
    ExportOutsideEu,
    /// To a business in another EU country with a valid VAT number: the buyer
    /// accounts for VAT (omvänd skattskyldighet).
    EuB2bReverseCharge,
    /// To a consumer in another EU country, under the €10,000 threshold, with Swedish VAT.
    EuB2cSwedishVat,
    /// To a consumer in another EU country under the One-Stop-Shop scheme: the
    /// buyer country's VAT, kept out of the Swedish VAT return.
    EuOss {
        /// The buyer's country, whose VAT applies.
        country: CountryCode,
    },
    /// The provider's data does not say enough to decide; a review item goes with it.
    Undetermined {
        /// Why it could not be decided.
        reason: String,
    },
}

/// What a sales line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LineKind {
    /// Goods.
    Goods,
    /// Services.
    Service,
    /// Shipping charged to the customer.
    Shipping,
    /// A gift card sold: a liability, not revenue (a multi-purpose voucher).
    GiftCard,
    /// A tip to the shop.
    Tip,
    /// A discount not already spread over the lines (negative amounts).
    Discount,
    /// Anything else (fees charged to the customer, adjustments).
    Other,
}

/// One line of a sale or a refund: net amount, VAT, rate and treatment, in the
/// document's currency. For a refund the amounts are what is given back, as
/// positive numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    /// What the line is.
    pub kind: LineKind,
    /// A short description (product title, "Frakt"): a [`Text`], held in
    /// place when short, as most are (`"Varor 25%"`).
    pub description: Text,
    /// Amount excluding VAT.
    pub net: Money,
    /// The VAT on the line.
    pub vat: Money,
    /// The VAT rate, when the provider gave one.
    pub vat_rate: Option<VatRate>,
    /// How the line is taxed.
    pub treatment: TaxTreatment,
}

impl SaleLine {
    /// `net + vat`.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when the two are in different currencies.
    pub fn gross(&self) -> Result<Money, MoneyError> {
        self.net.checked_add(&self.vat)
    }
}

/// Who settled a payment, as far as kassabok can tell from the gateway name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "provider", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentChannel {
    /// A provider that kassabok integrates; its payouts settle the payment.
    Provider(Provider),
    /// A gift card redeemed: it reduces the gift-card liability.
    GiftCard,
    /// A gateway kassabok does not integrate (manual, Swish, bank transfer,
    /// invoice): its own report is needed to book the money.
    External,
}

/// A payment that settled (part of) a sale or a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The gateway as the shop named it (`shopify_payments`, `Klarna`, `manual`).
    pub gateway: Text,
    /// Who settles it.
    pub channel: PaymentChannel,
    /// The amount paid (positive; for a refund, the amount paid back).
    pub amount: Money,
    /// The payment's id at the shop or gateway, for matching with settlements.
    pub reference: Option<Text>,
    /// When it was processed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub processed_at: Option<OffsetDateTime>,
}

/// The customer facts that decide VAT.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// The country goods were shipped to (or the billing country for services).
    pub country: Option<CountryCode>,
    /// The customer's VAT number, when a business gave one.
    pub vat_number: Option<String>,
}

/// A sale: an order or an invoice, with lines by VAT rate and treatment.
///
/// ```
/// use bookkeeping_core::*;
/// use rust_decimal::Decimal;
/// use time::macros::datetime;
///
/// let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
/// let sale = Sale {
///     source: SourceRef::new(Provider::Shopify, "order", "gid://shopify/Order/1001"),
///     document_number: "#1001".into(),
///     occurred_at: datetime!(2026-03-02 10:15 UTC),
///     currency: Currency::SEK,
///     lines: vec![SaleLine {
///         kind: LineKind::Goods,
///         description: "Kaffe 500 g".into(),
///         net: sek("80.00"),
///         vat: sek("20.00"),
///         vat_rate: Some(VatRate::from_percent(Decimal::from(25))),
///         treatment: TaxTreatment::Domestic,
///     }],
///     customer: Customer { country: Some(CountryCode::SE), vat_number: None },
///     payments: vec![],
///     test: false,
/// };
/// assert_eq!(sale.total()?, sek("100.00"));
/// # Ok::<(), bookkeeping_core::MoneyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    /// The provider object.
    pub source: SourceRef,
    /// The document number people see (order name `#1001`, invoice number).
    pub document_number: Text,
    /// When the sale happened (Shopify's `processedAt`, the invoice's finalization).
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The currency of the amounts (the shop's currency).
    pub currency: Currency,
    /// The lines.
    pub lines: Vec<SaleLine>,
    /// Customer country and VAT number.
    pub customer: Customer,
    /// Payments that settled it.
    pub payments: Vec<Payment>,
    /// A test order (Shopify's `test`, Stripe test mode): never booked.
    pub test: bool,
}

/// A refund of (part of) a sale: lines given back, positive amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The provider object (the refund, credit note).
    pub source: SourceRef,
    /// The sale it refunds.
    pub sale: SourceRef,
    /// The document number (credit-note number, or the order name).
    pub document_number: Text,
    /// When the refund happened.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The currency.
    pub currency: Currency,
    /// What is given back, per line, as positive amounts.
    pub lines: Vec<SaleLine>,
    /// Customer facts of the original sale.
    pub customer: Customer,
    /// The money paid back and through which gateway.
    pub payments: Vec<Payment>,
    /// When the sale it refunds happened, when the provider says (a Shopify
    /// order's `processedAt`, the date a Stripe invoice was issued): a refund
    /// of an earlier period corrects that period's OSS return, and the sale
    /// itself is not among a later period's records. `None` when unknown.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub sale_occurred_at: Option<OffsetDateTime>,
}

fn lines_total(currency: Currency, lines: &[SaleLine]) -> Result<Money, MoneyError> {
    lines.iter().try_fold(Money::zero(currency), |acc, l| {
        acc.checked_add(&l.net)?.checked_add(&l.vat)
    })
}

impl Sale {
    /// The total of all lines, VAT included.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when a line is in another currency.
    pub fn total(&self) -> Result<Money, MoneyError> {
        lines_total(self.currency, &self.lines)
    }
}

impl Refund {
    /// The total given back, VAT included.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when a line is in another currency.
    pub fn total(&self) -> Result<Money, MoneyError> {
        lines_total(self.currency, &self.lines)
    }
}
