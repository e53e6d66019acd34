//! The scenarios every backend passes.

use std::sync::Arc;
use std::time::Duration;

use bookkeeping_core::Period;
use journal_mapping::Journal;
use time::Month as M;
use time::macros::date;
use voucher_ledger::{
    CloseError, CloseOptions, CloseReport, Failpoint, LedgerError, LedgerStore, Month, Role,
    SourceProgress, SqlLedger, Step, booking_hash, close, content_hash, period_key, same_booking,
};

use crate::support::*;

async fn run(ledger: &SqlLedger, company: &str, journal: &Journal) -> CloseReport {
    close(
        ledger,
        journal,
        &CloseOptions::new(company, GENERATED),
        |_| Ok(()),
    )
    .await
    .unwrap()
}

pub(crate) async fn a_rerun_exports_nothing(ledger: &SqlLedger) {
    let company = company();
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(october(), &three_orders());
    let options = CloseOptions::new(&company, GENERATED);
    let deliver = |b: &voucher_ledger::Batch| deliver_to(dir.path(), b).map_err(Into::into);

    let first = close(ledger, &journal, &options, deliver).await.unwrap();
    assert_eq!((first.new, first.unchanged, first.corrected), (3, 0, 0));
    let batch = first.batch.as_ref().unwrap();
    assert_eq!(batch.number, 1);
    let ids: Vec<&str> = batch
        .vouchers
        .iter()
        .map(|v| v.voucher.id.as_str())
        .collect();
    let journal_ids: Vec<&str> = journal.vouchers.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        ids, journal_ids,
        "new vouchers go out under their journal ids"
    );

    let second = close(ledger, &journal, &options, deliver).await.unwrap();
    assert_eq!((second.new, second.unchanged, second.corrected), (0, 3, 0));
    assert!(second.batch.is_none());
    assert!(second.to_string().starts_with("0 new vouchers"), "{second}");

    let files = files(dir.path());
    assert_eq!(files.keys().collect::<Vec<_>>(), ["batch-0001.si"]);
    assert_eq!(ver_count(&files["batch-0001.si"]), 3);
    let exported = ledger.exported(&company).await.unwrap();
    assert_eq!(exported.len(), 3);
    assert!(
        exported
            .iter()
            .all(|e| e.delivered && e.batch == 1 && e.role == Role::Original)
    );
    assert_eq!(exported[0].content_hash, booking_hash(&journal.vouchers[0]));
}

/// A voucher whose wording alone changed (a provider's edited description,
/// a newer kassabok's posting text) books the same: a re-run leaves it as
/// exported instead of reversing and rebooking it. A changed amount still
/// gets its correction.
pub(crate) async fn a_voucher_whose_texts_alone_changed_is_unchanged(ledger: &SqlLedger) {
    let company = company();
    let mut orders = three_orders();
    let before = journal(october(), &orders);
    run(ledger, &company, &before).await;

    let mut reworded = before.clone();
    for v in &mut reworded.vouchers {
        v.text.push_str(" (ny text)");
        for p in &mut v.postings {
            p.text = format!("Omformulerad: {}", p.text);
        }
    }
    let report = run(ledger, &company, &reworded).await;
    assert_eq!((report.new, report.corrected, report.unchanged), (0, 0, 3));
    assert!(report.batch.is_none());

    orders[1] = sale("1002", date!(2026 - 10 - 15), "240.00", "60.00");
    let edited = journal(october(), &orders);
    let report = run(ledger, &company, &edited).await;
    assert_eq!((report.new, report.corrected, report.unchanged), (0, 1, 2));
}

/// A stored hash is read as what it is: a booking hash (`b1:`) as one, a
/// hash a ledger wrote before them (texts included) as that; neither
/// matches a voucher that books something else.
#[test]
fn stored_hashes_of_both_kinds_are_read() {
    let journal = journal(october(), &three_orders());
    let v = &journal.vouchers[0];
    let (new, old) = (booking_hash(v), content_hash(v));
    assert!(new.starts_with("b1:") && !old.starts_with("b1:"));
    assert!(same_booking(&new, v) && same_booking(&old, v));
    let mut reworded = v.clone();
    reworded.text.push_str(" (ny text)");
    assert!(same_booking(&new, &reworded));
    // The old hash covered the text: a reworded voucher is a change to it.
    assert!(!same_booking(&old, &reworded));
    let mut moved = v.clone();
    let last = moved.postings.len() - 1;
    moved.postings[0].amount += rust_decimal::Decimal::ONE;
    moved.postings[last].amount -= rust_decimal::Decimal::ONE;
    assert!(!same_booking(&new, &moved) && !same_booking(&old, &moved));
}

