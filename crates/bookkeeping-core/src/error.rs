//! Errors of the core types.

use rust_decimal::Decimal;

use crate::Currency;

/// An error from money arithmetic or conversion. Nothing in this crate turns a
/// bad amount into zero: it returns one of these instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// The currency has no known minor unit, so minor-unit conversion is impossible.
    #[error("currency {0} has no known minor unit")]
    UnknownCurrency(Currency),
    /// The text is not a three-letter currency code.
    #[error("invalid currency code {0:?}")]
    InvalidCurrencyCode(String),
    /// The amount has more decimals than the currency's minor unit allows.
    #[error("{amount} {currency} is not a whole number of minor units")]
    NotMinorUnits {
        /// The amount.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
    },
    /// The result does not fit the number type.
    #[error("amount overflow")]
    Overflow,
    /// An amount text could not be parsed as a decimal number.
    #[error("invalid amount {0:?}")]
    InvalidAmount(String),
    /// An allocation was asked with no parts, or with weights that sum to zero
    /// or include a negative weight.
    #[error("cannot allocate over {0}")]
    InvalidAllocation(&'static str),
}
