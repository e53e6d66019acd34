//! Lists a period's Stripe payouts with their breakdown.
//!
//! ```text
//! STRIPE_SECRET_KEY=rk_live_… cargo run -p stripe-invoicing --example list_payouts -- 2026-03-01 2026-03-31
//! ```
//!
//! Reads `STRIPE_SECRET_KEY` (a restricted read-only key is enough) and, optionally,
//! `STRIPE_API_BASE_URL`. Without dates it lists the last full month (Europe/Stockholm).
//!
//! Without `STRIPE_SECRET_KEY` it lists kassabok's simulated Stripe (`provider-sandbox`)
//! over a generated month, March 2026 unless dates are given:
//!
//! ```text
//! cargo run -p stripe-invoicing --example list_payouts
//! ```

use std::process::ExitCode;

use bookkeeping_core::{PayoutRecord, PayoutSource, Period, stockholm_date};
use futures::StreamExt;
use provider_sandbox::{Faults, Scenario, ScenarioConfig};
use stripe_invoicing::StripeClient;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("list_payouts: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The period of the arguments; without any, `default`'s (the last full
/// month when it is `None`).
fn period_from_args(default: Option<Period>) -> Result<Period, Box<dyn std::error::Error>> {
    let fmt = format_description!("[year]-[month]-[day]");
    let args: Vec<String> = std::env::args().skip(1).collect();
    Ok(match args.as_slice() {
        [from, to] => Period::new(Date::parse(from, fmt)?, Date::parse(to, fmt)?)?,
        [] if default.is_some() => default.ok_or("no period")?,
        [] => {
            let today = stockholm_date(OffsetDateTime::now_utc());
            let first_this_month = today.replace_day(1)?;
            let last_prev = first_this_month.previous_day().ok_or("date out of range")?;
            Period::new(last_prev.replace_day(1)?, last_prev)?
        }
        _ => return Err("usage: list_payouts [FROM TO] (dates as YYYY-MM-DD)".into()),
    })
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Held to the end: the simulated Stripe stops when it is dropped.
    let mut _sandbox = None;
    let (period, builder) = match std::env::var("STRIPE_SECRET_KEY") {
        Ok(key) => {
            let mut builder = StripeClient::builder(key);
            if let Ok(url) = std::env::var("STRIPE_API_BASE_URL") {
                builder = builder.base_url(url);
            }
            (period_from_args(None)?, builder)
        }
        Err(_) => {
            let period = period_from_args(Some(Period::month(2026, time::Month::March)?))?;
            let scenario = Scenario::generate(&ScenarioConfig::small(period));
            let sandbox = provider_sandbox::stripe::start(&scenario, Faults::none()).await;
            println!(
                "STRIPE_SECRET_KEY is not set: reading kassabok's simulated Stripe at {}",
                sandbox.uri()
            );
            let builder = StripeClient::builder(sandbox.secret_key()).base_url(sandbox.uri());
            _sandbox = Some(sandbox);
            (period, builder)
        }
    };
    let client = builder.build()?;
    println!(
        "Stripe payouts created {} to {}",
        period.first(),
        period.last()
    );

    let mut records = client.payouts(&period);
    let (mut payouts, mut reviews) = (0, 0);
    while let Some(record) = records.next().await {
        match record? {
            PayoutRecord::Payout(p) => {
                payouts += 1;
                println!(
                    "\n{}  {:?}  arrives {}  {}  bank ref {}",
                    p.source.id,
                    p.status,
                    p.arrival_date,
                    p.amount,
                    p.bank_reference.as_deref().unwrap_or("-")
                );
                for line in &p.lines {
                    let fees: Vec<String> = line
                        .fees
                        .iter()
                        .map(|f| format!("{:?} {}", f.kind, f.amount))
                        .collect();
                    println!(
                        "  {:<16} gross {:>14}  net {:>14}  {}{}{}",
                        format!("{:?}", line.kind),
                        line.gross.to_string(),
                        line.net.to_string(),
                        line.reference.as_deref().unwrap_or(""),
                        line.related
                            .as_ref()
                            .map(|r| format!(" → {}", r.id))
                            .unwrap_or_default(),
                        if fees.is_empty() {
                            String::new()
                        } else {
                            format!("  fees: {}", fees.join(", "))
                        },
                    );
                }
                println!("  unexplained: {}", p.unexplained()?);
            }
            PayoutRecord::Review(r) => {
                reviews += 1;
                println!("  review: {r}");
            }
            _ => {}
        }
    }
    println!("\n{payouts} payouts, {reviews} review items");
    Ok(())
}
