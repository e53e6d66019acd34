//! The retry loop's decisions, as pure functions: what to do after one attempt, given what
//! came back, the policy and the budget. [`HttpClient`](crate::HttpClient)'s loop only sends,
//! waits and builds errors; these decide, and are unit-tested without a server.

use std::time::Duration;

use reqwest::StatusCode;

use crate::error::TransportKind;
use crate::retry::{RetryDecision, RetryPolicy, is_retryable_status};

/// The attempts a request may still make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    /// Attempts in total, grown by a token refresh and by metered throttle waits.
    pub(crate) attempts: u32,
    /// Waits the provider asked for from its rate-limit state (Shopify's throttleStatus),
    /// beyond the attempts: bounded, so that a provider that throttles forever still ends
    /// before the request deadline does.
    pub(crate) throttles: u32,
}

impl Budget {
    /// The budget of a fresh request under `policy`.
    pub(crate) fn new(policy: &RetryPolicy) -> Self {
        let attempts = policy.max_attempts.max(1);
        Budget {
            attempts,
            // Generous: a large query can wait several refills while smaller
            // ones sharing the bucket take the restored points first.
            throttles: attempts.saturating_mul(16),
        }
    }
}

/// What to do after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterResponse {
    /// It succeeded: return it.
    Success,
    /// Pause the whole client (its rate limiter) for the provider's wait, then retry.
    RetryAfterProviderWait(Duration),
    /// Sleep the backoff, then retry.
    RetryAfterBackoff(Duration),
    /// It failed for good: an API error with these facts. `pause` is a provider wait the
    /// client should still honour (so the next request does not run into the same limit).
    Fail {
        /// Whether a later attempt may succeed.
        retryable: bool,
        /// The wait the provider asked for, if any.
        retry_after: Option<Duration>,
        /// Pause the client's rate limiter this long.
        pause: Option<Duration>,
    },
}

/// Decides what follows a response with `status` that the provider's classifier judged
/// `decision`, with `header_wait` from `Retry-After`, at attempt `attempt` (1-based).
///
/// `backoff` is the policy's backoff for this attempt (jitter included, so the caller draws
/// it); `fits` says whether a wait ends before the request deadline. A metered wait (the
/// classifier's `Retry { after: Some(_) }`) takes one from the throttle budget and adds an
/// attempt, whenever it comes: a throttled request is not a failed one.
#[allow(clippy::too_many_arguments)]
pub(crate) fn after_response(
    status: StatusCode,
    decision: RetryDecision,
    header_wait: Option<Duration>,
    policy: &RetryPolicy,
    idempotent: bool,
    attempt: u32,
    budget: &mut Budget,
    backoff: Duration,
    fits: impl Fn(Duration) -> bool,
) -> AfterResponse {
    let metered = matches!(decision, RetryDecision::Retry { after: Some(_) });
    let (failed, retryable, wait) = match decision {
        RetryDecision::Retry { after } => (true, true, after.or(header_wait)),
        RetryDecision::DoNotRetry => (!status.is_success(), false, header_wait),
        RetryDecision::Default => (
            !status.is_success(),
            is_retryable_status(status),
            header_wait,
        ),
    };
    if !failed {
        return AfterResponse::Success;
    }
    let honoured = wait.is_none_or(|w| w <= policy.honour_retry_after_up_to);
    let delay = wait.unwrap_or(backoff);
    if metered && budget.throttles > 0 {
        // A throttled attempt is not a failed one, whenever it comes: it
        // never spends the attempts that failures have (a 503, then two
        // `THROTTLED` answers while other requests took the restored
        // points, then a 503 must not end a request of four attempts).
        // Requests sharing one bucket can take the restored points first, so
        // the same request may be throttled again: bounded by `throttles`.
        budget.throttles -= 1;
        budget.attempts += 1;
    }
    if retryable && honoured && idempotent && attempt < budget.attempts && fits(delay) {
        return match wait {
            Some(wait) => AfterResponse::RetryAfterProviderWait(wait),
            None => AfterResponse::RetryAfterBackoff(delay),
        };
    }
    AfterResponse::Fail {
        retryable,
        retry_after: wait,
        pause: wait.filter(|_| retryable && honoured),
    }
}

