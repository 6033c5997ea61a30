//! The Elasticsearch snapshot of the exported `zeebe-record*` indices, inside the pause window.
//!
//! It is waited for server-side: one `PUT …?wait_for_completion=true` with the step's own long
//! timeout, run in its own task while the Zeebe backup is taken, so the window lasts the longer
//! of the two, not their sum. If that connection drops (timeout, reset, 5xx, a proxy's HTML)
//! the wait re-attaches by polling the snapshot; if Elasticsearch never got the request (404
//! for longer than the grace period, or connection refused) it is sent again.
//!
//! With a soft pause the exporters keep writing to `zeebe-record*`, so the Zeebe backup may
//! only be triggered once every shard of the snapshot has started (taken its point in time):
//! otherwise the snapshot could hold records the Zeebe backup does not. With a hard pause the
//! indices do not change and Zeebe is triggered at once.

use super::context::{Notes, RunContext, StepFailure};
use super::poll::{self, PollEnd};
use crate::camunda::types::{CreateSnapshotResponse, SnapshotInfo, SnapshotState};
use crate::camunda::ClientError;
use crate::domain::StepKey;
use tokio::task::JoinHandle;
use tokio::time::Instant;

const NEXT: &str =
    "Check the Elasticsearch cluster health and the snapshot repository, then start a new backup.";

/// The records snapshot that finished.
#[derive(Debug)]
pub struct RecordsDone {
    pub detail: String,
    /// Elasticsearch's own `duration_in_millis`.
    pub duration_ms: Option<u64>,
}

/// The records snapshot in flight (its server-side wait runs in its own task).
pub struct InFlight {
    task: JoinHandle<Result<RecordsDone, StepFailure>>,
}

impl InFlight {
    /// Waits for the snapshot's end.
    pub async fn wait(&mut self) -> Result<RecordsDone, StepFailure> {
        match (&mut self.task).await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(StepFailure::failed(
                "The wait for the records snapshot was stopped.",
                NEXT,
            )),
        }
    }

    /// Stops waiting (the snapshot itself goes on in Elasticsearch).
    pub fn abandon(&self) {
        self.task.abort();
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Requests the snapshot. With `soft`, returns once every shard has started.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id, soft))]
pub async fn request(
    ctx: &RunContext,
    soft: bool,
    notes: &Notes,
) -> Result<(InFlight, String), StepFailure> {
    let name = ctx.records_snapshot();
    let pattern = format!("{}*", ctx.cluster.zeebe_record_prefix);
    let task = tokio::spawn(create_and_wait(ctx.clone(), notes.clone()));
    let mut in_flight = InFlight { task };
    if !soft {
        return Ok((
            in_flight,
            format!(
                "Elasticsearch: snapshot {name} of {pattern} requested (waited for server-side)"
            ),
        ));
    }
    let mut poller = ctx.poller(poll::CONFIRM, ctx.timeouts.records_snapshot);
    loop {
        poller.check().map_err(|e| failure(e, &name))?;
        if in_flight.task.is_finished() {
            // Ended before its shards were seen starting: a failure stops the run before the
            // Zeebe backup is taken; a success is handed to the wait step.
            let done = in_flight.wait().await?;
            let task = tokio::spawn(async move { Ok(done) });
            return Ok((
                InFlight { task },
                format!("Elasticsearch: snapshot {name} of {pattern} already ended"),
            ));
        }
        match ctx
            .clients
            .elasticsearch
            .snapshot_status(&ctx.cluster.snapshot_repository, &name)
            .await
        {
            Ok(statuses) => {
                poller.answered();
                let started = statuses
                    .iter()
                    .find(|s| s.snapshot == name)
                    .is_some_and(|s| {
                        s.shards_stats
                            .as_ref()
                            .is_some_and(|st| st.initializing == 0 && st.total > 0)
                            || !matches!(
                                s.state,
                                SnapshotState::Init
                                    | SnapshotState::Started
                                    | SnapshotState::InProgress
                            )
                    });
                if started {
                    return Ok((
                        in_flight,
                        format!("Elasticsearch: snapshot {name} of {pattern} requested; every shard started"),
                    ));
                }
            }
            // Not registered yet.
            Err(ClientError::Status { status: 404, .. }) => poller.answered(),
            Err(e) if e.is_retryable() => poller.unavailable(&e).map_err(|e| failure(e, &name))?,
            Err(e) => {
                in_flight.abandon();
                return Err(StepFailure::failed(
                    format!("Checking that the records snapshot {name} started failed: {e}"),
                    NEXT,
                ));
            }
        }
        poller.sleep().await.map_err(|e| failure(e, &name))?;
    }
}

