//! Amounts a provider can send that no shop sells (a decimal string at the
//! edge of what `Decimal` holds, a total too long for Skatteverket's file):
//! the reports are built and written, the record goes to review.

use bookkeeping_core::*;
use journal_mapping::FixedRates;
use rust_decimal_macros::dec;
use time::macros::{date, datetime};
use vat_reports::{EcSalesList, OssReport, ReturnPeriod, SkvReporter};

use crate::*;

/// The largest amount `Decimal` holds.
const HUGE: &str = "79228162514264337593543950335";

fn eur(s: &str) -> Money {
    Money::parse(s, Currency::EUR).expect("amount")
}

#[test]
fn a_huge_amount_goes_to_review_and_the_reports_are_built() {
    let rc = TaxTreatment::EuB2bReverseCharge;
    let fi = customer("FI", Some("FI20774740"));
    let huge_b2b = sale(
        "1",
        datetime!(2026-03-03 10:00 UTC),
        Currency::EUR,
        vec![line(
            LineKind::Goods,
            eur("7922816251426433759354395033"),
            eur("0"),
            0,
            rc.clone(),
        )],
        fi.clone(),
    );
    let huge_oss = sale(
        "2",
        datetime!(2026-03-04 10:00 UTC),
        Currency::SEK,
        vec![line(LineKind::Goods, sek(HUGE), sek("0"), 19, oss("DE"))],
        customer("DE", None),
    );
    let fine = sale(
        "3",
        datetime!(2026-03-05 10:00 UTC),
        Currency::SEK,
        vec![line(LineKind::Goods, sek("1000.00"), sek("0"), 0, rc)],
        fi,
    );
    let records: Vec<SalesRecord> = [huge_b2b.clone(), huge_oss.clone(), fine]
        .into_iter()
        .map(SalesRecord::Sale)
        .collect();
    let march = Period::month(2026, time::Month::March).unwrap();
    let rates = FixedRates::new().with(Currency::EUR, date!(2026 - 03 - 01), dec!(11.2000));
    let ec = EcSalesList::build(march, &records, &rates);
    assert_eq!(ec.rows.len(), 1, "{:#?}", ec.rows);
    assert_eq!(ec.rows[0].goods_sek, Some(dec!(1000.00)));
    assert!(
        ec.review
            .iter()
            .any(|r| r.source.as_ref() == Some(&huge_b2b.source)
                && r.field.as_deref() == Some("lines[0].net"))
    );

    let ecb = |_: Currency, d: time::Date| Some((d, dec!(11.0000)));
    let oss = OssReport::build(march, &records, &ecb);
    assert!(oss.rows.is_empty(), "{:#?}", oss.rows);
    assert!(
        oss.review
            .iter()
            .any(|r| r.source.as_ref() == Some(&huge_oss.source)
                && r.field.as_deref() == Some("lines[0].net"))
    );
}

#[test]
fn a_total_too_long_for_skatteverkets_file_goes_to_review_and_the_file_is_written() {
    let rc = TaxTreatment::EuB2bReverseCharge;
    // 999 999 999 999 EUR is within what kassabok books, but at 11.20 SEK
    // it is 14 digits of kronor; the file holds 12 characters.
    let big = sale(
        "1",
        datetime!(2026-03-03 10:00 UTC),
        Currency::EUR,
        vec![line(
            LineKind::Goods,
            eur("999999999999"),
            eur("0"),
            0,
            rc.clone(),
        )],
        customer("FI", Some("FI20774740")),
    );
    let fine = sale(
        "2",
        datetime!(2026-03-05 10:00 UTC),
        Currency::SEK,
        vec![line(LineKind::Service, sek("1000.00"), sek("0"), 0, rc)],
        customer("ES", Some("ESA28480514")),
    );
    let records = vec![SalesRecord::Sale(big.clone()), SalesRecord::Sale(fine)];
    let march = Period::month(2026, time::Month::March).unwrap();
    let rates = FixedRates::new().with(Currency::EUR, date!(2026 - 03 - 01), dec!(11.2000));
    let ec = EcSalesList::build(march, &records, &rates);
    assert_eq!(ec.rows.len(), 1, "{:#?}", ec.rows);
    assert!(
        ec.review
            .iter()
            .any(|r| r.source.as_ref() == Some(&big.source)
                && r.message.contains("too large for Skatteverket's"))
    );
    let reporter = SkvReporter {
        vat_number: "SE556677889901".into(),
        contact_name: "Anna Andersson".into(),
        phone: "031-123456".into(),
        email: None,
    };
    let file = ec
        .to_skv574008(ReturnPeriod::month_of(date!(2026 - 03 - 01)), &reporter)
        .expect("the rest of the list is filed");
    assert_eq!(
        file,
        "SKV574008;\r\nSE556677889901;2603;Anna Andersson;031-123456;\r\nESA28480514;;;1000;\r\n"
    );
}

/// A sale or refund a provider lists twice (on two pages, or a cursor that
/// goes back a page) is reported once.
#[test]
fn a_sale_listed_twice_is_reported_once() {
    let rc = TaxTreatment::EuB2bReverseCharge;
    let b2b = sale(
        "1",
        datetime!(2026-03-03 10:00 UTC),
        Currency::SEK,
        vec![line(LineKind::Goods, sek("1000.00"), sek("0"), 0, rc)],
        customer("FI", Some("FI20774740")),
    );
    let b2c = sale(
        "2",
        datetime!(2026-03-04 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("100.00"),
            sek("19.00"),
            19,
            oss("DE"),
        )],
        customer("DE", None),
    );
    let back = refund(
        "r2",
        &b2c,
        datetime!(2026-03-05 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("10.00"),
            sek("1.90"),
            19,
            oss("DE"),
        )],
    );
    let once = vec![
        SalesRecord::Sale(b2b),
        SalesRecord::Sale(b2c),
        SalesRecord::Refund(back),
    ];
    let twice: Vec<SalesRecord> = once.iter().chain(&once).cloned().collect();
    let march = Period::month(2026, time::Month::March).unwrap();
    let rates = FixedRates::new();
    let ecb = |_: Currency, d: time::Date| Some((d, dec!(11.0000)));
    let (ec_once, ec_twice) = (
        EcSalesList::build(march, &once, &rates),
        EcSalesList::build(march, &twice, &rates),
    );
    assert_eq!(ec_twice.rows, ec_once.rows);
    assert_eq!(ec_once.rows[0].goods_sek, Some(dec!(1000.00)));
    let (oss_once, oss_twice) = (
        OssReport::build(march, &once, &ecb),
        OssReport::build(march, &twice, &ecb),
    );
    assert!(!oss_once.rows.is_empty());
    assert_eq!(oss_twice.rows, oss_once.rows);
}
