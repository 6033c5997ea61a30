//! The one polling mechanism of the engine: a [`Poller`] paces the status reads of a wait
//! (its [`Cadence`]), ends it at its time limit, and absorbs transient errors (5xx, timeouts,
//! refused connections, a body that is not JSON) until the component has been unavailable for
//! longer than the error budget. Only a definitive answer fails a step at once; that decision
//! stays with the caller, which knows the component's dialect.
//!
//! The cadence matters on a real cluster: a Zeebe backup-status GET fans out to every partition
//! leader, which may list its backup store (S3 / GCS / Azure, billed per request). So inside the
//! pause window the engine sleeps until shortly before the backup is *expected* to end (learned
//! from earlier runs), polls tightly only around that moment, and backs off when it is late.
//! A web-app backup (each read lists its snapshots in the repository) is approached the same
//! way, then read in proportion to its length, so it is seen done at most a few percent late.

use super::cancel::{CancelReason, CancelToken};
use std::time::Duration;
use tokio::time::Instant;

/// How often a wait reads the status.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cadence {
    /// `start`, doubling up to `max` (work of unknown length).
    Backoff { start: Duration, max: Duration },
    /// Work expected to take `expected`: one long sleep (at most [`APPROACH_MAX`]) until the
    /// tight band around `expected`, every `near` inside it, then backing off (at most 1 s).
    Expected { expected: Duration, near: Duration },
    /// Work whose end should be seen within [`PROPORTION_PERCENT`] of its length: one sleep
    /// (at most [`APPROACH_MAX`] at a time) until `approach`, then every that share of the
    /// time elapsed, at least `min` and at most `max`.
    Proportional {
        approach: Duration,
        min: Duration,
        max: Duration,
    },
}

/// A web-app backup is seen done at most this share of its length late (the 1.05).
pub const PROPORTION_PERCENT: u32 = 4;
/// The tightest poll of a web-app backup.
pub const WEBAPP_MIN: Duration = Duration::from_millis(25);

/// The longest sleep before the expected end: a failure still shows within this time.
pub const APPROACH_MAX: Duration = Duration::from_secs(10);
/// Polling interval near the expected end of a Zeebe backup.
pub const NEAR: Duration = Duration::from_millis(25);
/// Web-app backups outside the window (minutes of work): 100 ms doubling to 2 s.
pub const OUTSIDE: Cadence = Cadence::Backoff {
    start: Duration::from_millis(100),
    max: Duration::from_secs(2),
};
/// Inside the window with nothing learned yet: 50 ms growing to 500 ms.
pub const INSIDE_UNKNOWN: Cadence = Cadence::Backoff {
    start: Duration::from_millis(50),
    max: Duration::from_millis(500),
};
/// Short confirmations (exporter phases, a snapshot's shards starting).
pub const CONFIRM: Cadence = Cadence::Backoff {
    start: Duration::from_millis(10),
    max: Duration::from_millis(200),
};

impl Cadence {
    /// Half the width of the tight band around the expected end.
    fn band(expected: Duration) -> Duration {
        let three_percent = u64::try_from(expected.as_millis() * 3 / 100).unwrap_or(u64::MAX);
        Duration::from_millis(three_percent).max(Duration::from_millis(50))
    }

    /// The delay before the next read, `elapsed` after the work started and after `attempt`
    /// reads. Pure, so the schedule is tested as a table.
    pub fn delay(self, elapsed: Duration, attempt: u32) -> Duration {
        match self {
            Self::Backoff { start, max } => {
                let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
                start.saturating_mul(factor).min(max)
            }
            Self::Expected { expected, near } => {
                let band = Self::band(expected);
                let band_start = expected.saturating_sub(band);
                if elapsed + near < band_start {
                    (band_start - elapsed).min(APPROACH_MAX)
                } else if elapsed <= expected + band {
                    near
                } else {
                    let late = elapsed - (expected + band);
                    (near + late / 4).min(Duration::from_secs(1))
                }
            }
            Self::Proportional { approach, min, max } => {
                if elapsed + min < approach {
                    (approach - elapsed).min(APPROACH_MAX)
                } else {
                    (elapsed * PROPORTION_PERCENT / 100).clamp(min, max)
                }
            }
        }
    }
}

/// A web-app backup's schedule from how long earlier ones took to be seen done (trigger
/// answered → `COMPLETED` read): one sleep to 80 % of the shortest, then proportional reads;
/// at most 2 s apart outside the pause window and 500 ms inside it (8.8+). Nothing learned:
/// proportional from the start.
pub fn webapp(durations_ms: &[u64], inside_window: bool) -> Cadence {
    let shortest = durations_ms.iter().copied().filter(|d| *d > 0).min();
    Cadence::Proportional {
        approach: Duration::from_millis(shortest.map_or(0, |d| d * 4 / 5)),
        min: WEBAPP_MIN,
        max: if inside_window {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(2)
        },
    }
}

