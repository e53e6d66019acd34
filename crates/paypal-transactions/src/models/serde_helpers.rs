//! Decoding PayPal's money and dates.

use bookkeeping_core::{Currency, Money};
use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Parses a PayPal date-time: RFC 3339 (`2026-01-12T09:15:02Z`, `…+01:00`) or PayPal's own
/// form with an offset written without a colon (`2026-01-12T10:15:02+0100`), which a strict
/// RFC 3339 parser rejects.
///
/// ```
/// use paypal_transactions::models::parse_datetime;
/// use time::macros::datetime;
///
/// assert_eq!(parse_datetime("2021-07-04T17:13:23+0000")?, datetime!(2021-07-04 17:13:23 UTC));
/// assert_eq!(parse_datetime("2026-01-12T10:15:02+0100")?, datetime!(2026-01-12 09:15:02 UTC));
/// assert_eq!(parse_datetime("2026-01-12T09:15:02Z")?, datetime!(2026-01-12 09:15:02 UTC));
/// # Ok::<(), String>(())
/// ```
///
/// # Errors
/// A message naming the text when it is neither form.
pub fn parse_datetime(text: &str) -> Result<OffsetDateTime, String> {
    let t = text.trim();
    if let Ok(d) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(d);
    }
    if t.len() > 5 && t.is_char_boundary(t.len() - 5) {
        let (head, tail) = t.split_at(t.len() - 5);
        let b = tail.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[1..].iter().all(u8::is_ascii_digit) {
            let fixed = format!("{head}{}:{}", &tail[..3], &tail[3..]);
            if let Ok(d) = OffsetDateTime::parse(&fixed, &Rfc3339) {
                return Ok(d);
            }
        }
    }
    Err(format!("invalid date-time {text:?}"))
}

/// Formats an instant for a request parameter: UTC with seconds, `2026-01-01T00:00:00Z`.
pub fn format_request_time(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

/// Whether `value` matches PayPal's money pattern `^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$`.
fn is_money_value(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match frac {
        None => !int.is_empty() && all_digits(int),
        Some(f) => !f.is_empty() && all_digits(f) && all_digits(int),
    }
}

#[derive(Deserialize)]
struct RawMoney {
    currency_code: String,
    value: String,
}

fn to_money(raw: RawMoney) -> Result<Money, String> {
    let currency = Currency::new(&raw.currency_code)
        .map_err(|_| format!("invalid currency_code {:?}", raw.currency_code))?;
    if raw.value.len() > 32 || !is_money_value(&raw.value) {
        return Err(format!("invalid money value {:?}", raw.value));
    }
    Money::parse(&raw.value, currency).map_err(|e| e.to_string())
}

/// Parses a money value text in `currency` with PayPal's rules (decimal string, no float).
pub(crate) fn parse_money(value: &str, currency: Currency) -> Result<Money, String> {
    to_money(RawMoney {
        currency_code: currency.code().to_owned(),
        value: value.to_owned(),
    })
}

pub(crate) mod money {
    use super::*;

    pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        to_money(RawMoney::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    pub(crate) fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        Option::<RawMoney>::deserialize(d)?
            .map(to_money)
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

pub(crate) mod date {
    use super::*;

    pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let s = String::deserialize(d)?;
        parse_datetime(&s).map_err(serde::de::Error::custom)
    }

    pub(crate) fn option<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| parse_datetime(&s))
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_pattern_follows_the_spec() {
        for ok in ["0", "-3", "1250.00", "-46.13", ".5", "-.5", "100"] {
            assert!(is_money_value(ok), "{ok}");
        }
        for bad in ["", "-", "1.", "1e5", "+1", "1,00", " 1", "1.2.3", "NaN"] {
            assert!(!is_money_value(bad), "{bad}");
        }
    }

    #[test]
    fn dates_with_and_without_colon() {
        let a = parse_datetime("2026-01-12T10:15:02+0100").unwrap();
        let b = parse_datetime("2026-01-12T10:15:02+01:00").unwrap();
        let c = parse_datetime("2026-01-12T01:15:02-0800").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(parse_datetime("2026-01-12 10:15:02").is_err());
        assert!(parse_datetime("2026-01-12T10:15:02+01").is_err());
    }

    #[test]
    fn request_times_are_utc_with_z() {
        let t = parse_datetime("2026-03-01T00:00:00+0100").unwrap();
        assert_eq!(format_request_time(t), "2026-02-28T23:00:00Z");
    }
}
