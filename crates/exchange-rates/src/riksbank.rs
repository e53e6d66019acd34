//! Sveriges Riksbank's daily exchange rates on its SWEA REST API.
//!
//! `GET {base}/swea/v1/Observations/{seriesId}/{from}/{to}` answers a JSON
//! array of `{"date": "YYYY-MM-DD", "value": <number>}`, one element per day
//! the Riksbank published, for series `SEK<CCY>PMI` (SEK per one unit of the
//! currency, the daily mid rate). No key is needed; an API-portal key raises
//! the request quota and goes in `Ocp-Apim-Subscription-Key`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration as StdDuration;

use bookkeeping_core::Currency;
use journal_mapping::ExchangeRates;
use provider_http::{
    Auth, HttpClient, HttpErrorKind, RateLimit, RequestSpec, RetryPolicy, SecretString,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use time::{Date, Duration, format_description::BorrowedFormatItem, macros::format_description};

use crate::published::{MAX_LOOKBACK_DAYS, PublishedRates};
use crate::{RateSource, RatesError};

/// The Riksbank's API host.
pub const RIKSBANK_API: &str = "https://api.riksbank.se";

const DAY: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The SWEA series of a currency's daily mid rate against SEK (`SEKEURPMI`).
pub fn series_id(currency: Currency) -> String {
    format!("SEK{}PMI", currency.code())
}

/// A client of the SWEA API: one request per currency and date range.
///
/// ```no_run
/// use bookkeeping_core::Currency;
/// use exchange_rates::RiksbankClient;
/// use time::macros::date;
///
/// # async fn run() -> Result<(), exchange_rates::RatesError> {
/// let client = RiksbankClient::builder().build()?;
/// let days = client
///     .observations(Currency::EUR, date!(2026 - 03 - 01), date!(2026 - 03 - 31))
///     .await?;
/// println!("{} EUR rates in March", days.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RiksbankClient {
    http: HttpClient,
}

/// Builds a [`RiksbankClient`]. `Debug` never shows the API key.
pub struct RiksbankClientBuilder {
    base_url: Option<String>,
    api_key: Option<SecretString>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for RiksbankClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiksbankClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("retry", &self.retry)
            .finish()
    }
}

impl RiksbankClient {
    /// A builder with the public API host, no key, and the default retries.
    pub fn builder() -> RiksbankClientBuilder {
        RiksbankClientBuilder {
            base_url: None,
            api_key: None,
            retry: RetryPolicy::default(),
        }
    }

    /// The days the Riksbank published a `currency` rate in `from..=to`, in
    /// date order (weekends and bank holidays have none).
    ///
    /// # Errors
    /// [`RatesError::UnknownCurrency`] when the API has no such series (404 or
    /// 400); [`RatesError::Http`] for other failures once the retries are
    /// spent; [`RatesError::Malformed`] for a date or value that does not parse.
    pub async fn observations(
        &self,
        currency: Currency,
        from: Date,
        to: Date,
    ) -> Result<Vec<(Date, Decimal)>, RatesError> {
        let series = series_id(currency);
        let path = format!(
            "/swea/v1/Observations/{series}/{}/{}",
            from.format(DAY).expect("date formats"),
            to.format(DAY).expect("date formats")
        );
        let resp = match self.http.send(RequestSpec::get(path.clone())).await {
            Ok(r) => r,
            Err(e) => {
                if let HttpErrorKind::Api(api) = e.kind()
                    && matches!(api.status.as_u16(), 400 | 404)
                {
                    return Err(RatesError::UnknownCurrency {
                        origin: RateSource::Riksbank,
                        currency,
                        series,
                    });
                }
                return Err(e.into());
            }
        };
        // A range without publications may come back empty (204).
        if resp.body().iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        let raw: Vec<Observation> = self.http.decode(&resp)?;
        let malformed = |message: String| RatesError::Malformed {
            origin: RateSource::Riksbank,
            path: path.clone(),
            message,
        };
        let mut out = Vec::with_capacity(raw.len());
        for (i, o) in raw.iter().enumerate() {
            let day = Date::parse(&o.date, DAY)
                .map_err(|_| malformed(format!("[{i}].date is not a date: {:?}", o.date)))?;
            let text = o.value.get();
            let value: Decimal = text
                .parse()
                .ok()
                .filter(|v: &Decimal| crate::is_plausible_rate(*v, RateSource::Riksbank))
                .ok_or_else(|| {
                    malformed(format!(
                        "[{i}].value is not a rate between 0.000001 and 10000: {text}"
                    ))
                })?;
            out.push((day, value));
        }
        out.sort_by_key(|(d, _)| *d);
        Ok(out)
    }
}

/// One element of the Observations answer. The value is kept as its JSON text
/// and parsed into a `Decimal`, never through `f64`.
#[derive(Debug, Deserialize)]
struct Observation {
    date: String,
    value: Box<RawValue>,
}

impl RiksbankClientBuilder {
    /// Another server (the sandbox, a proxy): the test hook.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// An API-portal subscription key (a higher request quota), sent as
    /// `Ocp-Apim-Subscription-Key`.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
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
    pub fn build(self) -> Result<RiksbankClient, RatesError> {
        let mut b = HttpClient::builder("riksbank", RIKSBANK_API)
            .user_agent_suffix(concat!("exchange-rates/", env!("CARGO_PKG_VERSION")))
            .timeout(StdDuration::from_secs(30))
            // The unregistered quota is a few requests per second.
            .rate_limit(RateLimit::per_second(4))
            .retry(self.retry);
        if let Some(url) = &self.base_url {
            b = b.base_url(url);
        }
        if let Some(key) = self.api_key {
            b = b.auth(Auth::header(
                provider_http::http::header::HeaderName::from_static("ocp-apim-subscription-key"),
                key,
            ));
        }
        Ok(RiksbankClient { http: b.build()? })
    }
}