/// A Zeebe backup's schedule from the durations of earlier ones (newest first): the median,
/// or the unknown-work back-off when nothing was learned yet.
pub fn learned(durations_ms: &[u64]) -> Cadence {
    let mut d: Vec<u64> = durations_ms.iter().copied().filter(|d| *d > 0).collect();
    if d.is_empty() {
        return INSIDE_UNKNOWN;
    }
    d.sort_unstable();
    Cadence::Expected {
        expected: Duration::from_millis(d[d.len() / 2]),
        near: NEAR,
    }
}

/// Why a poll loop stopped without an answer.
#[derive(Debug, PartialEq)]
pub enum PollEnd {
    Cancelled(CancelReason),
    /// The time limit of the wait passed.
    TimedOut(Duration),
    /// Only transient errors for longer than the budget; the last one is given.
    Unavailable {
        for_: Duration,
        last: String,
    },
}

/// Paces one wait. Callers loop: `check` → read → `answered` / `unavailable` → `sleep`.
pub struct Poller {
    started: Instant,
    limit: Duration,
    budget: Duration,
    cadence: Cadence,
    cancel: CancelToken,
    attempt: u32,
    unavailable_since: Option<Instant>,
    requests: u32,
}

impl Poller {
    pub fn new(cadence: Cadence, limit: Duration, budget: Duration, cancel: CancelToken) -> Self {
        Self {
            started: Instant::now(),
            limit,
            budget,
            cadence,
            cancel,
            attempt: 0,
            unavailable_since: None,
            requests: 0,
        }
    }

