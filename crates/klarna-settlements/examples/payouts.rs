//! Lists last month's Klarna payouts, normalized, against the real API.
//!
//! ```text
//! KLARNA_API_USERNAME=… KLARNA_API_PASSWORD=… cargo run -p klarna-settlements --example payouts
//! ```
//!
//! `KLARNA_API_BASE_URL` points it at another server (the playground,
//! `https://api.playground.klarna.com`, or a local sandbox). Without
//! `KLARNA_API_USERNAME` the password is sent as an API key.
//!
//! Without credentials it lists kassabok's simulated Klarna (`provider-sandbox`)
//! over a generated March 2026:
//!
//! ```text
//! cargo run -p klarna-settlements --example payouts
//! ```

use std::process::ExitCode;

use bookkeeping_core::{PayoutRecord, PayoutSource, Period};
use futures::StreamExt;
use klarna_settlements::{Credentials, KlarnaClient};
use provider_sandbox::{Faults, Scenario, ScenarioConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let password = std::env::var("KLARNA_API_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let username = std::env::var("KLARNA_API_USERNAME")
        .ok()
        .filter(|u| !u.is_empty());
    // Held to the end: the simulated Klarna stops when it is dropped.
    let mut _sandbox = None;
    let (credentials, base_url, period) = match (username, password) {
        (Some(u), Some(p)) => (
            Credentials::basic(u, p),
            std::env::var("KLARNA_API_BASE_URL").ok(),
            Period::previous_month_at(time::OffsetDateTime::now_utc()),
        ),
        (None, Some(key)) => (
            Credentials::api_key(key),
            std::env::var("KLARNA_API_BASE_URL").ok(),
            Period::previous_month_at(time::OffsetDateTime::now_utc()),
        ),
        (_, None) => {
            let Ok(period) = Period::month(2026, time::Month::March) else {
                return ExitCode::FAILURE;
            };
            let scenario = Scenario::generate(&ScenarioConfig::small(period));
            let sandbox = provider_sandbox::klarna::start(&scenario, Faults::none()).await;
            println!(
                "KLARNA_API_PASSWORD is not set: reading kassabok's simulated Klarna at {}",
                sandbox.uri()
            );
            let credentials = Credentials::basic(sandbox.username(), sandbox.password());
            let url = sandbox.uri();
            _sandbox = Some(sandbox);
            (credentials, Some(url), Ok(period))
        }
    };
    let mut builder = KlarnaClient::builder(credentials);
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("payouts: {e}");
            return ExitCode::FAILURE;
        }
    };
    let period = match period {
        Ok(p) => p,
        Err(e) => {
            eprintln!("payouts: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("Klarna payouts {} – {}", period.first(), period.last());
    let mut records = client.payouts(&period);
    let mut failed = false;
    while let Some(record) = records.next().await {
        match record {
            Ok(PayoutRecord::Payout(p)) => {
                let unexplained = p.unexplained().map(|d| d.to_string()).unwrap_or_default();
                println!(
                    "{}  {}  {:>14}  {} lines, {} fees, unexplained {unexplained}",
                    p.arrival_date,
                    p.source.id,
                    p.amount.to_string(),
                    p.lines.len(),
                    p.fees().count(),
                );
            }
            Ok(PayoutRecord::Review(r)) => println!("  review: {r}"),
            Ok(_) => {}
            Err(e) => {
                eprintln!("payouts: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
