//! A close through the ledger: export only what was not exported before,
//! correct what changed with new vouchers, resume a stopped run.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::error::Error;
use std::fmt;

use bookkeeping_core::{Period, Provider};
use journal_mapping::{Coverage, Journal, Posting, Review, SourceList, Voucher, VoucherId};
use time::{Date, OffsetDateTime};

use crate::hash::{booking_hash, derived_id, same_booking};
use crate::month::Month;
use crate::store::{Batch, BatchVoucher, Booked, LedgerError, LedgerStore, Role};

/// A step of [`close`] where a test stops the run, as a crash would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// The journal is mapped; the ledger is not touched yet.
    AfterFetch,
    /// The batch is recorded; its file is not delivered.
    AfterRecord,
    /// The file is delivered; the ledger does not know it yet.
    AfterDeliver,
}

/// Where and how a run is stopped on purpose (crash tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failpoint {
    /// Where.
    pub step: Step,
    /// `true`: abort the process there, like `kill -9`; `false`: return
    /// [`CloseError::Stopped`] without finishing anything.
    pub abort_process: bool,
}

/// What a close needs besides the journal.
#[derive(Debug, Clone)]
pub struct CloseOptions {
    /// The company (org number) whose books these are.
    pub company: String,
    /// The `#GEN` date of a new batch's file.
    pub generated: Date,
    /// The longest voucher text (the policy's text limit; SIE importers take 50).
    pub text_limit: usize,
    /// Stop the run at a step (tests).
    pub failpoint: Option<Failpoint>,
    /// When the run began reading the providers. A run whose data was read
    /// before that of a batch already exported for an overlapping period
    /// (two closes of one month at once, the slower one last) is refused
    /// ([`CloseError::Stale`]): its older journal would reverse what the
    /// newer one booked. `None`: not checked, and not noted.
    pub fetched_at: Option<OffsetDateTime>,
}

impl CloseOptions {
    /// Options for a company's run generated on `generated`.
    pub fn new(company: impl Into<String>, generated: Date) -> Self {
        CloseOptions {
            company: company.into(),
            generated,
            text_limit: 50,
            failpoint: None,
            fetched_at: None,
        }
    }

    /// The instant the run began reading the providers (see
    /// [`fetched_at`](Self::fetched_at)).
    #[must_use]
    pub fn fetched_at(mut self, at: OffsetDateTime) -> Self {
        self.fetched_at = Some(at);
        self
    }
}

/// Why a close failed. Whatever the step, running the close again finishes
/// the work without duplicating or losing a voucher.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloseError {
    /// The ledger failed (or another worker holds the company).
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Delivering the batch's file failed; the batch stays pending and the
    /// next run delivers it first.
    #[error(
        "ledger: batch {batch} of company {company} is recorded but its delivery failed: {source}"
    )]
    Deliver {
        /// The company.
        company: String,
        /// The batch number.
        batch: i64,
        /// Why.
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },
    /// A failpoint stopped the run.
    #[error("ledger: stopped at {0:?} (failpoint)")]
    Stopped(Step),
    /// The run's data was read before that of a batch already exported for
    /// an overlapping period: booking it would undo the newer export.
    #[error(
        "ledger: company {company}: this run read its data at {}, before a run that exported data read at {} for an overlapping period; nothing was exported: run the close again",
        rfc3339(.fetched_at),
        rfc3339(.newer)
    )]
    Stale {
        /// The company.
        company: String,
        /// When this run read its data.
        fetched_at: OffsetDateTime,
        /// When the newer export's run read its data.
        newer: OffsetDateTime,
    },
}

fn rfc3339(at: &OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// What a close did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CloseReport {
    /// Journal vouchers exported for the first time.
    pub new: usize,
    /// Of those, dated in the next open month because their own was locked.
    pub moved: usize,
    /// Journal vouchers that changed after export: one reversal and one new
    /// voucher each.
    pub corrected: usize,
    /// Exported journal vouchers that are gone from the source: one reversal each.
    pub reversed: usize,
    /// Journal vouchers exported before and unchanged: not exported again.
    pub unchanged: usize,
    /// The batch this run delivered, if any.
    pub batch: Option<Batch>,
    /// Whether that batch was recorded by an earlier run that stopped before
    /// delivering it. Such a run delivers only that batch (one run, one
    /// file); the counts are then the batch's, and the next run exports
    /// whatever changed since.
    pub resumed: bool,
}

impl fmt::Display for CloseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} new vouchers, {} corrected (reversal + new voucher), {} reversed, {} already exported",
            self.new, self.corrected, self.reversed, self.unchanged
        )?;
        if self.moved > 0 {
            write!(f, "; {} dated in the next open month", self.moved)?;
        }
        match &self.batch {
            Some(b) if self.resumed => write!(
                f,
                "; delivered batch {} ({} vouchers) left by a stopped run: run again for anything newer",
                b.number,
                b.vouchers.len()
            ),
            Some(b) => write!(f, "; batch {} with {} vouchers", b.number, b.vouchers.len()),
            None => write!(f, "; no new batch"),
        }
    }
}

