//! What reaches a running restore from outside: the admin's confirmations, cancel, and the
//! console shutting down — each wakes the runner from its wait at once.

use crate::domain::RestoreStepKey;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;

/// Signals to one restore.
#[derive(Default)]
pub struct Signals {
    confirmed: Mutex<HashSet<RestoreStepKey>>,
    /// Cancel and the first destructive action exclude each other: whichever comes first wins.
    gate: Mutex<Gate>,
    shutdown: AtomicBool,
    wake: Notify,
}

#[derive(Default)]
struct Gate {
    cancel: bool,
    destructive: bool,
}

impl Signals {
    /// The admin confirmed operator step `key`.
    pub fn confirm(&self, key: RestoreStepKey) {
        crate::engine::locked(&self.confirmed).insert(key);
        self.wake.notify_one();
    }

    /// Takes a confirmation of `key` (true once per confirm).
    pub fn take_confirm(&self, key: RestoreStepKey) -> bool {
        crate::engine::locked(&self.confirmed).remove(&key)
    }

    fn gate(&self) -> std::sync::MutexGuard<'_, Gate> {
        crate::engine::locked(&self.gate)
    }

    /// Asks to cancel; false when the restore already began to delete (too late).
    pub fn cancel(&self) -> bool {
        let mut gate = self.gate();
        if gate.destructive {
            return false;
        }
        gate.cancel = true;
        drop(gate);
        self.wake.notify_one();
        true
    }

    pub fn cancelled(&self) -> bool {
        self.gate().cancel
    }

    /// The runner is about to delete: false when a cancel came first (then nothing is deleted).
    pub fn enter_destructive(&self) -> bool {
        let mut gate = self.gate();
        if gate.cancel {
            return false;
        }
        gate.destructive = true;
        true
    }

    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    pub fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// Sleeps `d`, or less when a signal arrives.
    pub async fn sleep(&self, d: Duration) {
        let _ = tokio::time::timeout(d, self.wake.notified()).await;
    }
}
