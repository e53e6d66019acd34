//! The five real files from SOURCES.md read correctly.

use rust_decimal::Decimal;
use sie_file::{
    AccountKind, BalanceKind, Encoding, FiscalYear, ParseOptions, SieDocument, TransactionKind,
    parse, parse_file, validate,
};

use crate::date;

pub(crate) const FORTNOX: &[u8] = include_bytes!("../fixtures/fortnox_sie4i.si");
pub(crate) const BL: &[u8] = include_bytes!("../fixtures/bl_administration_sie4i.si");
pub(crate) const VISMA_FAKT: &[u8] = include_bytes!("../fixtures/visma_fakturering_sie4i.si");
pub(crate) const NORSTEDTS: &[u8] = include_bytes!("../fixtures/norstedts_bokslut_sie4i_ksumma.si");
pub(crate) const VISMA_E: &[u8] = include_bytes!("../fixtures/visma_eekonomi_sie4e.se");

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn transaction_count(doc: &SieDocument) -> usize {
    doc.vouchers.iter().map(|v| v.transactions.len()).sum()
}

fn balance_count(doc: &SieDocument, kind: BalanceKind) -> usize {
    doc.balances.iter().filter(|b| b.kind == kind).count()
}

#[test]
fn fortnox() {
    let parsed = parse_file(FORTNOX, &ParseOptions::default()).unwrap();
    assert_eq!(parsed.encoding, Encoding::Cp437);
    assert_eq!(parsed.format.as_deref(), Some("PC8"));
    assert_eq!(parsed.sie_type, Some(4));
    assert_eq!(parsed.ksumma, None);
    let doc = parsed.document;
    assert_eq!(doc.flag, 0);
    assert_eq!(doc.program.name, "Fortnox Bokföring");
    assert_eq!(doc.program.version, "2.0.0");
    assert_eq!(doc.company_name, "Testföretaget AB");
    assert_eq!(doc.org_number, None);
    assert_eq!(doc.generated.as_ref().unwrap().date, date(2011, 3, 23));
    assert_eq!(doc.generated.as_ref().unwrap().sign.as_deref(), Some("1"));
    assert_eq!(doc.chart_type.as_deref(), Some("EUBAS97"));
    assert_eq!(
        doc.fiscal_years,
        [FiscalYear {
            index: 0,
            start: date(2010, 1, 1),
            end: date(2010, 12, 31)
        }]
    );
    assert_eq!(doc.vouchers.len(), 165);
    assert_eq!(doc.accounts.len(), 133);
    assert_eq!(doc.accounts.iter().filter(|a| a.sru.is_some()).count(), 133);
    assert_eq!(transaction_count(&doc), 869);
    assert_eq!(doc.dimensions.len(), 2);
    assert_eq!(doc.objects.len(), 3);
    assert_eq!(doc.objects[2].name, "Företagspresentation");
    assert_eq!(balance_count(&doc, BalanceKind::Opening), 48);
    assert_eq!(balance_count(&doc, BalanceKind::Closing), 48);
    assert_eq!(balance_count(&doc, BalanceKind::Result), 0);

    let account = doc.account("1111").unwrap();
    assert_eq!(account.name, "Byggnader på egen mark");
    assert_eq!(account.sru.as_deref(), Some("7214"));

    let first = &doc.vouchers[0];
    assert_eq!(first.series, "A");
    assert_eq!(first.number.as_deref(), Some("1"));
    assert_eq!(first.date, date(2010, 1, 5));
    assert_eq!(first.text, "Reseutlägg");
    assert_eq!(first.transactions.len(), 3);
    assert_eq!(first.transactions[0].account, "1910");
    assert_eq!(first.transactions[0].amount, dec("-137.00"));
    assert_eq!(first.transactions[1].amount, dec("129.25"));
    assert_eq!(first.transactions[0].kind, TransactionKind::Normal);

    // The one row with an object list, `{"1" "1"}` with a quoted dimension.
    let with_objects: Vec<_> = doc
        .vouchers
        .iter()
        .flat_map(|v| &v.transactions)
        .filter(|t| !t.objects.is_empty())
        .collect();
    assert_eq!(with_objects.len(), 1);
    assert_eq!(with_objects[0].account, "2440");
    assert_eq!(with_objects[0].objects, [("1".to_owned(), "1".to_owned())]);
    assert_eq!(with_objects[0].amount, dec("-18579.00"));

    let report = validate(&doc);
    assert!(report.is_valid(), "{report}");
    assert!(report.accounts_checked);
}

