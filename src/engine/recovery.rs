//! Ending runs whose task is gone: left `running` by a console that was killed, by a panic in
//! the run task, or by a final journal write that failed (an *orphan*, found by the next start
//! or by the watchdog). Recovery runs whenever such a run is found, not only at start-up.
//!
//! Decision: such a run is **resumed, then judged**, never continued. If the pause may have
//! been sent (journaled before sending), exporting is resumed and confirmed first. Then, if the
//! run had triggered the Zeebe backup, the cluster is asked whether every part completed (the
//! records snapshot `SUCCESS` with its indices, the Zeebe backup `COMPLETED`): if so the set is
//! complete and the run says so; otherwise the run failed at the step it was in. Continuing
//! would join parts taken across an unknown gap; the documented rule after any failure past the
//! pause is "resume, then restart with a new, higher id" (§9.1).

use super::context::RunContext;
use super::journal::RunJournal;
use super::runner::alarm_words;
use super::{exporting, poll, ActiveKind, BackupEngine, CancelToken};
use crate::camunda::types::{SnapshotState, ZeebeBackupState};
use crate::domain::{RunState, RunView, StepKey, StepState};
use std::time::Duration;

/// Why a run is being recovered.
#[derive(Clone, Debug)]
pub enum Cause {
    /// The console process stopped while the run was going.
    Restart,
    /// The run task panicked (the message).
    Panic(String),
    /// The run's task ended but its end was never journaled.
    Orphan,
}

impl Cause {
    fn words(&self, step: &str) -> String {
        match self {
            Self::Restart => format!("The console stopped while the run was at \"{step}\"."),
            Self::Panic(m) => format!("The console hit an internal error at \"{step}\" ({m})."),
            Self::Orphan => format!("The run's end at \"{step}\" could not be journaled."),
        }
    }
}

/// Recovers every run the journal holds as `running` while no task runs it.
pub async fn recover_unfinished(engine: &BackupEngine, cause: Cause) {
    let unfinished = match engine.inner.store.unfinished().await {
        Ok(runs) => runs,
        Err(e) => {
            tracing::error!(error = %e, "could not read unfinished runs from the journal");
            Vec::new()
        }
    };
    for run in unfinished {
        if engine.active_run() == Some(run.backup_id) {
            continue;
        }
        let cancel = CancelToken::default();
        engine.set_active(Some(super::Active {
            id: run.backup_id,
            kind: ActiveKind::Recovery,
            cancel: cancel.clone(),
        }));
        let id = run.backup_id;
        recover_run(engine, run, cause.clone(), cancel).await;
        engine.set_active(None);
        engine.run_ended(id);
    }
}

/// Resumes exporting if needed, then ends `run` truthfully. Stopped by `cancel` (shutdown)
/// while it waits for parts to settle, it leaves the run `running` for the next start.
#[tracing::instrument(skip_all, fields(backup_id = %run.backup_id))]
pub async fn recover_run(engine: &BackupEngine, run: RunView, cause: Cause, cancel: CancelToken) {
    let id = run.backup_id;
    tracing::warn!(?cause, "recovering a run whose task is gone");
    let mut journal =
        match RunJournal::resume(run, engine.inner.store.clone(), engine.channel(id)).await {
            Ok(j) => j,
            Err(e) => {
                tracing::error!(error = %e, "could not reopen the run journal");
                return;
            }
        };
    let interrupted = journal
        .run()
        .current_step()
        .map(|k| k.label())
        .unwrap_or("a step boundary");
    let ctx = engine.context(id, cancel, journal.run().profile);
    let mut resume_note = String::from("Exporting had not been paused by this run. ");
    let mut alarm = None;
    if journal.run().pause.may_be_paused() {
        let _ = journal
            .step(
                StepKey::ResumeExporting,
                StepState::Running,
                Some("Resuming after the run's task was lost".into()),
                None,
            )
            .await;
        match exporting::resume(&ctx.clients, ctx.resume_budget(), None).await {
            Ok(resumed) => {
                let at = super::journal::now();
                let _ = journal
                    .update(None, None, |r| r.pause.resumed_at = Some(at))
                    .await;
                let _ = journal
                    .step(
                        StepKey::ResumeExporting,
                        StepState::Completed,
                        Some(resumed.detail),
                        None,
                    )
                    .await;
                resume_note = match resumed.unconfirmed {
                    None => "Exporting was resumed and confirmed. ".into(),
                    Some(why) => format!("Exporting was resumed (NOT confirmed: {why}). "),
                };
            }
            Err(e) => {
                let _ = journal
                    .step(
                        StepKey::ResumeExporting,
                        StepState::Failed,
                        None,
                        Some(e.clone()),
                    )
                    .await;
                alarm = Some(alarm_words(&e));
            }
        }
    }
    let complete = match set_complete(&ctx, journal.run()).await {
        Settled::Complete(words) => Some(words),
        Settled::Incomplete => None,
        Settled::Interrupted => {
            tracing::warn!("recovery interrupted by shutdown; the next start recovers the run");
            return;
        }
    };
    // Steps still `running` end: completed when the cluster shows their part done.
    let running: Vec<StepKey> = journal
        .run()
        .steps
        .iter()
        .filter(|s| s.state == StepState::Running && s.key != StepKey::ResumeExporting)
        .map(|s| s.key)
        .collect();
    for step in running {
        let (state, error, detail) = match &complete {
            Some(words) => (StepState::Completed, None, Some(words.clone())),
            None => (
                StepState::Failed,
                Some("The run's task was lost during this step".to_owned()),
                None,
            ),
        };
        let _ = journal.step(step, state, detail, error).await;
    }
    let cause_words = cause.words(interrupted);
    let (state, error, next) = match complete {
        Some(_) => (
            RunState::Completed,
            None,
            Some(format!("{cause_words} {resume_note}Every part of backup {id} completed (checked with Zeebe and Elasticsearch afterwards): the set is complete.")),
        ),
        None => (
            RunState::Failed,
            Some(format!("{cause_words} {resume_note}")),
            Some(format!("Start a new backup (a higher id); backup {id} is incomplete and must not be restored.")),
        ),
    };
    if let Some(text) = alarm {
        let stored = text.clone();
        let _ = journal.update(None, None, |r| r.alarm = Some(stored)).await;
        engine.raise_alarm(id, text);
    }
    if let Err(e) = journal.finish(state, error, next).await {
        tracing::error!(error = %e, "could not journal the recovery");
    }
}

