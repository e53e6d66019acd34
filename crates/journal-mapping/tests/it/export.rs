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
