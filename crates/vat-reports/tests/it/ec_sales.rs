//! The EC sales list and its file for Skatteverket's Filöverföring.
//!
//! Format (Skatteverket, "Lämna periodisk sammanställning med filöverföring",
//! https://www.skatteverket.se/foretag/moms/deklareramoms/periodisksammanstallningforvarorochtjanster/lamnaperiodisksammanstallningmedfiloverforing.4.7eada0316ed67d72822104.html;
//! English: "How to submit an EC Sales List via the file transfer e-service"):
//! line 1 `SKV574008;`; line 2 the 12-digit VAT number (with or without SE),
//! the month code (`2212`) or quarter code (`22-4`), the responsible person
//! (at most 35 characters), telephone (digits, a hyphen after the area code,
//! or + for a foreign number, at most 17), e-mail (optional); then per buyer:
//! VAT number with country code; goods; triangular trade; services (at most
//! 12 characters each, a minus sign for a credit, an empty column where
//! there was none, 0 if the total is 0). Skatteverket's example:
//! `FI01409351;16400;;;`, `ESA28480514;3200;;15300;`.

use bookkeeping_core::*;
use journal_mapping::FixedRates;
use rust_decimal_macros::dec;
use time::{
    Month,
    macros::{date, datetime},
};
use vat_reports::{EcSalesList, ReturnPeriod, SkvReporter};

use crate::*;

fn reporter() -> SkvReporter {
    SkvReporter {
        vat_number: SkvReporter::vat_number_from_org_nr("556677-8899").expect("org nr"),
        contact_name: "Anna Andersson".into(),
        phone: "031-123456".into(),
        email: Some("ekonomi@example.se".into()),
    }
}

#[test]
fn goods_services_credits_and_currencies_per_customer() {
    let rc = TaxTreatment::EuB2bReverseCharge;
    let fi = customer("FI", Some("FI 2077-4740"));
    // Goods 16 000.00 + shipping 400.00 SEK to FI.
    let a = sale(
        "1",
        datetime!(2026-03-03 10:00 UTC),
        Currency::SEK,
        vec![
            line(LineKind::Goods, sek("16000.00"), sek("0"), 0, rc.clone()),
            line(LineKind::Shipping, sek("400.00"), sek("0"), 0, rc.clone()),
        ],
        fi.clone(),
    );
    // A service of 1 000.00 EUR to the same customer at 11.2000 → 11 200.00 SEK.
    let b = sale(
        "2",
        datetime!(2026-03-10 10:00 UTC),
        Currency::EUR,
        vec![line(
            LineKind::Service,
            Money::parse("1000.00", Currency::EUR).unwrap(),
            Money::parse("0", Currency::EUR).unwrap(),
            0,
            rc.clone(),
        )],
        fi.clone(),
    );
    // A credit of 1 000.40 SEK goods.
    let c = refund(
        "r1",
        &a,
        datetime!(2026-03-20 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("1000.40"),
            sek("0"),
            0,
            rc.clone(),
        )],
    );
    // A Spanish customer whose goods were all credited in the month: 0.
    let es = customer("ES", Some("ESA28480514"));
    let d = sale(
        "3",
        datetime!(2026-03-11 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("3200.00"),
            sek("0"),
            0,
            rc.clone(),
        )],
        es,
    );
    let e = refund(
        "r3",
        &d,
        datetime!(2026-03-12 10:00 UTC),
        vec![line(
            LineKind::Goods,
            sek("3200.00"),
            sek("0"),
            0,
            rc.clone(),
        )],
    );
    // No VAT number, and a Swedish one: review items, not lines.
    let f = sale(
        "4",
        datetime!(2026-03-12 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("500.00"),
            sek("0"),
            0,
            rc.clone(),
        )],
        customer("DE", None),
    );
    let g = sale(
        "5",
        datetime!(2026-03-13 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("500.00"),
            sek("0"),
            0,
            rc.clone(),
        )],
        customer("DE", Some("SE556677889901")),
    );
    // A domestic sale is not listed.
    let h = sale(
        "6",
        datetime!(2026-03-13 10:00 UTC),
        Currency::SEK,
        vec![line(
            LineKind::Goods,
            sek("80.00"),
            sek("20.00"),
            25,
            TaxTreatment::Domestic,
        )],
        customer("SE", None),
    );
    let records: Vec<SalesRecord> = vec![
        SalesRecord::Sale(a),
        SalesRecord::Sale(b),
        SalesRecord::Refund(c),
        SalesRecord::Sale(d),
        SalesRecord::Refund(e),
        SalesRecord::Sale(f),
        SalesRecord::Sale(g),
        SalesRecord::Sale(h),
    ];
    let rates = FixedRates::new().with(Currency::EUR, date!(2026 - 03 - 01), dec!(11.2000));
    let march = Period::month(2026, Month::March).unwrap();
    let list = EcSalesList::build(march, &records, &rates);

    assert_eq!(list.rows.len(), 2, "{:#?}", list.rows);
    let es = &list.rows[0];
    assert_eq!(es.vat_number, "ESA28480514");
    assert_eq!(es.goods_sek, Some(dec!(0.00)));
    let fi = &list.rows[1];
    assert_eq!(fi.vat_number, "FI20774740");
    // 16 000 + 400 − 1 000.40 = 15 399.60.
    assert_eq!(fi.goods_sek, Some(dec!(15399.60)));
    assert_eq!(fi.services_sek, Some(dec!(11200.00)));
    assert_eq!(fi.triangular_sek, None);
    assert_eq!(fi.documents, 3);
    assert_eq!(list.review.len(), 2, "{:#?}", list.review);
    assert!(
        list.review
            .iter()
            .all(|i| i.field.as_deref() == Some("customer.vat_number"))
    );
    assert!(
        list.review[1].message.contains("Swedish VAT number"),
        "{}",
        list.review[1].message
    );

    let mut csv = Vec::new();
    list.to_csv(&mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "month,customer_vat_number,goods_sek,triangular_trade_sek,services_sek,documents\n\
         2026-03,ESA28480514,0.00,,,2\n\
         2026-03,FI20774740,15399.60,,11200.00,3\n"
    );

    // Whole kronor: 15 399.60 → 15 400.
    let file = list
        .to_skv574008(ReturnPeriod::month_of(date!(2026 - 03 - 01)), &reporter())
        .unwrap();
    assert_eq!(
        file,
        "SKV574008;\r\n\
         SE556677889901;2603;Anna Andersson;031-123456;ekonomi@example.se\r\n\
         ESA28480514;0;;;\r\n\
         FI20774740;15400;;11200;\r\n"
    );
}

