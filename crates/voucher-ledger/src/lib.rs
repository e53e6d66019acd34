//! # voucher-ledger
//!
//! Exactly-once export of vouchers. Without a ledger every run of a month
//! writes the whole SIE file again, and importing it twice doubles the books;
//! a change at the provider after the export (a late refund, an edited order,
//! a failed payout) silently changes a voucher the accountant has already
//! imported. The ledger remembers, per company (org number):
//!
//! - every voucher exported: its id, content hash, series, the number the
//!   accounting program gave it (once the host reports it back) and the batch
//!   it went out in, with the voucher itself;
//! - each source's progress per period;
//! - locked months.
//!
//! [`close()`] then exports only what the books do not hold yet, as one
//! batch: nothing for an unchanged voucher, the voucher for a new one, and
//! for a changed one a reversal and a new voucher naming the original's id,
//! in the first open month (BFL 5 kap.: a booked voucher is never changed; a
//! correction is a new voucher that refers to it). A voucher is changed when
//! it books something else ([`booking_hash`]: accounts, amounts, date,
//! series, sources); new wording alone (a provider's edited description, a
//! newer kassabok's posting text) leaves it as exported.
//!
//! **Crash safety.** A batch is recorded (durably, with its vouchers) before
//! its file is delivered and marked delivered after. A run stopped anywhere
//! resumes: before recording, nothing happened; after, the next run delivers
//! the recorded batch (the same bytes) before planning anything new.
//!
//! **Concurrency.** [`LedgerStore::begin`] takes a per-company lock (SQLite:
//! an OS lock on a file per company in `<database>.locks/`, with the write
//! transaction under it; PostgreSQL: an advisory lock), held from reading
//! the books to recording the delivery; a second worker waits up to
//! [`SqlLedger::with_lock_wait`] and then stops with [`LedgerError::Busy`].
//! Different companies only share the lock for that short section on SQLite
//! and not at all on PostgreSQL.
//!
//! ## Backends
//!
//! [`SqlLedger`] is one implementation on sqlx's `Any` driver for both
//! backends: SQLite (bundled, the embedded default) and PostgreSQL (hosts
//! with many shops and workers). One library keeps the build light: sqlx
//! with the `sqlite`, `postgres` and `any` features and no macros (so no
//! offline query data) added 66 s of CPU time (2 min 45 s wall on the shared
//! 2-core machine, downloads included) to a `target/` that already held the
//! workspace's other dependencies. The alternative, rusqlite beside
//! tokio-postgres, compiles the same bundled SQLite C library and then a
//! second database stack and a second API to write the store against, where
//! sqlx shares `sqlx-core` (pool, errors, rows) between both backends. TLS to
//! PostgreSQL is rustls, which the HTTP clients already bring. The
//! migrations (`migrations/*.sql`) are written in the SQL both databases
//! accept, so they are one set, versioned in `ledger_migrations`.
//!
//! ```no_run
//! use voucher_ledger::{CloseOptions, SqlLedger, close};
//! # async fn run(journal: journal_mapping::Journal) -> Result<(), Box<dyn std::error::Error>> {
//! let ledger = SqlLedger::open_sqlite("target/kassabok/ledger.sqlite").await?;
//! let options = CloseOptions::new("556677-8899", time::macros::date!(2026 - 11 - 02));
//! let report = close(&ledger, &journal, &options, |batch| {
//!     // Write batch.journal().to_sie(..) to a file named after batch.number.
//!     Ok(())
//! })
//! .await?;
//! println!("{report}"); // "0 new vouchers, …" on a second run
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod close;
mod hash;
mod month;
mod sql;
mod store;

pub use close::{CloseError, CloseOptions, CloseReport, Failpoint, Step, close, period_key};
pub use hash::{booking_hash, content_hash, same_booking};
pub use month::{Month, MonthParseError};
pub use sql::{Backend, SqlLedger};
pub use store::{
    Batch, BatchVoucher, Booked, CloseSession, ExportedVoucher, LedgerError, LedgerStore, Role,
    SourceProgress,
};
