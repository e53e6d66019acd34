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
            return Ok(OptionalNumber(None));
        }
        // A number (as Shopify sends a rate) is read from its own text;
        // anything else, or a number whose reading is not known from its
        // text, by serde_json, as serde reads it.
        let mut ahead = s.clone();
        if let Ok(text) = ahead.number_text()
            && let Some(value) = plain_number(text)
        {
            *s = ahead;
            return Ok(OptionalNumber(Some(value)));
        }
        let raw = s.raw()?;
        serde_json::from_slice(raw).map_err(|_| crate::scan::Declined)
    }
}

/// The `Decimal` [`option`] reads from the JSON number `text`, found without
/// `serde_json`, for the numbers whose reading is known from their text:
/// `None` for any other (which is then read by `serde_json`, as always).
///
/// `serde_json` reads a number with a fraction as an `f64`, and [`option`]
/// takes that float's shortest text (`serde_json` writes it with `zmij`).
/// For the common case the text is known without the float: a number with
/// at most 15 digits in all (so its digits, as an integer, are below 2^53
/// and `serde_json`'s reading, the digits divided by an exact power of ten,
/// is the correctly rounded float), at most 9 before the point, and at
/// least 1e-4 in size (so `zmij` writes it without an exponent:
/// `-5..=15` is its range for that). Any decimal of at most 15 significant
/// digits is the only one of that length that rounds to its float (`f64`
/// keeps 15 decimal digits), so the shortest text of the float is the
/// number's own text with the fraction's trailing zeros dropped, one kept
/// (`25.00` is `25.0`, `0.250` is `0.25`, as `zmij` writes them). An integer
/// of at most 18 digits is read as an integer by `serde_json` (and by this)
/// at scale 0; `-0`, which `serde_json` reads as a float, is left to it.
///
/// Read from the sources of the versions in `Cargo.lock`: `serde_json`
/// 1.0.154, `de.rs`, `f64_from_parts` (the digits as `f64` divided by
/// `POW10[k]`, exact for `k <= 22`; with `float_roundtrip`, `lexical`'s
/// correctly rounded parse) and `Number`'s `Display` (`zmij::Buffer::
/// format_finite`); `zmij` 1.0.23, `FIXED_DEC_EXP = -5..=15` and the fixed
/// notation's `1234e7 -> 12340000000.0`. The test below holds the reading
/// to `serde_json`'s own, so a later version that writes otherwise fails it.
fn plain_number(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    let Some(frac) = frac else {
        // An integer: `serde_json` gives it as an `i64`/`u64`.
        let negative_zero = text == "-0";
        return (int.len() <= 18 && !negative_zero)
            .then(|| parse(text))
            .flatten();
    };
    if !all_digits(frac) || int.len() > 9 || int.len() + frac.len() > 15 {
        return None;
    }
    // At least 1e-4: a non-zero integer part, or a non-zero digit among the
    // fraction's first four.
    if int == "0" && !frac.bytes().take(4).any(|b| b != b'0') {
        return None;
    }
    let kept = frac.trim_end_matches('0').len().max(1);
    let shortest = &text[..text.len() - frac.len() + kept];
    parse(shortest)
}

