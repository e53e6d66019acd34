//! The OSS return. Rule (Council Directive 2006/112/EC art. 369h(2), as art.
//! 366(2)): the ECB rate "for that day [the period's last day], or, if there
//! is no publication on that day, on the next day of publication".

use std::collections::BTreeSet;

use bookkeeping_core::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::{
    Date, Month,
    macros::{date, datetime},
};
use vat_reports::{OssReport, ReturnPeriod};

use crate::*;

/// ECB SEK per EUR: 31 Jan 2026 was a Saturday (Monday 2 Feb's rate), 31
/// March a Tuesday.
fn ecb(c: Currency, last_day: Date) -> Option<(Date, Decimal)> {
    match (c.code(), last_day) {
        ("SEK", d) if d == date!(2026 - 01 - 31) => Some((date!(2026 - 02 - 02), dec!(11.5000))),
        ("SEK", d) if d == date!(2026 - 02 - 28) => Some((date!(2026 - 03 - 02), dec!(11.2000))),
        ("SEK", d) if d == date!(2026 - 03 - 31) => Some((d, dec!(11.0000))),
        ("DKK", d) if d == date!(2026 - 03 - 31) => Some((d, dec!(7.4600))),
        _ => None,
    }
}

/// January: DE 19 %, 2 300.00 + 437.00 SEK.
fn january_sale() -> Sale {
    sale(
        "1",
        datetime!(2026-01-20 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("2300.00"),
            sek("437.00"),
            19,
            oss("DE"),
        )],
        customer("DE", None),
    )
}

