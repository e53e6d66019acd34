//! Fetches last month's PayPal activity as statements per currency and checks that the
//! lines explain PayPal's own balances.
//!
//! ```text
//! PAYPAL_CLIENT_ID=... PAYPAL_CLIENT_SECRET=... cargo run -p paypal-transactions --example statement
//! ```
//!
//! `PAYPAL_API_BASE_URL` points the client at another host (the sandbox
//! `https://api-m.sandbox.paypal.com`, or a local test server); the default is live.

use std::process::ExitCode;

use bookkeeping_core::Period;
use paypal_transactions::PayPalClient;
use time::OffsetDateTime;

#[tokio::main]
async fn main() -> ExitCode {
    let (Ok(id), Ok(secret)) = (
        std::env::var("PAYPAL_CLIENT_ID"),
        std::env::var("PAYPAL_CLIENT_SECRET"),
    ) else {
        eprintln!(
            "set PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET (a REST app's credentials with \
             Transaction Search enabled); PAYPAL_API_BASE_URL is optional"
        );
        return ExitCode::from(2);
    };
    match run(id, secret).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(id: String, secret: String) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = PayPalClient::builder(id, secret);
    if let Ok(url) = std::env::var("PAYPAL_API_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;
    let period = Period::previous_month_at(OffsetDateTime::now_utc())?;
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
