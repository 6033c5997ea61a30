//! Runs a journaled plan step by step. Inside the pause window the records snapshot is
//! requested, the Zeebe backup is taken, and both are awaited side by side. Whatever happens
//! after the pause was requested — a failed step, a timeout, a cancel, a shutdown, a journal
//! failure — exporting is resumed before the run ends. The outcome is told as it is: a set
//! whose every part completed is complete even when the resume failed (then with an alarm).

use super::context::{Note, Notes, RunContext, StepFailure, StepResult};
use super::journal::{now, RunJournal};
use super::records::InFlight;
use super::zeebe::ZeebeDone;
use super::{exporting, preflight, records, webapps, zeebe, CancelReason};
use crate::domain::{RunState, StepKey, StepState};
use crate::store::StoreError;
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

/// What happened to the pause window at the end of a run.
enum Resume {
    /// This run never asked for a pause.
    NotNeeded,
    Done,
    Failed(String),
    /// Another replica leads now: its recovery owns this run's pause (resuming here could cut
    /// short the pause of a backup the new leader has started since).
    HandedOver,
}

/// The pause window's moving parts.
#[derive(Default)]
struct Window {
    pause_started: Option<Instant>,
    records: Option<InFlight>,
    zeebe_triggered: Option<Instant>,
    /// How long the take request took (trigger sent → answered).
    zeebe_trigger_ms: Option<u64>,
    records_ms: Option<u64>,
    zeebe: Option<ZeebeDone>,
    /// When each web-app trigger step was answered (its backup's wait counts from then).
    webapps_triggered: std::collections::BTreeMap<StepKey, Instant>,
}

/// How a run left exporting.
#[derive(Debug)]
pub enum RunEnd {
    /// The run never asked for a pause.
    NotPaused,
    /// The run resumed exporting (so any older alarm is over: resuming is cluster-wide).
    Resumed,
    /// Resuming failed: exporting may still be paused (the alarm's words).
    Alarm(String),
}

/// Executes every pending step of the journal's run, then ends the run.
#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn execute(ctx: RunContext, mut journal: RunJournal) -> RunEnd {
    let (notes, mut rx) = Notes::channel();
    let mut window = Window::default();
    let outcome = run_plan(&ctx, &mut journal, &notes, &mut rx, &mut window).await;
    if let Some(records) = window.records.take() {
        records.abandon();
    }
    let _ = drain(&mut journal, &mut rx).await;
    let resume = finish_pause(&ctx, &mut journal, &window).await;
    conclude(&ctx, &mut journal, outcome, resume).await
}

async fn run_plan(
    ctx: &RunContext,
    journal: &mut RunJournal,
    notes: &Notes,
    rx: &mut UnboundedReceiver<Note>,
    window: &mut Window,
) -> Result<(), StepFailure> {
    let plan: Vec<StepKey> = journal.run().steps.iter().map(|s| s.key).collect();
    for key in plan {
        if let Some(reason) = ctx.cancelled() {
            return Err(StepFailure::Cancelled(reason));
        }
        match key {
            StepKey::ResumeExporting => break,
            // Awaited together with the records snapshot (when the plan has one).
            StepKey::WaitZeebe if journal.run().step(StepKey::WaitRecordsSnapshot).is_some() => {
                continue
            }
            StepKey::WaitRecordsSnapshot | StepKey::WaitZeebe => {
                await_window(ctx, journal, notes, rx, window).await?
            }
            _ => {
                journal.step(key, StepState::Running, None, None).await?;
                if key == StepKey::PauseExporting {
                    window.pause_started = Some(Instant::now());
                }
                hook(ctx, key);
                let soft = journal.run().pause.soft;
                let result = drive(journal, rx, run_step(ctx, key, soft, notes, window)).await;
                end_step(journal, key, result).await?;
                if key == StepKey::PauseExporting {
                    let at = now();
                    journal
                        .update(None, None, |run| run.pause.paused_at = Some(at))
                        .await?;
                }
            }
        }
    }
    Ok(())
}

