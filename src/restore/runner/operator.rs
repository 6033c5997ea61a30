//! Operator steps: the console waits until it sees the step done (components stopped, or up)
//! and the admin confirmed it.

use super::{Halt, Runner};
use crate::domain::{RestoreStepKey, RestoreStepState, StepKind};
use crate::engine::now;
use crate::restore::watch::Answering;

impl Runner {
    /// An operator step: waits until the console sees `want` and the admin confirmed.
    pub(super) async fn operator(&mut self, key: RestoreStepKey, want: Want) -> Result<(), Halt> {
        self.begin(key, RestoreStepState::Waiting).await?;
        let cancellable = !self.view().destructive_started();
        loop {
            if let Some(h) = self.halted(cancellable) {
                return Err(h);
            }
            if self.signals.take_confirm(key)
                && self
                    .view()
                    .step(key)
                    .and_then(|s| s.confirmed_at.as_ref())
                    .is_none()
            {
                let at = now();
                let label = self.label(key);
                self.journal
                    .commit(Some(key), format!("{label}: confirmed by the admin"), |v| {
                        if let Some(s) = v.step_mut(key) {
                            s.confirmed_at = Some(at);
                        }
                    })
                    .await?;
            }
            let seen = self.look().await;
            let (ok, words) = want.judge(&seen, key, self.view().backup_id.get());
            let confirmed = self
                .view()
                .step(key)
                .and_then(|s| s.confirmed_at.as_ref())
                .is_some();
            if ok && confirmed {
                if key == RestoreStepKey::StartApps {
                    let stopped = self
                        .view()
                        .step(RestoreStepKey::StopApps)
                        .and_then(|s| s.finished_at.clone());
                    let downtime = stopped.and_then(|s| super::ms_between(&s, &now()));
                    self.journal
                        .commit(Some(key), "Every component answers again", |v| {
                            v.downtime_ms = downtime
                        })
                        .await?;
                }
                return self.complete(key, words).await;
            }
            let waiting = if confirmed {
                format!("Confirmed; {words}")
            } else if ok {
                format!("{words} Confirm when you are done.")
            } else {
                words
            };
            self.detail(key, waiting).await?;
            self.sleep().await;
        }
    }
}

/// What an operator step waits to see.
#[derive(Clone, Copy, Debug)]
pub enum Want {
    /// No component answers.
    AllDown,
    /// No Zeebe node answers as a broker (the restore application runs instead).
    ZeebeDown,
    /// Every component answers.
    AllUp,
    /// 8.10's in-cluster restore: Optimize does not answer (the orchestration cluster keeps
    /// running, in recovery mode from the next step on).
    OptimizeDown,
}

impl Want {
    fn judge(self, seen: &Answering, key: RestoreStepKey, backup_id: i64) -> (bool, String) {
        debug_assert_eq!(key.kind(), StepKind::Operator);
        match self {
            Self::AllDown => {
                let up = seen.up();
                if up.is_empty() {
                    (true, "No component answers.".into())
                } else {
                    (false, format!("Not seen stopped yet: {}.", up.join(", ")))
                }
            }
            // The console cannot see the restore application; the admin's confirmation is what
            // completes the step. A broker answering as a broker is worth a warning (it should
            // run the restore application), but once confirmed, Zeebe may already be starting.
            Self::ZeebeDown => {
                let up = seen.zeebe_up();
                let line = crate::restore::runbook::success_line(backup_id);
                if up.is_empty() {
                    (true, format!("Look for \"{line}\" in every broker's log."))
                } else {
                    (true, format!("Note: {} answer(s) as running brokers. Each broker must run the restore application (not the broker) on an empty data directory; confirm only once every broker printed \"{line}\".", up.join(", ")))
                }
            }
            Self::OptimizeDown => {
                let up = seen.optimize_up();
                if up.is_empty() {
                    (
                        true,
                        "Optimize does not answer; the orchestration cluster keeps running.".into(),
                    )
                } else {
                    (false, format!("Not seen stopped yet: {}.", up.join(", ")))
                }
            }
            Self::AllUp => {
                let down = seen.down();
                if down.is_empty() {
                    (true, "Every component answers.".into())
                } else {
                    (false, format!("Not answering yet: {}.", down.join(", ")))
                }
            }
        }
    }
}
