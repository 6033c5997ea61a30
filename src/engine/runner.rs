//! Runs a journaled plan step by step. Whatever happens after the pause was requested — a
//! failed step, a timeout, a cancel, a journal failure — exporting is resumed before the run
//! ends, and the resume is confirmed.

use super::context::{RunContext, StepFailure, StepResult};
use super::journal::{now, RunJournal};
use super::{exporting, preflight, records, webapps, zeebe};
use crate::domain::{RunState, StepKey, StepState};
use std::time::Instant;

/// Executes every pending step of the journal's run, then ends the run.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn execute(ctx: RunContext, mut journal: RunJournal) {
    let plan: Vec<StepKey> = journal.run().steps.iter().map(|s| s.key).collect();
    let mut pause_started: Option<Instant> = None;
    let mut work = WorkTimes::default();
    let mut outcome: Result<(), StepFailure> = Ok(());
    for key in plan {
        if key == StepKey::ResumeExporting {
            break;
        }
        if ctx.cancelled() {
            outcome = Err(StepFailure::Cancelled);
            break;
        }
        if let Err(e) = journal.step(key, StepState::Running, None, None).await {
            outcome = Err(e.into());
            break;
        }
        if key == StepKey::PauseExporting {
            pause_started = Some(Instant::now());
        }
        let result = run_step(&ctx, key, &mut journal, &mut work).await;
        let written = match &result {
            Ok(detail) => {
                let r = journal
                    .step(key, StepState::Completed, detail.clone(), None)
                    .await;
                if key == StepKey::PauseExporting && r.is_ok() {
                    let at = now();
                    journal
                        .update(None, None, |run| run.pause.paused_at = Some(at))
                        .await
                } else {
                    r
                }
            }
            Err(StepFailure::Cancelled) => {
                journal
                    .step(
                        key,
                        StepState::Cancelled,
                        None,
                        Some("Cancelled by the admin".into()),
                    )
                    .await
            }
            Err(StepFailure::Failed { message, .. }) => {
                journal
                    .step(key, StepState::Failed, None, Some(message.clone()))
                    .await
            }
            Err(StepFailure::Journal(_)) => Ok(()),
        };
        if let Err(e) = result {
            outcome = Err(e);
            break;
        }
        if let Err(e) = written {
            outcome = Err(e.into());
            break;
        }
    }
    let resume_error = finish_pause(&ctx, &mut journal, pause_started, &work).await;
    conclude(&ctx, &mut journal, outcome, resume_error).await;
}

#[derive(Default)]
struct WorkTimes {
    records_ms: Option<u64>,
    zeebe_ms: Option<u64>,
}

async fn run_step(
    ctx: &RunContext,
    key: StepKey,
    journal: &mut RunJournal,
    work: &mut WorkTimes,
) -> StepResult {
    let optimize = || {
        ctx.clients.optimize.as_ref().ok_or_else(|| {
            StepFailure::failed(
                "Optimize is not configured",
                "Remove Optimize from the plan",
            )
        })
    };
    match key {
        StepKey::Preflight => preflight::run(ctx).await,
        StepKey::TriggerOptimize => webapps::trigger(ctx, optimize()?, journal).await,
        StepKey::TriggerOperate => webapps::trigger(ctx, &ctx.clients.operate, journal).await,
        StepKey::TriggerTasklist => webapps::trigger(ctx, &ctx.clients.tasklist, journal).await,
        StepKey::WaitOptimize => webapps::wait(ctx, optimize()?, key, journal).await,
        StepKey::WaitOperate => webapps::wait(ctx, &ctx.clients.operate, key, journal).await,
        StepKey::WaitTasklist => webapps::wait(ctx, &ctx.clients.tasklist, key, journal).await,
        StepKey::PauseExporting => exporting::pause(ctx).await,
        StepKey::SnapshotRecords => records::create(ctx).await,
        StepKey::WaitRecordsSnapshot => records::wait(ctx, journal, &mut work.records_ms).await,
        StepKey::TriggerZeebe => zeebe::trigger(ctx).await,
        StepKey::WaitZeebe => zeebe::wait(ctx, journal, &mut work.zeebe_ms).await,
        StepKey::ResumeExporting => Ok(None),
    }
}

