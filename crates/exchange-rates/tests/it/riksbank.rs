//! `RiksbankRates` against the simulated SWEA API.
//!
//! The API's shape: `GET /swea/v1/Observations/{seriesId}/{from}/{to}`
//! answering `[{"date": "2026-03-27", "value": 11.2448}, ...]`, series
//! `SEK<CCY>PMI` in SEK per unit (https://api.riksbank.se/swea/v1/swagger-ui/index.html;
//! e.g. `SEKEURPMI` on 2026-04-01 = 10.888 in a published extract,
//! https://ondatra.sh/blueprints/riksbank-swea/).

use bookkeeping_core::Currency;
use exchange_rates::{RatesError, RiksbankClient, RiksbankRates};
use journal_mapping::ExchangeRates;
use provider_sandbox::Faults;
use provider_sandbox::rates::start_riksbank;
use rust_decimal_macros::dec;
use time::macros::date;

use crate::quick_retry;

async fn start(
    last_published: time::Date,
    faults: Faults,
) -> (provider_sandbox::rates::RiksbankSandbox, RiksbankRates) {
    let server = start_riksbank(last_published, faults).await;
    let client = RiksbankClient::builder()
        .base_url(server.uri())
        .retry(quick_retry())
        .build()
        .expect("client");
    (server, RiksbankRates::new(client))
}

#[tokio::test]
async fn a_published_day_takes_its_own_rate() {
    let (_server, rates) = start(date!(2026 - 06 - 30), Faults::none()).await;
    // Friday 27 March 2026: the sandbox market is 11.2000 × 1.004.
    let got = rates
        .rate(Currency::EUR, date!(2026 - 03 - 27))
        .await
        .expect("rate");
    assert_eq!(got, (date!(2026 - 03 - 27), dec!(11.2448)));
}

#[tokio::test]
async fn a_weekend_takes_fridays_rate_and_easter_thursdays() {
    let (server, rates) = start(date!(2026 - 06 - 30), Faults::none()).await;
    rates
        .prefetch(
            [Currency::EUR, Currency::USD],
            date!(2026 - 03 - 01),
            date!(2026 - 04 - 30),
        )
        .await
        .expect("prefetch");
    // One request per currency for the whole range.
    assert_eq!(server.requests(), 2);
    // Saturday 28 March: Friday 27 March's rate.
    assert_eq!(
        rates.sek_per_unit(Currency::EUR, date!(2026 - 03 - 28)),
        Some(dec!(11.2448))
    );
    // Easter 2026: Good Friday 3 April to Easter Monday 6 April closed; the
    // Monday takes Thursday 2 April's rate (11.2000 × 0.999).
    assert_eq!(
        rates.sek_per_unit(Currency::EUR, date!(2026 - 04 - 06)),
        Some(dec!(11.1888))
    );
    assert_eq!(
        rates.sek_per_unit(Currency::USD, date!(2026 - 04 - 06)),
        Some(dec!(10.4396))
    );
    assert_eq!(
        rates
            .rate(Currency::EUR, date!(2026 - 04 - 05))
            .await
            .expect("rate"),
        (date!(2026 - 04 - 02), dec!(11.1888))
    );
    // Everything came from the cache.
    assert_eq!(server.requests(), 2);
    // Each lookup is listed with the day asked for and the day published.
    let used: Vec<String> = rates
        .used()
        .iter()
        .map(|(c, asked, published, rate)| format!("{c} {asked} {published} {rate}"))
        .collect();
    assert_eq!(
        used,
        [
            "EUR 2026-03-28 2026-03-27 11.2448",
            "EUR 2026-04-05 2026-04-02 11.1888",
            "EUR 2026-04-06 2026-04-02 11.1888",
            "USD 2026-04-06 2026-04-02 10.4396",
        ]
    );
    // SEK is 1 and never asked for; a date never fetched is unknown, not guessed.
    assert_eq!(
        rates.sek_per_unit(Currency::SEK, date!(2026 - 04 - 06)),
        Some(dec!(1))
    );
    assert_eq!(
        rates.sek_per_unit(Currency::EUR, date!(2026 - 09 - 01)),
        None
    );
}

