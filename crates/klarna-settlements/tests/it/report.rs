//! CSV reports: Swedish numbers, delimiters, configurable columns, bad rows.

use bookkeeping_core::{
    LineKind, PeriodError, ReviewReason, SalesRecord, SalesSource, TaxTreatment, VatRate,
};
use futures::TryStreamExt;
use klarna_settlements::Listed;
use klarna_settlements::models::TransactionType;
use klarna_settlements::normalize::normalize_payout;
use klarna_settlements::report::{
    DecimalSeparator, parse_decimal, parse_payout_report, parse_sales_report,
};
use rust_decimal_macros::dec;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, fixture, mount_catch_all};

#[test]
fn numbers_in_swedish_and_english_forms() {
    let comma = DecimalSeparator::Comma;
    let point = DecimalSeparator::Point;
    assert_eq!(parse_decimal("1 234,50", comma), Some(dec!(1234.50)));
    assert_eq!(parse_decimal("1\u{a0}234,50", comma), Some(dec!(1234.50)));
    assert_eq!(parse_decimal("1.234,50", comma), Some(dec!(1234.50)));
    assert_eq!(parse_decimal("\u{2212}37,35", comma), Some(dec!(-37.35)));
    assert_eq!(parse_decimal("1,234.50", point), Some(dec!(1234.50)));
    assert_eq!(parse_decimal("-0.65", point), Some(dec!(-0.65)));
    assert_eq!(parse_decimal("tjugo", comma), None);
    assert_eq!(parse_decimal("", comma), None);
}

#[test]
fn swedish_semicolon_report_reconciles() {
    let report = parse_payout_report(&fixture("payout-report-sv.csv")).unwrap();
    assert_eq!(report.format.delimiter, b';');
    assert_eq!(report.format.decimal, DecimalSeparator::Comma);
    assert_eq!(report.transactions.len(), 9);
    let fee = report.transactions[1].item().unwrap();
    assert_eq!(fee.transaction_type, TransactionType::Fee);
    assert_eq!(fee.amount, 3735);
    assert_eq!(fee.vat_rate, Some(2500));
    assert_eq!(fee.vat_amount, Some(934));
    let Some(Listed::Item(payout)) = &report.payout else {
        panic!("payout header: {:?}", report.payout)
    };
    assert_eq!(payout.totals.sale_amount, 170_800);
    assert_eq!(payout.totals.settlement_amount, 128_765);
    assert_eq!(payout.payment_reference.as_str(), "K7Q2M9XB");
    let n = normalize_payout(payout, &report.transactions);
    assert!(n.reconciles(), "{:#?}", n.review);
    assert!(n.review.is_empty());
    insta::assert_yaml_snapshot!(n.payout.unwrap().lines);
}

#[test]
fn comma_report_with_other_columns_and_quoted_amounts() {
    let report = parse_payout_report(&fixture("payout-report-en.csv")).unwrap();
    assert_eq!(report.format.delimiter, b',');
    assert_eq!(report.format.decimal, DecimalSeparator::Point);
    assert!(report.columns.iter().any(|c| c == "store_id"));
    let amounts: Vec<i64> = report
        .transactions
        .iter()
        .map(|t| t.item().unwrap().amount)
        .collect();
    assert_eq!(amounts, [235_000, 6_650, 7_000]);
    let ret = report.transactions[2].item().unwrap();
    assert_eq!(ret.capture_id, None);
    assert_eq!(ret.sale_date, time::macros::datetime!(2026-03-02 00:00 UTC));
    let Some(Listed::Item(payout)) = &report.payout else {
        panic!("payout header: {:?}", report.payout)
    };
    assert_eq!(payout.totals.tax_amount, None, "no tax column configured");
    assert!(payout.merchant_settlement_type.is_unknown());
    let n = normalize_payout(payout, &report.transactions);
    assert!(n.reconciles(), "{:#?}", n.review);
    assert_eq!(n.payout.unwrap().amount.amount(), dec!(2213.50));
}

#[test]
fn a_bad_row_is_named_and_the_others_come_through() {
    let report = parse_payout_report(&fixture("payout-report-bad-row.csv")).unwrap();
    assert!(report.payout.is_none(), "no total columns");
    assert_eq!(report.transactions.len(), 3);
    assert!(report.transactions[0].item().is_some());
    assert!(report.transactions[2].item().is_some());
    let Listed::Malformed(m) = &report.transactions[1] else {
        panic!("expected a malformed row")
    };
    assert_eq!(m.field, "amount");
    assert_eq!(m.id.as_deref(), Some("line 3"));
    insta::assert_snapshot!(m.review().to_string());
}

