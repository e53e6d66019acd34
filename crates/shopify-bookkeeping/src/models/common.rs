//! Money, connections and tax lines shared by orders and payouts.

use bookkeeping_core::text::Text;
use bookkeeping_core::{Currency, Money, MoneyError};
use provider_http::decimal::OptionalNumber;
use provider_http::scan::{self, Declined, Key, Scan, Scannable, Scanner};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Shopify's `MoneyV2`: a decimal amount (sent as a string) and its currency.
///
/// The currency is read as a [`Currency`] (three letters, no allocation): an
/// order holds dozens of these, and a code that is not three letters makes
/// the order fail to decode, which reports it with its id and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyV2 {
    /// The amount (`"767.2"`: trailing zeros may be missing).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The ISO 4217 code.
    pub currency_code: Currency,
}

impl MoneyV2 {
    /// As a core [`Money`].
    ///
    /// # Errors
    /// None today (the code was checked when the model was decoded); kept a
    /// `Result` for the callers that convert amounts in one `?` chain.
    /// Shopify drops trailing zeros (`"39.2"`); the amount is written with
    /// the currency's decimals (`39.20`) when that is exact.
    pub fn to_money(&self) -> Result<Money, MoneyError> {
        let currency = self.currency_code;
        Ok(Money::new(
            with_minor_scale(self.amount, currency),
            currency,
        ))
    }
}

/// Shopify's `MoneyBag`: an amount in the shop's currency and in the
/// customer's (presentment) currency. Bookkeeping uses only `shopMoney` (a
/// sale is booked in the shop's currency), and only it is selected: the
/// presentment amounts were half of an order's money values and a quarter
/// of an order page's bytes, never booked. An answer that has them anyway
/// (an older query's) still reads: the key is skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyBag {
    /// In the shop's currency.
    pub shop_money: MoneyV2,
}

/// A decimal sent as a string.
#[derive(Deserialize)]
struct DecimalText(#[serde(with = "rust_decimal::serde::str")] Decimal);

// The scanner's reading of the wrappers (`provider_http::scan`, the fast
// path of `OrdersPage::decode`): the same readers, or serde itself.

impl Scannable for DecimalText {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        // An amount is a plain decimal: Shopify's `Decimal` scalar "is
        // serialized as a string" (`"29.99"`, `"29.999"`, 2026-01 schema),
        // read straight into its digits; any other text by `rust_decimal`'s
        // serde reader, as serde reads it.
        let text = s.str()?;
        match provider_http::decimal::plain_decimal(&text) {
            Some(amount) => Ok(DecimalText(amount)),
            None => scan::read_str(&text, |text| rust_decimal::serde::str::deserialize(text))
                .map(DecimalText),
        }
    }
}

// `MoneyV2` and `MoneyBag` are most of the keys of an order page: their keys
// are matched as bytes (`provider_http::fields!`), with the rules of serde's
// derive.

provider_http::fields! {
    MoneyV2 {
        amount: b"amount" as DecimalText => required,
        currency_code: b"currencyCode" => required,
    }
}

provider_http::fields! {
    MoneyBag {
        shop_money: b"shopMoney" as ShopMoney => required,
    }
}

/// A `MoneyBag`'s `shopMoney`, read by the scanner in Shopify's own shape
/// when it has it: `{"amount":"767.2","currencyCode":"SEK"}`, the fields in
/// the order the query selects them (`fragment Money on MoneyV2 { amount
/// currencyCode }`; GraphQL answers a selection's fields in its order),
/// read in one go instead of key by key (an order holds eleven; key by key
/// they were a sixth of an order page's decoding). Any other shape (other
/// keys or order, whitespace, an escaped key, an amount that is not a plain
/// decimal) is read by `MoneyV2`'s general reading, as before.
struct ShopMoney(MoneyV2);

impl<'de> Deserialize<'de> for ShopMoney {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        MoneyV2::deserialize(d).map(ShopMoney)
    }
}

impl Scannable for ShopMoney {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        let mut ahead = s.clone();
        if let Some(money) = compact_money(&mut ahead) {
            *s = ahead;
            return Ok(ShopMoney(money));
        }
        MoneyV2::scan(s).map(ShopMoney)
    }
}

/// A `MoneyV2` in Shopify's shape ([`ShopMoney`]), if it is next.
fn compact_money(s: &mut Scanner<'_>) -> Option<MoneyV2> {
    if !s.eat(br#"{"amount":"#) {
        return None;
    }
    let amount = provider_http::decimal::plain_decimal(&s.str().ok()?)?;
    if !s.eat(br#","currencyCode":"#) {
        return None;
    }
    let currency_code = Currency::scan(s).ok()?;
    s.eat(b"}").then_some(MoneyV2 {
        amount,
        currency_code,
    })
}