/// A decimal written plainly, `-?digits(.digits)?` with at most 18 digits,
/// read straight into its mantissa and scale: the value and scale
/// `text.parse::<Decimal>()` gives (`"39.20"` is 3920 at scale 2), without
/// that parser's general work. `None` for any other text (an exponent, a `+`, `_`,
/// 19 digits or more, `-0`…), which the caller reads with `Decimal`'s own
/// parser as before: an order page holds a dozen amounts an order, each a
/// short plain decimal.
///
/// ```
/// use provider_http::decimal::plain_decimal;
/// use rust_decimal::Decimal;
///
/// assert_eq!(plain_decimal("39.20"), Some(Decimal::new(3920, 2)));
/// assert_eq!(plain_decimal("-5"), Some(Decimal::new(-5, 0)));
/// assert_eq!(plain_decimal("1e3"), None); // not plain: `Decimal`'s parser reads it
/// ```
#[inline]
pub fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let mut mantissa: i64 = 0;
    let mut count = 0u32;
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                count += 1;
                if count > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(b - b'0');
            }
            b'.' if point.is_none() && i > 0 => point = Some(i),
            _ => return None,
        }
    }
    let scale = match point {
        // At least one digit after the point (`"5."` is left to the parser).
        Some(at) if at + 1 == digits.len() => return None,
        Some(at) => u32::try_from(digits.len() - at - 1).ok()?,
        None if count == 0 => return None,
        None => 0,
    };
    // `-0.00` keeps its sign in `Decimal`'s parser: left to it.
    if negative && mantissa == 0 {
        return None;
    }
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale,
    ))
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
    plain_decimal(text)
        .or_else(|| text.parse::<Decimal>().ok())
        .or_else(|| Decimal::from_scientific(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plain_decimal` gives what `Decimal`'s parser gives (value, scale and
    /// sign) on every text it reads, and declines the texts it does not: a
    /// sweep over signs, lengths up to 20 digits, every place of the point,
    /// leading and trailing zeros, and texts that are not plain.
    #[test]
    fn a_plain_decimal_reads_as_decimals_parser_reads_it() {
        let parser = |t: &str| t.parse::<Decimal>().ok();
        let same = |t: &str| {
            let read = plain_decimal(t);
            if let Some(d) = read {
                let want = parser(t).unwrap_or_else(|| panic!("{t:?}: the parser refuses it"));
                assert_eq!(
                    (d, d.scale(), d.is_sign_negative(), d.to_string()),
                    (
                        want,
                        want.scale(),
                        want.is_sign_negative(),
                        want.to_string()
                    ),
                    "{t:?}"
                );
            }
            read
        };
        let mut read = 0;
        for len in 1..=20usize {
            for digits in [
                "1234567890123456789012",
                "0000000000000000000000",
                "9999999999999999999999",
                "0070000000000000000500",
            ] {
                let digits = &digits[..len];
                for point in 0..=len {
                    for sign in ["", "-"] {
                        let text = match point {
                            0 => format!("{sign}{digits}"),
                            p => format!("{sign}{}.{}", &digits[..p], &digits[p..]),
                        };
                        if same(&text).is_some() {
                            read += 1;
                        }
                        assert_eq!(
                            same(&text).is_some(),
                            len <= 18
                                && point < len
                                && !(sign == "-" && digits.bytes().all(|b| b == b'0')),
                            "{text:?}"
                        );
                    }
                }
            }
        }
        assert!(read > 500, "{read}");
        for t in [
            "", "-", ".", ".5", "5.", "-.5", "+5", "1e3", "1E3", "1_000", "1.2.3", " 1", "1 ",
            "--1", "0x10", "١", "-0", "-0.00", "NaN",
        ] {
            assert_eq!(same(t), None, "{t:?}");
        }
        assert_eq!(same("0.00"), Some(Decimal::new(0, 2)));
        assert_eq!(same("-767.2"), Some(Decimal::new(-7672, 1)));
        assert_eq!(
            same("999999999999999999"),
            Some(Decimal::new(999_999_999_999_999_999, 0))
        );
    }

    /// The reading from the text agrees with `serde_json`'s (through its float
    /// and `zmij`'s shortest text) in value and in scale, on numbers inside
    /// and at the edges of the text reading's range; outside it, it gives none.
    #[test]
    fn a_plain_numbers_text_reads_as_serde_json_reads_it() {
        let serde = |text: &str| {
            serde_json::from_str::<OptionalNumber>(text)
                .ok()
                .and_then(|n| n.0)
        };
        let exact = |d: Decimal| (d.to_string(), d.scale());
        let mut rng = fastrand::Rng::with_seed(4);
        let (mut read, mut left) = (0, 0);
        for _ in 0..200_000 {
            let digits = |rng: &mut fastrand::Rng, n: usize| -> String {
                (0..n).map(|_| char::from(b'0' + rng.u8(..10))).collect()
            };
            let int_len = rng.usize(1..12);
            let mut int = digits(&mut rng, int_len);
            if rng.bool() || int.starts_with('0') {
                int = int.trim_start_matches('0').to_owned();
                if int.is_empty() || rng.u8(..3) == 0 {
                    int = "0".to_owned();
                }
            }
            let frac_len = rng.usize(0..18);
            let mut frac = digits(&mut rng, frac_len);
            if rng.u8(..3) == 0 {
                frac.push_str(&"0".repeat(rng.usize(1..4)));
            }
            if rng.u8(..3) == 0 {
                frac = format!("{}{frac}", "0".repeat(rng.usize(1..7)));
            }
            let sign = if rng.u8(..4) == 0 { "-" } else { "" };
            let text = if frac.is_empty() {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac}")
            };
            match plain_number(&text) {
                Some(d) => {
                    let want = serde(&text).unwrap_or_else(|| panic!("{text}: serde reads none"));
                    assert_eq!(exact(d), exact(want), "{text}");
                    read += 1;
                }
                None => left += 1,
            }
        }
        // Both sides reached.
        assert!(
            read > 50_000 && left > 20_000,
            "{read} read, {left} left to serde_json"
        );
        for (text, want) in [
            ("0.25", Some("0.25")),
            ("25.00", Some("25.0")),
            ("25", Some("25")),
            ("0", Some("0")),
            ("-0", None),
            ("0.00001", None),
            ("1e-5", None),
            ("12345678901.5", None),
        ] {
            assert_eq!(
                plain_number(text).map(|d| d.to_string()).as_deref(),
                want,
                "{text}"
            );
        }
    }

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
