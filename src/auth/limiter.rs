//! Sign-in attempts, limited per user name and per client address. An attempt is counted
//! *before* its password is checked, so a burst of parallel requests gets the same few guesses
//! as a slow stream; a success takes its own count back and clears the user's failures.
//!
//! - Per user name: [`PER_USER`] failures within [`WINDOW`] are free, then each further attempt
//!   waits a back-off after the last failure (2 s, 4 s, … up to [`MAX_BACKOFF`]): guessing is
//!   slowed to a crawl, and the real user is never locked out for longer than that.
//! - Per client address (the real client, behind trusted proxies): [`PER_ADDRESS`] failures
//!   within [`WINDOW`], then refused until the oldest leaves the window.
//!
//! Kept in memory (a restart clears it). The table holds at most [`MAX_KEYS`] keys; when it is
//! full the oldest keys are dropped, never the new ones skipped (that would be unlimited
//! guessing for every key beyond the limit).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures per user name within [`WINDOW`] before the back-off starts.
pub const PER_USER: usize = 5;
/// Failures allowed per client address within [`WINDOW`].
pub const PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest a user name waits between two attempts once in back-off.
pub const MAX_BACKOFF: Duration = Duration::from_secs(120);
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
struct Table {
    failures: HashMap<String, VecDeque<Instant>>,
    /// Keys in the order they were added (for dropping the oldest when full).
    order: VecDeque<String>,
}

impl Table {
    fn entry(&mut self, key: String, now: Instant) -> &mut VecDeque<Instant> {
        if !self.failures.contains_key(&key) {
            if self.failures.len() >= MAX_KEYS {
                self.failures.retain(|_, q| {
                    prune(q, now);
                    !q.is_empty()
                });
                self.order.retain(|k| self.failures.contains_key(k));
            }
            while self.failures.len() >= MAX_KEYS {
                match self.order.pop_front() {
                    Some(oldest) => {
                        self.failures.remove(&oldest);
                    }
                    None => break,
                }
            }
            self.order.push_back(key.clone());
        }
        self.failures.entry(key).or_default()
    }
}

/// One counted attempt: call [`LoginLimiter::succeeded`] with it when the password was right.
#[derive(Debug)]
#[must_use]
pub struct Attempt {
    user: String,
    address: String,
    at: Instant,
}

#[derive(Default)]
pub struct LoginLimiter {
    table: Mutex<Table>,
}

impl LoginLimiter {
    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts an attempt of `user` from `address` as failed until [`Self::succeeded`] says
    /// otherwise; `Err(wait)` (nothing counted) while either is limited.
    pub fn begin(&self, user: &str, address: &str, now: Instant) -> Result<Attempt, Duration> {
        let mut t = self.table();
        let (user_key, addr_key) = (user_key(user), addr_key(address));
        let mut wait: Option<Duration> = None;
        if let Some(q) = t.failures.get_mut(&addr_key) {
            prune(q, now);
            if q.len() >= PER_ADDRESS {
                let until = q.front().map_or(Duration::ZERO, |first| {
                    WINDOW.saturating_sub(now.duration_since(*first))
                });
                wait = Some(until);
            }
        }
        if let Some(q) = t.failures.get_mut(&user_key) {
            prune(q, now);
            if let (Some(back_off), Some(last)) = (backoff(q.len()), q.back()) {
                let until = back_off.saturating_sub(now.duration_since(*last));
                if !until.is_zero() {
                    wait = Some(wait.map_or(until, |w| w.max(until)));
                }
            }
        }
        if let Some(w) = wait {
            return Err(w);
        }
        t.entry(user_key, now).push_back(now);
        t.entry(addr_key, now).push_back(now);
        Ok(Attempt {
            user: user.to_owned(),
            address: address.to_owned(),
            at: now,
        })
    }

    /// The attempt's password was right: its count is taken back and the user's failures
    /// cleared (the address keeps its other failures).
    pub fn succeeded(&self, attempt: Attempt) {
        let mut t = self.table();
        t.failures.remove(&user_key(&attempt.user));
        if let Some(q) = t.failures.get_mut(&addr_key(&attempt.address)) {
            if let Some(i) = q.iter().rposition(|at| *at == attempt.at) {
                q.remove(i);
            }
        }
    }

