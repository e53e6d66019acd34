//! Ledgers, sales, journals and a file "delivery" for the suite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bookkeeping_core::{
    Currency, Customer, LineKind, Money, Payment, PaymentChannel, Period, Provider, Sale, SaleLine,
    SourceRef, TaxTreatment, VatRate,
};
use journal_mapping::{Chart, FixedRates, Granularity, Journal, Mapper, Policy};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime, Time};
use voucher_ledger::{Batch, SqlLedger};

/// The environment variable naming the PostgreSQL server of the tests.
pub(crate) const PG_URL: &str = "KASSABOK_TEST_PG_URL";

/// An SQLite ledger in a temporary directory.
pub(crate) struct SqliteDb {
    pub(crate) ledger: SqlLedger,
    pub(crate) path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SqliteDb {
    pub(crate) async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        let ledger = SqlLedger::open_sqlite(&path).await.unwrap();
        SqliteDb {
            ledger,
            path,
            _dir: dir,
        }
    }
}

/// The PostgreSQL ledger, or `None` (printed) where no server is configured.
pub(crate) async fn postgres() -> Option<SqlLedger> {
    match std::env::var(PG_URL) {
        Ok(url) if !url.trim().is_empty() => Some(SqlLedger::connect(&url).await.unwrap()),
        _ => {
            eprintln!("skipped: {PG_URL} is not set (see .ci/run for a local PostgreSQL)");
            None
        }
    }
}

/// A company (org number) no other test or run uses, so tests share one
/// PostgreSQL database.
pub(crate) fn company() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "test-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        OffsetDateTime::now_utc().unix_timestamp_nanos()
    )
}

pub(crate) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(crate) fn sek(s: &str) -> Money {
    Money::parse(s, Currency::SEK).unwrap()
}

/// A Shopify order paid through Shopify Payments: one line at 25 % VAT.
pub(crate) fn sale(id: &str, day: Date, net: &str, vat: &str) -> Sale {
    let line = SaleLine {
        kind: LineKind::Goods,
        description: "Kaffe".into(),
        net: sek(net),
        vat: sek(vat),
        vat_rate: Some(VatRate::from_percent(Decimal::from(25))),
        treatment: TaxTreatment::Domestic,
    };
    let total = sek(net).checked_add(&sek(vat)).unwrap();
    Sale {
        source: SourceRef::new(Provider::Shopify, "order", id),
        document_number: format!("#{id}").into(),
        occurred_at: day
            .with_time(Time::from_hms(10, 0, 0).unwrap())
            .assume_utc(),
        currency: Currency::SEK,
        lines: vec![line],
        customer: Customer::default(),
        payments: vec![Payment {
            gateway: "shopify_payments".into(),
            channel: PaymentChannel::Provider(Provider::Shopify),
            amount: total,
            reference: None,
            processed_at: None,
        }],
        test: false,
    }
}

/// The journal of `period` mapped from `sales`, one voucher per order.
pub(crate) fn journal(period: Period, sales: &[Sale]) -> Journal {
    journal_read(period, sales, &[])
}

/// [`journal`], with `read` marked as read whether or not they gave a sale
/// (as `kassabok::close` marks every provider it read).
pub(crate) fn journal_read(period: Period, sales: &[Sale], read: &[Provider]) -> Journal {
    let policy = Policy::default().with_granularity(Granularity::PerDocument);
    let mut m = Mapper::new(Chart::default(), policy, FixedRates::new(), period);
    for p in read {
        m.source_read(*p);
    }
    for s in sales {
        m.add_sales_record(&bookkeeping_core::SalesRecord::Sale(s.clone()));
    }
    let j = m.finish();
    assert!(j.is_balanced());
    j
}

/// The generation date of every batch file in the tests.
pub(crate) const GENERATED: Date = time::macros::date!(2026 - 11 - 02);

/// The batch's SIE 4I file.
pub(crate) fn sie_bytes(batch: &Batch) -> Vec<u8> {
    let export = journal_mapping::SieExport::new("Kaffekompaniet i Göteborg AB", batch.generated);
    sie_file::write(
        &batch.journal().to_sie(&export),
        &sie_file::WriteOptions::default(),
    )
    .unwrap()
}

/// Delivers a batch as `dir/batch-NNNN.si`, through a temporary file and a
/// rename: idempotent per batch number, as `close` requires.
pub(crate) fn deliver_to(dir: &Path, batch: &Batch) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("batch-{:04}.si", batch.number));
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, sie_bytes(batch))?;
    std::fs::rename(&tmp, &path)
}

/// The delivered files: name → bytes.
pub(crate) fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".si"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The number of `#VER` records in a file.
pub(crate) fn ver_count(bytes: &[u8]) -> usize {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"#VER"))
        .count()
}

pub(crate) fn october() -> Period {
    Period::month(2026, time::Month::October).unwrap()
}

/// Three October orders.
pub(crate) fn three_orders() -> Vec<Sale> {
    vec![
        sale(
            "1001",
            time::macros::date!(2026 - 10 - 03),
            "100.00",
            "25.00",
        ),
        sale(
            "1002",
            time::macros::date!(2026 - 10 - 15),
            "200.00",
            "50.00",
        ),
        sale(
            "1003",
            time::macros::date!(2026 - 10 - 31),
            "80.00",
            "20.00",
        ),
    ]
}

/// October closed twice: the three orders, then again after 1003 was edited.
pub(crate) fn two_runs() -> [Journal; 2] {
    let orders = three_orders();
    let mut edited = orders.clone();
    edited[2] = sale(
        "1003",
        time::macros::date!(2026 - 10 - 31),
        "85.00",
        "21.25",
    );
    [journal(october(), &orders), journal(october(), &edited)]
}
