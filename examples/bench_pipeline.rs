//! Benchmarks of the sync pipeline, one figure per line for scripts:
//!
//! ```text
//! cargo run --release --example bench_pipeline -- [--only throughput,economy,walltime,memory]
//!     [--memory-n 100000,300000] [--repeat 5]
//! cargo run --release --example bench_pipeline -- --only memory --memory-n 100000,1000000
//! ```
//!
//! Every figure line is `name value unit`, then the target and `met` or
//! `MISSED` (or `info` for a figure without a target); lines starting with `#`
//! say what was measured and how. `BENCH_MEMORY_N` and `BENCH_REPEAT` in the
//! environment do what the flags do. How to read the figures and what bounds
//! them: `docs/performance.md`.
//!
//! 1. **throughput**: decode + normalize + map of Stripe balance-transaction
//!    pages, Shopify order pages and a Shopify bulk result (JSONL), in
//!    records/s, against the floor on the same bytes in the same run
//!    (`serde_json` into `IgnoredAny`; for the bulk result, the file and the
//!    answers about its refunds' details, which the pipeline reads too).
//!    Target: ≥ 0.40 of the floor.
//! 2. **economy**: requests per list counted by the sandbox against
//!    ⌈N / max page size⌉ (Stripe 100, Shopify 250, Klarna 500, PayPal 500),
//!    then each provider's whole month against the sum of its lists' minimums
//!    plus its fixed requests. Target: exactly the minimum.
//! 3. **walltime**: a month close against the sandbox with 50 ms latency per
//!    request and 30 payouts per provider, against the critical-path bound
//!    (the longest chain of dependent requests × 50 ms). Target: ≤ 1.5 × the bound.
//! 4. **memory**: peak resident memory while N Stripe balance transactions
//!    are streamed from the synthetic sandbox and mapped through `Close`, each N in a fresh
//!    child process (default 100,000 and 300,000 so that a whole run stays
//!    under three minutes on 2 cores; the 1,000,000 figure takes about two
//!    minutes on its own, second command above). Target: < 256 MiB,
//!    sublinear in N.

// Figures are rates and ratios, not money: floats are right here.
#![allow(clippy::print_stdout, clippy::float_arithmetic)]

#[path = "../benches/support/mod.rs"]
mod support;

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kassabok::close::{Sources, fetch};
use kassabok::core::{PayoutRecord, Period};
use kassabok::klarna::KlarnaClient;
use kassabok::paypal::PayPalClient;
use kassabok::shopify::{OrderQuery, ShopifyClient};
use kassabok::stripe::StripeClient;
use kassabok::stripe::TimeRange;
use provider_http::RateLimit;
use provider_sandbox::server::{Endpoint, Endpoints, Requests};
use provider_sandbox::shopify_cost::Plan;
use provider_sandbox::synthetic::{SyntheticStripe, SyntheticStripeConfig, regroup_payouts};
use provider_sandbox::{Faults, RequestCounter, Sandbox, Scenario, ScenarioConfig};

type BoxError = Box<dyn Error + Send + Sync>;

/// Latency per request of the wall-time figure.
const LATENCY: Duration = Duration::from_millis(50);
/// Payouts per provider of the wall-time figure.
const WALL_PAYOUTS: usize = 30;
/// Throughput target: the pipeline's share of the floor's records per second.
const RATIO_TARGET: f64 = 0.40;
/// Peak memory target.
const MEMORY_TARGET_MIB: f64 = 256.0;

fn line(name: &str, value: impl std::fmt::Display, unit: &str, target: &str, status: &str) {
    println!("{name} {value} {unit} target={target} {status}");
}

fn info(name: &str, value: impl std::fmt::Display, unit: &str) {
    println!("{name} {value} {unit} target=none info");
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[derive(Debug)]
struct Options {
    only: Vec<String>,
    memory_n: Vec<usize>,
    repeat: usize,
    memory_child: Option<usize>,
    peer: bool,
    /// Throughput rows to run (all when empty): `stripe`, `shopify`, `bulk`.
    rows: Vec<String>,
    /// Run this throughput row's pipeline alone for this long, for a profiler.
    profile: Option<Duration>,
}

impl Options {
    fn parse() -> Result<Options, BoxError> {
        let mut o = Options {
            only: vec![],
            memory_n: std::env::var("BENCH_MEMORY_N")
                .ok()
                .map(|s| parse_list(&s))
                .transpose()?
                .unwrap_or_else(|| vec![100_000, 300_000]),
            repeat: std::env::var("BENCH_REPEAT")
                .ok()
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(5),
            memory_child: None,
            peer: false,
            rows: vec![],
            profile: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut value = || args.next().ok_or(format!("{a} needs a value"));
            match a.as_str() {
                "--only" => o.only = value()?.split(',').map(str::to_owned).collect(),
                "--memory-n" => o.memory_n = parse_list(&value()?)?,
                "--repeat" => o.repeat = value()?.parse::<usize>()?.max(1),
                "--memory-child" => o.memory_child = Some(value()?.parse()?),
                "--peer" => o.peer = true,
                "--rows" => o.rows = value()?.split(',').map(str::to_owned).collect(),
                "--profile-seconds" => {
                    o.profile = Some(Duration::from_secs(value()?.parse()?));
                }
                "-h" | "--help" => {
                    println!(
                        "usage: bench_pipeline [--only throughput,economy,walltime,memory] \
                         [--memory-n 100000,300000] [--repeat 5] [--peer] \
                         [--rows stripe,shopify,bulk] [--profile-seconds 10]"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other:?}").into()),
            }
        }
        Ok(o)
    }

    fn runs(&self, figure: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == figure)
    }
}

fn parse_list(s: &str) -> Result<Vec<usize>, BoxError> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .replace('_', "")
                .parse::<usize>()
                .map_err(Into::into)
        })
        .collect()
}

