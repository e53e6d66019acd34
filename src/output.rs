//! Writing a close's files (the SIE file, the journal CSV, the review) as one
//! set: a reader, or a second close writing to the same directory at the same
//! time, never leaves an SIE file of one run beside a journal of another.
//!
//! [`write_set`] takes a lock on the output directory, so concurrent closes
//! into it take turns; writes every file into a fresh temporary directory
//! inside it, created with an unpredictable name (and refused if anything is
//! already there), each file created new (a planted symlink is never
//! followed); and then renames the files into place, which replaces a
//! directory entry without following it either. A failure before the renames
//! leaves the previous set untouched.
//!
//! ```no_run
//! use kassabok::output::write_set;
//!
//! # fn run(sie: Vec<u8>, csv: Vec<u8>, review: String) -> Result<(), kassabok::output::OutputError> {
//! write_set(
//!     std::path::Path::new("target/kassabok"),
//!     &[
//!         ("verifikationer.si", &sie),
//!         ("journal.csv", &csv),
//!         ("review.md", review.as_bytes()),
//!     ],
//! )?;
//! # Ok(()) }
//! ```

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The lock file in the output directory, held while a set is written.
pub const LOCK_FILE: &str = ".kassabok.lock";

/// Writing the set failed: which path and why. Nothing of the new set is in
/// place unless the failure was in the final renames.
#[derive(Debug, thiserror::Error)]
#[error("{what} {}: {error}", path.display())]
pub struct OutputError {
    /// What was being done.
    pub what: &'static str,
    /// The path concerned.
    pub path: PathBuf,
    /// The I/O error (part of the message, so not repeated as its source).
    pub error: std::io::Error,
}

fn err<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> OutputError + use<'a> {
    move |error| OutputError {
        what,
        path: path.to_owned(),
        error,
    }
}

/// Writes `files` (name, content) into `dir` as one set; see the
/// [module docs](self). `dir` is created if missing. A name must be a plain
/// file name (no directory part).
///
/// # Errors
/// [`OutputError`] naming the path: the directory cannot be created or locked,
/// the lock file is a symlink, a name is not a plain file name, or writing or
/// renaming a file failed.
pub fn write_set(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(err("cannot create", dir))?;
    for (name, _) in files {
        let plain = Path::new(name).file_name().is_some_and(|n| n == *name);
        if !plain || name.starts_with('.') {
            return Err(OutputError {
                what: "not a plain file name",
                path: dir.join(name),
                error: std::io::ErrorKind::InvalidInput.into(),
            });
        }
    }
    let _lock = lock(dir)?;
    let staging = tempfile::Builder::new()
        .prefix(".kassabok-")
        .tempdir_in(dir)
        .map_err(err("cannot create a temporary directory in", dir))?;
    for (name, bytes) in files {
        let path = staging.path().join(name);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(err("cannot create", &path))?;
        f.write_all(bytes).map_err(err("cannot write", &path))?;
        f.sync_all().map_err(err("cannot write", &path))?;
    }
    for (name, _) in files {
        let from = staging.path().join(name);
        let to = dir.join(name);
        std::fs::rename(&from, &to).map_err(err("cannot move into place", &to))?;
    }
    // The renames are in the directory: make them durable before the next run
    // (best effort; not every platform can open a directory).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Takes the exclusive lock on `dir`, waiting for another writer to finish.
fn lock(dir: &Path) -> Result<File, OutputError> {
    let path = dir.join(LOCK_FILE);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(OutputError {
            what: "refusing to follow a symlink at",
            path,
            error: std::io::ErrorKind::InvalidInput.into(),
        });
    }
    // Never truncated or written: the file only carries the lock.
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(err("cannot open the lock file", &path))?;
    file.lock().map_err(err("cannot lock", &path))?;
    Ok(file)
}