pub(crate) async fn a_changed_voucher_gets_one_reversal_and_one_new_voucher(ledger: &SqlLedger) {
    let company = company();
    let mut orders = three_orders();
    let before = journal(october(), &orders);
    run(ledger, &company, &before).await;

    // Order 1002 is edited at Shopify after the export: 200 → 240 net.
    orders[1] = sale("1002", date!(2026 - 10 - 15), "240.00", "60.00");
    let after = journal(october(), &orders);
    let original = before
        .vouchers
        .iter()
        .find(|v| v.text.contains("1002"))
        .unwrap();
    let changed = after.voucher(original.id.as_str()).unwrap();
    assert_ne!(content_hash(original), content_hash(changed));

    let report = run(ledger, &company, &after).await;
    assert_eq!((report.new, report.corrected, report.unchanged), (0, 1, 2));
    let batch = report.batch.unwrap();
    assert_eq!(batch.number, 2);
    let [reversal, replacement] = batch.vouchers.as_slice() else {
        panic!(
            "exactly one reversal and one new voucher: {:#?}",
            batch.vouchers
        );
    };
    let id = original.id.as_str();
    assert_eq!(reversal.role, Role::Reversal);
    assert_eq!(replacement.role, Role::Replacement);
    for v in [&reversal.voucher, &replacement.voucher] {
        assert!(v.text.contains(id), "{:?} names {id}", v.text);
        assert!(v.text.chars().count() <= 50);
        assert!(v.is_balanced());
        assert_ne!(v.id.as_str(), id, "a correction is a new voucher");
        // October is open: the correction is dated in it.
        assert_eq!(v.date, date!(2026 - 10 - 15));
    }
    assert!(reversal.voucher.text.starts_with("Återföring av "));
    assert!(replacement.voucher.text.starts_with("Rättelse av "));
    // The reversal undoes exactly what was booked; the new voucher books the edit.
    for p in &original.postings {
        assert_eq!(
            reversal.voucher.amount_on(&p.account),
            -original.amount_on(&p.account)
        );
    }
    assert_eq!(replacement.voucher.postings, changed.postings);
    assert_eq!(
        reversal.voucher.amount_on("3001"),
        original.amount_on("3001").abs()
    );
    assert_eq!(replacement.voucher.amount_on("3001"), d("-240.00"));

    // On the books: original + reversal + replacement = the edited order.
    let exported = ledger.exported(&company).await.unwrap();
    let booked_3001: rust_decimal::Decimal = exported
        .iter()
        .filter(|e| e.source_id == id)
        .map(|e| e.voucher.amount_on("3001"))
        .sum();
    assert_eq!(booked_3001, changed.amount_on("3001"));

    let again = run(ledger, &company, &after).await;
    assert_eq!((again.new, again.corrected, again.unchanged), (0, 0, 3));
    assert!(again.batch.is_none());
}

pub(crate) async fn a_vanished_voucher_is_reversed_and_a_returning_one_booked_anew(
    ledger: &SqlLedger,
) {
    let company = company();
    let orders = three_orders();
    let all = journal(october(), &orders);
    run(ledger, &company, &all).await;

    // Order 1003 is gone from the source (e.g. deleted as a test order).
    let without = journal(october(), &orders[..2]);
    let report = run(ledger, &company, &without).await;
    assert_eq!((report.reversed, report.unchanged, report.new), (1, 2, 0));
    let batch = report.batch.unwrap();
    assert_eq!(batch.vouchers.len(), 1);
    assert_eq!(batch.vouchers[0].role, Role::Reversal);
    let gone = &all
        .vouchers
        .iter()
        .find(|v| v.text.contains("1003"))
        .unwrap();
    assert_eq!(
        batch.vouchers[0].voucher.amount_on("1930"),
        -gone.amount_on("1930")
    );
    assert_eq!(batch.vouchers[0].source_id, gone.id.as_str());

    // A November run does not touch October's vouchers.
    let november = journal(Period::month(2026, M::November).unwrap(), &[]);
    let nothing = run(ledger, &company, &november).await;
    assert_eq!((nothing.reversed, nothing.new), (0, 0));

    // It comes back: booked anew (no second reversal).
    let report = run(ledger, &company, &all).await;
    assert_eq!((report.corrected, report.unchanged), (1, 2));
    let batch = report.batch.unwrap();
    assert_eq!(batch.vouchers.len(), 1);
    assert_eq!(batch.vouchers[0].role, Role::Replacement);
    assert_eq!(batch.vouchers[0].voucher.postings, gone.postings);
}

