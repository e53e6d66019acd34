//! Runs killed for real: a child process (this test binary, running the
//! ignored `child_close`) aborts at a step of the close, like `kill -9`: no
//! destructor runs, no connection is closed politely. The parent then runs
//! the close again and compares the delivered files with an uninterrupted run.

use std::path::Path;
use std::process::Command;

use voucher_ledger::{CloseOptions, Failpoint, LedgerStore, SqlLedger, Step, close};

use crate::support::*;

const CHILD: &str = "KASSABOK_LEDGER_CHILD_STEP";

fn step_name(step: Step) -> &'static str {
    match step {
        Step::AfterFetch => "after-fetch",
        Step::AfterRecord => "after-record",
        _ => "after-deliver",
    }
}

/// The child: closes run `RUN` of [`two_runs`] and aborts at `STEP`.
#[test]
#[ignore = "the child process of the kill tests, which run it themselves"]
fn child_close() {
    let var =
        |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent"));
    let step = match var(CHILD).as_str() {
        "after-fetch" => Step::AfterFetch,
        "after-record" => Step::AfterRecord,
        _ => Step::AfterDeliver,
    };
    let run: usize = var("KASSABOK_LEDGER_CHILD_RUN").parse().unwrap();
    let (url, company, out) = (
        var("KASSABOK_LEDGER_CHILD_URL"),
        var("KASSABOK_LEDGER_CHILD_COMPANY"),
        var("KASSABOK_LEDGER_CHILD_OUT"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let ledger = SqlLedger::connect(&url).await.unwrap();
        let mut options = CloseOptions::new(&company, GENERATED);
        options.failpoint = Some(Failpoint {
            step,
            abort_process: true,
        });
        let journal = &two_runs()[run];
        let _ = close(&ledger, journal, &options, |b| {
            deliver_to(Path::new(&out), b).map_err(Into::into)
        })
        .await;
    });
    panic!("the failpoint at {step:?} did not abort the process");
}

async fn run_normally(ledger: &SqlLedger, company: &str, run: usize, out: &Path) {
    let journal = &two_runs()[run];
    close(
        ledger,
        journal,
        &CloseOptions::new(company, GENERATED),
        |b| deliver_to(out, b).map_err(Into::into),
    )
    .await
    .unwrap();
}

async fn killed_at_each_step_resumes(url: &str) {
    let ledger = SqlLedger::connect(url).await.unwrap();
    let clean = tempfile::tempdir().unwrap();
    let clean_company = company();
    for run in 0..2 {
        run_normally(&ledger, &clean_company, run, clean.path()).await;
    }
    let clean_files = files(clean.path());
    assert_eq!(clean_files.len(), 2);

    for step in [Step::AfterFetch, Step::AfterRecord, Step::AfterDeliver] {
        for killed_run in 0..2 {
            let out = tempfile::tempdir().unwrap();
            let company = company();
            for run in 0..killed_run {
                run_normally(&ledger, &company, run, out.path()).await;
            }
            let status = Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "crash::child_close",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, step_name(step))
                .env("KASSABOK_LEDGER_CHILD_RUN", killed_run.to_string())
                .env("KASSABOK_LEDGER_CHILD_URL", url)
                .env("KASSABOK_LEDGER_CHILD_COMPANY", &company)
                .env("KASSABOK_LEDGER_CHILD_OUT", out.path())
                .output()
                .unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                assert_eq!(
                    status.status.signal(),
                    Some(6),
                    "the child aborts at {step:?}: {}",
                    String::from_utf8_lossy(&status.stderr)
                );
            }
            assert!(!status.status.success());
            let delivered_before = files(out.path()).len();
            assert_eq!(
                delivered_before,
                killed_run + usize::from(step == Step::AfterDeliver),
                "{step:?} in run {killed_run}"
            );
            for run in killed_run..2 {
                run_normally(&ledger, &company, run, out.path()).await;
            }
            assert_eq!(
                files(out.path()),
                clean_files,
                "killed {step:?} in run {killed_run}"
            );
            let exported = ledger.exported(&company).await.unwrap();
            assert_eq!(exported.len(), 5);
            assert!(exported.iter().all(|e| e.delivered));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_run_killed_at_each_step_resumes_to_the_same_books() {
    let db = SqliteDb::new().await;
    killed_at_each_step_resumes(&format!("sqlite://{}?mode=rwc", db.path.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_run_killed_at_each_step_resumes_to_the_same_books() {
    match std::env::var(PG_URL) {
        Ok(url) if !url.trim().is_empty() => killed_at_each_step_resumes(&url).await,
        _ => eprintln!("skipped: {PG_URL} is not set"),
    }
}
