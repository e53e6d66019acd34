//! The main job: a month close across Shopify, Klarna, Stripe and PayPal.
//!
//! ```text
//! cargo run --example month_close -- [--from YYYY-MM-DD --to YYYY-MM-DD] [--out DIR]
//!     [--granularity document|day|payout] [--org-nr 556677-8899] [--company "Name AB"]
//!     [--provider-deadline SECS] [--deadline SECS]
//!     [--ledger PATH | --ledger-url postgres://… | --no-ledger]
//! ```
//!
//! A provider whose credentials are set in the environment is read from its
//! real API (or from `<PROVIDER>_API_BASE_URL`); a provider without them runs
//! against the embedded sandbox, so the command works on a fresh machine.
//! Foreign currencies are booked at the Riksbank's daily rates (SWEA API;
//! `RIKSBANK_API_BASE_URL`, `RIKSBANK_API_KEY`), the OSS return uses the
//! ECB's reference rates (`ECB_API_BASE_URL`); both are simulated too when
//! every provider is.
//! Writes `DIR/verifikationer.si` (SIE 4I), `DIR/journal.csv`,
//! `DIR/review.md`, `DIR/rates.csv` (every exchange rate used),
//! `DIR/oss.csv` (the OSS return), `DIR/ec_sales_list.csv`
//! and, per month, `DIR/periodisk_sammanstallning_YYMM.txt` (the EC sales
//! list in Skatteverket's SKV 574008 file format, contact from
//! `SKV_CONTACT_NAME`, `SKV_CONTACT_PHONE`, `SKV_CONTACT_EMAIL`), and prints a summary. Through the ledger (default
//! `target/kassabok/ledger.sqlite`) the SIE file holds only what was not
//! exported before: a second run of a month writes no `#VER`, and a voucher
//! changed at the provider after its export gets a reversal and a new
//! voucher. Each batch is also kept as `DIR/verifikationer-batch-NNNN.si`
//! (its number in the ledger), which no later run writes over: a batch not
//! imported before the next run is not lost. Exits 1 on an error it cannot handle
//! (bad credentials, an unreachable server), 2 on bad arguments. The files
//! are written as one set (`kassabok::output::write_set`): never partial,
//! never mixed with another close's into the same directory.

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kassabok::close::{Close, Record, Roles};
use kassabok::core::{Currency, PayoutRecord, Period, Provider, SalesRecord, StatementBatch};
use kassabok::deadline::Deadlines;
use kassabok::ledger::{
    CloseOptions, CloseReport, Failpoint, LedgerStore, Month, SourceProgress, SqlLedger, Step,
    close, period_key,
};
use kassabok::mapping::{Chart, Granularity, Journal, Policy, SieExport};
use kassabok::rates::{EcbClient, EcbRates, RatesError, RiksbankClient, RiksbankRates};
use kassabok::reports::{EcSalesList, OssReport, SkvReporter};
use provider_sandbox::rates::{EcbSandbox, RiksbankSandbox, start_ecb, start_riksbank};
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use time::{Date, OffsetDateTime, macros::format_description};