/// The Riksbank's rates with a cache per day and currency: the rate source a
/// month close uses by default.
///
/// A day without a publication (a weekend, a bank holiday, today before the
/// afternoon fixing) takes the last rate published before it, at most
/// [`MAX_LOOKBACK_DAYS`] back. [`prefetch`](RiksbankRates::prefetch) asks once
/// per currency for a whole period; after that the mapper reads the cache
/// through [`ExchangeRates`], which never makes a request (a date not
/// fetched is `None`, which the mapper turns into a review item).
///
/// Against kassabok's simulated Riksbank (drop the `base_url` for the real
/// one, [`RIKSBANK_API`]):
///
/// ```
/// use bookkeeping_core::Currency;
/// use exchange_rates::{RiksbankClient, RiksbankRates};
/// use journal_mapping::ExchangeRates;
/// use provider_sandbox::{Faults, rates::start_riksbank};
/// use time::macros::date;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let riksbank = start_riksbank(date!(2026 - 04 - 30), Faults::none()).await;
/// let rates = RiksbankRates::new(RiksbankClient::builder().base_url(riksbank.uri()).build()?);
/// // Saturday: Friday's rate.
/// let (published, sek) = rates.rate(Currency::EUR, date!(2026 - 03 - 28)).await?;
/// assert_eq!(published, date!(2026 - 03 - 27));
/// assert_eq!(rates.sek_per_unit(Currency::EUR, date!(2026 - 03 - 28)), Some(sek));
/// // A day not fetched is not guessed: the mapper reports it for review.
/// assert_eq!(rates.sek_per_unit(Currency::USD, date!(2026 - 03 - 28)), None);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RiksbankRates {
    client: RiksbankClient,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    published: PublishedRates,
    /// Resolved (currency, day) → (publication day, rate).
    resolved: HashMap<(Currency, Date), (Date, Decimal)>,
}

impl RiksbankRates {
    /// Rates from `client`, with an empty cache.
    pub fn new(client: RiksbankClient) -> Self {
        RiksbankRates {
            client,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while holding the lock leaves plain data behind: keep going.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Fetches `from..=to` (and the days before `from` a weekend may need)
    /// for each currency, one request each; SEK is skipped. Ranges already
    /// fetched are not asked again.
    ///
    /// # Errors
    /// The first [`RatesError`] of a currency (an unknown currency included).
    pub async fn prefetch(
        &self,
        currencies: impl IntoIterator<Item = Currency>,
        from: Date,
        to: Date,
    ) -> Result<(), RatesError> {
        let from = from - Duration::days(MAX_LOOKBACK_DAYS);
        for c in currencies {
            if c == Currency::SEK || self.cache().published.covers(c, from, to) {
                continue;
            }
            let obs = self.client.observations(c, from, to).await?;
            tracing::debug!(currency = %c, %from, %to, days = obs.len(), "riksbank rates fetched");
            self.cache().published.record(c, from, to, obs);
        }
        Ok(())
    }

    /// SEK per unit of `currency` for `date`, and the day it was published:
    /// `date` itself, or the last publication before it. Cached per day and
    /// currency; a miss fetches the week up to `date`.
    ///
    /// # Errors
    /// [`RatesError::NotPublished`] when nothing was published in the
    /// [`MAX_LOOKBACK_DAYS`] up to `date`; fetch errors as in
    /// [`RiksbankClient::observations`].
    pub async fn rate(
        &self,
        currency: Currency,
        date: Date,
    ) -> Result<(Date, Decimal), RatesError> {
        if currency == Currency::SEK {
            return Ok((date, Decimal::ONE));
        }
        if let Some(hit) = self.cached(currency, date) {
            return Ok(hit);
        }
        self.prefetch([currency], date, date).await?;
        self.cached(currency, date).ok_or(RatesError::NotPublished {
            origin: RateSource::Riksbank,
            currency,
            date,
            rule: "last published on or before, up to 7 days",
        })
    }

    fn cached(&self, currency: Currency, date: Date) -> Option<(Date, Decimal)> {
        let mut cache = self.cache();
        if let Some(hit) = cache.resolved.get(&(currency, date)) {
            return Some(*hit);
        }
        let found = cache.published.last_published(currency, date)?;
        cache.resolved.insert((currency, date), found);
        Some(found)
    }

    /// Every rate looked up so far (by [`rate`](RiksbankRates::rate) or
    /// through [`ExchangeRates`]): (currency, day asked for, day published,
    /// SEK per unit), sorted. What a journal's foreign amounts were booked at.
    pub fn used(&self) -> Vec<(Currency, Date, Date, Decimal)> {
        let mut out: Vec<_> = self
            .cache()
            .resolved
            .iter()
            .map(|((c, day), (published, rate))| (*c, *day, *published, *rate))
            .collect();
        out.sort();
        out
    }

    /// The observations fetched so far.
    pub fn published(&self) -> PublishedRates {
        self.cache().published.clone()
    }
}

impl ExchangeRates for RiksbankRates {
    fn sek_per_unit(&self, currency: Currency, date: Date) -> Option<Decimal> {
        if currency == Currency::SEK {
            return Some(Decimal::ONE);
        }
        self.cached(currency, date).map(|(_, r)| r)
    }
}