#[test]
fn an_empty_report_is_an_error() {
    assert!(parse_payout_report(b"").is_err());
    assert!(parse_payout_report(b"\xEF\xBB\xBF\n\n").is_err());
}

#[tokio::test]
async fn the_report_endpoint_is_read_as_csv() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/settlements/v1/reports/payout-with-transactions"))
        .and(query_param("payment_reference", "K7Q2M9XB"))
        .and(header("accept", "text/csv"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("payout-report-sv.csv"), "text/csv"),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let report = client(&server)
        .payout_report(&"K7Q2M9XB".into())
        .await
        .unwrap();
    assert_eq!(report.transactions.len(), 9);
}

#[tokio::test]
async fn sales_report_with_two_vat_rates_and_a_return() -> Result<(), PeriodError> {
    let report = parse_sales_report(&fixture("sales-report-sv.csv")).unwrap();
    assert!(report.carries_vat);
    let sales: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sales.len(), 2);
    let a = sales[0];
    assert_eq!(a.document_number, "#1043");
    assert_eq!(a.total().unwrap().amount(), dec!(1249.00));
    assert_eq!(a.lines[1].kind, LineKind::Shipping);
    assert_eq!(a.lines[0].vat.amount(), dec!(199.80));
    assert_eq!(a.lines[0].treatment, TaxTreatment::Domestic);
    let b = sales[1];
    assert_eq!(b.lines[0].vat_rate, Some(VatRate::from_percent(dec!(12))));
    assert_eq!(b.lines[0].net.amount(), dec!(409.82));
    let refund = report
        .records
        .iter()
        .find_map(|r| match r {
            SalesRecord::Refund(r) => Some(r),
            _ => None,
        })
        .expect("the return");
    assert_eq!(refund.total().unwrap().amount(), dec!(299.00));
    assert_eq!(refund.sale.id, "0f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10");
    // The document without VAT is not booked with a guessed rate.
    let reviews: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Review(r) => Some(r),
            _ => None,
        })
        .collect();
    assert!(reviews.iter().any(|r| r.reason == ReviewReason::VatRate));
    assert!(reviews.iter().all(
        |r| r.source.as_ref().unwrap().id == "b2d4f6a8-0c2e-4b4d-a6f8-0b2d4f6a8c0e/2026-03-02"
    ));
    // As a SalesSource: March holds sale #1044 and the reviews.
    let march = bookkeeping_core::Period::month(2026, time::Month::March)?;
    let in_march: Vec<SalesRecord> = report.sales(&march).try_collect().await.unwrap();
    let sale_numbers: Vec<_> = in_march
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some(s.document_number.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(sale_numbers, ["#1044"]);
    insta::assert_yaml_snapshot!(report.records);
    Ok(())
}

#[test]
fn sales_report_without_vat_makes_no_sales() {
    let report = parse_sales_report(&fixture("sales-report-no-vat.csv")).unwrap();
    assert!(!report.carries_vat);
    assert!(report.records.is_empty());
    assert_eq!(report.expected.len(), 2);
    assert_eq!(
        report.expected[0].merchant_reference.as_deref(),
        Some("#1043")
    );
    assert_eq!(report.expected[0].amount.amount(), dec!(1249.00));
}

#[tokio::test]
async fn a_period_report_is_split_per_payout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/settlements/v1/reports/payouts-summary-with-transactions",
        ))
        .and(query_param("start_date", "2026-03-01T00:00:00Z"))
        .and(query_param("end_date", "2026-03-31T23:59:59Z"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("payouts-report-sv.csv"), "text/csv"),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_catch_all(&server).await;
    let reports = client(&server)
        .payouts_report(
            time::macros::datetime!(2026-03-01 00:00 UTC),
            time::macros::datetime!(2026-03-31 23:59:59 UTC),
        )
        .await
        .unwrap();
    assert_eq!(reports.len(), 2);
    let mut settled = Vec::new();
    for report in &reports {
        let Some(Listed::Item(payout)) = &report.payout else {
            panic!("payout header: {:?}", report.payout)
        };
        assert_eq!(report.transactions.len(), 2);
        let n = normalize_payout(payout, &report.transactions);
        assert!(n.reconciles(), "{:#?}", n.review);
        settled.push(n.payout.unwrap().amount.amount());
    }
    assert_eq!(settled, [dec!(2421.21), dec!(151.00)]);
}