/// `PUT …?wait_for_completion=true`, re-attached by polling when the connection drops.
async fn create_and_wait(ctx: RunContext, notes: Notes) -> Result<RecordsDone, StepFailure> {
    let es = &ctx.clients.elasticsearch;
    let repo = &ctx.cluster.snapshot_repository;
    let name = ctx.records_snapshot();
    let pattern = format!("{}*", ctx.cluster.zeebe_record_prefix);
    let limit = ctx.timeouts.records_snapshot;
    let started = Instant::now();
    let mut poller = ctx.poller(poll::INSIDE_UNKNOWN, limit);
    let mut sent = false;
    'create: loop {
        poller.check().map_err(|e| failure(e, &name))?;
        let remaining = limit.saturating_sub(started.elapsed());
        let put = es.create_snapshot(repo, &name, &pattern, Some(remaining));
        let answer = tokio::select! {
            answer = put => answer,
            seen = registration(&ctx, &name) => match seen {
                Registration::Ended(s) => return judge(&ctx.cluster.zeebe_record_prefix, &s),
                Registration::NeverArrived => {
                    tracing::warn!("Elasticsearch never registered the records snapshot while the request hung; sending it again");
                    sent = true;
                    continue 'create;
                }
            },
        };
        match answer {
            Ok(CreateSnapshotResponse::Completed { snapshot }) => {
                return judge(&ctx.cluster.zeebe_record_prefix, &snapshot)
            }
            Ok(CreateSnapshotResponse::Accepted { .. }) => {}
            // Never reached Elasticsearch, or it refused for now (5xx): send again.
            Err(
                e @ (ClientError::Unreachable { .. }
                | ClientError::Status {
                    status: 500..=599, ..
                }),
            ) => {
                poller.unavailable(&e).map_err(|e| failure(e, &name))?;
                poller.sleep().await.map_err(|e| failure(e, &name))?;
                sent = true;
                continue 'create;
            }
            // Our earlier request did reach it.
            Err(ClientError::Status {
                status: 400,
                ref message,
                ..
            }) if sent && message.contains("already exists") => {}
            Err(e) if e.is_retryable() => {
                tracing::warn!(error = %e, "the server-side wait for the records snapshot broke off; polling it");
            }
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Creating the Elasticsearch snapshot {name} of {pattern} failed: {e}"),
                    NEXT,
                ))
            }
        }
        sent = true;
        notes.detail(
            StepKey::WaitRecordsSnapshot,
            format!("Elasticsearch: {name} IN_PROGRESS (polling)"),
        );
        let mut missing_since: Option<Instant> = None;
        loop {
            poller.sleep().await.map_err(|e| failure(e, &name))?;
            poller.check().map_err(|e| failure(e, &name))?;
            match es.snapshot(repo, &name).await {
                Ok(Some(s)) => {
                    poller.answered();
                    missing_since = None;
                    if !matches!(
                        s.state,
                        SnapshotState::InProgress | SnapshotState::Started | SnapshotState::Init
                    ) {
                        return judge(&ctx.cluster.zeebe_record_prefix, &s);
                    }
                }
                Ok(None) => {
                    poller.answered();
                    let since = *missing_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > ctx.timeouts.incomplete_grace {
                        tracing::warn!("Elasticsearch does not know the records snapshot; sending the request again");
                        continue 'create;
                    }
                }
                Err(e) if e.is_retryable() => {
                    poller.unavailable(&e).map_err(|e| failure(e, &name))?;
                }
                Err(e) => {
                    return Err(StepFailure::failed(
                        format!("Waiting for the Elasticsearch snapshot {name} failed: {e}"),
                        NEXT,
                    ))
                }
            }
        }
    }
}