/// A run that did not read a provider at all (a job per provider, a key
/// left out) reverses none of its vouchers: they are not gone from its data,
/// it was not read. A run that read it and found nothing reverses them. A
/// reversal's accounts get no `#KONTO` the journal does not name: a made-up
/// name would rename the firm's account on import.
pub(crate) async fn a_provider_not_read_keeps_its_vouchers(ledger: &SqlLedger) {
    let company = company();
    let mut orders = three_orders();
    let mut stripe = sale("in_1", date!(2026 - 10 - 20), "40.00", "10.00");
    stripe.source =
        bookkeeping_core::SourceRef::new(bookkeeping_core::Provider::Stripe, "invoice", "in_1");
    stripe.payments[0].channel =
        bookkeeping_core::PaymentChannel::Provider(bookkeeping_core::Provider::Stripe);
    orders.push(stripe);
    let first = journal(october(), &orders);
    let of_stripe = first
        .vouchers
        .iter()
        .filter(|v| v.provider == bookkeeping_core::Provider::Stripe)
        .count();
    assert!(of_stripe > 0);
    run(ledger, &company, &first).await;

    // Shopify alone: Stripe's voucher stays.
    let shopify_only = journal(october(), &orders[..3]);
    let report = run(ledger, &company, &shopify_only).await;
    assert_eq!((report.reversed, report.unchanged), (0, 3));
    assert!(report.batch.is_none());
    assert_eq!(report.new, 0);

    // Stripe read, and its invoice gone: reversed, and the reversal's
    // accounts, which no voucher of this run uses, get no made-up name.
    let read = [
        bookkeeping_core::Provider::Shopify,
        bookkeeping_core::Provider::Stripe,
    ];
    let report = run(
        ledger,
        &company,
        &journal_read(october(), &orders[..3], &read),
    )
    .await;
    assert_eq!((report.reversed, report.unchanged), (of_stripe, 3));
    // Everything gone: every account of the batch is a reversal's.
    let report = run(ledger, &company, &journal_read(october(), &[], &read)).await;
    assert_eq!(report.reversed, 3);
    let batch = report.batch.unwrap();
    assert!(
        batch
            .accounts
            .iter()
            .all(|(_, name)| !name.starts_with("Konto ")),
        "{:?}",
        batch.accounts
    );
    let text = String::from_utf8_lossy(&sie_bytes(&batch)).into_owned();
    assert_eq!(ver_count(text.as_bytes()), 3);
    assert!(!text.contains("#KONTO"), "{text}");
}

pub(crate) async fn a_locked_month_gets_nothing_new_and_corrections_go_to_the_next_open_month(
    ledger: &SqlLedger,
) {
    let company = company();
    let mut orders = three_orders();
    run(ledger, &company, &journal(october(), &orders)).await;

    // October's VAT return is filed, and so is November's.
    let oct: Month = "2026-10".parse().unwrap();
    ledger.lock_month(&company, oct).await.unwrap();
    ledger.lock_month(&company, oct.next()).await.unwrap();
    ledger.lock_month(&company, oct).await.unwrap();
    assert_eq!(
        ledger.locked_months(&company).await.unwrap(),
        vec![oct, oct.next()]
    );

    // A late edit of 1001 and an order found late, both in October.
    orders[0] = sale("1001", date!(2026 - 10 - 03), "90.00", "22.50");
    orders.push(sale("1004", date!(2026 - 10 - 20), "40.00", "10.00"));
    let report = run(ledger, &company, &journal(october(), &orders)).await;
    assert_eq!((report.new, report.moved, report.corrected), (1, 1, 1));
    let batch = report.batch.unwrap();
    assert_eq!(batch.vouchers.len(), 3);
    for v in &batch.vouchers {
        assert_eq!(
            v.voucher.date,
            date!(2026 - 12 - 01),
            "{:?}",
            v.voucher.text
        );
        assert!(v.voucher.is_balanced());
    }
    let late = batch
        .vouchers
        .iter()
        .find(|v| v.role == Role::Original)
        .unwrap();
    assert_eq!(late.source_date, date!(2026 - 10 - 20));
    assert!(
        late.voucher.text.starts_with("Avser 2026-10-20"),
        "{}",
        late.voucher.text
    );
}