impl CloseReport {
    fn of_resumed(batch: Batch) -> Self {
        let count = |role| batch.vouchers.iter().filter(|v| v.role == role).count();
        let corrected = count(Role::Replacement);
        CloseReport {
            new: count(Role::Original),
            corrected,
            reversed: count(Role::Reversal).saturating_sub(corrected),
            batch: Some(batch),
            resumed: true,
            ..CloseReport::default()
        }
    }
}

impl Batch {
    /// The batch as a journal of its own, for the SIE file
    /// (`journal.to_sie(..)`) or the CSV.
    pub fn journal(&self) -> Journal {
        Journal {
            period: self.period,
            series: self.series.clone(),
            vouchers: self.vouchers.iter().map(|v| v.voucher.clone()).collect(),
            reconciliations: Vec::new(),
            outstanding: Vec::new(),
            booked_lines: SourceList::default(),
            booked_elsewhere: Default::default(),
            review: Review::default(),
            coverage: Coverage {
                period: self.period,
                providers: Vec::new(),
                needed: Vec::new(),
            },
            accounts: self.accounts.clone(),
            // The accounts' names already say which are kassabok's own.
            own_accounts: Vec::new(),
            rounding: Vec::new(),
            totals: Vec::new(),
        }
    }
}

fn cut(text: String, limit: usize) -> String {
    if text.chars().count() <= limit {
        text
    } else {
        text.chars().take(limit).collect()
    }
}

/// Where a voucher of `date` goes: its own date while its month is open,
/// else the first day of the first open month after it.
fn open_date(date: Date, locked: &BTreeSet<Month>) -> Date {
    let own = Month::of(date);
    let mut month = own;
    while locked.contains(&month) {
        month = month.next();
    }
    if month == own {
        date
    } else {
        month.first_day()
    }
}

fn reversal(booked: &Booked, n: i64, date: Date, limit: usize) -> Voucher {
    let mut v = booked.current.clone();
    v.id = VoucherId(derived_id(&booked.source_id, "reversal", n));
    v.date = date;
    v.text = cut(
        format!("Återföring av {}: {}", booked.source_id, v.text),
        limit,
    );
    v.postings = booked
        .current
        .postings
        .iter()
        .map(|p| Posting {
            amount: -p.amount,
            foreign: p.foreign.map(|m| m.negated()),
            ..p.clone()
        })
        .collect();
    v
}

/// What a run exports given what the books hold.
fn plan(
    journal: &Journal,
    booked: Vec<Booked>,
    locked: &BTreeSet<Month>,
    limit: usize,
) -> (CloseReport, Vec<BatchVoucher>) {
    let mut report = CloseReport::default();
    let mut out = Vec::new();
    let mut booked: BTreeMap<String, Booked> = booked
        .into_iter()
        .map(|b| (b.source_id.clone(), b))
        .collect();
    let mut seen = HashSet::new();
    for v in &journal.vouchers {
        let hash = booking_hash(v);
        let id = v.id.as_str();
        seen.insert(id.to_owned());
        let date = open_date(v.date, locked);
        let entry = |voucher: Voucher, role, content_hash: &str| BatchVoucher {
            voucher,
            source_id: id.to_owned(),
            source_date: v.date,
            role,
            content_hash: content_hash.to_owned(),
        };
        match booked.remove(id) {
            None => {
                let mut first = v.clone();
                if date != v.date {
                    report.moved += 1;
                    first.date = date;
                    first.text = cut(format!("Avser {}: {}", v.date, v.text), limit);
                }
                report.new += 1;
                out.push(entry(first, Role::Original, &hash));
            }
            Some(b)
                if b.content_hash
                    .as_deref()
                    .is_some_and(|h| same_booking(h, v)) =>
            {
                report.unchanged += 1;
            }
            Some(b) => {
                report.corrected += 1;
                let mut n = b.exports;
                if let Some(old_hash) = &b.content_hash {
                    let r = reversal(&b, n, open_date(b.current.date, locked), limit);
                    out.push(entry(r, Role::Reversal, old_hash));
                    n += 1;
                }
                let mut new = v.clone();
                new.id = VoucherId(derived_id(id, "replacement", n));
                new.date = date;
                new.text = cut(format!("Rättelse av {id}: {}", v.text), limit);
                out.push(entry(new, Role::Replacement, &hash));
            }
        }
    }
    // Booked in this period, still on the books, gone from the source: a
    // provider the journal read (its coverage lists every provider read,
    // records or not) no longer gives it. A voucher of a provider this run
    // did not read at all (a job per provider, a key left out) is not gone;
    // reversing it would reverse a whole provider's month.
    let read: BTreeSet<Provider> = journal.coverage.providers.iter().map(|(p, _)| *p).collect();
    for b in booked.into_values() {
        let Some(old_hash) = b.content_hash.clone() else {
            continue;
        };
        if !journal.period.contains_date(b.source_date)
            || seen.contains(&b.source_id)
            || !read.contains(&b.current.provider)
        {
            continue;
        }
        report.reversed += 1;
        let r = reversal(&b, b.exports, open_date(b.current.date, locked), limit);
        out.push(BatchVoucher {
            voucher: r,
            source_id: b.source_id.clone(),
            source_date: b.source_date,
            role: Role::Reversal,
            content_hash: old_hash,
        });
    }
    (report, out)
}

