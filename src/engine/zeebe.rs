//! Zeebe's own backup, inside the pause window: trigger, then poll tightly until `COMPLETED`.

use super::context::{RunContext, StepFailure, StepResult};
use super::journal::RunJournal;
use super::poll;
use crate::camunda::types::{BackupInfo, ZeebeBackupState};
use crate::camunda::ZeebeError;
use crate::domain::StepKey;
use tokio::time::Instant;

#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn trigger(ctx: &RunContext) -> StepResult {
    match ctx.clients.zeebe.take_backup(ctx.id.get()).await {
        Ok(message) => Ok(Some(format!("Zeebe: {message}"))),
        Err(ZeebeError::IdNotGreater { message, .. }) => Err(StepFailure::failed(
            format!("Zeebe refused backup id {}: \"{message}\"", ctx.id),
            "Exporting is being resumed. Zeebe ids only grow (deleted backups count too): start a new backup with a higher id.",
        )),
        Err(e) => Err(StepFailure::failed(
            format!("Starting the Zeebe backup failed: {e}"),
            "Exporting is being resumed. Check the gateway, the brokers and the backup store configuration, then start a new backup.",
        )),
    }
}

/// Polls until every partition completed; the component's work time (first `createdAt` to
/// last `lastUpdatedAt`) is returned for the pause-window accounting.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn wait(
    ctx: &RunContext,
    journal: &mut RunJournal,
    work_ms: &mut Option<u64>,
) -> StepResult {
    let started = Instant::now();
    let mut incomplete_since: Option<Instant> = None;
    let mut errors_in_a_row = 0u32;
    loop {
        if ctx.cancelled() {
            return Err(StepFailure::Cancelled);
        }
        match ctx.clients.zeebe.backup(ctx.id.get()).await {
            Ok(Some(b)) => {
                errors_in_a_row = 0;
                let detail = progress(&b);
                match &b.state {
                    ZeebeBackupState::Completed => {
                        *work_ms = work_time_ms(&b);
                        return Ok(Some(detail));
                    }
                    ZeebeBackupState::Failed | ZeebeBackupState::Incompatible => {
                        let reason = b.failure_reason.clone().unwrap_or_else(|| {
                            b.details
                                .iter()
                                .filter_map(|d| d.failure_reason.as_ref().map(|r| format!("partition {}: {r}", d.partition_id)))
                                .collect::<Vec<_>>()
                                .join("; ")
                        });
                        return Err(StepFailure::failed(
                            format!("Zeebe backup {} ended {:?}: {reason}", ctx.id, b.state),
                            "Exporting is being resumed. Check the brokers' logs and the backup store, then start a new backup with a higher id.",
                        ));
                    }
                    ZeebeBackupState::Incomplete => {
                        let since = *incomplete_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > ctx.timeouts.incomplete_grace {
                            return Err(StepFailure::failed(
                                format!("Zeebe backup {} stayed INCOMPLETE ({detail}): a partition has no backup.", ctx.id),
                                "Exporting is being resumed. Check that every partition has a leader, then start a new backup.",
                            ));
                        }
                    }
                    _ => incomplete_since = None,
                }
                journal.progress(StepKey::WaitZeebe, detail).await?;
            }
            Ok(None) if started.elapsed() < ctx.timeouts.incomplete_grace => {}
            Ok(None) => {
                return Err(StepFailure::failed(
                    format!("Zeebe answers 404 for backup {} it accepted (camunda/camunda#54037).", ctx.id),
                    "Exporting is being resumed. Check the brokers, then start a new backup with a higher id.",
                ))
            }
            Err(e) if e.is_retryable() && errors_in_a_row < 20 => {
                errors_in_a_row += 1;
                tracing::warn!(error = %e, "zeebe status poll failed; retrying");
            }
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Waiting for the Zeebe backup failed: {e}"),
                    "Exporting is being resumed. Check the gateway, then start a new backup.",
                ))
            }
        }
        if started.elapsed() > ctx.timeouts.zeebe_backup {
            return Err(StepFailure::failed(
                format!("Zeebe backup {} did not complete within {} s.", ctx.id, ctx.timeouts.zeebe_backup.as_secs()),
                "Exporting is being resumed. Raise timeouts.zeebe_backup_secs if needed, then start a new backup.",
            ));
        }
        tokio::time::sleep(poll::INSIDE_WINDOW).await;
    }
}

/// "Zeebe: 2 of 3 partitions".
fn progress(b: &BackupInfo) -> String {
    let done = b
        .details
        .iter()
        .filter(|d| d.state == ZeebeBackupState::Completed)
        .count();
    format!("Zeebe: {done} of {} partitions", b.details.len())
}

fn work_time_ms(b: &BackupInfo) -> Option<u64> {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let first = b
        .details
        .iter()
        .filter_map(|d| parse(&d.created_at))
        .min()?;
    let last = b
        .details
        .iter()
        .filter_map(|d| parse(&d.last_updated_at))
        .max()?;
    u64::try_from((last - first).num_milliseconds()).ok()
}
