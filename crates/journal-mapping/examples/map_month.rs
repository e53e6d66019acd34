//! Builds a small month by hand, maps it and prints the vouchers, the
//! reconciliation and the review items.
//!
//! `cargo run -p journal-mapping --example map_month`

use bookkeeping_core::*;
use journal_mapping::{Chart, FixedRates, Mapper, Policy};
use rust_decimal::Decimal;
use time::Month;
use time::macros::{date, datetime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sek = |s: &str| Money::parse(s, Currency::SEK);
    let eur = |s: &str| Money::parse(s, Currency::EUR);
    let rates = FixedRates::new().with(Currency::EUR, date!(2026 - 01 - 01), Decimal::new(1150, 2));
    let period = Period::month(2026, Month::March)?;
    let mut m = Mapper::new(Chart::default(), Policy::default(), rates, period);

    let line = |net: Money, vat: Money, rate: i64| SaleLine {
        kind: LineKind::Goods,
        description: "Kaffe".into(),
        net,
        vat,
        vat_rate: Some(VatRate::from_percent(Decimal::from(rate))),
        treatment: TaxTreatment::Domestic,
    };
    let pay = |p: Provider, amount: Money| Payment {
        gateway: p.as_str().into(),
        channel: PaymentChannel::Provider(p),
        amount,
        reference: None,
        processed_at: None,
    };
    let order = |id: &str, at, lines: Vec<SaleLine>, payment: Payment| Sale {
        source: SourceRef::new(Provider::Shopify, "order", id),
        document_number: format!("#{id}").into(),
        occurred_at: at,
        currency: payment.amount.currency(),
        lines,
        customer: Customer::default(),
        payments: vec![payment],
        test: false,
    };

    let a = order(
        "1001",
        datetime!(2026-03-02 10:00 UTC),
        vec![
            line(sek("80.00")?, sek("20.00")?, 25),
            line(sek("100.00")?, sek("12.00")?, 12),
        ],
        pay(Provider::Shopify, sek("212.00")?),
    );
    let b = order(
        "1002",
        datetime!(2026-03-03 10:00 UTC),
        vec![line(eur("40.00")?, eur("10.00")?, 25)],
        pay(Provider::Stripe, eur("50.00")?),
    );
    m.add_sale(&a);
    m.add_sale(&b);

    let fee = |p: Provider, amount: Money| Fee {
        source: SourceRef::new(p, "fee", "f"),
        provider: p,
        kind: FeeKind::Processing,
        amount,
        vat: None,
        occurred_at: datetime!(2026-03-02 10:00 UTC),
        description: "Processing".into(),
    };
    let charge =
        |p: Provider, id: &str, gross: Money, fees: Vec<Fee>, related: &Sale| -> SettlementLine {
            let f = fees.iter().map(|f| f.amount.amount()).sum::<Decimal>();
            SettlementLine {
                source: SourceRef::new(p, "balance_transaction", id),
                kind: SettlementKind::Charge,
                occurred_at: related.occurred_at,
                net: Money::new(gross.amount() - f, gross.currency()),
                gross,
                fees,
                related: Some(related.source.clone()),
                reference: None,
                original: None,
                exchange_rate: None,
                description: "Charge".into(),
            }
        };
    let mut stripe_line = charge(
        Provider::Stripe,
        "txn_1",
        sek("570.00")?,
        vec![fee(Provider::Stripe, sek("8.55")?)],
        &b,
    );
    stripe_line.original = Some(eur("50.00")?);
    for (p, id, lines, arrival) in [
        (
            Provider::Shopify,
            "sp_1",
            vec![charge(
                Provider::Shopify,
                "bt_1",
                sek("212.00")?,
                vec![fee(Provider::Shopify, sek("5.30")?)],
                &a,
            )],
            date!(2026 - 03 - 05),
        ),
        (
            Provider::Stripe,
            "po_1",
            vec![stripe_line],
            date!(2026 - 03 - 06),
        ),
    ] {
        let amount = Money::new(lines.iter().map(|l| l.net.amount()).sum(), Currency::SEK);
        m.add_payout(&Payout {
            source: SourceRef::new(p, "payout", id),
            provider: p,
            status: PayoutStatus::Paid,
            created_at: datetime!(2026-03-04 08:00 UTC),
            arrival_date: arrival,
            amount,
            bank_reference: None,
            failed_at: None,
            lines,
        });
    }

    let journal = m.finish();
    for v in &journal.vouchers {
        println!(
            "{} {} {} {} [{}]",
            v.series,
            v.date,
            v.id,
            v.text,
            v.kind.as_str()
        );
        for p in &v.postings {
            let foreign = p.foreign.map(|f| format!(" ({f})")).unwrap_or_default();
            println!("    {:>6} {:>12}{foreign}  {}", p.account, p.amount, p.text);
        }
    }
    println!();
    for r in &journal.reconciliations {
        println!(
            "{} {}: reconciled {} (FX {} SEK)",
            r.provider,
            r.payout.id,
            r.is_reconciled(),
            r.fx_difference_sek
        );
    }
    println!("\n{}", journal.summary());
    print!("\n{}", journal.review_markdown());
    Ok(())
}
