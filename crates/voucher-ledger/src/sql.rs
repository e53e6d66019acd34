//! The SQL backends: SQLite (embedded) and PostgreSQL, through sqlx's `Any`
//! driver so that one implementation and one migration set serve both.
//!
//! What differs is the lock. PostgreSQL: a session advisory lock per company,
//! held across the session's commits. SQLite cannot commit and keep its write
//! lock (another worker waiting in `BEGIN IMMEDIATE` gets in between `COMMIT`
//! and the next `BEGIN`, finds the batch just recorded still pending and
//! delivers it a second time), so a session holds an OS file lock on a file
//! per company beside the database (`<database>.locks/<key>`), and the write
//! transaction under it. The database ends an advisory lock with its
//! connection and the OS a file lock with its process, so a killed worker never
//! leaves a lock behind.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bookkeeping_core::Period;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row, raw_sql};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::close::period_key;
use crate::hash::lock_key;
use crate::month::Month;
use crate::store::{
    Batch, BatchVoucher, Booked, CloseSession, ExportedVoucher, LedgerError, LedgerStore, Role,
    SourceProgress,
};

/// The migrations, in order. Each runs once, in a transaction, recorded in
/// `ledger_migrations`.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "ledger", include_str!("../migrations/0001_ledger.sql")),
    (
        2,
        "fetched_at",
        include_str!("../migrations/0002_fetched_at.sql"),
    ),
];

/// Which database a [`SqlLedger`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// An SQLite file on this machine.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The ledger on SQLite or PostgreSQL.
///
/// ```no_run
/// use voucher_ledger::{LedgerStore, SqlLedger};
///
/// # async fn run() -> Result<(), voucher_ledger::LedgerError> {
/// // Embedded: one file, created with its directory.
/// let ledger = SqlLedger::open_sqlite("target/kassabok/ledger.sqlite").await?;
/// // Many shops and workers: PostgreSQL.
/// let shared = SqlLedger::connect("postgres://kassabok@db.internal/kassabok").await?;
/// assert!(shared.locked_months("556677-8899").await?.is_empty());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqlLedger {
    pool: AnyPool,
    url: String,
    backend: Backend,
    lock_wait: Duration,
    /// SQLite: the directory of the per-company lock files (`None` for an
    /// in-memory database, which no other connection shares).
    lock_dir: Option<PathBuf>,
}

impl std::fmt::Debug for SqlLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: show only the backend and the lock wait.
        f.debug_struct("SqlLedger")
            .field("backend", &self.backend)
            .field("lock_wait", &self.lock_wait)
            .finish_non_exhaustive()
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        // SQLITE_BUSY (5) and its extended codes (e.g. 517 BUSY_SNAPSHOT).
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5),
        _ => false,
    }
}

pub(crate) fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn parse_date(s: &str) -> Result<Date, LedgerError> {
    let bad = || LedgerError::Invalid(format!("stored date {s:?} is not YYYY-MM-DD"));
    let mut it = s
        .splitn(3, '-')
        .map(|p| p.parse::<i32>().map_err(|_| bad()));
    let (y, m, d) = (
        it.next().ok_or_else(bad)??,
        it.next().ok_or_else(bad)??,
        it.next().ok_or_else(bad)??,
    );
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = u8::try_from(d).map_err(|_| bad())?;
    Date::from_calendar_date(y, month, day).map_err(|_| bad())
}

fn parse_period(s: &str) -> Result<Period, LedgerError> {
    let bad = |e: String| LedgerError::Invalid(format!("stored period {s:?}: {e}"));
    let (first, last) = s
        .split_once("..=")
        .ok_or_else(|| bad("no ..=".to_owned()))?;
    Period::new(parse_date(first)?, parse_date(last)?).map_err(|e| bad(e.to_string()))
}

fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

