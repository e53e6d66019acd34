//! Checking a document the way an importer would, without failing on the first problem.

use std::collections::BTreeSet;
use std::fmt;

use rust_decimal::Decimal;
use time::Date;

use crate::model::{FiscalYear, SieDocument, Transaction, TransactionKind};
use crate::read::voucher_name;

/// What [`validate`] found, voucher by voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationReport {
    /// Whether accounts were checked: only when the document has a chart (`#KONTO`).
    pub accounts_checked: bool,
    /// The current fiscal year (`#RAR 0`) dates were checked against, if the document has one.
    pub fiscal_year: Option<FiscalYear>,
    /// One entry per voucher, in document order.
    pub vouchers: Vec<VoucherReport>,
}

/// The checks of one voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherReport {
    /// Index in [`SieDocument::vouchers`].
    pub index: usize,
    /// Series and number, e.g. `A 52`.
    pub voucher: String,
    /// The sum of the `#TRANS` rows.
    pub sum: Decimal,
    /// Whether that sum is zero.
    pub balanced: bool,
    /// Accounts used by the voucher that the chart does not define (empty when the
    /// document has no chart).
    pub undefined_accounts: Vec<String>,
    /// Voucher and transaction dates outside the current fiscal year (empty when the document
    /// has no `#RAR 0`).
    pub dates_outside_year: Vec<Date>,
    /// Rows (1-based) holding an `#RTRANS` that is not followed by the identical `#TRANS`
    /// the spec requires.
    pub unpaired_rtrans: Vec<usize>,
}

impl VoucherReport {
    /// Whether the voucher passed every check.
    pub fn is_valid(&self) -> bool {
        self.balanced
            && self.undefined_accounts.is_empty()
            && self.dates_outside_year.is_empty()
            && self.unpaired_rtrans.is_empty()
    }
}

impl ValidationReport {
    /// Whether every voucher passed every check.
    pub fn is_valid(&self) -> bool {
        self.vouchers.iter().all(VoucherReport::is_valid)
    }

    /// One lowercase sentence per problem, e.g.
    /// `voucher A 3 (index 2) does not balance: its #TRANS rows sum to 1.00`.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for v in &self.vouchers {
            let name = format!("voucher {} (index {})", v.voucher, v.index);
            if !v.balanced {
                problems.push(format!(
                    "{name} does not balance: its #TRANS rows sum to {}",
                    v.sum
                ));
            }
            for account in &v.undefined_accounts {
                problems.push(format!(
                    "{name} uses account {account}, which has no #KONTO"
                ));
            }
            for row in &v.unpaired_rtrans {
                problems.push(format!(
                    "{name} row {row}: #RTRANS is not followed by an identical #TRANS"
                ));
            }
            if let Some(year) = self.fiscal_year {
                for date in &v.dates_outside_year {
                    problems.push(format!(
                        "{name} has date {date}, outside the fiscal year {} to {}",
                        year.start, year.end
                    ));
                }
            }
        }
        problems
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems = self.problems();
        if problems.is_empty() {
            return write!(f, "{} vouchers, no problems", self.vouchers.len());
        }
        write!(
            f,
            "{} vouchers, {} problems",
            self.vouchers.len(),
            problems.len()
        )?;
        for problem in problems {
            write!(f, "\n- {problem}")?;
        }
        Ok(())
    }
}

/// Checks every voucher: balanced, accounts defined (when the document has `#KONTO`), dates
/// inside the current fiscal year (when it has `#RAR 0`), every `#RTRANS` followed by its
/// identical `#TRANS`.
///
/// ```
/// use rust_decimal_macros::dec;
/// use sie_file::{Account, FiscalYear, SieDocument, Transaction, Voucher};
/// use time::macros::date;
///
/// let doc = SieDocument {
///     accounts: vec![Account::new("1930", "Företagskonto"), Account::new("3001", "Försäljning")],
///     fiscal_years: vec![FiscalYear {
///         index: 0,
///         start: date!(2026 - 01 - 01),
///         end: date!(2026 - 12 - 31),
///     }],
///     vouchers: vec![
///         Voucher::new("A", date!(2026 - 03 - 31), "Försäljning")
///             .with(Transaction::new("1930", dec!(100)))
///             .with(Transaction::new("3001", dec!(-100))),
///         // An account the chart lacks, a date in another year.
///         Voucher::new("A", date!(2025 - 12 - 31), "Fel")
///             .with(Transaction::new("1930", dec!(5)))
///             .with(Transaction::new("9999", dec!(-5))),
///     ],
///     ..SieDocument::default()
/// };
/// let report = sie_file::validate(&doc);
/// assert!(report.vouchers[0].is_valid());
/// assert_eq!(report.vouchers[1].undefined_accounts, ["9999"]);
/// assert_eq!(report.vouchers[1].dates_outside_year, [date!(2025 - 12 - 31)]);
/// assert!(!report.is_valid());
/// ```
pub fn validate(doc: &SieDocument) -> ValidationReport {
    let chart: BTreeSet<&str> = doc.accounts.iter().map(|a| a.number.as_str()).collect();
    let accounts_checked = !chart.is_empty();
    let fiscal_year = doc.fiscal_year(0).copied();
    let vouchers = doc
        .vouchers
        .iter()
        .enumerate()
        .map(|(index, voucher)| {
            let mut undefined_accounts: Vec<String> = Vec::new();
            if accounts_checked {
                for t in &voucher.transactions {
                    if !chart.contains(t.account.as_str())
                        && !undefined_accounts.contains(&t.account)
                    {
                        undefined_accounts.push(t.account.clone());
                    }
                }
            }
            let mut dates_outside_year = Vec::new();
            if let Some(year) = fiscal_year {
                let dates = std::iter::once(voucher.date)
                    .chain(voucher.transactions.iter().filter_map(|t| t.date));
                for date in dates {
                    if !year.contains(date) && !dates_outside_year.contains(&date) {
                        dates_outside_year.push(date);
                    }
                }
            }
            let rows = &voucher.transactions;
            let unpaired_rtrans = rows
                .iter()
                .enumerate()
                .filter(|(i, t)| {
                    t.kind == TransactionKind::Added
                        && rows.get(i + 1).is_none_or(|next| {
                            next.kind != TransactionKind::Normal
                                || Transaction {
                                    kind: TransactionKind::Normal,
                                    ..(*t).clone()
                                } != *next
                        })
                })
                .map(|(i, _)| i + 1)
                .collect();
            let sum = voucher.sum();
            VoucherReport {
                index,
                voucher: voucher_name(voucher),
                sum,
                balanced: sum.is_zero(),
                undefined_accounts,
                dates_outside_year,
                unpaired_rtrans,
            }
        })
        .collect();
    ValidationReport {
        accounts_checked,
        fiscal_year,
        vouchers,
    }
}
