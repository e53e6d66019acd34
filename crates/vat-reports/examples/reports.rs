//! Prints the OSS return and the EC sales list (CSV and Skatteverket's SKV
//! 574008 file) for a small hand-made month.
//!
//! ```text
//! cargo run -p vat-reports --example reports
//! ```

use bookkeeping_core::*;
use journal_mapping::FixedRates;
use rust_decimal::Decimal;
use time::{Date, Month, macros::datetime};
use vat_reports::{EcSalesList, OssReport, ReturnPeriod, SkvReporter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sek = |s: &str| Money::parse(s, Currency::SEK);
    let line = |net: &str,
                vat: &str,
                rate: i64,
                treatment: TaxTreatment|
     -> Result<SaleLine, MoneyError> {
        Ok(SaleLine {
            kind: LineKind::Goods,
            description: "Kaffe Mörkrost".into(),
            net: sek(net)?,
            vat: sek(vat)?,
            vat_rate: Some(VatRate::from_percent(Decimal::from(rate))),
            treatment,
        })
    };
    let sale = |id: &str,
                lines: Vec<SaleLine>,
                country: &str,
                vat_number: Option<&str>|
     -> Result<SalesRecord, Box<dyn std::error::Error>> {
        Ok(SalesRecord::Sale(Sale {
            source: SourceRef::new(Provider::Shopify, "order", id),
            document_number: format!("#{id}").into(),
            occurred_at: datetime!(2026-03-10 12:00 UTC),
            currency: Currency::SEK,
            lines,
            customer: Customer {
                country: Some(CountryCode::new(country)?),
                vat_number: vat_number.map(str::to_owned),
            },
            payments: vec![],
            test: false,
        }))
    };
    let de = TaxTreatment::EuOss {
        country: CountryCode::new("DE")?,
    };
    let records = vec![
        sale(
            "1001",
            vec![
                line("1116.89", "212.21", 19, de.clone())?,
                line("558.45", "39.09", 7, de)?,
            ],
            "DE",
            None,
        )?,
        sale(
            "1002",
            vec![line("16400.00", "0", 0, TaxTreatment::EuB2bReverseCharge)?],
            "FI",
            Some("FI01409351"),
        )?,
        sale(
            "1003",
            vec![line("900.00", "0", 0, TaxTreatment::EuB2bReverseCharge)?],
            "FI",
            None,
        )?,
    ];
    let march = Period::month(2026, Month::March)?;

    // The ECB's SEK rate for 31 March (a host fetches it with exchange_rates::EcbRates).
    let ecb = |c: Currency, last_day: Date| {
        (c == Currency::SEK).then(|| (last_day, Decimal::new(111_689, 4)))
    };
    let oss = OssReport::build(march, &records, &ecb);
    let mut out = std::io::stdout().lock();
    println!("oss.csv:");
    oss.to_csv(&mut out)?;

    let ec = EcSalesList::build(march, &records, &FixedRates::new());
    println!("\nec_sales_list.csv:");
    ec.to_csv(&mut out)?;
    let reporter = SkvReporter {
        vat_number: SkvReporter::vat_number_from_org_nr("556677-8899").ok_or("org nr")?,
        contact_name: "Anna Andersson".into(),
        phone: "031-123456".into(),
        email: None,
    };
    println!("\nperiodisk_sammanstallning_2603.txt:");
    print!(
        "{}",
        ec.to_skv574008(ReturnPeriod::month_of(march.first()), &reporter)?
            .replace("\r\n", "\n")
    );
    println!("\nfor review:");
    for item in &ec.review {
        println!("- {item}");
    }
    Ok(())
}