/// Relay page information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Whether another page follows.
    pub has_next_page: bool,
    /// The cursor of the last node, to ask for the next page with.
    pub end_cursor: Option<String>,
}

/// A connection (`{ pageInfo, nodes }`) nested in an object, such as an
/// order's line items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    /// Page information; `has_next_page` means the selection was cut short.
    pub page_info: PageInfo,
    /// The nodes.
    pub nodes: Vec<T>,
}

/// No nodes and no further page.
/// As the derive reads it: both keys (`endCursor` may be absent: `None`),
/// each once.
impl Scannable for PageInfo {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        // In the order the queries select them (`pageInfo { hasNextPage
        // endCursor }`), as GraphQL writes them.
        const KEYS: &[Key] = &[Key::new(b"hasNextPage"), Key::new(b"endCursor")];
        let (mut has_next_page, mut end_cursor) = (None, None);
        s.object_of(KEYS, |s, index, key| match index {
            0 => scan::once(&mut has_next_page, s.bool()),
            1 => scan::once(&mut end_cursor, Scannable::scan(s)),
            _ => s.skip_field(key),
        })?;
        Ok(PageInfo {
            has_next_page: has_next_page.ok_or(Declined)?,
            end_cursor: end_cursor.flatten(),
        })
    }
}

/// As the derive reads it: both keys required, each once.
impl<T: Scannable> Scannable for Connection<T> {
    fn scan(s: &mut Scanner<'_>) -> Scan<Self> {
        Self::scan_with_room(s, 0)
    }
}

impl<T: Scannable> Connection<T> {
    /// [`Scannable::scan`], its nodes read into a `Vec` with room for
    /// `room` of them: a page of orders, asked for `first: 250`, then
    /// fills it without growing it (each growth a copy of the orders read).
    pub(crate) fn scan_with_room(s: &mut Scanner<'_>, room: usize) -> Scan<Self> {
        // In the order the queries select them (`pageInfo { … } nodes {
        // … }`), as GraphQL writes them.
        const KEYS: &[Key] = &[Key::new(b"pageInfo"), Key::new(b"nodes")];
        let (mut page_info, mut nodes) = (None, None);
        s.object_of(KEYS, |s, index, key| match index {
            0 => scan::once(&mut page_info, Scannable::scan(s)),
            1 => {
                let mut read = Vec::with_capacity(room);
                let all = s.array(|s| {
                    read.push(T::scan(s)?);
                    Ok(())
                });
                scan::once(&mut nodes, all.map(|()| read))
            }
            _ => s.skip_field(key),
        })?;
        Ok(Connection {
            page_info: page_info.ok_or(Declined)?,
            nodes: nodes.ok_or(Declined)?,
        })
    }
}

impl<T> Default for Connection<T> {
    fn default() -> Self {
        Connection {
            page_info: PageInfo::default(),
            nodes: Vec::new(),
        }
    }
}

/// The tax lines of a line item, a shipping line or an order: held in place
/// when there is one, as there mostly is (one rate a line), so that reading
/// an order's lines allocates no list for them (an allocation for each line
/// and the order's own was a third of an order's allocations). Reads as a
/// slice.
pub type TaxLines = smallvec::SmallVec<[TaxLine; 1]>;

/// Shopify's `TaxLine`: one tax on a line item or shipping line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxLine {
    /// The tax's name (`"Moms"`, `"DE MwSt"`).
    pub title: Text,
    /// The rate as a fraction (`0.25`); a GraphQL `Float`, read as a decimal.
    #[serde(default, deserialize_with = "provider_http::decimal::option")]
    pub rate: Option<Decimal>,
    /// The rate in percent (`25.0`).
    #[serde(default, deserialize_with = "provider_http::decimal::option")]
    pub rate_percentage: Option<Decimal>,
    /// The tax amount.
    pub price_set: MoneyBag,
    /// Whether the sales channel (a marketplace) is liable for the tax.
    pub channel_liable: Option<bool>,
}

provider_http::fields! {
    TaxLine {
        title: b"title" => required,
        rate: b"rate" as OptionalNumber => optional,
        rate_percentage: b"ratePercentage" as OptionalNumber => optional,
        channel_liable: b"channelLiable" => optional,
        price_set: b"priceSet" => required,
    }
}

