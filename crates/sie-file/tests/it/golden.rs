//! Golden files: the exact text of a written 4I file.

use rust_decimal::Decimal;
use sie_file::{Account, FiscalYear, Transaction, Voucher, WriteOptions, write};

use crate::{date, payout_document};

/// The written bytes as text: CP437 decoded, and CRLF checked then shown as LF so the
/// snapshot reads normally.
fn snapshot_text(bytes: &[u8]) -> String {
    let text = sie_file::encoding::decode_with(bytes, sie_file::Encoding::Cp437);
    assert_eq!(text.matches("\r\n").count(), text.matches('\n').count());
    text.replace("\r\n", "\n")
}

#[test]
fn written_4i_file() {
    let bytes = write(&payout_document(), &WriteOptions::default()).unwrap();
    insta::assert_snapshot!("payout_4i", snapshot_text(&bytes));
}

#[test]
fn written_4i_file_with_ksumma_and_chart() {
    let mut doc = payout_document();
    doc.fiscal_years.push(FiscalYear {
        index: 0,
        start: date(2026, 1, 1),
        end: date(2026, 12, 31),
    });
    doc.chart_type = Some("BAS2024".into());
    doc.currency = Some("SEK".into());
    doc.accounts = vec![
        Account::new("1580", "Fordringar för kontokort och kuponger"),
        Account::new("1930", "Företagskonto / affärskonto"),
        Account::new("6570", "Bankkostnader"),
    ];
    doc.vouchers.push(
        Voucher {
            number: Some("17".into()),
            registered: Some(date(2026, 1, 16)),
            ..Voucher::new("F", date(2026, 1, 15), "Återbetalning \"order\" #1002")
        }
        .with(
            Transaction::new("1580", Decimal::new(12_500, 2))
                .text("Retur é")
                .object("8", "Kund 7"),
        )
        .with(Transaction {
            date: Some(date(2026, 1, 15)),
            quantity: Some(Decimal::new(-1, 0)),
            ..Transaction::new("1930", Decimal::new(-12_500, 2))
        }),
    );
    let options = WriteOptions {
        include_ksumma: true,
        ..WriteOptions::default()
    };
    let bytes = write(&doc, &options).unwrap();
    insta::assert_snapshot!("refund_4i_ksumma", snapshot_text(&bytes));
    assert_eq!(sie_file::parse(&bytes).unwrap(), doc);
}
