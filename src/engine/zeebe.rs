//! Zeebe's own backup, inside the pause window: trigger, then read its status on the schedule
//! learned from earlier backups (one long sleep, tight reads only near the expected end).

use super::context::{Notes, RunContext, StepFailure};
use super::poll::{self, PollEnd};
use crate::camunda::types::{BackupInfo, ZeebeBackupState};
use crate::camunda::ZeebeError;
use crate::domain::StepKey;
use tokio::time::Instant;

const NEXT: &str = "Check the gateway, the brokers and the backup store, then start a new backup with a higher id.";

/// Takes the backup. A transient error is retried within the error budget; if an earlier try
/// did reach the gateway, Zeebe then knows the id (409 or a status), which counts as taken.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn trigger(ctx: &RunContext) -> Result<String, StepFailure> {
    let zeebe = &ctx.clients.zeebe;
    let id = ctx.id.get();
    let mut poller = ctx.poller(poll::CONFIRM, ctx.timeouts.zeebe_backup);
    let mut tried = false;
    loop {
        poller.check().map_err(failure)?;
        match zeebe.take_backup(id).await {
            Ok(message) => return Ok(format!("Zeebe: {message}")),
            Err(ZeebeError::IdNotGreater { message, .. }) => {
                if tried && matches!(zeebe.backup(id).await, Ok(Some(_))) {
                    return Ok(format!(
                        "Zeebe: backup {id} scheduled (an earlier try reached the gateway)"
                    ));
                }
                return Err(StepFailure::failed(
                    format!("Zeebe refused backup id {id}: \"{message}\""),
                    "Zeebe ids only grow (deleted backups count too): start a new backup with a higher id.",
                ));
            }
            Err(ZeebeError::IdsGenerated { message }) => {
                return Err(StepFailure::failed(
                    format!("Zeebe refused backup id {id}: it generates its own backup ids (\"{message}\")."),
                    crate::profile::GENERATED_IDS_NEXT,
                ))
            }
            Err(e) if e.is_retryable() => {
                tried = true;
                poller.unavailable(&e).map_err(failure)?;
                if matches!(zeebe.backup(id).await, Ok(Some(_))) {
                    return Ok(format!(
                        "Zeebe: backup {id} scheduled (its answer was lost: {e})"
                    ));
                }
            }
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Starting the Zeebe backup failed: {e}"),
                    NEXT,
                ))
            }
        }
        poller.sleep().await.map_err(failure)?;
    }
}

/// The completed Zeebe backup.
#[derive(Debug)]
pub struct ZeebeDone {
    pub detail: String,
    /// First `createdAt` → last `lastUpdatedAt` across partitions (the component's own work).
    pub work_ms: Option<u64>,
    /// Trigger → `COMPLETED` read, as the console saw it (what later runs learn from).
    pub observed_ms: u64,
    pub partitions: u32,
}

/// Reads the status until every partition completed. `triggered` is when the take was sent.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn wait(
    ctx: &RunContext,
    notes: &Notes,
    triggered: Instant,
) -> Result<ZeebeDone, StepFailure> {
    let id = ctx.id;
    let cadence = poll::learned(&ctx.zeebe_history_ms);
    let mut poller = ctx
        .poller(cadence, ctx.timeouts.zeebe_backup)
        .since(triggered);
    let mut incomplete_since: Option<Instant> = None;
    loop {
        poller.sleep().await.map_err(failure)?;
        poller.check().map_err(failure)?;
        match ctx.clients.zeebe.backup(id.get()).await {
            Ok(Some(b)) => {
                poller.answered();
                let detail = progress(&b);
                match &b.state {
                    ZeebeBackupState::Completed => {
                        tracing::info!(reads = poller.requests(), "zeebe backup completed");
                        return Ok(ZeebeDone {
                            work_ms: work_time_ms(&b),
                            observed_ms: u64::try_from(triggered.elapsed().as_millis())
                                .unwrap_or(u64::MAX),
                            partitions: u32::try_from(b.details.len()).unwrap_or(0),
                            detail,
                        });
                    }
                    ZeebeBackupState::Failed | ZeebeBackupState::Incompatible => {
                        let reason = b.failure_reason.clone().unwrap_or_else(|| {
                            b.details
                                .iter()
                                .filter_map(|d| {
                                    d.failure_reason
                                        .as_ref()
                                        .map(|r| format!("partition {}: {r}", d.partition_id))
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        });
                        return Err(StepFailure::failed(
                            format!("Zeebe backup {id} ended {:?}: {reason}", b.state),
                            "Check the brokers' logs and the backup store, then start a new backup with a higher id.",
                        ));
                    }
                    ZeebeBackupState::Incomplete => {
                        let since = *incomplete_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > ctx.timeouts.incomplete_grace {
                            return Err(StepFailure::failed(
                                format!("Zeebe backup {id} stayed INCOMPLETE ({detail}): a partition has no backup."),
                                "Check that every partition has a leader, then start a new backup.",
                            ));
                        }
                    }
                    _ => incomplete_since = None,
                }
                notes.detail(StepKey::WaitZeebe, detail);
            }
            Ok(None) => {
                poller.answered();
                if triggered.elapsed() > ctx.timeouts.incomplete_grace {
                    return Err(StepFailure::failed(
                        format!("Zeebe answers 404 for backup {id} it accepted (camunda/camunda#54037)."),
                        "Check the brokers, then start a new backup with a higher id.",
                    ));
                }
            }
            Err(e) if e.is_retryable() => poller.unavailable(&e).map_err(failure)?,
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Waiting for the Zeebe backup failed: {e}"),
                    NEXT,
                ))
            }
        }
    }
}

fn failure(end: PollEnd) -> StepFailure {
    StepFailure::from_poll(end, "the Zeebe backup", NEXT)
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