impl TaxLine {
    /// The rate in percent, from `ratePercentage` or else `rate`, rounded to
    /// four decimals (Shopify sends floats). `None` without either, or when
    /// `rate` × 100 is beyond what a `Decimal` holds (a provider's number is
    /// input: the multiplication is checked, never a panic).
    pub fn percent(&self) -> Option<Decimal> {
        self.rate_percentage
            .or_else(|| self.rate.and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED)))
            .map(|p| p.round_dp(4).normalize())
    }
}

/// `amount` with at least the currency's number of decimals (never rounded).
pub(crate) fn with_minor_scale(mut amount: Decimal, currency: Currency) -> Decimal {
    if let Some(exp) = currency.exponent()
        && amount.scale() < exp
    {
        // Every amount an order holds comes through here: its digits are
        // moved by one multiplication of its low 64 bits (`Decimal::rescale`
        // works through all 96, and with the currency's lookup was about
        // 1 % of the paged pipeline's time by `perf`). A zero, or a mantissa
        // beyond 64 bits, keeps `rescale` (a negative zero keeps its sign
        // there).
        let bytes = amount.serialize();
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let (lo, mid, hi) = (word(4), word(8), word(12));
        let moved = (hi == 0)
            .then(|| u64::from(lo) | (u64::from(mid) << 32))
            .filter(|m| *m != 0)
            .and_then(|m| m.checked_mul(10_u64.pow(exp - amount.scale())));
        match moved {
            #[allow(clippy::cast_possible_truncation)] // the two words of a u64
            Some(m) => {
                let negative = amount.is_sign_negative();
                return Decimal::from_parts(m as u32, (m >> 32) as u32, 0, negative, exp);
            }
            None => amount.rescale(exp),
        }
    }
    amount
}