fn hook(ctx: &RunContext, key: StepKey) {
    if let Some(hook) = &ctx.hook {
        hook(key);
    }
}

async fn run_step(
    ctx: &RunContext,
    key: StepKey,
    soft: bool,
    notes: &Notes,
    window: &mut Window,
) -> StepResult {
    let optimize = || {
        ctx.clients.optimize.as_ref().ok_or_else(|| {
            StepFailure::failed(
                "Optimize is not configured",
                "Remove Optimize from the plan",
            )
        })
    };
    let unified = || {
        ctx.clients.webapps.as_ref().ok_or_else(|| {
            StepFailure::failed(
                "This run's plan backs up the web apps through the orchestration cluster, but its profile has no such endpoint",
                "Start a new backup: it is planned for the version the cluster runs.",
            )
        })
    };
    let c = &ctx.clients;
    match key {
        StepKey::Preflight => preflight::run(ctx, notes).await,
        StepKey::TriggerOptimize
        | StepKey::TriggerOperate
        | StepKey::TriggerTasklist
        | StepKey::TriggerWebApps => {
            let app = match key {
                StepKey::TriggerOptimize => optimize()?,
                StepKey::TriggerOperate => &c.operate,
                StepKey::TriggerTasklist => &c.tasklist,
                _ => unified()?,
            };
            let answer = webapps::trigger(ctx, app, notes).await;
            window.webapps_triggered.insert(key, Instant::now());
            answer
        }
        StepKey::WaitWebApps
        | StepKey::WaitOptimize
        | StepKey::WaitOperate
        | StepKey::WaitTasklist => {
            let app = match key {
                StepKey::WaitOptimize => optimize()?,
                StepKey::WaitOperate => &c.operate,
                StepKey::WaitTasklist => &c.tasklist,
                _ => unified()?,
            };
            let triggered = webapps::trigger_of(key)
                .and_then(|t| window.webapps_triggered.get(&t))
                .copied();
            webapps::wait(ctx, app, key, triggered, notes).await
        }
        StepKey::PauseExporting => exporting::pause(ctx, soft, notes).await,
        StepKey::SnapshotRecords => {
            let (in_flight, detail) = records::request(ctx, soft, notes).await?;
            window.records = Some(in_flight);
            Ok(Some(detail))
        }
        StepKey::TriggerZeebe => {
            let sent = Instant::now();
            window.zeebe_triggered = Some(sent);
            let answer = zeebe::trigger(ctx).await;
            window.zeebe_trigger_ms = u64::try_from(sent.elapsed().as_millis()).ok();
            answer.map(Some)
        }
        StepKey::WaitRecordsSnapshot | StepKey::WaitZeebe | StepKey::ResumeExporting => Ok(None),
    }
}

