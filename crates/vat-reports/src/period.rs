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
///
/// A period read back with serde (a stored report) is checked: a month
/// outside 1–12, a quarter outside 1–4 or a year `time` cannot hold is an
/// error, not a period whose days cannot be computed. One written by hand
/// with such fields panics when its days are asked for: build it with
/// [`month_of`](Self::month_of) or [`quarter_of`](Self::quarter_of).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Fields")]
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

/// [`ReturnPeriod`] as serde reads it, before it is checked.
#[derive(Deserialize)]
enum Fields {
    Month { year: i32, month: u8 },
    Quarter { year: i32, quarter: u8 },
}

impl TryFrom<Fields> for ReturnPeriod {
    type Error = String;

    fn try_from(fields: Fields) -> Result<Self, String> {
        let (period, year, valid) = match fields {
            Fields::Month { year, month } => (
                ReturnPeriod::Month { year, month },
                year,
                (1..=12).contains(&month),
            ),
            Fields::Quarter { year, quarter } => (
                ReturnPeriod::Quarter { year, quarter },
                year,
                (1..=4).contains(&quarter),
            ),
        };
        // Every day of the year exists for `time` (its range ends inside a year).
        let in_range = Date::from_calendar_date(year, Month::January, 1).is_ok()
            && Date::from_calendar_date(year, Month::December, 31).is_ok();
        if valid && in_range {
            Ok(period)
        } else {
            Err(format!("not a return period: {period}"))
        }
    }
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

    /// A stored period reads back as it was written; one whose days do not
    /// exist is an error, never a panic when its days are asked for.
    #[test]
    fn a_stored_period_is_checked_when_read() {
        for p in [
            ReturnPeriod::month_of(date!(2026 - 12 - 01)),
            ReturnPeriod::quarter_of(date!(2026 - 01 - 01)),
        ] {
            let text = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<ReturnPeriod>(&text).unwrap(), p);
        }
        assert_eq!(
            serde_json::to_string(&ReturnPeriod::month_of(date!(2026 - 03 - 01))).unwrap(),
            r#"{"Month":{"year":2026,"month":3}}"#
        );
        for bad in [
            r#"{"Month":{"year":2026,"month":13}}"#,
            r#"{"Month":{"year":2026,"month":0}}"#,
            r#"{"Quarter":{"year":2026,"quarter":5}}"#,
            r#"{"Quarter":{"year":2026,"quarter":0}}"#,
            r#"{"Month":{"year":2147483647,"month":1}}"#,
        ] {
            let err = serde_json::from_str::<ReturnPeriod>(bad).unwrap_err();
            assert!(
                err.to_string().contains("not a return period"),
                "{bad}: {err}"
            );
        }
    }
}
