//! `Close`, the streaming close: the same journal as `fetch` + `map`, each
//! client registered once, progress, deadlines, inspection and rates optional.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use kassabok::close::{Close, CloseError, Closed, Record, Sources, fetch};
use kassabok::core::{Currency, LineKind, Provider, SalesRecord};
use kassabok::mapping::{Chart, ExchangeRates, FixedRates};
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use rust_decimal::Decimal;

use crate::support::{clients, march, policy, rates};

/// A sandbox of its own per run: each keeps its provider's rate-limit budget,
/// and the scenario is the same for the same config.
async fn sandbox() -> Sandbox {
    Sandbox::start(&ScenarioConfig::small(march()), Faults::none()).await
}

/// The sandbox month through `Close`, each client once.
async fn close_sandbox(sandbox: &Sandbox, read_ahead: usize) -> Closed {
    clients(sandbox)
        .into_close(march())
        .read_ahead(read_ahead)
        .run()
        .await
        .expect("the sandbox answers every request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_month_through_close_is_the_journal_of_fetch_and_map() {
    let (fetched, expected) = crate::support::close(&sandbox().await, march()).await;
    assert!(!expected.vouchers.is_empty());
    assert!(!expected.reconciliations.is_empty());

    let closed = close_sandbox(&sandbox().await, kassabok::close::DEFAULT_READ_AHEAD).await;
    assert_eq!(closed.journal, expected);
    assert_eq!(closed.records, fetched.records);
    for p in Provider::ALL {
        assert!(closed.records[&p] > 0, "{p} delivered nothing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_does_not_depend_on_how_far_sources_read_ahead() {
    // One record of read-ahead: every source but the one at its turn waits
    // almost at once. The journal is the same as with no limit at all.
    let tight = close_sandbox(&sandbox().await, 1).await;
    let free = close_sandbox(&sandbox().await, usize::MAX).await;
    assert_eq!(tight.journal, free.journal);
    assert_eq!(tight.records, free.records);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_registered_once_plays_every_role_it_has() {
    // Stripe is a sales source (invoices) and a payout source.
    let sandbox = sandbox().await;
    let stripe = clients(&sandbox).stripe;
    let closed = Close::new(march())
        .source(&stripe)
        .policy(policy())
        .rates(rates())
        .run()
        .await
        .unwrap();

    let other = self::sandbox().await;
    let twice = std::sync::Arc::new(clients(&other).stripe);
    let sources = Sources {
        sales: vec![twice.clone()],
        payouts: vec![twice],
        statements: vec![],
    };
    let fetched = fetch(&sources, &march(), &|_, _| {}).await.unwrap();
    assert!(
        fetched
            .sales
            .iter()
            .any(|r| matches!(r, SalesRecord::Sale(_)))
    );
    assert!(!fetched.payouts.is_empty());
    let expected = fetched.map(Chart::bas2025(), policy(), rates(), march());
    assert_eq!(closed.journal, expected);
    assert_eq!(
        closed.records.keys().collect::<Vec<_>>(),
        [&Provider::Stripe]
    );
}

/// The kinds of the sale lines a close of `source` alone books.
async fn sale_line_kinds(source: impl kassabok::close::Roles) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    let closed = Close::new(march())
        .source(source)
        .policy(policy())
        .rates(rates())
        .inspect(|record| {
            if let Record::Sale(SalesRecord::Sale(sale)) = record {
                kinds.extend(sale.lines.iter().map(|l| format!("{:?}", l.kind)));
            }
        })
        .run()
        .await
        .unwrap();
    assert!(closed.journal.is_balanced());
    kinds
}

/// A client carries transport only: a provider's bookkeeping options go on
/// its source adapter, which a close takes like the client. Stripe's invoice
/// lines are services unless the host says they are goods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_adapter_carries_the_hosts_bookkeeping_options_into_a_close() {
    let first = sandbox().await;
    let defaults = sale_line_kinds(clients(&first).stripe).await;
    assert!(defaults.contains("Service"), "{defaults:?}");

    let second = sandbox().await;
    let stripe = clients(&second).stripe;
    let chosen = sale_line_kinds(stripe.invoice_line_kind(LineKind::Goods)).await;
    assert!(chosen.contains("Goods"), "{chosen:?}");
    assert!(!chosen.contains("Service"), "{chosen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_in_their_roles_close_like_clients() {
    let by_roles = Close::new(march())
        .sources(crate::support::sources(&sandbox().await))
        .policy(policy())
        .rates(rates())
        .run()
        .await
        .unwrap();
    let by_clients = close_sandbox(&sandbox().await, usize::MAX).await;
    assert_eq!(by_roles.journal, by_clients.journal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_when_asked_adds_up_to_the_records_read() {
    let sandbox = sandbox().await;
    let c = clients(&sandbox);
    let seen = AtomicUsize::new(0);
    let closed = Close::new(march())
        .source(c.shopify)
        .source(c.paypal)
        .progress(|_, n| {
            seen.fetch_add(n, Ordering::Relaxed);
        })
        .run()
        .await
        .unwrap();
    let total: usize = closed.records.values().sum();
    assert!(total > 0);
    assert_eq!(seen.load(Ordering::Relaxed), total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_shows_every_record_of_the_period_in_the_mappers_order() {
    let (fetched, _) = crate::support::close(&sandbox().await, march()).await;
    let sandbox = sandbox().await;
    let mut sales = Vec::new();
    let mut payouts = Vec::new();
    let mut statements = Vec::new();
    clients(&sandbox)
        .into_close(march())
        .inspect(|record| match record {
            Record::Sale(r) => sales.push(r.clone()),
            Record::Payout(r) => payouts.push(r.clone()),
            Record::Statements(b) => statements.push(b.clone()),
            _ => panic!("a record kind this test does not know"),
        })
        .run()
        .await
        .unwrap();
    assert_eq!(sales, fetched.sales);
    assert_eq!(payouts, fetched.payouts);
    assert_eq!(statements, fetched.statements);
}

/// Rates that know only what `prepare` put in: a mapper that asked before
/// the preparation would get `None` and book the amount on review.
#[derive(Default)]
struct Prepared {
    rates: Mutex<FixedRates>,
    asked: Mutex<Vec<Currency>>,
}

impl Prepared {
    async fn prepare(&self, currency: Currency) -> Result<(), std::io::Error> {
        self.asked.lock().unwrap().push(currency);
        let day = time::macros::date!(2026 - 01 - 01);
        let rate = rates().sek_per_unit(currency, day).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, format!("no {currency} rate"))
        })?;
        let mut held = self.rates.lock().unwrap();
        *held = std::mem::take(&mut *held).with(currency, day, rate);
        Ok(())
    }
}

impl ExchangeRates for Prepared {
    fn sek_per_unit(&self, currency: Currency, date: time::Date) -> Option<Decimal> {
        self.rates.lock().unwrap().sek_per_unit(currency, date)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_are_prepared_once_per_currency_before_the_mapper_asks() {
    let (_, expected) = crate::support::close(&sandbox().await, march()).await;
    let sandbox = sandbox().await;
    let prepared = Prepared::default();
    let closed = clients(&sandbox)
        .into_close(march())
        .rates(&prepared)
        .prepare_rates(|currency| prepared.prepare(currency))
        .run()
        .await
        .unwrap();
    let asked = prepared.asked.lock().unwrap().clone();
    let unique: BTreeSet<_> = asked.iter().copied().collect();
    assert_eq!(asked.len(), unique.len(), "{asked:?}");
    assert!(asked.contains(&Currency::EUR), "{asked:?}");
    assert!(!asked.contains(&Currency::SEK));
    // Prepared in time: the same journal as with every rate known up front.
    assert_eq!(closed.journal, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_rate_preparation_ends_the_run() {
    let sandbox = sandbox().await;
    let c = clients(&sandbox);
    let err = Close::new(march())
        .source(c.paypal)
        .source(c.shopify)
        .prepare_rates(|currency| async move {
            Err::<(), _>(std::io::Error::other(format!("no {currency} rate today")))
        })
        .run()
        .await
        .unwrap_err();
    assert!(matches!(err, CloseError::Rates(_)), "{err:?}");
    assert_eq!(err.to_string(), "cannot prepare the exchange rates");
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(cause, "no EUR rate today");
}

#[test]
fn a_close_can_run_on_a_multi_threaded_runtime() {
    fn send<T: Send>(_: &T) {}
    // Built, never run: no request is made.
    let stripe = kassabok::stripe::StripeClient::builder("sk_test_never_used")
        .build()
        .unwrap();
    let run = Close::new(march()).source(stripe).rates(rates()).run();
    send(&run);
}

/// A close of March run on 31 March at 23:30 in Stockholm would book the
/// month without its last half hour, and which part of it would depend on
/// the hour it ran: it is refused, naming when the period ends. Half an
/// hour later (00:00 on 1 April in Stockholm, 22:00 UTC) it runs; a close
/// asked for as preliminary runs before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_that_has_not_ended_is_refused_unless_preliminary() {
    use time::macros::datetime;
    let sandbox = sandbox().await;
    let close = || {
        Close::new(march())
            .source(clients(&sandbox).stripe)
            .rates(rates())
    };

    let err = close()
        .as_of(datetime!(2026-03-31 21:30 UTC))
        .run()
        .await
        .unwrap_err();
    let CloseError::PeriodNotOver { ends, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*ends, datetime!(2026-03-31 22:00 UTC));
    assert!(err.to_string().contains("has not ended"), "{err}");

    let ended = close()
        .as_of(datetime!(2026-03-31 22:00 UTC))
        .run()
        .await
        .expect("the month has ended");
    let preliminary = close()
        .as_of(datetime!(2026-03-31 21:30 UTC))
        .preliminary()
        .run()
        .await
        .expect("a preliminary close runs");
    // The sandbox's March is over in its own data: the same journal.
    assert_eq!(preliminary.journal, ended.journal);
    assert!(!ended.journal.vouchers.is_empty());
}
