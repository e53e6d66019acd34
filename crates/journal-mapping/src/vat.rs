//! Date-effective Swedish VAT rates.

use bookkeeping_core::VatRate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::date;

/// One rate and the days it is valid (both ends inclusive; `None` = open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateValidity {
    /// The rate.
    pub rate: VatRate,
    /// First day it applies.
    pub from: Option<Date>,
    /// Last day it applies.
    pub to: Option<Date>,
}

/// The Swedish VAT rates a domestic line may carry, each with the days it is valid.
///
/// The rate on a sale line decides its accounts (3001/2611 for 25 %, 3002/2621
/// for 12 %, 3003/2631 for 6 %); this table decides whether the rate was valid on
/// the sale's date. A line whose rate is not valid on its date is booked as
/// charged (the VAT was charged and is owed) and becomes a review item.
///
/// ```
/// use bookkeeping_core::VatRate;
/// use journal_mapping::VatTable;
/// use rust_decimal::Decimal;
/// use time::macros::date;
///
/// // A grocery shop: food is 12 % until 2026-03-31, 6 % from 2026-04-01 to 2027-12-31.
/// let food = VatTable::swedish_food();
/// let twelve = VatRate::from_percent(Decimal::from(12));
/// assert!(food.is_valid(twelve, date!(2026-03-31)));
/// assert!(!food.is_valid(twelve, date!(2026-04-01)));
/// assert!(food.is_valid(twelve, date!(2028-01-01)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatTable {
    rates: Vec<RateValidity>,
}

impl Default for VatTable {
    fn default() -> Self {
        VatTable::swedish()
    }
}

fn pct(p: i64) -> VatRate {
    VatRate::from_percent(Decimal::from(p))
}

impl VatTable {
    /// All Swedish rates for a shop with mixed goods: 25, 12 and 6 % are all
    /// valid at all times (12 % stays for restaurant services during the food
    /// cut, 6 % has always applied to books and transport).
    pub fn swedish() -> Self {
        VatTable {
            rates: vec![
                RateValidity {
                    rate: pct(25),
                    from: None,
                    to: None,
                },
                RateValidity {
                    rate: pct(12),
                    from: None,
                    to: None,
                },
                RateValidity {
                    rate: pct(6),
                    from: None,
                    to: None,
                },
            ],
        }
    }

    /// A shop whose 12 % lines are food (groceries, take-away): the food cut
    /// (Prop. 2025/26:55) makes 12 % invalid from 2026-04-01 to 2027-12-31,
    /// when food is 6 %.
    pub fn swedish_food() -> Self {
        VatTable {
            rates: vec![
                RateValidity {
                    rate: pct(25),
                    from: None,
                    to: None,
                },
                RateValidity {
                    rate: pct(12),
                    from: None,
                    to: Some(date!(2026 - 03 - 31)),
                },
                RateValidity {
                    rate: pct(12),
                    from: Some(date!(2028 - 01 - 01)),
                    to: None,
                },
                RateValidity {
                    rate: pct(6),
                    from: None,
                    to: None,
                },
            ],
        }
    }

    /// A table of your own.
    pub fn new(rates: Vec<RateValidity>) -> Self {
        VatTable { rates }
    }

    /// Whether `rate` is valid on `date`.
    pub fn is_valid(&self, rate: VatRate, date: Date) -> bool {
        self.rates.iter().any(|r| {
            r.rate == rate && r.from.is_none_or(|f| f <= date) && r.to.is_none_or(|t| date <= t)
        })
    }

    /// The rates valid on `date`, for messages.
    pub fn valid_on(&self, date: Date) -> Vec<VatRate> {
        let mut v: Vec<VatRate> = self
            .rates
            .iter()
            .filter(|r| r.from.is_none_or(|f| f <= date) && r.to.is_none_or(|t| date <= t))
            .map(|r| r.rate)
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