fn main() -> Result<(), BoxError> {
    let options = Options::parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Some(n) = options.memory_child {
        return runtime.block_on(memory_child(n));
    }
    println!(
        "# bench_pipeline: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, usize::from),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    if options.runs("throughput") {
        runtime.block_on(throughput(&options));
    }
    if options.runs("economy") {
        runtime.block_on(economy())?;
    }
    if options.runs("walltime") {
        runtime.block_on(walltime(options.repeat.min(3)))?;
    }
    if options.runs("memory") {
        memory(&options.memory_n)?;
    }
    if options.peer {
        runtime.block_on(peer(options.repeat))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- 1. throughput

/// Times `f` `repeat` times; the median of records per second.
fn rate(repeat: usize, records: usize, mut f: impl FnMut() -> usize) -> f64 {
    let runs = (0..repeat).map(|_| once(records, &mut f)).collect();
    median(runs)
}

/// The least time one sample spans. The kernel's count of a thread's CPU
/// time (`schedstat`) moves on only at a scheduler tick or a switch (up to
/// 4 ms at a time here), so a sample of one 10 ms pass of the Stripe
/// pipeline read as 8, 12 or 16 ms: the "regimes" of earlier figures.
const MIN_SAMPLE: Duration = Duration::from_millis(200);

/// Records per second of `f`, run as many times as a sample of at least
/// [`MIN_SAMPLE`] takes, by the time this thread spent on a CPU when the
/// kernel says it (other processes on the shared cores then only slow it
/// through the caches, not by taking its turns), else by the wall clock.
fn once(records: usize, f: &mut impl FnMut() -> usize) -> f64 {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    let mut passes = 0u32;
    loop {
        let n = std::hint::black_box(f());
        assert!(n > 0);
        passes += 1;
        let spent = match (cpu, thread_cpu()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall.elapsed(),
        };
        if spent >= MIN_SAMPLE {
            return records as f64 * f64::from(passes) / spent.as_secs_f64();
        }
    }
}

/// The time this thread has spent on a CPU: the first field of
/// `/proc/thread-self/schedstat` (nanoseconds; Linux).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Times `pipeline` and `floor` in turn, `repeat` rounds: the medians of
/// their records per second and of their ratio per round. In turn, so that
/// the load of other processes on the shared cores falls on both alike.
fn paired(
    repeat: usize,
    records: usize,
    mut pipeline: impl FnMut() -> usize,
    mut floor: impl FnMut() -> usize,
) -> (f64, f64, f64) {
    let (mut p, mut f, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..repeat {
        let a = once(records, &mut pipeline);
        let b = once(records, &mut floor);
        p.push(a);
        f.push(b);
        r.push(a / b);
    }
    (median(p), median(f), median(r))
}

/// One throughput row: a pipeline and its floor over the same bytes.
struct Row<'a> {
    name: &'static str,
    records: usize,
    bytes: usize,
    pipeline: Box<dyn FnMut() -> usize + 'a>,
    floor: Box<dyn FnMut() -> usize + 'a>,
    /// Decode alone, and decode + normalize.
    stages: [Box<dyn FnMut() -> usize + 'a>; 2],
    /// The models decoded straight from the bytes, when that applies.
    typed: Option<Box<dyn FnMut() -> usize + 'a>>,
    /// The shared HTTP layer's lone-surrogate scan over the same bytes (every
    /// JSON body goes through it before any decoder sees it).
    scan: Box<dyn FnMut() -> usize + 'a>,
}

/// A scan of `bodies` as the HTTP layer scans each JSON body it receives
/// (`provider_http::mend_lone_surrogates`, in place: the sandbox's bodies
/// have no lone surrogate, so they are not changed); returns `records`.
fn surrogate_scan(mut bodies: Vec<Vec<u8>>, records: usize) -> impl FnMut() -> usize {
    move || {
        let mended: usize = bodies
            .iter_mut()
            .map(|b| provider_http::mend_lone_surrogates(b))
            .sum();
        std::hint::black_box(mended);
        records
    }
}

async fn throughput(options: &Options) {
    use support::Stage;
    let repeat = options.repeat;
    let wanted = |row: &str| options.rows.is_empty() || options.rows.iter().any(|r| r == row);
    // Rows not wanted are captured small and skipped.
    let size = |row: &str| if wanted(row) { 5_000 } else { 10 };
    let period = support::period();
    println!(
        "# 1. throughput: pages captured from the sandbox renderers, then decoded, normalized and \
         mapped in this process (one thread); floor = serde_json's IgnoredAny on the same bytes \
         (each page, each line of a JSONL file and each answer about its refunds), timed in turn with the pipeline by this \
         thread's CPU time ({}); median of {repeat} rounds (the ratio is the median of the \
         rounds' ratios)",
        if thread_cpu().is_some() {
            "/proc/thread-self/schedstat"
        } else {
            "not available here: wall clock"
        }
    );
    let stripe = support::capture_stripe(size("stripe")).await;
    let shopify = support::capture_shopify(size("shopify")).await;
    let bulk = support::capture_shopify_bulk(size("bulk")).await;
    let rows = [
        Row {
            name: "stripe_balance_transactions",
            records: stripe.records,
            bytes: stripe.bytes(),
            pipeline: Box::new(|| support::stripe_pipeline(&stripe, period).1),
            floor: Box::new(|| support::floor(stripe.all_pages())),
            stages: [
                Box::new(|| support::stripe_stages(&stripe, period, Stage::Decode).1),
                Box::new(|| support::stripe_stages(&stripe, period, Stage::Normalize).1),
            ],
            typed: Some(Box::new(|| support::stripe_typed(&stripe))),
            scan: Box::new(surrogate_scan(
                stripe.all_pages().map(<[u8]>::to_vec).collect(),
                stripe.records,
            )),
        },
        Row {
            name: "shopify_orders",
            records: shopify.records,
            bytes: shopify.bytes(),
            pipeline: Box::new(|| support::shopify_pipeline(&shopify, period).1),
            floor: Box::new(|| support::floor(shopify.pages.iter().map(Vec::as_slice))),
            stages: [
                Box::new(|| support::shopify_stages(&shopify, period, Stage::Decode).1),
                Box::new(|| support::shopify_stages(&shopify, period, Stage::Normalize).1),
            ],
            typed: Some(Box::new(|| support::shopify_typed(&shopify))),
            scan: Box::new(surrogate_scan(shopify.pages.clone(), shopify.records)),
        },
        Row {
            name: "shopify_orders_bulk_jsonl",
            records: bulk.records,
            bytes: bulk.jsonl.len() + bulk.refund_details.iter().map(Vec::len).sum::<usize>(),
            pipeline: Box::new(|| support::shopify_bulk_pipeline(&bulk, period).1),
            // The same bytes as the pipeline reads: the file and the answers
            // about its refunds' details (the floor was the file's alone).
            floor: Box::new(|| {
                support::floor_jsonl(&bulk.jsonl)
                    + support::floor(bulk.refund_details.iter().map(Vec::as_slice))
            }),
            stages: [
                Box::new(|| support::shopify_bulk_stages(&bulk, period, Stage::Decode).1),
                Box::new(|| support::shopify_bulk_stages(&bulk, period, Stage::Normalize).1),
            ],
            typed: None,
            scan: Box::new(surrogate_scan(vec![bulk.jsonl.to_vec()], bulk.records)),
        },
    ];
    for (mut row, key) in rows.into_iter().zip(["stripe", "shopify", "bulk"]) {
        if !wanted(key) {
            continue;
        }
        let (name, records) = (row.name, row.records);
        if let Some(span) = options.profile {
            // For `perf record` or `valgrind`: the pipeline alone, nothing else timed.
            let start = Instant::now();
            let mut passes = 0u64;
            while start.elapsed() < span {
                std::hint::black_box((row.pipeline)());
                passes += 1;
            }
            println!("# {name}: {passes} passes of the pipeline in {span:?} (profile)");
            continue;
        }
        println!(
            "# {name}: {records} records, {} bytes ({} bytes/record)",
            row.bytes,
            row.bytes / records.max(1)
        );
        let (pipeline, floor, ratio) = paired(repeat, records, &mut row.pipeline, &mut row.floor);
        let [decode, normalize] = row.stages.each_mut().map(|f| rate(repeat, records, f));
        if let Some(typed) = row.typed.as_mut() {
            let typed = rate(repeat, records, typed);
            println!(
                "# {name}: models decoded straight from the bytes by serde alone (the path a \
                 page the scanner declines takes) {typed:.0}/s"
            );
        }
        println!(
            "# {name} stages: decode {decode:.0}/s, decode+normalize {normalize:.0}/s, \
             decode+normalize+map {pipeline:.0}/s"
        );
        let scan = rate(repeat, records, &mut row.scan);
        println!(
            "# {name}: the HTTP layer's lone-surrogate scan of the same bytes {scan:.0}/s \
             ({:.3} of the pipeline's time)",
            pipeline / scan
        );
        if key == "bulk" {
            let alone = rate(repeat, records, &mut || support::floor_jsonl(&bulk.jsonl));
            println!(
                "# {name}: the floor of the JSONL file alone, without the answers about its \
                 refunds' details that the pipeline also reads, {alone:.0}/s ({:.3} of it)",
                pipeline / alone
            );
        }
        info(
            &format!("{name}_pipeline"),
            format!("{pipeline:.0}"),
            "records/s",
        );
        info(&format!("{name}_floor"), format!("{floor:.0}"), "records/s");
        line(
            &format!("{name}_ratio"),
            format!("{ratio:.3}"),
            "pipeline/floor",
            &format!(">={RATIO_TARGET:.2}"),
            met(ratio >= RATIO_TARGET),
        );
    }
}

// ---------------------------------------------------------------- clients

/// The provider clients over a sandbox. `bench_limits`: rate limits at each
/// provider's published rate with a burst (what the provider's token bucket
/// allows) instead of the clients' evenly spaced defaults.
struct Clients {
    shopify: Arc<ShopifyClient>,
    klarna: Arc<KlarnaClient>,
    stripe: Arc<StripeClient>,
    paypal: Arc<PayPalClient>,
}

fn clients(servers: &Endpoints, bench_limits: bool) -> Result<Clients, BoxError> {
    let endpoint = |e: &Option<Endpoint>, name: &str| {
        e.clone()
            .ok_or_else(|| format!("the sandbox runs no {name} server"))
    };
    let (s, k, t, p) = (
        endpoint(&servers.shopify, "Shopify")?,
        endpoint(&servers.klarna, "Klarna")?,
        endpoint(&servers.stripe, "Stripe")?,
        endpoint(&servers.paypal, "PayPal")?,
    );
    let shopify = ShopifyClient::builder(s.user.as_str(), s.secret.as_str()).base_url(&s.uri);
    let mut klarna = KlarnaClient::builder(kassabok::klarna::Credentials::basic(
        k.user.as_str(),
        k.secret.as_str(),
    ))
    .base_url(&k.uri);
    let mut stripe = StripeClient::builder(t.secret.as_str()).base_url(&t.uri);
    let paypal = PayPalClient::builder(p.user.as_str(), p.secret.as_str()).base_url(&p.uri);
    if bench_limits {
        // Stripe: 100 read requests/s in live mode; Klarna: 200/s live; both
        // are token buckets that take a burst.
        stripe = stripe.rate_limit(RateLimit::per_second(100).burst(50));
        klarna = klarna.rate_limit(RateLimit::per_second(200).burst(50));
    }
    Ok(Clients {
        shopify: Arc::new(shopify.build()?),
        klarna: Arc::new(klarna.build()?),
        stripe: Arc::new(stripe.build()?),
        paypal: Arc::new(paypal.build()?),
    })
}

// ---------------------------------------------------------------- the sandbox in its own process

/// Requests counted by a simulated server, in this process or another.
trait Count {
    /// Requests received so far.
    fn total(&self) -> u64;
}

impl Count for RequestCounter {
    fn total(&self) -> u64 {
        RequestCounter::total(self)
    }
}

/// A `sandbox-server` process (provider-sandbox's binary): the simulated
/// providers with their rendering in a process of their own, so that the
/// client's figures are the client's. It exits when its stdin closes, on drop.
struct Server {
    endpoints: Endpoints,
    child: std::process::Child,
    pipes: std::sync::Mutex<
        Option<(
            std::process::ChildStdin,
            std::io::BufReader<std::process::ChildStdout>,
        )>,
    >,
}

impl Server {
    /// Starts `sandbox-server` with `args` and reads the endpoints it prints.
    fn spawn(args: &[String]) -> Result<Server, BoxError> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(sandbox_server()?)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut first = String::new();
        stdout.read_line(&mut first)?;
        let endpoints = serde_json::from_str(&first)
            .map_err(|e| format!("sandbox-server {args:?} printed {first:?}: {e}"))?;
        Ok(Server {
            endpoints,
            child,
            pipes: std::sync::Mutex::new(Some((stdin, stdout))),
        })
    }

    /// Requests each server has received so far.
    fn requests(&self) -> Requests {
        use std::io::{BufRead, Write};
        let mut pipes = self.pipes.lock().expect("not poisoned");
        let (stdin, stdout) = pipes.as_mut().expect("running");
        let mut answer = String::new();
        writeln!(stdin, "requests")
            .and_then(|()| stdin.flush())
            .and_then(|()| stdout.read_line(&mut answer))
            .expect("sandbox-server answers");
        serde_json::from_str(&answer).expect("a Requests line")
    }

    /// CPU time the server process has used so far.
    fn cpu(&self) -> Duration {
        cpu_time(&format!("/proc/{}/stat", self.child.id()))
    }

    /// The request counter of one provider's server.
    fn counter(&self, provider: fn(&Requests) -> u64) -> Remote<'_> {
        Remote {
            server: self,
            provider,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing stdin ends the process.
        if let Ok(mut pipes) = self.pipes.lock() {
            pipes.take();
        }
        let _ = self.child.wait();
    }
}

/// User + system CPU time of a process, from its `/proc/<pid>/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s); zero where there is no
/// `/proc`.
fn cpu_time(stat: &str) -> Duration {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    // The command name (field 2) may hold spaces: count from after it.
    let fields: Vec<&str> = text
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// One provider's counter in a `sandbox-server` process.
struct Remote<'a> {
    server: &'a Server,
    provider: fn(&Requests) -> u64,
}

impl Count for Remote<'_> {
    fn total(&self) -> u64 {
        (self.provider)(&self.server.requests())
    }
}

/// The `sandbox-server` binary of this build: built first, with the profile
/// and target directory this example was built with (a no-op when it is up to
/// date), so that it never runs stale code. Without cargo at hand, the binary
/// already beside this example's directory is used.
fn sandbox_server() -> Result<std::path::PathBuf, BoxError> {
    let exe = std::env::current_exe()?;
    // target/<profile>/examples/bench_pipeline
    let profile_dir = exe
        .parent()
        .and_then(std::path::Path::parent)
        .ok_or("no profile directory")?;
    let binary = profile_dir.join("sandbox-server");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(other) => other.to_owned(),
        None => return Err("no profile name".into()),
    };
    let built =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "build",
                "--quiet",
                "-p",
                "provider-sandbox",
                "--bin",
                "sandbox-server",
            ])
            .arg("--profile")
            .arg(&profile)
            .arg("--manifest-path")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .arg("--target-dir")
            .arg(profile_dir.parent().ok_or("no target directory")?)
            .status();
    match built {
        Ok(status) if status.success() => Ok(binary),
        _ if binary.exists() => Ok(binary),
        _ => Err(format!(
            "{} is missing: cargo build --profile {profile} -p provider-sandbox --bin sandbox-server",
            binary.display()
        )
        .into()),
    }
}

