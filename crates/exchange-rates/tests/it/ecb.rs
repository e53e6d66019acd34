//! `EcbRates` against the simulated ECB reference-rate files.
//!
//! The files' shape: `gesmes:Envelope` / `Cube` / `Cube time=".."` /
//! `Cube currency=".." rate=".."`, units per euro
//! (https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html,
//! which parses `eurofxref-daily.xml` by its `currency='..'` and `rate='..'`
//! attributes). The OSS rule: "the exchange rates published by the European
//! Central Bank for that day, or, if there is no publication on that day, on
//! the next day of publication" (Council Directive 2006/112/EC, art. 366(2),
//! https://datenbank.nwb.de/Dokument/Anzeigen/452295_Article366/).

use bookkeeping_core::Currency;
use exchange_rates::{EcbClient, EcbRates, RatesError};
use journal_mapping::{EuroRates, ExchangeRates};
use provider_sandbox::Faults;
use provider_sandbox::rates::start_ecb;
use rust_decimal_macros::dec;
use time::macros::date;

use crate::quick_retry;

async fn start(
    last_published: time::Date,
    faults: Faults,
) -> (provider_sandbox::rates::EcbSandbox, EcbRates) {
    let server = start_ecb(last_published, faults).await;
    let client = EcbClient::builder()
        .base_url(server.uri())
        .retry(quick_retry())
        .build()
        .expect("client");
    (server, EcbRates::new(client))
}

#[tokio::test]
async fn a_period_ending_on_a_publication_day_takes_that_days_rate() {
    let (server, ecb) = start(date!(2026 - 04 - 30), Faults::none()).await;
    // Tuesday 31 March 2026: the sandbox's EUR/SEK fixing 11.1664 + 0.0025.
    let (day, sek) = ecb
        .oss_rate(Currency::SEK, date!(2026 - 03 - 31))
        .await
        .expect("rate");
    assert_eq!((day, sek), (date!(2026 - 03 - 31), dec!(11.1689)));
    // The 90-day file was enough: one request.
    assert_eq!(server.requests(), 1);
    assert_eq!(
        EuroRates::oss_rate(&ecb, Currency::EUR, date!(2026 - 03 - 31)),
        Some((date!(2026 - 03 - 31), dec!(1)))
    );
}

#[tokio::test]
async fn a_period_ending_on_a_closed_day_takes_the_next_publication() {
    let (server, ecb) = start(date!(2026 - 06 - 30), Faults::none()).await;
    // May 2026 ends on a Sunday: Monday 1 June.
    let (day, _) = ecb
        .oss_rate(Currency::SEK, date!(2026 - 05 - 31))
        .await
        .expect("rate");
    assert_eq!(day, date!(2026 - 06 - 01));
    // Q1 2024 ended on Sunday 31 March, Easter Monday 1 April was a TARGET
    // holiday: Tuesday 2 April 2024 (from the full history).
    let (day, sek) = ecb
        .oss_rate(Currency::SEK, date!(2024 - 03 - 31))
        .await
        .expect("rate");
    assert_eq!((day, sek), (date!(2024 - 04 - 02), dec!(11.1465)));
    assert_eq!(server.requests(), 2);
    // For bookkeeping (last publication on or before), Saturday 30 March
    // 2024 would take Thursday 28 March instead.
    let (day, _) = ecb
        .eur_rate(Currency::SEK, date!(2024 - 03 - 30))
        .await
        .expect("rate");
    assert_eq!(day, date!(2024 - 03 - 28));
}

#[tokio::test]
async fn cross_rates_through_the_euro() {
    let (_server, ecb) = start(date!(2026 - 06 - 30), Faults::none()).await;
    ecb.load(date!(2026 - 03 - 01)).await.expect("load");
    // 27 March 2026: SEK 11.2473 per EUR, USD 1.0720 per EUR.
    assert_eq!(
        ecb.sek_per_unit(Currency::USD, date!(2026 - 03 - 27)),
        Some(dec!(11.2473) / dec!(1.0720))
    );
    assert_eq!(
        ecb.sek_per_unit(Currency::EUR, date!(2026 - 03 - 28)),
        Some(dec!(11.2473))
    );
}

#[tokio::test]
async fn not_yet_published_unknown_currency_and_server_error() {
    // Last publication Monday 30 March: the rate for 31 March is not out yet.
    let (_server, ecb) = start(date!(2026 - 03 - 30), Faults::none()).await;
    let err = ecb
        .oss_rate(Currency::SEK, date!(2026 - 03 - 31))
        .await
        .expect_err("not yet");
    assert!(matches!(err, RatesError::NotPublished { .. }), "{err:?}");
    let err = ecb
        .oss_rate(Currency::new("XYZ").expect("code"), date!(2026 - 03 - 27))
        .await
        .expect_err("unknown");
    assert_eq!(err.to_string(), "ecb: no XYZ series (XYZ)");

    let down = Faults {
        server_error_every: Some(1),
        ..Faults::none()
    };
    let (server, ecb) = start(date!(2026 - 06 - 30), down).await;
    let err = ecb
        .oss_rate(Currency::SEK, date!(2026 - 03 - 31))
        .await
        .expect_err("down");
    let RatesError::Http(http) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(http.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests(), 3);
}
