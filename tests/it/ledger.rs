//! The sandbox month through the ledger (SQLite): a re-run exports nothing;
//! an order edited at Shopify after the export yields exactly one reversal
//! and one new voucher, and the books then equal the edited month's.

use std::collections::BTreeSet;

use kassabok::core::{Money, Provider, SalesRecord, VatRate};
use kassabok::ledger::{CloseOptions, LedgerStore, Role, SqlLedger, close};
use kassabok::mapping::{Chart, Journal, Policy, SieExport};
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use rust_decimal::Decimal;
use time::macros::date;

use crate::support::{close as fetch_and_map, march, rates};

fn ver_count(journal: &Journal) -> usize {
    let export = SieExport::new("Kaffekompaniet i Göteborg AB", date!(2026 - 04 - 02));
    let bytes = kassabok::sie::write(
        &journal.to_sie(&export),
        &kassabok::sie::WriteOptions::default(),
    )
    .unwrap();
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"#VER"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_month_is_exported_once_and_an_edit_corrected_with_new_vouchers() {
    let sandbox = Sandbox::start(&ScenarioConfig::small(march()), Faults::none()).await;
    let (fetched, journal) = fetch_and_map(&sandbox, march()).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = SqlLedger::open_sqlite(dir.path().join("ledger.sqlite"))
        .await
        .unwrap();
    let options = CloseOptions::new("556677-8899", date!(2026 - 04 - 02));
    let n = journal.vouchers().len();

    let first = close(&ledger, &journal, &options, |_| Ok(()))
        .await
        .unwrap();
    assert_eq!((first.new, first.unchanged), (n, 0));
    assert_eq!(ver_count(&first.batch.unwrap().journal()), n);

    // The same month mapped again (month_close's CI step runs the whole
    // job twice, refetching): nothing new, no #VER.
    let policy = Policy::default().with_external_invoices(true);
    let again = fetched.map(Chart::bas2025(), policy.clone(), rates(), march());
    let second = close(&ledger, &again, &options, |_| Ok(())).await.unwrap();
    assert_eq!((second.new, second.corrected, second.unchanged), (0, 0, n));
    assert!(second.batch.is_none());
    assert!(second.to_string().starts_with("0 new vouchers"));

    // A Shopify order is edited after the export: one more 25 % line of
    // 100.00 + 25.00 VAT, paid.
    let mut edited = fetched.clone();
    let sale = edited
        .sales
        .iter_mut()
        .find_map(|r| match r {
            SalesRecord::Sale(s)
                if s.source.provider == Provider::Shopify
                    && s.payments.len() == 1
                    && s.lines
                        .iter()
                        .any(|l| l.vat_rate == Some(VatRate::from_percent(Decimal::from(25)))) =>
            {
                Some(s)
            }
            _ => None,
        })
        .expect("the sandbox has a Shopify order with a 25 % line");
    let currency = sale.currency;
    let mut line = sale
        .lines
        .iter()
        .find(|l| l.vat_rate == Some(VatRate::from_percent(Decimal::from(25))))
        .unwrap()
        .clone();
    line.net = Money::parse("100.00", currency).unwrap();
    line.vat = Money::parse("25.00", currency).unwrap();
    sale.lines.push(line);
    sale.payments[0].amount = sale.payments[0]
        .amount
        .checked_add(&Money::parse("125.00", currency).unwrap())
        .unwrap();
    let edited = edited.map(Chart::bas2025(), policy, rates(), march());

    let third = close(&ledger, &edited, &options, |_| Ok(())).await.unwrap();
    assert_eq!((third.new, third.corrected, third.unchanged), (0, 1, n - 1));
    let batch = third.batch.unwrap();
    let roles: Vec<Role> = batch.vouchers.iter().map(|v| v.role).collect();
    assert_eq!(roles, [Role::Reversal, Role::Replacement]);
    assert_eq!(ver_count(&batch.journal()), 2);
    for v in &batch.vouchers {
        assert!(v.voucher.text.contains(&v.source_id), "{}", v.voucher.text);
        assert!(v.voucher.is_balanced());
        assert!(march().contains_date(v.voucher.date), "March is open");
    }

    // What the books hold now is the edited month, account by account.
    let exported = ledger.exported("556677-8899").await.unwrap();
    assert_eq!(exported.len(), n + 2);
    let accounts: BTreeSet<&str> = exported
        .iter()
        .flat_map(|e| e.voucher.postings.iter().map(|p| p.account.as_str()))
        .collect();
    for account in accounts {
        let booked: Decimal = exported.iter().map(|e| e.voucher.amount_on(account)).sum();
        assert_eq!(booked, edited.balance(account), "account {account}");
    }
    assert_ne!(edited.balance("2611"), journal.balance("2611"));
}
