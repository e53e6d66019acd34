//! `balance_transaction`: every movement of the Stripe balance.

use std::fmt;

use bookkeeping_core::Currency;
use rust_decimal::Decimal;
use serde::de::{self, Error as _, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use provider_http::decimal::OptionalNumber;
use provider_http::fields::FieldKey;
use provider_http::scan::{Declined, Scan, Scannable, Scanner};

use super::{Charge, ChargeStatus, Dispute, DisputeStatus, Loose, ObjectRef, Refund};
use crate::ids::{BalanceTransactionId, ChargeId, DisputeId, RefundId};

provider_http::open_enum! {
    provider: "Stripe",
    /// What a balance transaction is for accounting; Stripe recommends this
    /// field, not `type`, for bookkeeping.
    pub enum ReportingCategory {
        /// A customer payment.
        Charge => "charge",
        /// A refund to a customer.
        Refund => "refund",
        /// A Stripe fee on its own line (Billing, Radar, …).
        Fee => "fee",
        /// A payout to the bank.
        Payout => "payout",
        /// A payout that failed or was cancelled, returning the money.
        PayoutReversal => "payout_reversal",
        /// Funds withdrawn for a dispute.
        Dispute => "dispute",
        /// Funds returned after a dispute was won.
        DisputeReversal => "dispute_reversal",
        /// A charge that failed after it was credited.
        ChargeFailure => "charge_failure",
        /// A refund that failed, returning the money.
        RefundFailure => "refund_failure",
        /// The uncaptured part of a charge released.
        PartialCaptureReversal => "partial_capture_reversal",
        /// Any other adjustment by Stripe.
        OtherAdjustment => "other_adjustment",
        /// Tax charged by Stripe on its fees.
        Tax => "tax",
        /// Money added to the balance from a bank account.
        Topup => "topup",
        /// A top-up reversed.
        TopupReversal => "topup_reversal",
        /// A transfer to a connected account.
        Transfer => "transfer",
        /// A transfer reversed.
        TransferReversal => "transfer_reversal",
        /// Application fees earned by a Connect platform.
        PlatformEarning => "platform_earning",
        /// Application fees refunded by a Connect platform.
        PlatformEarningRefund => "platform_earning_refund",
        /// Funds held or released for a connected account.
        ConnectReservedFunds => "connect_reserved_funds",
        /// Funds held or released as a risk reserve.
        RiskReservedFunds => "risk_reserved_funds",
        /// Money collected from a connected account by the platform.
        ConnectCollectionTransfer => "connect_collection_transfer",
        /// Stripe Capital advance.
        Advance => "advance",
        /// Stripe Capital advance funding.
        AdvanceFunding => "advance_funding",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// Stripe's own type of a balance transaction (finer than the reporting category).
    pub enum BalanceTransactionType {
        /// A card charge.
        Charge => "charge",
        /// A payment by another method.
        Payment => "payment",
        /// A refund of a charge.
        Refund => "refund",
        /// A refund of a payment.
        PaymentRefund => "payment_refund",
        /// An adjustment (disputes, dispute reversals, corrections).
        Adjustment => "adjustment",
        /// A payout.
        Payout => "payout",
        /// A payout that failed.
        PayoutFailure => "payout_failure",
        /// A payout that was cancelled.
        PayoutCancel => "payout_cancel",
        /// A Stripe fee on its own line.
        StripeFee => "stripe_fee",
        /// A currency-conversion fee.
        StripeFxFee => "stripe_fx_fee",
        /// A Stripe Tax fee.
        TaxFee => "tax_fee",
        /// An application fee (Connect).
        ApplicationFee => "application_fee",
        /// An application fee refunded (Connect).
        ApplicationFeeRefund => "application_fee_refund",
        /// A transfer (Connect).
        Transfer => "transfer",
        /// A reserve movement.
        ReserveTransaction => "reserve_transaction",
        /// Funds placed in reserve.
        ReserveHold => "reserve_hold",
        /// Funds released from reserve.
        ReserveRelease => "reserve_release",
        /// A top-up.
        Topup => "topup",
        /// A refund that failed.
        RefundFailure => "refund_failure",
        /// A failed payment refunded.
        PaymentFailureRefund => "payment_failure_refund",
        /// Minimum balance held back from a payout.
        PayoutMinimumBalanceHold => "payout_minimum_balance_hold",
        /// Minimum balance released.
        PayoutMinimumBalanceRelease => "payout_minimum_balance_release",
        /// A climate contribution.
        Contribution => "contribution",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// The balance a transaction moved (`balance_type`, new in 2025: Stripe's
    /// SDK changelog 82.2.0 lists these four).
    pub enum BalanceType {
        /// The payments balance, which payouts are paid from.
        Payments => "payments",
        /// The Issuing balance.
        Issuing => "issuing",
        /// Funds set aside to cover refunds and disputes.
        RefundAndDisputePrefunding => "refund_and_dispute_prefunding",
        /// Funds held as a risk reserve.
        RiskReserved => "risk_reserved",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// Whether the funds are available yet.
    pub enum BalanceTransactionStatus {
        /// Available.
        Available => "available",
        /// Pending.
        Pending => "pending",
    }
}

provider_http::open_enum! {
    provider: "Stripe",
    /// The kind of a fee in `fee_details`.
    pub enum FeeDetailType {
        /// Stripe's own fee (processing, dispute, Billing, Radar…).
        StripeFee => "stripe_fee",
        /// A Connect platform's application fee.
        ApplicationFee => "application_fee",
        /// Tax (VAT) Stripe charged on its fees.
        Tax => "tax",
        /// A payment-method network fee passed through.
        PaymentMethodPassthroughFee => "payment_method_passthrough_fee",
        /// Tax withheld.
        WithheldTax => "withheld_tax",
    }
}

/// One fee of a balance transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeeDetail {
    /// Positive when a fee is charged, in minor units of `currency`.
    pub amount: i64,
    /// The Connect application that took it, if any.
    pub application: Option<String>,
    /// The settlement currency.
    pub currency: Currency,
    /// Stripe's text, e.g. `Stripe processing fees`.
    pub description: Option<String>,
    /// What kind of fee.
    #[serde(rename = "type")]
    pub fee_type: FeeDetailType,
}

/// The object a balance transaction comes from: its id, or the object when
/// listed with `expand[]=data.source`. Discriminated by the object's `object`
/// field; objects this crate does not model keep their type and id.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TransactionSource {
    /// Not expanded: the id only.
    Id(String),
    /// A charge.
    Charge(Charge),
    /// A refund.
    Refund(Refund),
    /// A dispute.
    Dispute(Dispute),
    /// A payout: the source of a payout's own `payout` transaction and of
    /// the `payout_failure` or `payout_cancel` one that returned its money.
    Payout {
        /// `po_…`.
        id: String,
        /// When the payout was to arrive at the bank (midnight UTC).
        arrival_date: OffsetDateTime,
    },
    /// Another object (`transfer`, `application_fee`, …, or a payout sent
    /// without its `arrival_date`).
    Other {
        /// Its `object` field.
        object: String,
        /// Its id.
        id: String,
    },
}

impl TransactionSource {
    /// The source's id.
    pub fn id(&self) -> &str {
        match self {
            TransactionSource::Id(id)
            | TransactionSource::Other { id, .. }
            | TransactionSource::Payout { id, .. } => id,
            TransactionSource::Charge(c) => c.id.as_str(),
            TransactionSource::Refund(r) => r.id.as_str(),
            TransactionSource::Dispute(d) => d.id.as_str(),
        }
    }

    /// The source's object type, when expanded.
    pub fn object(&self) -> Option<&str> {
        match self {
            TransactionSource::Id(_) => None,
            TransactionSource::Charge(_) => Some("charge"),
            TransactionSource::Refund(_) => Some("refund"),
            TransactionSource::Dispute(_) => Some("dispute"),
            TransactionSource::Payout { .. } => Some("payout"),
            TransactionSource::Other { object, .. } => Some(object),
        }
    }
}

impl<'de> Deserialize<'de> for TransactionSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SourceVisitor)
    }
}

