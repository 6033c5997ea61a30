//! The time the scheduler, retention and alerts see, from one place: the system's clock in
//! production, a manual one in tests — which then drive hours of schedules and retention in
//! milliseconds by moving it (`ManualClock::advance`), never by waiting.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::Duration;

/// A source of "now" and of waits until a wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
    /// Resolves once `now() >= at` (at once when it already is).
    fn sleep_until(&self, at: DateTime<Utc>) -> BoxFuture<'static, ()>;
}

/// The stamp every stored time uses (UTC, milliseconds, `Z`): stamps compare as text.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The clock every service is handed.
pub type SharedClock = Arc<dyn Clock>;

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

/// The longest single timer: a wall clock that jumps (NTP, a VM resumed) is seen within it.
const MAX_NAP: Duration = Duration::from_secs(30);

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            loop {
                let left = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left.min(MAX_NAP)).await;
            }
        })
    }
}

/// A clock that moves only when told: `advance` wakes every sleeper whose time has come.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<tokio::sync::watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(tokio::sync::watch::channel(start).0),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        self.now.send_modify(|t| *t += by);
    }

    /// Sets the clock (forward or back).
    pub fn set(&self, at: DateTime<Utc>) {
        self.now.send_replace(at);
    }

    /// This clock as the services take it.
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            loop {
                if *rx.borrow_and_update() >= at {
                    return;
                }
                if rx.changed().await.is_err() {
                    // The clock is gone: time stands still for ever.
                    std::future::pending::<()>().await;
                }
            }
        })
    }
}

/// The system clock, shared.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_sleeper_wakes_only_when_the_clock_reaches_its_time() {
        let start = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ManualClock::new(start);
        let mut sleeper = tokio::spawn(clock.sleep_until(start + chrono::Duration::hours(2)));
        clock.advance(chrono::Duration::hours(1));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished(), "woke an hour early");
        clock.advance(chrono::Duration::hours(1));
        tokio::time::timeout(Duration::from_secs(1), &mut sleeper)
            .await
            .expect("did not wake at its time")
            .unwrap();
    }
}