/// Runs October with a failpoint at `step`, then again without: the books
/// must equal an uninterrupted run's.
pub(crate) async fn a_run_stopped_at_each_step_resumes_to_the_same_books(ledger: &SqlLedger) {
    let months = two_runs();

    // Uninterrupted: two runs, the second corrects 1003.
    let clean = tempfile::tempdir().unwrap();
    let clean_company = company();
    for j in &months {
        let options = CloseOptions::new(&clean_company, GENERATED);
        close(ledger, j, &options, |b| {
            deliver_to(clean.path(), b).map_err(Into::into)
        })
        .await
        .unwrap();
    }
    let clean_files = files(clean.path());
    assert_eq!(clean_files.len(), 2);

    for step in [Step::AfterFetch, Step::AfterRecord, Step::AfterDeliver] {
        for stop_in in 0..months.len() {
            let dir = tempfile::tempdir().unwrap();
            let company = company();
            for (i, j) in months.iter().enumerate() {
                let deliver =
                    |b: &voucher_ledger::Batch| deliver_to(dir.path(), b).map_err(Into::into);
                if i == stop_in {
                    let mut options = CloseOptions::new(&company, GENERATED);
                    options.failpoint = Some(Failpoint {
                        step,
                        abort_process: false,
                    });
                    let err = close(ledger, j, &options, deliver).await.unwrap_err();
                    assert!(matches!(err, CloseError::Stopped(s) if s == step), "{err}");
                }
                // The resumed (or next) run.
                let options = CloseOptions::new(&company, GENERATED);
                let report = close(ledger, j, &options, deliver).await.unwrap();
                // Stopped after recording: the resumed run delivers the recorded batch.
                let recorded = i == stop_in && step != Step::AfterFetch;
                assert_eq!(report.resumed, recorded, "{step:?}: {report}");
                assert_eq!(report.batch.unwrap().number, i as i64 + 1);
            }
            assert_eq!(files(dir.path()), clean_files, "{step:?} in run {stop_in}");
            let exported = ledger.exported(&company).await.unwrap();
            assert_eq!(exported.len(), 5, "3 originals, 1 reversal, 1 replacement");
            assert!(exported.iter().all(|e| e.delivered));
        }
    }
}

pub(crate) async fn a_failed_delivery_is_delivered_by_the_next_run(ledger: &SqlLedger) {
    let company = company();
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(october(), &three_orders());
    let options = CloseOptions::new(&company, GENERATED);
    // The disk fills up halfway through the file.
    let err = close(ledger, &journal, &options, |b| {
        let bytes = sie_bytes(b);
        std::fs::write(dir.path().join("batch-0001.si"), &bytes[..bytes.len() / 2])?;
        Err("no space left on device".into())
    })
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("batch 1") && err.to_string().contains("no space left"),
        "{err}"
    );
    assert!(!ledger.exported(&company).await.unwrap()[0].delivered);

    let report = close(ledger, &journal, &options, |b| {
        deliver_to(dir.path(), b).map_err(Into::into)
    })
    .await
    .unwrap();
    assert!(report.resumed);
    assert_eq!(report.new, 3);
    let batch = report.batch.unwrap();
    assert_eq!(batch.number, 1);
    let files = files(dir.path());
    assert_eq!(ver_count(&files["batch-0001.si"]), 3);
    assert_eq!(files["batch-0001.si"], sie_bytes(&batch));
    assert!(
        ledger
            .exported(&company)
            .await
            .unwrap()
            .iter()
            .all(|e| e.delivered)
    );

    let again = close(ledger, &journal, &options, |_| Ok(())).await.unwrap();
    assert_eq!((again.new, again.unchanged, again.resumed), (0, 3, false));
}