/// Reads a source in one pass over its JSON: the fields a charge, refund or
/// dispute needs are kept loosely typed ([`Loose`]) until the `object` field
/// (which may come anywhere: the sandbox sorts keys, Stripe sends it second)
/// says which of them the object is, then checked as that object's fields.
/// No `Value` tree, and nothing kept of an object this crate does not model
/// but its `object` and `id`.
struct SourceVisitor;

impl<'de> Visitor<'de> for SourceVisitor {
    type Value = TransactionSource;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a source id or an expanded source object")
    }

    fn visit_str<E: de::Error>(self, id: &str) -> Result<Self::Value, E> {
        Ok(TransactionSource::Id(id.to_owned()))
    }

    fn visit_string<E: de::Error>(self, id: String) -> Result<Self::Value, E> {
        Ok(TransactionSource::Id(id))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut f = SourceFields::default();
        while let Some(FieldKey(key)) = map.next_key::<FieldKey<'de>>()? {
            let Some(slot) = f.slot(&key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            // A repeated key: the last one counts, as in a JSON object read whole.
            *slot = Some(map.next_value::<Loose<'de>>()?);
        }
        f.build().map_err(A::Error::custom)
    }
}

/// The fields of a charge, refund or dispute that this crate reads, as sent.
#[derive(Default)]
struct SourceFields<'de> {
    object: Option<Loose<'de>>,
    id: Option<Loose<'de>>,
    amount: Option<Loose<'de>>,
    amount_refunded: Option<Loose<'de>>,
    currency: Option<Loose<'de>>,
    payment_intent: Option<Loose<'de>>,
    status: Option<Loose<'de>>,
    disputed: Option<Loose<'de>>,
    created: Option<Loose<'de>>,
    charge: Option<Loose<'de>>,
    reason: Option<Loose<'de>>,
    arrival_date: Option<Loose<'de>>,
}