/// Whether a transport failure of `kind` at attempt `attempt` is retried after `backoff`.
/// A request that never connected was never sent, so it is safe to repeat whatever its
/// idempotency; a timeout or a broken connection is repeated only for an idempotent request.
pub(crate) fn retry_transport(
    kind: TransportKind,
    idempotent: bool,
    attempt: u32,
    budget: &Budget,
    backoff: Duration,
    fits: impl Fn(Duration) -> bool,
) -> bool {
    let retry = match kind {
        TransportKind::Connect => true,
        TransportKind::Timeout | TransportKind::Connection => idempotent,
        TransportKind::Other => false,
    };
    retry && attempt < budget.attempts && fits(backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn policy(attempts: u32) -> RetryPolicy {
        RetryPolicy::default().max_attempts(attempts)
    }

    fn decide(
        status: u16,
        decision: RetryDecision,
        header_wait: Option<Duration>,
        attempt: u32,
        budget: &mut Budget,
    ) -> AfterResponse {
        after_response(
            StatusCode::from_u16(status).unwrap(),
            decision,
            header_wait,
            &policy(3),
            true,
            attempt,
            budget,
            500 * MS,
            |_| true,
        )
    }

    #[test]
    fn a_2xx_is_a_success_unless_the_classifier_says_retry() {
        let mut b = Budget::new(&policy(3));
        assert_eq!(
            decide(200, RetryDecision::Default, None, 1, &mut b),
            AfterResponse::Success
        );
        assert_eq!(
            decide(200, RetryDecision::DoNotRetry, None, 1, &mut b),
            AfterResponse::Success
        );
        assert_eq!(
            decide(200, RetryDecision::Retry { after: None }, None, 1, &mut b),
            AfterResponse::RetryAfterBackoff(500 * MS)
        );
    }

    #[test]
    fn retryable_statuses_back_off_until_the_attempts_are_spent() {
        let mut b = Budget::new(&policy(3));
        assert_eq!(
            decide(503, RetryDecision::Default, None, 1, &mut b),
            AfterResponse::RetryAfterBackoff(500 * MS)
        );
        assert_eq!(
            decide(503, RetryDecision::Default, None, 3, &mut b),
            AfterResponse::Fail {
                retryable: true,
                retry_after: None,
                pause: None
            }
        );
        assert_eq!(
            decide(404, RetryDecision::Default, None, 1, &mut b),
            AfterResponse::Fail {
                retryable: false,
                retry_after: None,
                pause: None
            }
        );
    }

    /// A 503, two metered throttles (Shopify's `THROTTLED` while other
    /// requests took the restored points), then another 503: the throttles
    /// spent none of the three attempts failures have, so the request goes
    /// on (it failed at its fourth answer before, flaking a test).
    #[test]
    fn throttled_answers_never_spend_the_attempts_of_failures() {
        let mut b = Budget::new(&policy(3));
        let metered = RetryDecision::Retry {
            after: Some(Duration::from_secs(1)),
        };
        assert_eq!(
            decide(503, RetryDecision::Default, None, 1, &mut b),
            AfterResponse::RetryAfterBackoff(500 * MS)
        );
        for attempt in [2, 3] {
            assert_eq!(
                decide(200, metered, None, attempt, &mut b),
                AfterResponse::RetryAfterProviderWait(Duration::from_secs(1))
            );
        }
        assert_eq!(
            decide(503, RetryDecision::Default, None, 4, &mut b),
            AfterResponse::RetryAfterBackoff(500 * MS)
        );
        // The third failure ends it.
        assert!(matches!(
            decide(503, RetryDecision::Default, None, 5, &mut b),
            AfterResponse::Fail { .. }
        ));
    }

    #[test]
    fn retry_after_is_the_wait_and_pauses_the_client() {
        let mut b = Budget::new(&policy(3));
        let wait = Some(Duration::from_secs(2));
        assert_eq!(
            decide(429, RetryDecision::Default, wait, 1, &mut b),
            AfterResponse::RetryAfterProviderWait(Duration::from_secs(2))
        );
        // The last attempt: no retry, but the client still pauses for it.
        assert_eq!(
            decide(429, RetryDecision::Default, wait, 3, &mut b),
            AfterResponse::Fail {
                retryable: true,
                retry_after: wait,
                pause: wait
            }
        );
    }

    #[test]
    fn a_wait_beyond_the_honoured_limit_ends_at_once() {
        let mut b = Budget::new(&policy(3));
        let wait = Some(Duration::from_secs(3600));
        assert_eq!(
            decide(429, RetryDecision::Default, wait, 1, &mut b),
            AfterResponse::Fail {
                retryable: true,
                retry_after: wait,
                pause: None
            }
        );
    }

    #[test]
    fn do_not_retry_makes_a_failure_final() {
        let mut b = Budget::new(&policy(3));
        assert_eq!(
            decide(500, RetryDecision::DoNotRetry, None, 1, &mut b),
            AfterResponse::Fail {
                retryable: false,
                retry_after: None,
                pause: None
            }
        );
    }

    #[test]
    fn metered_waits_go_beyond_the_attempts_within_the_throttle_budget() {
        let mut b = Budget::new(&policy(2));
        assert_eq!(b.throttles, 32);
        let metered = RetryDecision::Retry {
            after: Some(100 * MS),
        };
        let mut attempt = 1;
        while let AfterResponse::RetryAfterProviderWait(w) =
            decide(200, metered, None, attempt, &mut b)
        {
            assert_eq!(w, 100 * MS);
            attempt += 1;
        }
        // 2 attempts plus 32 metered waits: the 34th answer is the error.
        assert_eq!(attempt, 34);
        assert_eq!(b.throttles, 0);
    }

    #[test]
    fn a_request_that_is_not_idempotent_is_not_retried_after_a_response() {
        let mut b = Budget::new(&policy(3));
        let next = after_response(
            StatusCode::SERVICE_UNAVAILABLE,
            RetryDecision::Default,
            None,
            &policy(3),
            false,
            1,
            &mut b,
            500 * MS,
            |_| true,
        );
        assert!(matches!(
            next,
            AfterResponse::Fail {
                retryable: true,
                ..
            }
        ));
    }

    #[test]
    fn a_wait_past_the_deadline_is_not_started() {
        let mut b = Budget::new(&policy(3));
        let next = after_response(
            StatusCode::SERVICE_UNAVAILABLE,
            RetryDecision::Default,
            None,
            &policy(3),
            true,
            1,
            &mut b,
            500 * MS,
            |_| false,
        );
        assert!(matches!(next, AfterResponse::Fail { .. }));
    }

    #[test]
    fn transport_failures_are_retried_by_kind_and_idempotency() {
        let b = Budget::new(&policy(3));
        let yes = |_| true;
        assert!(retry_transport(
            TransportKind::Connect,
            false,
            1,
            &b,
            MS,
            yes
        ));
        assert!(retry_transport(
            TransportKind::Timeout,
            true,
            1,
            &b,
            MS,
            yes
        ));
        assert!(!retry_transport(
            TransportKind::Timeout,
            false,
            1,
            &b,
            MS,
            yes
        ));
        assert!(!retry_transport(
            TransportKind::Connection,
            false,
            1,
            &b,
            MS,
            yes
        ));
        assert!(!retry_transport(TransportKind::Other, true, 1, &b, MS, yes));
        assert!(!retry_transport(
            TransportKind::Connect,
            true,
            3,
            &b,
            MS,
            yes
        ));
        assert!(!retry_transport(
            TransportKind::Connect,
            true,
            1,
            &b,
            MS,
            |_| false
        ));
    }
}