/// What a look at the snapshot while its create request is still waiting found.
enum Registration {
    /// It already ended (the request's answer was lost or is late).
    Ended(Box<SnapshotInfo>),
    /// Elasticsearch has not known it for longer than the grace period: the request never
    /// arrived.
    NeverArrived,
}

/// While the create request waits, looks at the snapshot every half grace period (60 s by
/// default: a handful of cheap GETs per backup) to notice a request that hangs without ever
/// having reached Elasticsearch. Never resolves while the snapshot is in progress.
async fn registration(ctx: &RunContext, name: &str) -> Registration {
    let every = (ctx.timeouts.incomplete_grace / 2).max(std::time::Duration::from_millis(500));
    let mut missing_since: Option<Instant> = None;
    loop {
        tokio::time::sleep(every).await;
        match ctx
            .clients
            .elasticsearch
            .snapshot(&ctx.cluster.snapshot_repository, name)
            .await
        {
            Ok(Some(s)) => {
                missing_since = None;
                if !matches!(
                    s.state,
                    SnapshotState::InProgress | SnapshotState::Started | SnapshotState::Init
                ) {
                    return Registration::Ended(Box::new(s));
                }
            }
            Ok(None) => {
                let since = *missing_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= ctx.timeouts.incomplete_grace {
                    return Registration::NeverArrived;
                }
            }
            Err(_) => {}
        }
    }
}

/// A finished snapshot counts only with `SUCCESS`, no failed shard, and at least one index.
fn judge(prefix: &str, s: &SnapshotInfo) -> Result<RecordsDone, StepFailure> {
    let name = &s.snapshot;
    let shards = s.shards.clone().unwrap_or_default();
    if s.state != SnapshotState::Success || shards.failed > 0 {
        return Err(StepFailure::failed(
            format!(
                "Elasticsearch snapshot {name} ended {:?} with {} of {} shards failed: {}",
                s.state,
                shards.failed,
                shards.total,
                serde_json::to_string(&s.failures).unwrap_or_default()
            ),
            NEXT,
        ));
    }
    if s.indices.is_empty() {
        return Err(StepFailure::failed(
            format!("The records snapshot {name} holds no index: nothing in Elasticsearch matches `{prefix}*`."),
            format!("Check cluster.zeebe_record_prefix (now `{prefix}`): it must be the index prefix of Zeebe's Elasticsearch exporter (default `zeebe-record`). start a new backup once it is right."),
        ));
    }
    Ok(RecordsDone {
        detail: format!(
            "Elasticsearch: {} indices, {} of {} shards",
            s.indices.len(),
            shards.successful,
            shards.total
        ),
        duration_ms: s.duration_in_millis.and_then(|d| u64::try_from(d).ok()),
    })
}

fn failure(end: PollEnd, name: &str) -> StepFailure {
    StepFailure::from_poll(
        end,
        &format!("the Elasticsearch snapshot {name}"),
        "Check Elasticsearch, then start a new backup.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(state: &str, indices: &[&str], failed: u64) -> SnapshotInfo {
        serde_json::from_value(serde_json::json!({
            "snapshot": "camunda_zeebe_records_backup_7",
            "state": state,
            "indices": indices,
            "shards": {"total": 3, "failed": failed, "successful": 3 - failed},
            "duration_in_millis": 603
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_records_snapshot_without_index_is_a_failure_naming_the_prefix() {
        match judge("zeebe-recrd", &snapshot("SUCCESS", &[], 0)) {
            Err(StepFailure::Failed { message, next }) => {
                assert!(message.contains("holds no index"), "{message}");
                assert!(message.contains("`zeebe-recrd*`"), "{message}");
                assert!(next.contains("cluster.zeebe_record_prefix"), "{next}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_success_with_no_failed_shard_counts() {
        let ok = judge(
            "zeebe-record",
            &snapshot("SUCCESS", &["zeebe-record_job_8.7.3"], 0),
        );
        assert_eq!(ok.map(|d| d.duration_ms).ok(), Some(Some(603)));
        assert!(judge(
            "zeebe-record",
            &snapshot("SUCCESS", &["zeebe-record_job_8.7.3"], 1)
        )
        .is_err());
        assert!(judge(
            "zeebe-record",
            &snapshot("PARTIAL", &["zeebe-record_job_8.7.3"], 0)
        )
        .is_err());
    }
}