/// Why a source's field could not be read: the message of the error.
type FieldError = String;

fn invalid(value: &Loose<'_>, expected: &str) -> FieldError {
    format!("invalid type: {}, expected {expected}", value.unexpected())
}

fn missing(field: &str) -> FieldError {
    format!("missing field `{field}`")
}

fn required<'a, 'de>(v: &'a Option<Loose<'de>>, field: &str) -> Result<&'a Loose<'de>, FieldError> {
    v.as_ref().ok_or_else(|| missing(field))
}

/// An optional field: absent and `null` are `None`.
fn optional<'a, 'de>(v: &'a Option<Loose<'de>>) -> Option<&'a Loose<'de>> {
    v.as_ref().filter(|v| !v.is_null())
}

fn string(v: &Loose<'_>) -> Result<String, FieldError> {
    match v {
        Loose::Str(s) => Ok(s.as_ref().to_owned()),
        other => Err(invalid(other, "a string")),
    }
}

fn integer(v: &Loose<'_>) -> Result<i64, FieldError> {
    match v {
        Loose::Int(i) => Ok(*i),
        Loose::Big(u) => Err(format!("invalid value: integer `{u}`, expected i64")),
        other => Err(invalid(other, "i64")),
    }
}

fn boolean(v: &Loose<'_>) -> Result<bool, FieldError> {
    match v {
        Loose::Bool(b) => Ok(*b),
        other => Err(invalid(other, "a boolean")),
    }
}

fn currency(v: &Loose<'_>) -> Result<Currency, FieldError> {
    match v {
        Loose::Str(s) => Currency::new(s).map_err(|e| e.to_string()),
        other => Err(invalid(other, "a currency code")),
    }
}

fn object_ref(v: &Loose<'_>) -> Result<ObjectRef, FieldError> {
    match v {
        Loose::Str(s) => Ok(ObjectRef(s.as_ref().to_owned())),
        Loose::Object(Some(id)) => Ok(ObjectRef(id.clone())),
        _ => Err("expected an id string or an object with an `id`".to_owned()),
    }
}

fn timestamp(v: &Loose<'_>) -> Result<OffsetDateTime, FieldError> {
    let secs = integer(v)?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| e.to_string())
}

/// Each field of an object, with the field's name on an error.
macro_rules! field {
    ($f:expr, $name:literal, required, $read:expr) => {
        $read(required(&$f, $name)?).map_err(|e| format!("{}: {e}", $name))?
    };
    ($f:expr, $name:literal, optional, $read:expr) => {
        optional(&$f)
            .map($read)
            .transpose()
            .map_err(|e| format!("{}: {e}", $name))?
    };
}

