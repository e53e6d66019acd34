//! [`Close`]: a period from any number of clients, streamed into the mapper.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;

use bookkeeping_core::{
    Currency, DisputeLost, PayoutRecord, Period, Provider, Sale, SalesRecord, SourceError,
    StatementBatch,
};
use futures::FutureExt;
use journal_mapping::{Chart, ExchangeRates, FixedRates, Journal, Mapper, Policy};
use time::OffsetDateTime;

use super::Sources;
use super::drive::{Arrival, Plan, Prepare, Sink, drive};
use super::roles::{OneRole, Roles};
use crate::deadline::{Clock, Deadlines};

/// Records a source not yet at its turn may read ahead (a payout counts
/// with its lines): enough that every provider is read at once for a
/// typical shop's month, few enough that a large one is never held whole.
pub const DEFAULT_READ_AHEAD: usize = 5_000;

/// An error a host's rate preparation returned.
type BoxError = Box<dyn StdError + Send + Sync>;

/// What [`Close::inspect`] keeps.
type Inspect<'a> = dyn FnMut(Record<'_>) + Send + 'a;

/// One month close (or any period): the clients, the firm's chart, policy
/// and exchange rates in; the [`Journal`] out.
///
/// Every client goes in once with [`source`](Close::source) and plays each
/// role it has ([`Roles`]): Shopify and Stripe give sales and payouts,
/// Klarna payouts, PayPal statements. [`run`](Close::run) reads all of them
/// at once and streams their records into the mapper as they arrive; the
/// month is never held whole. The mapper takes them in a fixed order (the
/// sales of the days before the period, then sales, payouts, lost
/// disputes and statements, the clients in the order they were added), so
/// the journal is the same however fast each provider answers.
///
/// ```no_run
/// use kassabok::close::Close;
/// use kassabok::mapping::{FixedRates, Policy};
/// use kassabok::stripe::StripeClient;
/// use kassabok::{Month, Period};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let stripe = StripeClient::builder("sk_live_…").build()?;
/// let march = Period::month(2026, Month::March)?;
/// let closed = Close::new(march)
///     .source(stripe)
///     .policy(Policy::default())
///     .rates(FixedRates::new())
///     .progress(|provider, n| eprintln!("{provider}: {n} more records"))
///     .run()
///     .await?;
/// assert!(closed.journal.is_balanced());
/// println!("{} vouchers from {:?}", closed.journal.vouchers.len(), closed.records);
/// # Ok(()) }
/// ```
pub struct Close<'a, R = FixedRates> {
    period: Period,
    chart: Chart,
    policy: Policy,
    rates: R,
    clients: Vec<Box<dyn Roles + 'a>>,
    progress: Option<Box<dyn Fn(Provider, usize) + Send + Sync + 'a>>,
    inspect: Option<Box<Inspect<'a>>>,
    prepare: Option<Box<Prepare<'a, BoxError>>>,
    deadlines: Option<Deadlines>,
    read_ahead: usize,
    /// [`Close::preliminary`].
    preliminary: bool,
    /// [`Close::as_of`]; `None` for the clock.
    as_of: Option<OffsetDateTime>,
}

impl<R> fmt::Debug for Close<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let providers: Vec<&str> = self
            .clients
            .iter()
            .filter_map(|c| {
                let p = c
                    .as_sales_source()
                    .map(|s| s.provider())
                    .or_else(|| c.as_payout_source().map(|s| s.provider()))
                    .or_else(|| c.as_statement_source().map(|s| s.provider()))?;
                Some(p.as_str())
            })
            .collect();
        f.debug_struct("Close")
            .field("period", &self.period)
            .field("clients", &providers)
            .field("policy", &self.policy)
            .field("deadlines", &self.deadlines)
            .field("read_ahead", &self.read_ahead)
            .field("preliminary", &self.preliminary)
            .field("as_of", &self.as_of)
            .finish_non_exhaustive()
    }
}

impl<'a> Close<'a> {
    /// A close of `period` with no clients yet, the BAS 2025 chart, the
    /// default [`Policy`], and no exchange rates ([`FixedRates::new`]: an
    /// amount in a foreign currency goes to review until
    /// [`rates`](Close::rates) says otherwise).
    pub fn new(period: Period) -> Self {
        Close {
            period,
            chart: Chart::bas2025(),
            policy: Policy::default(),
            rates: FixedRates::new(),
            clients: Vec::new(),
            progress: None,
            inspect: None,
            prepare: None,
            deadlines: None,
            read_ahead: DEFAULT_READ_AHEAD,
            preliminary: false,
            as_of: None,
        }
    }
}

