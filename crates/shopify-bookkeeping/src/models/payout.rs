//! Shopify Payments payouts and balance transactions.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::MoneyV2;
use crate::ids::{BalanceTransactionId, OrderId, PayoutId};

provider_http::open_enum! {
    provider: "Shopify",
    /// `ShopifyPaymentsPayoutStatus`.
    pub enum PayoutStatus {
        /// Scheduled.
        Scheduled => "SCHEDULED",
        /// In transit (deprecated by Shopify: "Use SCHEDULED").
        InTransit => "IN_TRANSIT",
        /// Paid.
        Paid => "PAID",
        /// Failed.
        Failed => "FAILED",
        /// Cancelled.
        Canceled => "CANCELED",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `ShopifyPaymentsPayoutTransactionType`: the payout's direction.
    pub enum PayoutTransactionType {
        /// Money to the bank.
        Deposit => "DEPOSIT",
        /// Money from the bank.
        Withdrawal => "WITHDRAWAL",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `ShopifyPaymentsBalanceTransactionPayoutStatus`.
    pub enum BalanceTransactionPayoutStatus {
        /// Scheduled.
        Scheduled => "SCHEDULED",
        /// In transit.
        InTransit => "IN_TRANSIT",
        /// Paid.
        Paid => "PAID",
        /// Failed.
        Failed => "FAILED",
        /// Cancelled.
        Canceled => "CANCELED",
        /// Not yet assigned to a payout.
        Pending => "PENDING",
        /// Action required.
        ActionRequired => "ACTION_REQUIRED",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `ShopifyPaymentsSourceType`.
    pub enum SourceType {
        /// Adjustment reversal.
        AdjustmentReversal => "ADJUSTMENT_REVERSAL",
        /// Charge.
        Charge => "CHARGE",
        /// Refund.
        Refund => "REFUND",
        /// System adjustment.
        SystemAdjustment => "SYSTEM_ADJUSTMENT",
        /// Dispute.
        Dispute => "DISPUTE",
        /// Adjustment.
        Adjustment => "ADJUSTMENT",
        /// Transfer (payout).
        Transfer => "TRANSFER",
    }
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `ShopifyPaymentsTransactionType`: about a hundred values; the ones
    /// kassabok books are named, the rest stay `Unknown` and need review.
    pub enum BalanceTransactionType {
        /// A customer payment.
        Charge => "CHARGE",
        /// A refund to a customer.
        Refund => "REFUND",
        /// A refund that failed: money back.
        RefundFailure => "REFUND_FAILURE",
        /// Chargeback: funds withdrawn.
        DisputeWithdrawal => "DISPUTE_WITHDRAWAL",
        /// Chargeback won: funds returned.
        DisputeReversal => "DISPUTE_REVERSAL",
        /// Chargeback fee.
        ChargebackFee => "CHARGEBACK_FEE",
        /// Chargeback fee refunded.
        ChargebackFeeRefund => "CHARGEBACK_FEE_REFUND",
        /// Funds held for a chargeback.
        ChargebackHold => "CHARGEBACK_HOLD",
        /// Held funds released.
        ChargebackHoldRelease => "CHARGEBACK_HOLD_RELEASE",
        /// Adjustment.
        Adjustment => "ADJUSTMENT",
        /// Adjustment of a charge.
        ChargeAdjustment => "CHARGE_ADJUSTMENT",
        /// Adjustment of a refund.
        RefundAdjustment => "REFUND_ADJUSTMENT",
        /// Reserve held.
        ReservedFunds => "RESERVED_FUNDS",
        /// Reserve withdrawn.
        ReservedFundsWithdrawal => "RESERVED_FUNDS_WITHDRAWAL",
        /// Reserve released.
        ReservedFundsReversal => "RESERVED_FUNDS_REVERSAL",
        /// Transfer (the payout itself).
        Transfer => "TRANSFER",
        /// Failed transfer.
        TransferFailure => "TRANSFER_FAILURE",
        /// Cancelled transfer.
        TransferCancel => "TRANSFER_CANCEL",
        /// Transfer refund.
        TransferRefund => "TRANSFER_REFUND",
        /// Shipping label bought.
        ShippingLabel => "SHIPPING_LABEL",
        /// Shopify bill paid from the balance.
        BillingDebit => "BILLING_DEBIT",
        /// Application fee refunded.
        ApplicationFeeRefund => "APPLICATION_FEE_REFUND",
    }
}

/// A Shopify Payments payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    /// The GID.
    pub id: PayoutId,
    /// The REST id; the balance-transaction filter `payments_transfer_id` takes it.
    pub legacy_resource_id: String,
    /// When issued; it holds the transactions available at that moment.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Status.
    pub status: PayoutStatus,
    /// Direction.
    pub transaction_type: PayoutTransactionType,
    /// The amount to the bank (positive; see `transaction_type`).
    pub net: MoneyV2,
    /// The bank's trace id (2026-01), for matching the bank statement.
    pub external_trace_id: Option<String>,
    /// Totals by transaction class.
    pub summary: PayoutSummary,
}

/// `ShopifyPaymentsPayoutSummary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutSummary {
    /// Adjustment fees.
    pub adjustments_fee: MoneyV2,
    /// Adjustments, disputes included.
    pub adjustments_gross: MoneyV2,
    /// Advance fees.
    pub advance_fees: MoneyV2,
    /// Advances.
    pub advance_gross: MoneyV2,
    /// Charge fees.
    pub charges_fee: MoneyV2,
    /// Charges.
    pub charges_gross: MoneyV2,
    /// Refund fees.
    pub refunds_fee: MoneyV2,
    /// Refunds (gross; Shopify's name).
    pub refunds_fee_gross: MoneyV2,
    /// Reserve fees.
    pub reserved_funds_fee: MoneyV2,
    /// Reserves.
    pub reserved_funds_gross: MoneyV2,
    /// Retried payout fees.
    pub retried_payouts_fee: MoneyV2,
    /// Retried payouts.
    pub retried_payouts_gross: MoneyV2,
}

/// A Shopify Payments balance transaction: one line of a payout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceTransaction {
    /// The GID.
    pub id: BalanceTransactionId,
    /// Type.
    #[serde(rename = "type")]
    pub kind: BalanceTransactionType,
    /// Source type.
    pub source_type: Option<SourceType>,
    /// A test transaction.
    pub test: bool,
    /// When processed.
    #[serde(with = "time::serde::rfc3339")]
    pub transaction_date: OffsetDateTime,
    /// Adjustment reason.
    pub adjustment_reason: Option<String>,
    /// Source object id (a `BigInt` sent as a string).
    #[serde(default, deserialize_with = "super::scalars::bigint")]
    pub source_id: Option<String>,
    /// The order transaction's numeric id (a `BigInt` sent as a string).
    #[serde(default, deserialize_with = "super::scalars::bigint")]
    pub source_order_transaction_id: Option<String>,
    /// Amount before fees.
    pub amount: MoneyV2,
    /// Fee.
    pub fee: MoneyV2,
    /// Net to the balance.
    pub net: MoneyV2,
    /// The order.
    pub associated_order: Option<AssociatedOrder>,
    /// The payout.
    pub associated_payout: AssociatedPayout,
}

