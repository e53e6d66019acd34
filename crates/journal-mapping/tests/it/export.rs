//! CSV and SIE exports.

use journal_mapping::{Chart, Policy, map};
use rust_decimal::Decimal;

use crate::helpers::*;

#[test]
fn csv_has_one_row_per_posting_and_is_byte_identical_across_runs() {
    let run = || {
        let j = map(
            &small_month(),
            Chart::default(),
            Policy::default(),
            rates(),
            march(),
        );
        let mut out = Vec::new();
        j.to_csv(&mut out).unwrap();
        (j, out)
    };
    let (j, a) = run();
    let (_, b) = run();
    assert_eq!(a, b);
    let mut r = csv::Reader::from_reader(a.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let postings: usize = j.vouchers.iter().map(|v| v.postings.len()).sum();
    assert_eq!(rows.len(), postings);
    let total: Decimal = rows.iter().map(|r| r[8].parse::<Decimal>().unwrap()).sum();
    assert_eq!(total, Decimal::ZERO);
    assert_eq!(&r.headers().unwrap()[0], "voucher_id");
}

#[test]
fn journal_round_trips_through_serde() {
    let j = map(
        &small_month(),
        Chart::default(),
        Policy::default(),
        rates(),
        march(),
    );
    let json = serde_json::to_string(&j).unwrap();
    let back: journal_mapping::Journal = serde_json::from_str(&json).unwrap();
    assert_eq!(back, j);
}

#[cfg(feature = "sie")]
#[test]
fn sie_document_writes_and_parses_back_balanced() {
    let j = map(
        &small_month(),
        Chart::default(),
        Policy::default(),
        rates(),
        march(),
    );
    let export =
        journal_mapping::SieExport::new("Kaffebutiken AB", time::macros::date!(2026 - 04 - 02));
    let doc = j.to_sie(&export);
    assert_eq!(doc.vouchers.len(), j.vouchers.len());
    let bytes = sie_file::write(&doc, &sie_file::WriteOptions::default()).unwrap();
    let back = sie_file::parse(&bytes).unwrap();
    assert_eq!(back.vouchers.len(), j.vouchers.len());
    for (v, orig) in back.vouchers.iter().zip(&j.vouchers) {
        assert!(v.is_balanced());
        assert_eq!(v.transactions.len(), orig.postings.len());
        assert_eq!(v.date, orig.date);
        assert_eq!(v.series, "F");
    }
    assert!(back.account("1930").is_some());
    assert!(
        sie_file::validate(&back).is_valid(),
        "{:?}",
        sie_file::validate(&back).problems()
    );
}

#[test]
fn a_document_number_sie_cannot_hold_is_replaced_and_reviewed_not_fatal() {
    use bookkeeping_core::{Provider, ReviewReason};
    use journal_mapping::{Granularity, export::sie_text};

    // A document number with an emoji, a line break, a NUL and a bidi
    // override: none of them is in CP437 (or allowed in an SIE field).
    let mut s = shop_sale("1001", vec![domestic(25, "80.00", "20.00")]);
    s.document_number = "#1001 🎉\r\n#VER A 1\0\u{202e}".into();
    let mut clean = shop_sale("1002", vec![domestic(25, "8.00", "2.00")]);
    clean.document_number = "#1002 Åsa".into();
    let mut mp = mapper(Policy::default().with_granularity(Granularity::PerDocument));
    mp.add_sale(&s);
    mp.add_sale(&clean);
    let j = balanced(mp.finish());

    // The journal (and so the CSV) keeps the original text.
    let v = j
        .vouchers
        .iter()
        .find(|v| v.text.contains("#1001"))
        .unwrap();
    assert_eq!(v.text, "Shopify order #1001 🎉\r\n#VER A 1\0\u{202e}");

    // One review item, for the voucher that changes: provider, object, field.
    let items: Vec<_> = j
        .review
        .iter()
        .filter(|r| r.message.starts_with("written to the SIE file"))
        .collect();
    assert_eq!(items.len(), 1, "{:#?}", j.review);
    let item = &items[0];
    assert_eq!(item.provider, Provider::Shopify);
    assert_eq!(item.reason, ReviewReason::Other);
    assert_eq!(item.source.as_ref().unwrap().id, "1001");
    assert_eq!(item.source.as_ref().unwrap().kind, "order");
    assert_eq!(item.field.as_deref(), Some("voucher text"));
    assert!(
        item.message
            .contains("written to the SIE file as \"Shopify order #1001 ?  #VER A 1\""),
        "{}",
        item.message
    );

    // The strict writer (CharPolicy::Error) writes it: nothing stops the close.
    let export =
        journal_mapping::SieExport::new("Kaffebutiken AB", time::macros::date!(2026 - 04 - 02));
    let bytes = sie_file::write(&j.to_sie(&export), &sie_file::WriteOptions::default()).unwrap();
    let back = sie_file::parse(&bytes).unwrap();
    assert_eq!(back.vouchers.len(), 2);
    let texts: Vec<&str> = back.vouchers.iter().map(|v| v.text.as_str()).collect();
    assert!(
        texts.contains(&"Shopify order #1001 ?  #VER A 1"),
        "{texts:?}"
    );
    assert!(texts.contains(&"Shopify order #1002 Åsa"), "{texts:?}");
    // The "#VER" inside the text is text: exactly two #VER records.
    let records = String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| l.starts_with("#VER"))
        .count();
    assert_eq!(records, 2);
    assert_eq!(sie_text(&v.text), "Shopify order #1001 ?  #VER A 1");
}