fn json<T: serde::de::DeserializeOwned>(
    company: &str,
    what: &'static str,
    text: &str,
) -> Result<T, LedgerError> {
    serde_json::from_str(text).map_err(|source| LedgerError::Corrupt {
        what,
        company: company.to_owned(),
        source,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, LedgerError> {
    serde_json::to_string(value).map_err(|e| LedgerError::Invalid(e.to_string()))
}

impl SqlLedger {
    /// Opens (creating it and its directory if needed) an SQLite ledger file
    /// and brings its schema up to date.
    ///
    /// # Errors
    /// When the file cannot be created or opened, or a migration fails.
    ///
    /// ```
    /// use voucher_ledger::{LedgerStore, Month, SqlLedger};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let ledger = SqlLedger::open_sqlite(dir.path().join("books/ledger.sqlite")).await?;
    /// assert!(ledger.schema_version().await? >= 1);
    /// // A month closed in the books: corrections found later are dated after it.
    /// ledger.lock_month("556677-8899", Month::new(2026, time::Month::March)).await?;
    /// assert_eq!(
    ///     ledger.locked_months("556677-8899").await?,
    ///     [Month::new(2026, time::Month::March)]
    /// );
    /// # Ok(()) }
    /// ```
    pub async fn open_sqlite(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                LedgerError::Invalid(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        Self::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Connects to `postgres://…` or `sqlite://…` and brings the schema up to
    /// date.
    ///
    /// # Errors
    /// An unknown scheme, an unreachable server, a failed migration.
    pub async fn connect(url: &str) -> Result<Self, LedgerError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(LedgerError::Invalid(
                "the ledger URL starts with postgres:// or sqlite://".to_owned(),
            ));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(raw_sql(SQLITE_PRAGMAS)).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(LedgerError::db("connect"))?;
        let lock_dir = match backend {
            Backend::Sqlite => sqlite_lock_dir(url)?,
            Backend::Postgres => None,
        };
        let ledger = SqlLedger {
            pool,
            url: url.to_owned(),
            backend,
            lock_wait: Duration::from_secs(30),
            lock_dir,
        };
        ledger.migrate().await?;
        Ok(ledger)
    }

    /// How long [`LedgerStore::begin`] waits for another worker's lock before
    /// it gives up with [`LedgerError::Busy`] (default 30 s; zero: do not wait).
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The newest migration applied.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn schema_version(&self) -> Result<i64, LedgerError> {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM ledger_migrations")
            .fetch_one(&self.pool)
            .await
            .map_err(LedgerError::db("read the schema version"))
    }

    /// Takes the OS lock on `company`'s lock file in `dir`, waiting up to the
    /// lock wait counted from `started`.
    async fn lock_file(
        &self,
        dir: &Path,
        company: &str,
        started: Instant,
    ) -> Result<File, LedgerError> {
        let path = dir.join(format!("{:016x}.lock", lock_key(company)));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LedgerError::LockFile {
                path: path.clone(),
                source,
            })?;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(TryLockError::WouldBlock) if started.elapsed() < self.lock_wait => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LedgerError::Busy {
                        company: company.to_owned(),
                        waited: started.elapsed(),
                    });
                }
                Err(TryLockError::Error(source)) => {
                    return Err(LedgerError::LockFile { path, source });
                }
            }
        }
    }

    /// A connection of its own (not pooled): its end releases its locks.
    async fn dedicated(&self) -> Result<AnyConnection, LedgerError> {
        let options: AnyConnectOptions = self
            .url
            .parse()
            .map_err(LedgerError::db("parse the ledger URL"))?;
        let mut conn = options
            .disable_statement_logging()
            .connect()
            .await
            .map_err(LedgerError::db("connect"))?;
        if self.backend == Backend::Sqlite {
            conn.execute(raw_sql(SQLITE_PRAGMAS))
                .await
                .map_err(LedgerError::db("set up the connection"))?;
        }
        Ok(conn)
    }

    async fn migrate(&self) -> Result<(), LedgerError> {
        let mut conn = self.dedicated().await?;
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            // Workers starting at once: one migrates, the others wait for it.
            Backend::Postgres => "BEGIN; SELECT pg_advisory_xact_lock(7236385632404684101)",
        };
        let db = LedgerError::db("migrate");
        conn.execute(raw_sql(begin)).await.map_err(db)?;
        conn.execute(raw_sql(
            "CREATE TABLE IF NOT EXISTS ledger_migrations (
                 version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        ))
        .await
        .map_err(LedgerError::db("migrate"))?;
        let found: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM ledger_migrations")
                .fetch_one(&mut conn)
                .await
                .map_err(LedgerError::db("migrate"))?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if found > known {
            return Err(LedgerError::TooNew { found, known });
        }
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
            conn.execute(raw_sql(sql))
                .await
                .map_err(LedgerError::db("migrate"))?;
            sqlx::query(
                "INSERT INTO ledger_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*name)
            .bind(now())
            .execute(&mut conn)
            .await
            .map_err(LedgerError::db("migrate"))?;
        }
        conn.execute(raw_sql("COMMIT"))
            .await
            .map_err(LedgerError::db("migrate"))?;
        let _ = conn.close().await;
        Ok(())
    }
}

