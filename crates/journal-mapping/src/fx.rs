//! Exchange rates to SEK, supplied by the host.

use std::collections::BTreeMap;
use std::sync::Arc;

use bookkeeping_core::Currency;
use rust_decimal::Decimal;
use time::Date;

/// SEK per unit of a currency on a date, e.g. Riksbanken's daily rates.
///
/// The host supplies it; the mapper asks for the sale date's rate when it books
/// a foreign-currency sale, and for the settlement date's rate when money
/// arrives in a foreign currency. Where a provider converted the money itself,
/// its own rate (the SEK amounts it paid) wins, and the difference to the
/// booked receivable goes to 3960/7960.
pub trait ExchangeRates {
    /// SEK per one unit of `currency` on `date`, or `None` when unknown (the
    /// mapper then raises a review item). Never asked for SEK.
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal>;
}

impl<T: ExchangeRates + ?Sized> ExchangeRates for &T {
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal> {
        (**self).sek_per_unit(currency, date)
    }
}

impl<T: ExchangeRates + ?Sized> ExchangeRates for Box<T> {
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal> {
        (**self).sek_per_unit(currency, date)
    }
}

impl<T: ExchangeRates + ?Sized> ExchangeRates for Arc<T> {
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal> {
        (**self).sek_per_unit(currency, date)
    }
}

/// A fixed table of rates: each rate applies from its date until the next
/// rate of the same currency (the last one applies onwards). For tests and for
/// hosts that load a file of daily rates.
///
/// ```
/// use bookkeeping_core::Currency;
/// use journal_mapping::{ExchangeRates, FixedRates};
/// use rust_decimal::Decimal;
/// use time::macros::date;
///
/// let rates = FixedRates::new()
///     .with(Currency::EUR, date!(2026-03-01), Decimal::new(1150, 2))
///     .with(Currency::EUR, date!(2026-03-15), Decimal::new(1120, 2));
/// assert_eq!(rates.sek_per_unit(Currency::EUR, date!(2026-03-14)), Some(Decimal::new(1150, 2)));
/// assert_eq!(rates.sek_per_unit(Currency::EUR, date!(2026-04-02)), Some(Decimal::new(1120, 2)));
/// assert_eq!(rates.sek_per_unit(Currency::EUR, date!(2026-02-28)), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixedRates {
    rates: BTreeMap<(Currency, Date), Decimal>,
}

impl FixedRates {
    /// An empty table (only SEK converts).
    pub fn new() -> Self {
        FixedRates::default()
    }

    /// Adds a rate valid from `from`.
    #[must_use]
    pub fn with(mut self, currency: Currency, from: Date, sek_per_unit: Decimal) -> Self {
        self.rates.insert((currency, from), sek_per_unit);
        self
    }
}

impl ExchangeRates for FixedRates {
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal> {
        if currency == Currency::SEK {
            return Some(Decimal::ONE);
        }
        self.rates
            .range((currency, Date::MIN)..=(currency, date))
            .next_back()
            .map(|(_, r)| *r)
    }
}

/// Units of a currency per euro, by the rule of the EU VAT return schemes
/// (OSS, IOSS): the ECB's rate published on the period's last day or, if
/// none was, on the next day of publication.
///
/// `exchange-rates`' `EcbRates` implements it; a closure does for tests.
///
/// ```
/// use bookkeeping_core::Currency;
/// use journal_mapping::EuroRates;
/// use rust_decimal::Decimal;
/// use time::{Date, macros::date};
///
/// // 31 March 2024 was a Sunday: the next publication, 2 April (Easter Monday was a TARGET holiday).
/// let ecb = |c: Currency, _last: Date| (c == Currency::SEK).then(|| (date!(2024 - 04 - 02), Decimal::new(115_800, 4)));
/// assert_eq!(ecb.oss_rate(Currency::SEK, date!(2024 - 03 - 31)).map(|(d, _)| d), Some(date!(2024 - 04 - 02)));
/// ```
pub trait EuroRates {
    /// Units of `currency` per euro for a period ending on `last_day`, with
    /// the publication day used; `None` when not (yet) published.
    fn oss_rate(&self, currency: Currency, last_day: Date) -> Option<(Date, Decimal)>;
}

impl<F: Fn(Currency, Date) -> Option<(Date, Decimal)>> EuroRates for F {
    fn oss_rate(&self, currency: Currency, last_day: Date) -> Option<(Date, Decimal)> {
        self(currency, last_day)
    }
}

impl<T: EuroRates + ?Sized> EuroRates for Arc<T> {
    fn oss_rate(&self, currency: Currency, last_day: Date) -> Option<(Date, Decimal)> {
        (**self).oss_rate(currency, last_day)
    }
}