#[test]
fn the_file_refuses_what_skatteverket_would() {
    let list = EcSalesList::default();
    let month = ReturnPeriod::month_of(date!(2026 - 03 - 01));
    let mut r = reporter();
    r.contact_name = "Anna;Andersson".into();
    assert_eq!(
        list.to_skv574008(month, &r).unwrap_err().field,
        "contact_name"
    );
    let mut r = reporter();
    r.contact_name = "A".repeat(36);
    assert!(list.to_skv574008(month, &r).is_err());
    let mut r = reporter();
    r.phone = "031 12 34 56".into();
    assert_eq!(list.to_skv574008(month, &r).unwrap_err().field, "phone");
    let mut r = reporter();
    r.vat_number = "SE5566778899".into();
    assert_eq!(
        list.to_skv574008(month, &r).unwrap_err().field,
        "vat_number"
    );
    let mut r = reporter();
    r.phone = "+4631123456".into();
    r.email = None;
    assert_eq!(
        list.to_skv574008(ReturnPeriod::quarter_of(date!(2026 - 03 - 01)), &r)
            .unwrap(),
        "SKV574008;\r\nSE556677889901;26-1;Anna Andersson;+4631123456;\r\n"
    );
}

/// A EUR service sold with reverse charge on 10 March (11.20) and credited
/// on 2 April (11.50). The journal takes the credit back at the sale's rate
/// (`journal-mapping`, "a refund of a foreign sale reverses VAT at the
/// sale's rate"), and the VAT return's boxes come from the journal; the EC
/// sales list converted the credit at 2 April's rate, so March and April
/// together listed −30.00 SEK for a sale that was taken back whole. Now the
/// credit is converted at the sale's date's rate: from the sale when it is in
/// the records, else from `Refund::sale_occurred_at`.
#[test]
fn a_credit_of_a_foreign_sale_is_listed_at_the_sales_rate() {
    let rc = TaxTreatment::EuB2bReverseCharge;
    let eur = |s: &str| Money::parse(s, Currency::EUR).unwrap();
    let sold = sale(
        "7",
        datetime!(2026-03-10 10:00 UTC),
        Currency::EUR,
        vec![line(
            LineKind::Service,
            eur("1000.00"),
            eur("0"),
            0,
            rc.clone(),
        )],
        customer("FI", Some("FI20774740")),
    );
    let credit = refund(
        "r7",
        &sold,
        datetime!(2026-04-02 10:00 UTC),
        vec![line(LineKind::Service, eur("1000.00"), eur("0"), 0, rc)],
    );
    let rates = FixedRates::new()
        .with(Currency::EUR, date!(2026 - 03 - 01), dec!(11.20))
        .with(Currency::EUR, date!(2026 - 04 - 01), dec!(11.50));
    let march = Period::month(2026, Month::March).unwrap();
    let april = Period::month(2026, Month::April).unwrap();
    let services =
        |list: &EcSalesList| list.rows.iter().map(|r| r.services_sek).collect::<Vec<_>>();

    let in_march = EcSalesList::build(march, &[SalesRecord::Sale(sold.clone())], &rates);
    assert_eq!(services(&in_march), [Some(dec!(11200.00))]);

    // April's close reads the refund; its sale is March's, so the refund
    // carries the sale's date.
    let mut dated = credit.clone();
    dated.sale_occurred_at = Some(sold.occurred_at);
    let in_april = EcSalesList::build(april, &[SalesRecord::Refund(dated)], &rates);
    assert_eq!(services(&in_april), [Some(dec!(-11200.00))]);

    // The sale among the records dates it too.
    let both = [SalesRecord::Sale(sold), SalesRecord::Refund(credit.clone())];
    let in_april = EcSalesList::build(april, &both, &rates);
    assert_eq!(services(&in_april), [Some(dec!(-11200.00))]);

    // Neither: the credit's own date, as the journal does.
    let in_april = EcSalesList::build(april, &[SalesRecord::Refund(credit)], &rates);
    assert_eq!(services(&in_april), [Some(dec!(-11500.00))]);
}
