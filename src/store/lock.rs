//! One console per SQLite file: an exclusive lock on `<file>.lock`, held as long as the store
//! lives, with who holds it written inside. A second console on the same file — a rolling
//! update with `maxSurge`, a mistaken `replicas: 2`, a second process by hand — would run
//! backups of its own against the same cluster (Camunda's "another backup is running" check
//! is per gateway); it refuses to start instead, naming the file and the holder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a start waits for a lock being released (a process that is exiting).
const WAIT: Duration = Duration::from_secs(5);

/// The held lock; released when dropped (and by the OS when the process dies).
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
    pub path: PathBuf,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("the journal {db} is in use by another console ({holder}); one SQLite file has one writer — stop that console, or run several replicas on PostgreSQL")]
    Held { db: PathBuf, holder: String },
    #[error("could not lock {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Takes the lock of the SQLite file `db`, waiting a few seconds for a holder that is exiting.
pub fn acquire(db: &Path) -> Result<WriterLock, LockError> {
    let path = PathBuf::from(format!("{}.lock", db.display()));
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if started.elapsed() < WAIT => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(LockError::Held {
                    db: db.to_path_buf(),
                    holder: if holder.is_empty() {
                        format!("{} is locked", path.display())
                    } else {
                        holder.to_owned()
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "an unknown host".into());
    let me = format!(
        "process {} on {host}, since {}",
        std::process::id(),
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(me.as_bytes()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(WriterLock { _file: file, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_file_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("console.db");
        let first = acquire(&db).unwrap();
        let err = acquire(&db).unwrap_err().to_string();
        assert!(err.contains(&db.display().to_string()), "{err}");
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
        drop(first);
        assert!(acquire(&db).is_ok(), "released when dropped");
    }
}
