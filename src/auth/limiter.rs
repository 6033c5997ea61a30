//! Sign-in attempts, limited per user name and per client address: after too many failures in
//! a window, further attempts are refused until the oldest failure leaves the window. Kept in
//! memory (a restart clears it); the number of tracked keys is capped.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per user name within [`WINDOW`].
pub const PER_USER: usize = 5;
/// Failures allowed per client address within [`WINDOW`] (many users behind one proxy).
pub const PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// `Err(wait)` when `user` or `address` has used up its failures.
    pub fn check(&self, user: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut wait = None;
        for (key, limit) in [(user_key(user), PER_USER), (addr_key(address), PER_ADDRESS)] {
            if let Some(q) = map.get_mut(&key) {
                prune(q, now);
                if q.len() >= limit {
                    let until = q.front().map_or(Duration::ZERO, |first| {
                        WINDOW.saturating_sub(now.duration_since(*first))
                    });
                    wait = Some(wait.map_or(until, |w: Duration| w.max(until)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    pub fn failed(&self, user: &str, address: &str, now: Instant) {
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_KEYS {
            map.retain(|_, q| {
                prune(q, now);
                !q.is_empty()
            });
        }
        for key in [user_key(user), addr_key(address)] {
            if map.len() >= MAX_KEYS && !map.contains_key(&key) {
                continue;
            }
            let q = map.entry(key).or_default();
            prune(q, now);
            q.push_back(now);
        }
    }

    /// A successful sign-in clears the user's failures (not the address's).
    pub fn succeeded(&self, user: &str) {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&user_key(user));
    }
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
    fn a_user_is_locked_after_five_failures_until_the_window_passes() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PER_USER {
            assert!(l.check("admin", "10.0.0.1", t0).is_ok(), "attempt {i}");
            l.failed("admin", "10.0.0.1", t0);
        }
        let wait = l.check("admin", "10.0.0.2", t0).expect_err("locked");
        assert_eq!(wait, WINDOW);
        // Another user from the same address is still allowed.
        assert!(l.check("alice", "10.0.0.1", t0).is_ok());
        assert!(l.check("ADMIN", "10.0.0.3", t0 + WINDOW).is_ok());
    }

    #[test]
    fn an_address_is_locked_after_twenty_failures_over_many_names() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PER_ADDRESS {
            l.failed(&format!("user{i}"), "10.0.0.9", t0);
        }
        assert!(l.check("fresh", "10.0.0.9", t0).is_err());
        assert!(l.check("fresh", "10.0.0.8", t0).is_ok());
    }

    #[test]
    fn success_clears_the_users_failures() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..PER_USER - 1 {
            l.failed("bob", "10.0.0.1", t0);
        }
        l.succeeded("bob");
        l.failed("bob", "10.0.0.1", t0);
        assert!(l.check("bob", "10.0.0.1", t0).is_ok());
    }
}