#[test]
fn a_quarter_with_a_refund_of_an_earlier_quarter_and_several_currencies() {
    let de = customer("DE", None);
    let jan = january_sale();
    // March: DE 19 % 1 100.00 + 209.00 SEK, DE 7 % 550.00 + 38.50 SEK.
    let mar = sale(
        "2",
        datetime!(2026-03-05 10:00 UTC),
        Currency::SEK,
        vec![
            line(
                LineKind::Goods,
                sek("1100.00"),
                sek("209.00"),
                19,
                oss("DE"),
            ),
            line(LineKind::Goods, sek("550.00"), sek("38.50"), 7, oss("DE")),
            // A domestic line is not in the OSS return.
            line(
                LineKind::Goods,
                sek("80.00"),
                sek("20.00"),
                25,
                TaxTreatment::Domestic,
            ),
        ],
        de.clone(),
    );
    // March, a EUR sale to Denmark: 40.00 + 10.00 EUR, no conversion.
    let eur = sale(
        "3",
        datetime!(2026-03-06 10:00 UTC),
        Currency::EUR,
        vec![line(
            LineKind::Goods,
            Money::parse("40.00", Currency::EUR).unwrap(),
            Money::parse("10.00", Currency::EUR).unwrap(),
            25,
            oss("DK"),
        )],
        customer("DK", None),
    );
    // March, a DKK sale to Denmark: 746.00 + 186.50 DKK at 7.46 DKK/EUR.
    let dkk = sale(
        "4",
        datetime!(2026-03-07 10:00 UTC),
        Currency::DKK,
        vec![line(
            LineKind::Goods,
            Money::parse("746.00", Currency::DKK).unwrap(),
            Money::parse("186.50", Currency::DKK).unwrap(),
            25,
            oss("DK"),
        )],
        customer("DK", None),
    );
    // March: half of the March 7 % line back (same period), and the January
    // sale given back in full (a correction of January / Q4? no: Q1).
    let r_same = refund(
        "r1",
        &mar,
        datetime!(2026-03-20 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("275.00"),
            sek("19.25"),
            7,
            oss("DE"),
        )],
    );
    let r_jan = refund(
        "r2",
        &jan,
        datetime!(2026-03-21 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("2300.00"),
            sek("437.00"),
            19,
            oss("DE"),
        )],
    );
    let records: Vec<SalesRecord> = [jan, mar, eur, dkk]
        .into_iter()
        .map(SalesRecord::Sale)
        .chain([r_same, r_jan].into_iter().map(SalesRecord::Refund))
        .collect();

    let q1 = Period::new(date!(2026 - 01 - 01), date!(2026 - 03 - 31)).unwrap();
    let needed: BTreeSet<_> = OssReport::rates_needed(q1, &records);
    assert!(needed.contains(&(Currency::SEK, date!(2026 - 03 - 31))));
    assert!(needed.contains(&(Currency::SEK, date!(2026 - 01 - 31)))); // the January correction
    assert!(!needed.iter().any(|(c, _)| *c == Currency::EUR));

    let report = OssReport::build(q1, &records, &ecb);
    assert!(report.review.is_empty(), "{:?}", report.review);
    let row = |scope: &str, period: &str, corrects: Option<&str>, country: &str, rate: i64| {
        report
            .rows
            .iter()
            .find(|r| {
                r.period.scope() == scope
                    && r.period.to_string() == period
                    && r.corrects.map(|p| p.to_string()).as_deref() == corrects
                    && r.country.as_str() == country
                    && r.vat_rate.percent() == Decimal::from(rate)
            })
            .unwrap_or_else(|| {
                panic!(
                    "no row {scope} {period} {corrects:?} {country} {rate}: {:#?}",
                    report.rows
                )
            })
    };
    // January (month): 2 300 / 11.50 = 200.00; 437 / 11.50 = 38.00.
    let r = row("month", "2026-01", None, "DE", 19);
    assert_eq!((r.taxable_eur, r.vat_eur), (dec!(200.00), dec!(38.00)));
    assert_eq!(r.rates[0].published, date!(2026 - 02 - 02));
    // March (month): DE 19 %: 1 100 / 11 = 100.00, 209 / 11 = 19.00.
    let r = row("month", "2026-03", None, "DE", 19);
    assert_eq!((r.taxable_eur, r.vat_eur), (dec!(100.00), dec!(19.00)));
    // DE 7 %: (550 − 275) / 11 = 25.00; (38.50 − 19.25) / 11 = 1.75.
    let r = row("month", "2026-03", None, "DE", 7);
    assert_eq!(
        (r.taxable_eur, r.vat_eur, r.documents),
        (dec!(25.00), dec!(1.75), 2)
    );
    // DK 25 %: 40.00 EUR + 746 / 7.46 = 100.00 → 140.00; 10.00 + 186.50 / 7.46 = 25.00 → 35.00.
    let r = row("month", "2026-03", None, "DK", 25);
    assert_eq!((r.taxable_eur, r.vat_eur), (dec!(140.00), dec!(35.00)));
    assert_eq!(r.rates.len(), 1, "EUR needs no rate: {:?}", r.rates);
    // The month view: the January sale refunded in March corrects January, at January's rate.
    let r = row("month", "2026-03", Some("2026-01"), "DE", 19);
    assert_eq!((r.taxable_eur, r.vat_eur), (dec!(-200.00), dec!(-38.00)));
    // The quarter return: the January sale and its March refund are both in
    // Q1 and cancel: 1 100 + 2 300 − 2 300 = 1 100 SEK / 11 = 100.00 EUR.
    let r = row("quarter", "2026-Q1", None, "DE", 19);
    assert_eq!((r.taxable_eur, r.vat_eur), (dec!(100.00), dec!(19.00)));
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.period.scope() == "month" || r.corrects.is_none())
    );
    // February had no OSS sales: no line.
    assert!(
        !report
            .rows
            .iter()
            .any(|r| r.period == ReturnPeriod::month_of(date!(2026 - 02 - 01)))
    );

    let mut csv = Vec::new();
    report.to_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("scope,period,section,corrects_period,country,vat_rate,taxable_amount_eur,vat_eur,documents,ecb_rates\n"), "{csv}");
    assert!(csv.contains("month,2026-03,correction,2026-01,DE,19,-200.00,-38.00,1,SEK 11.5000 per EUR (2026-02-02)\n"), "{csv}");
    assert!(
        csv.contains(
            "quarter,2026-Q1,supplies,,DE,19,100.00,19.00,3,SEK 11.0000 per EUR (2026-03-31)\n"
        ),
        "{csv}"
    );
}

