//! What the writer emits and what it refuses.

use rust_decimal::Decimal;
use sie_file::{
    Account, AccountKind, AccountSelection, CharPolicy, FiscalYear, ParseOptions, SieType,
    TextPolicy, Transaction, Voucher, WriteError, WriteOptions, parse, parse_file, write,
};

use crate::{date, payout_document};

fn text(bytes: &[u8]) -> String {
    sie_file::encoding::decode_with(bytes, sie_file::Encoding::Cp437)
}

#[test]
fn crlf_cp437_and_unquoted_headers() {
    let bytes = write(&payout_document(), &WriteOptions::default()).unwrap();
    // Every line ends in CRLF; no bare LF.
    assert_eq!(
        bytes.windows(2).filter(|w| w == b"\r\n").count(),
        bytes.iter().filter(|b| **b == b'\n').count()
    );
    assert!(bytes.ends_with(b"}\r\n"));
    // CP437 bytes for ö (0x94) and å ä (0x86 0x84), no UTF-8.
    assert!(bytes.windows(3).any(|w| w == b"F\x94r"));
    assert!(bytes.windows(2).any(|w| w == b"\x86\x84"));
    assert!(std::str::from_utf8(&bytes).is_err());
    let text = text(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "#FLAGGA 0");
    assert!(lines.contains(&"#FORMAT PC8"));
    assert!(lines.contains(&"#SIETYP 4"));
    assert!(lines.contains(&"#ORGNR 556677-8899"));
    assert!(lines.contains(&"#GEN 20260115"));
    assert!(lines.contains(&"#VER \"F\" \"\" 20260114 \"Shopify utbetalning 12345\""));
    assert!(lines.contains(&"#TRANS 6570 {} 200.00 \"\" \"Avgift \\\"Shopify\\\"\""));
    assert!(lines.contains(&"#TRANS 1930 {1 \"100\" 6 \"P1\"} 50.50"));
}

#[test]
fn refuses_an_unbalanced_voucher() {
    let mut doc = payout_document();
    doc.vouchers[1].transactions[1].amount = Decimal::new(-5_000, 2);
    let err = write(&doc, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "voucher F (no number) (index 1) does not balance: its #TRANS rows sum to 0.50"
    );
}

