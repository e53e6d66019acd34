//! Deadlines for each provider and for the run: a sandbox whose every answer
//! is slow (but comes) is cut off at the deadline, with an error naming the
//! provider and how long it waited.

use std::time::{Duration, Instant};

use kassabok::close::fetch;
use kassabok::deadline::Deadlines;
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};

use crate::support::{march, sources};

async fn slow_sandbox() -> Sandbox {
    let faults = Faults {
        latency: Duration::from_millis(150),
        ..Faults::none()
    };
    Sandbox::start(&ScenarioConfig::small(march()), faults).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_provider_is_cut_off_at_its_deadline() {
    let sandbox = slow_sandbox().await;
    let started = Instant::now();
    let err = fetch(
        &sources(&sandbox).with_deadlines(HALF_A_SECOND_EACH),
        &march(),
        &|_, _| {},
    )
    .await
    .unwrap_err();
    assert_cut_off_at_half_a_second(&err, started);
}

/// Half a second for each provider; a minute for the run.
const HALF_A_SECOND_EACH: Deadlines = Deadlines {
    provider: Duration::from_millis(500),
    run: Duration::from_secs(60),
};

/// A provider cut off at its 0.5 s deadline: soon, and an error naming the provider and the wait.
fn assert_cut_off_at_half_a_second(err: &kassabok::core::SourceError, started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: network error: not done within 0.5 s (the provider deadline): the period was not fetched completely",
            err.provider
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_cuts_a_slow_provider_off_at_its_deadline() {
    let sandbox = slow_sandbox().await;
    let c = crate::support::clients(&sandbox);
    let started = Instant::now();
    let err = kassabok::Close::new(march())
        .source(c.shopify)
        .source(c.stripe)
        .deadlines(HALF_A_SECOND_EACH)
        .run()
        .await
        .unwrap_err();
    let kassabok::close::CloseError::Source(err) = err else {
        panic!("not a source error: {err:?}");
    };
    assert_cut_off_at_half_a_second(&err, started);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_deadline_bounds_all_providers_together() {
    let sandbox = slow_sandbox().await;
    let deadlines = Deadlines {
        provider: Duration::from_secs(60),
        run: Duration::from_millis(400),
    };
    let sources = sources(&sandbox).with_deadlines(deadlines);
    let started = Instant::now();
    let err = fetch(&sources, &march(), &|_, _| {}).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.to_string().ends_with(
            "not done within 0.4 s (the run deadline): the period was not fetched completely"
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_deadlines_leave_a_normal_close_alone() {
    let config = ScenarioConfig::small(march());
    let plain = Sandbox::start(&config, Faults::none()).await;
    let (expected, _) = crate::support::close(&plain, march()).await;
    // A sandbox of its own: each keeps its provider's rate-limit budget.
    let sandbox = Sandbox::start(&config, Faults::none()).await;
    let timed = sources(&sandbox).with_deadlines(Deadlines::default());
    let fetched = fetch(&timed, &march(), &|_, _| {}).await.unwrap();
    assert_eq!(fetched, expected);
}
