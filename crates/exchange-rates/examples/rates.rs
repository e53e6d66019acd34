//! Prints the Riksbank's EUR and USD rates for a week and the ECB rate the OSS
//! return of that month would use.
//!
//! ```text
//! cargo run -p exchange-rates --example rates
//! ```
//!
//! Runs against the built-in simulated Riksbank and ECB unless
//! `RIKSBANK_API_BASE_URL` / `ECB_API_BASE_URL` are set (e.g. to
//! `https://api.riksbank.se` and `https://www.ecb.europa.eu`).

use bookkeeping_core::Currency;
use exchange_rates::{EcbClient, EcbRates, RiksbankClient, RiksbankRates};
use provider_sandbox::Faults;
use provider_sandbox::rates::{start_ecb, start_riksbank};
use time::macros::date;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let riksbank_sandbox = start_riksbank(date!(2026 - 04 - 30), Faults::none()).await;
    let ecb_sandbox = start_ecb(date!(2026 - 04 - 30), Faults::none()).await;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let riksbank = RiksbankRates::new(
        RiksbankClient::builder()
            .base_url(env("RIKSBANK_API_BASE_URL").unwrap_or_else(|| riksbank_sandbox.uri()))
            .build()?,
    );
    let ecb = EcbRates::new(
        EcbClient::builder()
            .base_url(env("ECB_API_BASE_URL").unwrap_or_else(|| ecb_sandbox.uri()))
            .build()?,
    );

    let mut day = date!(2026 - 03 - 26);
    while day <= date!(2026 - 04 - 06) {
        let (eur_day, eur) = riksbank.rate(Currency::EUR, day).await?;
        let (_, usd) = riksbank.rate(Currency::USD, day).await?;
        println!(
            "{day} {:<9} EUR {eur} (published {eur_day})  USD {usd}",
            day.weekday()
        );
        day = day.next_day().expect("date");
    }
    let (published, sek) = ecb.oss_rate(Currency::SEK, date!(2026 - 03 - 31)).await?;
    println!("OSS Q1 2026: 1 EUR = {sek} SEK (ECB, published {published})");
    Ok(())
}
