//! The validation report.

use rust_decimal::Decimal;
use sie_file::{Account, FiscalYear, Transaction, validate};

use crate::{date, payout_document};

#[test]
fn reports_undefined_accounts_and_dates_outside_the_year() {
    let mut doc = payout_document();
    let report = validate(&doc);
    assert!(report.is_valid());
    assert!(!report.accounts_checked);
    assert_eq!(report.vouchers.len(), 2);
    assert_eq!(report.to_string(), "2 vouchers, no problems");

    doc.accounts = vec![
        Account::new("1930", "Bank"),
        Account::new("1580", "Fordran"),
    ];
    doc.fiscal_years.push(FiscalYear {
        index: 0,
        start: date(2025, 1, 1),
        end: date(2025, 12, 31),
    });
    doc.vouchers[1].transactions[0].date = Some(date(2025, 12, 31));
    doc.vouchers[1]
        .transactions
        .push(Transaction::new("9999", Decimal::ONE));
    let report = validate(&doc);
    assert!(report.accounts_checked);
    assert!(!report.is_valid());
    let first = &report.vouchers[0];
    assert!(first.balanced);
    assert_eq!(first.undefined_accounts, ["6570"]);
    assert_eq!(first.dates_outside_year, [date(2026, 1, 14)]);
    let second = &report.vouchers[1];
    assert!(!second.balanced);
    assert_eq!(second.sum, Decimal::ONE);
    assert_eq!(second.undefined_accounts, ["9999"]);
    assert_eq!(second.dates_outside_year, [date(2026, 1, 14)]);
    assert_eq!(
        report.to_string(),
        "2 vouchers, 5 problems\n\
         - voucher F (no number) (index 0) uses account 6570, which has no #KONTO\n\
         - voucher F (no number) (index 0) has date 2026-01-14, outside the fiscal year 2025-01-01 to 2025-12-31\n\
         - voucher F (no number) (index 1) does not balance: its #TRANS rows sum to 1\n\
         - voucher F (no number) (index 1) uses account 9999, which has no #KONTO\n\
         - voucher F (no number) (index 1) has date 2026-01-14, outside the fiscal year 2025-01-01 to 2025-12-31"
    );
}

#[test]
fn rtrans_must_be_followed_by_its_trans() {
    use sie_file::TransactionKind;
    let mut doc = payout_document();
    let added = Transaction::new("6570", Decimal::new(5, 0)).kind(TransactionKind::Added);
    // Paired: the identical #TRANS follows.
    doc.vouchers[0].transactions.insert(1, added.clone());
    doc.vouchers[0]
        .transactions
        .insert(2, Transaction::new("6570", Decimal::new(5, 0)));
    doc.vouchers[0]
        .transactions
        .push(Transaction::new("1930", Decimal::new(-5, 0)));
    // Unpaired: a different amount follows, and one ends the voucher.
    doc.vouchers[1].transactions.insert(0, added.clone());
    doc.vouchers[1].transactions.push(added);
    let report = validate(&doc);
    assert_eq!(report.vouchers[0].unpaired_rtrans, Vec::<usize>::new());
    assert!(report.vouchers[0].is_valid());
    assert_eq!(report.vouchers[1].unpaired_rtrans, [1, 4]);
    assert_eq!(
        report.problems(),
        [
            "voucher F (no number) (index 1) row 1: #RTRANS is not followed by an identical #TRANS",
            "voucher F (no number) (index 1) row 4: #RTRANS is not followed by an identical #TRANS",
        ]
    );
}
