//! ISO 4217 currencies and their minor-unit exponents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::MoneyError;

/// An ISO 4217 currency code, such as `SEK`, `EUR` or `JPY`.
///
/// Any three ASCII letters are accepted, so that a new or unusual code from a
/// provider never fails to decode; [`Currency::exponent`] tells whether the code
/// is in the ISO 4217 table, and arithmetic that needs the exponent refuses a
/// code that is not (see [`MoneyError::UnknownCurrency`]).
///
/// ```
/// use bookkeeping_core::Currency;
///
/// let sek: Currency = "sek".parse()?;
/// assert_eq!(sek, Currency::SEK);
/// assert_eq!(sek.exponent(), Some(2));
/// assert_eq!(Currency::JPY.exponent(), Some(0));
/// assert_eq!(Currency::KWD.exponent(), Some(3));
/// assert_eq!("XAU".parse::<Currency>()?.exponent(), None); // gold has no minor unit
/// # Ok::<(), bookkeeping_core::MoneyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

macro_rules! currency_consts {
    ($($name:ident),* $(,)?) => {
        impl Currency {
            $(
                #[doc = concat!("The currency `", stringify!($name), "`.")]
                pub const $name: Currency = Currency(const_code(stringify!($name)));
            )*
        }
    };
}

const fn const_code(code: &str) -> [u8; 3] {
    let b = code.as_bytes();
    [b[0], b[1], b[2]]
}

currency_consts!(SEK, EUR, USD, GBP, NOK, DKK, JPY, KWD, CHF, PLN, ISK);

/// ISO 4217 active codes (list one, 2024 edition) whose minor unit is not 2.
/// Codes with no minor unit at all (precious metals, testing, "no currency")
/// are marked `None`.
const NON_TWO_DECIMAL: &[(&str, Option<u32>)] = &[
    ("BHD", Some(3)),
    ("BIF", Some(0)),
    ("CLF", Some(4)),
    ("CLP", Some(0)),
    ("DJF", Some(0)),
    ("GNF", Some(0)),
    ("IQD", Some(3)),
    ("ISK", Some(0)),
    ("JOD", Some(3)),
    ("JPY", Some(0)),
    ("KMF", Some(0)),
    ("KRW", Some(0)),
    ("KWD", Some(3)),
    ("LYD", Some(3)),
    ("OMR", Some(3)),
    ("PYG", Some(0)),
    ("RWF", Some(0)),
    ("TND", Some(3)),
    ("UGX", Some(0)),
    ("UYI", Some(0)),
    ("UYW", Some(4)),
    ("VND", Some(0)),
    ("VUV", Some(0)),
    ("XAF", Some(0)),
    ("XOF", Some(0)),
    ("XPF", Some(0)),
    ("XAG", None),
    ("XAU", None),
    ("XBA", None),
    ("XBB", None),
    ("XBC", None),
    ("XBD", None),
    ("XDR", None),
    ("XPD", None),
    ("XPT", None),
    ("XSU", None),
    ("XTS", None),
    ("XUA", None),
    ("XXX", None),
];

/// ISO 4217 active codes with two decimals.
const TWO_DECIMAL: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR",
    "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB",
    "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN",
    "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD",
    "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

impl Currency {
    /// Parses a three-letter code, case-insensitively.
    ///
    /// # Errors
    /// [`MoneyError::InvalidCurrencyCode`] when the text is not three ASCII letters.
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        Self::from_ascii(code.as_bytes())
            .ok_or_else(|| MoneyError::InvalidCurrencyCode(code.to_owned()))
    }

    /// [`Currency::new`] of a code's bytes, for a reader that has the bytes
    /// (a JSON scanner): `None` when they are not three ASCII letters.
    ///
    /// ```
    /// use bookkeeping_core::Currency;
    ///
    /// assert_eq!(Currency::from_ascii(b"sek"), Some(Currency::SEK));
    /// assert_eq!(Currency::from_ascii(b"SE"), None);
    /// assert_eq!(Currency::from_ascii(b"S3K"), None);
    /// ```
    pub fn from_ascii(code: &[u8]) -> Option<Self> {
        match code {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => Some(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    /// The upper-case code, e.g. `"SEK"`.
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The number of decimals of the minor unit (SEK 2, JPY 0, KWD 3), or `None`
    /// when the code is not an ISO 4217 currency with a minor unit.
    pub fn exponent(&self) -> Option<u32> {
        // Called for every amount converted: the currencies a Swedish shop
        // settles in are answered at once, the rest by packed integers.
        if matches!(
            *self,
            Currency::SEK
                | Currency::EUR
                | Currency::USD
                | Currency::GBP
                | Currency::NOK
                | Currency::DKK
                | Currency::CHF
                | Currency::PLN
        ) {
            return Some(2);
        }
        let key = packed(&self.0);
        if let Some((_, e)) = NON_TWO_DECIMAL
            .iter()
            .find(|(c, _)| packed(c.as_bytes()) == key)
        {
            return *e;
        }
        TWO_DECIMAL
            .binary_search_by_key(&key, |c| packed(c.as_bytes()))
            .ok()
            .map(|_| 2)
    }

    /// Whether the code is in the ISO 4217 table with a minor unit.
    pub fn is_known(&self) -> bool {
        self.exponent().is_some()
    }

    /// The exponent, or an error naming the currency.
    ///
    /// # Errors
    /// [`MoneyError::UnknownCurrency`] when [`Currency::exponent`] is `None`.
    pub fn require_exponent(&self) -> Result<u32, MoneyError> {
        self.exponent().ok_or(MoneyError::UnknownCurrency(*self))
    }
}

/// A code's letters as one integer, in the code's alphabetical order.
fn packed(code: &[u8]) -> u32 {
    code.iter().fold(0, |key, b| (key << 8) | u32::from(*b))
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, Currency::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_decimal_table_is_sorted_for_binary_search() {
        assert!(TWO_DECIMAL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn exponents_follow_iso_4217() {
        for (code, exp) in [
            ("SEK", Some(2)),
            ("EUR", Some(2)),
            ("JPY", Some(0)),
            ("KRW", Some(0)),
            ("KWD", Some(3)),
            ("BHD", Some(3)),
            ("CLF", Some(4)),
            ("XAU", None),
            ("QQQ", None),
        ] {
            assert_eq!(Currency::new(code).unwrap().exponent(), exp, "{code}");
        }
    }

    #[test]
    fn rejects_codes_that_are_not_three_letters() {
        for bad in ["", "SE", "SEKK", "S3K", "ÅÄÖ"] {
            assert!(Currency::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_is_the_code() {
        let json = serde_json::to_string(&Currency::SEK).unwrap();
        assert_eq!(json, "\"SEK\"");
        let back: Currency = serde_json::from_str("\"eur\"").unwrap();
        assert_eq!(back, Currency::EUR);
    }
}
