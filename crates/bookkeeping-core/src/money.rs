//! Amounts of money: a `Decimal` with its currency.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::{Currency, MoneyError};

/// How to round an amount to its currency's minor unit. Always written out at
/// the call site, so nobody has to guess which rule a figure followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Rounding {
    /// Half away from zero (0.005 → 0.01, −0.005 → −0.01): the rule of Swedish
    /// VAT calculations and of most providers.
    MidpointAwayFromZero,
    /// Half to even (banker's rounding).
    MidpointNearestEven,
    /// Towards zero (truncation).
    TowardZero,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::MidpointAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Rounding::MidpointNearestEven => RoundingStrategy::MidpointNearestEven,
            Rounding::TowardZero => RoundingStrategy::ToZero,
        }
    }
}

/// An amount in a currency.
///
/// Fields are private so an amount can never silently change currency;
/// arithmetic is checked and refuses to mix currencies.
///
/// ```
/// use bookkeeping_core::{Currency, Money};
///
/// let price = Money::from_minor_units(12_550, Currency::SEK)?; // 125.50 kr
/// let shipping = Money::parse("49.00", Currency::SEK)?;
/// let total = price.checked_add(&shipping)?;
/// assert_eq!(total.to_string(), "174.50 SEK");
/// assert_eq!(total.to_minor_units()?, 17_450);
///
/// let euros = Money::parse("10", Currency::EUR)?;
/// assert!(total.checked_add(&euros).is_err()); // no mixing
/// # Ok::<(), bookkeeping_core::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount as given (any number of decimals; see [`Money::round`]).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money::new(Decimal::ZERO, currency)
    }

    /// From an integer count of minor units (öre, cents; yen are their own minor unit).
    ///
    /// # Errors
    /// [`MoneyError::UnknownCurrency`] when the currency's exponent is not known.
    pub fn from_minor_units(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        let exp = currency.require_exponent()?;
        Ok(Money::new(Decimal::new(minor, exp), currency))
    }

    /// Parses a decimal text such as `"1234.50"` or `"-3"` (never through a float).
    ///
    /// # Errors
    /// [`MoneyError::InvalidAmount`] when the text is not a decimal number.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let amount: Decimal = text
            .trim()
            .parse()
            .map_err(|_| MoneyError::InvalidAmount(text.to_owned()))?;
        Ok(Money::new(amount, currency))
    }

    /// The amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as an integer count of minor units.
    ///
    /// # Errors
    /// [`MoneyError::NotMinorUnits`] when the amount has more decimals than the
    /// currency allows (round first), [`MoneyError::UnknownCurrency`], or
    /// [`MoneyError::Overflow`].
    pub fn to_minor_units(&self) -> Result<i64, MoneyError> {
        let exp = self.currency.require_exponent()?;
        let scaled = self
            .amount
            .checked_mul(Decimal::from(10_i64.pow(exp)))
            .ok_or(MoneyError::Overflow)?;
        if !scaled.fract().is_zero() {
            return Err(MoneyError::NotMinorUnits {
                amount: self.amount,
                currency: self.currency,
            });
        }
        i64::try_from(scaled.trunc()).map_err(|_| MoneyError::Overflow)
    }

    /// Rounds to the currency's minor unit with the given rule.
    ///
    /// # Errors
    /// [`MoneyError::UnknownCurrency`] when the exponent is not known.
    pub fn round(&self, rounding: Rounding) -> Result<Self, MoneyError> {
        let exp = self.currency.require_exponent()?;
        Ok(Money::new(
            self.amount.round_dp_with_strategy(exp, rounding.strategy()),
            self.currency,
        ))
    }

    /// Whether the amount is a whole number of minor units.
    pub fn is_minor_unit_exact(&self) -> bool {
        self.currency
            .exponent()
            .is_some_and(|exp| self.amount.round_dp(exp) == self.amount)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × factor` (not rounded; see [`Money::round`]).
    ///
    /// # Errors
    /// [`MoneyError::Overflow`].
    pub fn checked_mul(&self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// The amount with its sign flipped.
    #[must_use]
    pub fn negated(&self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// The sum of `items`, all in `currency` (zero when empty).
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when an item is in another currency.
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// Splits this amount over parts in proportion to `weights`, in whole minor
    /// units, so that the parts always sum exactly to the (rounded) total. The
    /// minor units left after rounding every part down go one each to the parts
    /// with the largest remainders (ties: the earlier part), the largest-remainder
    /// method. Negative totals split as their mirror image.
    ///
    /// ```
    /// use bookkeeping_core::{Currency, Money};
    /// use rust_decimal::Decimal;
    ///
    /// let total = Money::parse("100.00", Currency::SEK)?;
    /// let parts = total.allocate(&[Decimal::ONE, Decimal::ONE, Decimal::ONE])?;
    /// let amounts: Vec<String> = parts.iter().map(|p| p.amount().to_string()).collect();
    /// assert_eq!(amounts, ["33.34", "33.33", "33.33"]);
    /// # Ok::<(), bookkeeping_core::MoneyError>(())
    /// ```
    ///
    /// # Errors
    /// [`MoneyError::InvalidAllocation`] when `weights` is empty, has a negative
    /// weight or sums to zero; [`MoneyError::NotMinorUnits`] when the total is
    /// not whole minor units; [`MoneyError::UnknownCurrency`]; [`MoneyError::Overflow`].
    pub fn allocate(&self, weights: &[Decimal]) -> Result<Vec<Money>, MoneyError> {
        if weights.is_empty() {
            return Err(MoneyError::InvalidAllocation("no parts"));
        }
        if weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
            return Err(MoneyError::InvalidAllocation("a negative weight"));
        }
        let weight_sum = weights
            .iter()
            .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w))
            .ok_or(MoneyError::Overflow)?;
        if weight_sum.is_zero() {
            return Err(MoneyError::InvalidAllocation("weights that sum to zero"));
        }
        let total_minor = self.to_minor_units()?;
        let negative = total_minor < 0;
        let total_abs = Decimal::from(total_minor.unsigned_abs());

        let mut floors = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        let mut assigned: i128 = 0;
        for w in weights {
            let exact = total_abs
                .checked_mul(*w)
                .and_then(|x| x.checked_div(weight_sum))
                .ok_or(MoneyError::Overflow)?;
            let floor = exact.floor();
            let floor_i = i128::try_from(floor).map_err(|_| MoneyError::Overflow)?;
            assigned += floor_i;
            floors.push(floor_i);
            remainders.push(exact - floor);
        }
        let mut left = i128::from(total_minor.unsigned_abs()) - assigned;
        let mut order: Vec<usize> = (0..weights.len()).collect();
        // Stable sort: equal remainders keep their order, so the result is deterministic.
        order.sort_by(|a, b| remainders[*b].cmp(&remainders[*a]));
        for i in order {
            if left <= 0 {
                break;
            }
            floors[i] += 1;
            left -= 1;
        }
        let exp = self.currency.require_exponent()?;
        floors
            .into_iter()
            .map(|minor| {
                let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow)?;
                let minor = if negative { -minor } else { minor };
                Ok(Money::new(Decimal::new(minor, exp), self.currency))
            })
            .collect()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.currency.exponent() {
            Some(exp) if self.amount.scale() < exp => {
                let mut a = self.amount;
                a.rescale(exp);
                write!(f, "{} {}", a, self.currency)
            }
            _ => write!(f, "{} {}", self.amount, self.currency),
        }
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn minor_units_follow_the_exponent() {
        assert_eq!(
            Money::from_minor_units(1050, Currency::JPY)
                .unwrap()
                .amount(),
            dec!(1050)
        );
        assert_eq!(
            Money::from_minor_units(1050, Currency::KWD)
                .unwrap()
                .amount(),
            dec!(1.050)
        );
        assert_eq!(
            Money::from_minor_units(-1, Currency::SEK).unwrap().amount(),
            dec!(-0.01)
        );
    }

    #[test]
    fn to_minor_units_refuses_fractions_of_a_minor_unit() {
        let m = Money::new(dec!(1.005), Currency::SEK);
        assert!(matches!(
            m.to_minor_units(),
            Err(MoneyError::NotMinorUnits { .. })
        ));
        assert_eq!(
            m.round(Rounding::MidpointAwayFromZero)
                .unwrap()
                .to_minor_units()
                .unwrap(),
            101
        );
        assert_eq!(
            m.round(Rounding::MidpointNearestEven)
                .unwrap()
                .to_minor_units()
                .unwrap(),
            100
        );
    }

    #[test]
    fn unknown_currency_is_an_error_not_zero() {
        let xau = Currency::new("XAU").unwrap();
        assert_eq!(
            Money::from_minor_units(5, xau),
            Err(MoneyError::UnknownCurrency(xau))
        );
    }

    #[test]
    fn allocation_of_negative_amounts_mirrors_positive() {
        let parts = Money::new(dec!(-0.05), Currency::SEK)
            .allocate(&[dec!(1), dec!(1)])
            .unwrap();
        assert_eq!(parts[0].amount(), dec!(-0.03));
        assert_eq!(parts[1].amount(), dec!(-0.02));
    }

    #[test]
    fn allocation_rejects_bad_weights() {
        let m = Money::new(dec!(1), Currency::SEK);
        assert!(m.allocate(&[]).is_err());
        assert!(m.allocate(&[dec!(0), dec!(0)]).is_err());
        assert!(m.allocate(&[dec!(2), dec!(-1)]).is_err());
    }

    #[test]
    fn display_pads_to_the_minor_unit() {
        assert_eq!(Money::new(dec!(5), Currency::SEK).to_string(), "5.00 SEK");
        assert_eq!(Money::new(dec!(5), Currency::JPY).to_string(), "5 JPY");
    }

    #[test]
    fn serde_keeps_amounts_as_strings() {
        let m = Money::new(dec!(0.10), Currency::SEK);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"0.10","currency":"SEK"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }
}
