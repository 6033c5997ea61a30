//! The post-restore checks: every component up, exporting confirmed `EXPORTING`, Zeebe lists
//! the backup, every restored index exists — retried until they pass or time runs out.

use super::{failed, Halt, Runner};
use crate::camunda::Confirmation;
use crate::domain::{Check, CheckState, RestoreStepKey, RestoreStepState};
use std::time::Instant;

impl Runner {
    /// Components answer, exporting runs, Zeebe lists the backup, the restored indices exist.
    pub(super) async fn post_checks(&mut self) -> Result<(), Halt> {
        let key = RestoreStepKey::PostChecks;
        self.begin(key, RestoreStepState::Running).await?;
        let started = Instant::now();
        loop {
            let checks = self.checks_now().await;
            let passed = checks.iter().all(|c| c.state != CheckState::Fail);
            let words = checks
                .iter()
                .filter(|c| c.state == CheckState::Fail)
                .map(|c| c.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            if checks != self.view().post_checks {
                self.journal
                    .commit(Some(key), "Post-restore checks", |v| {
                        v.post_checks = checks.clone()
                    })
                    .await?;
            }
            if passed {
                return self
                    .complete(key, "Every post-restore check passed".into())
                    .await;
            }
            if started.elapsed() > self.pace.post_checks {
                return Err(failed(
                    format!("Post-restore checks failed: {words}"),
                    "The data is restored. Look at the failed checks: start what does not answer; if exporting is paused, resume it (POST /actuator/exporting/resume); then retry the restore: it runs only the post-restore checks again.",
                ));
            }
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            self.sleep().await;
        }
    }

    pub(super) async fn checks_now(&mut self) -> Vec<Check> {
        let id = self.view().backup_id.get();
        let seen = self.look().await;
        let mut out = Vec::new();
        let down = seen.down();
        out.push(if down.is_empty() {
            Check::new("answering", CheckState::Pass, "Every component answers")
        } else {
            Check::new(
                "answering",
                CheckState::Fail,
                format!("Not answering: {}", down.join(", ")),
            )
        });
        let exporting = crate::camunda::ExportingView::read(&self.clients.zeebe).await;
        out.push(match exporting.confirm(&["EXPORTING"], None) {
            Confirmation::Confirmed => Check::new(
                "exporting",
                CheckState::Pass,
                "Exporting is EXPORTING on every partition",
            ),
            Confirmation::Differs(w) | Confirmation::Unconfirmed(w) => Check::new(
                "exporting",
                CheckState::Fail,
                format!("Exporting is not confirmed EXPORTING: {w}"),
            ),
        });
        out.push(match self.clients.zeebe.backup(id).await {
            Ok(Some(_)) => Check::new(
                "zeebe_backup",
                CheckState::Pass,
                format!("Zeebe lists backup {id}"),
            ),
            Ok(None) => Check::new(
                "zeebe_backup",
                CheckState::Fail,
                format!("Zeebe does not list backup {id}"),
            ),
            Err(e) => Check::new(
                "zeebe_backup",
                CheckState::Fail,
                format!("Could not read Zeebe's backup {id}: {e}"),
            ),
        });
        let wanted: Vec<&String> = self.view().snapshot_indices.values().flatten().collect();
        out.push(match self.clients.elasticsearch.indices().await {
            Ok(have) => {
                let missing: Vec<&str> = wanted
                    .iter()
                    .filter(|i| !have.contains(i))
                    .map(|i| i.as_str())
                    .collect();
                if missing.is_empty() {
                    Check::new(
                        "indices",
                        CheckState::Pass,
                        format!("All {} restored indices exist", wanted.len()),
                    )
                } else {
                    Check::new(
                        "indices",
                        CheckState::Fail,
                        format!("Restored indices missing: {}", missing.join(", ")),
                    )
                }
            }
            Err(e) => Check::new(
                "indices",
                CheckState::Fail,
                format!("Could not list the indices: {e}"),
            ),
        });
        out
    }
}
