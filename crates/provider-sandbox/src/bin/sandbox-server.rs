//! The simulated providers in a process of their own, for benchmarks that must
//! not share the client's process with the servers' rendering
//! (`examples/bench_pipeline.rs`). What it prints and reads:
//! [`provider_sandbox::server`].
//!
//! ```text
//! sandbox-server [--month 2026-03] [--seed 2026] [--orders 1200] [--invoices 60]
//!     [--payouts 30] [--latency-ms 50] [--plan unlimited|standard]
//! sandbox-server --synthetic-stripe 1000000 [--payouts 30] [--latency-ms 0]
//! ```
//!
//! `--payouts N` regroups each provider's payouts into N
//! ([`provider_sandbox::synthetic::regroup_payouts`]); without it the
//! scenario's own payouts are served. `--plan` sets Shopify's cost bucket
//! (default `unlimited`: a benchmark measures the client, not the bucket).

// The binary's output is its interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use bookkeeping_core::Period;
use provider_sandbox::server::{Endpoints, Requests};
use provider_sandbox::shopify_cost::Plan;
use provider_sandbox::synthetic::{SyntheticStripe, SyntheticStripeConfig, regroup_payouts};
use provider_sandbox::{Faults, Sandbox, Scenario, ScenarioConfig};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
struct Options {
    period: Period,
    seed: u64,
    orders: usize,
    invoices: usize,
    payouts: Option<usize>,
    latency: Duration,
    plan: Plan,
    synthetic_stripe: Option<usize>,
}

fn parse_month(value: &str) -> Result<Period, BoxError> {
    let (year, month) = value
        .split_once('-')
        .ok_or_else(|| format!("--month takes YYYY-MM, not {value:?}"))?;
    let month = time::Month::try_from(month.parse::<u8>()?)?;
    Ok(Period::month(year.parse()?, month)?)
}

impl Options {
    fn parse() -> Result<Options, BoxError> {
        let mut o = Options {
            period: parse_month("2026-03")?,
            seed: 2026,
            orders: 1_200,
            invoices: 60,
            payouts: None,
            latency: Duration::ZERO,
            plan: Plan::UNLIMITED,
            synthetic_stripe: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
            match a.as_str() {
                "--month" => o.period = parse_month(&value()?)?,
                "--seed" => o.seed = value()?.parse()?,
                "--orders" => o.orders = value()?.parse()?,
                "--invoices" => o.invoices = value()?.parse()?,
                "--payouts" => o.payouts = Some(value()?.parse()?),
                "--latency-ms" => o.latency = Duration::from_millis(value()?.parse()?),
                "--plan" => {
                    o.plan = match value()?.as_str() {
                        "unlimited" => Plan::UNLIMITED,
                        "standard" => Plan::STANDARD,
                        other => return Err(format!("unknown plan {other:?}").into()),
                    }
                }
                "--synthetic-stripe" => o.synthetic_stripe = Some(value()?.parse()?),
                other => return Err(format!("unknown argument {other:?}").into()),
            }
        }
        Ok(o)
    }
}

/// What keeps the servers running, and their counters.
enum Running {
    Scenario(Box<Sandbox>),
    Synthetic(SyntheticStripe),
}

impl Running {
    fn endpoints(&self) -> Endpoints {
        match self {
            Running::Scenario(sandbox) => Endpoints::of(sandbox),
            Running::Synthetic(stripe) => Endpoints::of_synthetic(stripe),
        }
    }

    fn requests(&self) -> Requests {
        match self {
            Running::Scenario(sandbox) => Requests::of(sandbox),
            Running::Synthetic(stripe) => Requests {
                stripe: stripe.requests(),
                ..Requests::default()
            },
        }
    }
}

async fn start(o: &Options) -> Running {
    let faults = Faults::latency(o.latency);
    if let Some(transactions) = o.synthetic_stripe {
        let config = SyntheticStripeConfig {
            period: o.period,
            payouts: o.payouts.unwrap_or(30),
            transactions,
        };
        return Running::Synthetic(SyntheticStripe::start(&config, faults).await);
    }
    let mut scenario = Scenario::generate(&ScenarioConfig {
        seed: o.seed,
        period: o.period,
        orders: o.orders,
        invoices: o.invoices,
    });
    if let Some(n) = o.payouts {
        regroup_payouts(&mut scenario, n);
    }
    let sandbox = Sandbox::start_with(Arc::new(scenario), faults).await;
    sandbox.shopify.set_plan(o.plan);
    Running::Scenario(Box::new(sandbox))
}

fn main() -> Result<(), BoxError> {
    let options = Options::parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let running = runtime.block_on(start(&options));
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &running.endpoints())?;
    writeln!(out)?;
    out.flush()?;
    // The servers run on the runtime's worker threads while this thread
    // answers on stdin; stdin closing (the parent gone) ends the process.
    for line in std::io::stdin().lock().lines() {
        match line?.trim() {
            "requests" => {
                serde_json::to_writer(&mut out, &running.requests())?;
                writeln!(out)?;
                out.flush()?;
            }
            "quit" => break,
            "" => {}
            other => eprintln!("sandbox-server: unknown command {other:?}"),
        }
    }
    drop(running);
    Ok(())
}
