//! Decode + normalize + map throughput of Stripe balance-transaction pages and
//! Shopify order pages, beside the floor on the same bytes: `serde_json`
//! parsing into `IgnoredAny`.
//!
//! ```text
//! cargo bench --bench pipeline
//! ```
//!
//! The pages come from the sandbox's own renderers (captured once over
//! loopback); `examples/bench_pipeline.rs` prints the same figures, and the
//! request economy, wall time and memory, as one line each.

#![allow(missing_docs)]

#[path = "support/mod.rs"]
mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn pipeline(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let period = support::period();
    let stripe = runtime.block_on(support::capture_stripe(2_000));
    let shopify = runtime.block_on(support::capture_shopify(2_000));

    let mut g = c.benchmark_group("stripe_balance_transactions");
    g.throughput(Throughput::Elements(stripe.records as u64));
    g.bench_function("pipeline", |b| {
        b.iter(|| support::stripe_pipeline(&stripe, period))
    });
    g.bench_function("floor_ignored_any", |b| {
        b.iter(|| support::floor(stripe.all_pages()))
    });
    g.finish();

    let mut g = c.benchmark_group("shopify_orders");
    g.throughput(Throughput::Elements(shopify.records as u64));
    g.bench_function("pipeline", |b| {
        b.iter(|| support::shopify_pipeline(&shopify, period))
    });
    g.bench_function("floor_ignored_any", |b| {
        b.iter(|| support::floor(shopify.pages.iter().map(Vec::as_slice)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pipeline
}
criterion_main!(benches);
