//! The peer of bench_pipeline's throughput figure: async-stripe 1.0's typed
//! decode of Stripe balance-transaction list pages, against the floor
//! (`serde_json` into `IgnoredAny`) on the same bytes in the same process.
//!
//! ```text
//! kassabok-bench-peer PAGES_FILE REPEAT
//! ```
//!
//! `PAGES_FILE` holds one list page per line (JSON Lines), as bench_pipeline
//! writes it. Prints `name value unit` lines that bench_pipeline passes on.

// Figures are rates and ratios, not money.
#![allow(clippy::print_stdout, clippy::float_arithmetic)]

use std::time::Instant;

use serde::de::IgnoredAny;
use stripe_shared::BalanceTransaction;
use stripe_types::List;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median records per second of `decode` over all pages, `repeat` runs.
fn rate(repeat: usize, records: usize, mut decode: impl FnMut() -> usize) -> f64 {
    median(
        (0..repeat)
            .map(|_| {
                let started = Instant::now();
                let n = std::hint::black_box(decode());
                assert!(n > 0, "nothing decoded");
                records as f64 / started.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: kassabok-bench-peer PAGES_FILE REPEAT")?;
    let repeat: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let text = std::fs::read_to_string(path)?;
    let pages: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();

    // Decode once for the record count, and to fail loudly (not measure an
    // error path) if async-stripe cannot read the bytes.
    let mut records = 0;
    for (i, page) in pages.iter().enumerate() {
        let list: List<BalanceTransaction> = serde_json::from_str(page).map_err(|e| {
            // Say where: the object async-stripe's models could not read.
            let at = e.column().saturating_sub(1).min(page.len());
            let from = page.floor_char_boundary(at.saturating_sub(400));
            let to = page.ceil_char_boundary((at + 100).min(page.len()));
            format!("could not decode page {i}: {e}; near: {}", &page[from..to])
        })?;
        let mini: List<BalanceTransaction> =
            miniserde::json::from_str(page).map_err(|_| "miniserde could not decode a page")?;
        assert_eq!(list.data.len(), mini.data.len());
        records += list.data.len();
    }

    let floor = rate(repeat, records, || {
        pages
            .iter()
            .map(|p| {
                serde_json::from_str::<IgnoredAny>(p).expect("valid JSON");
                1
            })
            .sum()
    });
    let serde_rate = rate(repeat, records, || {
        pages
            .iter()
            .map(|p| {
                serde_json::from_str::<List<BalanceTransaction>>(p)
                    .expect("decoded above")
                    .data
                    .len()
            })
            .sum()
    });
    let mini_rate = rate(repeat, records, || {
        pages
            .iter()
            .map(|p| {
                miniserde::json::from_str::<List<BalanceTransaction>>(p)
                    .expect("decoded above")
                    .data
                    .len()
            })
            .sum()
    });
    println!("peer_records {records} records");
    println!("peer_floor {floor:.0} records/s");
    println!("peer_async_stripe_serde {serde_rate:.0} records/s");
    println!("peer_async_stripe_miniserde {mini_rate:.0} records/s");
    Ok(())
}