/// A date cell is text from the file. One ending in a character of more than one byte six
/// bytes from its end (a U+2212 minus in the offset, which this module already reads in
/// amounts) made the reader panic on a cut inside that character, and the whole report
/// was lost. Now the row is malformed, named by its line, and the others are read.
#[test]
fn a_date_with_a_multibyte_character_is_a_bad_row_not_a_panic() {
    let payout = "type;order_id;capture_id;amount;currency_code;purchase_country;sale_date;capture_date\n\
        SALE;6f1d3b5a;2b4d6f8a;199,00;SEK;SE;2026-03-02T09:00:00\u{2212}01:00;2026-03-02T10:00:00Z\n\
        SALE;8a0c2e4b;4c6e8a0b;99,00;SEK;SE;2026-03-03T09:00:00Z;2026-03-03T10:00:00Z\n";
    let report = parse_payout_report(payout.as_bytes()).unwrap();
    assert_eq!(report.transactions.len(), 2);
    let Listed::Malformed(m) = &report.transactions[0] else {
        panic!("expected a malformed row: {:?}", report.transactions[0])
    };
    assert_eq!(m.field, "sale_date");
    assert_eq!(m.id.as_deref(), Some("line 2"));
    assert!(report.transactions[1].item().is_some());

    let sales = "order_id;merchant_reference1;type;capture_date;currency_code;shipping_country;line_type;name;total_amount;tax_rate;total_tax_amount\n\
        9a0e4c6b;#1043;SALE;2026-02-28T08:01:44\u{2212}01:00;SEK;SE;physical;T-shirt;999,00;25;199,80\n\
        5d2c9e71;#1044;SALE;2026-03-01T07:12:05Z;SEK;SE;physical;Kaffe;459,00;12;49,18\n";
    let report = parse_sales_report(sales.as_bytes()).unwrap();
    let booked: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some(s.document_number.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(booked, ["#1044"]);
    assert!(
        report
            .records
            .iter()
            .any(|r| matches!(r, SalesRecord::Review(r) if r.reason == ReviewReason::Malformed)),
        "{:#?}",
        report.records
    );
}

/// The rate does not say the scheme: 25 % is Denmark's rate as well as
/// Sweden's, and a shop below the EU threshold charges Swedish VAT at any of
/// Sweden's rates. A Danish sale at 25 % was booked with Swedish VAT and left
/// out of the OSS return, and a German one at Swedish 12 % became an OSS
/// line for Germany. The shop's scheme now decides; a rate that does not fit
/// it is a review item.
#[test]
fn the_shops_eu_scheme_decides_the_treatment_not_the_rate() {
    use bookkeeping_core::EuConsumerVat;
    use klarna_settlements::report::parse_sales_report_with;

    let csv = "order_id;type;capture_date;currency_code;shipping_country;total_amount;tax_rate;total_tax_amount\n\
        dk;SALE;2026-03-02T10:00:00Z;SEK;DK;125,00;25;25,00\n\
        de;SALE;2026-03-03T10:00:00Z;SEK;DE;112,00;12;12,00\n";
    let treatments = |scheme| {
        parse_sales_report_with(csv.as_bytes(), scheme)
            .unwrap()
            .records
            .into_iter()
            .filter_map(|r| match r {
                SalesRecord::Sale(s) => {
                    Some((s.source.id.to_string(), s.lines[0].treatment.clone()))
                }
                SalesRecord::Review(i) => Some((
                    i.source.map(|s| s.id.to_string()).unwrap_or_default(),
                    TaxTreatment::Undetermined {
                        reason: format!("{:?}", i.reason),
                    },
                )),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let dk = bookkeeping_core::CountryCode::new("DK").unwrap();
    let de = bookkeeping_core::CountryCode::new("DE").unwrap();
    assert_eq!(
        treatments(EuConsumerVat::Oss),
        [
            (
                "dk/2026-03-02".to_owned(),
                TaxTreatment::EuOss { country: dk }
            ),
            (
                "de/2026-03-03".to_owned(),
                TaxTreatment::EuOss { country: de }
            ),
        ]
    );
    let below = treatments(EuConsumerVat::SwedishVat);
    assert_eq!(
        below[0],
        ("dk/2026-03-02".to_owned(), TaxTreatment::EuB2cSwedishVat)
    );
    assert_eq!(
        below[1],
        ("de/2026-03-03".to_owned(), TaxTreatment::EuB2cSwedishVat)
    );
    // Below the threshold, a German rate is not Swedish VAT: reviewed.
    let german = csv.replace("DE;112,00;12;12,00", "DE;119,00;19;19,00");
    let report = parse_sales_report_with(german.as_bytes(), EuConsumerVat::SwedishVat).unwrap();
    assert!(
        report
            .records
            .iter()
            .any(|r| matches!(r, SalesRecord::Review(i) if i.reason == ReviewReason::TaxTreatment)),
        "{:#?}",
        report.records
    );
}

const SALES_HEADER: &str = "order_id;merchant_reference1;type;capture_date;currency_code;shipping_country;line_type;name;total_amount;tax_rate;total_tax_amount\n";

/// A row of Klarna's sales report under [`SALES_HEADER`], 25 % Swedish VAT.
fn sales_row(order: &str, kind: &str, at: &str, gross: &str, vat: &str) -> String {
    format!("{order};#{order};{kind};{at};SEK;SE;physical;Vara;{gross};25;{vat}\n")
}

/// A sales report of `rows` under [`SALES_HEADER`].
fn sales_csv(rows: &[String]) -> String {
    [SALES_HEADER.to_owned()]
        .iter()
        .chain(rows)
        .map(String::as_str)
        .collect()
}

/// The review items of `report`.
fn reviews(report: &klarna_settlements::report::SalesReport) -> Vec<&bookkeeping_core::ReviewItem> {
    report
        .records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Review(i) => Some(i),
            _ => None,
        })
        .collect()
}

/// The sales (positive) and refunds (negative) `report` books in `month`
/// of 2026, by id.
async fn booked_in(
    report: &klarna_settlements::report::SalesReport,
    month: time::Month,
) -> Vec<(String, rust_decimal::Decimal)> {
    let period = bookkeeping_core::Period::month(2026, month).unwrap();
    let records: Vec<SalesRecord> = report.sales(&period).try_collect().await.unwrap();
    records
        .into_iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some((s.source.id.to_string(), s.total().unwrap().amount())),
            SalesRecord::Refund(r) => Some((r.source.id.to_string(), -r.total().unwrap().amount())),
            _ => None,
        })
        .collect()
}