const USAGE: &str = "\
usage: month_close [--from YYYY-MM-DD --to YYYY-MM-DD] [--out DIR]
                   [--granularity document|day|payout] [--org-nr NNNNNN-NNNN] [--company NAME]
                   [--provider-deadline SECS] [--deadline SECS]
                   [--ledger PATH | --ledger-url postgres://USER@HOST/DB | --no-ledger]
                   [--locked-through YYYY-MM] [--preliminary]

Books a period (default: the last full month) from Shopify, Klarna, Stripe and PayPal.
Credentials come from the environment; with none at all, the built-in sandbox plays all four,
and with some, a provider without them is not read:
  SHOPIFY_SHOP, SHOPIFY_ACCESS_TOKEN       KLARNA_API_USERNAME, KLARNA_API_PASSWORD
  STRIPE_SECRET_KEY                        PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET
and <PROVIDER>_API_BASE_URL points a provider at another server.
Stripe dates a lost dispute only by its charge.dispute.closed event, which its Events API
lists for 30 days: STRIPE_DISPUTE_EVENTS names a directory of the events your webhook endpoint
stored (one request body per .json file), complete since STRIPE_DISPUTE_EVENTS_SINCE
(YYYY-MM-DD); without them, the days Stripe no longer lists are a review item.
Exchange rates: the Riksbank (RIKSBANK_API_BASE_URL, RIKSBANK_API_KEY) for booking,
the ECB (ECB_API_BASE_URL) for the OSS return. The EC sales list file for Skatteverket
needs SKV_CONTACT_NAME and SKV_CONTACT_PHONE (and optionally SKV_CONTACT_EMAIL).
A request that gets no answer fails within a minute; --provider-deadline (default 900 s) bounds
each provider and --deadline (default 1800 s) the whole fetch.
The ledger (default target/kassabok/ledger.sqlite) remembers what was exported: the SIE file
holds only new vouchers and corrections; --no-ledger writes the whole period every time.
A period that has not ended is refused; --preliminary books what there is so far, without
the ledger (its last day's vouchers change when it is run again). --locked-through locks the
period's months up to that one in the ledger (months closed in your books: a filed VAT return,
a closed year): whatever a run finds new or changed for them is dated in the first open month
after them, not in the closed month.";

/// The command line.
#[derive(Debug)]
struct Args {
    period: Period,
    out: PathBuf,
    granularity: Granularity,
    org_nr: Option<String>,
    company: Option<String>,
    deadlines: Deadlines,
    ledger: Ledger,
    /// `--preliminary`: a period that has not ended, without the ledger.
    preliminary: bool,
    /// `--locked-through`: the last month the accountant has closed.
    locked_through: Option<Month>,
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

fn parse_seconds(flag: &str, value: &str) -> Result<Duration, UsageError> {
    value
        .parse::<u64>()
        .ok()
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| UsageError(format!("{flag} takes whole seconds, not {value:?}")))
}

/// An organisation number as `NNNNNN-NNNN`, however it was typed
/// (`5566778899`, `556677-8899`): it names the company in the ledger, so
/// two spellings must not make two companies whose runs export the same
/// vouchers twice.
fn parse_org_nr(value: &str) -> Result<String, UsageError> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 10 || !value.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return Err(UsageError(format!(
            "--org-nr takes a Swedish organisation number, NNNNNN-NNNN, not {value:?}"
        )));
    }
    Ok(format!("{}-{}", &digits[..6], &digits[6..]))
}

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
        let mut deadlines = Deadlines::default();
        let mut ledger = Ledger::Sqlite(PathBuf::from("target/kassabok/ledger.sqlite"));
        let mut preliminary = false;
        let mut locked_through = None;
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
                "--org-nr" => org_nr = Some(parse_org_nr(&value()?)?),
                "--company" => company = Some(value()?),
                "--provider-deadline" => {
                    deadlines.provider = parse_seconds("--provider-deadline", &value()?)?;
                }
                "--deadline" => deadlines.run = parse_seconds("--deadline", &value()?)?,
                "--ledger" => ledger = Ledger::Sqlite(PathBuf::from(value()?)),
                "--ledger-url" => ledger = Ledger::Url(value()?),
                "--no-ledger" => ledger = Ledger::Off,
                "--preliminary" => preliminary = true,
                "--locked-through" => {
                    let v = value()?;
                    locked_through = Some(v.parse::<Month>().map_err(|_| {
                        UsageError(format!(
                            "--locked-through takes a month as YYYY-MM, not {v:?}"
                        ))
                    })?);
                }
                other => return Err(UsageError(format!("unknown argument {other:?}\n\n{USAGE}"))),
            }
        }
        let period = match (from, to) {
            (Some(f), Some(t)) => Period::new(f, t).map_err(|e| UsageError(e.to_string()))?,
            (None, None) => Period::previous_month(today).map_err(|e| UsageError(e.to_string()))?,
            _ => return Err(UsageError("--from and --to go together".to_owned())),
        };
        if preliminary {
            // What a look during the month books is not the month's: it
            // must not reach the accounting program as if it were.
            ledger = Ledger::Off;
        }
        Ok(Args {
            period,
            out,
            granularity,
            org_nr,
            company,
            deadlines,
            ledger,
            preliminary,
            locked_through,
        })
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The `charge.dispute.closed` events a webhook endpoint stored in `dir`,
/// one request body per `.json` file, complete since
/// `STRIPE_DISPUTE_EVENTS_SINCE` (a date; Stockholm midnight).
fn stored_stripe_events(dir: &str) -> Result<kassabok::stripe::DisputeDecisions, Box<dyn Error>> {
    let since = env("STRIPE_DISPUTE_EVENTS_SINCE")
        .ok_or("STRIPE_DISPUTE_EVENTS needs STRIPE_DISPUTE_EVENTS_SINCE (YYYY-MM-DD)")?;
    let since = Date::parse(&since, format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("STRIPE_DISPUTE_EVENTS_SINCE {since:?}: {e}"))?;
    let mut stored =
        kassabok::stripe::DisputeDecisions::new(kassabok::core::stockholm_midnight(since));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let body = std::fs::read(&file)?;
        // Other event types the endpoint stored are not dispute decisions.
        match stored.add_json(&body) {
            Ok(()) => {}
            Err(e) if e.field == "type" => {}
            Err(e) => return Err(format!("{}: {e}", file.display()).into()),
        }
    }
    Ok(stored)
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
    /// Shopify, Klarna, Stripe and PayPal, each in every role it plays.
    clients: Vec<Box<dyn Roles>>,
    origin: BTreeMap<Provider, Origin>,
    /// Kept alive for the run: the servers stop when it drops.
    _sandbox: Option<Sandbox>,
}

