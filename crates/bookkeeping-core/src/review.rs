//! Items an accountant must look at: what kassabok will not guess.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Money, Provider, SourceRef};

/// Why an item needs review.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReviewReason {
    /// A type, status or event code kassabok does not know.
    UnknownType,
    /// A line without a VAT rate, or a rate that is not valid on its date.
    VatRate,
    /// The tax treatment could not be decided.
    TaxTreatment,
    /// Amounts that do not add up (a payout whose lines differ from its amount).
    AmountMismatch,
    /// A record that could not be decoded; the field says which part.
    Malformed,
    /// A payout the provider cannot break down (Stripe manual payouts).
    NoBreakdown,
    /// Money whose sale is not known (booked to suspense).
    UnknownSale,
    /// A currency without exchange rate or minor unit.
    Currency,
    /// Data not yet complete at the provider for the period.
    Incomplete,
    /// A policy says an accountant decides (fee VAT class `Review`, disputes).
    Policy,
    /// Something else.
    Other,
}

/// Something kassabok did not book on its own, with where it came from and a
/// sentence an accountant understands.
///
/// ```
/// use bookkeeping_core::{Provider, ReviewItem, ReviewReason, SourceRef};
///
/// let item = ReviewItem::new(
///     Provider::Stripe,
///     ReviewReason::UnknownType,
///     "balance transaction type \"climate_order_purchase\" is not known",
/// )
/// .with_source(SourceRef::new(Provider::Stripe, "balance_transaction", "txn_123"))
/// .with_field("type");
/// assert_eq!(
///     item.to_string(),
///     "stripe balance_transaction txn_123 (field type): balance transaction type \"climate_order_purchase\" is not known"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The provider the item comes from.
    pub provider: Provider,
    /// The object, when there is one.
    pub source: Option<SourceRef>,
    /// The field concerned (a JSON path such as `data[3].fee_details[0].type`).
    pub field: Option<String>,
    /// Why.
    pub reason: ReviewReason,
    /// A human sentence.
    pub message: String,
    /// The amount concerned, when there is one.
    pub amount: Option<Money>,
}

impl ReviewItem {
    /// A new item.
    pub fn new(provider: Provider, reason: ReviewReason, message: impl Into<String>) -> Self {
        ReviewItem {
            provider,
            source: None,
            field: None,
            reason,
            message: message.into(),
            amount: None,
        }
    }

    /// With the object it concerns.
    #[must_use]
    pub fn with_source(mut self, source: SourceRef) -> Self {
        self.source = Some(source);
        self
    }

    /// With the field it concerns.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// With the amount it concerns.
    #[must_use]
    pub fn with_amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }
}

impl fmt::Display for ReviewItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.provider)?;
        if let Some(s) = &self.source {
            write!(f, " {} {}", s.kind, s.id)?;
        }
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(a) = &self.amount {
            write!(f, " [{a}]")?;
        }
        Ok(())
    }
}
