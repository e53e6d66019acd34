//! The ECB's euro foreign exchange reference rates, for the OSS return.
//!
//! The ECB publishes, on every TARGET working day around 16:00 CET, how many
//! units of each currency one euro buys. The XML files under
//! `https://www.ecb.europa.eu/stats/eurofxref/` (`eurofxref-daily.xml`,
//! `eurofxref-hist-90d.xml`, `eurofxref-hist.xml`) share one shape:
//!
//! ```xml
//! <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
//!                  xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
//!   <gesmes:subject>Reference rates</gesmes:subject>
//!   <Cube>
//!     <Cube time="2026-03-31">
//!       <Cube currency="USD" rate="1.0823"/>
//!       <Cube currency="SEK" rate="10.8925"/>
//!     </Cube>
//!   </Cube>
//! </gesmes:Envelope>
//! ```
//!
//! (the daily file quotes attributes with `'`, the history files with `"`).
//! [`EcbRates`] reads the 90-day file, and the full history only for a date
//! older than that.

use std::sync::Mutex;
use std::time::Duration as StdDuration;

use bookkeeping_core::Currency;
use journal_mapping::{EuroRates, ExchangeRates};
use provider_http::{HttpClient, RateLimit, RequestSpec, RetryPolicy};
use rust_decimal::Decimal;
use time::{Date, Duration, macros::format_description};

use crate::published::{MAX_LOOKBACK_DAYS, PublishedRates};
use crate::{RateSource, RatesError};

/// The ECB's web host.
pub const ECB_API: &str = "https://www.ecb.europa.eu";
/// The last 90 days of reference rates.
pub const HIST_90D_PATH: &str = "/stats/eurofxref/eurofxref-hist-90d.xml";
/// Every reference rate since 1999.
pub const HIST_PATH: &str = "/stats/eurofxref/eurofxref-hist.xml";

/// A client of the ECB's reference-rate files.
#[derive(Debug, Clone)]
pub struct EcbClient {
    http: HttpClient,
}

/// Builds an [`EcbClient`].
#[derive(Debug)]
pub struct EcbClientBuilder {
    base_url: Option<String>,
    retry: RetryPolicy,
}

impl EcbClient {
    /// A builder with the ECB's host and the default retries.
    pub fn builder() -> EcbClientBuilder {
        EcbClientBuilder {
            base_url: None,
            retry: RetryPolicy::default(),
        }
    }

    /// Fetches and parses one reference-rate file: (publication day,
    /// currency, units per euro).
    ///
    /// # Errors
    /// [`RatesError::Http`] once the retries are spent;
    /// [`RatesError::Malformed`] for a document that is not the published
    /// shape (no `Cube time` element, a rate that is not a decimal
    /// [`is_plausible_rate`](crate::is_plausible_rate) accepts).
    pub async fn fetch(&self, path: &str) -> Result<Vec<(Date, Currency, Decimal)>, RatesError> {
        let resp = self.http.send(RequestSpec::get(path)).await?;
        let text = std::str::from_utf8(resp.body()).map_err(|e| RatesError::Malformed {
            origin: RateSource::Ecb,
            path: path.to_owned(),
            message: format!("not UTF-8: {e}"),
        })?;
        parse_eurofxref(text).map_err(|message| RatesError::Malformed {
            origin: RateSource::Ecb,
            path: path.to_owned(),
            message,
        })
    }
}

impl EcbClientBuilder {
    /// Another server (the sandbox, a mirror): the test hook.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The retry policy (default: provider-http's).
    #[must_use]
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`RatesError::Http`] for a base URL that is not https (plain http only
    /// on loopback).
    pub fn build(self) -> Result<EcbClient, RatesError> {
        let mut b = HttpClient::builder("ecb", ECB_API)
            .user_agent_suffix(concat!("exchange-rates/", env!("CARGO_PKG_VERSION")))
            .timeout(StdDuration::from_secs(60))
            .rate_limit(RateLimit::per_second(2))
            .retry(self.retry);
        if let Some(url) = &self.base_url {
            b = b.base_url(url);
        }
        Ok(EcbClient { http: b.build()? })
    }
}