/// An order captured in part on 30 March and the rest on 2 April was one
/// sale, dated by its first row: March booked all of it and April nothing.
/// Each capture day is now its own document, booked in its own month.
#[tokio::test]
async fn an_order_captured_across_a_months_end_is_booked_in_each_month() {
    let csv = sales_csv(&[
        sales_row("o1", "SALE", "2026-03-30T10:00:00Z", "500,00", "100,00"),
        sales_row("o1", "SALE", "2026-04-02T09:00:00Z", "250,00", "50,00"),
    ]);
    let report = parse_sales_report(csv.as_bytes()).unwrap();
    let march = booked_in(&report, time::Month::March).await;
    let april = booked_in(&report, time::Month::April).await;
    assert_eq!(march, [("o1/2026-03-30".to_owned(), dec!(500.00))]);
    assert_eq!(april, [("o1/2026-04-02".to_owned(), dec!(250.00))]);
    let both: rust_decimal::Decimal = march.iter().chain(&april).map(|(_, a)| a).sum();
    assert_eq!(both, dec!(750.00), "the report's total, once");
    // One expected sale per capture, each naming Klarna's order.
    let expected: Vec<_> = report
        .expected
        .iter()
        .map(|e| (e.order.id.to_string(), e.amount.amount()))
        .collect();
    assert_eq!(
        expected,
        [
            ("o1".to_owned(), dec!(500.00)),
            ("o1".to_owned(), dec!(250.00))
        ]
    );
}

