//! `exchange-rates`: the published exchange rates a Swedish month close
//! needs, as rate sources the mapper can use.
//!
//! - [`RiksbankRates`]: Sveriges Riksbank's daily mid rates (SWEA API, series
//!   `SEK<CCY>PMI`, SEK per unit), the default for booking foreign-currency
//!   amounts in SEK. Cached per day and currency; a weekend or bank holiday
//!   takes the last rate published before it (at most
//!   [`MAX_LOOKBACK_DAYS`] back).
//! - [`EcbRates`]: the ECB's euro reference rates, which the OSS return must
//!   use: the rate of the period's last day, or of the next day of
//!   publication ([`EcbRates::oss_rate`], [`journal_mapping::EuroRates`]).
//!
//! Both implement [`journal_mapping::ExchangeRates`]. The trait is
//! synchronous (the mapper is), so a host fetches first
//! ([`RiksbankRates::prefetch`], [`EcbRates::load`]) and maps after; a date
//! that was not fetched is `None`, which the mapper reports for review.
//! Every request goes through `provider-http`: timeouts, retries with
//! backoff honouring `Retry-After`, typed errors ([`RatesError`]).
//!
//! ```no_run
//! use bookkeeping_core::Currency;
//! use exchange_rates::{RiksbankClient, RiksbankRates};
//! use journal_mapping::ExchangeRates;
//! use time::macros::date;
//!
//! # async fn run() -> Result<(), exchange_rates::RatesError> {
//! let rates = RiksbankRates::new(RiksbankClient::builder().build()?);
//! rates
//!     .prefetch([Currency::EUR, Currency::USD], date!(2026 - 03 - 01), date!(2026 - 03 - 31))
//!     .await?;
//! let eur = rates.sek_per_unit(Currency::EUR, date!(2026 - 03 - 14)); // a Saturday: Friday's rate
//! # Ok(()) }
//! ```
//!
//! Dependencies: `provider-http` (every request), `journal-mapping` (the
//! rate traits), `bookkeeping-core`, `rust_decimal` (rates parsed from their
//! text, never through `f64`; `serde_json`'s `raw_value` keeps a JSON number's
//! text), `time`, `serde`, `thiserror`, `tracing`. The ECB's XML is read by a
//! small scanner instead of an XML library (see [`parse_eurofxref`]).
#![deny(missing_docs)]

mod ecb;
mod error;
mod published;
mod riksbank;

pub use ecb::{
    ECB_API, EcbClient, EcbClientBuilder, EcbRates, HIST_90D_PATH, HIST_PATH, parse_eurofxref,
};
pub use error::RatesError;
pub use published::{MAX_LOOKBACK_DAYS, PublishedRates, RateSource};
pub use riksbank::{RIKSBANK_API, RiksbankClient, RiksbankClientBuilder, RiksbankRates, series_id};

/// Whether `rate` is one `source` publishes: at least 10^-6, and at most
/// 10 000 SEK per unit from the Riksbank or 1 000 000 units per euro from
/// the ECB. Every published rate is far inside (the Riksbank's largest is
/// some 30 SEK per Kuwaiti dinar, the ECB's some 18 000 rupiah per euro).
/// A rate outside is refused as malformed: an amount kassabok books
/// ([`MAX_AMOUNT`](bookkeeping_core::bounds::MAX_AMOUNT)) converted at it
/// could overflow, or book nonsense.
///
/// ```
/// use exchange_rates::{RateSource, is_plausible_rate};
/// use rust_decimal::Decimal;
///
/// assert!(is_plausible_rate(Decimal::new(112448, 4), RateSource::Riksbank));
/// assert!(is_plausible_rate(Decimal::new(18_000, 0), RateSource::Ecb));
/// assert!(!is_plausible_rate(Decimal::new(18_000, 0), RateSource::Riksbank));
/// assert!(!is_plausible_rate(Decimal::ZERO, RateSource::Ecb));
/// assert!(!is_plausible_rate(Decimal::new(-1, 0), RateSource::Riksbank));
/// assert!(!is_plausible_rate(Decimal::MAX, RateSource::Ecb));
/// assert!(!is_plausible_rate(Decimal::new(1, 28), RateSource::Ecb));
/// ```
pub fn is_plausible_rate(rate: rust_decimal::Decimal, source: RateSource) -> bool {
    use rust_decimal::Decimal;
    let max = match source {
        RateSource::Riksbank => Decimal::new(10_000, 0),
        RateSource::Ecb => Decimal::new(1_000_000, 0),
    };
    (Decimal::new(1, 6)..=max).contains(&rate)
}
