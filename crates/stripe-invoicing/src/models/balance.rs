//! `balance_transaction`: every movement of the Stripe balance.

use bookkeeping_core::Currency;
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use super::{Charge, Dispute, Refund, decimal_number_opt};
use crate::ids::BalanceTransactionId;

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeDetail {
    /// Positive when a fee is charged, in minor units of `currency`.
    pub amount: i64,
    /// The Connect application that took it, if any.
    #[serde(default)]
    pub application: Option<String>,
    /// The settlement currency.
    pub currency: Currency,
    /// Stripe's text, e.g. `Stripe processing fees`.
    #[serde(default)]
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
    Charge(Box<Charge>),
    /// A refund.
    Refund(Box<Refund>),
    /// A dispute.
    Dispute(Box<Dispute>),
    /// Another object (`payout`, `transfer`, `application_fee`, …).
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
            TransactionSource::Id(id) | TransactionSource::Other { id, .. } => id,
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
            TransactionSource::Other { object, .. } => Some(object),
        }
    }
}

impl<'de> Deserialize<'de> for TransactionSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if let serde_json::Value::String(id) = value {
            return Ok(TransactionSource::Id(id));
        }
        let object = value
            .get("object")
            .and_then(|o| o.as_str())
            .ok_or_else(|| D::Error::custom("source has no `object` field"))?
            .to_owned();
        let inner = |e: serde_json::Error| D::Error::custom(format!("{object} source: {e}"));
        Ok(match object.as_str() {
            "charge" => TransactionSource::Charge(serde_json::from_value(value).map_err(inner)?),
            "refund" => TransactionSource::Refund(serde_json::from_value(value).map_err(inner)?),
            "dispute" => TransactionSource::Dispute(serde_json::from_value(value).map_err(inner)?),
            _ => {
                let id = value
                    .get("id")
                    .and_then(|i| i.as_str())
                    .ok_or_else(|| D::Error::custom("source has no `id`"))?
                    .to_owned();
                TransactionSource::Other { object, id }
            }
        })
    }
}

impl Serialize for TransactionSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TransactionSource::Id(id) | TransactionSource::Other { id, .. } => s.serialize_str(id),
            TransactionSource::Charge(c) => c.serialize(s),
            TransactionSource::Refund(r) => r.serialize(s),
            TransactionSource::Dispute(d) => d.serialize(s),
        }
    }
}

/// A balance transaction (`GET /v1/balance_transactions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default, deserialize_with = "decimal_number_opt")]
    pub exchange_rate: Option<Decimal>,
    /// When it was created.
    #[serde(with = "time::serde::timestamp")]
    pub created: OffsetDateTime,
    /// When the funds become available.
    #[serde(default, with = "time::serde::timestamp::option")]
    pub available_on: Option<OffsetDateTime>,
    /// Whether the funds are available.
    #[serde(default)]
    pub status: Option<BalanceTransactionStatus>,
    /// Stripe's text.
    #[serde(default)]
    pub description: Option<String>,
    /// The object it comes from.
    #[serde(default)]
    pub source: Option<TransactionSource>,
    /// `payments`, `issuing`, … (new in 2025).
    #[serde(default)]
    pub balance_type: Option<String>,
}