/// A value a spreadsheet runs as a formula when a cell starts with it (OWASP
/// "CSV Injection": `=`, `+`, `-`, `@`, tab, carriage return).
const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
];

#[test]
fn csv_cells_never_start_like_a_formula_whatever_the_provider_sent() {
    let f = |i: usize| FORMULAS[i % FORMULAS.len()];
    let mut input = small_month();
    let mut n = 0;
    let mut next = || {
        n += 1;
        f(n - 1).to_owned()
    };
    for s in &mut input.sales {
        s.document_number = next().into();
        for l in &mut s.lines {
            l.description = next().into();
        }
    }
    for r in &mut input.refunds {
        r.document_number = next().into();
        for l in &mut r.lines {
            l.description = next().into();
        }
    }
    for p in &mut input.payouts {
        p.bank_reference = Some(next());
        for l in &mut p.lines {
            l.description = next();
            l.reference = Some(next());
            for fee in &mut l.fees {
                fee.description = next();
            }
        }
    }
    for s in &mut input.statements {
        for l in &mut s.lines {
            l.text = next();
            l.counterparty = Some(next());
            l.reference = Some(next());
        }
    }
    for granularity in [
        journal_mapping::Granularity::PerDay,
        journal_mapping::Granularity::PerDocument,
    ] {
        let j = map(
            &input,
            Chart::default(),
            Policy::default().with_granularity(granularity),
            rates(),
            march(),
        );
        let mut out = Vec::new();
        j.to_csv(&mut out).unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(
            rows.len(),
            j.vouchers.iter().map(|v| v.postings.len()).sum::<usize>()
        );
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                // Amounts are numbers, a minus sign included.
                if (i == 8 || i == 9) && cell.parse::<Decimal>().is_ok() {
                    continue;
                }
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "column {} starts like a formula: {cell:?}",
                    journal_mapping_header(i)
                );
            }
        }
    }
}

fn journal_mapping_header(i: usize) -> &'static str {
    [
        "voucher_id",
        "series",
        "date",
        "kind",
        "provider",
        "voucher_text",
        "account",
        "account_name",
        "amount_sek",
        "foreign_amount",
        "foreign_currency",
        "posting_text",
        "sources",
    ][i]
}

/// A day of 20,000 orders is one sales voucher (`Granularity::PerDay`) with
/// 20,000 sources; as one cell they were ~900,000 characters on each of the
/// voucher's rows, where a spreadsheet holds 32,767 a cell ("Excel
/// specifications and limits") and shows the rest as a broken row. The
/// cell lists what fits and says how many more.
#[test]
fn a_voucher_of_thousands_of_sources_fits_its_csv_cells_in_a_spreadsheet() {
    let mut mp = mapper(Policy::default().with_granularity(journal_mapping::Granularity::PerDay));
    for i in 0..20_000 {
        mp.add_sale(&shop_sale(
            &format!("gid://shopify/Order/{}", 5_800_000_000_u64 + i),
            vec![domestic(25, "80.00", "20.00")],
        ));
    }
    let j = mp.finish();
    let big = j
        .vouchers
        .iter()
        .max_by_key(|v| v.sources.len())
        .expect("a voucher");
    assert_eq!(big.sources.len(), 20_000);
    let mut out = Vec::new();
    j.to_csv(&mut out).unwrap();
    let mut r = csv::Reader::from_reader(out.as_slice());
    let mut cut = 0;
    for row in r.records().map(Result::unwrap) {
        for cell in row.iter() {
            assert!(cell.chars().count() <= 32_767, "{} characters", cell.len());
        }
        let sources = &row[12];
        if row[0] == *big.id.as_str() {
            let listed = sources
                .split(' ')
                .filter(|s| s.starts_with("shopify"))
                .count();
            let more: usize = sources
                .rsplit_once(" … and ")
                .and_then(|(_, n)| n.strip_suffix(" more"))
                .and_then(|n| n.parse().ok())
                .expect("says how many more");
            assert_eq!(listed + more, big.sources.len());
            cut += 1;
        }
    }
    assert_eq!(cut, big.postings.len());
}
