//! [`PublishedRates`]: the observations a source published, and the rules that
//! pick one for a date.

use std::collections::BTreeMap;

use bookkeeping_core::Currency;
use rust_decimal::Decimal;
use time::{Date, Duration};

/// How far back a missing day looks for the last published rate. Long enough
/// for the longest run of Swedish bank holidays (Christmas Eve to the Sunday
/// after Boxing Day, Easter's Friday to Monday); a longer gap means the source
/// stopped publishing, and is an error rather than a stale rate.
pub const MAX_LOOKBACK_DAYS: i64 = 7;

/// The rates one source published, per currency and publication day, in the
/// source's own quotation (see [`RateSource`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishedRates {
    observations: BTreeMap<(Currency, Date), Decimal>,
    /// Date ranges already asked for, per currency: a day inside one with no
    /// observation was not published (weekend, holiday), not unknown.
    asked: BTreeMap<Currency, Vec<(Date, Date)>>,
}

impl PublishedRates {
    /// An empty table.
    pub fn new() -> Self {
        PublishedRates::default()
    }

    /// Records that the source was asked for `currency` over `from..=to` and
    /// answered `observations` (publication day, rate).
    pub fn record(
        &mut self,
        currency: Currency,
        from: Date,
        to: Date,
        observations: impl IntoIterator<Item = (Date, Decimal)>,
    ) {
        for (day, rate) in observations {
            self.observations.insert((currency, day), rate);
        }
        self.asked.entry(currency).or_default().push((from, to));
    }

    /// Whether `from..=to` was asked for `currency` (in one request).
    pub fn covers(&self, currency: Currency, from: Date, to: Date) -> bool {
        self.asked
            .get(&currency)
            .is_some_and(|r| r.iter().any(|(f, t)| *f <= from && to <= *t))
    }

    /// The rate published on `date`, if any.
    pub fn on(&self, currency: Currency, date: Date) -> Option<Decimal> {
        self.observations.get(&(currency, date)).copied()
    }

    /// The last rate published on or before `date`, at most
    /// [`MAX_LOOKBACK_DAYS`] earlier: the rule for a weekend or a holiday.
    /// `None` when the days before `date` were not asked for, or nothing was
    /// published in them.
    pub fn last_published(&self, currency: Currency, date: Date) -> Option<(Date, Decimal)> {
        let from = date - Duration::days(MAX_LOOKBACK_DAYS);
        if !self.covers(currency, from, date) {
            return None;
        }
        self.observations
            .range((currency, from)..=(currency, date))
            .next_back()
            .map(|((_, d), r)| (*d, *r))
    }

    /// The rate published on `date` or, if none was, on the next day of
    /// publication (at most [`MAX_LOOKBACK_DAYS`] later): the OSS rule.
    pub fn same_or_next_published(
        &self,
        currency: Currency,
        date: Date,
    ) -> Option<(Date, Decimal)> {
        let to = date + Duration::days(MAX_LOOKBACK_DAYS);
        self.observations
            .range((currency, date)..=(currency, to))
            .next()
            .map(|((_, d), r)| (*d, *r))
    }

    /// The earliest and latest publication day held for `currency`.
    pub fn span(&self, currency: Currency) -> Option<(Date, Date)> {
        let mut days = self
            .observations
            .range((currency, Date::MIN)..=(currency, Date::MAX))
            .map(|((_, d), _)| *d);
        let first = days.next()?;
        Some((first, days.next_back().unwrap_or(first)))
    }

    /// The number of observations held.
    pub fn len(&self) -> usize {
        self.observations.len()
    }

    /// Whether no observation is held.
    pub fn is_empty(&self) -> bool {
        self.observations.is_empty()
    }
}

/// Which source a rate came from, and how it quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RateSource {
    /// Sveriges Riksbank's daily mid rates (SWEA series `SEK<CCY>PMI`):
    /// SEK per one unit of the currency.
    Riksbank,
    /// The ECB's euro foreign exchange reference rates: units of the currency
    /// per one euro.
    Ecb,
}

impl RateSource {
    /// A stable lower-case name (`riksbank`, `ecb`).
    pub fn as_str(&self) -> &'static str {
        match self {
            RateSource::Riksbank => "riksbank",
            RateSource::Ecb => "ecb",
        }
    }
}

impl std::fmt::Display for RateSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weekends_take_the_last_published_and_the_oss_rule_the_next() {
        let mut t = PublishedRates::new();
        // Friday 27 and Monday 30 March 2026 published; the weekend not.
        t.record(
            Currency::EUR,
            date!(2026 - 03 - 20),
            date!(2026 - 04 - 02),
            [
                (date!(2026 - 03 - 27), Decimal::new(11_0500, 4)),
                (date!(2026 - 03 - 30), Decimal::new(11_0700, 4)),
            ],
        );
        let sat = date!(2026 - 03 - 28);
        assert_eq!(
            t.last_published(Currency::EUR, sat),
            Some((date!(2026 - 03 - 27), Decimal::new(11_0500, 4)))
        );
        assert_eq!(
            t.same_or_next_published(Currency::EUR, sat),
            Some((date!(2026 - 03 - 30), Decimal::new(11_0700, 4)))
        );
        // Days before the range asked for are unknown, not "not published".
        assert_eq!(t.last_published(Currency::EUR, date!(2026 - 03 - 21)), None);
        assert_eq!(t.last_published(Currency::USD, sat), None);
    }
}