/// Awaits the records snapshot and the Zeebe backup side by side; the first failure stops
/// the other wait (the run then resumes at once).
async fn await_window(
    ctx: &RunContext,
    journal: &mut RunJournal,
    notes: &Notes,
    rx: &mut UnboundedReceiver<Note>,
    window: &mut Window,
) -> Result<(), StepFailure> {
    let with_records = journal.run().step(StepKey::WaitRecordsSnapshot).is_some();
    for key in [StepKey::WaitRecordsSnapshot, StepKey::WaitZeebe] {
        if journal.run().step(key).is_some() {
            journal.step(key, StepState::Running, None, None).await?;
            hook(ctx, key);
        }
    }
    let mut in_flight = match (window.records.take(), with_records) {
        (Some(r), true) => Some(r),
        (None, false) => None,
        _ => {
            return Err(StepFailure::failed(
                "The records snapshot was never requested.",
                "Start a new backup.",
            ))
        }
    };
    let triggered = window.zeebe_triggered.unwrap_or_else(Instant::now);
    let records = async {
        match in_flight.as_mut() {
            Some(r) => r.wait().await,
            None => std::future::pending().await,
        }
    };
    let zeebe = zeebe::wait(ctx, notes, triggered);
    tokio::pin!(records, zeebe);
    let (mut records_done, mut zeebe_done) = (!with_records, false);
    while !(records_done && zeebe_done) {
        tokio::select! {
            biased;
            Some(note) = rx.recv() => apply(journal, note).await?,
            r = &mut records, if !records_done => {
                records_done = true;
                match r {
                    Ok(done) => {
                        window.records_ms = done.duration_ms;
                        journal.step(StepKey::WaitRecordsSnapshot, StepState::Completed, Some(done.detail), None).await?;
                    }
                    Err(e) => return stop_other(journal, StepKey::WaitRecordsSnapshot, StepKey::WaitZeebe, e).await,
                }
            }
            z = &mut zeebe, if !zeebe_done => {
                zeebe_done = true;
                match z {
                    Ok(done) => {
                        journal.step(StepKey::WaitZeebe, StepState::Completed, Some(done.detail.clone()), None).await?;
                        window.zeebe = Some(done);
                    }
                    Err(e) => return stop_other(journal, StepKey::WaitZeebe, StepKey::WaitRecordsSnapshot, e).await,
                }
            }
            // The server-side wait for the records snapshot does not watch the stop token.
            reason = ctx.cancel.cancelled() => {
                for key in [StepKey::WaitRecordsSnapshot, StepKey::WaitZeebe] {
                    if journal.run().step(key).map(|s| s.state) == Some(StepState::Running) {
                        journal.step(key, StepState::Cancelled, None, Some(reason.words().to_owned())).await?;
                    }
                }
                return Err(StepFailure::Cancelled(reason));
            }
        }
    }
    Ok(())
}

/// Ends `failed` with its failure and the still-running `other` as not awaited.
async fn stop_other(
    journal: &mut RunJournal,
    failed: StepKey,
    other: StepKey,
    failure: StepFailure,
) -> Result<(), StepFailure> {
    let failure = match end_step(journal, failed, Err(failure)).await {
        Err(f) => f,
        Ok(()) => return Ok(()),
    };
    if journal.run().step(other).map(|s| s.state) == Some(StepState::Running) {
        let why = match &failure {
            StepFailure::Cancelled(reason) => reason.words().to_owned(),
            _ => format!("Not awaited: \"{}\" failed", failed.label()),
        };
        journal
            .step(other, StepState::Cancelled, None, Some(why))
            .await?;
    }
    Err(failure)
}

/// Journals a step's end; returns the failure to stop the run.
async fn end_step(
    journal: &mut RunJournal,
    key: StepKey,
    result: StepResult,
) -> Result<(), StepFailure> {
    match result {
        Ok(detail) => {
            journal
                .step(key, StepState::Completed, detail, None)
                .await?;
            Ok(())
        }
        Err(StepFailure::Cancelled(reason)) => {
            journal
                .step(
                    key,
                    StepState::Cancelled,
                    None,
                    Some(reason.words().to_owned()),
                )
                .await?;
            Err(StepFailure::Cancelled(reason))
        }
        Err(StepFailure::Failed { message, next }) => {
            journal
                .step(key, StepState::Failed, None, Some(message.clone()))
                .await?;
            Err(StepFailure::Failed { message, next })
        }
        Err(e @ StepFailure::Journal(_)) => Err(e),
    }
}

/// Runs `step` while journaling the notes it sends.
async fn drive<T>(
    journal: &mut RunJournal,
    rx: &mut UnboundedReceiver<Note>,
    step: impl Future<Output = Result<T, StepFailure>>,
) -> Result<T, StepFailure> {
    tokio::pin!(step);
    loop {
        tokio::select! {
            biased;
            Some(note) = rx.recv() => apply(journal, note).await?,
            result = &mut step => {
                drain(journal, rx).await?;
                return result;
            }
        }
    }
}