/// A `capture_id` column does not change the documents: a report exported
/// with it and one without give the same ids, which a settlement line names
/// by its capture's day (a settlement gives a `RETURN` no capture id). Two
/// captures of one day are one document of that day's month.
#[tokio::test]
async fn documents_are_the_same_with_or_without_a_capture_id_column() {
    let rows = [
        ("c1", "2026-03-30T10:00:00Z", "100,00", "20,00"),
        ("c2", "2026-03-30T11:00:00Z", "200,00", "40,00"),
        ("c3", "2026-04-02T09:00:00Z", "400,00", "80,00"),
    ];
    let plain = sales_csv(
        &rows
            .iter()
            .map(|(_, at, gross, vat)| sales_row("o1", "SALE", at, gross, vat))
            .collect::<Vec<_>>(),
    );
    let with_ids = [SALES_HEADER.replacen(";type;", ";type;capture_id;", 1)]
        .into_iter()
        .chain(rows.iter().map(|(capture, at, gross, vat)| {
            sales_row("o1", "SALE", at, gross, vat).replacen(
                ";SALE;",
                &format!(";SALE;{capture};"),
                1,
            )
        }))
        .collect::<String>();
    for csv in [plain, with_ids] {
        let report = parse_sales_report(csv.as_bytes()).unwrap();
        assert_eq!(
            booked_in(&report, time::Month::March).await,
            [("o1/2026-03-30".to_owned(), dec!(300.00))]
        );
        assert_eq!(
            booked_in(&report, time::Month::April).await,
            [("o1/2026-04-02".to_owned(), dec!(400.00))]
        );
    }
}