#[tokio::test]
async fn the_cache_is_per_day_and_currency() {
    let (server, rates) = start(date!(2026 - 06 - 30), Faults::none()).await;
    let a = rates
        .rate(Currency::EUR, date!(2026 - 03 - 13))
        .await
        .expect("rate");
    let b = rates
        .rate(Currency::EUR, date!(2026 - 03 - 13))
        .await
        .expect("rate");
    assert_eq!(a, b);
    assert_eq!(a, (date!(2026 - 03 - 13), dec!(11.2112)));
    assert_eq!(server.requests(), 1);
    rates
        .rate(Currency::USD, date!(2026 - 03 - 13))
        .await
        .expect("rate");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn an_unknown_currency_is_a_typed_error() {
    let (_server, rates) = start(date!(2026 - 06 - 30), Faults::none()).await;
    let err = rates
        .rate(Currency::new("XYZ").expect("code"), date!(2026 - 03 - 13))
        .await
        .expect_err("no series");
    assert!(
        matches!(&err, RatesError::UnknownCurrency { currency, series, .. }
            if currency.code() == "XYZ" && series == "SEKXYZPMI"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "riksbank: no XYZ series (SEKXYZPMI)");
}

#[tokio::test]
async fn a_day_not_yet_published_is_an_error_not_an_old_rate() {
    // Published up to 13 March; asking for 1 April finds nothing in the week before.
    let (_server, rates) = start(date!(2026 - 03 - 13), Faults::none()).await;
    let err = rates
        .rate(Currency::EUR, date!(2026 - 04 - 01))
        .await
        .expect_err("not published");
    assert!(matches!(err, RatesError::NotPublished { .. }), "{err:?}");
    // Saturday 14 March: the last publication, Friday's.
    assert_eq!(
        rates
            .rate(Currency::EUR, date!(2026 - 03 - 14))
            .await
            .expect("rate"),
        (date!(2026 - 03 - 13), dec!(11.2112))
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    // Every second request answers 503: the retry gets the data.
    let flaky = Faults {
        server_error_every: Some(2),
        ..Faults::none()
    };
    let (server, rates) = start(date!(2026 - 06 - 30), flaky).await;
    rates
        .rate(Currency::EUR, date!(2026 - 03 - 13))
        .await
        .expect("first");
    rates
        .rate(Currency::USD, date!(2026 - 03 - 13))
        .await
        .expect("retried");
    assert_eq!(server.requests(), 3);

    // Every request answers 503: an HTTP error naming the series' path.
    let down = Faults {
        server_error_every: Some(1),
        ..Faults::none()
    };
    let (server, rates) = start(date!(2026 - 06 - 30), down).await;
    let err = rates
        .rate(Currency::EUR, date!(2026 - 03 - 13))
        .await
        .expect_err("down");
    let RatesError::Http(http) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(http.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(http.attempts(), 3);
    assert_eq!(server.requests(), 3);
    assert!(
        err.to_string().starts_with(
            "riksbank: GET /swea/v1/Observations/SEKEURPMI/2026-03-06/2026-03-13: 503"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn the_api_key_is_sent_and_never_shown() {
    use wiremock::matchers::{header, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(path_regex("^/swea/v1/Observations/SEKEURPMI/"))
        .and(header("Ocp-Apim-Subscription-Key", "rb-key-123456"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"[{"date":"2026-03-13","value":11.2112}]"#,
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let builder = RiksbankClient::builder()
        .base_url(server.uri())
        .api_key("rb-key-123456".to_owned());
    assert!(!format!("{builder:?}").contains("rb-key-123456"));
    let client = builder.build().expect("client");
    assert!(!format!("{client:?}").contains("rb-key-123456"));
    let days = client
        .observations(Currency::EUR, date!(2026 - 03 - 09), date!(2026 - 03 - 13))
        .await
        .expect("observations");
    // The JSON number's text, not an f64: exactly 11.2112.
    assert_eq!(days, vec![(date!(2026 - 03 - 13), dec!(11.2112))]);
}

/// A loopback server answering every request with 200 and `body` (JSON).
async fn answering(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    url
}

/// A rate no central bank publishes (an amount at kassabok's bound converted
/// at it would overflow) is a malformed answer, never a rate.
#[tokio::test]
async fn an_absurd_rate_is_malformed_not_a_rate() {
    for body in [
        r#"[{"date": "2026-03-27", "value": 79228162514264337593543950335}]"#,
        r#"[{"date": "2026-03-27", "value": 0.0000000000000000000000000001}]"#,
        r#"[{"date": "2026-03-27", "value": 12000.5}]"#,
    ] {
        let client = RiksbankClient::builder()
            .base_url(answering(body).await)
            .retry(quick_retry())
            .build()
            .expect("client");
        let err = RiksbankRates::new(client)
            .rate(Currency::EUR, date!(2026 - 03 - 27))
            .await
            .expect_err(body);
        assert!(matches!(err, RatesError::Malformed { .. }), "{err:?}");
        assert!(err.to_string().contains("not a rate between"), "{err}");
    }
}
