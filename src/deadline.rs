//! Deadlines for a fetch: each source, and the run as a whole.
//!
//! provider-http already fails a request that stalls (its request deadline,
//! 60 s by default, retries included). These deadlines bound the rest: a
//! provider that answers, slowly, page after page, or a run whose providers
//! together take too long. When one passes, the source's stream ends with a
//! [`SourceError`] that names the provider and says how long it waited, and
//! [`fetch`](crate::close::fetch) fails: a run with a provider cut short is
//! not complete and must not be booked.
//!
//! ```no_run
//! use std::time::Duration;
//! use kassabok::close::{Sources, fetch};
//! use kassabok::deadline::Deadlines;
//!
//! # async fn run(sources: Sources, period: kassabok::core::Period) -> Result<(), kassabok::core::SourceError> {
//! let sources = sources.with_deadlines(Deadlines {
//!     provider: Duration::from_secs(5 * 60),
//!     run: Duration::from_secs(10 * 60),
//! });
//! let fetched = fetch(&sources, &period, &|_, _| {}).await?;
//! # let _ = fetched; Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bookkeeping_core::{
    PayoutRecord, PayoutSource, Period, Provider, RecordStream, SalesRecord, SalesSource, Source,
    SourceError, SourceErrorKind, StatementBatch, StatementSource,
};
use futures::StreamExt;
use tokio::time::Instant;

use crate::close::Sources;

/// How long a fetch may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Each source, from the moment it is asked for the period (default
    /// 15 min: a large shop's month is a few thousand requests).
    pub provider: Duration,
    /// All sources together, from [`Sources::with_deadlines`] (default 30 min).
    pub run: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            provider: Duration::from_secs(15 * 60),
            run: Duration::from_secs(30 * 60),
        }
    }
}

impl Sources {
    /// The same sources, each cut off when its own deadline or the run's
    /// passes (the run's starts now). See the [module docs](crate::deadline).
    #[must_use]
    pub fn with_deadlines(self, deadlines: Deadlines) -> Sources {
        let clock = Clock::start_run(deadlines);
        Sources {
            sales: self
                .sales
                .into_iter()
                .map(|inner| Arc::new(Timed { inner, clock }) as Arc<dyn SalesSource>)
                .collect(),
            payouts: self
                .payouts
                .into_iter()
                .map(|inner| Arc::new(Timed { inner, clock }) as Arc<dyn PayoutSource>)
                .collect(),
            statements: self
                .statements
                .into_iter()
                .map(|inner| Arc::new(Timed { inner, clock }) as Arc<dyn StatementSource>)
                .collect(),
        }
    }
}

/// A run's deadlines, with the run's already started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    provider: Duration,
    run: Duration,
    run_ends: Instant,
}

impl Clock {
    /// The run's deadline starts now.
    pub(crate) fn start_run(deadlines: Deadlines) -> Clock {
        Clock {
            provider: deadlines.provider,
            run: deadlines.run,
            run_ends: Instant::now() + deadlines.run,
        }
    }

    /// `stream` of `provider`, asked now: cut off with an error when its
    /// deadline or the run's passes.
    pub(crate) fn stream<'a, T: Send + 'a>(
        &self,
        provider: Provider,
        stream: RecordStream<'a, T>,
    ) -> RecordStream<'a, T> {
        let (ends, error) = self.start(provider);
        cut(stream, ends, error)
    }

    /// `statements` of `provider`, asked now, or an error when its deadline
    /// or the run's passes first.
    pub(crate) async fn statements(
        &self,
        provider: Provider,
        statements: impl Future<Output = Result<StatementBatch, SourceError>>,
    ) -> Result<StatementBatch, SourceError> {
        let (ends, error) = self.start(provider);
        within(ends, statements).await.unwrap_or(Err(error))
    }

    /// When a source asked now must be done, and the error if it is not.
    fn start(&self, provider: Provider) -> (Instant, SourceError) {
        let own = Instant::now() + self.provider;
        let (ends, which, waited) = if own <= self.run_ends {
            (own, "provider", self.provider)
        } else {
            (self.run_ends, "run", self.run)
        };
        let error = SourceError::new(
            provider,
            SourceErrorKind::Network,
            format!(
                "not done within {} s (the {which} deadline): the period was not fetched completely",
                waited.as_secs_f64()
            ),
        );
        (ends, error)
    }
}

struct Timed<S: ?Sized> {
    inner: Arc<S>,
    clock: Clock,
}

impl<S: Source + ?Sized> Source for Timed<S> {
    fn provider(&self) -> Provider {
        self.inner.provider()
    }
}

impl<S: SalesSource + ?Sized> SalesSource for Timed<S> {
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        self.clock.stream(self.provider(), self.inner.sales(period))
    }
}

impl<S: PayoutSource + ?Sized> PayoutSource for Timed<S> {
    fn payouts<'a>(&'a self, period: &'a Period) -> RecordStream<'a, PayoutRecord> {
        self.clock
            .stream(self.provider(), self.inner.payouts(period))
    }
}

#[async_trait::async_trait]
impl<S: StatementSource + ?Sized> StatementSource for Timed<S> {
    async fn statements(&self, period: &Period) -> Result<StatementBatch, SourceError> {
        self.clock
            .statements(self.provider(), self.inner.statements(period))
            .await
    }
}

/// `fut`, or `None` when `ends` passes first.
async fn within<F: Future>(ends: Instant, fut: F) -> Option<F::Output> {
    tokio::time::timeout_at(ends, fut).await.ok()
}

/// `stream` until `ends`; then `error` and the end.
fn cut<'a, T: Send + 'a>(
    stream: RecordStream<'a, T>,
    ends: Instant,
    error: SourceError,
) -> RecordStream<'a, T> {
    futures::stream::unfold(
        (Some(stream), Some(error)),
        move |(stream, error)| async move {
            let mut stream = stream?;
            match within(ends, stream.next()).await {
                Some(Some(item)) => Some((item, (Some(stream), error))),
                Some(None) => None,
                None => error.map(|e| (Err(e), (None, None))),
            }
        },
    )
    .boxed()
}
