//! Decimals as providers send them: a JSON number (Stripe's `exchange_rate` and
//! `percentage`, a Shopify GraphQL `Float` such as a tax `rate`) read through its
//! shortest decimal text, never through float arithmetic, so `0.25` is exactly
//! `0.25` and `10.7169` stays `10.7169`.
//!
//! For `#[serde(deserialize_with = "provider_http::decimal::number")]` and, on an
//! `Option` field, `#[serde(default, deserialize_with = "provider_http::decimal::option")]`.
//!
//! ```
//! use rust_decimal::Decimal;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Rate {
//!     #[serde(deserialize_with = "provider_http::decimal::number")]
//!     percentage: Decimal,
//!     #[serde(default, deserialize_with = "provider_http::decimal::option")]
//!     exchange_rate: Option<Decimal>,
//! }
//!
//! let rate: Rate = serde_json::from_str(r#"{"percentage": 25.0, "exchange_rate": 10.7169}"#)?;
//! assert_eq!(rate.percentage, Decimal::new(25, 0));
//! assert_eq!(rate.exchange_rate, Some(Decimal::new(107169, 4)));
//! let absent: Rate = serde_json::from_str(r#"{"percentage": "12"}"#)?;
//! assert_eq!(absent.exchange_rate, None);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A JSON number (or a string holding one, as some endpoints send) as a `Decimal`.
///
/// # Errors
/// Anything else, or a number a `Decimal` cannot hold, naming the text.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(NumberVisitor)?
        .ok_or_else(|| D::Error::custom("expected a number, got null"))
}

/// [`number`] for an optional field: `null` (or, with `#[serde(default)]`, no field) is `None`.
///
/// # Errors
/// As [`number`].
pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    d.deserialize_option(NumberVisitor)
}

/// An optional field read by [`option`], for a model written with
/// [`fields!`](crate::fields!) (`rate: b"rate" as OptionalNumber => optional`):
/// the wrapper's `Deserialize` is [`option`], and the JSON scanner hands the
/// value's bytes to it (a float's text is only read exactly by `serde_json`'s
/// own float parsing).
///
/// ```
/// use provider_http::decimal::OptionalNumber;
/// use rust_decimal::Decimal;
///
/// #[derive(Debug, PartialEq)]
/// struct TaxLine {
///     rate: Option<Decimal>,
/// }
/// provider_http::fields! {
///     TaxLine {
///         rate: b"rate" as OptionalNumber => optional,
///     }
/// }
/// let line: TaxLine = provider_http::scan::from_slice(br#"{"rate": 0.25}"#)?;
/// assert_eq!(line.rate, Some(Decimal::new(25, 2)));
/// let line: TaxLine = serde_json::from_slice(br#"{"rate": null}"#)?;
/// assert_eq!(line.rate, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalNumber(pub Option<Decimal>);

impl<'de> Deserialize<'de> for OptionalNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        option(d).map(OptionalNumber)
    }
}

impl crate::scan::Scannable for OptionalNumber {
    fn scan(s: &mut crate::scan::Scanner<'_>) -> crate::scan::Scan<Self> {
        if s.null()? {
            Ok(OptionalNumber(None))
        } else {
            crate::scan::with_serde(s)
        }
    }
}

/// Reads a number, a string or `null` straight from the deserializer, without a
/// `Value` or a `String` in between (a float's shortest text is written on the
/// stack); anything else is read as a `Value` only to name it in the error.
struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // The text `serde_json` writes for the number (its shortest form),
        // as `Value`'s `to_string` gave it.
        let mut buf = [0u8; 64];
        let mut text = StackText {
            buf: &mut buf,
            len: 0,
        };
        let written = serde_json::Number::from_f64(v)
            .map(|n| fmt::write(&mut text, format_args!("{n}")).is_ok())
            .unwrap_or(false);
        let len = text.len;
        match std::str::from_utf8(&buf[..len]) {
            Ok(text) if written => parse(text)
                .map(Some)
                .ok_or_else(|| E::custom(format!("invalid decimal number {text}"))),
            _ => Err(E::custom(format!("invalid decimal number {v}"))),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("invalid decimal number {v}")))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Err(E::custom(format!("expected a number, got {v}")))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Err(A::Error::custom(format!("expected a number, got {value}")))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Err(A::Error::custom(format!("expected a number, got {value}")))
    }
}

/// A number's text written into a buffer on the stack.
struct StackText<'a> {
    buf: &'a mut [u8; 64],
    len: usize,
}

impl fmt::Write for StackText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `1.5`, `-3`, `1e-7`: plain or scientific notation.
fn parse(text: &str) -> Option<Decimal> {
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Rate {
        #[serde(deserialize_with = "number")]
        r: Decimal,
    }

    fn rate(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str::<Rate>(json).map(|x| x.r)
    }

    #[test]
    fn numbers_keep_their_shortest_decimal_text() {
        assert_eq!(rate(r#"{"r": 0.25}"#).unwrap(), Decimal::new(25, 2));
        assert_eq!(rate(r#"{"r": 10.7169}"#).unwrap(), Decimal::new(107169, 4));
        assert_eq!(rate(r#"{"r": 1e-7}"#).unwrap(), Decimal::new(1, 7));
        assert_eq!(rate(r#"{"r": "12.5"}"#).unwrap(), Decimal::new(125, 1));
        assert_eq!(rate(r#"{"r": -3}"#).unwrap(), Decimal::new(-3, 0));
    }

    #[test]
    fn what_is_not_a_number_is_an_error_naming_it() {
        let err = rate(r#"{"r": true}"#).unwrap_err().to_string();
        assert!(err.contains("expected a number, got true"), "{err}");
        let err = rate(r#"{"r": "abc"}"#).unwrap_err().to_string();
        assert!(err.contains("invalid decimal number abc"), "{err}");
        assert!(rate(r#"{"r": null}"#).is_err());
    }
}