#[test]
fn text_limit_errors_or_truncates() {
    let mut doc = payout_document();
    let long = "Utbetalning från Shopify Payments för order 1001–1099 i januari";
    doc.vouchers[0].text = long.into();
    let err = write(&doc, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        err,
        WriteError::Unencodable {
            context: "voucher F (no number) (index 0) text".into(),
            character: '–',
            value: "Utbetalning från Shopify Payments för order 1001–1099 i janu".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "voucher F (no number) (index 0) text: character '–' in \"Utbetalning från Shopify Payments för order 1001–1099 i janu\" cannot be written in CP437 (PC8)"
    );
    doc.vouchers[0].text = long.replace('–', "-");
    let err = write(&doc, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "voucher F (no number) (index 0) text: text is 63 characters, over the limit of 50"
    );
    let options = WriteOptions {
        overlong_text: TextPolicy::Truncate,
        ..WriteOptions::default()
    };
    let doc = parse(&write(&doc, &options).unwrap()).unwrap();
    assert_eq!(
        doc.vouchers[0].text,
        "Utbetalning från Shopify Payments för order 1001-1"
    );
    assert_eq!(doc.vouchers[0].text.chars().count(), 50);

    let mut doc = payout_document();
    doc.vouchers[0].transactions[0].text = Some("x".repeat(31));
    let options = WriteOptions {
        text_limit: 30,
        ..WriteOptions::default()
    };
    assert!(matches!(
        write(&doc, &options),
        Err(WriteError::TextTooLong {
            length: 31,
            limit: 30,
            ..
        })
    ));
}

#[test]
fn unencodable_characters_error_or_get_documented_replacements() {
    let mut doc = payout_document();
    doc.company_name = "Kaffe & Co – Øl €\nAB".into();
    let err = write(&doc, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "#FNAMN: character '–' in \"Kaffe & Co – Øl €\\nAB\" cannot be written in CP437 (PC8)"
    );
    let options = WriteOptions {
        unencodable: CharPolicy::Replace,
        ..WriteOptions::default()
    };
    let back = parse(&write(&doc, &options).unwrap()).unwrap();
    assert_eq!(back.company_name, "Kaffe & Co - Öl EUR AB");
    // Account numbers are never replaced.
    let mut doc = payout_document();
    doc.vouchers[0].transactions[0].account = "19 30".into();
    assert_eq!(
        write(&doc, &options).unwrap_err().to_string(),
        "voucher F (no number) (index 0) row 1: \"19 30\" must not contain spaces, quotes, braces or backslashes"
    );
    doc.vouchers[0].transactions[0].account = String::new();
    assert_eq!(
        write(&doc, &options).unwrap_err().to_string(),
        "voucher F (no number) (index 0) row 1: \"\" must not be empty"
    );
}

#[test]
fn amounts_with_more_than_two_decimals_are_refused() {
    let mut doc = payout_document();
    doc.vouchers[1].transactions[0].amount = Decimal::new(50_505, 3);
    doc.vouchers[1].transactions[1].amount = Decimal::new(-50_505, 3);
    assert_eq!(
        write(&doc, &WriteOptions::default())
            .unwrap_err()
            .to_string(),
        "voucher F (no number) (index 1) row 1: amount 50.505 has more than 2 decimals"
    );
}

#[test]
fn mandatory_records() {
    let mut doc = payout_document();
    doc.generated = None;
    assert_eq!(
        write(&doc, &WriteOptions::default())
            .unwrap_err()
            .to_string(),
        "#GEN is required: set SieDocument::generated"
    );
    let mut doc = payout_document();
    doc.company_name.clear();
    assert!(matches!(
        write(&doc, &WriteOptions::default()),
        Err(WriteError::MissingRequired {
            label: "#FNAMN",
            ..
        })
    ));
    let mut doc = payout_document();
    doc.program.name.clear();
    assert!(matches!(
        write(&doc, &WriteOptions::default()),
        Err(WriteError::MissingRequired {
            label: "#PROGRAM",
            ..
        })
    ));
}

#[test]
fn sie_4e_needs_fiscal_year_and_numbers() {
    let e4 = WriteOptions {
        sie_type: SieType::E4,
        ..WriteOptions::default()
    };
    let mut doc = payout_document();
    assert_eq!(
        write(&doc, &e4).unwrap_err().to_string(),
        "#RAR is required: SIE 4E needs SieDocument::fiscal_years"
    );
    doc.fiscal_years.push(FiscalYear {
        index: 0,
        start: date(2026, 1, 1),
        end: date(2026, 12, 31),
    });
    assert_eq!(
        write(&doc, &e4).unwrap_err().to_string(),
        "voucher F (no number) (index 0) has no number, which SIE 4E requires"
    );
    for (i, v) in doc.vouchers.iter_mut().enumerate() {
        v.number = Some((i + 1).to_string());
    }
    let text = text(&write(&doc, &e4).unwrap());
    assert!(text.contains("#RAR 0 20260101 20261231\r\n"));
    assert!(text.contains("#VER \"F\" \"2\" 20260114"));
}

#[test]
fn konto_selection() {
    let mut doc = payout_document();
    doc.accounts = vec![
        Account::new("1930", "Företagskonto"),
        Account::new("3001", "Försäljning 25 %"),
        Account {
            kind: Some(AccountKind::Cost),
            sru: Some("7513".into()),
            ..Account::new("6570", "Bankkostnader")
        },
    ];
    let konto_lines = |options: &WriteOptions| -> Vec<String> {
        text(&write(&doc, options).unwrap())
            .lines()
            .filter(|l| l.starts_with("#KONTO") || l.starts_with("#KTYP") || l.starts_with("#SRU"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        konto_lines(&WriteOptions::default()),
        [
            "#KONTO 1930 \"Företagskonto\"",
            "#KONTO 3001 \"Försäljning 25 %\"",
            "#KONTO 6570 \"Bankkostnader\"",
            "#KTYP 6570 K",
            "#SRU 6570 7513",
        ]
    );
    let used = WriteOptions {
        accounts: AccountSelection::Used,
        ..WriteOptions::default()
    };
    assert_eq!(
        konto_lines(&used),
        [
            "#KONTO 1930 \"Företagskonto\"",
            "#KONTO 6570 \"Bankkostnader\"",
            "#KTYP 6570 K",
            "#SRU 6570 7513",
        ]
    );
    let none = WriteOptions {
        accounts: AccountSelection::None,
        ..WriteOptions::default()
    };
    assert!(konto_lines(&none).is_empty());
}

#[test]
fn ksumma_is_written_and_verifies() {
    let options = WriteOptions {
        include_ksumma: true,
        ..WriteOptions::default()
    };
    let bytes = write(&payout_document(), &options).unwrap();
    let text = text(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "#KSUMMA");
    assert!(lines.last().unwrap().starts_with("#KSUMMA "));
    let parsed = parse_file(&bytes, &ParseOptions::default()).unwrap();
    let check = parsed.ksumma.unwrap();
    assert!(check.is_valid());
    assert_eq!(
        lines.last().unwrap(),
        &format!("#KSUMMA {}", check.declared)
    );
    assert_eq!(parsed.document, payout_document());
}

#[test]
fn transaction_fields_are_positional() {
    let mut doc = payout_document();
    doc.vouchers = vec![
        Voucher::new("K", date(2026, 2, 1), "Rader")
            .with(Transaction {
                date: Some(date(2026, 2, 2)),
                ..Transaction::new("1930", Decimal::new(1, 0))
            })
            .with(Transaction {
                quantity: Some(Decimal::new(25, 1)),
                ..Transaction::new("1940", Decimal::new(-1, 0))
            }),
    ];
    let text = text(&write(&doc, &WriteOptions::default()).unwrap());
    assert!(text.contains("#TRANS 1930 {} 1.00 20260202\r\n"));
    assert!(text.contains("#TRANS 1940 {} -1.00 \"\" \"\" 2.5\r\n"));
    assert_eq!(parse(text.as_bytes()).unwrap(), doc);
}

#[test]
fn refuses_an_empty_voucher() {
    let mut doc = payout_document();
    doc.vouchers
        .push(Voucher::new("F", date(2026, 1, 20), "Tom").number("9"));
    assert_eq!(
        write(&doc, &WriteOptions::default())
            .unwrap_err()
            .to_string(),
        "voucher F 9 (index 2) has no transactions"
    );
}

#[test]
fn rtrans_and_btrans_are_written_and_read_but_not_summed() {
    let mut doc = payout_document();
    doc.vouchers = vec![
        Voucher::new("F", date(2026, 1, 20), "Rättelse")
            .with(Transaction::new("1930", Decimal::new(100, 0)))
            .with(
                Transaction::new("3001", Decimal::new(-100, 0))
                    .kind(sie_file::TransactionKind::Removed),
            )
            .with(
                Transaction::new("3002", Decimal::new(-100, 0))
                    .kind(sie_file::TransactionKind::Added),
            )
            .with(Transaction::new("3002", Decimal::new(-100, 0))),
    ];
    let text = text(&write(&doc, &WriteOptions::default()).unwrap());
    assert!(text.contains(
        "#TRANS 1930 {} 100.00\r\n#BTRANS 3001 {} -100.00\r\n#RTRANS 3002 {} -100.00\r\n#TRANS 3002 {} -100.00\r\n"
    ));
    let back = parse(text.as_bytes()).unwrap();
    assert_eq!(back, doc);
    assert_eq!(back.vouchers[0].sum(), Decimal::ZERO);
}

#[test]
fn organisation_number_must_be_nnnnnn_nnnn() {
    let mut doc = payout_document();
    doc.org_number = Some("5566778899".into());
    assert_eq!(
        write(&doc, &WriteOptions::default())
            .unwrap_err()
            .to_string(),
        "#ORGNR: \"5566778899\" is not an organisation number of the form nnnnnn-nnnn"
    );
    doc.org_number = None;
    let text = text(&write(&doc, &WriteOptions::default()).unwrap());
    assert!(!text.contains("#ORGNR"));
}
