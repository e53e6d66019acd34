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

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A JSON number (or a string holding one, as some endpoints send) as a `Decimal`.
///
/// # Errors
/// Anything else, or a number a `Decimal` cannot hold, naming the text.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    from_value(Value::deserialize(d)?).map_err(D::Error::custom)
}

/// [`number`] for an optional field: `null` (or, with `#[serde(default)]`, no field) is `None`.
///
/// # Errors
/// As [`number`].
pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => from_value(v).map(Some).map_err(D::Error::custom),
    }
}

fn from_value(value: Value) -> Result<Decimal, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s,
        other => return Err(format!("expected a number, got {other}")),
    };
    parse(&text).ok_or_else(|| format!("invalid decimal number {text}"))
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
