//! Accounting periods: dates in Europe/Stockholm, instants in UTC.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};
use time_tz::{OffsetResult, PrimitiveDateTimeExt, timezones};

/// The time zone of Swedish bookkeeping. Providers speak UTC; a sale at
/// 23:30 UTC on 31 March is booked on 1 April in Stockholm.
pub fn stockholm() -> &'static time_tz::Tz {
    timezones::db::europe::STOCKHOLM
}

/// The Europe/Stockholm calendar date of an instant.
///
/// ```
/// use bookkeeping_core::stockholm_date;
/// use time::macros::{date, datetime};
///
/// assert_eq!(stockholm_date(datetime!(2026-03-31 22:30 UTC)), date!(2026-04-01));
/// assert_eq!(stockholm_date(datetime!(2026-01-31 22:30 UTC)), date!(2026-01-31));
/// // The year 10000 in Stockholm: the last date there is.
/// assert_eq!(stockholm_date(datetime!(9999-12-31 23:30 UTC)), date!(9999-12-31));
/// ```
pub fn stockholm_date(instant: OffsetDateTime) -> Date {
    const UNIX_EPOCH_JULIAN_DAY: i32 = OffsetDateTime::UNIX_EPOCH.date().to_julian_day();
    let offset = stockholm_offset(instant);
    // The local day counted from the epoch: the date without converting the
    // whole date-time to the offset (asked for every record).
    let local = instant.unix_timestamp() + i64::from(offset.whole_seconds());
    // A provider's instant in the last hour of the year 9999 (UTC) is in the
    // year 10000 in Stockholm, which `time` cannot hold: its date is the
    // last there is, after every period.
    i32::try_from(i64::from(UNIX_EPOCH_JULIAN_DAY) + local.div_euclid(86_400))
        .ok()
        .and_then(|day| Date::from_julian_day(day).ok())
        .unwrap_or(Date::MAX)
}

/// Stockholm's offset from UTC at `instant`. Every record's date is asked
/// for, often several times, and a time-zone lookup is a binary search of
/// the zone's transitions: the offset of the last UTC day looked up is kept
/// (per thread), for a day whose offset was found the same at its first and
/// last second (Stockholm's offsets change months apart, so no day holds
/// two changes; a day that holds one is looked up second by second).
fn stockholm_offset(instant: OffsetDateTime) -> time::UtcOffset {
    use std::cell::Cell;
    use time_tz::{Offset, TimeZone};
    thread_local! {
        static LAST_DAY: Cell<Option<(i64, time::UtcOffset)>> = const { Cell::new(None) };
    }
    let lookup = |at: OffsetDateTime| stockholm().get_offset_utc(&at).to_utc();
    const DAY: i64 = 86_400;
    let day = instant.unix_timestamp().div_euclid(DAY);
    if let Some((known, offset)) = LAST_DAY.get()
        && known == day
    {
        return offset;
    }
    let offset = lookup(instant);
    let at = |second: i64| {
        day.checked_mul(DAY)
            .and_then(|start| start.checked_add(second))
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
    };
    if let (Some(first), Some(last)) = (at(0), at(DAY - 1))
        && lookup(first) == offset
        && lookup(last) == offset
    {
        LAST_DAY.set(Some((day, offset)));
    }
    offset
}

/// The instant (in UTC) at which `date` begins in Europe/Stockholm.
pub fn stockholm_midnight(date: Date) -> OffsetDateTime {
    let local = PrimitiveDateTime::new(date, Time::MIDNIGHT);
    match local.assume_timezone(stockholm()) {
        OffsetResult::Some(t) | OffsetResult::Ambiguous(t, _) => t,
        // Swedish DST changes at 02:00/03:00, never at midnight; should the
        // rules ever change, the first instant after the gap is the start.
        OffsetResult::None => local.assume_timezone_utc(stockholm()),
    }
    .to_offset(time::UtcOffset::UTC)
}

/// An error building a [`Period`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodError {
    /// The end date is before the start date.
    #[error("period ends ({end}) before it starts ({start})")]
    EndBeforeStart {
        /// The first day.
        start: Date,
        /// The last day.
        end: Date,
    },
    /// A date outside what the calendar supports.
    #[error("date out of range")]
    OutOfRange,
}

/// A bookkeeping period: whole days from `first` to `last`, both inclusive,
/// in Europe/Stockholm.
///
/// ```
/// use bookkeeping_core::Period;
/// use time::{Month, macros::datetime};
///
/// let march = Period::month(2026, Month::March)?;
/// // Stockholm is UTC+1 until the last Sunday of March, UTC+2 after it.
/// assert_eq!(march.start_utc(), datetime!(2026-02-28 23:00 UTC));
/// assert_eq!(march.end_utc(), datetime!(2026-03-31 22:00 UTC));
/// assert!(march.contains(datetime!(2026-03-31 21:59:59 UTC)));
/// assert!(!march.contains(datetime!(2026-03-31 22:00 UTC)));
/// # Ok::<(), bookkeeping_core::PeriodError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PeriodFields")]
pub struct Period {
    first: Date,
    last: Date,
}