impl<'de> SourceFields<'de> {
    /// The slot of a key this crate reads; `None` for a key it skips.
    fn slot(&mut self, key: &[u8]) -> Option<&mut Option<Loose<'de>>> {
        Some(match key {
            b"object" => &mut self.object,
            b"id" => &mut self.id,
            b"amount" => &mut self.amount,
            b"amount_refunded" => &mut self.amount_refunded,
            b"currency" => &mut self.currency,
            b"payment_intent" => &mut self.payment_intent,
            b"status" => &mut self.status,
            b"disputed" => &mut self.disputed,
            b"created" => &mut self.created,
            b"charge" => &mut self.charge,
            b"reason" => &mut self.reason,
            b"arrival_date" => &mut self.arrival_date,
            _ => return None,
        })
    }

    fn build(self) -> Result<TransactionSource, String> {
        let object = match &self.object {
            Some(Loose::Str(s)) => s.as_ref(),
            _ => return Err("source has no `object` field".to_owned()),
        };
        let result = match object {
            "charge" => self.charge().map(TransactionSource::Charge),
            "refund" => self.refund().map(TransactionSource::Refund),
            "dispute" => self.dispute().map(TransactionSource::Dispute),
            "payout" if self.arrival_date.is_some() => self.payout(),
            _ => {
                return match &self.id {
                    Some(Loose::Str(id)) => Ok(TransactionSource::Other {
                        object: object.to_owned(),
                        id: id.as_ref().to_owned(),
                    }),
                    _ => Err("source has no `id`".to_owned()),
                };
            }
        };
        result.map_err(|e| format!("{object} source: {e}"))
    }

    fn charge(&self) -> Result<Charge, FieldError> {
        Ok(Charge {
            id: ChargeId::new(field!(self.id, "id", required, string)),
            amount: field!(self.amount, "amount", required, integer),
            amount_refunded: field!(self.amount_refunded, "amount_refunded", optional, integer),
            currency: field!(self.currency, "currency", required, currency),
            payment_intent: field!(self.payment_intent, "payment_intent", optional, object_ref),
            status: field!(self.status, "status", optional, |v: &Loose<'_>| match v {
                Loose::Str(s) => Ok(ChargeStatus::from(s.as_ref())),
                other => Err(invalid(other, "a string")),
            }),
            disputed: field!(self.disputed, "disputed", optional, boolean),
            created: field!(self.created, "created", required, timestamp),
        })
    }

    fn refund(&self) -> Result<Refund, FieldError> {
        Ok(Refund {
            id: RefundId::new(field!(self.id, "id", required, string)),
            amount: field!(self.amount, "amount", required, integer),
            currency: field!(self.currency, "currency", required, currency),
            charge: field!(self.charge, "charge", optional, object_ref),
            payment_intent: field!(self.payment_intent, "payment_intent", optional, object_ref),
            reason: field!(self.reason, "reason", optional, string),
            status: field!(self.status, "status", optional, string),
            created: field!(self.created, "created", required, timestamp),
        })
    }

    /// An expanded payout: its id and arrival date (a payout object always
    /// has one; without it the source is kept as [`TransactionSource::Other`]).
    fn payout(&self) -> Result<TransactionSource, FieldError> {
        Ok(TransactionSource::Payout {
            id: field!(self.id, "id", required, string),
            arrival_date: field!(self.arrival_date, "arrival_date", required, timestamp),
        })
    }

    fn dispute(&self) -> Result<Dispute, FieldError> {
        let status = |v: &Loose<'_>| match v {
            Loose::Str(s) => Ok(DisputeStatus::from(s.as_ref())),
            other => Err(invalid(other, "a string")),
        };
        Ok(Dispute {
            id: DisputeId::new(field!(self.id, "id", required, string)),
            amount: field!(self.amount, "amount", required, integer),
            currency: field!(self.currency, "currency", required, currency),
            charge: field!(self.charge, "charge", required, object_ref),
            payment_intent: field!(self.payment_intent, "payment_intent", optional, object_ref),
            reason: field!(self.reason, "reason", optional, string),
            status: field!(self.status, "status", required, status),
            created: field!(self.created, "created", required, timestamp),
        })
    }
}

impl Serialize for TransactionSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TransactionSource::Id(id) | TransactionSource::Other { id, .. } => s.serialize_str(id),
            TransactionSource::Payout { id, arrival_date } => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(3))?;
                map.serialize_entry("id", id)?;
                map.serialize_entry("object", "payout")?;
                map.serialize_entry("arrival_date", &arrival_date.unix_timestamp())?;
                map.end()
            }
            TransactionSource::Charge(c) => c.serialize(s),
            TransactionSource::Refund(r) => r.serialize(s),
            TransactionSource::Dispute(d) => d.serialize(s),
        }
    }
}

/// A balance transaction (`GET /v1/balance_transactions`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceTransaction {
    /// `txn_…`.
    pub id: BalanceTransactionId,
    /// Gross amount in minor units of the settlement currency (negative for
    /// money out).
    pub amount: i64,
    /// Fees, positive when charged.
    pub fee: i64,
    /// `amount - fee`.
    pub net: i64,
    /// The settlement currency.
    pub currency: Currency,
    /// The fees, one per kind.
    #[serde(default)]
    pub fee_details: Vec<FeeDetail>,
    /// For bookkeeping.
    pub reporting_category: ReportingCategory,
    /// Stripe's type.
    #[serde(rename = "type")]
    pub transaction_type: BalanceTransactionType,
    /// Set when the amount was converted: `amount_in_original × exchange_rate
    /// = amount_in_settlement`. A JSON number, kept as a `Decimal` of its
    /// digits; amounts are never recomputed from it.
    pub exchange_rate: Option<Decimal>,
    /// When it was created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// When the funds become available.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub available_on: Option<OffsetDateTime>,
    /// Whether the funds are available.
    pub status: Option<BalanceTransactionStatus>,
    /// Stripe's text.
    pub description: Option<String>,
    /// The object it comes from.
    pub source: Option<TransactionSource>,
    /// Which of the account's balances it moved (new in 2025).
    pub balance_type: Option<BalanceType>,
}

