//! A small month's journal, as CSV, review.md and SIE.

use journal_mapping::{Chart, Policy, map};

use crate::helpers::*;

/// The small month mapped with the default chart and policy.
pub(crate) fn journal() -> journal_mapping::Journal {
    balanced(map(
        &small_month(),
        Chart::default(),
        Policy::default(),
        rates(),
        march(),
    ))
}

#[test]
fn small_month_csv() {
    let j = journal();
    let mut out = Vec::new();
    j.to_csv(&mut out).unwrap();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn small_month_review_markdown() {
    insta::assert_snapshot!(journal().review_markdown());
}

#[test]
fn small_month_summary() {
    insta::assert_snapshot!(journal().summary().to_string());
}

#[cfg(feature = "sie")]
#[test]
fn small_month_sie() {
    let j = journal();
    let mut export =
        journal_mapping::SieExport::new("Kaffebutiken AB", time::macros::date!(2026 - 04 - 02));
    export.org_nr = Some("556677-8899".into());
    export.program_version = "0.1.0".into();
    export.fiscal_year = Some((
        time::macros::date!(2026 - 01 - 01),
        time::macros::date!(2026 - 12 - 31),
    ));
    let bytes = sie_file::write(&j.to_sie(&export), &sie_file::WriteOptions::default()).unwrap();
    let (text, _) = sie_file::encoding::decode(&bytes);
    insta::assert_snapshot!(text.replace("\r\n", "\n"));
}
