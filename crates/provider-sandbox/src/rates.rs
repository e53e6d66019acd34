//! Simulated exchange-rate publishers: Sveriges Riksbank's SWEA API and the
//! ECB's euro reference-rate files, serving deterministic daily rates with
//! the real publication calendars (no weekends, no bank holidays), up to a
//! last publication day.
//!
//! - Riksbank: `GET /swea/v1/Observations/{seriesId}/{from}/{to}` answers a
//!   JSON array of `{"date": "YYYY-MM-DD", "value": 11.0245}` (SEK per unit,
//!   series `SEK<CCY>PMI`), the shape of the SWEA API
//!   (<https://api.riksbank.se/swea/v1/swagger-ui/index.html>; the series
//!   catalogue at `/swea/v1/Series` lists `SEKEURPMI`, `SEKUSDPMI`, ...). An
//!   unknown series answers 404.
//! - ECB: `/stats/eurofxref/eurofxref-daily.xml`, `eurofxref-hist-90d.xml`
//!   and `eurofxref-hist.xml` in the `gesmes:Envelope` / `Cube` shape of
//!   <https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html>
//!   (units of each currency per euro; the daily file with `'` quotes, the
//!   history files with `"`).

use rust_decimal::Decimal;
use serde_json::{Value, json};
use time::{Date, Duration, Month, Weekday, macros::format_description};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::{Faults, Faulty, RequestCounter};
use bookkeeping_core::Currency;

/// The currencies both simulated publishers quote, with a base SEK rate
/// (SEK per unit, four decimals) near the real ones of 2026.
pub const QUOTED: &[(&str, i64)] = &[
    ("EUR", 11_2000),
    ("USD", 10_4500),
    ("GBP", 13_3200),
    ("NOK", 9800),
    ("DKK", 1_5010),
    ("CHF", 11_9000),
    ("PLN", 2_6100),
];

