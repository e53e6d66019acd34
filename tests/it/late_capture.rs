//! A Klarna capture weeks after its Shopify order, across the month's end.
//!
//! A shop on Shopify with Klarna as a payment method has each purchase twice:
//! Shopify's order (processed when the customer checks out) and Klarna's
//! sales document of it, which Klarna's sales report dates by the capture
//! (the merchant captures when the goods ship; Klarna's standard
//! authorization period is 28 days, docs.klarna.com/payments/web-payments/
//! additional-resources/use-cases/extended-authorization-expiration). The
//! mapper books such a purchase once when it has both records, but a close
//! reads the shop's orders of its own month and the 7 days before: an order
//! of 20 January captured on 12 February was booked by January's close and
//! again, from Klarna's document, by February's.

use bookkeeping_core::{
    Currency, Customer, LineKind, Money, Payment, PaymentChannel, Period, Provider, RecordStream,
    ReviewReason, Sale, SaleLine, SalesRecord, SalesSource, Source, SourceError, SourceRef,
    TaxTreatment, VatRate,
};
use kassabok::close::{Close, MAX_SALE_LOOKUPS, Roles};
use kassabok::klarna::report::{SalesReport, parse_sales_report};
use kassabok::mapping::Journal;
use rust_decimal::Decimal;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The shop's order `#n`, processed at `at`, 1,000 SEK + 25 % VAT paid
/// through Klarna.
fn order(n: usize, at: OffsetDateTime) -> Sale {
    let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
    Sale {
        source: SourceRef::new(
            Provider::Shopify,
            "order",
            format!("gid://shopify/Order/{n}"),
        ),
        document_number: format!("#{n}").into(),
        occurred_at: at,
        currency: Currency::SEK,
        lines: vec![SaleLine {
            kind: LineKind::Goods,
            description: "Ullfilt".into(),
            net: sek("1000.00"),
            vat: sek("250.00"),
            vat_rate: Some(VatRate::from_percent(Decimal::from(25))),
            treatment: TaxTreatment::Domestic,
        }],
        customer: Customer::default(),
        payments: vec![Payment {
            gateway: "klarna".into(),
            channel: PaymentChannel::Provider(Provider::Klarna),
            amount: sek("1250.00"),
            reference: None,
            processed_at: Some(at),
        }],
        test: false,
    }
}

/// The shop's orders (Shopify's sales report): those of a period, and any
/// one by its name, as `ShopifyClient::sale_by_document` answers, and
/// several at once as `sales_by_documents` does, counting the names asked
/// and the requests for several.
struct Orders(Vec<Sale>, AtomicUsize, AtomicUsize);

impl Orders {
    fn new(sales: Vec<Sale>) -> Self {
        Orders(sales, AtomicUsize::new(0), AtomicUsize::new(0))
    }

    /// Order numbers looked up, one at a time or together.
    fn lookups(&self) -> usize {
        self.1.load(Ordering::SeqCst)
    }

    /// Lookups of several numbers at once.
    fn batches(&self) -> usize {
        self.2.load(Ordering::SeqCst)
    }

    fn named(&self, document: &str) -> Option<Sale> {
        self.0
            .iter()
            .find(|s| s.document_number == document)
            .cloned()
    }
}

impl Source for Orders {
    fn provider(&self) -> Provider {
        Provider::Shopify
    }
}

impl SalesSource for Orders {
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        let records: Vec<Result<SalesRecord, SourceError>> = self
            .0
            .iter()
            .filter(|s| period.contains(s.occurred_at))
            .map(|s| Ok(SalesRecord::Sale(s.clone())))
            .collect();
        Box::pin(futures::stream::iter(records))
    }

    fn sale_by_document<'a>(
        &'a self,
        document: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Option<Sale>, SourceError>> {
        self.1.fetch_add(1, Ordering::SeqCst);
        let found = self.named(document);
        Box::pin(async move { Ok(found) })
    }

    fn sales_by_documents<'a>(
        &'a self,
        documents: &'a [&'a str],
    ) -> futures::future::BoxFuture<'a, Result<Vec<Option<Sale>>, SourceError>> {
        self.1.fetch_add(documents.len(), Ordering::SeqCst);
        self.2.fetch_add(1, Ordering::SeqCst);
        let found = documents.iter().map(|d| self.named(d)).collect();
        Box::pin(async move { Ok(found) })
    }
}

impl Roles for Orders {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
}

/// Klarna's sales report (the columns of its "sales documents" export, as in
/// the crate's fixture `sales-report-sv.csv`): a SALE row per order number
/// and capture time.
fn klarna_report(rows: &[(String, &str)]) -> SalesReport {
    let mut csv = String::from(
        "order_id;merchant_reference1;type;capture_date;currency_code;shipping_country;line_type;name;total_amount;tax_rate;total_tax_amount\n",
    );
    for (i, (reference, captured)) in rows.iter().enumerate() {
        csv.push_str(&format!(
            "5d2c9e71-8b4a-4f3e-a6d1-{i:012};{reference};SALE;{captured};SEK;SE;physical;Ullfilt;1250,00;25;250,00\n"
        ));
    }
    parse_sales_report(csv.as_bytes()).expect("a sales report")
}