impl<'a, R: ExchangeRates + Send> Close<'a, R> {
    /// Adds a client, in every role it has. Clients are read at the same
    /// time; their records reach the mapper in the order they were added.
    /// Takes the client itself, a reference or an `Arc`.
    #[must_use]
    pub fn source(mut self, client: impl Roles + 'a) -> Self {
        self.clients.push(Box::new(client));
        self
    }

    /// Adds every source of `sources`, each in the one role it is listed
    /// under (the form [`fetch`](super::fetch) takes).
    #[must_use]
    pub fn sources(mut self, sources: Sources) -> Self {
        let Sources {
            sales,
            payouts,
            statements,
        } = sources;
        let roles = (sales.into_iter().map(OneRole::Sales))
            .chain(payouts.into_iter().map(OneRole::Payouts))
            .chain(statements.into_iter().map(OneRole::Statements));
        for role in roles {
            self.clients.push(Box::new(role));
        }
        self
    }

    /// The firm's chart of accounts (default: [`Chart::bas2025`]).
    #[must_use]
    pub fn chart(mut self, chart: Chart) -> Self {
        self.chart = chart;
        self
    }

    /// The firm's bookkeeping choices (default: [`Policy::default`]).
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The exchange rates foreign amounts are booked at (a reference works:
    /// `.rates(&riksbank)`).
    #[must_use]
    pub fn rates<R2: ExchangeRates + Send>(self, rates: R2) -> Close<'a, R2> {
        Close {
            period: self.period,
            chart: self.chart,
            policy: self.policy,
            rates,
            clients: self.clients,
            progress: self.progress,
            inspect: self.inspect,
            prepare: self.prepare,
            deadlines: self.deadlines,
            read_ahead: self.read_ahead,
            preliminary: self.preliminary,
            as_of: self.as_of,
        }
    }

    /// Awaits `prepare(currency)` the first time a record in a currency
    /// other than SEK is about to be mapped, before it is: the moment to
    /// fetch the rates [`rates`](Close::rates) will be asked for (the
    /// Riksbank's rates are fetched ahead, since the mapper asks for them
    /// synchronously). An error from it ends the run with
    /// [`CloseError::Rates`]; to book a currency without a rate on review
    /// instead, return `Ok(())`.
    ///
    /// A currency the Riksbank does not publish (`RatesError::UnknownCurrency`)
    /// is not a reason to stop every provider's close: its amounts go to
    /// review without a rate, so the closure lets it through.
    ///
    /// ```no_run
    /// use kassabok::close::Close;
    /// use kassabok::rates::{RatesError, RiksbankClient, RiksbankRates};
    /// use kassabok::time::Duration;
    ///
    /// # async fn run(stripe: kassabok::stripe::StripeClient, period: kassabok::Period) -> Result<(), Box<dyn std::error::Error>> {
    /// let riksbank = RiksbankRates::new(RiksbankClient::builder().build()?);
    /// // Payouts settle sales of the months before.
    /// let (from, to) = (period.first() - Duration::days(62), period.last());
    /// let closed = Close::new(period)
    ///     .source(stripe)
    ///     .rates(&riksbank)
    ///     .prepare_rates(|currency| {
    ///         let riksbank = &riksbank;
    ///         async move {
    ///             match riksbank.prefetch([currency], from, to).await {
    ///                 Err(RatesError::UnknownCurrency { .. }) => Ok(()),
    ///                 other => other,
    ///             }
    ///         }
    ///     })
    ///     .run()
    ///     .await?;
    /// # let _ = closed; Ok(()) }
    /// ```
    #[must_use]
    pub fn prepare_rates<F, Fut, E>(mut self, prepare: F) -> Self
    where
        F: Fn(Currency) -> Fut + Send + Sync + 'a,
        Fut: Future<Output = Result<(), E>> + Send + 'a,
        E: Into<BoxError>,
    {
        self.prepare = Some(Box::new(move |currency| {
            prepare(currency).map(|r| r.map_err(Into::into)).boxed()
        }));
        self
    }

