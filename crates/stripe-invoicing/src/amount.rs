//! Stripe amounts: integers in the currency's minor unit, by **Stripe's**
//! exponent for the currency.
//!
//! Stripe follows ISO 4217 except where its documentation
//! (<https://docs.stripe.com/currencies>) says otherwise:
//!
//! - zero-decimal currencies: BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG,
//!   RWF, UGX, VND, VUV, XAF, XOF, XPF (`100` is 100 yen; MGA has two decimals
//!   in ISO 4217 but none at Stripe);
//! - three-decimal currencies: BHD, JOD, KWD, OMR, TND (`5120` is 5.120 KWD);
//! - ISK became zero-decimal but the API still sends two decimals: `500` is 5 ISK.
//!
//! Everything else uses the ISO exponent from [`Currency::exponent`].
//!
//! ```
//! use bookkeeping_core::Currency;
//! use stripe_invoicing::amount::{money, stripe_exponent};
//!
//! assert_eq!(money(49_900, Currency::SEK)?.to_string(), "499.00 SEK");
//! assert_eq!(money(1_000, Currency::JPY)?.to_string(), "1000 JPY");
//! assert_eq!(money(5_120, Currency::KWD)?.to_string(), "5.120 KWD");
//! assert_eq!(money(500, Currency::ISK)?.amount(), rust_decimal::Decimal::from(5));
//! assert_eq!(stripe_exponent(Currency::new("MGA")?), Some(0));
//! # Ok::<(), bookkeeping_core::MoneyError>(())
//! ```

use bookkeeping_core::{Currency, Money, MoneyError};
use rust_decimal::Decimal;

const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];
const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];
/// Zero-decimal in ISO 4217, sent with two decimals by Stripe for backwards compatibility.
const TWO_DECIMAL_AT_STRIPE: &[&str] = &["ISK"];

/// The number of decimals in Stripe's integer amounts for `currency`, or
/// `None` when the currency has no known minor unit.
pub fn stripe_exponent(currency: Currency) -> Option<u32> {
    let iso = currency.exponent();
    let code = currency.code();
    // Called for every amount: of the two-decimal ISO currencies only MGA
    // differs at Stripe, so the lists are searched only for the others.
    if iso == Some(2) && code != "MGA" {
        return iso;
    }
    if ZERO_DECIMAL.contains(&code) {
        Some(0)
    } else if THREE_DECIMAL.contains(&code) {
        Some(3)
    } else if TWO_DECIMAL_AT_STRIPE.contains(&code) {
        Some(2)
    } else {
        iso
    }
}

/// A Stripe integer amount as [`Money`].
///
/// # Errors
/// [`MoneyError::UnknownCurrency`] when the currency has no known minor unit.
pub fn money(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
    let exponent = stripe_exponent(currency).ok_or(MoneyError::UnknownCurrency(currency))?;
    Ok(Money::new(Decimal::new(minor, exponent), currency))
}

/// The sum of integers the provider sent, or [`MoneyError::Overflow`] when
/// it leaves an `i64` (hostile or broken data must not panic).
pub(crate) fn sum_minor(amounts: impl IntoIterator<Item = i64>) -> Result<i64, MoneyError> {
    amounts
        .into_iter()
        .try_fold(0_i64, i64::checked_add)
        .ok_or(MoneyError::Overflow)
}

/// `a - b` of integers the provider sent, or [`MoneyError::Overflow`].
pub(crate) fn sub_minor(a: i64, b: i64) -> Result<i64, MoneyError> {
    a.checked_sub(b).ok_or(MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn sums_and_differences_that_leave_an_i64_are_errors() {
        assert_eq!(sum_minor([i64::MAX, -1, 1]), Ok(i64::MAX));
        assert_eq!(sum_minor([i64::MAX, 1, -1]), Err(MoneyError::Overflow));
        assert_eq!(sub_minor(i64::MIN, 1), Err(MoneyError::Overflow));
        assert_eq!(sub_minor(5, 7), Ok(-2));
    }

    #[test]
    fn exponents_by_stripe_rules() {
        let c = |s: &str| Currency::new(s).unwrap();
        assert_eq!(money(12_345, c("SEK")).unwrap().amount(), dec!(123.45));
        assert_eq!(money(12_345, c("EUR")).unwrap().amount(), dec!(123.45));
        assert_eq!(money(12_345, c("JPY")).unwrap().amount(), dec!(12345));
        assert_eq!(money(12_345, c("KRW")).unwrap().amount(), dec!(12345));
        assert_eq!(money(12_345, c("MGA")).unwrap().amount(), dec!(12345));
        assert_eq!(money(12_340, c("KWD")).unwrap().amount(), dec!(12.340));
        assert_eq!(money(12_340, c("BHD")).unwrap().amount(), dec!(12.340));
        assert_eq!(money(12_300, c("ISK")).unwrap().amount(), dec!(123));
        assert_eq!(money(12_345, c("HUF")).unwrap().amount(), dec!(123.45));
        assert_eq!(money(-1, c("SEK")).unwrap().amount(), dec!(-0.01));
        assert!(money(1, c("XAU")).is_err());
        assert!(money(1, c("QQQ")).is_err());
    }
}
