//! Asking a run to stop: by the admin (Cancel) or by the process shutting down (SIGTERM). Polls
//! and waits select on [`CancelToken::cancelled`], so a stop takes effect at once, not after
//! the current sleep.

use std::sync::Arc;
use tokio::sync::watch;

/// Why a run was asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelReason {
    /// The admin pressed Cancel (or called the API).
    Admin,
    /// The console is shutting down (SIGTERM / SIGINT).
    Shutdown,
}

impl CancelReason {
    /// How the run's error says it.
    pub fn words(self) -> &'static str {
        match self {
            Self::Admin => "Cancelled by the admin",
            Self::Shutdown => "Stopped because the console was shutting down (SIGTERM)",
        }
    }
}

/// Cloneable stop flag of one run.
#[derive(Clone, Debug)]
pub struct CancelToken {
    sender: Arc<watch::Sender<Option<CancelReason>>>,
}

impl Default for CancelToken {
    fn default() -> Self {
        Self {
            sender: Arc::new(watch::channel(None).0),
        }
    }
}

impl CancelToken {
    /// Asks the run to stop; the first reason given wins.
    pub fn cancel(&self, reason: CancelReason) {
        self.sender.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }

    /// Why the run was asked to stop, if it was.
    pub fn reason(&self) -> Option<CancelReason> {
        *self.sender.borrow()
    }

    pub fn is_cancelled(&self) -> bool {
        self.reason().is_some()
    }

    /// Resolves once the run is asked to stop (at once if it already was).
    pub async fn cancelled(&self) -> CancelReason {
        let mut receiver = self.sender.subscribe();
        let reason = receiver
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|r| *r);
        match reason {
            Some(reason) => reason,
            // The sender lives as long as `self`: unreachable, but never resolve wrongly.
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_reason_wins_and_waiters_wake() {
        let token = CancelToken::default();
        assert!(!token.is_cancelled());
        let waiter = tokio::spawn({
            let t = token.clone();
            async move { t.cancelled().await }
        });
        token.cancel(CancelReason::Shutdown);
        token.cancel(CancelReason::Admin);
        assert_eq!(waiter.await.ok(), Some(CancelReason::Shutdown));
        assert_eq!(token.reason(), Some(CancelReason::Shutdown));
        assert_eq!(token.cancelled().await, CancelReason::Shutdown);
    }
}
