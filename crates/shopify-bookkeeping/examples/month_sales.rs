//! A month of Shopify sales, refunds and Shopify Payments payouts, normalized.
//!
//! ```text
//! SHOPIFY_SHOP=kassabok-demo.myshopify.com SHOPIFY_ACCESS_TOKEN=shpat_… \
//!     cargo run -p shopify-bookkeeping --example month_sales -- 2026-03
//! ```
//!
//! `SHOPIFY_API_BASE_URL` points the client at another server (the sandbox,
//! a mock). `SHOPIFY_NOT_OSS=1` says the shop is not registered for
//! One-Stop-Shop (a bookkeeping option: it goes on the `ShopifySource`, not
//! on the client). The month defaults to the last full month.
//!
//! Without `SHOPIFY_SHOP` and `SHOPIFY_ACCESS_TOKEN` it reads kassabok's simulated
//! Shopify (`provider-sandbox`) over a generated month, March 2026 unless one is given:
//!
//! ```text
//! cargo run -p shopify-bookkeeping --example month_sales
//! ```

use std::process::ExitCode;

use bookkeeping_core::{
    Currency, Money, PayoutRecord, PayoutSource, Period, SalesRecord, SalesSource,
};
use futures::StreamExt;
use provider_sandbox::{Faults, Scenario, ScenarioConfig};
use shopify_bookkeeping::normalize::{EuConsumerVat, NormalizeOptions};
use shopify_bookkeeping::report::{outside_payments, totals_by_gateway};
use shopify_bookkeeping::{ShopifyClient, ShopifySource};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("month_sales: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The month of the argument; without one, `default` (the last full month
/// when it is `None`).
fn period_from_args(default: Option<Period>) -> Result<Period, Box<dyn std::error::Error>> {
    match std::env::args().nth(1) {
        Some(arg) => {
            let (y, m) = arg.split_once('-').ok_or("the month is YYYY-MM")?;
            let month = time::Month::try_from(m.parse::<u8>()?)?;
            Ok(Period::month(y.parse()?, month)?)
        }
        None => match default {
            Some(period) => Ok(period),
            None => Ok(Period::previous_month_at(time::OffsetDateTime::now_utc())?),
        },
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Held to the end: the simulated Shopify stops when it is dropped.
    let mut _sandbox = None;
    let (builder, period) = match (
        std::env::var("SHOPIFY_SHOP"),
        std::env::var("SHOPIFY_ACCESS_TOKEN"),
    ) {
        (Ok(shop), Ok(token)) => {
            let mut builder = ShopifyClient::builder(shop, token);
            if let Ok(url) = std::env::var("SHOPIFY_API_BASE_URL") {
                builder = builder.base_url(url);
            }
            (builder, period_from_args(None)?)
        }
        _ => {
            let period = period_from_args(Some(Period::month(2026, time::Month::March)?))?;
            let scenario = Scenario::generate(&ScenarioConfig::small(period));
            let sandbox = provider_sandbox::shopify::start(&scenario, Faults::none()).await;
            println!(
                "SHOPIFY_SHOP and SHOPIFY_ACCESS_TOKEN are not set: reading kassabok's \
                 simulated Shopify at {}",
                sandbox.uri()
            );
            let builder = ShopifyClient::builder(sandbox.shop(), sandbox.access_token())
                .base_url(sandbox.uri());
            _sandbox = Some(sandbox);
            (builder, period)
        }
    };
    let client = builder.build()?;
    println!("Shopify {} {period}", client.shop());
    let eu_consumer_vat = match std::env::var("SHOPIFY_NOT_OSS").as_deref() {
        Ok("1") => EuConsumerVat::SwedishVat,
        _ => EuConsumerVat::Oss,
    };
    let shopify = ShopifySource::new(client).normalize_options(NormalizeOptions {
        eu_consumer_vat,
        ..NormalizeOptions::default()
    });

    let mut sales = Money::zero(Currency::SEK);
    let (mut n_sales, mut n_refunds, mut n_review) = (0, 0, 0);
    let mut outside = Vec::new();
    let mut records = shopify.sales(&period);
    while let Some(record) = records.next().await {
        match record? {
            SalesRecord::Sale(sale) => {
                n_sales += 1;
                if sale.currency == Currency::SEK && !sale.test {
                    sales = sales.checked_add(&sale.total()?)?;
                }
                outside.extend(outside_payments(&sale));
            }
            SalesRecord::Refund(_) => n_refunds += 1,
            SalesRecord::Review(item) => {
                n_review += 1;
                println!("  review: {item}");
            }
            _ => {}
        }
    }
    println!("{n_sales} sales ({sales} in SEK), {n_refunds} refunds, {n_review} to review");
    for g in totals_by_gateway(&outside)? {
        let report = match g.integrated {
            Some(p) => format!("{} report", p.display_name()),
            None => "report from the gateway (not integrated)".to_owned(),
        };
        println!(
            "  {}: {} payments, {} — needs the {report}",
            g.gateway, g.count, g.net
        );
    }

    let mut payouts = shopify.payouts(&period);
    while let Some(record) = payouts.next().await {
        match record? {
            PayoutRecord::Payout(p) => println!(
                "payout {} {} {} ({} lines, unexplained {})",
                p.source.id,
                p.arrival_date,
                p.amount,
                p.lines.len(),
                p.unexplained()?
            ),
            PayoutRecord::Review(item) => println!("  review: {item}"),
            _ => {}
        }
    }
    Ok(())
}