    /// Counts the schedule from `started` (e.g. when the trigger was sent).
    pub fn since(mut self, started: Instant) -> Self {
        self.started = started;
        self
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// How many reads were made.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// Before a read: stop when cancelled or past the limit.
    pub fn check(&mut self) -> Result<(), PollEnd> {
        if let Some(reason) = self.cancel.reason() {
            return Err(PollEnd::Cancelled(reason));
        }
        if self.elapsed() > self.limit {
            return Err(PollEnd::TimedOut(self.limit));
        }
        self.requests += 1;
        Ok(())
    }

    /// The component answered (whatever it said): the error budget starts over.
    pub fn answered(&mut self) {
        self.unavailable_since = None;
    }

    /// A transient error: fine until the component has been unavailable for the budget.
    pub fn unavailable(&mut self, error: &dyn std::fmt::Display) -> Result<(), PollEnd> {
        let since = *self.unavailable_since.get_or_insert_with(Instant::now);
        tracing::warn!(%error, unavailable_ms = since.elapsed().as_millis() as u64, "transient error; retrying");
        if since.elapsed() >= self.budget {
            return Err(PollEnd::Unavailable {
                for_: since.elapsed(),
                last: error.to_string(),
            });
        }
        Ok(())
    }

    /// Sleeps until the next read; returns early when the run is asked to stop.
    pub async fn sleep(&mut self) -> Result<(), PollEnd> {
        let mut delay = self.cadence.delay(self.elapsed(), self.attempt);
        if self.unavailable_since.is_some() {
            // While a component is away, do not hammer it, but look again within a second.
            delay = delay.clamp(Duration::from_millis(100), Duration::from_secs(1));
        }
        self.attempt = self.attempt.saturating_add(1);
        tokio::select! {
            () = tokio::time::sleep(delay) => Ok(()),
            reason = self.cancel.cancelled() => Err(PollEnd::Cancelled(reason)),
        }
    }
}

/// Retry delay for resuming exporting: 200 ms doubling to 5 s.
pub fn resume_retry_delay(attempt: u32) -> Duration {
    Cadence::Backoff {
        start: Duration::from_millis(200),
        max: Duration::from_secs(5),
    }
    .delay(Duration::ZERO, attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn backoff_doubles_up_to_its_maximum() {
        assert_eq!(OUTSIDE.delay(MS(0), 0), MS(100));
        assert_eq!(OUTSIDE.delay(MS(0), 1), MS(200));
        assert_eq!(OUTSIDE.delay(MS(0), 3), MS(800));
        assert_eq!(OUTSIDE.delay(MS(0), 5), Duration::from_secs(2));
        assert_eq!(OUTSIDE.delay(MS(0), u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn an_expected_end_is_approached_in_one_sleep_then_polled_tightly_then_less() {
        let c = Cadence::Expected {
            expected: MS(3000),
            near: NEAR,
        };
        // band = max(3 % of 3000, 50) = 90 ms → tight from 2910 ms to 3090 ms
        assert_eq!(c.delay(MS(0), 0), MS(2910));
        assert_eq!(c.delay(MS(2900), 1), NEAR);
        assert_eq!(c.delay(MS(3050), 5), NEAR);
        assert_eq!(c.delay(MS(3490), 9), NEAR + MS(100));
        assert_eq!(c.delay(MS(60_000), 20), Duration::from_secs(1));
        // A long backup is still looked at every APPROACH_MAX, so a failure shows quickly.
        let long = Cadence::Expected {
            expected: Duration::from_secs(600),
            near: NEAR,
        };
        assert_eq!(long.delay(MS(0), 0), APPROACH_MAX);
    }

    #[test]
    fn a_three_second_backup_needs_few_reads_once_one_duration_is_known() {
        let c = learned(&[3010]);
        let (mut t, mut reads) = (MS(0), 0);
        // the backup completes at 3040 ms; count reads until one sees it
        while t < MS(3040) {
            t += c.delay(t, reads);
            reads += 1;
        }
        assert!(reads <= 10, "{reads} reads");
        assert!(
            t - MS(3040) <= NEAR,
            "seen {} ms late",
            (t - MS(3040)).as_millis()
        );
    }

    #[test]
    fn a_web_app_backup_is_approached_in_one_sleep_then_read_in_proportion() {
        let c = webapp(&[700, 0, 900], false);
        // approach = 80 % of the shortest (700 ms)
        assert_eq!(c.delay(MS(0), 0), MS(560));
        assert_eq!(c.delay(MS(560), 1), WEBAPP_MIN);
        assert_eq!(c.delay(MS(1000), 2), MS(40));
        assert_eq!(c.delay(MS(30_000), 3), MS(1200));
        assert_eq!(c.delay(MS(600_000), 4), Duration::from_secs(2));
        assert_eq!(webapp(&[], true).delay(MS(0), 0), WEBAPP_MIN);
        assert_eq!(webapp(&[], true).delay(MS(60_000), 9), MS(500));
        // A learned ten-minute backup is still looked at every APPROACH_MAX.
        assert_eq!(webapp(&[600_000], false).delay(MS(0), 0), APPROACH_MAX);
    }

    #[test]
    fn a_web_app_backup_is_seen_done_within_its_share_and_few_reads() {
        for (learned, actual) in [
            (Vec::new(), 665u64),
            (vec![690], 665),
            (vec![300_000], 310_000),
        ] {
            let c = webapp(&learned, false);
            let (mut t, mut reads) = (MS(0), 0u32);
            while t < MS(actual) {
                t += c.delay(t, reads);
                reads += 1;
            }
            let late = (t - MS(actual)).as_millis() as u64;
            assert!(
                late <= (actual * u64::from(PROPORTION_PERCENT) / 100).max(25),
                "{learned:?}/{actual}: seen {late} ms late"
            );
            assert!(reads <= 200, "{learned:?}/{actual}: {reads} reads");
        }
    }

    #[test]
    fn learning_takes_the_median_and_ignores_nothing_learned() {
        assert_eq!(learned(&[]), INSIDE_UNKNOWN);
        assert_eq!(learned(&[0]), INSIDE_UNKNOWN);
        assert_eq!(
            learned(&[5000, 1000, 3000]),
            Cadence::Expected {
                expected: MS(3000),
                near: NEAR
            }
        );
    }

    #[test]
    fn resume_retries_back_off_to_five_seconds() {
        assert_eq!(resume_retry_delay(0), MS(200));
        assert_eq!(resume_retry_delay(2), MS(800));
        assert_eq!(resume_retry_delay(10), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_fail_only_after_the_budget() {
        let mut p = Poller::new(
            OUTSIDE,
            Duration::from_secs(600),
            Duration::from_secs(60),
            CancelToken::default(),
        );
        assert!(p.unavailable(&"503").is_ok());
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(p.unavailable(&"503").is_ok());
        p.answered();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(p.unavailable(&"refused").is_ok());
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(matches!(
            p.unavailable(&"refused"),
            Err(PollEnd::Unavailable { .. })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancel_interrupts_the_sleep() {
        let token = CancelToken::default();
        let mut p = Poller::new(
            Cadence::Backoff {
                start: Duration::from_secs(3600),
                max: Duration::from_secs(3600),
            },
            Duration::from_secs(7200),
            Duration::from_secs(60),
            token.clone(),
        );
        token.cancel(CancelReason::Admin);
        assert_eq!(
            p.sleep().await,
            Err(PollEnd::Cancelled(CancelReason::Admin))
        );
    }
}
