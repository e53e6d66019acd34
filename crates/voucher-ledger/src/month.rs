//! Calendar months: the unit of periods and period locks in the ledger.

use std::fmt;
use std::str::FromStr;

use time::Date;

/// A calendar month, written `YYYY-MM` in the ledger.
///
/// ```
/// use time::macros::date;
/// use voucher_ledger::Month;
///
/// let december = Month::of(date!(2026 - 12 - 31));
/// assert_eq!(december.to_string(), "2026-12");
/// assert_eq!(december.next().first_day(), date!(2027 - 01 - 01));
/// assert_eq!("2026-12".parse::<Month>(), Ok(december));
/// assert!("2026-13".parse::<Month>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: time::Month,
}

impl Month {
    /// The month of `year` and `month`.
    pub fn new(year: i32, month: time::Month) -> Self {
        Month { year, month }
    }

    /// The month a date falls in.
    pub fn of(date: Date) -> Self {
        Month::new(date.year(), date.month())
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        // Day 1 exists in every month of every year `time` represents.
        Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        match self.month {
            time::Month::December => Month::new(self.year + 1, time::Month::January),
            m => Month::new(self.year, m.next()),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// A text that is not a month `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a month YYYY-MM: {0:?}")]
pub struct MonthParseError(pub String);

impl FromStr for Month {
    type Err = MonthParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || MonthParseError(s.to_owned());
        let (y, m) = s.split_once('-').ok_or_else(err)?;
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u8 = m.parse().map_err(|_| err())?;
        let month = time::Month::try_from(month).map_err(|_| err())?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        Ok(Month::new(year, month))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_print_parse_and_roll_over_the_year() {
        let dec = Month::of(date!(2026 - 12 - 31));
        assert_eq!(dec.to_string(), "2026-12");
        assert_eq!(dec.next().to_string(), "2027-01");
        assert_eq!(dec.next().first_day(), date!(2027 - 01 - 01));
        assert_eq!("2026-12".parse::<Month>(), Ok(dec));
        assert!("2026-13".parse::<Month>().is_err());
        assert!("26-1".parse::<Month>().is_err());
    }
}
