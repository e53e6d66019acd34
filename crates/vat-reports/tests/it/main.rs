//! The OSS return and the EC sales list from hand-built sales, against
//! figures computed by hand.

mod absurd;
mod ec_sales;
mod oss;

use bookkeeping_core::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

fn sek(s: &str) -> Money {
    Money::parse(s, Currency::SEK).expect("amount")
}

fn line(kind: LineKind, net: Money, vat: Money, rate: i64, treatment: TaxTreatment) -> SaleLine {
    SaleLine {
        kind,
        description: "Kaffe".into(),
        net,
        vat,
        vat_rate: Some(VatRate::from_percent(Decimal::from(rate))),
        treatment,
    }
}

fn oss(country: &str) -> TaxTreatment {
    TaxTreatment::EuOss {
        country: CountryCode::new(country).expect("country"),
    }
}

fn sale(
    id: &str,
    at: OffsetDateTime,
    currency: Currency,
    lines: Vec<SaleLine>,
    customer: Customer,
) -> Sale {
    Sale {
        source: SourceRef::new(Provider::Shopify, "order", id),
        document_number: format!("#{id}").into(),
        occurred_at: at,
        currency,
        lines,
        customer,
        payments: vec![],
        test: false,
    }
}

fn refund(id: &str, of: &Sale, at: OffsetDateTime, lines: Vec<SaleLine>) -> Refund {
    Refund {
        source: SourceRef::new(Provider::Shopify, "refund", id),
        sale: of.source.clone(),
        document_number: of.document_number.clone(),
        occurred_at: at,
        currency: of.currency,
        lines,
        customer: of.customer.clone(),
        sale_occurred_at: None,
        payments: vec![],
    }
}

fn customer(country: &str, vat: Option<&str>) -> Customer {
    Customer {
        country: Some(CountryCode::new(country).expect("country")),
        vat_number: vat.map(str::to_owned),
    }
}