/// The directory of an SQLite database's per-company lock files: the database
/// file's real path with `.locks` appended (`None` in memory). Real: two
/// workers that name one database differently (a relative path, a symbolic
/// link, a `file:` URI) must take the same locks, or both deliver a batch.
fn sqlite_lock_dir(url: &str) -> Result<Option<PathBuf>, LedgerError> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(LedgerError::db("parse the ledger URL"))?;
    // An in-memory database has no file to lock beside (sqlx names one
    // `file:sqlx-in-memory-N`).
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let file = options.get_filename();
    let mut name = file.as_os_str().to_string_lossy().into_owned();
    if let Some(uri) = name.strip_prefix("file:") {
        // `file:path?mode=…` or `file:///abs/path`: the path, without the
        // query.
        let path = uri.split_once('?').map_or(uri, |(path, _)| path);
        name = path.strip_prefix("//").unwrap_or(path).to_owned();
    }
    if name.is_empty() || name == ":memory:" {
        return Ok(None);
    }
    let file = PathBuf::from(&name);
    let file = std::fs::canonicalize(&file).unwrap_or(file);
    let mut dir = file.into_os_string();
    dir.push(".locks");
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).map_err(|source| LedgerError::LockFile {
        path: dir.clone(),
        source,
    })?;
    Ok(Some(dir))
}

/// WAL lets readers go on while a worker writes; FULL makes a commit
/// durable before it returns (a recorded batch must survive a power cut).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                              PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