    /// Calls `progress(provider, n)` each time `n` records of `provider`
    /// arrive (a payout counts with its lines), for a progress display.
    #[must_use]
    pub fn progress(mut self, progress: impl Fn(Provider, usize) + Send + Sync + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Shows `inspect` each record of the period just before the mapper
    /// takes it, in the mapper's order: for what a host builds beside the
    /// journal (the OSS return reads the sales; a rates file the providers'
    /// own conversions). The sales of the days before the period, read only
    /// to match receipts, are not shown.
    #[must_use]
    pub fn inspect(mut self, inspect: impl FnMut(Record<'_>) + Send + 'a) -> Self {
        self.inspect = Some(Box::new(inspect));
        self
    }

    /// Cuts each source off when its own deadline passes (from the moment it
    /// is asked) or the run's (from [`run`](Close::run)); see
    /// [`deadline`](crate::deadline). Without it a source may take as long as
    /// its requests do. A client that has read its [`read_ahead`](Close::read_ahead)
    /// and waits for its turn is still on its own clock: with a tight
    /// provider deadline and a slow provider before it, raise the read-ahead.
    #[must_use]
    pub fn deadlines(mut self, deadlines: Deadlines) -> Self {
        self.deadlines = Some(deadlines);
        self
    }

    /// How many records (a payout counts with its lines) a client not yet at
    /// its turn may read ahead (default [`DEFAULT_READ_AHEAD`]). More is
    /// faster when one provider is slow, less holds less in memory;
    /// `usize::MAX` reads every client at full speed.
    #[must_use]
    pub fn read_ahead(mut self, records: usize) -> Self {
        self.read_ahead = records;
        self
    }

    /// Runs a period that has not ended yet, which [`run`](Close::run)
    /// otherwise refuses ([`CloseError::PeriodNotOver`]): what the providers
    /// have so far, for a look during the month. Its journal is not the
    /// period's: what happens before the period ends is not in it, and the
    /// vouchers of its last day change when it is run again.
    #[must_use]
    pub fn preliminary(mut self) -> Self {
        self.preliminary = true;
        self
    }

    /// The instant the run takes as now (default: the clock), when it
    /// checks that the period has ended: for tests and for replaying a run.
    #[must_use]
    pub fn as_of(mut self, now: OffsetDateTime) -> Self {
        self.as_of = Some(now);
        self
    }

    /// Reads every client and maps what they give into the journal.
    ///
    /// # Errors
    /// [`CloseError::PeriodNotOver`] before the period has ended in
    /// Stockholm, unless [`preliminary`](Close::preliminary): a close run
    /// then would book part of the month, and which part would depend on
    /// the hour it ran. [`CloseError::Source`] with the first error of any
    /// client (a run with a provider that failed, or was cut off by a
    /// deadline, is not complete and must not be booked);
    /// [`CloseError::Rates`] when [`prepare_rates`](Close::prepare_rates)
    /// failed.
    pub async fn run(self) -> Result<Closed, CloseError> {
        let Close {
            period,
            chart,
            policy,
            rates,
            clients,
            progress,
            inspect,
            prepare,
            deadlines,
            read_ahead,
            preliminary,
            as_of,
        } = self;
        let now = as_of.unwrap_or_else(OffsetDateTime::now_utc);
        if !preliminary && now < period.end_utc() {
            return Err(CloseError::PeriodNotOver {
                period,
                ends: period.end_utc(),
                now,
            });
        }
        let plan = Plan {
            period: &period,
            sales: clients.iter().filter_map(|c| c.as_sales_source()).collect(),
            payouts: clients
                .iter()
                .filter_map(|c| c.as_payout_source())
                .collect(),
            statements: clients
                .iter()
                .filter_map(|c| c.as_statement_source())
                .collect(),
            clock: deadlines.map(Clock::start_run),
            read_ahead,
            progress: progress
                .as_deref()
                .map(|p| p as &(dyn Fn(Provider, usize) + Sync)),
        };
        let prepare = prepare.map(|prepare| {
            Box::new(move |currency| {
                prepare(currency)
                    .map(|r| r.map_err(CloseError::Rates))
                    .boxed()
            }) as Box<Prepare<'a, CloseError>>
        });
        let mut sink = MapperSink {
            mapper: Mapper::new(chart, policy, rates, period),
            lost: Vec::new(),
            inspect,
        };
        let records = drive(plan, &mut sink, prepare.as_deref()).await?;
        // Every provider read, records or not, is in the journal's coverage:
        // the ledger tells a voucher gone from a provider's data from one of
        // a provider this run did not read.
        for provider in records.keys() {
            sink.mapper.source_read(*provider);
        }
        Ok(Closed {
            journal: sink.mapper.finish(),
            records,
        })
    }
}

/// What [`Close::run`] gives.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Closed {
    /// The vouchers, reconciliations, review items and coverage report.
    pub journal: Journal,
    /// Records read per provider, as [`Close::progress`] counts them (sales,
    /// refunds, payouts with their lines, statement lines, review items); a
    /// provider that was read and had nothing shows 0.
    pub records: BTreeMap<Provider, usize>,
}

/// A record shown to [`Close::inspect`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Record<'r> {
    /// A sale, refund or review item from a sales source.
    Sale(&'r SalesRecord),
    /// A payout, balance line, lost dispute or review item from a payout source.
    Payout(&'r PayoutRecord),
    /// A statement source's statements and review items for the period.
    Statements(&'r StatementBatch),
}

/// Why [`Close::run`] gave no journal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloseError {
    /// A client failed (or was cut off by a deadline).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// [`Close::prepare_rates`] failed.
    #[error("cannot prepare the exchange rates")]
    Rates(#[source] BoxError),
    /// The period has not ended (see [`Close::preliminary`]).
    #[error(
        "the period {period} has not ended: it ends at {} (midnight in Stockholm) and the run is at {}; a close of it now would book part of it (Close::preliminary runs it anyway)",
        utc_minutes(.ends),
        utc_minutes(.now)
    )]
    PeriodNotOver {
        /// The period asked for.
        period: Period,
        /// When it ends (midnight after its last day in Stockholm), in UTC.
        ends: OffsetDateTime,
        /// The run's now.
        now: OffsetDateTime,
    },
}

/// `2026-03-31 22:00 UTC`.
fn utc_minutes(at: &OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_else(|_| at.to_string())
}

/// The mapper, fed in the order [`Fetched::map`](super::Fetched::map) uses.
struct MapperSink<'a, R> {
    mapper: Mapper<R>,
    /// Lost disputes wait for every payout: their withdrawals are booked first.
    lost: Vec<DisputeLost>,
    inspect: Option<Box<Inspect<'a>>>,
}