fn january() -> Period {
    Period::month(2026, time::Month::January).unwrap()
}

fn february() -> Period {
    Period::month(2026, time::Month::February).unwrap()
}

async fn close(period: Period, orders: &Orders, klarna: &SalesReport) -> Journal {
    Close::new(period)
        .source(klarna)
        .source(orders)
        .as_of(datetime!(2026-03-15 12:00 UTC))
        .run()
        .await
        .expect("closes")
        .journal
}

#[tokio::test]
async fn a_capture_weeks_after_its_order_is_not_booked_again_the_next_month() {
    // #2001: ordered 20 January, captured 12 February. #2002: a Klarna
    // purchase the shop's order system does not have (Klarna's own
    // checkout on another site), captured 13 February: Klarna's document is
    // the only record of that sale and is booked.
    let orders = Orders::new(vec![order(2001, datetime!(2026-01-20 10:00 UTC))]);
    // A third purchase, captured 14 February, has no merchant reference:
    // Klarna's report numbers it by Klarna's order id, which no shop's
    // order has, so it is not looked up.
    let klarna = klarna_report(&[
        ("#2001".into(), "2026-02-12T09:00:00Z"),
        ("#2002".into(), "2026-02-13T09:00:00Z"),
        (String::new(), "2026-02-14T09:00:00Z"),
    ]);
    let jan = close(january(), &orders, &klarna).await;
    let feb = close(february(), &orders, &klarna).await;

    // January books #2001's sale.
    assert_eq!(
        jan.balance("3001"),
        Decimal::from(-1000),
        "{:#?}",
        jan.vouchers
    );
    assert_eq!(jan.balance("2611"), Decimal::from(-250));
    // February books #2002 and the unnumbered one; Klarna's document of
    // #2001 is the same purchase, booked in January, and is left out of the
    // VAT reports.
    assert_eq!(
        feb.balance("3001"),
        Decimal::from(-2000),
        "{:#?}",
        feb.vouchers
    );
    assert_eq!(feb.balance("2611"), Decimal::from(-500));
    // One lookup each for #2001 (found, older) and #2002 (not the shop's),
    // asked together.
    assert_eq!((orders.lookups(), orders.batches()), (2, 1));
    let elsewhere: Vec<&SourceRef> = feb.booked_elsewhere.iter().collect();
    assert_eq!(elsewhere.len(), 1, "{elsewhere:?}");
    assert_eq!(elsewhere[0].provider, Provider::Klarna);
    assert!(
        elsewhere[0].id.as_ref().ends_with("/2026-02-12"),
        "{elsewhere:?}"
    );
    // The two months' revenue is the three purchases, once each.
    assert_eq!(
        jan.balance("3001") + feb.balance("3001"),
        Decimal::from(-3000)
    );
    assert!(jan.is_balanced() && feb.is_balanced());
}

#[tokio::test]
async fn past_the_lookup_budget_a_capture_is_named_for_review() {
    // One more late capture than the close may look up: each of the first
    // MAX_SALE_LOOKUPS finds its January order; the last is said, not
    // silently booked twice.
    let n = MAX_SALE_LOOKUPS + 1;
    let january_day = datetime!(2026-01-10 10:00 UTC);
    let orders = Orders::new(
        (0..n)
            .map(|i| order(3000 + i, january_day + Duration::minutes(i as i64)))
            .collect(),
    );
    let rows: Vec<(String, &str)> = (0..n)
        .map(|i| (format!("#{}", 3000 + i), "2026-02-12T09:00:00Z"))
        .collect();
    let klarna = klarna_report(&rows);
    let feb = close(february(), &orders, &klarna).await;

    assert_eq!(feb.booked_elsewhere.len(), MAX_SALE_LOOKUPS);
    // The numbers are asked 50 at a time: four requests of the source, not
    // two hundred, and none past the budget.
    assert_eq!((orders.lookups(), orders.batches()), (MAX_SALE_LOOKUPS, 4));
    let unchecked: Vec<_> = feb
        .review
        .iter()
        .filter(|r| r.reason == ReviewReason::Incomplete && r.message.contains("booked twice"))
        .collect();
    assert_eq!(unchecked.len(), 1, "{:#?}", feb.review);
    let item = &unchecked[0];
    assert_eq!(item.provider, Provider::Klarna);
    assert_eq!(item.field.as_deref(), Some("document_number"));
    // Named by the shop's order number and Klarna's document id.
    let named = format!(
        "#{} (5d2c9e71-8b4a-4f3e-a6d1-{:012}/2026-02-12)",
        3000 + n - 1,
        n - 1
    );
    assert!(
        item.message.starts_with("1 sales document "),
        "{}",
        item.message
    );
    assert!(item.message.contains(&named), "{}", item.message);
    assert!(!item.message.contains("  "), "{}", item.message);
    // That one purchase is booked from Klarna's document: 1,000 SEK.
    assert_eq!(feb.balance("3001"), Decimal::from(-1000));
}
