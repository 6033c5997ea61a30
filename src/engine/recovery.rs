//! Start-up recovery of runs left `running` by a console that was killed.
//!
//! Decision: such a run is **resumed-then-failed**, never continued. If the pause may have been
//! sent (journaled before sending), exporting is resumed and confirmed first; then the run is
//! marked failed with the step it was in. Continuing would join a records snapshot and a Zeebe
//! backup taken across an unknown gap, and the documented rule after any failure past the pause
//! is "resume, then restart with a new, higher id" (§9.1).

use super::journal::RunJournal;
use super::{exporting, ActiveKind, BackupEngine};
use crate::domain::{RunState, StepKey, StepState};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub async fn recover(engine: &BackupEngine) {
    let unfinished = match engine.inner.store.unfinished().await {
        Ok(runs) => runs,
        Err(e) => {
            tracing::error!(error = %e, "could not read unfinished runs from the journal");
            Vec::new()
        }
    };
    for run in unfinished {
        let id = run.backup_id;
        engine.set_active(Some(super::Active {
            id,
            kind: ActiveKind::Recovery,
            cancel: Arc::new(AtomicBool::new(false)),
        }));
        tracing::warn!(backup_id = %id, "recovering a run left unfinished by a restart");
        let mut journal = match RunJournal::resume(
            run,
            engine.inner.store.clone(),
            engine.channel(id),
        )
        .await
        {
            Ok(j) => j,
            Err(e) => {
                tracing::error!(backup_id = %id, error = %e, "could not reopen the run journal");
                continue;
            }
        };
        let interrupted = journal
            .run()
            .current_step()
            .map(|k| k.label())
            .unwrap_or("between two steps");
        let ctx = engine.context(id, Arc::new(AtomicBool::new(false)));
        let mut resume_note = "Exporting had not been paused by this run.".to_owned();
        let mut resume_failed = false;
        if journal.run().pause.may_be_paused() {
            let resume_state = journal
                .run()
                .step(StepKey::ResumeExporting)
                .map(|s| s.state);
            if resume_state == Some(StepState::Pending) {
                let _ = journal
                    .step(
                        StepKey::ResumeExporting,
                        StepState::Running,
                        Some("Resuming after a console restart".into()),
                        None,
                    )
                    .await;
            }
            match exporting::resume(&ctx.clients, ctx.timeouts.resume_retry).await {
                Ok(detail) => {
                    let at = super::journal::now();
                    let _ = journal
                        .update(None, None, |r| r.pause.resumed_at = Some(at))
                        .await;
                    let _ = journal
                        .step(
                            StepKey::ResumeExporting,
                            StepState::Completed,
                            Some(detail),
                            None,
                        )
                        .await;
                    resume_note =
                        "Exporting was resumed and confirmed by the console after its restart."
                            .into();
                }
                Err(e) => {
                    resume_failed = true;
                    let _ = journal
                        .step(
                            StepKey::ResumeExporting,
                            StepState::Failed,
                            None,
                            Some(e.clone()),
                        )
                        .await;
                    resume_note = format!("Resuming exporting FAILED: {e}");
                }
            }
        }
        // The interrupted step is failed; the rest is skipped by `finish`.
        if let Some(step) = journal.run().current_step() {
            if step != StepKey::ResumeExporting {
                let _ = journal
                    .step(
                        step,
                        StepState::Failed,
                        None,
                        Some("The console stopped during this step".into()),
                    )
                    .await;
            }
        }
        let error =
            format!("The console stopped while the run was at \"{interrupted}\". {resume_note}");
        let next = if resume_failed {
            "EXPORTING MAY STILL BE PAUSED: resume it (POST /actuator/exporting/resume on the Zeebe gateway) and confirm on the brokers. Then start a new backup with a higher id.".to_owned()
        } else {
            format!("Start a new backup (a higher id); backup {id} is incomplete and should not be restored.")
        };
        if let Err(e) = journal
            .finish(RunState::Failed, Some(error), Some(next))
            .await
        {
            tracing::error!(backup_id = %id, error = %e, "could not journal the recovery");
        }
    }
    engine.set_active(None);
    engine
        .inner
        .recovered
        .store(true, std::sync::atomic::Ordering::SeqCst);
}