impl<R: ExchangeRates> Sink for MapperSink<'_, R> {
    fn earlier_sale(&mut self, sale: Sale) {
        self.mapper.add_earlier_sale(&sale);
    }

    fn earlier_refund(&mut self, refund: bookkeeping_core::Refund) {
        self.mapper.add_earlier_refund(&refund);
    }

    fn later_sale(&mut self, sale: Sale) {
        self.mapper.add_later_sale(&sale);
    }

    fn knows_sale(&self, document: &str) -> bool {
        self.mapper.knows_sale_document(document)
    }

    fn record(&mut self, record: Arrival) {
        if let Some(inspect) = self.inspect.as_mut() {
            inspect(match &record {
                Arrival::Sale(r) => Record::Sale(r),
                Arrival::Payout(r) => Record::Payout(r),
                Arrival::Statements(b) => Record::Statements(b),
            });
        }
        match record {
            Arrival::Sale(SalesRecord::Sale(s)) => self.mapper.add_sale(&s),
            Arrival::Sale(SalesRecord::Refund(r)) => self.mapper.add_refund(&r),
            Arrival::Sale(SalesRecord::Review(item)) => self.mapper.add_review(item),
            Arrival::Payout(PayoutRecord::Payout(p)) => self.mapper.add_payout(&p),
            Arrival::Payout(PayoutRecord::Line(l)) => self.mapper.add_balance_line(&l),
            Arrival::Payout(PayoutRecord::Review(item)) => self.mapper.add_review(item),
            Arrival::Payout(PayoutRecord::DisputeLost(lost)) => self.lost.push(lost),
            Arrival::Statements(batch) => {
                for st in &batch.statements {
                    self.mapper.add_statement(st);
                }
                for item in batch.review {
                    self.mapper.add_review(item);
                }
            }
            // The driver turned kinds newer than this facade into review items.
            Arrival::Sale(_) | Arrival::Payout(_) => {}
        }
    }

    fn payouts_done(&mut self) {
        for lost in std::mem::take(&mut self.lost) {
            self.mapper.add_dispute_lost(&lost);
        }
    }
}