/// Reads the `Cube` elements of a eurofxref document. A small scanner rather
/// than an XML library: the format is three levels of one element with two
/// or three attributes, and anything else in the document is skipped.
///
/// # Errors
/// A message naming the element that did not parse.
pub fn parse_eurofxref(xml: &str) -> Result<Vec<(Date, Currency, Decimal)>, String> {
    let day_format = format_description!("[year]-[month]-[day]");
    let mut out = Vec::new();
    let mut day: Option<Date> = None;
    let mut saw_day = false;
    for (n, element) in xml.split("<Cube").skip(1).enumerate() {
        let tag = element.split('>').next().unwrap_or("");
        if let Some(time) = attribute(tag, "time") {
            let d = Date::parse(time, day_format)
                .map_err(|_| format!("Cube #{n}: time is not a date: {time:?}"))?;
            day = Some(d);
            saw_day = true;
        } else if let Some(code) = attribute(tag, "currency") {
            let d = day.ok_or_else(|| format!("Cube #{n}: a rate outside a dated Cube"))?;
            let currency = Currency::new(code)
                .map_err(|_| format!("Cube #{n}: currency is not a code: {code:?}"))?;
            let text = attribute(tag, "rate").ok_or_else(|| format!("Cube #{n}: no rate"))?;
            let rate: Decimal = text
                .parse()
                .ok()
                .filter(|r: &Decimal| crate::is_plausible_rate(*r, RateSource::Ecb))
                .ok_or_else(|| {
                    format!(
                        "Cube #{n}: rate is not a decimal between 0.000001 and 1000000: {text:?}"
                    )
                })?;
            out.push((d, currency, rate));
        }
    }
    if !saw_day {
        return Err("no <Cube time=...> element: not a eurofxref document".to_owned());
    }
    Ok(out)
}

/// The value of `name="..."` or `name='...'` in a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
        let after = rest[at + name.len()..].trim_start();
        if before_ok && let Some(after_eq) = after.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let quote = after_eq.chars().next()?;
            if quote == '"' || quote == '\'' {
                let value = &after_eq[1..];
                return value.find(quote).map(|end| &value[..end]);
            }
            return None;
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// The ECB's reference rates, fetched once and held for the run.
///
/// - [`oss_rate`](EcbRates::oss_rate): the rate the OSS return uses for a
///   period: the one published on the period's last day or, if none was,
///   on the next day of publication (Council Directive 2006/112/EC, arts.
///   366(2) and 369h(2)).
/// - [`ExchangeRates`]: SEK per unit of a currency on a day (last publication
///   on or before it, as for the Riksbank), through the euro: SEK per EUR ÷
///   currency per EUR.
///
/// Against kassabok's simulated ECB site (drop the `base_url` for the real
/// one, [`ECB_API`]):
///
/// ```
/// use bookkeeping_core::Currency;
/// use exchange_rates::{EcbClient, EcbRates};
/// use provider_sandbox::{Faults, rates::start_ecb};
/// use time::macros::date;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let site = start_ecb(date!(2026 - 04 - 30), Faults::none()).await;
/// let ecb = EcbRates::new(EcbClient::builder().base_url(site.uri()).build()?);
/// // Q1 2026: 31 March is a Tuesday, so that day's rate.
/// let (day, sek_per_eur) = ecb.oss_rate(Currency::SEK, date!(2026 - 03 - 31)).await?;
/// assert_eq!(day, date!(2026 - 03 - 31));
/// assert!(sek_per_eur > rust_decimal::Decimal::TEN);
/// // 3 April 2026 is Good Friday, a TARGET holiday: the next publication, 7 April.
/// let (day, _) = ecb.oss_rate(Currency::SEK, date!(2026 - 04 - 03)).await?;
/// assert_eq!(day, date!(2026 - 04 - 07));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct EcbRates {
    client: EcbClient,
    table: Mutex<Option<Loaded>>,
}

#[derive(Debug, Clone)]
struct Loaded {
    rates: PublishedRates,
    /// Whether the full history is in (the 90-day file alone otherwise).
    full: bool,
}