pub(crate) async fn a_second_worker_on_the_same_company_waits_or_stops_busy(ledger: &SqlLedger) {
    let company = company();
    let holder = ledger.begin(&company).await.unwrap();

    // A worker that does not wait stops with a clear error.
    let impatient = ledger.clone().with_lock_wait(Duration::from_millis(200));
    let journal = journal(october(), &three_orders());
    let err = close(
        &impatient,
        &journal,
        &CloseOptions::new(&company, GENERATED),
        |_| Ok(()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, CloseError::Ledger(LedgerError::Busy { company: c, .. }) if *c == company),
        "{err}"
    );
    assert!(
        err.to_string().contains("being closed by another worker"),
        "{err}"
    );

    // A patient one waits for the holder and then proceeds.
    let patient = ledger.clone().with_lock_wait(Duration::from_secs(30));
    let waiting = {
        let company = company.clone();
        tokio::spawn(async move {
            close(
                &patient,
                &journal,
                &CloseOptions::new(&company, GENERATED),
                |_| Ok(()),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "it waits while the lock is held");
    holder.release().await.unwrap();
    let report = waiting.await.unwrap().unwrap();
    assert_eq!(report.new, 3);
}

pub(crate) async fn two_workers_closing_the_same_company_at_once_export_once(ledger: &SqlLedger) {
    let company = company();
    let journal = Arc::new(journal(october(), &three_orders()));
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (ledger, journal, company, dir) = (
                ledger.clone(),
                journal.clone(),
                company.clone(),
                dir.clone(),
            );
            tokio::spawn(async move {
                close(
                    &ledger,
                    &journal,
                    &CloseOptions::new(&company, GENERATED),
                    |b| deliver_to(dir.path(), b).map_err(Into::into),
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let mut news = Vec::new();
    for w in workers {
        news.push(w.await.unwrap().new);
    }
    news.sort_unstable();
    assert_eq!(news, [0, 3], "one exports, the other finds it done");
    assert_eq!(ledger.exported(&company).await.unwrap().len(), 3);
    assert_eq!(files(dir.path()).len(), 1);
}

/// Eight workers start the same close together, twice over. A worker waiting
/// for the lock must not get in while the worker holding it commits the batch
/// it recorded and before it delivers: it would find the batch pending and
/// deliver it a second time. (SQLite cannot commit and keep its write lock;
/// the company lock file holds it across the commit.)
pub(crate) async fn many_workers_on_one_company_deliver_each_batch_once(ledger: &SqlLedger) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const WORKERS: usize = 8;
    for round in 0..2 {
        let company = company();
        let journal = Arc::new(journal(october(), &three_orders()));
        let deliveries = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let (ledger, journal, company, deliveries) = (
                    ledger.clone(),
                    journal.clone(),
                    company.clone(),
                    deliveries.clone(),
                );
                tokio::spawn(async move {
                    close(
                        &ledger,
                        &journal,
                        &CloseOptions::new(&company, GENERATED),
                        |_| {
                            // A slow delivery: the others wait on the lock
                            // meanwhile.
                            std::thread::sleep(Duration::from_millis(5));
                            deliveries.fetch_add(1, Ordering::SeqCst);
                            Ok(())
                        },
                    )
                    .await
                    .unwrap()
                    .new
                })
            })
            .collect();
        let mut news = Vec::new();
        for w in workers {
            news.push(w.await.unwrap());
        }
        news.sort_unstable();
        let mut expected = vec![0; WORKERS - 1];
        expected.push(3);
        assert_eq!(
            news, expected,
            "round {round}: one exports, the others find it done"
        );
        assert_eq!(
            deliveries.load(Ordering::SeqCst),
            1,
            "round {round}: the batch is delivered once"
        );
    }
}

pub(crate) async fn many_shops_close_at_once(ledger: &SqlLedger) {
    const SHOPS: usize = 16;
    let journal = Arc::new(journal(october(), &three_orders()));
    let companies: Vec<String> = (0..SHOPS).map(|_| company()).collect();
    for round in 0..2 {
        let runs: Vec<_> = companies
            .iter()
            .map(|c| {
                let (ledger, journal, c) = (ledger.clone(), journal.clone(), c.clone());
                tokio::spawn(async move {
                    close(&ledger, &journal, &CloseOptions::new(&c, GENERATED), |_| {
                        Ok(())
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for r in futures::future::join_all(runs).await {
            let r = r.unwrap();
            let expected = if round == 0 { (3, 0) } else { (0, 3) };
            assert_eq!((r.new, r.unchanged), expected);
        }
    }
    for c in &companies {
        let exported = ledger.exported(c).await.unwrap();
        assert_eq!(exported.len(), 3, "{c}");
        assert!(exported.iter().all(|e| e.batch == 1));
    }
}

pub(crate) async fn numbers_progress_and_locks_are_recorded(ledger: &SqlLedger) {
    let company = company();
    let report = run(ledger, &company, &journal(october(), &three_orders())).await;
    let first = &report.batch.unwrap().vouchers[0];
    assert_eq!(first.voucher.series, "F");

    // The accounting program numbered it F 17 on import.
    ledger
        .set_voucher_number(&company, first.voucher.id.as_str(), 17)
        .await
        .unwrap();
    let exported = ledger.exported(&company).await.unwrap();
    assert_eq!(exported[0].number, Some(17));
    assert_eq!(exported[1].number, None);
    let err = ledger
        .set_voucher_number(&company, "nope", 1)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no voucher nope"), "{err}");

    let period = period_key(&october());
    assert_eq!(period, "2026-10-01..=2026-10-31");
    let mut p = SourceProgress {
        source: "shopify".into(),
        period: period.clone(),
        records: 120,
        cursor: Some("eyJsYXN0X2lkIjo0MjB9".into()),
        complete: false,
    };
    ledger.record_progress(&company, &p).await.unwrap();
    p.records = 250;
    p.cursor = None;
    p.complete = true;
    ledger.record_progress(&company, &p).await.unwrap();
    let klarna = SourceProgress {
        source: "klarna".into(),
        records: 3,
        ..p.clone()
    };
    ledger.record_progress(&company, &klarna).await.unwrap();
    assert_eq!(
        ledger.progress(&company, &period).await.unwrap(),
        vec![klarna, p]
    );
    assert!(
        ledger
            .progress(&company, "2026-11-01..=2026-11-30")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(ledger.locked_months(&company).await.unwrap().is_empty());
}

/// Two closes of October at once, the slower last: B read the providers
/// after an order was edited and exported the correction; A read them
/// before, and reaching the ledger after B it would reverse B's correction
/// and book the stale version again. A is refused, nothing exported, and
/// the books keep B's version; a run that read after B goes on.
pub(crate) async fn a_run_with_older_data_than_an_export_is_refused(ledger: &SqlLedger) {
    use time::macros::datetime;
    let company = company();
    let mut orders = three_orders();
    let first = journal(october(), &orders);
    let at = |t| CloseOptions::new(&company, GENERATED).fetched_at(t);
    let close_at = |journal: &Journal, t| {
        let options = at(t);
        let journal = journal.clone();
        async move { close(ledger, &journal, &options, |_| Ok(())).await }
    };
    close_at(&first, datetime!(2026-11-01 01:00 UTC))
        .await
        .unwrap();

    // A reads at 03:00; the order is edited at 03:30; B reads at 04:00 and
    // exports first.
    let stale = journal(october(), &orders);
    orders[1] = sale("1002", date!(2026 - 10 - 15), "240.00", "60.00");
    let fresh = journal(october(), &orders);
    let b = close_at(&fresh, datetime!(2026-11-01 04:00 UTC))
        .await
        .unwrap();
    assert_eq!(b.corrected, 1);

    let err = close_at(&stale, datetime!(2026-11-01 03:00 UTC))
        .await
        .unwrap_err();
    assert!(matches!(err, CloseError::Stale { .. }), "{err}");
    assert!(err.to_string().contains("run the close again"), "{err}");
    assert_eq!(ledger.exported(&company).await.unwrap().len(), 3 + 2);

    // Read after B: nothing changed since, nothing to export.
    let again = close_at(&fresh, datetime!(2026-11-01 05:00 UTC))
        .await
        .unwrap();
    assert_eq!((again.corrected, again.unchanged), (0, 3));
    // A run that does not say when it read is not checked.
    let unchecked = run(ledger, &company, &fresh).await;
    assert_eq!(unchecked.unchanged, 3);
}
