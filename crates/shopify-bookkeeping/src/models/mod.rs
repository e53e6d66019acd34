//! The GraphQL Admin API's objects as Shopify sends them (API version
//! [`API_VERSION`](crate::API_VERSION)), only the fields kassabok selects.
//!
//! Amounts are `Decimal`s parsed from Shopify's decimal strings, never floats.
//! Enums decode values kassabok does not know into `Unknown(String)`.
//! Fields Shopify may leave out or null are `Option`s.

mod common;
mod order;
mod payout;

pub(crate) use common::zero;
pub use common::{Connection, MoneyBag, MoneyV2, PageInfo, TaxLine, TaxLines};
pub use order::{
    Attribute, CompanyLocation, CompanyTaxSettings, DiscountAllocation, FinancialStatus, LineItem,
    MailingAddress, Order, OrderAdjustment, OrderAdjustmentReason, OrderTransaction,
    OrderTransactionKind, OrderTransactionStatus, PurchasingEntity, PurchasingEntityType, Refund,
    RefundLineItem, RefundShippingLine, RefundedLineItem, RefundedShippingLine, ShippingLine,
};
pub use payout::{
    AssociatedOrder, AssociatedPayout, BalanceTransaction, BalanceTransactionPayoutStatus,
    BalanceTransactionType, Dispute, DisputeStatus, DisputedOrder, Payout, PayoutStatus,
    PayoutSummary, PayoutTransactionType, SourceType,
};

/// Serde helpers for Shopify's scalars.
pub(crate) mod scalars {
    use serde::{Deserialize, Deserializer};

    /// A GraphQL `BigInt` ("encoded as a string"); a bare integer is accepted too.
    pub(crate) fn bigint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Option::<serde_json::Value>::deserialize(d)? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(serde_json::Value::Number(n)) if n.is_u64() || n.is_i64() => {
                Ok(Some(n.to_string()))
            }
            Some(other) => Err(serde::de::Error::custom(format!(
                "expected a BigInt string, got {other}"
            ))),
        }
    }
}
