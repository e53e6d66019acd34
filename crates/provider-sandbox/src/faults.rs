//! Fault injection and request counting shared by every simulated provider.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wiremock::{Request, Respond, ResponseTemplate};

/// Which faults a simulated server injects. Faults are decided by a request
/// counter, so a run with the same faults fails the same requests every time:
/// the client's retries then make the result identical to a run without faults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Every n-th request answers 429 with `Retry-After: 1` (and the provider's
    /// own throttle signal where it has one).
    pub rate_limit_every: Option<u64>,
    /// Every n-th request answers 503.
    pub server_error_every: Option<u64>,
    /// Every n-th request answers only after this long (a slow response).
    pub slow_every: Option<(u64, Duration)>,
    /// Every request is delayed this long (network latency, for benchmarks).
    pub latency: Duration,
}

impl Faults {
    /// No faults, no latency.
    pub fn none() -> Self {
        Faults::default()
    }

    /// A mix of 429s, 503s and slow answers that a client with retries must
    /// absorb without losing or repeating a record.
    pub fn chaos() -> Self {
        Faults {
            rate_limit_every: Some(5),
            server_error_every: Some(7),
            slow_every: Some((4, Duration::from_millis(150))),
            latency: Duration::ZERO,
        }
    }

    /// Only a fixed latency per request.
    pub fn latency(latency: Duration) -> Self {
        Faults {
            latency,
            ..Faults::default()
        }
    }
}

/// What the fault injector decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// Answer 429 (too many requests).
    RateLimited,
    /// Answer 503.
    ServerError,
    /// Answer normally after `Duration`.
    Slow(Duration),
    /// Answer normally.
    None,
}

/// Counts requests to one simulated server and decides faults from the count.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    total: Arc<AtomicU64>,
    served: Arc<AtomicU64>,
}

impl RequestCounter {
    /// A new counter at zero.
    pub fn new() -> Self {
        RequestCounter::default()
    }

    /// Requests received, faulted ones included.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }

    /// Requests answered with data (not faulted).
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    /// Counts a request and decides its fault. Call once per request.
    pub fn next(&self, faults: &Faults) -> Injected {
        let n = self.total.fetch_add(1, Ordering::SeqCst) + 1;
        let hit = |every: Option<u64>| every.is_some_and(|e| e > 0 && n.is_multiple_of(e));
        let decided = if hit(faults.rate_limit_every) {
            Injected::RateLimited
        } else if hit(faults.server_error_every) {
            Injected::ServerError
        } else if let Some((_, d)) = faults
            .slow_every
            .filter(|(e, _)| *e > 0 && n.is_multiple_of(*e))
        {
            Injected::Slow(d)
        } else {
            Injected::None
        };
        if !matches!(decided, Injected::RateLimited | Injected::ServerError) {
            self.served.fetch_add(1, Ordering::SeqCst);
        }
        decided
    }
}

/// Wraps a responder with fault injection and latency: the way every
/// simulated provider answers.
///
/// `throttled` builds the provider's own 429 answer (its error body and
/// headers); `Retry-After: 1` is added to it.
#[derive(Debug)]
pub struct Faulty<R> {
    inner: R,
    faults: Faults,
    counter: RequestCounter,
    throttled: fn() -> ResponseTemplate,
    unavailable: fn() -> ResponseTemplate,
}

impl<R: Respond> Faulty<R> {
    /// Wraps `inner`.
    pub fn new(
        inner: R,
        faults: Faults,
        counter: RequestCounter,
        throttled: fn() -> ResponseTemplate,
        unavailable: fn() -> ResponseTemplate,
    ) -> Self {
        Faulty {
            inner,
            faults,
            counter,
            throttled,
            unavailable,
        }
    }
}

impl<R: Respond> Respond for Faulty<R> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (template, extra) = match self.counter.next(&self.faults) {
            Injected::RateLimited => (
                (self.throttled)().insert_header("Retry-After", "1"),
                Duration::ZERO,
            ),
            Injected::ServerError => ((self.unavailable)(), Duration::ZERO),
            Injected::Slow(d) => (self.inner.respond(request), d),
            Injected::None => (self.inner.respond(request), Duration::ZERO),
        };
        let delay = self.faults.latency + extra;
        if delay.is_zero() {
            template
        } else {
            template.set_delay(delay)
        }
    }
}
