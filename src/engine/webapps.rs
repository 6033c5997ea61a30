//! Operate, Tasklist and Optimize: trigger a backup, then wait until it is `COMPLETED`,
//! treating `INCOMPLETE` (between two parts) as transient for a grace period.

use super::context::{RunContext, StepFailure, StepResult};
use super::journal::RunJournal;
use super::poll;
use crate::camunda::types::{WebAppBackup, WebAppBackupState};
use crate::camunda::{WebAppClient, WebAppError};
use crate::domain::StepKey;
use tokio::time::Instant;

#[tracing::instrument(skip_all, fields(component = %app.component(), backup_id = %ctx.id))]
pub async fn trigger(ctx: &RunContext, app: &WebAppClient, journal: &mut RunJournal) -> StepResult {
    let name = app.component();
    match app.take_backup(ctx.id.get()).await {
        Ok(scheduled) => {
            let detail = if scheduled.is_empty() {
                format!("{name}: backup scheduled")
            } else {
                format!("{name}: {} snapshots scheduled", scheduled.len())
            };
            if !scheduled.is_empty() {
                journal
                    .update(None, None, |r| r.scheduled_snapshots.extend(scheduled))
                    .await?;
            }
            Ok(Some(detail))
        }
        Err(WebAppError::Busy { message, .. }) => Err(StepFailure::failed(
            format!("{name} refused the backup: \"{message}\"."),
            format!("{name} has a backup queued or running. Wait for it; if it never ends (a stuck queue, camunda/camunda#29182), restart {name}, then start a new backup."),
        )),
        Err(WebAppError::AlreadyExists { message, .. }) => Err(StepFailure::failed(
            format!("{name} already has a backup with id {}: \"{message}\".", ctx.id),
            "Start a new backup with a higher id.",
        )),
        Err(WebAppError::Client(e)) => Err(StepFailure::failed(
            format!("Starting the {name} backup failed: {e}"),
            format!("Check {name} and its Elasticsearch connection, then start a new backup."),
        )),
    }
}

/// Polls until `COMPLETED`; fails on `FAILED`/`INCOMPATIBLE`, on a timeout, or when the backup
/// stays `INCOMPLETE` (or unknown) longer than the grace period.
#[tracing::instrument(skip_all, fields(component = %app.component(), backup_id = %ctx.id))]
pub async fn wait(
    ctx: &RunContext,
    app: &WebAppClient,
    key: StepKey,
    journal: &mut RunJournal,
) -> StepResult {
    let name = app.component();
    let started = Instant::now();
    let mut incomplete_since: Option<Instant> = None;
    let mut errors_in_a_row = 0u32;
    let mut attempt = 0u32;
    loop {
        if ctx.cancelled() {
            return Err(StepFailure::Cancelled);
        }
        match app.backup(ctx.id.get()).await {
            Ok(Some(b)) => {
                errors_in_a_row = 0;
                let detail = progress(name.label(), &b);
                match &b.state {
                    WebAppBackupState::Completed => return Ok(Some(detail)),
                    WebAppBackupState::Failed | WebAppBackupState::Incompatible => {
                        let reason = b.failure_reason.clone().unwrap_or_else(|| "no reason given".into());
                        return Err(StepFailure::failed(
                            format!("{name} backup {} ended {:?}: {reason}", ctx.id, b.state),
                            format!("Look at {name}'s log and the snapshots above in Elasticsearch, fix the cause, then start a new backup."),
                        ));
                    }
                    WebAppBackupState::Incomplete => {
                        let since = *incomplete_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > ctx.timeouts.incomplete_grace {
                            return Err(StepFailure::failed(
                                format!("{name} backup {} stayed INCOMPLETE for {} s ({detail}): parts were never created.", ctx.id, since.elapsed().as_secs()),
                                format!("A part failed or {name}'s snapshot queue stopped (camunda/camunda#22871, #29182). Check {name}'s log, then start a new backup."),
                            ));
                        }
                    }
                    _ => incomplete_since = None,
                }
                journal.progress(key, detail).await?;
            }
            Ok(None) => {
                let since = *incomplete_since.get_or_insert_with(Instant::now);
                if since.elapsed() > ctx.timeouts.incomplete_grace {
                    return Err(StepFailure::failed(
                        format!("{name} does not know backup {} although it accepted it.", ctx.id),
                        format!("Check {name}'s log and its snapshot repository setting, then start a new backup."),
                    ));
                }
            }
            Err(e) if e.is_retryable() && errors_in_a_row < 10 => {
                errors_in_a_row += 1;
                tracing::warn!(error = %e, "status poll failed; retrying");
            }
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Waiting for the {name} backup failed: {e}"),
                    format!("Check that {name} runs; its backup may still finish — see its backup list — but start a new backup to get a consistent set."),
                ))
            }
        }
        if started.elapsed() > ctx.timeouts.webapp_backup {
            return Err(StepFailure::failed(
                format!("{name} backup {} did not complete within {} s.", ctx.id, ctx.timeouts.webapp_backup.as_secs()),
                "Raise timeouts.webapp_backup_secs if backups of this size take longer, then start a new backup.",
            ));
        }
        tokio::time::sleep(poll::delay(attempt, false)).await;
        attempt += 1;
    }
}

/// "Operate: 4 of 6 snapshots".
fn progress(name: &str, b: &WebAppBackup) -> String {
    let done = b.details.iter().filter(|d| d.state == "SUCCESS").count();
    let expected = b
        .details
        .first()
        .and_then(|d| d.snapshot_name.rsplit_once("_of_"))
        .and_then(|(_, n)| n.parse::<usize>().ok())
        .unwrap_or(b.details.len());
    format!("{name}: {done} of {expected} snapshots")
}