#[test]
fn bl_administration() {
    let doc = parse(BL).unwrap();
    assert_eq!(doc.program.name, "BL Administration");
    assert_eq!(doc.program.version, "2011.2.102");
    assert_eq!(doc.vouchers.len(), 1);
    assert_eq!(doc.accounts.len(), 0);
    // `#RAR 0` without dates says nothing.
    assert_eq!(doc.fiscal_years.len(), 0);
    assert_eq!(doc.dimensions.len(), 3);
    assert_eq!(doc.dimensions[0].name, "Kostnadsställe");
    let v = &doc.vouchers[0];
    assert_eq!(v.series, "");
    assert_eq!(v.number.as_deref(), Some("0"));
    assert_eq!(v.text, "Kundfakt 2452 - 2455");
    assert_eq!(v.transactions.len(), 10);
    let rounding = &v.transactions[9];
    assert_eq!(rounding.account, "3740");
    assert_eq!(rounding.amount, dec("-0.5"));
    assert_eq!(rounding.date, Some(date(2011, 8, 24)));
    assert_eq!(rounding.text, None);
    assert_eq!(
        v.transactions[1].text.as_deref(),
        Some("[2452] ENTREPRISE BENGTSSON")
    );
    assert_eq!(v.sum(), Decimal::ZERO);
    // No chart and no fiscal year: nothing to check beyond balance.
    let report = validate(&doc);
    assert!(!report.accounts_checked);
    assert_eq!(report.fiscal_year, None);
    assert!(report.is_valid(), "{report}");
}

#[test]
fn visma_fakturering() {
    let doc = parse(VISMA_FAKT).unwrap();
    assert_eq!(doc.vouchers.len(), 1);
    assert_eq!(doc.accounts.len(), 3);
    assert_eq!(doc.org_number.as_deref(), Some("555555-5555"));
    assert_eq!(doc.company_name, "Övningsbolaget AB");
    // An unquoted account name.
    assert_eq!(doc.accounts[0].name, "Kundfordringar");
    assert_eq!(doc.accounts[1].name, "Utg moms försäljning/uttag 25%");
    let v = &doc.vouchers[0];
    assert_eq!(v.series, "B");
    assert_eq!(v.number, None);
    assert_eq!(v.text, "Fakturajournal nr 109");
    assert_eq!(v.transactions.len(), 3);
    // Empty transaction date `""` followed by a text.
    assert_eq!(v.transactions[0].date, None);
    assert_eq!(
        v.transactions[0].text.as_deref(),
        Some("Faktnr: 891, Namn: Karl Svensson")
    );
    assert_eq!(v.transactions[2].amount, dec("-6400.00"));
    assert!(validate(&doc).is_valid());
}

#[test]
fn norstedts_with_ksumma() {
    let parsed = parse_file(NORSTEDTS, &ParseOptions::default()).unwrap();
    let check = parsed.ksumma.unwrap();
    assert_eq!(check.declared, 1_573_150_874);
    assert_eq!(check.computed, 1_573_150_874);
    assert!(check.is_valid());
    let doc = parsed.document;
    assert_eq!(doc.program.name, "Norstedts Bokslut");
    assert_eq!(doc.generated.as_ref().unwrap().sign.as_deref(), Some("QQ"));
    assert_eq!(doc.org_number.as_deref(), Some("556639-1537"));
    assert_eq!(doc.vouchers.len(), 2);
    assert_eq!(doc.accounts.len(), 351);
    assert_eq!(transaction_count(&doc), 4);
    assert_eq!(doc.fiscal_years.len(), 2);
    assert_eq!(doc.fiscal_year(-1).unwrap().start, date(2008, 7, 1));
    assert_eq!(doc.dimensions.len(), 2);
    assert_eq!(doc.account("8999").unwrap().name, "Årets resultat");
    let v = &doc.vouchers[1];
    assert_eq!((v.series.as_str(), v.number.as_deref()), ("A", Some("53")));
    assert_eq!(v.text, "Årets resultat");
    assert_eq!(v.transactions[0].amount, dec("1104488.11"));
    assert_eq!(v.transactions[1].amount, dec("-1104488.11"));
    assert!(validate(&doc).is_valid());
}

