//! A client-side rate limiter that can be paused at runtime.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// A request rate: at most `requests` per `interval`, with bursts of up to `burst` requests.
///
/// Requests are spaced evenly (`interval / requests` apart) once the burst is used up, so a
/// limit of `per_second(25)` sends one request every 40 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    requests: u32,
    interval: Duration,
    burst: u32,
}

impl RateLimit {
    /// At most `n` requests per second (at least 1), no burst.
    pub fn per_second(n: u32) -> Self {
        Self::per_interval(n, Duration::from_secs(1))
    }

    /// At most `n` requests (at least 1) per `interval`, no burst.
    pub fn per_interval(n: u32, interval: Duration) -> Self {
        Self {
            requests: n.max(1),
            interval,
            burst: 1,
        }
    }

    /// Allows up to `burst` requests at once (at least 1) when the limiter has been idle.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Requests allowed per interval.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The time between two requests once the burst is used up.
    pub fn spacing(&self) -> Duration {
        self.interval / self.requests
    }
}

/// The rate limiter of one [`HttpClient`](crate::HttpClient) (shared by its clones).
///
/// Every attempt of every request waits in [`acquire`](RateLimiter::acquire) first. Besides the
/// steady [`RateLimit`] (none by default), the limiter can be paused: the client pauses it
/// itself when a provider asks to wait (`Retry-After`, a classifier's `Retry { after }`), and a
/// provider crate can pause it from the provider's pacing information, e.g. Shopify's
/// GraphQL cost:
///
/// ```no_run
/// # async fn run(client: provider_http::HttpClient) {
/// use std::time::Duration;
/// // After a response showing that the query-cost bucket is nearly empty:
/// client.rate_limiter().throttle(Duration::from_millis(800));
/// # }
/// ```
pub struct RateLimiter {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limit: Option<RateLimit>,
    /// GCRA "theoretical arrival time" of the next request.
    tat: Option<Instant>,
    paused_until: Option<Instant>,
}

impl RateLimiter {
    /// A limiter with the given steady rate (`None` = unlimited, but still pausable).
    pub fn new(limit: Option<RateLimit>) -> Self {
        Self {
            state: Mutex::new(State {
                limit,
                tat: None,
                paused_until: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until the next request may be sent, and reserves that slot. A pause that starts
    /// while waiting is waited for too.
    pub async fn acquire(&self) {
        if let Some(at) = self.reserve(Instant::now()) {
            tokio::time::sleep_until(at).await;
        }
        while let Some(until) = self.paused_until() {
            tokio::time::sleep_until(until).await;
        }
    }

    /// Reserves the next slot; returns when it is, if in the future.
    fn reserve(&self, now: Instant) -> Option<Instant> {
        let mut s = self.state();
        let paused = s.paused_until.filter(|p| *p > now);
        let mut at = paused.unwrap_or(now);
        if let Some(limit) = s.limit {
            let spacing = limit.spacing();
            let tolerance = spacing.saturating_mul(limit.burst - 1);
            let tat = s.tat.map_or(now, |t| t.max(now));
            let earliest = tat.checked_sub(tolerance).unwrap_or(now).max(now);
            at = at.max(earliest);
            s.tat = Some(far(tat.max(at), spacing));
        }
        (at > now).then_some(at)
    }

    /// Pauses all requests of the client until `until` (never shortens an existing pause).
    pub fn pause_until(&self, until: Instant) {
        let mut s = self.state();
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Pauses all requests of the client for `wait` from now (never shortens an existing
    /// pause).
    pub fn throttle(&self, wait: Duration) {
        self.pause_until(far(Instant::now(), wait));
    }

    /// Changes the steady rate at runtime (`None` = unlimited).
    pub fn set_limit(&self, limit: Option<RateLimit>) {
        let mut s = self.state();
        s.limit = limit;
        s.tat = None;
    }

    /// The current steady rate.
    pub fn limit(&self) -> Option<RateLimit> {
        self.state().limit
    }

    /// Until when requests are paused, if they are.
    pub fn paused_until(&self) -> Option<Instant> {
        let s = self.state();
        s.paused_until.filter(|p| *p > Instant::now())
    }
}

/// `from + d`, or about 30 years from `from` if that cannot be represented.
fn far(from: Instant, d: Duration) -> Instant {
    from.checked_add(d)
        .or_else(|| from.checked_add(Duration::from_secs(30 * 365 * 24 * 3600)))
        .unwrap_or(from)
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state();
        f.debug_struct("RateLimiter")
            .field("limit", &s.limit)
            .field("paused_until", &s.paused_until)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_bursts() {
        let l = RateLimiter::new(Some(RateLimit::per_second(10).burst(2)));
        let now = Instant::now();
        assert_eq!(l.reserve(now), None);
        assert_eq!(l.reserve(now), None);
        assert_eq!(l.reserve(now), Some(now + Duration::from_millis(100)));
        assert_eq!(l.reserve(now), Some(now + Duration::from_millis(200)));
        // After being idle, the burst is available again.
        let later = now + Duration::from_secs(5);
        assert_eq!(l.reserve(later), None);
        assert_eq!(l.reserve(later), None);
        assert!(l.reserve(later).is_some());
    }

    #[test]
    fn unlimited_but_pausable() {
        let l = RateLimiter::new(None);
        let now = Instant::now();
        assert_eq!(l.reserve(now), None);
        l.pause_until(now + Duration::from_secs(2));
        l.pause_until(now + Duration::from_secs(1));
        assert_eq!(l.reserve(now), Some(now + Duration::from_secs(2)));
        assert_eq!(l.reserve(now + Duration::from_secs(3)), None);
    }

    #[test]
    fn limit_changes_at_runtime() {
        let l = RateLimiter::new(None);
        let now = Instant::now();
        assert_eq!(l.reserve(now), None);
        assert_eq!(l.reserve(now), None);
        l.set_limit(Some(RateLimit::per_second(2)));
        assert_eq!(l.limit(), Some(RateLimit::per_second(2)));
        assert_eq!(l.reserve(now), None);
        assert_eq!(l.reserve(now), Some(now + Duration::from_millis(500)));
        l.set_limit(None);
        assert_eq!(l.reserve(now), None);
    }

    #[test]
    fn huge_values_do_not_panic() {
        let l = RateLimiter::new(Some(
            RateLimit::per_interval(1, Duration::MAX).burst(u32::MAX),
        ));
        let now = Instant::now();
        l.reserve(now);
        l.reserve(now);
        l.throttle(Duration::MAX);
        assert!(l.paused_until().is_some());
    }

    #[test]
    fn pause_then_spacing() {
        let l = RateLimiter::new(Some(RateLimit::per_second(10)));
        let now = Instant::now();
        l.pause_until(now + Duration::from_secs(1));
        assert_eq!(l.reserve(now), Some(now + Duration::from_secs(1)));
        assert_eq!(l.reserve(now), Some(now + Duration::from_millis(1100)));
    }
}