/// `sandbox-server` arguments for the wall-time month at `latency`.
fn walltime_server_args(latency: Duration) -> Vec<String> {
    [
        "--month",
        "2026-03",
        "--seed",
        "2026",
        "--orders",
        "1200",
        "--invoices",
        "60",
        "--payouts",
        &WALL_PAYOUTS.to_string(),
        "--latency-ms",
        &latency.as_millis().to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

// ---------------------------------------------------------------- 2. economy

/// One list as the client pages it.
#[derive(Debug, Clone)]
struct ListStat {
    name: String,
    items: usize,
    page: usize,
    requests: u64,
}

impl ListStat {
    fn minimum(&self) -> u64 {
        self.items.div_ceil(self.page).max(1) as u64
    }
}

/// The lists a provider's month consists of, with the chain of dependent
/// requests they make.
#[derive(Debug, Default)]
struct ProviderLists {
    lists: Vec<ListStat>,
    /// Requests outside lists (an OAuth token, balances).
    fixed: u64,
    /// The longest chain of dependent requests.
    chain: u64,
}

impl ProviderLists {
    fn minimum(&self) -> u64 {
        self.lists.iter().map(ListStat::minimum).sum::<u64>() + self.fixed
    }
}

/// Counts the requests `f` makes on `counter`.
async fn counted<T>(counter: &dyn Count, f: impl Future<Output = T>) -> (T, u64) {
    let before = counter.total();
    let out = f.await;
    (out, counter.total() - before)
}

async fn stripe_lists(
    client: &StripeClient,
    counter: &dyn Count,
    period: &Period,
) -> Result<ProviderLists, BoxError> {
    use kassabok::stripe::models::InvoicePaymentStatus;
    let mut out = ProviderLists::default();
    let range = TimeRange::of_period(period);
    let mut stat = |name: String, items: usize, requests: u64| {
        out.lists.push(ListStat {
            name,
            items,
            page: 100,
            requests,
        });
    };
    let (n, r) = counted(counter, client.list_tax_rates().count()).await;
    stat("tax_rates".into(), n, r);
    let mut sales_chain = r;
    // Every status in one listing, as the source reads them (one listing per
    // status lost an invoice whose status changed during the close).
    let (n, r) = counted(counter, client.list_all_invoices(range).count()).await;
    stat("invoices".into(), n, r);
    sales_chain = sales_chain.max(r);
    let (n, r) = counted(counter, client.list_credit_notes(range).count()).await;
    stat("credit_notes".into(), n, r);
    let (n, r) = counted(
        counter,
        client
            .list_invoice_payments(&InvoicePaymentStatus::Paid, range)
            .count(),
    )
    .await;
    stat("invoice_payments".into(), n, r);
    let links_chain = r;
    let (payouts, r) = counted(counter, async {
        client
            .list_payouts(range)
            .filter_map(|p| async move { p.ok().and_then(kassabok::stripe::Listed::into_item) })
            .collect::<Vec<_>>()
            .await
    })
    .await;
    stat("payouts".into(), payouts.len(), r);
    let (arriving, ra) = counted(counter, async {
        client
            .list_payouts_arriving(range, period.start_utc())
            .filter_map(|p| async move { p.ok().and_then(kassabok::stripe::Listed::into_item) })
            .collect::<Vec<_>>()
            .await
    })
    .await;
    stat("payouts_arriving".into(), arriving.len(), ra);
    let mut longest = 0;
    for p in payouts.iter().chain(&arriving).filter(|p| p.automatic) {
        let (n, r) = counted(counter, client.list_payout_transactions(&p.id).count()).await;
        stat(format!("balance_transactions {}", p.id), n, r);
        longest = longest.max(r);
    }
    // Every balance transaction created in the period: those no payout
    // carries are lines of their own.
    let (n, rp) = counted(counter, client.list_balance_transactions(range).count()).await;
    stat("balance_transactions_period".into(), n, rp);
    // The period's dispute decisions (`charge.dispute.closed` events); then,
    // per dispute lost in it, the invoice its payment paid and that invoice's
    // sale when it was issued earlier: joins, counted as fixed requests.
    let (n, re) = counted(counter, client.list_dispute_closed_events(range).count()).await;
    stat("dispute_closed_events".into(), n, re);
    let lost = kassabok::stripe::StripeSource::new(client.clone());
    let (_, rl) = counted(counter, lost.lost_disputes(period).count()).await;
    let joins = rl.saturating_sub(re);
    out.fixed += joins;
    // Dependent: the payouts lists, then a payout's transactions. The invoice
    // payments, tax rates, invoice lists and the period's transactions need
    // nothing from another request.
    out.chain = (r.max(ra) + longest)
        .max(links_chain)
        .max(sales_chain)
        .max(rp)
        .max(re + joins);
    Ok(out)
}

async fn shopify_lists(
    client: &ShopifyClient,
    counter: &dyn Count,
    period: &Period,
) -> Result<ProviderLists, BoxError> {
    use kassabok::shopify::models::BalanceTransactionType;
    let mut out = ProviderLists::default();
    let page = kassabok::shopify::MAX_PAGE_SIZE as usize;
    let mut chain = 0;
    let lookback = lookback(period);
    for (name, query) in [
        ("orders_processed", OrderQuery::processed_in(period)),
        (
            "orders_earlier_updated",
            OrderQuery::earlier_orders_updated_since(period),
        ),
        // The days before the period, for matching receipts to sales.
        ("orders_lookback", OrderQuery::processed_in(&lookback)),
    ] {
        let (n, r) = counted(counter, client.orders(query).count()).await;
        out.lists.push(ListStat {
            name: name.into(),
            items: n,
            page,
            requests: r,
        });
        // `ordersCount` first, to choose paged or bulk.
        out.fixed += 1;
        chain = chain.max(1 + r);
    }
    // The app's access scopes, asked beside the orders by each sales
    // listing (the period's, and the days before it for matching).
    out.fixed += 2;
    let (payouts, r) = counted(counter, async {
        client
            .shopify_payouts(period)
            .filter_map(|p| async move { p.ok().and_then(|l| l.into_item()) })
            .collect::<Vec<_>>()
            .await
    })
    .await;
    out.lists.push(ListStat {
        name: "payouts".into(),
        items: payouts.len(),
        page,
        requests: r,
    });
    let mut longest = 0;
    let mut carried = std::collections::HashSet::new();
    let is_refund_line = |t: &kassabok::shopify::models::BalanceTransaction| {
        t.kind == BalanceTransactionType::Refund
            && t.source_order_transaction_id.is_some()
            && t.associated_order.is_some()
    };
    for p in &payouts {
        let (listed, rq) =
            counted(counter, client.balance_transactions(p).collect::<Vec<_>>()).await;
        let transactions: Vec<_> = listed
            .into_iter()
            .filter_map(|t| t.ok().and_then(|l| l.into_item()))
            .collect();
        out.lists.push(ListStat {
            name: format!("balance_transactions {}", p.legacy_resource_id),
            items: transactions.len(),
            page,
            requests: rq,
        });
        // The refunds its refund lines settle: one join.
        let joins = u64::from(transactions.iter().any(is_refund_line));
        out.fixed += joins;
        longest = longest.max(rq + joins);
        carried.extend(transactions.into_iter().map(|t| t.id));
    }
    // Every balance transaction processed in the period: those no payout
    // carries are lines of their own (their refund lines joined 250 at a time).
    let (listed, rq) = counted(
        counter,
        client
            .balance_transactions_processed(period)
            .collect::<Vec<_>>(),
    )
    .await;
    let processed: Vec<_> = listed
        .into_iter()
        .filter_map(|t| t.ok().and_then(|l| l.into_item()))
        .collect();
    let unpaid_refunds = processed
        .iter()
        .filter(|t| !carried.contains(&t.id) && is_refund_line(t))
        .count();
    out.fixed += unpaid_refunds.div_ceil(kassabok::shopify::queries::NODES_PER_QUERY) as u64;
    out.lists.push(ListStat {
        name: "balance_transactions_processed".into(),
        items: processed.len(),
        page,
        requests: rq,
    });
    // Disputes lost, then those the shop accepted: one listing each.
    let mut rd = 0;
    for (search, name) in [
        ("status:lost", "disputes_lost"),
        ("status:accepted", "disputes_accepted"),
    ] {
        let (n, r) = counted(counter, client.shopify_disputes(search.to_owned()).count()).await;
        out.lists.push(ListStat {
            name: name.into(),
            items: n,
            page: kassabok::shopify::queries::PAYOUTS_PAGE_SIZE as usize,
            requests: r,
        });
        rd += r;
    }
    out.chain = chain.max(r + longest).max(rq).max(rd);
    Ok(out)
}

/// The days before `period` whose sales a close also reads.
fn lookback(period: &Period) -> Period {
    let days = time::Duration::days(kassabok::close::SALES_LOOKBACK_DAYS);
    Period::new(
        period.first() - days,
        period.first() - time::Duration::days(1),
    )
    .expect("a week is a period")
}

async fn klarna_lists(
    client: &KlarnaClient,
    counter: &dyn Count,
    period: &Period,
) -> Result<ProviderLists, BoxError> {
    use kassabok::klarna::{PayoutQuery, TransactionQuery};
    let mut out = ProviderLists::default();
    let page = kassabok::klarna::MAX_PAGE_SIZE as usize;
    let (payouts, r) = counted(counter, async {
        client
            .list_payouts(&PayoutQuery::period(period))
            .filter_map(|p| async move { p.ok().and_then(|l| l.into_item()) })
            .collect::<Vec<_>>()
            .await
    })
    .await;
    out.lists.push(ListStat {
        name: "payouts".into(),
        items: payouts.len(),
        page,
        requests: r,
    });
    let mut longest = 0;
    for p in &payouts {
        let (n, rq) = counted(
            counter,
            client
                .list_transactions(&TransactionQuery::Payout(p.payment_reference.clone()))
                .count(),
        )
        .await;
        out.lists.push(ListStat {
            name: format!("transactions {}", p.payment_reference),
            items: n,
            page,
            requests: rq,
        });
        longest = longest.max(rq);
    }
    out.chain = r + longest;
    Ok(out)
}

async fn paypal_lists(
    client: &PayPalClient,
    counter: &dyn Count,
    period: &Period,
) -> Result<ProviderLists, BoxError> {
    let mut out = ProviderLists::default();
    // The first request also fetches the OAuth token.
    let (search, r) = counted(counter, client.search(period.start_utc(), period.end_utc())).await;
    let search = search?;
    let n = search.transactions.len() + search.review.len();
    out.lists.push(ListStat {
        name: "transaction_search".into(),
        items: n,
        page: kassabok::paypal::PAGE_SIZE as usize,
        requests: r.saturating_sub(1),
    });
    // The token, and the balances at both ends of the period.
    out.fixed = 3;
    // Token → first page (it says how many pages) → the other pages, which
    // need nothing more → the closing balance (at PayPal's last refresh).
    let pages = out.lists[0].minimum();
    out.chain = 1 + pages.min(2) + 1;
    Ok(out)
}

fn print_lists(provider: &str, lists: &ProviderLists) -> bool {
    let mut all = true;
    // The largest list stands for the rest; every list is checked.
    let mut worst: Option<&ListStat> = None;
    for l in &lists.lists {
        let ok = l.requests == l.minimum();
        all &= ok;
        if !ok {
            println!(
                "# {provider} {}: {} items, {} requests, minimum {}",
                l.name,
                l.items,
                l.requests,
                l.minimum()
            );
        }
        if worst.is_none_or(|w| l.items > w.items) {
            worst = Some(l);
        }
    }
    if let Some(l) = worst {
        line(
            &format!("economy_{provider}_largest_list_requests"),
            l.requests,
            "requests",
            &format!("=={} (ceil({}/{}))", l.minimum(), l.items, l.page),
            met(l.requests == l.minimum()),
        );
    }
    line(
        &format!("economy_{provider}_lists_at_minimum"),
        format!(
            "{}/{}",
            lists
                .lists
                .iter()
                .filter(|l| l.requests == l.minimum())
                .count(),
            lists.lists.len()
        ),
        "lists",
        "all",
        met(all),
    );
    all
}

async fn economy() -> Result<(), BoxError> {
    let period = support::period();
    println!(
        "# 2. request economy: each list run on its own and counted by the sandbox's request \
         counter, then each provider's whole month (its source traits) counted; minimum = \
         sum of ceil(N/page) over its lists + fixed requests"
    );
    // A big synthetic Stripe payout: 25,000 charges (+ the payout's own transaction).
    let synthetic = SyntheticStripe::start(
        &SyntheticStripeConfig {
            period,
            payouts: 1,
            transactions: 25_000,
        },
        Faults::none(),
    )
    .await;
    let stripe = StripeClient::builder(synthetic.secret_key())
        .base_url(synthetic.uri())
        .rate_limit(RateLimit::per_second(100_000))
        .build()?;
    let (n, r) = counted(
        synthetic.counter(),
        stripe
            .list_payout_transactions(&kassabok::stripe::ids::PayoutId::new(
                synthetic.payout_id(0),
            ))
            .count(),
    )
    .await;
    let stat = ListStat {
        name: "synthetic payout".into(),
        items: n,
        page: 100,
        requests: r,
    };
    line(
        "economy_stripe_synthetic_payout_requests",
        r,
        "requests",
        &format!("=={} (ceil({n}/100))", stat.minimum()),
        met(r == stat.minimum()),
    );
    drop(synthetic);

    let config = ScenarioConfig {
        seed: 2026,
        period,
        orders: 12_000,
        invoices: 450,
    };
    let sandbox = Sandbox::start(&config, Faults::none()).await;
    sandbox.shopify.set_plan(Plan::UNLIMITED);
    println!(
        "# scenario: {} orders, {} invoices; {} Shopify, {} Klarna, {} Stripe payouts",
        sandbox.scenario.orders.len(),
        sandbox.scenario.invoices.len(),
        sandbox.scenario.shopify_payouts.len(),
        sandbox.scenario.klarna_payouts.len(),
        sandbox.scenario.stripe_payouts.len()
    );
    let c = clients(&Endpoints::of(&sandbox), true)?;
    let lists = [
        (
            "shopify",
            shopify_lists(&c.shopify, sandbox.shopify.counter(), &period).await?,
        ),
        (
            "klarna",
            klarna_lists(&c.klarna, sandbox.klarna.counter(), &period).await?,
        ),
        (
            "stripe",
            stripe_lists(&c.stripe, sandbox.stripe.counter(), &period).await?,
        ),
        (
            "paypal",
            paypal_lists(&c.paypal, sandbox.paypal.counter(), &period).await?,
        ),
    ];
    for (provider, l) in &lists {
        print_lists(provider, l);
    }
    // The whole month through the source traits, on fresh clients.
    let c = clients(&Endpoints::of(&sandbox), true)?;
    let counters = [
        sandbox.shopify.counter().clone(),
        sandbox.klarna.counter().clone(),
        sandbox.stripe.counter().clone(),
        sandbox.paypal.counter().clone(),
    ];
    let before: Vec<u64> = counters.iter().map(RequestCounter::total).collect();
    let bulk_before = sandbox.shopify.bulk_operations();
    let fetched = fetch(&sources(&c), &period, &|_, _| {}).await?;
    let bulk = sandbox.shopify.bulk_operations() - bulk_before;
    if bulk > 0 {
        println!(
            "# shopify: the month's orders through {bulk} bulk operation(s) (above \
             BULK_THRESHOLD): below the paged lists' minimum is allowed"
        );
    }
    for (i, (provider, l)) in lists.iter().enumerate() {
        let used = counters[i].total() - before[i];
        // A bulk operation reads a month in fewer requests than its pages.
        let (target, ok) = if *provider == "shopify" && bulk > 0 {
            (format!("<={}", l.minimum()), used <= l.minimum())
        } else {
            (format!("=={}", l.minimum()), used == l.minimum())
        };
        line(
            &format!("economy_{provider}_month_requests"),
            used,
            "requests",
            &target,
            met(ok),
        );
    }
    println!(
        "# month: {} records fetched",
        fetched.records.values().sum::<usize>()
    );
    Ok(())
}

fn sources(c: &Clients) -> Sources {
    Sources {
        sales: vec![c.shopify.clone(), c.stripe.clone()],
        payouts: vec![c.shopify.clone(), c.klarna.clone(), c.stripe.clone()],
        statements: vec![c.paypal.clone()],
    }
}

// ---------------------------------------------------------------- 3. wall time

async fn walltime(repeat: usize) -> Result<(), BoxError> {
    let period = support::period();
    let config = ScenarioConfig {
        seed: 2026,
        period,
        orders: 1_200,
        invoices: 60,
    };
    let mut scenario = Scenario::generate(&config);
    regroup_payouts(&mut scenario, WALL_PAYOUTS);
    println!(
        "# 3. wall time: {} orders, {} invoices; {} Shopify, {} Klarna, {} Stripe payouts; \
         {} ms latency per request; the servers in a sandbox-server process; Close (all providers concurrently, mapped as they arrive); median of {repeat}",
        scenario.orders.len(),
        scenario.invoices.len(),
        scenario.shopify_payouts.len(),
        scenario.klarna_payouts.len(),
        scenario.stripe_payouts.len(),
        LATENCY.as_millis()
    );
    // The same month in a sandbox-server process without latency: the
    // chains, from each list run on its own, and the close's CPU time.
    let quick = Server::spawn(&walltime_server_args(Duration::ZERO))?;
    let c = clients(&quick.endpoints, true)?;
    let chains = [
        (
            "shopify",
            shopify_lists(&c.shopify, &quick.counter(|r| r.shopify), &period).await?,
        ),
        (
            "klarna",
            klarna_lists(&c.klarna, &quick.counter(|r| r.klarna), &period).await?,
        ),
        (
            "stripe",
            stripe_lists(&c.stripe, &quick.counter(|r| r.stripe), &period).await?,
        ),
        (
            "paypal",
            paypal_lists(&c.paypal, &quick.counter(|r| r.paypal), &period).await?,
        ),
    ];
    // The same close without latency: the CPU time of client and servers,
    // which no concurrency hides on 2 cores.
    let mut cpu = Vec::new();
    let mut cpu_split = (Duration::ZERO, Duration::ZERO);
    for _ in 0..repeat {
        let c = clients(&quick.endpoints, true)?;
        let (client_before, server_before) = (cpu_time("/proc/self/stat"), quick.cpu());
        let started = Instant::now();
        let fetched = fetch(&sources(&c), &period, &|_, _| {}).await?;
        std::hint::black_box(fetched);
        cpu.push(started.elapsed().as_secs_f64());
        cpu_split = (
            cpu_time("/proc/self/stat") - client_before,
            quick.cpu() - server_before,
        );
    }
    let cpu = median(cpu);
    println!(
        "# CPU of the close without latency (last run): client {:.2} s, servers {:.2} s",
        cpu_split.0.as_secs_f64(),
        cpu_split.1.as_secs_f64()
    );
    let c = clients(&quick.endpoints, true)?;
    let started = Instant::now();
    fetch(
        &Sources {
            sales: vec![c.shopify.clone()],
            ..Sources::default()
        },
        &period,
        &|_, _| {},
    )
    .await?;
    let shopify_cpu = started.elapsed().as_secs_f64();
    drop(quick);
    let mut chain = 0;
    for (provider, l) in &chains {
        println!(
            "# {provider}: {} requests at least, longest chain of dependent requests {}",
            l.minimum(),
            l.chain
        );
        chain = chain.max(l.chain);
    }
    let bound = LATENCY.as_secs_f64() * chain as f64;

    let slow = Server::spawn(&walltime_server_args(LATENCY))?;
    let counters: [Remote<'_>; 4] = [
        slow.counter(|r| r.shopify),
        slow.counter(|r| r.klarna),
        slow.counter(|r| r.stripe),
        slow.counter(|r| r.paypal),
    ];
    for (label, bench_limits) in [("default_limits", false), ("", true)] {
        let mut times = Vec::new();
        for _ in 0..repeat {
            let c = clients(&slow.endpoints, bench_limits)?;
            let before: Vec<u64> = counters.iter().map(Count::total).collect();
            let started = Instant::now();
            let closed = kassabok::Close::new(period)
                .sources(sources(&c))
                .rates(support::rates(&period))
                .run()
                .await?;
            std::hint::black_box(closed);
            times.push(started.elapsed().as_secs_f64());
            let used: Vec<String> = chains
                .iter()
                .zip(&counters)
                .zip(&before)
                .map(|(((p, l), c), b)| format!("{p} {}/{}", c.total() - b, l.minimum()))
                .collect();
            println!("# requests made/minimum: {}", used.join(", "));
        }
        let t = median(times);
        let name = if label.is_empty() {
            "walltime_month_close".to_owned()
        } else {
            format!("walltime_month_close_{label}")
        };
        if label.is_empty() {
            line(
                &name,
                format!("{t:.3}"),
                "s",
                &format!("<={:.3} (1.5 x bound)", 1.5 * bound),
                met(t <= 1.5 * bound),
            );
        } else {
            println!("# with the clients' default rate limits (evenly spaced, no burst):");
            info(&name, format!("{t:.3}"), "s");
        }
    }
    // Each provider's part alone, to see which one sets the wall time.
    let c = clients(&slow.endpoints, true)?;
    let alone: [(&str, Sources); 6] = [
        (
            "shopify sales",
            Sources {
                sales: vec![c.shopify.clone()],
                ..Sources::default()
            },
        ),
        (
            "shopify payouts",
            Sources {
                payouts: vec![c.shopify.clone()],
                ..Sources::default()
            },
        ),
        (
            "klarna payouts",
            Sources {
                payouts: vec![c.klarna.clone()],
                ..Sources::default()
            },
        ),
        (
            "stripe sales",
            Sources {
                sales: vec![c.stripe.clone()],
                ..Sources::default()
            },
        ),
        (
            "stripe payouts",
            Sources {
                payouts: vec![c.stripe.clone()],
                ..Sources::default()
            },
        ),
        (
            "paypal statements",
            Sources {
                statements: vec![c.paypal.clone()],
                ..Sources::default()
            },
        ),
    ];
    let mut parts = Vec::new();
    for (name, sources) in alone {
        let started = Instant::now();
        fetch(&sources, &period, &|_, _| {}).await?;
        parts.push(format!("{name} {:.3} s", started.elapsed().as_secs_f64()));
    }
    println!("# each part alone: {}", parts.join(", "));
    info("walltime_critical_path_bound", format!("{bound:.3}"), "s");
    info("walltime_month_close_no_latency", format!("{cpu:.3}"), "s");
    println!("# shopify sales alone without latency: {shopify_cpu:.3} s");
    Ok(())
}

// ---------------------------------------------------------------- 4. memory

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak resident set size (`VmHWM`) to the current one.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn memory(ns: &[usize]) -> Result<(), BoxError> {
    println!(
        "# 4. peak memory: each N in a fresh process (this example with --memory-child N), \
         the synthetic Stripe (30 payouts, pages rendered on request) in a sandbox-server \
         process of its own; VmHWM is reset, then the payouts are streamed through \
         kassabok::Close (StripeClient as a payout source) into the mapper; figure = VmHWM \
         (peak resident set of the client process alone) read from /proc/self/status"
    );
    let exe = std::env::current_exe()?;
    let mut peaks = Vec::new();
    for &n in ns {
        let out = std::process::Command::new(&exe)
            .args(["--memory-child", &n.to_string()])
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "memory child for {n} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        let peak = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("memory_peak_{n} ")))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        peaks.push((n, peak));
    }
    if let (Some(&(n0, p0)), Some(&(n1, p1))) = (peaks.first(), peaks.last())
        && n1 > n0
    {
        let growth = p1 / p0;
        let records = n1 as f64 / n0 as f64;
        line(
            "memory_growth",
            format!("{growth:.2}"),
            &format!("x_for_{records:.0}x_records"),
            &format!("<{records:.0} (sublinear)"),
            met(growth < records),
        );
    }
    Ok(())
}

async fn memory_child(n: usize) -> Result<(), BoxError> {
    let period = support::period();
    // The server in its own process: this process's peak is the client's.
    let server = Server::spawn(&[
        "--synthetic-stripe".to_owned(),
        n.to_string(),
        "--payouts".to_owned(),
        "30".to_owned(),
    ])?;
    let stripe = server
        .endpoints
        .stripe
        .clone()
        .ok_or("sandbox-server runs no Stripe")?;
    let client = StripeClient::builder(stripe.secret.as_str())
        .base_url(&stripe.uri)
        .rate_limit(RateLimit::per_second(100_000))
        .build()?;
    let baseline = status_kib("VmRSS:");
    let reset = reset_peak();
    let started = Instant::now();
    let mut lines = 0;
    // Through `Close`, as a host closes a month: payouts only (the synthetic
    // Stripe serves no invoices), every record mapped as it arrives.
    let closed = kassabok::Close::new(period)
        .sources(Sources {
            payouts: vec![Arc::new(client)],
            ..Sources::default()
        })
        .rates(support::rates(&period))
        .inspect(|record| {
            if let kassabok::close::Record::Payout(PayoutRecord::Payout(p)) = record {
                lines += p.lines.len();
            }
        })
        .run()
        .await?;
    let journal = closed.journal;
    let elapsed = started.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:");
    assert_eq!(lines, n, "every transaction mapped");
    assert!(journal.is_balanced());
    println!(
        "# N={n}: {lines} lines in {} vouchers, {elapsed:.1} s ({:.0} records/s over HTTP), \
         RSS before {:.1} MiB, peak reset: {reset}",
        journal.vouchers.len(),
        n as f64 / elapsed,
        baseline as f64 / 1024.0
    );
    let mib = peak as f64 / 1024.0;
    line(
        &format!("memory_peak_{n}"),
        format!("{mib:.1}"),
        "MiB",
        &format!("<{MEMORY_TARGET_MIB:.0}"),
        met(mib < MEMORY_TARGET_MIB),
    );
    Ok(())
}

// ---------------------------------------------------------------- 5. peer

/// A Stripe list page with each balance transaction's expanded `source`
/// replaced by its id: async-stripe's `Charge` requires every field of
/// Stripe's charge, and the sandbox renders a reduced one (the fields
/// kassabok reads and a few more). One line of JSON.
fn source_as_id(page: &[u8]) -> Result<Vec<u8>, BoxError> {
    let mut value: serde_json::Value = serde_json::from_slice(page)?;
    for item in value["data"].as_array_mut().into_iter().flatten() {
        if let Some(id) = item["source"].get("id").cloned() {
            item["source"] = id;
        }
    }
    Ok(serde_json::to_vec(&value)?)
}

/// async-stripe's typed decode of the same Stripe pages, in
/// `benches/peer` (a cargo project outside the workspace, so that CI never
/// builds async-stripe): built here with cargo into `<target>/peer` (the
/// first build takes the better part of an hour on 2 cores), fed the pages
/// through a temporary file, each ratio against the floor on those bytes
/// measured in the same process as the decode.
async fn peer(repeat: usize) -> Result<(), BoxError> {
    let stripe = support::capture_stripe(5_000).await;
    let whole: Vec<Vec<u8>> = stripe.all_pages().map(<[u8]>::to_vec).collect();
    // The pages as Stripe sends them (whole charges: the simulated Stripe
    // renders every property of Stripe's `charge`), unless async-stripe's
    // models cannot read them; then, as before, with each source as its id.
    match peer_on(repeat, &whole, "the pages as served").await {
        Err(e) if e.to_string().contains("could not decode") => {
            println!(
                "# peer: async-stripe could not decode the whole pages ({e}); each source as its id instead"
            );
            let ids: Vec<Vec<u8>> = whole
                .iter()
                .map(|p| source_as_id(p))
                .collect::<Result<_, _>>()?;
            peer_on(repeat, &ids, "each source replaced by its id").await
        }
        other => other,
    }
}

/// [`peer`] on `pages`, described as `what`.
async fn peer_on(repeat: usize, pages: &[Vec<u8>], what: &str) -> Result<(), BoxError> {
    println!(
        "# 5. peer: Stripe balance-transaction pages captured from the sandbox renderers, \
         {what}; kassabok (ListPage::decode, this process) and async-stripe 1.0 \
         (benches/peer, its own process), each against the floor on the same bytes in its \
         process; median of {repeat} runs"
    );
    let records: usize = pages
        .iter()
        .map(|p| {
            kassabok::stripe::ListPage::<kassabok::stripe::models::BalanceTransaction>::decode(
                "balance_transaction",
                p,
            )
            .map(|page| page.items.len())
            .unwrap_or(0)
        })
        .sum();
    let floor = rate(repeat, records, || {
        support::floor(pages.iter().map(Vec::as_slice))
    });
    let kassabok = rate(repeat, records, || {
        pages
            .iter()
            .map(|p| {
                kassabok::stripe::ListPage::<kassabok::stripe::models::BalanceTransaction>::decode(
                    "balance_transaction",
                    p,
                )
                .expect("a list page")
                .items
                .len()
            })
            .sum()
    });

    let exe = std::env::current_exe()?;
    let target = exe
        .parent()
        .and_then(std::path::Path::parent)
        .and_then(std::path::Path::parent)
        .ok_or("no target directory")?
        .join("peer");
    let built =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--quiet", "--manifest-path"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/benches/peer/Cargo.toml"
            ))
            .arg("--target-dir")
            .arg(&target)
            .status()?;
    if !built.success() {
        return Err("benches/peer did not build".into());
    }
    let file = std::env::temp_dir().join(format!("kassabok-peer-{}.jsonl", std::process::id()));
    let mut lines = Vec::new();
    for page in pages {
        lines.extend_from_slice(page);
        lines.push(b'\n');
    }
    std::fs::write(&file, lines)?;
    let out = std::process::Command::new(target.join("release").join("kassabok-bench-peer"))
        .arg(&file)
        .arg(repeat.to_string())
        .output();
    let _ = std::fs::remove_file(&file);
    let out = out?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = if stderr.contains("decode") || stderr.contains("Error(") {
            "could not decode the pages"
        } else {
            "failed"
        };
        return Err(format!("kassabok-bench-peer {what}: {}", stderr.trim()).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let figure = |name: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    let peer_floor = figure("peer_floor").ok_or("no peer_floor")?;
    println!(
        "# {records} balance transactions in {} pages, {:.0} bytes each; floor {floor:.0} records/s \
         here, {peer_floor:.0} in the peer's process",
        pages.len(),
        pages.iter().map(Vec::len).sum::<usize>() as f64 / records as f64
    );
    info(
        "peer_kassabok_decode_ratio",
        format!("{:.3}", kassabok / floor),
        "of_floor",
    );
    for (name, line_name) in [
        ("peer_async_stripe_serde", "peer_async_stripe_serde_ratio"),
        (
            "peer_async_stripe_miniserde",
            "peer_async_stripe_miniserde_ratio",
        ),
    ] {
        let r = figure(name).ok_or_else(|| format!("no {name}"))?;
        info(line_name, format!("{:.3}", r / peer_floor), "of_floor");
    }
    Ok(())
}
