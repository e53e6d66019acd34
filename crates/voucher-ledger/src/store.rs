//! The store: what the ledger records and the trait its backends implement.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bookkeeping_core::Period;
use journal_mapping::Voucher;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::month::Month;

/// Why a ledger operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Another worker is closing the same company; it holds the lock.
    #[error(
        "ledger: company {company} is being closed by another worker (waited {waited:?}); run again when it is done"
    )]
    Busy {
        /// The company (org number).
        company: String,
        /// How long this worker waited for the lock.
        waited: Duration,
    },
    /// The database failed.
    #[error("ledger: {context}: {source}")]
    Database {
        /// What the ledger was doing.
        context: &'static str,
        /// The database's error.
        #[source]
        source: sqlx::Error,
    },
    /// A stored voucher or account list could not be read back.
    #[error("ledger: stored {what} of company {company} is unreadable: {source}")]
    Corrupt {
        /// What was read.
        what: &'static str,
        /// The company.
        company: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The database was written by a newer version of this crate.
    #[error(
        "ledger: the database has migration {found}, this version knows up to {known}: upgrade kassabok"
    )]
    TooNew {
        /// The newest migration in the database.
        found: i64,
        /// The newest migration this crate has.
        known: i64,
    },
    /// An argument the ledger cannot store.
    #[error("ledger: {0}")]
    Invalid(String),
    /// An SQLite ledger's per-company lock file (or its directory) could not
    /// be created or locked.
    #[error("ledger: lock file {}: {source}", path.display())]
    LockFile {
        /// The file or directory.
        path: std::path::PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl LedgerError {
    pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> LedgerError {
        move |source| LedgerError::Database { context, source }
    }
}

/// What an exported voucher does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// The first export of a journal voucher.
    Original,
    /// Reverses the booked version of a journal voucher that changed or vanished.
    Reversal,
    /// Books the changed (or reappeared) journal voucher anew after a reversal.
    Replacement,
}

impl Role {
    /// The name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Original => "original",
            Role::Reversal => "reversal",
            Role::Replacement => "replacement",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Role> {
        [Role::Original, Role::Reversal, Role::Replacement]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// One voucher of a batch, as it is (or will be) exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchVoucher {
    /// The voucher exactly as exported (its `id` is the export id).
    pub voucher: Voucher,
    /// The journal voucher it books or corrects.
    pub source_id: String,
    /// The journal voucher's own date (the exported date differs when its
    /// month was locked).
    pub source_date: Date,
    /// What it does.
    pub role: Role,
    /// The hash of what the journal voucher books ([`booking_hash`](crate::booking_hash);
    /// for a reversal: of the version it reverses). A ledger written before
    /// booking hashes holds [`content_hash`](crate::content_hash)es, which
    /// [`same_booking`](crate::same_booking) still reads.
    pub content_hash: String,
}

/// What a run exports: everything not exported before, as one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The company (org number).
    pub company: String,
    /// Numbered 1, 2, … per company.
    pub number: i64,
    /// The period of the run that made it.
    pub period: Period,
    /// The `#GEN` date of its SIE file, fixed when the batch is recorded so a
    /// resumed run writes the same bytes.
    pub generated: Date,
    /// The voucher series.
    pub series: String,
    /// Number and name of every account the vouchers use (for `#KONTO`).
    pub accounts: Vec<(String, String)>,
    /// The vouchers, in export order.
    pub vouchers: Vec<BatchVoucher>,
}

/// The booked state of one journal voucher: what the books hold for it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    /// The journal voucher's id.
    pub source_id: String,
    /// The journal voucher's own date.
    pub source_date: Date,
    /// The content hash booked now; `None` when it was reversed and nothing
    /// replaced it (it vanished from the source).
    pub content_hash: Option<String>,
    /// The exported voucher that books it now (the original, the replacement
    /// or, when reversed, the reversal).
    pub current: Voucher,
    /// How many vouchers were exported for it so far.
    pub exports: i64,
}

/// An exported voucher as the ledger lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedVoucher {
    /// The id it was exported under.
    pub export_id: String,
    /// The journal voucher it books or corrects.
    pub source_id: String,
    /// What it does.
    pub role: Role,
    /// Content hash (see [`BatchVoucher::content_hash`]).
    pub content_hash: String,
    /// The series.
    pub series: String,
    /// The number the accounting program gave it, once the host reports it.
    pub number: Option<i64>,
    /// The batch it went out in.
    pub batch: i64,
    /// Whether that batch's file was delivered (`false`: recorded, delivery pending).
    pub delivered: bool,
    /// The voucher as exported.
    pub voucher: Voucher,
}