async fn drain(
    journal: &mut RunJournal,
    rx: &mut UnboundedReceiver<Note>,
) -> Result<(), StoreError> {
    while let Ok(note) = rx.try_recv() {
        apply(journal, note).await?;
    }
    Ok(())
}

async fn apply(journal: &mut RunJournal, note: Note) -> Result<(), StoreError> {
    match note {
        Note::Detail(key, words) => journal.progress(key, words).await,
        Note::Scheduled(names) => {
            journal
                .update(None, None, |r| r.scheduled_snapshots.extend(names))
                .await
        }
        Note::Warning(words) => {
            tracing::warn!(warning = %words, "run warning");
            journal
                .update(None, Some(words.clone()), |r| r.warnings.push(words))
                .await
        }
        Note::SoftPause(soft) => journal.update(None, None, |r| r.pause.soft = soft).await,
        Note::PauseRefused => {
            journal
                .update(None, None, |r| r.pause.requested_at = None)
                .await
        }
    }
}

/// Resumes exporting if this run may have paused it, within the resume budget.
async fn finish_pause(ctx: &RunContext, journal: &mut RunJournal, window: &Window) -> Resume {
    if !journal.run().pause.may_be_paused() {
        return Resume::NotNeeded;
    }
    // A leader that was paused past its lease wakes up here (its journal writes are fenced):
    // the replica that leads now has recovered this run and resumed exporting, and may be
    // inside the pause window of its own backup by now.
    if journal.store().superseded().await {
        tracing::warn!(backup_id = %ctx.id, "another replica leads now: its recovery resumes exporting for this run; this replica touches nothing");
        return Resume::HandedOver;
    }
    // The journal may be failing; resuming matters more than recording it.
    let _ = journal
        .step(StepKey::ResumeExporting, StepState::Running, None, None)
        .await;
    let partitions = window
        .zeebe
        .as_ref()
        .map(|z| z.partitions)
        .filter(|p| *p > 0);
    let result = exporting::resume(&ctx.clients, ctx.resume_budget(), partitions).await;
    let window_ms = window
        .pause_started
        .map(|t| u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX));
    match result {
        Ok(resumed) => {
            let at = now();
            let zeebe_work = window.zeebe.as_ref().and_then(|z| z.work_ms);
            let records_ms = window.records_ms;
            // What later runs learn from: when the backup is *done*, not when it was seen done
            // (that includes this run's read lateness and would drift upwards): the take's
            // round trip plus Zeebe's own work time, both durations (no clock skew), else
            // what was seen.
            let zeebe_observed =
                window
                    .zeebe
                    .as_ref()
                    .map(|z| match (window.zeebe_trigger_ms, z.work_ms) {
                        (Some(rtt), Some(work)) => rtt + work,
                        _ => z.observed_ms,
                    });
            let _ = journal
                .update(None, None, |run| {
                    run.pause.resumed_at = Some(at);
                    run.pause.duration_ms = window_ms;
                    run.pause.records_ms = records_ms;
                    run.pause.zeebe_ms = zeebe_observed;
                    run.pause.component_work_ms = match (records_ms, zeebe_work) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                })
                .await;
            if let Some(why) = resumed.unconfirmed {
                let _ = apply(
                    journal,
                    Note::Warning(format!("Exporting resume NOT confirmed: {why}.")),
                )
                .await;
            }
            let _ = journal
                .step(
                    StepKey::ResumeExporting,
                    StepState::Completed,
                    Some(resumed.detail),
                    None,
                )
                .await;
            Resume::Done
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
            Resume::Failed(message)
        }
    }
}

/// The words of the alarm raised when exporting may still be paused.
pub fn alarm_words(error: &str) -> String {
    format!("EXPORTING MAY STILL BE PAUSED ({error}). Resume it now: POST /actuator/exporting/resume on the Zeebe gateway, then check every broker's /actuator/partitions. The console keeps retrying.")
}