/// The order a balance transaction belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociatedOrder {
    /// The GID.
    pub id: OrderId,
    /// The order name.
    pub name: String,
}

/// The payout a balance transaction belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociatedPayout {
    /// The GID, when assigned.
    pub id: Option<PayoutId>,
    /// Status.
    pub status: Option<BalanceTransactionPayoutStatus>,
}

provider_http::open_enum! {
    provider: "Shopify",
    /// `DisputeStatus` (admin-graphql-2026-01.schema.graphql).
    pub enum DisputeStatus {
        /// The shop accepted the dispute.
        Accepted => "ACCEPTED",
        /// Decided against the shop.
        Lost => "LOST",
        /// Awaiting the shop's evidence.
        NeedsResponse => "NEEDS_RESPONSE",
        /// Evidence submitted, awaiting the decision.
        UnderReview => "UNDER_REVIEW",
        /// Decided for the shop.
        Won => "WON",
        /// Deprecated by Shopify ("no longer supported").
        ChargeRefunded => "CHARGE_REFUNDED",
    }
}

/// A `ShopifyPaymentsDispute`: a chargeback or inquiry on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dispute {
    /// The GID.
    pub id: String,
    /// The disputed amount.
    pub amount: MoneyV2,
    /// When the decision was made (a date, no time).
    pub finalized_on: Option<time::Date>,
    /// When the dispute was opened.
    #[serde(with = "time::serde::rfc3339")]
    pub initiated_at: OffsetDateTime,
    /// The status.
    pub status: DisputeStatus,
    /// The order disputed.
    pub order: Option<DisputedOrder>,
}

/// The order of a [`Dispute`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisputedOrder {
    /// The GID.
    pub id: OrderId,
    /// The order name.
    pub name: String,
    /// When the order was processed: an order of the period (or later) is
    /// among the period's sales, so its sale need not be fetched again.
    /// `None` when the answer did not say (the order is then fetched).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub processed_at: Option<OffsetDateTime>,
}
