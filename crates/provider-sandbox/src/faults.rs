//! Fault injection and request counting shared by every simulated provider.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wiremock::{Request, Respond, ResponseTemplate};

/// Which faults a simulated server injects. Faults are decided by a request
/// counter, so a run with the same faults fails the same share of requests
/// every time: the client's retries then make the result identical to a run
/// without faults.
///
/// A client reads some lists concurrently, so which request draws the n-th
/// count depends on timing, and one request's retries could keep drawing
/// faulted counts. [`Faulty`] therefore faults the same request (method, URL
/// and body) at most [`MAX_FAULTS_PER_REQUEST`] times in all when the rule's
/// period is above one; a period of one (`Some(1)`) faults every attempt,
/// for tests of a server that is down.
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

/// How many times in all [`Faulty`] faults the same request (method, URL and
/// body) when the rule that decided the fault has a period above one. Two is
/// what a sequential client meets when a 503 and a 429 fall on consecutive
/// counts; every provider client retries more often than that. Counted in
/// all, not in a row: two identical requests in flight at once (lists read
/// side by side) would otherwise reset each other's count, and one of them
/// could be faulted on every attempt.
pub const MAX_FAULTS_PER_REQUEST: u32 = 2;

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
    /// Faults so far per request identity (a hash of method, URL and body).
    faulted: Arc<Mutex<HashMap<u64, u32>>>,
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

    /// Counts a request and decides its fault from the count alone. Call once
    /// per request.
    pub fn next(&self, faults: &Faults) -> Injected {
        let (decided, _) = self.decide(faults);
        self.count(decided)
    }

    /// Counts a request and decides its fault, faulting the request identified
    /// by `request` at most [`MAX_FAULTS_PER_REQUEST`] times in all unless the
    /// deciding rule's period is one. Call once per request.
    pub fn next_for(&self, faults: &Faults, request: u64) -> Injected {
        let (mut decided, period) = self.decide(faults);
        let mut faulted = self.faulted.lock().unwrap_or_else(|e| e.into_inner());
        let so_far = faulted.entry(request).or_insert(0);
        if is_fault(decided) {
            if period > 1 && *so_far >= MAX_FAULTS_PER_REQUEST {
                decided = Injected::None;
            } else {
                *so_far += 1;
            }
        }
        drop(faulted);
        self.count(decided)
    }

    /// The fault the count decides, with the period of the rule that decided
    /// it (zero when none did).
    fn decide(&self, faults: &Faults) -> (Injected, u64) {
        let n = self.total.fetch_add(1, Ordering::SeqCst) + 1;
        let hit = |every: Option<u64>| every.filter(|&e| e > 0 && n.is_multiple_of(e));
        if let Some(e) = hit(faults.rate_limit_every) {
            (Injected::RateLimited, e)
        } else if let Some(e) = hit(faults.server_error_every) {
            (Injected::ServerError, e)
        } else if let Some((_, d)) = faults
            .slow_every
            .filter(|(e, _)| *e > 0 && n.is_multiple_of(*e))
        {
            (Injected::Slow(d), 0)
        } else {
            (Injected::None, 0)
        }
    }

    fn count(&self, decided: Injected) -> Injected {
        if !is_fault(decided) {
            self.served.fetch_add(1, Ordering::SeqCst);
        }
        decided
    }
}

fn is_fault(injected: Injected) -> bool {
    matches!(injected, Injected::RateLimited | Injected::ServerError)
}

/// A request's identity for [`RequestCounter::next_for`]: its method, URL
/// (path and query) and body.
fn identity(request: &Request) -> u64 {
    let mut hasher = DefaultHasher::new();
    request.method.as_str().hash(&mut hasher);
    request.url.as_str().hash(&mut hasher);
    request.body.hash(&mut hasher);
    hasher.finish()
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
        let (template, extra) = match self.counter.next_for(&self.faults, identity(request)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_faulted_at_most_twice_when_the_period_is_above_one() {
        // Every second count faults: a request whose every attempt draws an
        // even count (other requests took the odd ones) is still served on
        // its third attempt.
        let faults = Faults {
            server_error_every: Some(2),
            ..Faults::none()
        };
        let counter = RequestCounter::new();
        let mut attempts = Vec::new();
        for _ in 0..3 {
            assert_eq!(counter.next_for(&faults, 2), Injected::None); // another request
            attempts.push(counter.next_for(&faults, 1));
        }
        assert_eq!(
            attempts,
            [Injected::ServerError, Injected::ServerError, Injected::None]
        );
        assert_eq!((counter.total(), counter.served()), (6, 4));
    }

    #[test]
    fn identical_requests_in_flight_at_once_do_not_reset_each_others_faults() {
        // Two identical requests (the same list page read by two lanes)
        // alternate on a server that faults every count: counted in a row,
        // each one's success would reset the other's count and the second
        // would be faulted on every attempt; counted in all, the identity is
        // faulted twice and then both are served.
        let faults = Faults {
            server_error_every: Some(2),
            rate_limit_every: Some(3),
            ..Faults::none()
        };
        let counter = RequestCounter::new();
        let mut first = Vec::new();
        let mut second = Vec::new();
        for _ in 0..4 {
            first.push(counter.next_for(&faults, 9));
            second.push(counter.next_for(&faults, 9));
        }
        let faulted = first
            .iter()
            .chain(&second)
            .filter(|i| is_fault(**i))
            .count();
        assert_eq!(faulted, 2, "{first:?} {second:?}");
        assert_eq!(first.last(), Some(&Injected::None));
        assert_eq!(second.last(), Some(&Injected::None));
    }

    #[test]
    fn a_period_of_one_faults_every_attempt() {
        let down = Faults {
            server_error_every: Some(1),
            ..Faults::none()
        };
        let counter = RequestCounter::new();
        for _ in 0..5 {
            assert_eq!(counter.next_for(&down, 7), Injected::ServerError);
        }
        assert_eq!(counter.served(), 0);
    }
}