async fn conclude(
    ctx: &RunContext,
    journal: &mut RunJournal,
    outcome: Result<(), StepFailure>,
    resume: Resume,
) -> RunEnd {
    let resumed_words = match &resume {
        Resume::NotNeeded | Resume::HandedOver => "",
        Resume::Done => "Exporting was resumed. ",
        Resume::Failed(_) => "",
    };
    let alarm = match &resume {
        Resume::Failed(e) => Some(alarm_words(e)),
        _ => None,
    };
    if outcome.is_err() {
        let left = left_behind(ctx, journal);
        if !left.is_empty() {
            let _ = journal.update(None, None, |r| r.left_behind = left).await;
        }
    }
    let interrupted = journal
        .run()
        .steps
        .iter()
        .rev()
        .find(|s| matches!(s.state, StepState::Cancelled | StepState::Failed))
        .map(|s| s.label.clone())
        .unwrap_or_else(|| "a step boundary".into());
    let (state, error, next) = match outcome {
        Ok(()) => (RunState::Completed, None, None),
        Err(StepFailure::Cancelled(CancelReason::Admin)) => (
            RunState::Cancelled,
            Some("Cancelled by the admin.".to_owned()),
            Some(format!("{resumed_words}The partial backup {} is listed below; delete it if you do not need it, and start a new backup with a higher id.", ctx.id)),
        ),
        Err(StepFailure::Cancelled(CancelReason::Shutdown)) => (
            RunState::Cancelled,
            Some(format!("Stopped at \"{interrupted}\" because the console was shutting down (SIGTERM / SIGINT).")),
            Some(format!("{resumed_words}Start a new backup (a higher id) once the console is back; the partial backup {} is listed below.", ctx.id)),
        ),
        Err(StepFailure::Failed { message, next }) => {
            (RunState::Failed, Some(message), Some(format!("{resumed_words}{next}")))
        }
        Err(StepFailure::Journal(e)) => (
            RunState::Failed,
            Some(format!("The run journal could not be written ({e}); the run stopped.")),
            Some(format!("{resumed_words}Check the console's database (disk space, permissions), then start a new backup.")),
        ),
    };
    if let Some(alarm) = &alarm {
        let text = alarm.clone();
        let _ = journal.update(None, None, |r| r.alarm = Some(text)).await;
    }
    finish_with_retries(journal, state, error, next).await;
    match (alarm, resume) {
        (Some(words), _) => RunEnd::Alarm(words),
        (None, Resume::Done) => RunEnd::Resumed,
        (None, _) => RunEnd::NotPaused,
    }
}

/// The last write of a run is retried briefly (a locked or full disk may clear); if it still
/// fails, the run stays `running` in the journal and orphan recovery ends it later.
async fn finish_with_retries(
    journal: &mut RunJournal,
    state: RunState,
    error: Option<String>,
    next: Option<String>,
) {
    for delay in [100, 500, 2000] {
        match journal.finish(state, error.clone(), next.clone()).await {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(backup_id = %journal.run().backup_id, error = %e, "could not journal the end of the run; retrying");
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
        }
    }
    tracing::error!(backup_id = %journal.run().backup_id, "the end of the run is not journaled; orphan recovery will end it");
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
    let webapps = ctx.profile.webapps_path();
    for (k, name, path) in [
        (
            StepKey::TriggerOptimize,
            "Optimize",
            ctx.profile.optimize_backups,
        ),
        (StepKey::TriggerOperate, "Operate", webapps),
        (StepKey::TriggerTasklist, "Tasklist", webapps),
        (
            StepKey::TriggerWebApps,
            "Web-app (Operate, Tasklist)",
            webapps,
        ),
    ] {
        if started(k) {
            let on = if k == StepKey::TriggerWebApps {
                "the orchestration cluster"
            } else {
                name
            };
            left.push(format!(
                "{name} backup {} (DELETE {path}/{} on {on})",
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
        left.push(format!(
            "Zeebe backup {} (DELETE {}/{} on the gateway; its id stays used)",
            ctx.id, ctx.profile.zeebe_backups, ctx.id
        ));
    }
    left
}