#[async_trait]
impl LedgerStore for SqlLedger {
    async fn begin(&self, company: &str) -> Result<Box<dyn CloseSession>, LedgerError> {
        let mut conn = self.dedicated().await?;
        let started = Instant::now();
        let busy = || LedgerError::Busy {
            company: company.to_owned(),
            waited: started.elapsed(),
        };
        let mut company_lock = None;
        match self.backend {
            Backend::Sqlite => {
                if let Some(dir) = &self.lock_dir {
                    company_lock = Some(self.lock_file(dir, company, started).await?);
                }
                let ms = self
                    .lock_wait
                    .saturating_sub(started.elapsed())
                    .as_millis()
                    .min(i32::MAX as u128);
                conn.execute(raw_sql(&format!("PRAGMA busy_timeout = {ms}")))
                    .await
                    .map_err(LedgerError::db("set the lock wait"))?;
                match conn.execute(raw_sql("BEGIN IMMEDIATE")).await {
                    Err(e) if is_busy(&e) => return Err(busy()),
                    other => other.map_err(LedgerError::db("lock the company"))?,
                };
            }
            Backend::Postgres => {
                loop {
                    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                        .bind(lock_key(company))
                        .fetch_one(&mut conn)
                        .await
                        .map_err(LedgerError::db("lock the company"))?;
                    if got {
                        break;
                    }
                    if started.elapsed() >= self.lock_wait {
                        return Err(busy());
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                conn.execute(raw_sql("BEGIN"))
                    .await
                    .map_err(LedgerError::db("begin"))?;
            }
        }
        Ok(Box::new(SqlSession {
            conn,
            backend: self.backend,
            company: company.to_owned(),
            _company_lock: company_lock,
        }))
    }

    async fn lock_month(&self, company: &str, month: Month) -> Result<(), LedgerError> {
        sqlx::query(
            "INSERT INTO period_locks (company, month, locked_at) VALUES ($1, $2, $3)
             ON CONFLICT (company, month) DO NOTHING",
        )
        .bind(company)
        .bind(month.to_string())
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(LedgerError::db("lock a month"))?;
        Ok(())
    }

    async fn locked_months(&self, company: &str) -> Result<Vec<Month>, LedgerError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(LedgerError::db("connect"))?;
        locked_months(&mut conn, company).await
    }

    async fn set_voucher_number(
        &self,
        company: &str,
        export_id: &str,
        number: i64,
    ) -> Result<(), LedgerError> {
        let done = sqlx::query(
            "UPDATE exported_vouchers SET number = $3 WHERE company = $1 AND export_id = $2",
        )
        .bind(company)
        .bind(export_id)
        .bind(number)
        .execute(&self.pool)
        .await
        .map_err(LedgerError::db("record a voucher number"))?;
        if done.rows_affected() == 0 {
            return Err(LedgerError::Invalid(format!(
                "company {company} exported no voucher {export_id}"
            )));
        }
        Ok(())
    }

    async fn exported(&self, company: &str) -> Result<Vec<ExportedVoucher>, LedgerError> {
        let rows = sqlx::query(
            "SELECT e.export_id, e.source_id, e.role, e.content_hash, e.series, e.number,
                    e.batch, b.status, e.voucher
             FROM exported_vouchers e
             JOIN batches b ON b.company = e.company AND b.number = e.batch
             WHERE e.company = $1 ORDER BY e.batch, e.position",
        )
        .bind(company)
        .fetch_all(&self.pool)
        .await
        .map_err(LedgerError::db("list exported vouchers"))?;
        rows.iter()
            .map(|r| {
                let get = |e| LedgerError::db("list exported vouchers")(e);
                let role: String = r.try_get("role").map_err(get)?;
                Ok(ExportedVoucher {
                    export_id: r.try_get("export_id").map_err(get)?,
                    source_id: r.try_get("source_id").map_err(get)?,
                    role: Role::parse(&role)
                        .ok_or_else(|| LedgerError::Invalid(format!("unknown role {role:?}")))?,
                    content_hash: r.try_get("content_hash").map_err(get)?,
                    series: r.try_get("series").map_err(get)?,
                    number: r.try_get("number").map_err(get)?,
                    batch: r.try_get("batch").map_err(get)?,
                    delivered: r.try_get::<String, _>("status").map_err(get)? == "delivered",
                    voucher: json(
                        company,
                        "voucher",
                        &r.try_get::<String, _>("voucher").map_err(get)?,
                    )?,
                })
            })
            .collect()
    }

    async fn record_progress(&self, company: &str, p: &SourceProgress) -> Result<(), LedgerError> {
        sqlx::query(
            "INSERT INTO source_progress
                 (company, period, source, records, cursor, complete, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (company, period, source) DO UPDATE SET
                 records = excluded.records, cursor = excluded.cursor,
                 complete = excluded.complete, updated_at = excluded.updated_at",
        )
        .bind(company)
        .bind(&p.period)
        .bind(&p.source)
        .bind(p.records)
        .bind(p.cursor.clone())
        .bind(i64::from(p.complete))
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(LedgerError::db("record source progress"))?;
        Ok(())
    }

    async fn progress(
        &self,
        company: &str,
        period: &str,
    ) -> Result<Vec<SourceProgress>, LedgerError> {
        let rows = sqlx::query(
            "SELECT source, period, records, cursor, complete FROM source_progress
             WHERE company = $1 AND period = $2 ORDER BY source",
        )
        .bind(company)
        .bind(period)
        .fetch_all(&self.pool)
        .await
        .map_err(LedgerError::db("read source progress"))?;
        rows.iter()
            .map(|r| -> Result<SourceProgress, sqlx::Error> {
                Ok(SourceProgress {
                    source: r.try_get("source")?,
                    period: r.try_get("period")?,
                    records: r.try_get("records")?,
                    cursor: r.try_get("cursor")?,
                    complete: r.try_get::<i64, _>("complete")? != 0,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(LedgerError::db("read source progress"))
    }
}

async fn locked_months(conn: &mut AnyConnection, company: &str) -> Result<Vec<Month>, LedgerError> {
    let months: Vec<String> =
        sqlx::query_scalar("SELECT month FROM period_locks WHERE company = $1 ORDER BY month")
            .bind(company)
            .fetch_all(&mut *conn)
            .await
            .map_err(LedgerError::db("read locked months"))?;
    months
        .iter()
        .map(|m| {
            m.parse()
                .map_err(|e: crate::month::MonthParseError| LedgerError::Invalid(e.to_string()))
        })
        .collect()
}

/// A worker's session: a connection of its own holding the company's lock,
/// inside a transaction that [`SqlSession::checkpoint`] commits.
struct SqlSession {
    conn: AnyConnection,
    backend: Backend,
    company: String,
    /// SQLite: the company's lock file, locked until the session ends.
    _company_lock: Option<File>,
}

impl SqlSession {
    /// Runs the statements of this session's backend.
    async fn control(
        &mut self,
        sqlite: &'static str,
        postgres: &'static str,
        context: &'static str,
    ) -> Result<(), LedgerError> {
        let sql = match self.backend {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
        };
        self.conn
            .execute(raw_sql(sql))
            .await
            .map_err(LedgerError::db(context))?;
        Ok(())
    }

    /// Commits what the session wrote (durably) and goes on holding the lock.
    async fn checkpoint(&mut self) -> Result<(), LedgerError> {
        self.control("COMMIT; BEGIN IMMEDIATE", "COMMIT; BEGIN", "commit")
            .await
    }

    fn batch_voucher(&self, r: &AnyRow) -> Result<BatchVoucher, LedgerError> {
        let get = LedgerError::db("read a batch");
        let text = |col: &str| -> Result<String, LedgerError> {
            r.try_get::<String, _>(col)
                .map_err(LedgerError::db("read a batch"))
        };
        let role = text("role")?;
        Ok(BatchVoucher {
            voucher: json(&self.company, "voucher", &text("voucher")?)?,
            source_id: text("source_id")?,
            source_date: parse_date(&text("source_date")?)?,
            role: Role::parse(&role)
                .ok_or_else(|| LedgerError::Invalid(format!("unknown role {role:?}")))?,
            content_hash: r.try_get("content_hash").map_err(get)?,
        })
    }
}

#[async_trait]
impl CloseSession for SqlSession {
    async fn note_fetched_at(
        &mut self,
        number: i64,
        fetched_at: OffsetDateTime,
    ) -> Result<(), LedgerError> {
        sqlx::query("UPDATE batches SET fetched_at = $1 WHERE company = $2 AND number = $3")
            .bind(
                fetched_at
                    .format(&Rfc3339)
                    .map_err(|e| LedgerError::Invalid(format!("fetched_at {fetched_at}: {e}")))?,
            )
            .bind(&self.company)
            .bind(number)
            .execute(&mut self.conn)
            .await
            .map_err(LedgerError::db("note when a batch's data was read"))?;
        Ok(())
    }

    async fn newest_fetch(
        &mut self,
        period: &Period,
    ) -> Result<Option<OffsetDateTime>, LedgerError> {
        let db = || LedgerError::db("read when the batches' data was read");
        let rows = sqlx::query(
            "SELECT period, fetched_at FROM batches WHERE company = $1 AND fetched_at IS NOT NULL",
        )
        .bind(&self.company)
        .fetch_all(&mut self.conn)
        .await
        .map_err(db())?;
        let mut newest = None;
        for row in rows {
            let other = parse_period(&row.try_get::<String, _>("period").map_err(db())?)?;
            if other.last() < period.first() || other.first() > period.last() {
                continue;
            }
            let text: String = row.try_get("fetched_at").map_err(db())?;
            let at = OffsetDateTime::parse(&text, &Rfc3339)
                .map_err(|e| LedgerError::Invalid(format!("stored fetched_at {text:?}: {e}")))?;
            newest = newest.max(Some(at));
        }
        Ok(newest)
    }

    async fn pending_batch(&mut self) -> Result<Option<Batch>, LedgerError> {
        let db = || LedgerError::db("read the pending batch");
        let Some(row) = sqlx::query(
            "SELECT number, period, generated, series, accounts FROM batches
             WHERE company = $1 AND status = 'pending' ORDER BY number LIMIT 1",
        )
        .bind(&self.company)
        .fetch_optional(&mut self.conn)
        .await
        .map_err(db())?
        else {
            return Ok(None);
        };
        let number: i64 = row.try_get("number").map_err(db())?;
        let rows = sqlx::query(
            "SELECT e.voucher, e.source_id, s.source_date, e.role, e.content_hash
             FROM exported_vouchers e
             JOIN voucher_state s ON s.company = e.company AND s.source_id = e.source_id
             WHERE e.company = $1 AND e.batch = $2 ORDER BY e.position",
        )
        .bind(&self.company)
        .bind(number)
        .fetch_all(&mut self.conn)
        .await
        .map_err(db())?;
        let vouchers = rows
            .iter()
            .map(|r| self.batch_voucher(r))
            .collect::<Result<_, _>>()?;
        Ok(Some(Batch {
            company: self.company.clone(),
            number,
            period: parse_period(&row.try_get::<String, _>("period").map_err(db())?)?,
            generated: parse_date(&row.try_get::<String, _>("generated").map_err(db())?)?,
            series: row.try_get("series").map_err(db())?,
            accounts: json(
                &self.company,
                "accounts",
                &row.try_get::<String, _>("accounts").map_err(db())?,
            )?,
            vouchers,
        }))
    }

    async fn booked(&mut self) -> Result<Vec<Booked>, LedgerError> {
        let db = || LedgerError::db("read the booked vouchers");
        let rows = sqlx::query(
            "SELECT s.source_id, s.source_date, s.content_hash, s.exports, e.voucher
             FROM voucher_state s
             JOIN exported_vouchers e ON e.company = s.company AND e.export_id = s.current_export
             WHERE s.company = $1 ORDER BY s.source_id",
        )
        .bind(&self.company)
        .fetch_all(&mut self.conn)
        .await
        .map_err(db())?;
        rows.iter()
            .map(|r| {
                Ok(Booked {
                    source_id: r.try_get("source_id").map_err(db())?,
                    source_date: parse_date(&r.try_get::<String, _>("source_date").map_err(db())?)?,
                    content_hash: r.try_get("content_hash").map_err(db())?,
                    exports: r.try_get("exports").map_err(db())?,
                    current: json(
                        &self.company,
                        "voucher",
                        &r.try_get::<String, _>("voucher").map_err(db())?,
                    )?,
                })
            })
            .collect()
    }

    async fn locked_months(&mut self) -> Result<Vec<Month>, LedgerError> {
        locked_months(&mut self.conn, &self.company).await
    }

    async fn record_batch(&mut self, batch: Batch) -> Result<Batch, LedgerError> {
        let db = || LedgerError::db("record a batch");
        let number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM batches WHERE company = $1",
        )
        .bind(&self.company)
        .fetch_one(&mut self.conn)
        .await
        .map_err(db())?;
        sqlx::query(
            "INSERT INTO batches (company, number, period, status, generated, series, accounts, recorded_at)
             VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7)",
        )
        .bind(&self.company)
        .bind(number)
        .bind(period_key(&batch.period))
        .bind(iso_date(batch.generated))
        .bind(&batch.series)
        .bind(to_json(&batch.accounts)?)
        .bind(now())
        .execute(&mut self.conn)
        .await
        .map_err(db())?;
        for (position, v) in (0_i64..).zip(&batch.vouchers) {
            let export_id = v.voucher.id.as_str();
            sqlx::query(
                "INSERT INTO exported_vouchers (company, export_id, source_id, role, content_hash,
                     series, batch, position, voucher_date, voucher)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&self.company)
            .bind(export_id)
            .bind(&v.source_id)
            .bind(v.role.as_str())
            .bind(&v.content_hash)
            .bind(&v.voucher.series)
            .bind(number)
            .bind(position)
            .bind(iso_date(v.voucher.date))
            .bind(to_json(&v.voucher)?)
            .execute(&mut self.conn)
            .await
            .map_err(db())?;
            let booked_hash = (v.role != Role::Reversal).then(|| v.content_hash.clone());
            sqlx::query(
                "INSERT INTO voucher_state (company, source_id, source_date, content_hash, current_export, exports)
                 VALUES ($1, $2, $3, $4, $5, 1)
                 ON CONFLICT (company, source_id) DO UPDATE SET
                     content_hash = excluded.content_hash,
                     current_export = excluded.current_export,
                     exports = voucher_state.exports + 1",
            )
            .bind(&self.company)
            .bind(&v.source_id)
            .bind(iso_date(v.source_date))
            .bind(booked_hash)
            .bind(export_id)
            .execute(&mut self.conn)
            .await
            .map_err(db())?;
        }
        self.checkpoint().await?;
        Ok(Batch {
            company: self.company.clone(),
            number,
            ..batch
        })
    }

    async fn mark_delivered(&mut self, number: i64) -> Result<(), LedgerError> {
        sqlx::query(
            "UPDATE batches SET status = 'delivered', delivered_at = $3
             WHERE company = $1 AND number = $2",
        )
        .bind(&self.company)
        .bind(number)
        .bind(now())
        .execute(&mut self.conn)
        .await
        .map_err(LedgerError::db("mark a batch delivered"))?;
        self.checkpoint().await
    }

    async fn release(mut self: Box<Self>) -> Result<(), LedgerError> {
        self.control(
            "COMMIT",
            "COMMIT; SELECT pg_advisory_unlock_all()",
            "release the lock",
        )
        .await?;
        let _ = self.conn.close().await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One database named three ways (its path, a symbolic link to it, a
    /// `file:` URI) has one lock directory; an in-memory one has none.
    #[test]
    fn one_database_named_differently_has_one_lock_directory() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.sqlite");
        std::fs::write(&db, b"").unwrap();
        let link = dir.path().join("link.sqlite");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&db, &link).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(&db, &link).unwrap();
        let by_path = sqlite_lock_dir(&format!("sqlite://{}", db.display())).unwrap();
        let by_uri = sqlite_lock_dir(&format!("sqlite:file:{}?mode=rwc", db.display())).unwrap();
        assert!(by_path.is_some());
        assert_eq!(by_uri, by_path);
        #[cfg(unix)]
        assert_eq!(
            sqlite_lock_dir(&format!("sqlite://{}", link.display())).unwrap(),
            by_path
        );
        assert_eq!(sqlite_lock_dir("sqlite::memory:").unwrap(), None);
    }
}
