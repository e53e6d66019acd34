//! [`ShopifyClassifier`] and [`shopify_throttle_wait`]: Shopify's query-cost
//! throttling, read for the HTTP layer's retries and for pacing.

use std::time::Duration;

use provider_http::http::{HeaderMap, StatusCode};
use provider_http::{RetryClassifier, RetryDecision};

/// Shopify GraphQL Admin API: a response whose top-level `errors` contain
/// `extensions.code == "THROTTLED"` is a retryable failure whatever its HTTP status (Shopify
/// answers it with 200). The wait is computed from `extensions.cost`:
/// `(requestedQueryCost - throttleStatus.currentlyAvailable) / throttleStatus.restoreRate`
/// seconds, rounded up; 1 s when the cost is missing. Other responses get the default rules
/// (REST 429s carry `Retry-After`). [`ShopifyClient`](crate::ShopifyClient) sets it on its
/// HTTP client; the wait is a metered one, so throttled answers do not use up the attempts
/// meant for errors.
///
/// ```
/// use provider_http::http::{HeaderMap, StatusCode};
/// use provider_http::{RetryClassifier, RetryDecision};
/// use shopify_bookkeeping::ShopifyClassifier;
///
/// let ok = br#"{"data":{"orders":{"nodes":[]}}}"#;
/// assert_eq!(
///     ShopifyClassifier.classify(StatusCode::OK, &HeaderMap::new(), ok),
///     RetryDecision::Default
/// );
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ShopifyClassifier;

impl RetryClassifier for ShopifyClassifier {
    fn classify(&self, _: StatusCode, _: &HeaderMap, body: &[u8]) -> RetryDecision {
        // Cheap pre-check: only parse bodies that can be a throttle answer.
        if !contains(body, b"THROTTLED") {
            return RetryDecision::Default;
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return RetryDecision::Default;
        };
        let throttled = value
            .get("errors")
            .and_then(|e| e.as_array())
            .is_some_and(|errors| {
                errors.iter().any(|e| {
                    e.pointer("/extensions/code").and_then(|c| c.as_str()) == Some("THROTTLED")
                })
            });
        if !throttled {
            return RetryDecision::Default;
        }
        RetryDecision::Retry {
            after: Some(shopify_throttle_wait(&value).unwrap_or(Duration::from_secs(1))),
        }
    }
}

/// The wait Shopify's cost information asks for, from a GraphQL response's
/// `extensions.cost`; `None` if the information is missing. Zero when enough points are
/// available. The client also uses it on successful responses to pace itself with
/// [`RateLimiter::throttle`](provider_http::RateLimiter::throttle).
///
/// ```
/// use std::time::Duration;
///
/// let answer = serde_json::json!({"extensions": {"cost": {"requestedQueryCost": 105,
///     "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 100, "restoreRate": 50.0}}}});
/// assert_eq!(shopify_bookkeeping::shopify_throttle_wait(&answer), Some(Duration::from_millis(100)));
/// ```
pub fn shopify_throttle_wait(response: &serde_json::Value) -> Option<Duration> {
    let cost = response.pointer("/extensions/cost")?;
    let requested = as_millis_units(cost.get("requestedQueryCost")?)?;
    let status = cost.get("throttleStatus")?;
    let available = as_millis_units(status.get("currentlyAvailable")?)?;
    let rate = as_millis_units(status.get("restoreRate")?)?;
    if rate == 0 {
        return None;
    }
    // A query never needs more than the whole bucket (Shopify refuses one
    // that costs more, `MAX_COST_EXCEEDED`): the wait is at most the time to
    // fill it, whatever `requestedQueryCost` says.
    let requested = match status.get("maximumAvailable").and_then(as_millis_units) {
        Some(max) => requested.min(max),
        None => requested,
    };
    let deficit = requested.saturating_sub(available);
    // deficit and rate are both in thousandths of a point; the wait in ms is deficit/rate*1000.
    let millis = deficit.saturating_mul(1000).div_ceil(rate);
    Some(Duration::from_millis(millis))
}

/// A JSON number as an integer count of thousandths, without float arithmetic.
fn as_millis_units(v: &serde_json::Value) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return n.checked_mul(1000);
    }
    let text = v.as_number()?.to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let int: u64 = int.parse().ok()?;
    let mut frac3 = 0u64;
    for (i, c) in frac.chars().take(3).enumerate() {
        let d = u64::from(c.to_digit(10)?);
        frac3 += d * 10u64.pow(2 - u32::try_from(i).ok()?);
    }
    int.checked_mul(1000)?.checked_add(frac3)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_at_most_the_time_to_fill_the_bucket() {
        // A million points asked of a 1000-point bucket refilling at 50 a
        // second: at most the 20 s a full bucket takes.
        let answer = serde_json::json!({"extensions": {"cost": {"requestedQueryCost": 1_000_000,
            "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 0, "restoreRate": 50.0}}}});
        assert_eq!(
            shopify_throttle_wait(&answer),
            Some(Duration::from_secs(20))
        );
    }

    #[test]
    fn shopify_throttle_wait_from_cost() {
        let body = br#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
            "extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,
            "throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":552,"restoreRate":50.0}}}}"#;
        let d = ShopifyClassifier.classify(StatusCode::OK, &HeaderMap::new(), body);
        assert_eq!(
            d,
            RetryDecision::Retry {
                after: Some(Duration::from_secs(4))
            }
        );
        let ok = br#"{"data":{"orders":{"nodes":[]}}}"#;
        assert_eq!(
            ShopifyClassifier.classify(StatusCode::OK, &HeaderMap::new(), ok),
            RetryDecision::Default
        );
    }
}