    /// How many keys are tracked (for tests of the table's bound).
    pub fn tracked(&self) -> usize {
        self.table().failures.len()
    }
}

/// The wait after the last failure once `failures` have been counted: none for the first
/// [`PER_USER`], then doubling from 2 s up to [`MAX_BACKOFF`].
pub fn backoff(failures: usize) -> Option<Duration> {
    let over = failures.checked_sub(PER_USER)?;
    let secs = 2u64.saturating_pow(u32::try_from(over + 1).unwrap_or(u32::MAX));
    Some(Duration::from_secs(secs).min(MAX_BACKOFF))
}

fn user_key(user: &str) -> String {
    format!("u:{}", user.to_lowercase())
}

fn addr_key(address: &str) -> String {
    format!("a:{address}")
}

fn prune(q: &mut VecDeque<Instant>, now: Instant) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_doubles_after_five_failures_up_to_two_minutes() {
        assert_eq!(backoff(4), None);
        assert_eq!(backoff(5), Some(Duration::from_secs(2)));
        assert_eq!(backoff(6), Some(Duration::from_secs(4)));
        assert_eq!(backoff(8), Some(Duration::from_secs(16)));
        assert_eq!(backoff(20), Some(MAX_BACKOFF));
        assert_eq!(backoff(usize::MAX), Some(MAX_BACKOFF));
    }

    #[test]
    fn a_burst_gets_five_guesses_then_waits_and_the_user_is_never_locked_for_long() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        // Fifty attempts at the same instant, none finished yet: counted before the check.
        let allowed = (0..50)
            .filter(|i| l.begin("admin", &format!("10.0.0.{i}"), t0).is_ok())
            .count();
        assert_eq!(allowed, PER_USER);
        let wait = l.begin("admin", "10.0.1.1", t0).expect_err("backing off");
        assert_eq!(wait, Duration::from_secs(2));
        // After the back-off one more attempt, then a longer wait — never the whole window.
        let later = t0 + Duration::from_secs(2);
        assert!(l.begin("ADMIN", "10.0.1.1", later).is_ok());
        let wait = l
            .begin("admin", "10.0.1.1", later)
            .expect_err("backing off");
        assert_eq!(wait, Duration::from_secs(4));
        assert!(wait <= MAX_BACKOFF);
        // Another user from the same addresses is not slowed.
        assert!(l.begin("alice", "10.0.0.1", t0).is_ok());
    }

    #[test]
    fn an_address_is_refused_after_twenty_failures_over_many_names() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PER_ADDRESS {
            assert!(l.begin(&format!("user{i}"), "10.0.0.9", t0).is_ok());
        }
        assert!(l.begin("fresh", "10.0.0.9", t0).is_err());
        assert!(l.begin("fresh", "10.0.0.8", t0).is_ok());
        assert!(l.begin("fresh2", "10.0.0.9", t0 + WINDOW).is_ok());
    }

    #[test]
    fn success_takes_its_count_back_and_clears_the_user() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..PER_USER - 1 {
            let _failed = l.begin("bob", "10.0.0.1", t0).expect("allowed");
        }
        let ok = l.begin("bob", "10.0.0.1", t0).expect("allowed");
        l.succeeded(ok);
        for _ in 0..PER_USER {
            let _failed = l.begin("bob", "10.0.0.1", t0).expect("cleared");
        }
        assert!(l.begin("bob", "10.0.0.1", t0).is_err());
    }

    #[test]
    fn a_full_table_drops_its_oldest_keys_and_still_counts_new_ones() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..MAX_KEYS {
            let _ = l.begin(&format!("spray{i}"), &format!("addr{i}"), t0);
        }
        assert!(l.tracked() <= MAX_KEYS);
        // A new name is still counted: five free guesses, then the back-off.
        for _ in 0..PER_USER {
            let _ = l.begin("victim", "10.1.1.1", t0).expect("allowed");
        }
        assert!(l.begin("victim", "10.1.1.2", t0).is_err());
        assert!(l.tracked() <= MAX_KEYS);
    }
}