/// A Unix timestamp field.
#[derive(Deserialize)]
struct Timestamp(#[serde(with = "time::serde::timestamp")] OffsetDateTime);

/// A nullable Unix timestamp field.
#[derive(Deserialize)]
struct TimestampOpt(#[serde(with = "time::serde::timestamp::option")] Option<OffsetDateTime>);

// The two objects of every balance-transaction page are not derived: their
// keys are matched as bytes (`provider_http::fields!`; serde's derive validates
// each key as UTF-8 first, a tenth of the page's decoding), with the derive's
// rules (unknown keys skipped, repeated keys refused, the same error texts).

provider_http::fields! {
    FeeDetail {
        amount: b"amount" => required,
        application: b"application" => optional,
        currency: b"currency" => required,
        description: b"description" => optional,
        fee_type: b"type" => required,
    }
}

// The keys in the order Stripe writes them (`id`, `object`, then the rest
// alphabetically: the API reference's example objects, and the type stripe-node
// generates from Stripe's OpenAPI description), so that the scanner finds
// each where it expects it (`provider_http::fields::Keys`).
provider_http::fields! {
    BalanceTransaction {
        id: b"id" => required,
        amount: b"amount" => required,
        available_on: b"available_on" as TimestampOpt => optional,
        balance_type: b"balance_type" => optional,
        created: b"created" as Timestamp => required,
        currency: b"currency" => required,
        description: b"description" => optional,
        exchange_rate: b"exchange_rate" as OptionalNumber => optional,
        fee: b"fee" => required,
        fee_details: b"fee_details" => default,
        net: b"net" => required,
        reporting_category: b"reporting_category" => required,
        source: b"source" => optional,
        status: b"status" => optional,
        transaction_type: b"type" => required,
    }
}

// The scanner's reading (`provider_http::scan`, the fast path of
// `ListPage::decode`) of what the two objects' fields are read through
// (`fields!` writes the objects' own): the same values as the `Deserialize`s
// above, declined wherever those would refuse the input, so that serde reads
// it and says what is wrong.

impl Scannable for Timestamp {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        scan_timestamp(s).map(Timestamp)
    }
}

impl Scannable for TimestampOpt {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        Option::<Timestamp>::scan(s).map(|at| TimestampOpt(at.map(|at| at.0)))
    }
}

impl Scannable for TransactionSource {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        scan_source(s)
    }
}

fn scan_timestamp(s: &mut Scanner<'_>) -> Scan<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(s.i64()?).map_err(|_| Declined)
}

/// A source as [`SourceVisitor`] reads it: an id, or an object whose fields
/// are kept as [`Loose`] values (a repeated key: the last counts) and built
/// by the same [`SourceFields::build`].
fn scan_source(s: &mut Scanner<'_>) -> Scan<TransactionSource> {
    match s.peek()? {
        b'"' => Ok(TransactionSource::Id(s.str()?.into_owned())),
        b'{' => {
            let mut f = SourceFields::default();
            s.object(|s, key| {
                let Some(slot) = f.slot(key) else {
                    return s.skip();
                };
                *slot = Some(scan_loose(s)?);
                Ok(())
            })?;
            f.build().map_err(|_| Declined)
        }
        _ => Err(Declined),
    }
}

/// A value as [`Loose`]'s `Deserialize` reads it; numbers other than plain
/// `i64`s are declined.
fn scan_loose<'a>(s: &mut Scanner<'a>) -> Scan<Loose<'a>> {
    Ok(match s.peek()? {
        b'"' => Loose::Str(s.str()?),
        b'n' => {
            s.null()?;
            Loose::Null
        }
        b't' | b'f' => Loose::Bool(s.bool()?),
        b'{' => {
            let mut id = None;
            s.object(|s, key| {
                if key == b"id" {
                    id = match scan_loose(s)? {
                        Loose::Str(text) => Some(text.into_owned()),
                        _ => None,
                    };
                    Ok(())
                } else {
                    s.skip()
                }
            })?;
            Loose::Object(id)
        }
        b'[' => {
            s.skip()?;
            Loose::Array
        }
        _ => Loose::Int(s.i64()?),
    })
}
