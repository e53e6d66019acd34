//! Fetches last month's PayPal activity as statements per currency and checks that the
//! lines explain PayPal's own balances.
//!
//! ```text
//! PAYPAL_CLIENT_ID=... PAYPAL_CLIENT_SECRET=... cargo run -p paypal-transactions --example statement
//! ```
//!
//! `PAYPAL_API_BASE_URL` points the client at another host (the sandbox
//! `https://api-m.sandbox.paypal.com`, or a local test server); the default is live.
//!
//! Without credentials it reads kassabok's simulated PayPal (`provider-sandbox`) over a
//! generated March 2026:
//!
//! ```text
//! cargo run -p paypal-transactions --example statement
//! ```

use std::process::ExitCode;

use bookkeeping_core::Period;
use paypal_transactions::PayPalClient;
use provider_sandbox::{Faults, Scenario, ScenarioConfig};
use time::OffsetDateTime;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Held to the end: the simulated PayPal stops when it is dropped.
    let mut _sandbox = None;
    let (builder, period) = match (
        std::env::var("PAYPAL_CLIENT_ID"),
        std::env::var("PAYPAL_CLIENT_SECRET"),
    ) {
        (Ok(id), Ok(secret)) => {
            let mut builder = PayPalClient::builder(id, secret);
            if let Ok(url) = std::env::var("PAYPAL_API_BASE_URL") {
                builder = builder.base_url(url);
            }
            (
                builder,
                Period::previous_month_at(OffsetDateTime::now_utc())?,
            )
        }
        _ => {
            let period = Period::month(2026, time::Month::March)?;
            let scenario = Scenario::generate(&ScenarioConfig::small(period));
            let sandbox = provider_sandbox::paypal::start(&scenario, Faults::none()).await;
            println!(
                "PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET are not set: reading kassabok's \
                 simulated PayPal at {}",
                sandbox.uri()
            );
            let builder = PayPalClient::builder(sandbox.client_id(), sandbox.client_secret())
                .base_url(sandbox.uri());
            _sandbox = Some(sandbox);
            (builder, period)
        }
    };
    let client = builder.build()?;
    println!("PayPal {period}");
    let batch = client.statement(&period).await?;
    for s in &batch.statements {
        let explained = match s.unexplained()? {
            Some(d) if d.is_zero() => "reconciles".to_owned(),
            Some(d) => format!("differs by {d}"),
            None => "no balance to reconcile against".to_owned(),
        };
        println!(
            "{}: {} lines, opening {}, closing {}, {explained}{}",
            s.currency,
            s.lines.len(),
            s.opening.map_or_else(|| "?".to_owned(), |m| m.to_string()),
            s.closing.map_or_else(|| "?".to_owned(), |m| m.to_string()),
            if s.complete {
                ""
            } else {
                " (data not yet complete)"
            }
        );
        for l in &s.lines {
            println!(
                "  {} {:>14} {:<10} {:<6} {}",
                l.booked_at.date(),
                l.amount.to_string(),
                format!("{:?}", l.class).to_lowercase(),
                l.event_code,
                l.text
            );
        }
    }
    for item in &batch.review {
        println!("review: {item}");
    }
    Ok(())
}
