//! Migrations: versioned, applied once, also when workers start together.

use voucher_ledger::{Backend, LedgerStore, SqlLedger};

use crate::support::*;

#[tokio::test]
async fn sqlite_migrations_are_versioned_and_run_once() {
    let db = SqliteDb::new().await;
    assert_eq!(db.ledger.backend(), Backend::Sqlite);
    assert_eq!(db.ledger.schema_version().await.unwrap(), 2);
    let company = company();
    let journal = journal(october(), &three_orders());
    voucher_ledger::close(
        &db.ledger,
        &journal,
        &voucher_ledger::CloseOptions::new(&company, GENERATED),
        |_| Ok(()),
    )
    .await
    .unwrap();
    // Reopening (every worker does at start) keeps the data and applies nothing twice.
    let reopened = SqlLedger::open_sqlite(&db.path).await.unwrap();
    assert_eq!(reopened.schema_version().await.unwrap(), 2);
    assert_eq!(reopened.exported(&company).await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_workers_starting_together_migrate_once() {
    let Ok(url) = std::env::var(PG_URL) else {
        eprintln!("skipped: {PG_URL} is not set");
        return;
    };
    let opens = (0..6).map(|_| SqlLedger::connect(&url));
    for ledger in futures::future::join_all(opens).await {
        let ledger = ledger.unwrap();
        assert_eq!(ledger.backend(), Backend::Postgres);
        assert_eq!(ledger.schema_version().await.unwrap(), 2);
    }
}

#[tokio::test]
async fn the_ledger_url_names_its_backend_and_debug_hides_it() {
    let err = SqlLedger::connect("mysql://root@localhost/x")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("postgres:// or sqlite://"),
        "{err}"
    );
    let db = SqliteDb::new().await;
    let debug = format!("{:?}", db.ledger);
    assert!(!debug.contains("sqlite://"), "{debug}");
}
