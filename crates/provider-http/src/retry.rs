//! Retry policy, backoff and the per-provider retry classifier hook.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how often a request is retried.
///
/// Only idempotent requests are retried (GET, and POSTs marked
/// [`Idempotency::Idempotent`](crate::Idempotency::Idempotent)); a request that could not
/// connect at all is retried whatever its idempotency, because it was never sent.
///
/// The wait before attempt `n + 1` is `base_delay * 2^(n-1)`, capped at `max_delay`, with
/// [`Jitter`] applied. When the provider says how long to wait (`Retry-After` in seconds or as
/// an HTTP date, or a classifier's [`RetryDecision::Retry`] `after`), that wait is used
/// instead, if it is at most `honour_retry_after_up_to`; a longer requested wait ends the
/// retries and the error carries it in [`HttpError::retry_after`](crate::HttpError::retry_after).
///
/// Fields are public for reading and for `let mut p = RetryPolicy::default(); p.max_attempts = 6;`;
/// the chained methods of the same names are the usual way to set them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = no retries). Default 4.
    pub max_attempts: u32,
    /// The first backoff wait. Default 500 ms.
    pub base_delay: Duration,
    /// The longest backoff wait. Default 10 s.
    pub max_delay: Duration,
    /// How the backoff wait is randomized. Default [`Jitter::Equal`].
    pub jitter: Jitter,
    /// The longest provider-requested wait that is honoured by waiting. Default 60 s.
    pub honour_retry_after_up_to: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            jitter: Jitter::Equal,
            honour_retry_after_up_to: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy: 4 attempts, 500 ms doubling to at most 10 s, equal jitter,
    /// `Retry-After` honoured up to 60 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Sets the number of attempts in total, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff wait.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the longest backoff wait.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the jitter.
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the longest provider-requested wait that is honoured by waiting.
    #[must_use]
    pub fn honour_retry_after_up_to(mut self, limit: Duration) -> Self {
        self.honour_retry_after_up_to = limit;
        self
    }

    /// The backoff wait after failed attempt number `attempt` (1-based), jitter applied.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let delay = self
            .base_delay
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        self.jitter.apply(delay)
    }
}

/// How a backoff wait is randomized, so that many clients do not retry in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// Wait exactly the computed delay.
    None,
    /// Wait a uniformly random time between zero and the delay.
    Full,
    /// Wait half the delay plus a uniformly random time up to the other half.
    Equal,
}

impl Jitter {
    fn apply(self, delay: Duration) -> Duration {
        let nanos = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
        match self {
            Self::None => delay,
            Self::Full => Duration::from_nanos(fastrand::u64(0..=nanos)),
            Self::Equal => {
                let half = nanos / 2;
                Duration::from_nanos(half + fastrand::u64(0..=nanos - half))
            }
        }
    }
}

/// A provider's verdict on a response, from a [`RetryClassifier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// No opinion: the default rules apply (success for 2xx; retry 408, 409, 425, 429,
    /// 500–504, honouring `Retry-After`; fail otherwise).
    Default,
    /// The request failed and may be retried (even if the status is 2xx, as with Shopify's
    /// GraphQL `THROTTLED`), after `after` if given (else `Retry-After` or the backoff).
    Retry {
        /// How long to wait, if the provider said.
        after: Option<Duration>,
    },
    /// Do not retry: a failure status is final (e.g. `Stripe-Should-Retry: false`). A 2xx
    /// answer stays a success.
    DoNotRetry,
}

/// A per-provider hook that reads a provider's retry signals from a response.
///
/// It is called for every response, successful or not, with the full body. Implementations
/// should be cheap and must not panic. Each provider crate implements its own
/// (`stripe-invoicing` reads `Stripe-Should-Retry`, `shopify-bookkeeping` GraphQL `THROTTLED`
/// answers): this crate knows no provider.
///
/// ```
/// use provider_http::{RetryClassifier, RetryDecision};
/// use provider_http::http::{StatusCode, header::HeaderMap};
///
/// /// A provider that answers 400 `TEMPORARY_ERROR` when it means "try again".
/// #[derive(Debug)]
/// struct Example;
///
/// impl RetryClassifier for Example {
///     fn classify(&self, status: StatusCode, _headers: &HeaderMap, body: &[u8]) -> RetryDecision {
///         if status == StatusCode::BAD_REQUEST && body.windows(15).any(|w| w == b"TEMPORARY_ERROR") {
///             RetryDecision::Retry { after: None }
///         } else {
///             RetryDecision::Default
///         }
///     }
/// }
/// ```
pub trait RetryClassifier: Send + Sync + fmt::Debug {
    /// Classifies one response.
    fn classify(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> RetryDecision;
}

/// The classifier used when none is set: always [`RetryDecision::Default`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultClassifier;

impl RetryClassifier for DefaultClassifier {
    fn classify(&self, _: StatusCode, _: &HeaderMap, _: &[u8]) -> RetryDecision {
        RetryDecision::Default
    }
}

/// Whether a status is retryable by the default rules: 408, 409, 425, 429, 500–504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 425 | 429 | 500..=504)
}

/// Parses a `Retry-After` header: delay-seconds or an HTTP date (a date in the past gives
/// zero). `None` if absent or unreadable.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350))
            .jitter(Jitter::None);
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
        assert_eq!(p.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_in_range() {
        let p = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .jitter(Jitter::Equal);
        for _ in 0..100 {
            let d = p.backoff(1);
            assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(100));
        }
        let p = p.jitter(Jitter::Full);
        for _ in 0..100 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
        }
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = parse_retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h), None);
    }
}
