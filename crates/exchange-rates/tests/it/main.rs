//! Integration tests of the rate sources against the simulated Riksbank and
//! ECB (`provider-sandbox`), on loopback only.

mod ecb;
mod riksbank;

use std::time::Duration;

use provider_http::RetryPolicy;

/// Fast retries for tests.
fn quick_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}
