//! Months and quarters: the periods the returns are filed for.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A calendar month or quarter.
///
/// ```
/// use time::macros::date;
/// use vat_reports::ReturnPeriod;
///
/// let q1 = ReturnPeriod::quarter_of(date!(2026 - 02 - 14));
/// assert_eq!((q1.first_day(), q1.last_day()), (date!(2026 - 01 - 01), date!(2026 - 03 - 31)));
/// assert_eq!(q1.skv_code(), "26-1");
/// assert_eq!(ReturnPeriod::month_of(date!(2026 - 03 - 31)).skv_code(), "2603");
/// assert_eq!(ReturnPeriod::month_of(date!(2026 - 03 - 31)).to_string(), "2026-03");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReturnPeriod {
    /// A month (`2026-03`).
    Month {
        /// The year.
        year: i32,
        /// The month, 1–12.
        month: u8,
    },
    /// A quarter (`2026-Q1`).
    Quarter {
        /// The year.
        year: i32,
        /// The quarter, 1–4.
        quarter: u8,
    },
}

impl ReturnPeriod {
    /// The month `date` falls in.
    pub fn month_of(date: Date) -> Self {
        ReturnPeriod::Month {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    /// The quarter `date` falls in.
    pub fn quarter_of(date: Date) -> Self {
        ReturnPeriod::Quarter {
            year: date.year(),
            quarter: (u8::from(date.month()) - 1) / 3 + 1,
        }
    }

    /// The first day.
    pub fn first_day(&self) -> Date {
        let (year, month) = match *self {
            ReturnPeriod::Month { year, month } => (year, month),
            ReturnPeriod::Quarter { year, quarter } => (year, (quarter - 1) * 3 + 1),
        };
        Date::from_calendar_date(year, Month::try_from(month).expect("1-12"), 1).expect("valid")
    }

    /// The last day (whose ECB rate the OSS return uses).
    pub fn last_day(&self) -> Date {
        let (year, month) = match *self {
            ReturnPeriod::Month { year, month } => (year, month),
            ReturnPeriod::Quarter { year, quarter } => (year, quarter * 3),
        };
        let month = Month::try_from(month).expect("1-12");
        Date::from_calendar_date(year, month, month.length(year)).expect("valid")
    }

    /// `month` or `quarter`.
    pub fn scope(&self) -> &'static str {
        match self {
            ReturnPeriod::Month { .. } => "month",
            ReturnPeriod::Quarter { .. } => "quarter",
        }
    }

    /// Skatteverket's code for the period in the EC sales list file: `2603`
    /// for March 2026, `26-1` for its first quarter.
    pub fn skv_code(&self) -> String {
        match *self {
            ReturnPeriod::Month { year, month } => format!("{:02}{month:02}", year.rem_euclid(100)),
            ReturnPeriod::Quarter { year, quarter } => {
                format!("{:02}-{quarter}", year.rem_euclid(100))
            }
        }
    }
}

impl fmt::Display for ReturnPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReturnPeriod::Month { year, month } => write!(f, "{year}-{month:02}"),
            ReturnPeriod::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_and_days() {
        let m = ReturnPeriod::month_of(date!(2026 - 02 - 14));
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(m.last_day(), date!(2026 - 02 - 28));
        assert_eq!(m.skv_code(), "2602");
        let q = ReturnPeriod::quarter_of(date!(2026 - 11 - 30));
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.first_day(), date!(2026 - 10 - 01));
        assert_eq!(q.last_day(), date!(2026 - 12 - 31));
        assert_eq!(q.skv_code(), "26-4");
    }
}
