//! [`StripeClassifier`]: Stripe's own retry signal for the HTTP layer.

use provider_http::http::{HeaderMap, StatusCode};
use provider_http::{RetryClassifier, RetryDecision};

/// Stripe: obeys the `Stripe-Should-Retry` response header (`true` retries, `false` stops),
/// as Stripe's own SDKs do; without the header the default rules apply. [`StripeClient`]
/// sets it on its HTTP client.
///
/// [`StripeClient`]: crate::StripeClient
///
/// ```
/// use provider_http::http::{HeaderMap, HeaderValue, StatusCode};
/// use provider_http::{RetryClassifier, RetryDecision};
/// use stripe_invoicing::StripeClassifier;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("stripe-should-retry", HeaderValue::from_static("false"));
/// assert_eq!(
///     StripeClassifier.classify(StatusCode::INTERNAL_SERVER_ERROR, &headers, b""),
///     RetryDecision::DoNotRetry
/// );
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StripeClassifier;

impl RetryClassifier for StripeClassifier {
    fn classify(&self, _: StatusCode, headers: &HeaderMap, _: &[u8]) -> RetryDecision {
        match headers
            .get("stripe-should-retry")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
        {
            Some(v) if v.eq_ignore_ascii_case("true") => RetryDecision::Retry { after: None },
            Some(v) if v.eq_ignore_ascii_case("false") => RetryDecision::DoNotRetry,
            _ => RetryDecision::Default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider_http::http::HeaderValue;

    #[test]
    fn stripe_should_retry() {
        let mut h = HeaderMap::new();
        h.insert("stripe-should-retry", HeaderValue::from_static("false"));
        assert_eq!(
            StripeClassifier.classify(StatusCode::INTERNAL_SERVER_ERROR, &h, b""),
            RetryDecision::DoNotRetry
        );
        h.insert("stripe-should-retry", HeaderValue::from_static("true"));
        assert_eq!(
            StripeClassifier.classify(StatusCode::BAD_REQUEST, &h, b""),
            RetryDecision::Retry { after: None }
        );
    }
}