/// A [`Period`] as serde reads it, checked by [`Period::new`]: a stored
/// period whose last day is before its first is an error, as it is when
/// built in code.
#[derive(Deserialize)]
struct PeriodFields {
    first: Date,
    last: Date,
}

impl TryFrom<PeriodFields> for Period {
    type Error = PeriodError;

    fn try_from(fields: PeriodFields) -> Result<Self, PeriodError> {
        Period::new(fields.first, fields.last)
    }
}

impl Period {
    /// The days from `first` to `last`, inclusive.
    ///
    /// # Errors
    /// [`PeriodError::EndBeforeStart`] when `last < first`.
    pub fn new(first: Date, last: Date) -> Result<Self, PeriodError> {
        if last < first {
            return Err(PeriodError::EndBeforeStart {
                start: first,
                end: last,
            });
        }
        Ok(Period { first, last })
    }

    /// A calendar month.
    ///
    /// # Errors
    /// [`PeriodError::OutOfRange`] for years the calendar does not support.
    pub fn month(year: i32, month: Month) -> Result<Self, PeriodError> {
        let first =
            Date::from_calendar_date(year, month, 1).map_err(|_| PeriodError::OutOfRange)?;
        let last = Date::from_calendar_date(year, month, month.length(year))
            .map_err(|_| PeriodError::OutOfRange)?;
        Ok(Period { first, last })
    }

    /// The last full calendar month before the day `today`.
    ///
    /// `today` is a Stockholm date: a host that has the clock's instant
    /// takes [`Period::previous_month_at`], since the UTC date is still the
    /// month's last day for the first hour or two of the next month there.
    ///
    /// # Errors
    /// [`PeriodError::OutOfRange`] at the edge of the calendar.
    pub fn previous_month(today: Date) -> Result<Self, PeriodError> {
        let (year, month) = if today.month() == Month::January {
            (today.year() - 1, Month::December)
        } else {
            (today.year(), today.month().previous())
        };
        Period::month(year, month)
    }

    /// The last full calendar month in Stockholm before the instant `now`:
    /// a close scheduled at 00:30 on 1 April in Stockholm (22:30 UTC on 31
    /// March) closes March, where the UTC date would have closed February.
    ///
    /// ```
    /// use bookkeeping_core::Period;
    /// use time::{Month, macros::datetime};
    ///
    /// let just_after_midnight = datetime!(2026-03-31 22:30 UTC);
    /// assert_eq!(
    ///     Period::previous_month_at(just_after_midnight)?,
    ///     Period::month(2026, Month::March)?
    /// );
    /// # Ok::<(), bookkeeping_core::PeriodError>(())
    /// ```
    ///
    /// # Errors
    /// [`PeriodError::OutOfRange`] at the edge of the calendar.
    pub fn previous_month_at(now: OffsetDateTime) -> Result<Self, PeriodError> {
        Period::previous_month(stockholm_date(now))
    }

    /// The first day.
    pub fn first(&self) -> Date {
        self.first
    }

    /// The last day (inclusive).
    pub fn last(&self) -> Date {
        self.last
    }

    /// The instant the period starts, in UTC.
    pub fn start_utc(&self) -> OffsetDateTime {
        stockholm_midnight(self.first)
    }

    /// The instant just after the period ends (exclusive), in UTC.
    pub fn end_utc(&self) -> OffsetDateTime {
        match self.last.next_day() {
            Some(d) => stockholm_midnight(d),
            None => stockholm_midnight(self.last) + Duration::days(1),
        }
    }

    /// Whether the instant falls in the period (Stockholm dates).
    pub fn contains(&self, instant: OffsetDateTime) -> bool {
        instant >= self.start_utc() && instant < self.end_utc()
    }

    /// Whether the Stockholm date falls in the period.
    pub fn contains_date(&self, date: Date) -> bool {
        date >= self.first && date <= self.last
    }

    /// The number of days in the period.
    pub fn days(&self) -> i64 {
        (self.last - self.first).whole_days() + 1
    }