/// How long recovery waits for a part still in progress (it goes on in the cluster after the
/// console died) before judging the set.
const SETTLE_WITHIN: Duration = Duration::from_secs(120);

/// What the cluster says of the run's set.
enum Settled {
    /// Every part completed (the words saying so).
    Complete(String),
    Incomplete,
    /// The console is shutting down; not judged.
    Interrupted,
}

/// When every part of the run's set exists complete in the cluster: the words saying so.
/// The web apps' parts count when the run journaled them `COMPLETED` (they end before the
/// pause); the records snapshot and the Zeebe backup are read from the cluster, waiting (up to
/// [`SETTLE_WITHIN`]) while either is still in progress.
async fn set_complete(ctx: &RunContext, run: &RunView) -> Settled {
    let triggered = run
        .step(StepKey::TriggerZeebe)
        .is_some_and(|s| s.state != StepState::Pending);
    let webapps_done = run
        .steps
        .iter()
        .filter(|s| {
            matches!(
                s.key,
                StepKey::WaitOperate
                    | StepKey::WaitTasklist
                    | StepKey::WaitOptimize
                    | StepKey::WaitWebApps
            )
        })
        .all(|s| s.state == StepState::Completed);
    if !triggered || !webapps_done {
        return Settled::Incomplete;
    }
    let has_records = run.step(StepKey::SnapshotRecords).is_some();
    let mut poller = ctx.poller(poll::OUTSIDE, SETTLE_WITHIN);
    let ended = |end: poll::PollEnd| match end {
        poll::PollEnd::Cancelled(_) => Settled::Interrupted,
        _ => Settled::Incomplete,
    };
    loop {
        if let Err(end) = poller.check() {
            return ended(end);
        }
        // 8.8+ without Optimize: the plan has no records snapshot.
        let records = match has_records {
            true => Some(
                ctx.clients
                    .elasticsearch
                    .snapshot(&ctx.cluster.snapshot_repository, &ctx.records_snapshot())
                    .await,
            ),
            false => None,
        };
        let zeebe = ctx.clients.zeebe.backup(ctx.id.get()).await;
        match (records, zeebe) {
            (records @ (None | Some(Ok(Some(_)))), Ok(Some(zeebe))) => {
                poller.answered();
                let records = records.and_then(|r| r.ok().flatten());
                let records_running = records.as_ref().is_some_and(|r| {
                    matches!(
                        r.state,
                        SnapshotState::InProgress | SnapshotState::Started | SnapshotState::Init
                    )
                });
                let zeebe_running = zeebe.state == ZeebeBackupState::InProgress;
                if !records_running && !zeebe_running {
                    let records_ok = records.as_ref().is_none_or(|r| {
                        r.state == SnapshotState::Success
                            && r.shards.as_ref().is_none_or(|s| s.failed == 0)
                            && !r.indices.is_empty()
                    });
                    if records_ok && zeebe.state == ZeebeBackupState::Completed {
                        let records_words = match &records {
                            Some(r) => {
                                format!("records snapshot SUCCESS ({} indices), ", r.indices.len())
                            }
                            None => String::new(),
                        };
                        return Settled::Complete(format!(
                            "Verified after the task was lost: {records_words}Zeebe backup COMPLETED on {} partitions",
                            zeebe.details.len()
                        ));
                    }
                    return Settled::Incomplete;
                }
            }
            // A part is missing: the set is not complete.
            (Some(Ok(None)), _) | (_, Ok(None)) => return Settled::Incomplete,
            (Some(Err(e)), _) | (_, Err(e)) => {
                if !e.is_retryable() {
                    return Settled::Incomplete;
                }
                if let Err(end) = poller.unavailable(&e) {
                    return ended(end);
                }
            }
        }
        if let Err(end) = poller.sleep().await {
            return ended(end);
        }
    }
}
