//! Password hashing: argon2id with a random salt, stored as a PHC string. Hashing and checking
//! run on a blocking thread (tens of milliseconds of CPU and 19 MiB each), at most as many at
//! once as there are cores: fifty parallel sign-ins must not take 1 GiB and every core. A
//! check that cannot start within [`QUEUE_WAIT`] is refused as busy.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the password check was interrupted")]
    Interrupted(#[source] tokio::task::JoinError),
    #[error("too many password checks are running; try again in a few seconds")]
    Busy,
}

/// How long a password check waits for a free core before it is refused.
pub const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// One permit per core: the password checks (and hashes) that may run at once.
fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        tokio::sync::Semaphore::new(cores)
    })
}

/// Runs `work` on a blocking thread once a permit is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordError> {
    let _permit = tokio::time::timeout(QUEUE_WAIT, permits().acquire())
        .await
        .map_err(|_| PasswordError::Busy)?
        .map_err(|_| PasswordError::Busy)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(PasswordError::Interrupted)
}

/// Hashes `password` (argon2id, default parameters, random salt).
pub async fn hash_password(password: String) -> Result<String, PasswordError> {
    bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await?
}

/// Checks `password` against a stored hash. With no stored hash (unknown user) a dummy hash
/// is checked, so the answer takes as long either way.
pub async fn verify_password(
    password: String,
    stored: Option<String>,
) -> Result<bool, PasswordError> {
    bounded(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&hash).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await?
}

/// argon2id of a random string nobody knows, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1Vq5V0dXyZFq2r6ahjS3yH3q0d3lmKzQ9zn1E2u1mGk";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_checks_run_at_once_than_there_are_cores() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs: Vec<_> = (0..cores * 4)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                tokio::spawn(bounded(move || {
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(running, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for j in jobs {
            j.await.expect("join").expect("ran");
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most <= cores, "{most} ran at once on {cores} cores");
        assert!(most >= 1);
    }

    #[tokio::test]
    async fn a_hash_checks_its_password_only() {
        let hash = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(
            verify_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(!verify_password("wrong".into(), Some(hash))
            .await
            .expect("verify"));
        assert!(!verify_password("anything".into(), None)
            .await
            .expect("dummy"));
    }
}