#[test]
fn a_refund_of_a_previous_quarter_is_a_correction_of_that_quarter() {
    let de = customer("DE", None);
    let dec_sale = sale(
        "9",
        datetime!(2025-12-30 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("1150.00"),
            sek("218.50"),
            19,
            oss("DE"),
        )],
        de,
    );
    let back = refund(
        "r9",
        &dec_sale,
        datetime!(2026-01-10 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("1150.00"),
            sek("218.50"),
            19,
            oss("DE"),
        )],
    );
    let records = vec![SalesRecord::Sale(dec_sale), SalesRecord::Refund(back)];
    let q1 = Period::new(date!(2026 - 01 - 01), date!(2026 - 03 - 31)).unwrap();
    // Q4 2025's rate: 31 December 2025, 11.50.
    let ecb = |c: Currency, d: Date| {
        (c == Currency::SEK && d == date!(2025 - 12 - 31)).then_some((d, dec!(11.50)))
    };
    let report = OssReport::build(q1, &records, &ecb);
    let q = report
        .rows
        .iter()
        .find(|r| r.period.scope() == "quarter")
        .expect("quarter row");
    assert_eq!(
        q.corrects.map(|p| p.to_string()).as_deref(),
        Some("2025-Q4")
    );
    // 1 150 / 11.50 = 100.00; 218.50 / 11.50 = 19.00.
    assert_eq!((q.taxable_eur, q.vat_eur), (dec!(-100.00), dec!(-19.00)));
}

#[test]
fn what_cannot_be_reported_is_a_review_item() {
    let de = customer("DE", None);
    let s = sale(
        "5",
        datetime!(2026-03-05 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("100.00"),
            sek("19.00"),
            19,
            oss("DE"),
        )],
        de.clone(),
    );
    let mut no_rate = line(LineKind::Goods, sek("50.00"), sek("9.50"), 19, oss("DE"));
    no_rate.vat_rate = None;
    let s2 = sale(
        "6",
        datetime!(2026-03-05 11:00 UTC),
        Currency::SEK,
        vec![no_rate],
        de.clone(),
    );
    // A refund whose sale is not in the data.
    let unknown = sale(
        "7",
        datetime!(2025-11-05 10:00 UTC),
        Currency::SEK,
        vec![],
        de,
    );
    let r = refund(
        "r7",
        &unknown,
        datetime!(2026-03-09 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("100.00"),
            sek("19.00"),
            19,
            oss("DE"),
        )],
    );
    let records = vec![
        SalesRecord::Sale(s),
        SalesRecord::Sale(s2),
        SalesRecord::Refund(r),
    ];
    let march = Period::month(2026, Month::March).unwrap();
    // The ECB has not published for 31 March yet.
    let none = |_: Currency, _: Date| None;
    let report = OssReport::build(march, &records, &none);
    assert!(report.rows.is_empty());
    let text: Vec<String> = report.review.iter().map(|i| i.to_string()).collect();
    assert_eq!(text.len(), 3, "{text:#?}");
    assert!(
        text.iter()
            .any(|t| t.contains("(field lines[0].vat_rate)") && t.contains("no VAT rate")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("neither the sale nor its date is in the data")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("no ECB SEK rate published on 2026-03-31")),
        "{text:#?}"
    );
}

/// A month's close reads that month's sales: a refund in March of a January
/// OSS sale comes without its sale. The refund carries the sale's date
/// (`Refund::sale_occurred_at`, a Shopify order's `processedAt`), and the
/// March return corrects January with it, at January's rate, as when the
/// sale is among the records; it used to be left out as "not in the data".
#[test]
fn a_refund_of_an_earlier_months_sale_corrects_that_month_without_the_sale() {
    let jan = january_sale();
    let mut r = refund(
        "r1",
        &jan,
        datetime!(2026-03-21 10:00 UTC),
        jan.lines.clone(),
    );
    r.sale_occurred_at = Some(jan.occurred_at);
    let march = Period::month(2026, Month::March).unwrap();
    let report = OssReport::build(march, &[SalesRecord::Refund(r)], &ecb);
    assert!(report.review.is_empty(), "{:?}", report.review);
    let correction = report
        .rows
        .iter()
        .find(|r| r.corrects.map(|p| p.to_string()).as_deref() == Some("2026-01"))
        .unwrap_or_else(|| panic!("no correction of January: {:#?}", report.rows));
    assert_eq!(
        (correction.taxable_eur, correction.vat_eur),
        (dec!(-200.00), dec!(-38.00))
    );
}