/// The accounts the vouchers use that the journal names. An account only a
/// reversal or replacement uses (a voucher of an earlier run, gone or
/// changed) is not among the journal's; it was named in the batch that first
/// exported it, and an `#KONTO` with a made-up name would rename the firm's
/// account on import, so it gets none.
fn accounts_used(journal: &Journal, vouchers: &[BatchVoucher]) -> Vec<(String, String)> {
    let names: BTreeMap<&str, &str> = journal
        .accounts
        .iter()
        .map(|(n, name)| (n.as_str(), name.as_str()))
        .collect();
    let used: BTreeSet<&str> = vouchers
        .iter()
        .flat_map(|v| v.voucher.postings.iter().map(|p| p.account.as_str()))
        .collect();
    used.into_iter()
        .filter_map(|n| names.get(n).map(|name| (n.to_owned(), (*name).to_owned())))
        .collect()
}

fn failpoint(options: &CloseOptions, step: Step) -> Result<(), CloseError> {
    match options.failpoint {
        Some(f) if f.step == step && f.abort_process => std::process::abort(),
        Some(f) if f.step == step => Err(CloseError::Stopped(step)),
        _ => Ok(()),
    }
}

/// Closes a journal through the ledger: exports as one batch what the books
/// do not hold yet, or, when a stopped run left a batch recorded but not
/// delivered, delivers that batch (and nothing else: one run, one file).
///
/// - a journal voucher exported before and unchanged is not exported again;
/// - a new one is exported (dated in the next open month if its own is locked);
/// - a changed one gets a reversal of what was booked and a new voucher, both
///   naming its id in their text and dated in the first open month (BFL 5 kap.:
///   a booked voucher is never changed, a correction is a new voucher);
/// - one booked in this period and gone from the source is reversed: from
///   the data of a provider the journal read (its coverage lists every
///   provider read; `kassabok::close` marks them, a host mapping records
///   itself calls `Mapper::source_read`). A provider the run did not read
///   keeps its vouchers.
///
/// `deliver` writes the batch's file (or hands it over). It must be
/// idempotent per batch number: after a crash between delivering and
/// recording the delivery, the next run delivers the same batch, with the
/// same bytes, again. Writing to a fixed path through a temporary file and a
/// rename is.
///
/// The company's lock is held from reading the books to recording the
/// delivery, so two workers on one company never export the same voucher;
/// fetching and mapping happen before, in parallel.
///
/// # Errors
/// [`CloseError`]; whatever it is, running the close again resumes.
pub async fn close<D>(
    store: &dyn LedgerStore,
    journal: &Journal,
    options: &CloseOptions,
    mut deliver: D,
) -> Result<CloseReport, CloseError>
where
    D: FnMut(&Batch) -> Result<(), Box<dyn Error + Send + Sync>> + Send,
{
    failpoint(options, Step::AfterFetch)?;
    let company = options.company.as_str();
    let mut session = store.begin(company).await?;
    let mut delivered = |batch: &Batch| {
        deliver(batch).map_err(|source| CloseError::Deliver {
            company: company.to_owned(),
            batch: batch.number,
            source,
        })
    };

    if let Some(batch) = session.pending_batch().await? {
        delivered(&batch)?;
        session.mark_delivered(batch.number).await?;
        session.release().await?;
        return Ok(CloseReport::of_resumed(batch));
    }

    if let Some(fetched_at) = options.fetched_at
        && let Some(newer) = session.newest_fetch(&journal.period).await?
        && newer > fetched_at
    {
        session.release().await?;
        return Err(CloseError::Stale {
            company: company.to_owned(),
            fetched_at,
            newer,
        });
    }
    let locked: BTreeSet<Month> = session.locked_months().await?.into_iter().collect();
    let booked = session.booked().await?;
    let (mut report, vouchers) = plan(journal, booked, &locked, options.text_limit);
    if !vouchers.is_empty() {
        let batch = session
            .record_batch(Batch {
                company: company.to_owned(),
                number: 0,
                period: journal.period,
                generated: options.generated,
                series: journal.series.clone(),
                accounts: accounts_used(journal, &vouchers),
                vouchers,
            })
            .await?;
        if let Some(fetched_at) = options.fetched_at {
            session.note_fetched_at(batch.number, fetched_at).await?;
        }
        failpoint(options, Step::AfterRecord)?;
        delivered(&batch)?;
        failpoint(options, Step::AfterDeliver)?;
        session.mark_delivered(batch.number).await?;
        report.batch = Some(batch);
    }
    session.release().await?;
    Ok(report)
}

/// A period as the ledger keys it: `2026-10-01..=2026-10-31`.
pub fn period_key(p: &Period) -> String {
    format!(
        "{}..={}",
        crate::sql::iso_date(p.first()),
        crate::sql::iso_date(p.last())
    )
}
