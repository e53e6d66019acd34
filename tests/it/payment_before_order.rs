//! A payment that comes before its order across the month's end: PayPal
//! takes the money at checkout, and Shopify processes the order a moment
//! later. At 23:59:59 on 31 March the receipt is March's and the order
//! April's. March's close found no sale for the receipt and booked it on
//! suspense; April's booked the sale on the clearing account, which nothing
//! cleared: the two monthly closes did not add up to one close of both.

use bookkeeping_core::{
    Currency, Customer, LineKind, Money, Payment, PaymentChannel, Period, Provider, RecordStream,
    Sale, SaleLine, SalesRecord, SalesSource, Source, SourceError, SourceRef, Statement,
    StatementBatch, StatementClass, StatementLine, StatementSource, TaxTreatment, VatRate,
};
use kassabok::close::{Close, Roles};
use kassabok::mapping::Journal;
use rust_decimal::Decimal;
use time::macros::datetime;

/// Shopify's order #9001, processed at 00:00:01 on 1 April in Stockholm,
/// paid through PayPal.
fn order() -> Sale {
    let sek = |s: &str| Money::parse(s, Currency::SEK).unwrap();
    Sale {
        source: SourceRef::new(Provider::Shopify, "order", "gid://shopify/Order/9001"),
        document_number: "#9001".into(),
        occurred_at: datetime!(2026-03-31 22:00:01 UTC),
        currency: Currency::SEK,
        lines: vec![SaleLine {
            kind: LineKind::Goods,
            description: "Kaffe".into(),
            net: sek("80.00"),
            vat: sek("20.00"),
            vat_rate: Some(VatRate::from_percent(Decimal::from(25))),
            treatment: TaxTreatment::Domestic,
        }],
        customer: Customer::default(),
        payments: vec![Payment {
            gateway: "paypal".into(),
            channel: PaymentChannel::Provider(Provider::PayPal),
            amount: sek("100.00"),
            reference: None,
            processed_at: Some(datetime!(2026-03-31 21:59:59 UTC)),
        }],
        test: false,
    }
}

/// The shop's orders: those of the period, and any one by its name.
struct Orders;

impl Source for Orders {
    fn provider(&self) -> Provider {
        Provider::Shopify
    }
}

impl SalesSource for Orders {
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        let sale = order();
        let records: Vec<Result<SalesRecord, SourceError>> = if period.contains(sale.occurred_at) {
            vec![Ok(SalesRecord::Sale(sale))]
        } else {
            Vec::new()
        };
        Box::pin(futures::stream::iter(records))
    }

    fn sale_by_document<'a>(
        &'a self,
        document: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Option<Sale>, SourceError>> {
        Box::pin(async move { Ok((document == "#9001").then(order)) })
    }
}

impl Roles for Orders {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
}

/// PayPal's balance: the receipt of #9001 at 23:59:59 on 31 March.
struct Balance;

impl Source for Balance {
    fn provider(&self) -> Provider {
        Provider::PayPal
    }
}

#[async_trait::async_trait]
impl StatementSource for Balance {
    async fn statements(&self, period: &Period) -> Result<StatementBatch, SourceError> {
        let at = datetime!(2026-03-31 21:59:59 UTC);
        let lines = if period.contains(at) {
            vec![StatementLine {
                source: SourceRef::new(Provider::PayPal, "transaction", "8PY01234AB567890C"),
                booked_at: at,
                amount: Money::parse("100.00", Currency::SEK).unwrap(),
                balance_after: None,
                event_code: "T0006".into(),
                class: StatementClass::Payment,
                counterparty: None,
                text: "Express Checkout Payment".into(),
                reference: Some("#9001".into()),
                related: None,
            }]
        } else {
            Vec::new()
        };
        Ok(StatementBatch {
            statements: vec![Statement {
                account: SourceRef::new(Provider::PayPal, "balance", "SEK"),
                currency: Currency::SEK,
                opening: None,
                closing: None,
                lines,
                complete: true,
            }],
            review: Vec::new(),
        })
    }
}

impl Roles for Balance {
    fn as_statement_source(&self) -> Option<&dyn StatementSource> {
        Some(self)
    }
}

async fn close(period: Period) -> Journal {
    Close::new(period)
        .source(Orders)
        .source(Balance)
        .run()
        .await
        .expect("closes")
        .journal
}

fn balance(journals: &[&Journal], account: &str) -> Decimal {
    journals.iter().map(|j| j.balance(account)).sum()
}

#[tokio::test]
async fn a_receipt_just_before_its_order_settles_it_across_the_months_end() {
    let march = Period::month(2026, time::Month::March).unwrap();
    let april = Period::month(2026, time::Month::April).unwrap();
    let both = Period::new(march.first(), april.last()).unwrap();
    let (m, a, one) = (close(march).await, close(april).await, close(both).await);

    // March: the receipt clears the clearing account for the sale of 1
    // April; nothing on suspense, nothing said about an unknown sale.
    assert_eq!(m.balance("2999"), Decimal::ZERO, "{:#?}", m.vouchers);
    assert_eq!(m.balance("1580"), Decimal::from(-100));
    assert!(m.review.iter().all(|r| !r.message.contains("not known")));
    // April books the sale; the two months add up to one close of both.
    assert_eq!(a.balance("3001"), Decimal::from(-80));
    for account in ["1580", "1941", "2611", "2999", "3001"] {
        assert_eq!(
            balance(&[&m, &a], account),
            one.balance(account),
            "{account}"
        );
    }
    assert_eq!(balance(&[&m, &a], "1580"), Decimal::ZERO);
}
