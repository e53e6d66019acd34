//! One suite, two backends: every scenario in `suite` runs against SQLite
//! (a temporary file) and PostgreSQL (the server named by
//! `KASSABOK_TEST_PG_URL`; skipped, saying so, where it is unset).

mod crash;
mod schema;
mod suite;
mod support;

/// Instantiates each scenario of `suite` for both backends.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = crate::support::SqliteDb::new().await;
                    crate::suite::$name(&db.ledger).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(ledger) = crate::support::postgres().await else { return };
                    crate::suite::$name(&ledger).await;
                }
            )*
        }
    };
}

both_backends!(
    a_rerun_exports_nothing,
    a_changed_voucher_gets_one_reversal_and_one_new_voucher,
    a_voucher_whose_texts_alone_changed_is_unchanged,
    a_vanished_voucher_is_reversed_and_a_returning_one_booked_anew,
    a_provider_not_read_keeps_its_vouchers,
    a_locked_month_gets_nothing_new_and_corrections_go_to_the_next_open_month,
    a_run_stopped_at_each_step_resumes_to_the_same_books,
    a_failed_delivery_is_delivered_by_the_next_run,
    a_second_worker_on_the_same_company_waits_or_stops_busy,
    two_workers_closing_the_same_company_at_once_export_once,
    many_workers_on_one_company_deliver_each_batch_once,
    many_shops_close_at_once,
    numbers_progress_and_locks_are_recorded,
    a_run_with_older_data_than_an_export_is_refused,
);
