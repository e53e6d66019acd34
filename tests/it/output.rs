//! The outputs of a close are written as one set: two closes into the same
//! directory at once leave one consistent set, and nothing planted there is
//! followed.

use std::path::Path;
use std::sync::{Arc, Barrier};

use kassabok::mapping::{Chart, Granularity, Journal, Policy, SieExport};
use kassabok::output::write_set;
use provider_sandbox::{Faults, Sandbox, ScenarioConfig};
use time::macros::date;

use crate::support::{march, rates};

/// The three files of a close, as month_close writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Set {
    sie: Vec<u8>,
    csv: Vec<u8>,
    review: Vec<u8>,
}

fn set_of(journal: &Journal) -> Set {
    let export = SieExport::new("Kaffekompaniet i Göteborg AB", date!(2026 - 04 - 02));
    let sie = kassabok::sie::write(
        &journal.to_sie(&export),
        &kassabok::sie::WriteOptions::default(),
    )
    .unwrap();
    let mut csv = Vec::new();
    journal.to_csv(&mut csv).unwrap();
    Set {
        sie,
        csv,
        review: journal.review_markdown().into_bytes(),
    }
}

fn write(dir: &Path, set: &Set) {
    write_set(
        dir,
        &[
            ("verifikationer.si", &set.sie),
            ("journal.csv", &set.csv),
            ("review.md", &set.review),
        ],
    )
    .unwrap();
}

fn read(dir: &Path) -> Set {
    Set {
        sie: std::fs::read(dir.join("verifikationer.si")).unwrap(),
        csv: std::fs::read(dir.join("journal.csv")).unwrap(),
        review: std::fs::read(dir.join("review.md")).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_closes_into_one_directory_leave_one_consistent_set() {
    // Two real closes of the sandbox month that differ: one voucher per
    // payout, and one per document.
    let sandbox = Sandbox::start(&ScenarioConfig::small(march()), Faults::none()).await;
    let sources = crate::support::sources(&sandbox);
    let fetched = kassabok::close::fetch(&sources, &march(), &|_, _| {})
        .await
        .unwrap();
    let close = |g| {
        let policy = Policy::default().with_granularity(g);
        set_of(&fetched.map(Chart::bas2025(), policy, rates(), march()))
    };
    let a = Arc::new(close(Granularity::PerPayout));
    let b = Arc::new(close(Granularity::PerDocument));
    assert_ne!(a.sie, b.sie);
    assert_ne!(a.csv, b.csv);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    for round in 0..25 {
        let start = Arc::new(Barrier::new(2));
        let writers: Vec<_> = [a.clone(), b.clone()]
            .into_iter()
            .map(|set| {
                let start = start.clone();
                let dir = dir.clone();
                std::thread::spawn(move || {
                    start.wait();
                    write(&dir, &set);
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let got = read(&dir);
        assert!(
            got == *a || got == *b,
            "round {round}: the files are not one close's set"
        );
    }
    // Nothing left behind but the set and the lock.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".kassabok.lock",
            "journal.csv",
            "review.md",
            "verifikationer.si"
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_planted_symlink_is_replaced_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    for name in ["journal.csv", "verifikationer.si"] {
        std::os::unix::fs::symlink(&victim, dir.join(name)).unwrap();
    }
    // What the old writer's temporary name was: `<name>.tmp<pid>`.
    std::os::unix::fs::symlink(
        &victim,
        dir.join(format!("journal.csv.tmp{}", std::process::id())),
    )
    .unwrap();
    let set = Set {
        sie: b"#FLAGGA 0\r\n".to_vec(),
        csv: b"voucher_id\n".to_vec(),
        review: b"# Review\n".to_vec(),
    };
    write(&dir, &set);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(read(&dir), set);
    let meta = std::fs::symlink_metadata(dir.join("journal.csv")).unwrap();
    assert!(meta.file_type().is_file());

    // A symlink planted as the lock file is refused, naming it.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::os::unix::fs::symlink(&victim, other.join(".kassabok.lock")).unwrap();
    let err = write_set(&other, &[("review.md", b"x")]).unwrap_err();
    assert!(err.to_string().contains(".kassabok.lock"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}
