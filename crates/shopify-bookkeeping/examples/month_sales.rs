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

use std::process::ExitCode;

use bookkeeping_core::{
    Currency, Money, PayoutRecord, PayoutSource, Period, SalesRecord, SalesSource,
};
use futures::StreamExt;
use shopify_bookkeeping::normalize::{EuConsumerVat, NormalizeOptions};
use shopify_bookkeeping::report::{outside_payments, totals_by_gateway};
use shopify_bookkeeping::{ShopifyClient, ShopifySource};

#[tokio::main]
async fn main() -> ExitCode {
    let (Ok(shop), Ok(token)) = (
        std::env::var("SHOPIFY_SHOP"),
        std::env::var("SHOPIFY_ACCESS_TOKEN"),
    ) else {
        eprintln!(
            "month_sales: set SHOPIFY_SHOP (e.g. kassabok-demo.myshopify.com) and \
             SHOPIFY_ACCESS_TOKEN (an Admin API token with read_orders and \
             read_shopify_payments_payouts); SHOPIFY_API_BASE_URL is optional"
        );
        return ExitCode::from(2);
    };
    match run(&shop, token).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("month_sales: {e}");
            ExitCode::FAILURE
        }
    }
}

fn period_from_args() -> Result<Period, Box<dyn std::error::Error>> {
    match std::env::args().nth(1) {
        Some(arg) => {
            let (y, m) = arg.split_once('-').ok_or("the month is YYYY-MM")?;
            let month = time::Month::try_from(m.parse::<u8>()?)?;
            Ok(Period::month(y.parse()?, month)?)
        }
        None => Ok(Period::previous_month_at(time::OffsetDateTime::now_utc())?),
    }
}

async fn run(shop: &str, token: String) -> Result<(), Box<dyn std::error::Error>> {
    let period = period_from_args()?;
    let mut builder = ShopifyClient::builder(shop, token);
    if let Ok(url) = std::env::var("SHOPIFY_API_BASE_URL") {
        builder = builder.base_url(url);
    }
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