async fn build_sources(period: Period) -> Result<Run, Box<dyn Error>> {
    let shopify_creds = env("SHOPIFY_SHOP").zip(env("SHOPIFY_ACCESS_TOKEN"));
    let klarna_creds = env("KLARNA_API_USERNAME").zip(env("KLARNA_API_PASSWORD"));
    let stripe_creds = env("STRIPE_SECRET_KEY");
    let paypal_creds = env("PAYPAL_CLIENT_ID").zip(env("PAYPAL_CLIENT_SECRET"));

    // The sandbox plays all four providers when none has credentials (the
    // demonstration). With any real account, a provider without credentials
    // is not read at all: simulated data must never reach a real ledger,
    // and a provider not read keeps its vouchers there (a simulated one
    // would have them reversed as gone).
    let any_real = shopify_creds.is_some()
        || klarna_creds.is_some()
        || stripe_creds.is_some()
        || paypal_creds.is_some();
    let sandbox = if any_real {
        None
    } else {
        Some(Sandbox::start(&ScenarioConfig::small(period), Faults::none()).await)
    };
    let sb = sandbox.as_ref();
    let mut origin = BTreeMap::new();

    // Shopify: the sales report and Shopify Payments payouts.
    let shopify = 'shopify: {
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
            (None, None) => break 'shopify None,
        };
        if let Some(url) = env("SHOPIFY_API_BASE_URL") {
            b = b.base_url(url);
        }
        origin.insert(Provider::Shopify, o);
        Some(b.build()?)
    };

    // Klarna: settlements.
    let klarna = 'klarna: {
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
            (None, None) => break 'klarna None,
        };
        if let Some(url) = env("KLARNA_API_BASE_URL") {
            b = b.base_url(url);
        }
        origin.insert(Provider::Klarna, o);
        Some(b.build()?)
    };

    // Stripe: payouts and Stripe Invoicing.
    let stripe = 'stripe: {
        use kassabok::stripe::StripeClient;
        let (mut b, o) = match (&stripe_creds, sb) {
            (Some(key), _) => (StripeClient::builder(key.clone()), Origin::Real),
            (None, Some(s)) => (
                StripeClient::builder(s.stripe.secret_key()).base_url(s.stripe.uri()),
                Origin::Sandbox,
            ),
            (None, None) => break 'stripe None,
        };
        if let Some(url) = env("STRIPE_API_BASE_URL") {
            b = b.base_url(url);
        }
        origin.insert(Provider::Stripe, o);
        let stripe = kassabok::stripe::StripeSource::new(b.build()?);
        Some(match (o, sb) {
            // The sandbox shop stores its webhook events: Stripe's Events API
            // lists a dispute's decision only for 30 days.
            (Origin::Sandbox, Some(s)) => {
                let mut stored = kassabok::stripe::DisputeDecisions::new(
                    kassabok::core::stockholm_midnight(period.first()) - time::Duration::days(365),
                );
                for body in s.stripe.webhook_events() {
                    stored.add_json(&body)?;
                }
                stripe.dispute_decisions(stored)
            }
            _ => match env("STRIPE_DISPUTE_EVENTS") {
                Some(dir) => stripe.dispute_decisions(stored_stripe_events(&dir)?),
                None => stripe,
            },
        })
    };

    // PayPal: the account, like a bank account.
    let paypal = 'paypal: {
        use kassabok::paypal::PayPalClient;
        let (mut b, o) = match (&paypal_creds, sb) {
            (Some((id, secret)), _) => (
                PayPalClient::builder(id.clone(), secret.clone()),
                Origin::Real,
            ),
            (None, Some(s)) => (
                PayPalClient::builder(s.paypal.client_id(), s.paypal.client_secret())
                    .base_url(s.paypal.uri()),
                Origin::Sandbox,
            ),
            (None, None) => break 'paypal None,
        };
        if let Some(url) = env("PAYPAL_API_BASE_URL") {
            b = b.base_url(url);
        }
        origin.insert(Provider::PayPal, o);
        Some(b.build()?)
    };

    let mut clients: Vec<Box<dyn Roles>> = Vec::new();
    clients.extend(shopify.map(|c| Box::new(c) as Box<dyn Roles>));
    clients.extend(klarna.map(|c| Box::new(c) as Box<dyn Roles>));
    clients.extend(stripe.map(|c| Box::new(c) as Box<dyn Roles>));
    clients.extend(paypal.map(|c| Box::new(c) as Box<dyn Roles>));
    Ok(Run {
        clients,
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

/// The exchange rates of a run: the Riksbank's for booking, the ECB's for
/// the OSS return.
struct Rates {
    riksbank: RiksbankRates,
    ecb: EcbRates,
    origin: Origin,
    /// Kept alive for the run: the servers stop when they drop.
    _sandbox: Option<(RiksbankSandbox, EcbSandbox)>,
}

/// The simulated Riksbank and ECB when every provider is simulated, the real
/// ones otherwise; `RIKSBANK_API_BASE_URL` / `ECB_API_BASE_URL` override both.
async fn build_rates(period: Period, sandboxed: bool) -> Result<Rates, Box<dyn Error>> {
    let sandbox = if sandboxed {
        // The simulated publishers publish until well after the period.
        let until = period.last() + time::Duration::days(40);
        Some((
            start_riksbank(until, Faults::none()).await,
            start_ecb(until, Faults::none()).await,
        ))
    } else {
        None
    };
    let mut riksbank = RiksbankClient::builder();
    let mut ecb = EcbClient::builder();
    if let Some((rb, e)) = &sandbox {
        riksbank = riksbank.base_url(rb.uri());
        ecb = ecb.base_url(e.uri());
    }
    let rb_url = env("RIKSBANK_API_BASE_URL");
    let ecb_url = env("ECB_API_BASE_URL");
    if let Some(url) = &rb_url {
        riksbank = riksbank.base_url(url.clone());
    }
    if let Some(key) = env("RIKSBANK_API_KEY") {
        riksbank = riksbank.api_key(key);
    }
    if let Some(url) = &ecb_url {
        ecb = ecb.base_url(url.clone());
    }
    let origin = if sandbox.is_some() && rb_url.is_none() {
        Origin::Sandbox
    } else {
        Origin::Real
    };
    Ok(Rates {
        riksbank: RiksbankRates::new(riksbank.build()?),
        ecb: EcbRates::new(ecb.build()?),
        origin,
        _sandbox: sandbox,
    })
}

/// Fetches the Riksbank's rates for `currency`, the first time a record in
/// it comes in, from two months before the period (payouts settle earlier
/// sales) to the days after it (payouts arrive later). A currency the
/// Riksbank does not publish is left out: its amounts go to review.
async fn prefetch_rate(
    riksbank: &RiksbankRates,
    currency: Currency,
    period: Period,
) -> Result<(), Box<dyn Error + Send + Sync>> {
    let from = period.first() - time::Duration::days(62);
    // Nothing is published after today (the Riksbank's, Stockholm's); a
    // later date would only be refused.
    let today = kassabok::core::stockholm_date(OffsetDateTime::now_utc());
    let to = (period.last() + time::Duration::days(31))
        .min(today)
        .max(from);
    match riksbank.prefetch([currency], from, to).await {
        Ok(()) => Ok(()),
        Err(RatesError::UnknownCurrency { .. }) => {
            eprintln!("the Riksbank publishes no {currency} rate: {currency} amounts go to review");
            Ok(())
        }
        Err(e) => Err(format!("cannot fetch the Riksbank's exchange rates: {e}").into()),
    }
}

/// What the run keeps beside the journal, gathered as the records stream
/// past: the sales (the OSS return and the EC sales list read them) and the
/// providers' own conversions (rates.csv).
#[derive(Default)]
struct Kept {
    sales: Vec<SalesRecord>,
    provider_rates: String,
}

impl Kept {
    fn keep(&mut self, record: Record<'_>) {
        match record {
            Record::Sale(sale) => self.sales.push(sale.clone()),
            Record::Payout(PayoutRecord::Payout(p)) => payout_rates(p, &mut self.provider_rates),
            Record::Statements(batch) => statement_rates(batch, &mut self.provider_rates),
            _ => {}
        }
    }
}

/// Streams the period from every client into the journal, with a progress
/// line on stderr while it runs.
async fn close_period(
    run: &Run,
    args: &Args,
    rates: &Rates,
) -> Result<(kassabok::Closed, Kept), Box<dyn Error>> {
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
    // The sandbox shop issues some invoices in its accounting program and
    // takes card payments of them through Stripe: those settle 1510.
    let policy = Policy::default()
        .with_granularity(args.granularity)
        .with_external_invoices(true);
    let mut kept = Kept::default();
    let mut close = Close::new(args.period);
    if args.preliminary {
        close = close.preliminary();
    }
    for client in &run.clients {
        close = close.source(client.as_ref());
    }
    let closed = close
        .chart(Chart::bas2025())
        .policy(policy)
        .rates(&rates.riksbank)
        .prepare_rates(|currency| prefetch_rate(&rates.riksbank, currency, args.period))
        .deadlines(args.deadlines)
        .progress(|p, n| progress.add(p, n))
        .inspect(|record| kept.keep(record))
        .run()
        .await;
    done.store(true, Ordering::Relaxed);
    let _ = ticker.await;
    Ok((closed?, kept))
}

/// The OSS return and the EC sales list of the period. Their review items
/// join the journal's, so review.md lists them. A sale or refund the journal
/// did not book because another provider's record of it was booked is left
/// out of them too, so each purchase is reported once.
async fn reports(
    sales: &[SalesRecord],
    args: &Args,
    rates: &Rates,
    journal: &mut Journal,
) -> (OssReport, EcSalesList) {
    let once: Vec<SalesRecord>;
    let sales = if journal.booked_elsewhere.is_empty() {
        sales
    } else {
        once = sales
            .iter()
            .filter(|r| !journal.is_booked_elsewhere(r))
            .cloned()
            .collect();
        &once
    };
    for (currency, day) in OssReport::rates_needed(args.period, sales) {
        if let Err(e) = rates.ecb.oss_rate(currency, day).await {
            eprintln!("OSS return: {e}");
        }
    }
    let oss = OssReport::build(args.period, sales, &rates.ecb);
    let ec = EcSalesList::build(args.period, sales, &rates.riksbank);
    journal.review.extend(oss.review.iter().cloned());
    journal.review.extend(ec.review.iter().cloned());
    (oss, ec)
}

/// rates.csv: every exchange rate the journal's foreign amounts were
/// booked at. The Riksbank's with the day asked for and the day published;
/// the providers' own conversions (`provider_rates`, gathered by
/// [`payout_rates`] and [`statement_rates`]) with the object.
fn rates_used(rates: &Rates, provider_rates: &str) -> Vec<u8> {
    let mut w = String::new();
    w.push_str("source,currency,date,published,sek_per_unit,object\n");
    for (currency, day, published, rate) in rates.riksbank.used() {
        w.push_str(&format!(
            "riksbank,{currency},{day},{published},{rate},SEK{currency}PMI\n"
        ));
    }
    w.push_str(provider_rates);
    w.into_bytes()
}

/// rates.csv rows of a payout: Stripe's `exchange_rate` on a balance
/// transaction settled in SEK.
fn payout_rates(p: &kassabok::core::Payout, w: &mut String) {
    for l in &p.lines {
        if let (Some(original), Some(rate)) = (l.original, l.exchange_rate)
            && l.gross.currency() == Currency::SEK
        {
            let day = kassabok::core::stockholm_date(l.occurred_at);
            w.push_str(&format!(
                "{},{},{day},{day},{rate},{}\n",
                p.provider.as_str(),
                original.currency(),
                csv_field(&l.source.to_string())
            ));
        }
    }
}

/// rates.csv rows of a statement batch: each PayPal currency conversion
/// into SEK.
fn statement_rates(batch: &StatementBatch, w: &mut String) {
    use kassabok::core::StatementClass;
    let conversions = || {
        batch
            .statements
            .iter()
            .flat_map(|s| &s.lines)
            .filter(|l| l.class == StatementClass::Conversion)
    };
    // The SEK side of each conversion by its id and by the side it names
    // (the client pairs them both ways): one lookup per foreign side, not a
    // scan of the month's lines.
    let (mut by_id, mut by_named) = (HashMap::new(), HashMap::new());
    for l in conversions().filter(|l| l.amount.currency() == Currency::SEK) {
        by_id.entry(&l.source).or_insert(l);
        if let Some(other) = &l.related {
            by_named.entry(other).or_insert(l);
        }
    }
    for foreign in conversions().filter(|l| l.amount.currency() != Currency::SEK) {
        let sek = foreign
            .related
            .as_ref()
            .and_then(|r| by_id.get(r))
            .or_else(|| by_named.get(&foreign.source));
        if let Some(sek) = sek
            && !foreign.amount.is_zero()
        {
            let rate = (sek.amount.amount() / foreign.amount.amount())
                .abs()
                .round_dp(6);
            let day = kassabok::core::stockholm_date(foreign.booked_at);
            w.push_str(&format!(
                "paypal,{},{day},{day},{rate},{}\n",
                foreign.amount.currency(),
                csv_field(&format!("{} {}", foreign.source, sek.source))
            ));
        }
    }
}

/// A CSV field, quoted when it must be (provider ids are provider data).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A file of the output set: its name in `--out` and its content.
type OutputFile = (String, Vec<u8>);

/// oss.csv, ec_sales_list.csv and, with a contact for Skatteverket, the EC
/// sales list file per month.
fn report_files(
    oss: &OssReport,
    ec: &EcSalesList,
    args: &Args,
    sandboxed: bool,
) -> Result<Vec<OutputFile>, Box<dyn Error>> {
    let mut files = Vec::new();
    let mut csv = Vec::new();
    oss.to_csv(&mut csv)?;
    files.push(("oss.csv".to_owned(), csv));
    let mut csv = Vec::new();
    ec.to_csv(&mut csv)?;
    files.push(("ec_sales_list.csv".to_owned(), csv));

    // The sandbox company has a made-up contact; a real one must say who answers.
    let contact = env("SKV_CONTACT_NAME")
        .zip(env("SKV_CONTACT_PHONE"))
        .or_else(|| sandboxed.then(|| ("Anna Andersson".to_owned(), "031-123456".to_owned())));
    let vat_number =
        SkvReporter::vat_number_from_org_nr(args.org_nr.as_deref().unwrap_or("556677-8899"));
    match (contact, vat_number) {
        (Some((contact_name, phone)), Some(vat_number)) => {
            let reporter = SkvReporter {
                vat_number,
                contact_name,
                phone,
                email: env("SKV_CONTACT_EMAIL"),
            };
            for month in ec.months() {
                let name = format!("periodisk_sammanstallning_{}.txt", month.skv_code());
                let file = ec.to_skv574008(month, &reporter)?;
                files.push((name, file.into_bytes()));
            }
        }
        _ if !ec.rows.is_empty() => eprintln!(
            "EC sales list: set SKV_CONTACT_NAME and SKV_CONTACT_PHONE (and --org-nr) to write the file for Skatteverket"
        ),
        _ => {}
    }
    Ok(files)
}

fn org_nr(args: &Args) -> String {
    args.org_nr
        .clone()
        .unwrap_or_else(|| "556677-8899".to_owned())
}

/// verifikationer.si of `sie` (the whole journal, or the ledger's batch),
/// and journal.csv and review.md of the whole `journal`.
fn journal_files(
    journal: &Journal,
    sie: &Journal,
    args: &Args,
    today: Date,
) -> Result<Vec<OutputFile>, Box<dyn Error>> {
    let mut export = SieExport::new(
        args.company
            .clone()
            .unwrap_or_else(|| "Kaffekompaniet i Göteborg AB".to_owned()),
        today,
    );
    export.org_nr = Some(org_nr(args));
    // `to_sie` has already replaced what CP437 cannot hold in provider text
    // (and the journal lists each such voucher for review), so the strict
    // writer only refuses what we were given here: a company name it cannot
    // write is an error to fix, not a text to alter.
    let document = sie.to_sie(&export);
    let sie = kassabok::sie::write(&document, &kassabok::sie::WriteOptions::default())
        .map_err(|e| format!("cannot write the SIE file: {e}"))?;

    let mut csv = Vec::new();
    journal.to_csv(&mut csv)?;
    Ok(vec![
        ("verifikationer.si".to_owned(), sie),
        ("journal.csv".to_owned(), csv),
        (
            "review.md".to_owned(),
            journal.review_markdown().into_bytes(),
        ),
    ])
}

fn print_summary(
    journal: &Journal,
    records: &BTreeMap<Provider, usize>,
    run: &Run,
    args: &Args,
    reports: &[String],
    elapsed: Duration,
) {
    println!();
    println!("kassabok month close, granularity {:?}", args.granularity);
    let fetched_line: Vec<String> = Provider::ALL
        .iter()
        .map(|p| {
            format!(
                "{} {} ({})",
                p.display_name(),
                records.get(p).copied().unwrap_or(0),
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
        "wrote {}/{{verifikationer.si, journal.csv, review.md, {}}} in {:.1} s",
        args.out.display(),
        reports.join(", "),
        elapsed.as_secs_f64()
    );
}
/// Writes the journal files of `sie` with the other `files` as one set: a
/// concurrent close into the same directory waits its turn, and no planted
/// symlink is followed.
fn write_outputs(
    journal: &Journal,
    sie: &Journal,
    batch: Option<i64>,
    files: &[OutputFile],
    args: &Args,
    today: Date,
) -> Result<(), Box<dyn Error>> {
    let mut journal_files = journal_files(journal, sie, args, today)?;
    // The ledger's batch is also kept under its own number: the next run
    // writes verifikationer.si anew (without `#VER` when nothing is new), and
    // a batch not yet imported must not be lost with it.
    if let Some(number) = batch {
        let sie = journal_files[0].1.clone();
        journal_files.push((format!("verifikationer-batch-{number:04}.si"), sie));
    }
    let set: Vec<(&str, &[u8])> = journal_files
        .iter()
        .chain(files)
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    kassabok::output::write_set(&args.out, &set)?;
    Ok(())
}

/// Books the journal through the ledger: the SIE file holds the batch of
/// what was not exported before (without `#VER` when there is nothing new),
/// written with `files` as one set.
/// `KASSABOK_LEDGER_FAILPOINT` (`after-fetch`, `after-record`,
/// `after-deliver`) aborts the process there, to try a resume by hand.
async fn book(
    journal: &Journal,
    records: &BTreeMap<Provider, usize>,
    files: &[OutputFile],
    args: &Args,
    today: Date,
    fetched_at: OffsetDateTime,
) -> Result<Option<CloseReport>, Box<dyn Error>> {
    let store = match &args.ledger {
        Ledger::Off => {
            write_outputs(journal, journal, None, files, args, today)?;
            return Ok(None);
        }
        Ledger::Sqlite(path) => SqlLedger::open_sqlite(path).await?,
        Ledger::Url(url) => SqlLedger::connect(url).await?,
    };
    let company = org_nr(args);
    for (provider, records) in records {
        let progress = SourceProgress {
            source: provider.as_str().to_owned(),
            period: period_key(&args.period),
            records: i64::try_from(*records).unwrap_or(i64::MAX),
            cursor: None,
            complete: true,
        };
        store.record_progress(&company, &progress).await?;
    }
    if let Some(through) = args.locked_through {
        // The months of the period the accountant has closed: a correction
        // of a voucher dated in one goes to the first open month after it
        // (the ledger's rule), not into a filed VAT period or closed year.
        let mut month = Month::of(args.period.first());
        while month <= through && month <= Month::of(args.period.last()) {
            store.lock_month(&company, month).await?;
            month = month.next();
        }
    }
    let mut options = CloseOptions::new(&company, today).fetched_at(fetched_at);
    options.failpoint = env("KASSABOK_LEDGER_FAILPOINT").map(|step| Failpoint {
        step: match step.as_str() {
            "after-fetch" => Step::AfterFetch,
            "after-record" => Step::AfterRecord,
            _ => Step::AfterDeliver,
        },
        abort_process: true,
    });
    let report = close(&store, journal, &options, |batch| {
        write_outputs(
            journal,
            &batch.journal(),
            Some(batch.number),
            files,
            args,
            batch.generated,
        )
        .map_err(|e| e.to_string().into())
    })
    .await?;
    if let Some(batch) = report
        .batch
        .as_ref()
        .filter(|b| report.resumed && b.period != args.period)
    {
        // An earlier run of another period left its batch pending, and this
        // run delivered it instead of booking its own period (one run, one
        // file): exit as a failure, or the period asked for would pass as
        // booked, and its month never be exported.
        return Err(format!(
            "delivered batch {} of {}, which an earlier run left pending (its SIE file is \
             verifikationer-batch-{:04}.si); {} was not booked: run again",
            batch.number, batch.period, batch.number, args.period
        )
        .into());
    }
    if report.batch.is_none() {
        let nothing = Journal {
            vouchers: Vec::new(),
            accounts: Vec::new(),
            ..journal.clone()
        };
        write_outputs(journal, &nothing, None, files, args, today)?;
    }
    Ok(Some(report))
}

async fn run() -> Result<(), Box<dyn Error>> {
    // Stockholm's date: at 00:30 on the 1st there, the UTC date is still the
    // month before's last day, and "the previous month" would be one too early.
    let today = kassabok::core::stockholm_date(OffsetDateTime::now_utc());
    let args = Args::parse(std::env::args().skip(1), today)?;
    let started = Instant::now();

    let run = build_sources(args.period).await?;
    let sandboxed: Vec<&str> = run
        .origin
        .iter()
        .filter(|(_, o)| **o == Origin::Sandbox)
        .map(|(p, _)| p.display_name())
        .collect();
    let unread: Vec<&str> = Provider::ALL
        .iter()
        .filter(|p| !run.origin.contains_key(p))
        .map(|p| p.display_name())
        .collect();
    if !sandboxed.is_empty() {
        eprintln!(
            "no credentials for {}: using the built-in sandbox (see README to use real accounts)",
            sandboxed.join(", ")
        );
    }
    if !unread.is_empty() {
        eprintln!(
            "no credentials for {}: not read (what the ledger holds of it is kept)",
            unread.join(", ")
        );
    }

    // Real data needs the real rates: the simulated publishers only when
    // every provider is simulated.
    let sandboxed_rates = run.origin.values().all(|o| *o == Origin::Sandbox);
    if !sandboxed_rates && args.org_nr.is_none() && !matches!(args.ledger, Ledger::Off) {
        // The ledger keys everything by the company: real books under the
        // demonstration's number would be shared with any other shop that
        // left it out, and each would reverse the other's vouchers.
        return Err(
            "--org-nr is needed with real accounts and a ledger: it names the company \
                    the ledger keeps apart (or run with --no-ledger)"
                .into(),
        );
    }
    let rates = build_rates(args.period, sandboxed_rates).await?;
    // When the providers were read: a slower run of the same month that
    // read before a newer export must not undo it (`CloseError::Stale`).
    let fetched_at = OffsetDateTime::now_utc();
    let (closed, kept) = close_period(&run, &args, &rates).await?;
    let mut journal = closed.journal;
    let (oss, ec) = reports(&kept.sales, &args, &rates, &mut journal).await;
    let mut files = report_files(&oss, &ec, &args, sandboxed_rates)?;
    files.push((
        "rates.csv".to_owned(),
        rates_used(&rates, &kept.provider_rates),
    ));
    let written: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    let ledger = book(&journal, &closed.records, &files, &args, today, fetched_at).await?;
    println!(
        "exchange rates: the Riksbank's for booking, the ECB's for the OSS return ({})",
        rates.origin.label()
    );
    print_summary(
        &journal,
        &closed.records,
        &run,
        &args,
        &written,
        started.elapsed(),
    );
    match (&ledger, &args.ledger) {
        (Some(report), Ledger::Sqlite(path)) => println!("ledger {}: {report}", path.display()),
        (Some(report), _) => println!("ledger: {report}"),
        (None, _) => println!("no ledger: the SIE file holds the whole period"),
    }
    if let Some(batch) = ledger.as_ref().and_then(|r| r.batch.as_ref()) {
        println!(
            "the batch is kept as {}/verifikationer-batch-{:04}.si too: import it if verifikationer.si was written over",
            args.out.display(),
            batch.number
        );
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
            // Provider text (an error body) is stripped of escape sequences,
            // and each cause is printed once.
            eprintln!(
                "\nmonth_close: error: {}",
                kassabok::core::text::error_report(e.as_ref())
            );
            ExitCode::FAILURE
        }
    }
}
