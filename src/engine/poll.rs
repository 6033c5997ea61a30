//! Polling cadence: tight inside the pause window (status GETs are cheap, and every
//! millisecond there is paid in log growth), backing off outside it.

use std::time::Duration;

/// Delay between two polls inside the pause window.
pub const INSIDE_WINDOW: Duration = Duration::from_millis(10);
/// First delay outside the window; doubles up to [`OUTSIDE_MAX`].
pub const OUTSIDE_START: Duration = Duration::from_millis(100);
pub const OUTSIDE_MAX: Duration = Duration::from_secs(2);

/// The delay before poll number `attempt` (0-based).
pub fn delay(attempt: u32, inside_window: bool) -> Duration {
    if inside_window {
        return INSIDE_WINDOW;
    }
    let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
    OUTSIDE_START.saturating_mul(factor).min(OUTSIDE_MAX)
}

/// Retry delay for resuming exporting: 200 ms doubling to 5 s.
pub fn resume_retry_delay(attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
    Duration::from_millis(200)
        .saturating_mul(factor)
        .min(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_is_tight_inside_the_window_and_backs_off_outside() {
        assert_eq!(delay(0, true), INSIDE_WINDOW);
        assert_eq!(delay(50, true), INSIDE_WINDOW);
        assert_eq!(delay(0, false), Duration::from_millis(100));
        assert_eq!(delay(1, false), Duration::from_millis(200));
        assert_eq!(delay(3, false), Duration::from_millis(800));
        assert_eq!(delay(5, false), OUTSIDE_MAX);
        assert_eq!(delay(u32::MAX, false), OUTSIDE_MAX);
    }

    #[test]
    fn resume_retries_back_off_to_five_seconds() {
        assert_eq!(resume_retry_delay(0), Duration::from_millis(200));
        assert_eq!(resume_retry_delay(2), Duration::from_millis(800));
        assert_eq!(resume_retry_delay(10), Duration::from_secs(5));
    }
}