impl EcbRates {
    /// Rates from `client`; nothing is fetched until asked.
    pub fn new(client: EcbClient) -> Self {
        EcbRates {
            client,
            table: Mutex::new(None),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Option<Loaded>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes sure rates from `from` on are held: the 90-day file first, the
    /// full history if `from` is older than its first day.
    ///
    /// # Errors
    /// See [`EcbClient::fetch`].
    pub async fn load(&self, from: Date) -> Result<(), RatesError> {
        let held = self.table().clone();
        let need_full = match &held {
            Some(l) if l.full => return Ok(()),
            Some(l) => l
                .rates
                .span(Currency::USD)
                .or_else(|| l.rates.span(Currency::SEK))
                .is_none_or(|(first, _)| first > from - Duration::days(MAX_LOOKBACK_DAYS)),
            None => false,
        };
        if held.is_some() && !need_full {
            return Ok(());
        }
        let mut full = need_full;
        let mut rows = Vec::new();
        if !full {
            rows = self.client.fetch(HIST_90D_PATH).await?;
            let first = rows.iter().map(|(d, _, _)| *d).min();
            full = first.is_none_or(|f| f > from - Duration::days(MAX_LOOKBACK_DAYS));
        }
        if full {
            rows = self.client.fetch(HIST_PATH).await?;
        }
        let mut rates = PublishedRates::new();
        let first = rows.iter().map(|(d, _, _)| *d).min();
        let last = rows.iter().map(|(d, _, _)| *d).max();
        let mut by_currency: std::collections::BTreeMap<Currency, Vec<(Date, Decimal)>> =
            std::collections::BTreeMap::new();
        for (d, c, r) in rows {
            by_currency.entry(c).or_default().push((d, r));
        }
        if let (Some(first), Some(last)) = (first, last) {
            for (c, obs) in by_currency {
                rates.record(c, first, last, obs);
            }
        }
        tracing::debug!(observations = rates.len(), full, "ecb rates loaded");
        *self.table() = Some(Loaded { rates, full });
        Ok(())
    }

    /// Units of `currency` per euro for an OSS period ending on `last_day`,
    /// and the publication day used: `last_day` itself or the next day of
    /// publication. For EUR itself, 1.
    ///
    /// # Errors
    /// [`RatesError::NotPublished`] when the ECB has not published yet (a
    /// period that ended today before 16:00 CET), or nothing in the week
    /// after; [`RatesError::UnknownCurrency`] for a currency the ECB does not
    /// quote; fetch errors as in [`EcbClient::fetch`].
    pub async fn oss_rate(
        &self,
        currency: Currency,
        last_day: Date,
    ) -> Result<(Date, Decimal), RatesError> {
        if currency == Currency::EUR {
            return Ok((last_day, Decimal::ONE));
        }
        self.load(last_day).await?;
        let table = self.table();
        let rates = &table.as_ref().expect("loaded").rates;
        if rates.span(currency).is_none() {
            return Err(RatesError::UnknownCurrency {
                origin: RateSource::Ecb,
                currency,
                series: currency.code().to_owned(),
            });
        }
        rates
            .same_or_next_published(currency, last_day)
            .ok_or(RatesError::NotPublished {
                origin: RateSource::Ecb,
                currency,
                date: last_day,
                rule: "published on the period's last day or the next day of publication",
            })
    }

    /// Units of `currency` per euro on `date`: the last publication on or
    /// before it (up to [`MAX_LOOKBACK_DAYS`]), for bookkeeping.
    ///
    /// # Errors
    /// As [`oss_rate`](EcbRates::oss_rate).
    pub async fn eur_rate(
        &self,
        currency: Currency,
        date: Date,
    ) -> Result<(Date, Decimal), RatesError> {
        if currency == Currency::EUR {
            return Ok((date, Decimal::ONE));
        }
        self.load(date).await?;
        self.held_last_published(currency, date)
            .ok_or(RatesError::NotPublished {
                origin: RateSource::Ecb,
                currency,
                date,
                rule: "last published on or before, up to 7 days",
            })
    }

    fn held_last_published(&self, currency: Currency, date: Date) -> Option<(Date, Decimal)> {
        if currency == Currency::EUR {
            return Some((date, Decimal::ONE));
        }
        let table = self.table();
        table.as_ref()?.rates.last_published(currency, date)
    }
}

impl EuroRates for EcbRates {
    fn oss_rate(&self, currency: Currency, last_day: Date) -> Option<(Date, Decimal)> {
        if currency == Currency::EUR {
            return Some((last_day, Decimal::ONE));
        }
        let table = self.table();
        table
            .as_ref()?
            .rates
            .same_or_next_published(currency, last_day)
    }
}

impl ExchangeRates for EcbRates {
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal> {
        if currency == Currency::SEK {
            return Some(Decimal::ONE);
        }
        let (_, sek_per_eur) = self.held_last_published(Currency::SEK, date)?;
        let (_, ccy_per_eur) = self.held_last_published(currency, date)?;
        Some(sek_per_eur / ccy_per_eur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The shape of `eurofxref-daily.xml` as the ECB serves it (single quotes,
    /// <https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml>).
    const DAILY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<gesmes:Envelope xmlns:gesmes=\"http://www.gesmes.org/xml/2002-08-01\" xmlns=\"http://www.ecb.int/vocabulary/2002-08-01/eurofxref\">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='2023-04-20'>
\t\t\t<Cube currency='USD' rate='1.0958'/>
\t\t\t<Cube currency='SEK' rate='11.3100'/>
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>";

    #[test]
    fn reads_the_daily_file() {
        let rows = parse_eurofxref(DAILY).expect("parses");
        assert_eq!(
            rows,
            vec![
                (date!(2023 - 04 - 20), Currency::USD, Decimal::new(10958, 4)),
                (
                    date!(2023 - 04 - 20),
                    Currency::SEK,
                    Decimal::new(113100, 4)
                ),
            ]
        );
    }

    #[test]
    fn refuses_what_is_not_a_eurofxref_document() {
        assert!(parse_eurofxref("<html>maintenance</html>").is_err());
        let bad = DAILY.replace("rate='1.0958'", "rate='1,0958'");
        let err = parse_eurofxref(&bad).expect_err("comma");
        assert!(err.contains("1,0958"), "{err}");
        let negative = DAILY.replace("rate='1.0958'", "rate='-1'");
        assert!(parse_eurofxref(&negative).is_err());
        // Rates no central bank publishes: dividing an amount by the tiny
        // one overflows, so the document is refused.
        for absurd in [
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
        ] {
            let doc = DAILY.replace("rate='1.0958'", &format!("rate='{absurd}'"));
            let err = parse_eurofxref(&doc).expect_err(absurd);
            assert!(err.contains(absurd), "{err}");
        }
    }
}