/// Western Easter Sunday (the anonymous Gregorian algorithm).
fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar_date(
        year,
        Month::try_from(u8::try_from(month).expect("month")).expect("month"),
        u8::try_from(day).expect("day"),
    )
    .expect("easter")
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Whether the Riksbank publishes rates on `d`: Swedish bank days (no
/// weekend, New Year's Day, Epiphany, Good Friday, Easter Monday, 1 May,
/// Ascension Day, National Day, Midsummer Eve, Christmas Eve, Christmas Day,
/// Boxing Day, New Year's Eve).
pub fn riksbank_publishes(d: Date) -> bool {
    if is_weekend(d) {
        return false;
    }
    let e = easter(d.year());
    let md = (u8::from(d.month()), d.day());
    let fixed = matches!(
        md,
        (1, 1) | (1, 6) | (5, 1) | (6, 6) | (12, 24) | (12, 25) | (12, 26) | (12, 31)
    );
    let midsummer_eve = md.0 == 6 && (19..=25).contains(&md.1) && d.weekday() == Weekday::Friday;
    !(fixed
        || midsummer_eve
        || d == e - Duration::days(2)
        || d == e + Duration::days(1)
        || d == e + Duration::days(39))
}

/// Whether the ECB publishes reference rates on `d`: TARGET days (no
/// weekend, New Year's Day, Good Friday, Easter Monday, 1 May, 25 and 26
/// December).
pub fn ecb_publishes(d: Date) -> bool {
    if is_weekend(d) {
        return false;
    }
    let e = easter(d.year());
    let md = (u8::from(d.month()), d.day());
    !(matches!(md, (1, 1) | (5, 1) | (12, 25) | (12, 26))
        || d == e - Duration::days(2)
        || d == e + Duration::days(1))
}

/// The simulated market: SEK per unit of `currency` on `d` (four decimals),
/// whether or not anyone published that day. `None` for a currency not in
/// [`QUOTED`].
pub fn market_sek_per_unit(currency: Currency, d: Date) -> Option<Decimal> {
    let (_, base) = QUOTED.iter().find(|(c, _)| *c == currency.code())?;
    // A small deterministic wiggle per day: -0.5 % .. +0.5 %.
    let wiggle = i64::from(d.to_julian_day()).rem_euclid(11) - 5;
    let value = Decimal::new(*base, 4) * (Decimal::ONE + Decimal::new(wiggle, 3));
    Some(value.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// What the Riksbank published for `currency` on `d` (SEK per unit).
pub fn riksbank_rate(currency: Currency, d: Date) -> Option<Decimal> {
    riksbank_publishes(d)
        .then(|| market_sek_per_unit(currency, d))
        .flatten()
}

/// What the ECB published for `currency` on `d` (units per euro): SEK is the
/// market's EUR rate plus 0.0025 (a different fixing, minutes apart); the
/// other currencies are crossed through it.
pub fn ecb_rate(currency: Currency, d: Date) -> Option<Decimal> {
    if !ecb_publishes(d) {
        return None;
    }
    let sek_per_eur = market_sek_per_unit(Currency::EUR, d)? + Decimal::new(25, 4);
    if currency == Currency::SEK {
        return Some(sek_per_eur);
    }
    if currency == Currency::EUR {
        return None;
    }
    let sek_per_unit = market_sek_per_unit(currency, d)?;
    Some(
        (sek_per_eur / sek_per_unit)
            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
    )
}

/// A running simulated Riksbank SWEA API. It stops when dropped.
#[derive(Debug)]
pub struct RiksbankSandbox {
    server: MockServer,
    counter: RequestCounter,
}

impl RiksbankSandbox {
    /// The base URL to give the client (`RiksbankClientBuilder::base_url`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Requests received so far, faulted ones included.
    pub fn requests(&self) -> u64 {
        self.counter.total()
    }
}

/// A running simulated ECB reference-rate site. It stops when dropped.
#[derive(Debug)]
pub struct EcbSandbox {
    server: MockServer,
    counter: RequestCounter,
}

impl EcbSandbox {
    /// The base URL to give the client (`EcbClientBuilder::base_url`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Requests received so far, faulted ones included.
    pub fn requests(&self) -> u64 {
        self.counter.total()
    }
}

fn plain_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "statusCode": status, "message": message }))
}

fn throttled() -> ResponseTemplate {
    plain_error(429, "Rate limit is exceeded. Try again in 1 seconds.")
}

fn unavailable() -> ResponseTemplate {
    plain_error(503, "Service Unavailable")
}

const DAY: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// Starts a simulated Riksbank publishing every bank day up to
/// `last_published` (later days answer as not yet published).
pub async fn start_riksbank(last_published: Date, faults: Faults) -> RiksbankSandbox {
    let server = MockServer::start().await;
    let counter = RequestCounter::new();
    Mock::given(method("GET"))
        .and(path_regex(r"^/swea/v1/Observations/[^/]+/[^/]+/[^/]+$"))
        .respond_with(Faulty::new(
            Observations { last_published },
            faults,
            counter.clone(),
            throttled,
            unavailable,
        ))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(|req: &Request| {
            plain_error(404, &format!("Resource not found: {}", req.url.path()))
        })
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    RiksbankSandbox { server, counter }
}

#[derive(Debug)]
struct Observations {
    last_published: Date,
}

impl Respond for Observations {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let parts: Vec<&str> = request.url.path().split('/').collect();
        let [.., series, from, to] = parts.as_slice() else {
            return plain_error(404, "Resource not found");
        };
        let currency = series
            .strip_prefix("SEK")
            .and_then(|s| s.strip_suffix("PMI"))
            .and_then(|c| Currency::new(c).ok())
            .filter(|c| market_sek_per_unit(*c, self.last_published).is_some());
        let Some(currency) = currency else {
            return plain_error(404, &format!("Series {series} not found"));
        };
        let (Ok(from), Ok(to)) = (Date::parse(from, DAY), Date::parse(to, DAY)) else {
            return plain_error(400, "Invalid date, expected yyyy-MM-dd");
        };
        if from > to {
            return plain_error(400, "From date must be before to date");
        }
        let mut out: Vec<Value> = Vec::new();
        let mut d = from;
        while d <= to.min(self.last_published) {
            if let Some(rate) = riksbank_rate(currency, d) {
                // A JSON number, as the API sends it.
                let number: Value =
                    serde_json::from_str(&rate.normalize().to_string()).expect("number");
                out.push(json!({ "date": d.format(DAY).expect("date"), "value": number }));
            }
            d = d.next_day().expect("date");
        }
        ResponseTemplate::new(200).set_body_json(Value::Array(out))
    }
}