#[test]
fn norstedts_checksum_catches_a_changed_byte() {
    // Change one amount: 10000 -> 10001 and -10000 -> -10001 keeps the voucher balanced,
    // so only the checksum can notice.
    let text = String::from_utf8_lossy(NORSTEDTS).into_owned();
    assert!(text.contains("{}      10000    20100630"));
    let changed = NORSTEDTS
        .windows(5)
        .position(|w| w == b"10000")
        .map(|at| {
            let mut bytes = NORSTEDTS.to_vec();
            bytes[at + 4] = b'1';
            let minus = bytes.windows(6).position(|w| w == b"-10000").unwrap();
            bytes[minus + 5] = b'1';
            bytes
        })
        .unwrap();
    let err = parse(&changed).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "line 379: #KSUMMA 1573150874 does not match the computed checksum {}",
            match &err {
                sie_file::ParseError::ChecksumMismatch { computed, .. } => *computed,
                other => panic!("{other}"),
            }
        )
    );
    assert_eq!(err.line(), 379);
    let lenient = ParseOptions {
        verify_ksumma: false,
        ..ParseOptions::default()
    };
    let parsed = parse_file(&changed, &lenient).unwrap();
    assert!(!parsed.ksumma.unwrap().is_valid());
}

#[test]
fn visma_eekonomi_4e() {
    let doc = parse(VISMA_E).unwrap();
    assert_eq!(doc.program.name, "Visma Avendo eEkonomi");
    assert_eq!(doc.program.version, "3.2.4042.22853");
    assert_eq!(
        doc.generated.as_ref().unwrap().sign.as_deref(),
        Some("Siw Eriksson")
    );
    assert_eq!(doc.vouchers.len(), 3);
    assert_eq!(doc.accounts.len(), 85);
    assert_eq!(transaction_count(&doc), 12);
    assert_eq!(balance_count(&doc, BalanceKind::Opening), 81);
    assert_eq!(balance_count(&doc, BalanceKind::Closing), 80);
    assert_eq!(balance_count(&doc, BalanceKind::Result), 2);
    let res = doc
        .balances
        .iter()
        .find(|b| b.kind == BalanceKind::Result)
        .unwrap();
    assert_eq!((res.year, res.account.as_str()), (0, "4056"));
    assert_eq!(res.amount, dec("884.52"));
    assert_eq!(res.quantity, None);
    assert_eq!(doc.vouchers[0].series, "");
    assert_eq!(
        doc.vouchers[2].text,
        "Momsredovisning oktober-december 2011"
    );
    assert_eq!(doc.vouchers[2].transactions.len(), 6);
    assert_eq!(doc.accounts[2].name, "Varumärken");
    assert!(doc.accounts.iter().all(|a| a.kind.is_none()));
    assert_ne!(AccountKind::Asset, AccountKind::Income);
    assert!(validate(&doc).is_valid());
}

#[test]
fn crlf_and_utf8_copies_read_the_same() {
    for fixture in [FORTNOX, BL, VISMA_FAKT, NORSTEDTS, VISMA_E] {
        let original = parse(fixture).unwrap();
        let crlf: Vec<u8> = fixture
            .iter()
            .flat_map(|b| {
                if *b == b'\n' {
                    vec![b'\r', b'\n']
                } else {
                    vec![*b]
                }
            })
            .collect();
        assert_eq!(parse(&crlf).unwrap(), original);

        let text: String = fixture.iter().map(|b| cp437_char(*b)).collect();
        let utf8 = parse_file(text.as_bytes(), &ParseOptions::default()).unwrap();
        assert_eq!(utf8.document, original);
        if text.is_ascii() {
            assert_eq!(utf8.encoding, Encoding::Cp437);
        } else {
            assert_eq!(utf8.encoding, Encoding::Utf8);
        }

        if let Some(latin1) = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()
        {
            let parsed = parse_file(&latin1, &ParseOptions::default()).unwrap();
            assert_eq!(parsed.document, original);
            assert_eq!(
                parsed.encoding,
                if text.is_ascii() {
                    Encoding::Cp437
                } else {
                    Encoding::Latin1
                }
            );
        }
    }
}

fn cp437_char(byte: u8) -> char {
    sie_file::encoding::decode_with(&[byte], Encoding::Cp437)
        .chars()
        .next()
        .unwrap()
}

#[test]
fn forced_encoding_is_used() {
    let forced = ParseOptions {
        encoding: Some(Encoding::Latin1),
        ..ParseOptions::default()
    };
    let parsed = parse_file(VISMA_FAKT, &forced).unwrap();
    assert_eq!(parsed.encoding, Encoding::Latin1);
    // 0x99 is Ö in CP437 and a C1 control character in Latin-1.
    assert_eq!(parsed.document.company_name, "\u{99}vningsbolaget AB");
}
