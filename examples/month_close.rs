//! The main job: a month close across Shopify, Klarna, Stripe and PayPal.
//!
//! ```text
//! cargo run --example month_close -- [--from YYYY-MM-DD --to YYYY-MM-DD] [--out DIR]
//!     [--granularity document|day|payout] [--org-nr 556677-8899] [--company "Name AB"]
//!     [--ledger PATH | --ledger-url postgres://… | --no-ledger]
//! ```
//!
//! A provider whose credentials are set in the environment is read from its
//! real API (or from `<PROVIDER>_API_BASE_URL`); a provider without them runs
//! against the embedded sandbox, so the command works on a fresh machine.
//! Writes `DIR/verifikationer.si` (SIE 4I), `DIR/journal.csv` and
//! `DIR/review.md`, and prints a summary. Through the ledger (default
//! `target/kassabok/ledger.sqlite`) the SIE file holds only what was not
//! exported before: a second run of a month writes no `#VER`, and a voucher
//! changed at the provider after its export gets a reversal and a new voucher. Exits 1 on an error it cannot handle
//! (bad credentials, an unreachable server), 2 on bad arguments; the SIE file
//! is written to a temporary file and renamed, so it is never partial.

use std::collections::BTreeMap;
use std::error::Error;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kassabok::close::{Fetched, Sources, fetch};
use kassabok::core::{Currency, Period, Provider};
use kassabok::ledger::{
    CloseOptions, CloseReport, Failpoint, LedgerStore, SourceProgress, SqlLedger, Step, close,
    period_key,
};
use kassabok::mapping::{Chart, FixedRates, Granularity, Journal, Policy, SieExport};
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime, macros::format_description};

