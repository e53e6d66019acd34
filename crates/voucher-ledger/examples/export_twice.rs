//! Exports a month through a fresh SQLite ledger twice, then once more after
//! the provider changed a sale: the first run exports every voucher, the
//! second nothing, the third a reversal and a new voucher.
//!
//! `cargo run -p voucher-ledger --example export_twice`

use bookkeeping_core::*;
use journal_mapping::{Chart, FixedRates, Journal, Mapper, Policy};
use time::Month;
use time::macros::{date, datetime};
use voucher_ledger::{CloseOptions, SqlLedger, close};

fn journal(net: &str, vat: &str) -> Result<Journal, Box<dyn std::error::Error>> {
    let sek = |s: &str| Money::parse(s, Currency::SEK);
    let period = Period::month(2026, Month::March)?;
    let mut mapper = Mapper::new(
        Chart::default(),
        Policy::default(),
        FixedRates::new(),
        period,
    );
    let gross = Money::new(sek(net)?.amount() + sek(vat)?.amount(), Currency::SEK);
    mapper.add_sale(&Sale {
        source: SourceRef::new(Provider::Shopify, "order", "gid://shopify/Order/1001"),
        document_number: "#1001".into(),
        occurred_at: datetime!(2026-03-02 10:00 UTC),
        currency: Currency::SEK,
        lines: vec![SaleLine {
            kind: LineKind::Goods,
            description: "Kaffe".into(),
            net: sek(net)?,
            vat: sek(vat)?,
            vat_rate: Some(VatRate::from_percent(25.into())),
            treatment: TaxTreatment::Domestic,
        }],
        customer: Customer::default(),
        payments: vec![Payment {
            gateway: "shopify_payments".into(),
            channel: PaymentChannel::Provider(Provider::Shopify),
            amount: gross,
            reference: None,
            processed_at: None,
        }],
        test: false,
    });
    Ok(mapper.finish())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let ledger = SqlLedger::open_sqlite(dir.path().join("ledger.sqlite")).await?;
    let options = CloseOptions::new("556677-8899", date!(2026 - 04 - 02));
    let runs = [
        ("first run", journal("80.00", "20.00")?),
        ("same month again", journal("80.00", "20.00")?),
        ("after the order was edited", journal("160.00", "40.00")?),
    ];
    for (label, journal) in &runs {
        let report = close(&ledger, journal, &options, |batch| {
            // A host writes batch.journal().to_sie(..) to a file here.
            println!(
                "  batch {} holds {} vouchers",
                batch.number,
                batch.vouchers.len()
            );
            Ok(())
        })
        .await?;
        println!("{label}: {report}");
    }
    Ok(())
}
