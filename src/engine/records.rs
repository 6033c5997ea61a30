//! The Elasticsearch snapshot of the exported `zeebe-record*` indices, taken inside the pause
//! window without `wait_for_completion` (a long wait can outlive HTTP timeouts, §7.2) and polled.

use super::context::{RunContext, StepFailure, StepResult};
use super::journal::RunJournal;
use super::poll;
use crate::camunda::types::SnapshotState;
use crate::domain::StepKey;
use tokio::time::Instant;

#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn create(ctx: &RunContext) -> StepResult {
    let name = ctx.records_snapshot();
    let pattern = format!("{}*", ctx.cluster.zeebe_record_prefix);
    ctx.clients
        .elasticsearch
        .create_snapshot(&ctx.cluster.snapshot_repository, &name, &pattern)
        .await
        .map_err(|e| {
            StepFailure::failed(
                format!("Creating the Elasticsearch snapshot {name} of {pattern} failed: {e}"),
                "Exporting is being resumed. Check Elasticsearch and the snapshot repository, then start a new backup.",
            )
        })?;
    Ok(Some(format!(
        "Elasticsearch: snapshot {name} of {pattern} started"
    )))
}

/// Polls the snapshot until `SUCCESS` with no failed shard. The component's own work time
/// (ES `duration_in_millis`) is returned for the pause-window accounting.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn wait(
    ctx: &RunContext,
    journal: &mut RunJournal,
    work_ms: &mut Option<u64>,
) -> StepResult {
    let name = ctx.records_snapshot();
    let repo = &ctx.cluster.snapshot_repository;
    let started = Instant::now();
    let mut errors_in_a_row = 0u32;
    loop {
        if ctx.cancelled() {
            return Err(StepFailure::Cancelled);
        }
        match ctx.clients.elasticsearch.snapshot(repo, &name).await {
            Ok(Some(s)) => {
                errors_in_a_row = 0;
                let shards = s.shards.clone().unwrap_or_default();
                match &s.state {
                    SnapshotState::Success if shards.failed == 0 => {
                        *work_ms = s.duration_in_millis.and_then(|d| u64::try_from(d).ok());
                        return Ok(Some(format!(
                            "Elasticsearch: {} indices, {} of {} shards",
                            s.indices.len(),
                            shards.successful,
                            shards.total
                        )));
                    }
                    SnapshotState::InProgress | SnapshotState::Started | SnapshotState::Init => {
                        journal
                            .progress(
                                StepKey::WaitRecordsSnapshot,
                                format!("Elasticsearch: {name} IN_PROGRESS"),
                            )
                            .await?;
                    }
                    other => {
                        return Err(StepFailure::failed(
                            format!(
                                "Elasticsearch snapshot {name} ended {other:?} with {} of {} shards failed: {}",
                                shards.failed,
                                shards.total,
                                serde_json::to_string(&s.failures).unwrap_or_default()
                            ),
                            "Exporting is being resumed. Check the Elasticsearch cluster health and the repository, then start a new backup.",
                        ));
                    }
                }
            }
            Ok(None) if started.elapsed() < ctx.timeouts.incomplete_grace => {}
            Ok(None) => {
                return Err(StepFailure::failed(
                    format!("Elasticsearch does not know the snapshot {name} it accepted."),
                    "Check the repository, then start a new backup.",
                ))
            }
            Err(e) if e.is_retryable() && errors_in_a_row < 20 => {
                errors_in_a_row += 1;
                tracing::warn!(error = %e, "snapshot poll failed; retrying");
            }
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Waiting for the Elasticsearch snapshot {name} failed: {e}"),
                    "Exporting is being resumed. Check Elasticsearch, then start a new backup.",
                ))
            }
        }
        if started.elapsed() > ctx.timeouts.records_snapshot {
            return Err(StepFailure::failed(
                format!("The Elasticsearch snapshot {name} did not finish within {} s.", ctx.timeouts.records_snapshot.as_secs()),
                "Exporting is being resumed. Raise timeouts.records_snapshot_secs if needed, then start a new backup.",
            ));
        }
        tokio::time::sleep(poll::INSIDE_WINDOW).await;
    }
}