/// Starts a simulated ECB site publishing every TARGET day up to
/// `last_published`.
pub async fn start_ecb(last_published: Date, faults: Faults) -> EcbSandbox {
    let server = MockServer::start().await;
    let counter = RequestCounter::new();
    for (file, days, quote) in [
        ("eurofxref-daily.xml", 1, '\''),
        ("eurofxref-hist-90d.xml", 90, '"'),
        ("eurofxref-hist.xml", 3 * 366, '"'),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/stats/eurofxref/{file}")))
            .respond_with(Faulty::new(
                EurofxrefFile {
                    last_published,
                    days,
                    quote,
                },
                faults.clone(),
                counter.clone(),
                throttled,
                unavailable,
            ))
            .mount(&server)
            .await;
    }
    Mock::given(wiremock::matchers::any())
        .respond_with(|_: &Request| {
            ResponseTemplate::new(404)
                .set_body_raw("<html><body>Page not found</body></html>", "text/html")
        })
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    EcbSandbox { server, counter }
}

#[derive(Debug)]
struct EurofxrefFile {
    last_published: Date,
    /// Calendar days back from the last publication (1: the daily file).
    days: i64,
    quote: char,
}

impl Respond for EurofxrefFile {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let q = self.quote;
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gesmes:Envelope xmlns:gesmes=\"http://www.gesmes.org/xml/2002-08-01\" xmlns=\"http://www.ecb.int/vocabulary/2002-08-01/eurofxref\">\n\t<gesmes:subject>Reference rates</gesmes:subject>\n\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n\t<Cube>\n",
        );
        // Newest first, as the ECB lists them.
        let mut d = self.last_published;
        let mut left = self.days;
        while left > 0 {
            if ecb_publishes(d) {
                xml.push_str(&format!(
                    "\t\t<Cube time={q}{}{q}>\n",
                    d.format(DAY).expect("date")
                ));
                for (code, _) in QUOTED.iter().chain([("SEK", 0)].iter()) {
                    let c = Currency::new(code).expect("code");
                    if let Some(rate) = ecb_rate(c, d) {
                        xml.push_str(&format!(
                            "\t\t\t<Cube currency={q}{code}{q} rate={q}{rate}{q}/>\n"
                        ));
                    }
                }
                xml.push_str("\t\t</Cube>\n");
                if self.days == 1 {
                    break;
                }
            }
            d = d.previous_day().expect("date");
            left -= 1;
        }
        xml.push_str("\t</Cube>\n</gesmes:Envelope>\n");
        ResponseTemplate::new(200).set_body_raw(xml, "text/xml")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn calendars() {
        // Easter 2026 is 5 April: Good Friday 3 April, Easter Monday 6 April.
        assert_eq!(easter(2026), date!(2026 - 04 - 05));
        assert!(!riksbank_publishes(date!(2026 - 04 - 03)));
        assert!(!ecb_publishes(date!(2026 - 04 - 06)));
        // Epiphany: a Swedish bank holiday, a TARGET day.
        assert!(!riksbank_publishes(date!(2026 - 01 - 06)));
        assert!(ecb_publishes(date!(2026 - 01 - 06)));
        assert!(!riksbank_publishes(date!(2026 - 03 - 28))); // Saturday
        assert!(riksbank_publishes(date!(2026 - 03 - 27)));
    }
}