const USAGE: &str = "\
usage: month_close [--from YYYY-MM-DD --to YYYY-MM-DD] [--out DIR]
                   [--granularity document|day|payout] [--org-nr NNNNNN-NNNN] [--company NAME]
                   [--ledger PATH | --ledger-url postgres://USER@HOST/DB | --no-ledger]

Books a period (default: the last full month) from Shopify, Klarna, Stripe and PayPal.
Credentials come from the environment; a provider without them uses the built-in sandbox:
  SHOPIFY_SHOP, SHOPIFY_ACCESS_TOKEN       KLARNA_API_USERNAME, KLARNA_API_PASSWORD
  STRIPE_SECRET_KEY                        PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET
and <PROVIDER>_API_BASE_URL points a provider at another server.
The ledger (default target/kassabok/ledger.sqlite) remembers what was exported: the SIE file
holds only new vouchers and corrections; --no-ledger writes the whole period every time.";

/// The command line.
#[derive(Debug)]
struct Args {
    period: Period,
    out: PathBuf,
    granularity: Granularity,
    org_nr: Option<String>,
    company: Option<String>,
    ledger: Ledger,
}

/// Where the run's ledger is.
#[derive(Debug)]
enum Ledger {
    Sqlite(PathBuf),
    Url(String),
    Off,
}

#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for UsageError {}

fn parse_date(flag: &str, value: &str) -> Result<Date, UsageError> {
    Date::parse(value, format_description!("[year]-[month]-[day]"))
        .map_err(|_| UsageError(format!("{flag} takes a date as YYYY-MM-DD, not {value:?}")))
}

impl Args {
    fn parse(mut argv: impl Iterator<Item = String>, today: Date) -> Result<Args, UsageError> {
        let mut from = None;
        let mut to = None;
        let mut out = PathBuf::from("target/kassabok");
        let mut granularity = Granularity::PerPayout;
        let mut org_nr = None;
        let mut company = None;
        let mut ledger = Ledger::Sqlite(PathBuf::from("target/kassabok/ledger.sqlite"));
        while let Some(flag) = argv.next() {
            if flag == "-h" || flag == "--help" {
                return Err(UsageError(USAGE.to_owned()));
            }
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (flag.clone(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| argv.next())
                    .ok_or_else(|| UsageError(format!("{name} needs a value\n\n{USAGE}")))
            };
            match name.as_str() {
                "--from" => from = Some(parse_date("--from", &value()?)?),
                "--to" => to = Some(parse_date("--to", &value()?)?),
                "--out" => out = PathBuf::from(value()?),
                "--granularity" => {
                    granularity = match value()?.as_str() {
                        "document" => Granularity::PerDocument,
                        "day" => Granularity::PerDay,
                        "payout" => Granularity::PerPayout,
                        other => {
                            return Err(UsageError(format!(
                                "--granularity is document, day or payout, not {other:?}"
                            )));
                        }
                    }
                }
                "--org-nr" => org_nr = Some(value()?),
                "--company" => company = Some(value()?),
                "--ledger" => ledger = Ledger::Sqlite(PathBuf::from(value()?)),
                "--ledger-url" => ledger = Ledger::Url(value()?),
                "--no-ledger" => ledger = Ledger::Off,
                other => return Err(UsageError(format!("unknown argument {other:?}\n\n{USAGE}"))),
            }
        }
        let period = match (from, to) {
            (Some(f), Some(t)) => Period::new(f, t).map_err(|e| UsageError(e.to_string()))?,
            (None, None) => Period::previous_month(today).map_err(|e| UsageError(e.to_string()))?,
            _ => return Err(UsageError("--from and --to go together".to_owned())),
        };
        Ok(Args {
            period,
            out,
            granularity,
            org_nr,
            company,
            ledger,
        })
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where each provider's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Real,
    Sandbox,
}

impl Origin {
    fn label(self) -> &'static str {
        match self {
            Origin::Real => "live",
            Origin::Sandbox => "sandbox",
        }
    }
}

/// The clients of a run, built from the environment or the sandbox.
struct Run {
    sources: Sources,
    origin: BTreeMap<Provider, Origin>,
    /// Kept alive for the run: the servers stop when it drops.
    _sandbox: Option<Sandbox>,
}

async fn build_sources(period: Period) -> Result<Run, Box<dyn Error>> {
    let shopify_creds = env("SHOPIFY_SHOP").zip(env("SHOPIFY_ACCESS_TOKEN"));
    let klarna_creds = env("KLARNA_API_USERNAME").zip(env("KLARNA_API_PASSWORD"));
    let stripe_creds = env("STRIPE_SECRET_KEY");
    let paypal_creds = env("PAYPAL_CLIENT_ID").zip(env("PAYPAL_CLIENT_SECRET"));

    let all_real = shopify_creds.is_some()
        && klarna_creds.is_some()
        && stripe_creds.is_some()
        && paypal_creds.is_some();
    let sandbox = if all_real {
        None
    } else {
        Some(Sandbox::start(&ScenarioConfig::small(period), Faults::none()).await)
    };
    let sb = sandbox.as_ref();
    let mut origin = BTreeMap::new();

    // Shopify: the sales report and Shopify Payments payouts.
    let shopify = {
        let (mut b, o) = match (&shopify_creds, sb) {
            (Some((shop, token)), _) => (
                kassabok::shopify::ShopifyClient::builder(shop.clone(), token.clone()),
                Origin::Real,
            ),
            (None, Some(s)) => (
                kassabok::shopify::ShopifyClient::builder(
                    s.shopify.shop(),
                    s.shopify.access_token(),
                )
                .base_url(s.shopify.uri()),
                Origin::Sandbox,
            ),
            (None, None) => unreachable!("the sandbox runs when credentials are missing"),
        };
        if let Some(url) = env("SHOPIFY_API_BASE_URL") {
            b = b.base_url(url);
        }
        origin.insert(Provider::Shopify, o);
        Arc::new(b.build()?)
    };

    // Klarna: settlements.
    let klarna = {
        use kassabok::klarna::{Credentials, KlarnaClient};
        let (mut b, o) = match (&klarna_creds, sb) {
            (Some((user, pass)), _) => (
                KlarnaClient::builder(Credentials::basic(user.clone(), pass.clone())),
                Origin::Real,
            ),
            (None, Some(s)) => (
                KlarnaClient::builder(Credentials::basic(s.klarna.username(), s.klarna.password()))
                    .base_url(s.klarna.uri()),
                Origin::Sandbox,
            ),
            (None, None) => unreachable!("the sandbox runs when credentials are missing"),
        };
        if let Some(url) = env("KLARNA_API_BASE_URL") {
            b = b.base_url(url);
        }
        origin.insert(Provider::Klarna, o);
        Arc::new(b.build()?)
    };

    // Stripe: payouts and Stripe Invoicing.
    let stripe = {
        use kassabok::stripe::StripeClient;
        let (mut b, o) = match (&stripe_creds, sb) {
            (Some(key), _) => (StripeClient::builder(key.clone()), Origin::Real),
            (None, Some(s)) => (
                StripeClient::builder(s.stripe.secret_key()).base_url(&s.stripe.uri()),
                Origin::Sandbox,
            ),
            (None, None) => unreachable!("the sandbox runs when credentials are missing"),
        };
        if let Some(url) = env("STRIPE_API_BASE_URL") {
            b = b.base_url(&url);
        }
        origin.insert(Provider::Stripe, o);
        Arc::new(b.build()?)
    };

    // PayPal: the account, like a bank account.
    let paypal = {
        use kassabok::paypal::PayPalClient;
        let (mut b, o) = match (&paypal_creds, sb) {
            (Some((id, secret)), _) => (
                PayPalClient::builder(id.clone(), secret.clone()),
                Origin::Real,
            ),
            (None, Some(s)) => (
                PayPalClient::builder(s.paypal.client_id(), s.paypal.client_secret())
                    .base_url(&s.paypal.uri()),
                Origin::Sandbox,
            ),
            (None, None) => unreachable!("the sandbox runs when credentials are missing"),
        };
        if let Some(url) = env("PAYPAL_API_BASE_URL") {
            b = b.base_url(&url);
        }
        origin.insert(Provider::PayPal, o);
        Arc::new(b.build()?)
    };

    Ok(Run {
        sources: Sources {
            sales: vec![shopify.clone(), stripe.clone()],
            payouts: vec![shopify, klarna, stripe],
            statements: vec![paypal],
        },
        origin,
        _sandbox: sandbox,
    })
}

/// Progress counters, one per provider, shown on one line while fetching.
struct Progress {
    counts: BTreeMap<Provider, AtomicUsize>,
}

impl Progress {
    fn new() -> Self {
        Progress {
            counts: Provider::ALL
                .iter()
                .map(|p| (*p, AtomicUsize::new(0)))
                .collect(),
        }
    }
    fn add(&self, provider: Provider, n: usize) {
        if let Some(c) = self.counts.get(&provider) {
            c.fetch_add(n, Ordering::Relaxed);
        }
    }
    fn line(&self) -> String {
        self.counts
            .iter()
            .map(|(p, c)| format!("{} {}", p.display_name(), c.load(Ordering::Relaxed)))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// Exchange rates for the example: a fixed table. A host supplies its own
/// (`ExchangeRates`), e.g. Riksbanken's daily rates.
fn example_rates(period: &Period) -> FixedRates {
    let from = period.first() - time::Duration::days(62);
    FixedRates::new()
        .with(Currency::EUR, from, Decimal::new(114_000, 4))
        .with(Currency::USD, from, Decimal::new(104_500, 4))
        .with(Currency::NOK, from, Decimal::new(9_800, 4))
        .with(Currency::DKK, from, Decimal::new(15_280, 4))
        .with(Currency::GBP, from, Decimal::new(133_200, 4))
}

fn map(fetched: &Fetched, args: &Args) -> Journal {
    // The sandbox shop issues some invoices in its accounting program and
    // takes card payments of them through Stripe: those settle 1510.
    let policy = Policy::default()
        .with_granularity(args.granularity)
        .with_external_invoices(true);
    fetched.map(
        Chart::bas2025(),
        policy,
        example_rates(&args.period),
        args.period,
    )
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so
/// a reader never sees a partial file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn org_nr(args: &Args) -> String {
    args.org_nr
        .clone()
        .unwrap_or_else(|| "556677-8899".to_owned())
}

/// Writes the SIE file of `sie` (the whole journal, or the ledger's batch)
/// and the CSV and review of the whole `journal`.
fn write_outputs(
    journal: &Journal,
    sie: &Journal,
    args: &Args,
    today: Date,
) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;

    let mut export = SieExport::new(
        args.company
            .clone()
            .unwrap_or_else(|| "Kaffekompaniet i Göteborg AB".to_owned()),
        today,
    );
    export.org_nr = Some(org_nr(args));
    let document = sie.to_sie(&export);
    let sie = kassabok::sie::write(&document, &kassabok::sie::WriteOptions::default())
        .map_err(|e| format!("cannot write the SIE file: {e}"))?;
    write_atomically(&args.out.join("verifikationer.si"), &sie)?;

    let mut csv = Vec::new();
    journal.to_csv(&mut csv)?;
    write_atomically(&args.out.join("journal.csv"), &csv)?;

    write_atomically(
        &args.out.join("review.md"),
        journal.review_markdown().as_bytes(),
    )?;
    Ok(())
}

fn print_summary(journal: &Journal, fetched: &Fetched, run: &Run, args: &Args, elapsed: Duration) {
    println!();
    println!("kassabok month close, granularity {:?}", args.granularity);
    let fetched_line: Vec<String> = Provider::ALL
        .iter()
        .map(|p| {
            format!(
                "{} {} ({})",
                p.display_name(),
                fetched.records.get(p).copied().unwrap_or(0),
                run.origin.get(p).map_or("-", |o| o.label())
            )
        })
        .collect();
    println!("fetched records: {}", fetched_line.join(", "));
    println!("{}", journal.summary());
    println!(
        "all vouchers balanced: {}; coverage complete: {}",
        if journal.is_balanced() { "yes" } else { "NO" },
        if journal.coverage().is_complete() {
            "yes"
        } else {
            "no, see review.md"
        },
    );
    println!(
        "wrote {}/{{verifikationer.si, journal.csv, review.md}} in {:.1} s",
        args.out.display(),
        elapsed.as_secs_f64()
    );
}

/// Books the journal through the ledger: the SIE file holds the batch of
/// what was not exported before (without `#VER` when there is nothing new).
/// `KASSABOK_LEDGER_FAILPOINT` (`after-fetch`, `after-record`,
/// `after-deliver`) aborts the process there, to try a resume by hand.
async fn book(
    journal: &Journal,
    fetched: &Fetched,
    args: &Args,
    today: Date,
) -> Result<Option<CloseReport>, Box<dyn Error>> {
    let store = match &args.ledger {
        Ledger::Off => {
            write_outputs(journal, journal, args, today)?;
            return Ok(None);
        }
        Ledger::Sqlite(path) => SqlLedger::open_sqlite(path).await?,
        Ledger::Url(url) => SqlLedger::connect(url).await?,
    };
    let company = org_nr(args);
    for (provider, records) in &fetched.records {
        let progress = SourceProgress {
            source: provider.as_str().to_owned(),
            period: period_key(&args.period),
            records: i64::try_from(*records).unwrap_or(i64::MAX),
            cursor: None,
            complete: true,
        };
        store.record_progress(&company, &progress).await?;
    }
    let mut options = CloseOptions::new(&company, today);
    options.failpoint = env("KASSABOK_LEDGER_FAILPOINT").map(|step| Failpoint {
        step: match step.as_str() {
            "after-fetch" => Step::AfterFetch,
            "after-record" => Step::AfterRecord,
            _ => Step::AfterDeliver,
        },
        abort_process: true,
    });
    let report = close(&store, journal, &options, |batch| {
        write_outputs(journal, &batch.journal(), args, batch.generated)
            .map_err(|e| e.to_string().into())
    })
    .await?;
    if report.batch.is_none() {
        let nothing = Journal {
            vouchers: Vec::new(),
            accounts: Vec::new(),
            ..journal.clone()
        };
        write_outputs(journal, &nothing, args, today)?;
    }
    Ok(Some(report))
}

async fn run() -> Result<(), Box<dyn Error>> {
    let today = OffsetDateTime::now_utc().date();
    let args = Args::parse(std::env::args().skip(1), today)?;
    let started = Instant::now();

    let run = build_sources(args.period).await?;
    let sandboxed: Vec<&str> = run
        .origin
        .iter()
        .filter(|(_, o)| **o == Origin::Sandbox)
        .map(|(p, _)| p.display_name())
        .collect();
    if !sandboxed.is_empty() {
        eprintln!(
            "no credentials for {}: using the built-in sandbox (see README to use real accounts)",
            sandboxed.join(", ")
        );
    }

    // A progress line while fetching, on stderr so stdout stays the summary.
    let progress = Arc::new(Progress::new());
    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let progress = progress.clone();
        let done = done.clone();
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                eprint!("\rfetching {}  ", progress.line());
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            eprintln!("\rfetched  {}  ", progress.line());
        })
    };
    let fetched = fetch(&run.sources, &args.period, &|p, n| progress.add(p, n)).await;
    done.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    let fetched = fetched?;

    let journal = map(&fetched, &args);
    let ledger = book(&journal, &fetched, &args, today).await?;
    print_summary(&journal, &fetched, &run, &args, started.elapsed());
    match (&ledger, &args.ledger) {
        (Some(report), Ledger::Sqlite(path)) => println!("ledger {}: {report}", path.display()),
        (Some(report), _) => println!("ledger: {report}"),
        (None, _) => println!("no ledger: the SIE file holds the whole period"),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<UsageError>() => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("\nmonth_close: error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