/// How far a source got for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProgress {
    /// The source (e.g. `shopify`).
    pub source: String,
    /// The period, as [`period_key`](crate::period_key) writes it
    /// (`2026-10-01..=2026-10-31`).
    pub period: String,
    /// Records fetched.
    pub records: i64,
    /// Where the source stopped, in the source's own terms (a cursor, the
    /// last object id), when it reports one.
    pub cursor: Option<String>,
    /// Whether the period was fetched completely.
    pub complete: bool,
}

/// A store of exported vouchers, batches, source progress and period locks,
/// per company (org number).
#[async_trait]
pub trait LedgerStore: Send + Sync + fmt::Debug {
    /// Takes the company's close lock, waiting up to the store's lock wait:
    /// the session reads the booked state and records batches while no other
    /// worker does for this company. A dropped session releases the lock, also
    /// when the process dies.
    ///
    /// # Errors
    /// [`LedgerError::Busy`] when another worker holds the lock longer.
    async fn begin(&self, company: &str) -> Result<Box<dyn CloseSession>, LedgerError>;

    /// Locks a month: nothing new is dated in it; corrections go to the
    /// next open month.
    async fn lock_month(&self, company: &str, month: Month) -> Result<(), LedgerError>;

    /// The company's locked months, sorted.
    async fn locked_months(&self, company: &str) -> Result<Vec<Month>, LedgerError>;

    /// Records the number the accounting program gave an exported voucher.
    ///
    /// # Errors
    /// [`LedgerError::Invalid`] when no voucher was exported under that id.
    async fn set_voucher_number(
        &self,
        company: &str,
        export_id: &str,
        number: i64,
    ) -> Result<(), LedgerError>;

    /// Every voucher exported for the company, by batch and position.
    async fn exported(&self, company: &str) -> Result<Vec<ExportedVoucher>, LedgerError>;

    /// Records how far a source got for a period (replacing what was there).
    async fn record_progress(
        &self,
        company: &str,
        progress: &SourceProgress,
    ) -> Result<(), LedgerError>;

    /// The progress of every source for a period, by source.
    async fn progress(
        &self,
        company: &str,
        period: &str,
    ) -> Result<Vec<SourceProgress>, LedgerError>;
}

/// A worker's exclusive session on one company (see [`LedgerStore::begin`]).
#[async_trait]
pub trait CloseSession: Send {
    /// A batch recorded but not delivered (a run stopped between the two).
    async fn pending_batch(&mut self) -> Result<Option<Batch>, LedgerError>;

    /// What the books hold for every journal voucher exported so far.
    async fn booked(&mut self) -> Result<Vec<Booked>, LedgerError>;

    /// The company's locked months.
    async fn locked_months(&mut self) -> Result<Vec<Month>, LedgerError>;

    /// Records a batch durably as pending delivery and returns it numbered
    /// after the company's last (the `company` and `number` passed in are
    /// replaced).
    async fn record_batch(&mut self, batch: Batch) -> Result<Batch, LedgerError>;

    /// Marks a batch delivered.
    async fn mark_delivered(&mut self, number: i64) -> Result<(), LedgerError>;

    /// Notes when the data of batch `number`'s run was read from the
    /// providers ([`CloseOptions::fetched_at`](crate::CloseOptions::fetched_at)).
    /// A store that does not keep it does nothing, and no run is refused as
    /// stale.
    async fn note_fetched_at(
        &mut self,
        number: i64,
        fetched_at: OffsetDateTime,
    ) -> Result<(), LedgerError> {
        let _ = (number, fetched_at);
        Ok(())
    }

    /// The latest instant the data of a batch for a period overlapping
    /// `period` was read (see [`note_fetched_at`](Self::note_fetched_at)).
    async fn newest_fetch(
        &mut self,
        period: &Period,
    ) -> Result<Option<OffsetDateTime>, LedgerError> {
        let _ = period;
        Ok(None)
    }

    /// Commits and releases the lock.
    async fn release(self: Box<Self>) -> Result<(), LedgerError>;
}