/// Resumes exporting if this run may have paused it; returns the error if resuming failed.
async fn finish_pause(
    ctx: &RunContext,
    journal: &mut RunJournal,
    pause_started: Option<Instant>,
    work: &WorkTimes,
) -> Option<String> {
    if !journal.run().pause.may_be_paused() {
        return None;
    }
    // The journal may be failing; resuming matters more than recording it.
    let _ = journal
        .step(StepKey::ResumeExporting, StepState::Running, None, None)
        .await;
    let result = exporting::resume(&ctx.clients, ctx.timeouts.resume_retry).await;
    let window_ms =
        pause_started.map(|t| u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX));
    match result {
        Ok(detail) => {
            let at = now();
            let component_work = match (work.records_ms, work.zeebe_ms) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
            let _ = journal
                .update(None, None, |run| {
                    run.pause.resumed_at = Some(at);
                    run.pause.duration_ms = window_ms;
                    run.pause.component_work_ms = component_work;
                })
                .await;
            let _ = journal
                .step(
                    StepKey::ResumeExporting,
                    StepState::Completed,
                    Some(detail),
                    None,
                )
                .await;
            None
        }
        Err(e) => {
            let message = format!("Resuming exporting failed: {e}");
            tracing::error!(backup_id = %ctx.id, "{message}");
            let _ = journal
                .step(
                    StepKey::ResumeExporting,
                    StepState::Failed,
                    None,
                    Some(message.clone()),
                )
                .await;
            Some(message)
        }
    }
}

async fn conclude(
    ctx: &RunContext,
    journal: &mut RunJournal,
    outcome: Result<(), StepFailure>,
    resume_error: Option<String>,
) {
    let left = left_behind(ctx, journal);
    if !left.is_empty() && outcome.is_err() {
        let _ = journal.update(None, None, |r| r.left_behind = left).await;
    }
    let resume_next = "EXPORTING MAY STILL BE PAUSED: resume it now (POST /actuator/exporting/resume on the Zeebe gateway) and confirm on every broker's /actuator/partitions; the console's watchdog keeps checking.";
    let (state, error, next) = match (outcome, resume_error) {
        (Ok(()), None) => (RunState::Completed, None, None),
        (Ok(()), Some(e)) => (RunState::Failed, Some(e), Some(resume_next.to_owned())),
        (Err(StepFailure::Cancelled), None) => (
            RunState::Cancelled,
            Some("Cancelled by the admin.".to_owned()),
            Some(format!("Exporting is running. The partial backup {} is listed below; delete it if you do not need it, and start a new backup with a higher id.", ctx.id)),
        ),
        (Err(StepFailure::Cancelled), Some(e)) => (RunState::Cancelled, Some(e), Some(resume_next.to_owned())),
        (Err(StepFailure::Failed { message, next }), None) => (RunState::Failed, Some(message), Some(next.replace("Exporting is being resumed.", "Exporting was resumed."))),
        (Err(StepFailure::Failed { message, .. }), Some(e)) => (RunState::Failed, Some(format!("{message} Then: {e}")), Some(resume_next.to_owned())),
        (Err(StepFailure::Journal(e)), resume) => (
            RunState::Failed,
            Some(format!("The run journal could not be written ({e}); the run stopped.{}", resume.map(|r| format!(" {r}")).unwrap_or_default())),
            Some("Check the console's database (disk space, permissions), then start a new backup.".to_owned()),
        ),
    };
    if let Err(e) = journal.finish(state, error, next).await {
        tracing::error!(backup_id = %ctx.id, error = %e, "could not journal the end of the run");
    }
}

/// What exists in the components for this id after a failed or cancelled run.
fn left_behind(ctx: &RunContext, journal: &RunJournal) -> Vec<String> {
    let run = journal.run();
    let started = |k: StepKey| {
        run.step(k).is_some_and(|s| {
            matches!(
                s.state,
                StepState::Completed | StepState::Failed | StepState::Cancelled
            )
        })
    };
    let mut left = Vec::new();
    for (k, name) in [
        (StepKey::TriggerOptimize, "Optimize"),
        (StepKey::TriggerOperate, "Operate"),
        (StepKey::TriggerTasklist, "Tasklist"),
    ] {
        if started(k) {
            left.push(format!(
                "{name} backup {} (DELETE /actuator/backups/{} on {name})",
                ctx.id, ctx.id
            ));
        }
    }
    if started(StepKey::SnapshotRecords) {
        left.push(format!(
            "Elasticsearch snapshot {} in repository {}",
            ctx.records_snapshot(),
            ctx.cluster.snapshot_repository
        ));
    }
    if started(StepKey::TriggerZeebe) {
        left.push(format!("Zeebe backup {} (its id stays used)", ctx.id));
    }
    left
}