    /// Splits the period into consecutive windows of at most `max_days` days
    /// (PayPal's transaction search takes at most 31).
    pub fn windows(&self, max_days: u16) -> Vec<Period> {
        let max_days = i64::from(max_days.max(1));
        let mut out = Vec::new();
        let mut first = self.first;
        loop {
            let last = (first + Duration::days(max_days - 1)).min(self.last);
            out.push(Period { first, last });
            match last.next_day() {
                Some(next) if next <= self.last => first = next,
                _ => break,
            }
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// The kept day's offset is the zone's own, second by second across
    /// both of 2026's changes and the 1879 change from local mean time (at
    /// 22:47:48 UTC), read in order and back and forth over two days.
    #[test]
    fn the_kept_offset_is_the_zones_at_every_second() {
        use time_tz::{Offset, TimeZone};
        let zone = |at: OffsetDateTime| stockholm().get_offset_utc(&at).to_utc();
        for around in [
            datetime!(2026-03-29 01:00 UTC),
            datetime!(2026-10-25 01:00 UTC),
            datetime!(1878-12-31 22:47:48 UTC),
        ] {
            let seconds = (-86_400..86_400).step_by(97);
            let forward: Vec<_> = seconds.map(|s| around + Duration::seconds(s)).collect();
            let mut zigzag = forward.clone();
            zigzag.reverse();
            zigzag.rotate_left(301);
            for at in forward.iter().chain(&zigzag).chain(&forward) {
                assert_eq!(stockholm_offset(*at), zone(*at), "{at}");
                assert_eq!(stockholm_date(*at), at.to_offset(zone(*at)).date(), "{at}");
            }
        }
        // And the date, counted from the epoch, is the converted one's from
        // the year 1000 to 9999, every 7,000,003 seconds.
        let (first, last) = (
            datetime!(1000-01-01 0:00 UTC).unix_timestamp(),
            datetime!(9999-12-31 22:00 UTC).unix_timestamp(),
        );
        for t in (first..last).step_by(7_000_003) {
            let at = OffsetDateTime::from_unix_timestamp(t).unwrap();
            assert_eq!(stockholm_date(at), at.to_offset(zone(at)).date(), "{at}");
        }
    }

    #[test]
    fn dst_boundaries_are_respected() {
        // Summer time ends on the last Sunday of October.
        let october = Period::month(2026, Month::October).unwrap();
        assert_eq!(october.start_utc(), datetime!(2026-09-30 22:00 UTC));
        assert_eq!(october.end_utc(), datetime!(2026-10-31 23:00 UTC));
    }

    #[test]
    fn previous_month_wraps_the_year() {
        let p = Period::previous_month(date!(2026 - 01 - 15)).unwrap();
        assert_eq!(
            (p.first(), p.last()),
            (date!(2025 - 12 - 01), date!(2025 - 12 - 31))
        );
    }

    /// A close scheduled just after midnight on the 1st in Stockholm, when
    /// the UTC date is still the month before's last day, closes the month
    /// that just ended, in winter (UTC+1) and in summer (UTC+2); the month
    /// has ended by then (`end_utc`).
    #[test]
    fn the_previous_month_is_stockholms() {
        for (now, month) in [
            (datetime!(2026-03-31 23:30 UTC), Month::March),
            (datetime!(2026-06-30 22:30 UTC), Month::June),
            (datetime!(2026-12-31 23:00 UTC), Month::December),
            (datetime!(2026-03-31 21:59 UTC), Month::February),
        ] {
            let p = Period::previous_month_at(now).unwrap();
            assert_eq!(p, Period::month(2026, month).unwrap(), "{now}");
            assert!(p.end_utc() <= now, "{now}");
        }
    }

    /// A stored period reads back as written; one that ends before it
    /// starts is refused as `Period::new` refuses it.
    #[test]
    fn a_stored_period_is_checked_when_read() {
        let march = Period::month(2026, Month::March).unwrap();
        let text = serde_json::to_string(&march).unwrap();
        assert_eq!(text, r#"{"first":"2026-03-01","last":"2026-03-31"}"#);
        assert_eq!(serde_json::from_str::<Period>(&text).unwrap(), march);
        let backwards = r#"{"first":"2026-03-31","last":"2026-03-01"}"#;
        let err = serde_json::from_str::<Period>(backwards).unwrap_err();
        assert!(err.to_string().contains("before"), "{err}");
    }

    #[test]
    fn windows_cover_the_period_without_overlap() {
        let p = Period::new(date!(2026 - 01 - 01), date!(2026 - 03 - 05)).unwrap();
        let w = p.windows(31);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].last(), date!(2026 - 01 - 31));
        assert_eq!(w[1].first(), date!(2026 - 02 - 01));
        assert_eq!(w[2].last(), date!(2026 - 03 - 05));
        assert_eq!(w.iter().map(Period::days).sum::<i64>(), p.days());
    }

    #[test]
    fn end_before_start_is_refused() {
        assert!(Period::new(date!(2026 - 02 - 01), date!(2026 - 01 - 31)).is_err());
    }
}