/// Two returns of one order, in March and in April, were one refund dated
/// by the first. Each is now a refund of its own month, linked to the sale
/// document of the order.
#[tokio::test]
async fn two_returns_of_an_order_are_refunds_of_their_own_months() {
    let csv = sales_csv(&[
        sales_row("o1", "SALE", "2026-03-10T10:00:00Z", "500,00", "100,00"),
        sales_row("o1", "RETURN", "2026-03-30T10:00:00Z", "100,00", "20,00"),
        sales_row("o1", "RETURN", "2026-04-02T09:00:00Z", "200,00", "40,00"),
    ]);
    let report = parse_sales_report(csv.as_bytes()).unwrap();
    assert_eq!(
        booked_in(&report, time::Month::March).await,
        [
            ("o1/2026-03-10".to_owned(), dec!(500.00)),
            ("o1/2026-03-30".to_owned(), dec!(-100.00))
        ]
    );
    assert_eq!(
        booked_in(&report, time::Month::April).await,
        [("o1/2026-04-02".to_owned(), dec!(-200.00))]
    );
    let sales: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Refund(r) => Some(r.sale.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(sales, ["o1/2026-03-10", "o1/2026-03-10"]);
}

/// A refund links to the last capture of its order at or before it, else
/// the first; to the order itself when the report has no sale of it.
#[test]
fn a_refund_links_to_the_capture_it_can_return() {
    let csv = sales_csv(&[
        sales_row("o1", "RETURN", "2026-03-01T10:00:00Z", "10,00", "2,00"),
        sales_row("o1", "SALE", "2026-03-02T10:00:00Z", "100,00", "20,00"),
        sales_row("o1", "SALE", "2026-03-05T10:00:00Z", "100,00", "20,00"),
        sales_row("o1", "RETURN", "2026-03-06T10:00:00Z", "10,00", "2,00"),
        sales_row("o1", "SALE", "2026-03-09T10:00:00Z", "100,00", "20,00"),
        sales_row("o2", "RETURN", "2026-03-06T10:00:00Z", "10,00", "2,00"),
    ]);
    let report = parse_sales_report(csv.as_bytes()).unwrap();
    let links: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            SalesRecord::Refund(r) => Some((r.source.id.to_string(), r.sale.id.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(
        links,
        [
            ("o1/2026-03-01".to_owned(), "o1/2026-03-02".to_owned()),
            ("o1/2026-03-06".to_owned(), "o1/2026-03-05".to_owned()),
            ("o2/2026-03-06".to_owned(), "o2".to_owned()),
        ]
    );
}

/// A sale's id is made of its own rows: the March capture has the same id
/// in a report of March alone as in one of March and April, so a host that
/// imports both does not book it twice.
#[tokio::test]
async fn a_documents_id_does_not_depend_on_the_reports_range() {
    let march = sales_csv(&[
        sales_row("o1", "SALE", "2026-03-30T10:00:00Z", "500,00", "100,00"),
        sales_row("o1", "RETURN", "2026-03-31T10:00:00Z", "100,00", "20,00"),
    ]);
    let both = [
        march.clone(),
        sales_row("o1", "SALE", "2026-04-02T09:00:00Z", "250,00", "50,00"),
        sales_row("o1", "RETURN", "2026-04-03T10:00:00Z", "100,00", "20,00"),
    ]
    .concat();
    let march = parse_sales_report(march.as_bytes()).unwrap();
    let both = parse_sales_report(both.as_bytes()).unwrap();
    let in_march = booked_in(&march, time::Month::March).await;
    assert_eq!(in_march.len(), 2);
    assert_eq!(booked_in(&both, time::Month::March).await, in_march);
    assert_eq!(booked_in(&both, time::Month::April).await.len(), 2);
}

/// Grouping is by a hash of (order, type, capture), not a scan of the
/// documents so far (quadratic: a 200,000-row report took minutes). Many
/// orders, each captured on two days, their rows far apart: every capture
/// is a document, in the order of its first row.
#[test]
fn many_orders_are_grouped_each_capture_once() {
    const ORDERS: usize = 50_000;
    let mut csv = String::from(SALES_HEADER);
    for day in ["2026-03-30T10:00:00Z", "2026-04-02T09:00:00Z"] {
        for n in 0..ORDERS {
            csv.push_str(&sales_row(&format!("o{n}"), "SALE", day, "125,00", "25,00"));
        }
    }
    let report = parse_sales_report(csv.as_bytes()).unwrap();
    assert_eq!(report.records.len(), 2 * ORDERS);
    assert_eq!(report.expected.len(), 2 * ORDERS);
    let id = |i: usize| match &report.records[i] {
        SalesRecord::Sale(s) => s.source.id.to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(id(0), "o0/2026-03-30");
    assert_eq!(id(ORDERS), "o0/2026-04-02");
    assert_eq!(id(2 * ORDERS - 1), format!("o{}/2026-04-02", ORDERS - 1));
}

/// A row whose date cannot be read is not booked (its document is a review
/// item, as before), and no longer takes the order's dated rows with it
/// nor lends them its amount.
#[tokio::test]
async fn an_undated_row_does_not_swallow_the_orders_dated_rows() {
    let csv = sales_csv(&[
        sales_row("o1", "SALE", "den 30 mars", "500,00", "100,00"),
        sales_row("o1", "SALE", "2026-03-30T10:00:00Z", "250,00", "50,00"),
    ]);
    let report = parse_sales_report(csv.as_bytes()).unwrap();
    assert_eq!(
        booked_in(&report, time::Month::March).await,
        [("o1/2026-03-30".to_owned(), dec!(250.00))]
    );
    assert!(
        reviews(&report)
            .iter()
            .any(|i| i.field.as_deref() == Some("capture_date")
                && i.source.as_ref().is_some_and(|s| s.id == "o1")),
        "{:#?}",
        report.records
    );
}

/// A settlement's SALE line names the sale document of its capture day, by
/// the id the sales report gives it, and a RETURN line the sale of the day
/// it names: a host matching the two finds each capture, not just the order.
#[test]
fn settlement_lines_name_the_sales_reports_documents() {
    use bookkeeping_core::SettlementKind;
    let report = parse_payout_report(&fixture("payout-report-sv.csv")).unwrap();
    let Some(Listed::Item(payout)) = &report.payout else {
        panic!("payout header: {:?}", report.payout)
    };
    let lines = normalize_payout(payout, &report.transactions)
        .payout
        .unwrap()
        .lines;
    let sales = "order_id;capture_id;merchant_reference1;type;capture_date;currency_code;shipping_country;total_amount;tax_rate;total_tax_amount\n\
        9a0e4c6b-2f37-4d1b-8f64-0c9a3b8e7d21;4b1f0c2e-8a7d-4d0e-9d59-1f6f2f7f0a11;#1043;SALE;2026-02-28T08:01:44Z;SEK;SE;1 249,00;25;249,80\n\
        5d2c9e71-8b4a-4f3e-a6d1-7e0b3c9f2a84;c81e4a7d-3f26-4b9e-8d05-92a6f1b7e3c0;#1044;SALE;2026-03-01T07:12:05Z;SEK;SE;459,00;12;49,18\n\
        0f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a10;;#1031;SALE;2026-02-21T07:30:00Z;SEK;SE;299,00;25;59,80\n";
    let documents: Vec<_> = parse_sales_report(sales.as_bytes())
        .unwrap()
        .records
        .into_iter()
        .filter_map(|r| match r {
            SalesRecord::Sale(s) => Some(s.source),
            _ => None,
        })
        .collect();
    assert_eq!(documents.len(), 3);
    let named: Vec<_> = lines
        .iter()
        .filter(|l| matches!(l.kind, SettlementKind::Charge | SettlementKind::Refund))
        .filter_map(|l| l.related.clone())
        .collect();
    assert_eq!(named, documents);
}