/// Zero with the currency's decimals (`0.00 SEK`).
pub(crate) fn zero(currency: Currency) -> Money {
    let zero = match currency.exponent() {
        Some(exp) => Decimal::new(0, exp),
        None => Decimal::ZERO,
    };
    Money::new(zero, currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digits moved to the currency's scale are exactly what
    /// `Decimal::rescale` gives (value, scale and sign, a negative zero
    /// too), for every scale below the currency's and mantissas up to
    /// the largest; `zero` is `rescale`'s zero.
    #[test]
    fn amounts_get_the_currencys_scale_as_rescale_gives_it() {
        let rescaled = |amount: Decimal, currency: Currency| {
            let mut expected = amount;
            if let Some(exp) = currency.exponent()
                && amount.scale() < exp
            {
                expected.rescale(exp);
            }
            expected
        };
        let mantissas = [
            0_i128,
            1,
            -1,
            392,
            -76_720,
            i128::from(i64::MAX),
            (1_i128 << 96) - 1,
            -((1_i128 << 96) - 1),
            (1_i128 << 96) / 10 + 7,
        ];
        for currency in [
            Currency::SEK,
            Currency::new("JPY").unwrap(),
            Currency::new("KWD").unwrap(),
            Currency::new("XXX").unwrap(),
        ] {
            for m in mantissas {
                for scale in 0..6 {
                    let mut amount = Decimal::from_i128_with_scale(m, scale);
                    for negative in [false, true] {
                        amount.set_sign_negative(negative);
                        let got = with_minor_scale(amount, currency);
                        let expected = rescaled(amount, currency);
                        assert_eq!(got.serialize(), expected.serialize(), "{amount} {currency}");
                    }
                }
            }
            assert_eq!(
                zero(currency).amount().serialize(),
                rescaled(Decimal::ZERO, currency).serialize()
            );
        }
    }

    /// A tax line without a rate (Shopify leaves out what it has not got)
    /// decodes with `None`, serde's rule for an absent `Option`, also where
    /// the decimal reader is named; a rate given as a float keeps its digits.
    #[test]
    fn absent_optional_fields_decode_as_none() {
        let money =
            serde_json::json!({ "shopMoney": { "amount": "25.00", "currencyCode": "SEK" } });
        let bare: TaxLine =
            serde_json::from_value(serde_json::json!({ "title": "Moms", "priceSet": money }))
                .unwrap();
        assert_eq!(
            (bare.rate, bare.rate_percentage, bare.channel_liable),
            (None, None, None)
        );
        let rated: TaxLine = serde_json::from_value(serde_json::json!({
            "title": "Moms", "rate": 0.12, "ratePercentage": 12.0, "priceSet": money,
        }))
        .unwrap();
        assert_eq!(rated.rate, Some(Decimal::new(12, 2)));
        assert_eq!(rated.rate_percentage, Some(Decimal::new(12, 0)));
    }

    /// Shopify's shape of a money value is read in one go, and every bag
    /// reads as serde reads it, in that shape or any other (whitespace, the
    /// keys the other way round, an extra key, an escape, an amount that
    /// is not plain, a code that is not three letters, a missing field):
    /// the same value, or refused by both.
    #[test]
    fn shopifys_money_shape_reads_as_serde_reads_every_shape() {
        let compact = |text: &str| compact_money(&mut Scanner::new(text.as_bytes()));
        assert_eq!(
            compact(r#"{"amount":"767.2","currencyCode":"SEK"}"#),
            Some(MoneyV2 {
                amount: Decimal::new(7672, 1),
                currency_code: Currency::SEK
            })
        );
        let shapes = [
            r#"{"amount":"767.2","currencyCode":"SEK"}"#,
            r#"{"amount":"-0.50","currencyCode":"eur"}"#,
            r#"{ "amount" : "767.2" , "currencyCode" : "SEK" }"#,
            r#"{"currencyCode":"SEK","amount":"767.2"}"#,
            r#"{"amount":"767.2","currencyCode":"SEK","extra":[1,{"a":null}]}"#,
            r#"{"amount":"7\u00367.2","currencyCode":"SEK"}"#,
            r#"{"amount":"1e3","currencyCode":"SEK"}"#,
            r#"{"amount":"-0","currencyCode":"SEK"}"#,
            r#"{"amount":"1.5","currencyCode":"SEKR"}"#,
            r#"{"amount":"1.5","currencyCode":"S\u0045K"}"#,
            r#"{"amount":"1.5"}"#,
            r#"{"amount":"x","currencyCode":"SEK"}"#,
            r#"{"amount":1.5,"currencyCode":"SEK"}"#,
            r#"{"amount":"1.5","currencyCode":"SEK""#,
            r#"{"amount":"1.5","currencyCode":"SEK","amount":"2"}"#,
            // The 2026-01 schema's examples of its `Decimal` scalar.
            r#"{"amount":"29.99","currencyCode":"SEK"}"#,
            r#"{"amount":"29.999","currencyCode":"SEK"}"#,
        ];
        for shape in shapes {
            let bag = format!(r#"{{"shopMoney":{shape}}}"#);
            // The scanner's own reading (not `scan::from_slice`, which
            // hands what the scanner declines to serde): what it reads,
            // serde reads the same; what it declines, serde reads or refuses.
            let mut s = Scanner::new(bag.as_bytes());
            let scanned = MoneyBag::scan(&mut s).ok().filter(|_| s.end().is_ok());
            let by_serde = serde_json::from_str::<MoneyBag>(&bag).ok();
            if scanned.is_some() {
                assert_eq!(scanned, by_serde, "{bag}");
            }
            let amounts = |m: &MoneyBag| {
                (
                    m.shop_money.amount.scale(),
                    m.shop_money.amount.is_sign_negative(),
                )
            };
            if scanned.is_some() {
                assert_eq!(
                    scanned.as_ref().map(amounts),
                    by_serde.as_ref().map(amounts),
                    "{bag}"
                );
            }
            // Every shape serde reads here, the scanner reads too.
            assert_eq!(scanned.is_some(), by_serde.is_some(), "{bag}");
        }
        // Read in one go: Shopify's shape, also with a code in lower case or
        // an escape inside a value (the string reader decodes it); the rest
        // the general way.
        for (i, shape) in shapes.iter().enumerate() {
            assert_eq!(
                compact(shape).is_some(),
                [0, 1, 5, 9, 15, 16].contains(&i),
                "{shape}"
            );
        }
    }

    /// The presentment amount is never booked: it is skipped unread, so a
    /// bag decodes to its shop amount whatever the presentment side holds.
    #[test]
    fn presentment_money_is_skipped() {
        let bag: MoneyBag = serde_json::from_str(
            r#"{"shopMoney": {"amount": "39.2", "currencyCode": "SEK"},
                "presentmentMoney": {"amount": "3.45", "currencyCode": "EUR"}}"#,
        )
        .unwrap();
        assert_eq!(bag.shop_money.amount, Decimal::new(392, 1));
        assert_eq!(bag.shop_money.currency_code, Currency::SEK);
        let err = serde_json::from_str::<MoneyBag>(r#"{"presentmentMoney": null}"#).unwrap_err();
        assert!(
            err.to_string().starts_with("missing field `shopMoney`"),
            "{err}"
        );
    }
}
