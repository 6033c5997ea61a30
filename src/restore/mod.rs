//! Guided restore: the documented runbook (camunda-api.md §9.3) checked before it starts
//! (`preflight`), previewed as a plan and a text runbook (`plan`, `runbook`), confirmed by the
//! cluster's name, executed step by step from a journal (`journal`, `runner`) with operator
//! steps that wait for what the console sees (`watch`) and the admin's confirmation
//! (`signals`), and resumed at a safe point after a restart.

mod journal;
pub mod plan;
pub mod preflight;
pub mod runbook;
mod runner;
mod signals;
pub mod simulate;
mod watch;

pub use runner::Pace;

use crate::camunda::CamundaClients;
use crate::config::ClusterSettings;
use crate::domain::{
    BackupSetRow, Check, CheckState, PlanStep, RestoreEvent, RestorePlan, RestoreProgress,
    RestoreState, RestoreStepKey, RestoreStepState, RestoreStepView, RestoreSummary, RestoreView,
};
use crate::engine::locked;
use crate::engine::{now, BackupEngine};
use crate::store::{Store, StoreError};
use journal::RestoreJournal;
use runner::Runner;
use signals::Signals;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Why a restore request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("type the cluster name `{0}` in `confirm` to start the restore")]
    NotConfirmed(String),
    #[error("no backup with id {0} in the journal, the components or the repository")]
    UnknownSet(i64),
    #[error("{0}")]
    Busy(String),
    #[error("a pre-flight check failed: {}", failing(.0))]
    ChecksFailed(Vec<Check>),
    #[error("no restore with id {0}")]
    NotFound(i64),
    #[error("no step `{0}`; operator steps are stop_apps, restore_zeebe and start_apps")]
    UnknownStep(String),
    #[error("step `{key}` of restore {id} is {state}, not waiting for the operator")]
    NotWaiting { id: i64, key: String, state: String },
    #[error("restore {0} has started deleting or restoring data (or has ended): it can no longer be cancelled; follow its next action")]
    NotCancellable(i64),
    #[error(
        "restore {0} is {1}: only a failed restore (or one whose task stopped) can be retried"
    )]
    NotRetryable(i64, &'static str),
    #[error("restore {0} was superseded by restore {1}; only the newest restore can be retried")]
    Superseded(i64, i64),
    #[error("the console is shutting down")]
    ShuttingDown,
    #[error("the restore journal failed: {0}")]
    Journal(#[from] StoreError),
}

fn failing(checks: &[Check]) -> String {
    checks
        .iter()
        .filter(|c| c.state == CheckState::Fail)
        .map(|c| format!("{} ({})", c.key, c.message))
        .collect::<Vec<_>>()
        .join("; ")
}

struct Active {
    id: i64,
    signals: Arc<Signals>,
    task: Option<tokio::task::JoinHandle<()>>,
}

struct Inner {
    store: Store,
    clients: CamundaClients,
    cluster: ClusterSettings,
    backups: BackupEngine,
    pace: Pace,
    active: Mutex<Option<Active>>,
    channels: Mutex<HashMap<i64, broadcast::Sender<crate::store::Framed>>>,
    on_end: Mutex<Option<EndFn>>,
    /// Why a restore's task ended before its end was journaled (a journal write failed).
    stalled: Mutex<HashMap<i64, String>>,
    /// Whether a set is being deleted now (no restore of it starts meanwhile).
    deleting: Mutex<Option<DeletingProbe>>,
    /// The repository's last verification, shared with the prober.
    verify: crate::overview::VerifyMemo,
}

/// Tells whether a set is being deleted.
pub type DeletingProbe = Arc<dyn Fn(crate::domain::BackupId) -> bool + Send + Sync>;

/// Who hears that a restore ended (its id).
pub type EndFn = Arc<dyn Fn(i64) + Send + Sync>;

/// Handle to the restores; cheap to clone.
#[derive(Clone)]
pub struct RestoreEngine {
    inner: Arc<Inner>,
}

impl RestoreEngine {
    pub fn new(
        store: Store,
        clients: CamundaClients,
        cluster: ClusterSettings,
        backups: BackupEngine,
        pace: Pace,
        verify: crate::overview::VerifyMemo,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clients,
                cluster,
                backups,
                pace,
                active: Mutex::new(None),
                channels: Mutex::new(HashMap::new()),
                on_end: Mutex::new(None),
                stalled: Mutex::new(HashMap::new()),
                deleting: Mutex::new(None),
                verify,
            }),
        }
    }

    /// The restore executing now, if any.
    pub fn active(&self) -> Option<i64> {
        locked(&self.inner.active).as_ref().map(|a| a.id)
    }

    /// Calls `f` with the restore's id whenever a restore ends (the history re-reads the
    /// cluster; alerts are sent).
    pub fn set_on_end(&self, f: Option<EndFn>) {
        *locked(&self.inner.on_end) = f;
    }

    /// Restores refuse to start on a set `probe` says is being deleted.
    pub fn set_deleting_probe(&self, probe: Option<DeletingProbe>) {
        *locked(&self.inner.deleting) = probe;
    }

    fn channel(&self, id: i64) -> broadcast::Sender<crate::store::Framed> {
        locked(&self.inner.channels)
            .entry(id)
            .or_insert_with(|| broadcast::channel(1024).0)
            .clone()
    }

    /// Words naming what runs now (a backup or a restore), if anything.
    async fn busy(&self) -> Result<Option<String>, StoreError> {
        if let Some(id) = self.active() {
            return Ok(Some(format!("Restore {id} is running")));
        }
        if let Some(r) = self.inner.store.unfinished_restores().await?.first() {
            return Ok(Some(format!(
                "Restore {} has not ended (it resumes when its task runs again)",
                r.restore_id
            )));
        }
        if let Some(id) = self.inner.backups.active_run() {
            return Ok(Some(format!("Backup {id} is being taken")));
        }
        if let Some(run) = self.inner.store.unfinished().await?.first() {
            return Ok(Some(format!(
                "Backup {} has not ended yet (being recovered)",
                run.backup_id
            )));
        }
        Ok(None)
    }

    /// The dry run for `set`: checks, steps, the exact indices and snapshots, the runbook.
    /// Any viewer may ask for plans: they read health and versions, not every backup list,
    /// and verify the repository at most once a minute.
    pub async fn plan(&self, set: &BackupSetRow) -> Result<RestorePlan, RestoreError> {
        let busy = self.busy().await?;
        let survey = preflight::survey(
            &self.inner.clients,
            &self.inner.cluster,
            set,
            busy,
            &self.inner.verify,
        )
        .await;
        Ok(self.plan_of(set, &survey))
    }

    fn plan_of(&self, set: &BackupSetRow, survey: &preflight::Survey) -> RestorePlan {
        let cluster = &self.inner.cluster;
        let in_cluster = crate::profile::profile(survey.profile).in_cluster_restore;
        let text = runbook::runbook(&runbook::RunbookInput {
            cluster_name: &cluster.name,
            backup_id: set.backup_id.get(),
            repository: &cluster.snapshot_repository,
            brokers: &survey.brokers,
            optimize: self.inner.clients.optimize.is_some(),
            profile: crate::profile::profile(survey.profile),
            checks: &survey.checks,
            delete_indices: &survey.delete_indices,
            restore_snapshots: &survey.restore_snapshots,
            generated_at: &now(),
        });
        RestorePlan {
            backup_id: set.backup_id,
            checks: survey.checks.clone(),
            steps: RestoreStepKey::plan(in_cluster)
                .into_iter()
                .map(|k| PlanStep {
                    key: k,
                    kind: k.kind(),
                    label: k.label_in(in_cluster).to_owned(),
                })
                .collect(),
            delete_indices: survey.delete_indices.clone(),
            restore_snapshots: survey.restore_snapshots.clone(),
            brokers: survey.brokers.clone(),
            cluster_name: cluster.name.clone(),
            runbook: text,
            ready: survey.ready(),
        }
    }

    /// Whether `confirm` is the cluster's name, as the admin must type it to start a restore.
    pub fn check_confirm(&self, confirm: Option<&str>) -> Result<(), RestoreError> {
        let name = &self.inner.cluster.name;
        if confirm.map(str::trim) == Some(name.as_str()) {
            Ok(())
        } else {
            Err(RestoreError::NotConfirmed(name.clone()))
        }
    }

    /// Starts a restore of `set` once `confirm` names the cluster and every check passes.
    #[tracing::instrument(skip_all, fields(backup_id = ?set.as_ref().map(|s| s.backup_id)))]
    pub async fn start(
        &self,
        backup_id: i64,
        set: Option<BackupSetRow>,
        confirm: Option<&str>,
        started_by: Option<String>,
    ) -> Result<RestoreView, RestoreError> {
        self.check_confirm(confirm)?;
        let set = set.ok_or(RestoreError::UnknownSet(backup_id))?;
        // Backups and restores start one at a time, never side by side.
        let _starts = self.inner.backups.lock_starts().await;
        if self.inner.backups.shutting_down() {
            return Err(RestoreError::ShuttingDown);
        }
        if let Some(b) = self.busy().await? {
            return Err(RestoreError::Busy(b));
        }
        let deleting = locked(&self.inner.deleting).clone();
        if deleting.is_some_and(|d| d(set.backup_id)) {
            return Err(RestoreError::Busy(format!(
                "Backup set {} is being deleted",
                set.backup_id
            )));
        }
        let survey = preflight::survey(
            &self.inner.clients,
            &self.inner.cluster,
            &set,
            None,
            &self.inner.verify,
        )
        .await;
        if !survey.ready() {
            return Err(RestoreError::ChecksFailed(survey.checks));
        }
        let in_cluster = crate::profile::profile(survey.profile).in_cluster_restore;
        let view = RestoreView {
            restore_id: 0,
            backup_id: set.backup_id,
            state: RestoreState::Running,
            steps: RestoreStepKey::plan(in_cluster)
                .into_iter()
                .map(|k| RestoreStepView {
                    key: k,
                    kind: k.kind(),
                    label: k.label_in(in_cluster).to_owned(),
                    state: RestoreStepState::Pending,
                    started_at: None,
                    finished_at: None,
                    error: None,
                    detail: None,
                    instructions: (k.kind() == crate::domain::StepKind::Operator).then(|| {
                        runbook::operator_instructions(
                            k,
                            set.backup_id.get(),
                            &survey.brokers,
                            self.inner.clients.optimize.is_some(),
                            crate::profile::profile(survey.profile),
                        )
                    }),
                    confirmed_at: None,
                })
                .collect(),
            checks: survey.checks.clone(),
            post_checks: Vec::new(),
            delete_indices: survey.delete_indices.clone(),
            restore_snapshots: survey.restore_snapshots.clone(),
            snapshot_indices: survey.snapshot_indices.clone(),
            brokers: survey.brokers.clone(),
            progress: RestoreProgress::default(),
            started_at: now(),
            finished_at: None,
            started_by,
            error: None,
            next_action: None,
            rto_ms: None,
            downtime_ms: None,
            cancel_requested: false,
            profile: survey.profile,
            stalled: None,
        };
        // The id is known once journaled: a placeholder channel is moved under it.
        let (sender, _) = broadcast::channel(1024);
        let journal =
            RestoreJournal::create(view, self.inner.store.clone(), sender.clone()).await?;
        let id = journal.view().restore_id;
        locked(&self.inner.channels).insert(id, sender);
        let started = journal.view().clone();
        self.spawn(journal);
        tracing::warn!(restore_id = id, backup_id = %started.backup_id, "restore started");
        Ok(started)
    }

    fn spawn(&self, journal: RestoreJournal) {
        let id = journal.view().restore_id;
        let signals = Arc::new(Signals::default());
        // The paths of the profile the restore was started in (8.8+: `backupRuntime`).
        let clients = self
            .inner
            .clients
            .for_profile(crate::profile::profile(journal.view().profile));
        let runner = Runner {
            journal,
            clients,
            cluster: self.inner.cluster.clone(),
            signals: signals.clone(),
            pace: self.inner.pace,
            all_down_at: None,
            unknown_since: Default::default(),
            progress_at: Default::default(),
        };
        let engine = self.clone();
        let mut active = locked(&self.inner.active);
        let task = tokio::spawn(async move {
            let outcome = tokio::spawn(runner.run()).await;
            match outcome {
                Ok(Ok(view)) => {
                    tracing::warn!(
                        restore_id = id,
                        state = view.state.as_str(),
                        "restore ended"
                    )
                }
                Ok(Err(e)) => {
                    tracing::error!(restore_id = id, error = %e, "the restore journal failed; the restore can be retried from its last journaled point");
                    locked(&engine.inner.stalled).insert(
                        id,
                        format!("The restore stopped because the console could not write its journal ({e}); nothing after its last journaled step was done. Retry it once the database works again: it continues from that step."),
                    );
                }
                Err(e) => {
                    tracing::error!(restore_id = id, error = %e, "the restore task failed");
                    engine
                        .fail_lost(id, format!("The restore task stopped unexpectedly ({e})"))
                        .await;
                }
            }
            let mut active = locked(&engine.inner.active);
            if active.as_ref().is_some_and(|a| a.id == id) {
                *active = None;
            }
            drop(active);
            if let Some(f) = locked(&engine.inner.on_end).clone() {
                f(id);
            }
        });
        *active = Some(Active {
            id,
            signals,
            task: Some(task),
        });
    }

    /// Resumes every restore a previous process left unfinished (at most one can exist).
    pub fn spawn_recovery(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            // Under the start lock: no backup or restore starts while the old one is taken up.
            let _starts = engine.inner.backups.lock_starts().await;
            let unfinished = match engine.inner.store.unfinished_restores().await {
                Ok(u) => u,
                Err(e) => {
                    tracing::error!(error = %e, "could not read unfinished restores");
                    return;
                }
            };
            for view in unfinished {
                let id = view.restore_id;
                tracing::warn!(
                    restore_id = id,
                    "resuming a restore left unfinished by the previous process"
                );
                let sender = engine.channel(id);
                match RestoreJournal::resume(view, engine.inner.store.clone(), sender).await {
                    Ok(mut journal) => {
                        let resumed = journal
                            .commit(None, "The console restarted; resuming the restore at its last safe point", |v| {
                                v.next_action = None;
                            })
                            .await;
                        if let Err(e) = resumed {
                            tracing::error!(restore_id = id, error = %e, "could not journal the resume");
                            continue;
                        }
                        engine.spawn(journal);
                    }
                    Err(e) => {
                        tracing::error!(restore_id = id, error = %e, "could not resume the restore")
                    }
                }
            }
        })
    }

    /// The admin confirms operator step `key` of restore `id`.
    pub async fn confirm(&self, id: i64, key: &str) -> Result<(), RestoreError> {
        let step =
            RestoreStepKey::parse(key).ok_or_else(|| RestoreError::UnknownStep(key.to_owned()))?;
        let view = self
            .inner
            .store
            .restore(id)
            .await?
            .ok_or(RestoreError::NotFound(id))?;
        let state = view.step(step).map(|s| s.state);
        let signals = locked(&self.inner.active)
            .as_ref()
            .filter(|a| a.id == id)
            .map(|a| a.signals.clone());
        let operator = step.kind() == crate::domain::StepKind::Operator;
        match (state, signals) {
            (Some(RestoreStepState::Waiting), Some(signals)) if operator => {
                signals.confirm(step);
                Ok(())
            }
            (state, _) => Err(RestoreError::NotWaiting {
                id,
                key: key.to_owned(),
                state: state
                    .map(|s| format!("{s:?}").to_lowercase())
                    .unwrap_or_else(|| "unknown".into()),
            }),
        }
    }

    /// Runs a failed restore again from its failed step (after the cause was fixed), or a
    /// restore that has not ended but whose task stopped (a journal write failed) from its
    /// last journaled point. Only the newest restore: an older failed one was superseded.
    pub async fn retry(&self, id: i64) -> Result<RestoreView, RestoreError> {
        let _starts = self.inner.backups.lock_starts().await;
        if self.inner.backups.shutting_down() {
            return Err(RestoreError::ShuttingDown);
        }
        let view = self
            .inner
            .store
            .restore(id)
            .await?
            .ok_or(RestoreError::NotFound(id))?;
        let lost = !view.state.is_terminal() && self.active() != Some(id);
        if lost {
            let sender = self.channel(id);
            let mut journal =
                RestoreJournal::resume(view, self.inner.store.clone(), sender).await?;
            journal
                .commit(
                    None,
                    "Retried by the admin: continuing from the last journaled point",
                    |v| v.next_action = None,
                )
                .await?;
            locked(&self.inner.stalled).remove(&id);
            let started = journal.view().clone();
            self.spawn(journal);
            tracing::warn!(restore_id = id, "stalled restore retried");
            return Ok(started);
        }
        if view.state != RestoreState::Failed {
            return Err(RestoreError::NotRetryable(id, view.state.as_str()));
        }
        if let Some(newer) = self
            .inner
            .store
            .newest_restore()
            .await?
            .filter(|n| n.restore_id != id)
        {
            return Err(RestoreError::Superseded(id, newer.restore_id));
        }
        if let Some(b) = self.busy().await? {
            return Err(RestoreError::Busy(b));
        }
        let sender = self.channel(id);
        let mut journal = RestoreJournal::resume(view, self.inner.store.clone(), sender).await?;
        journal
            .commit(
                None,
                "Retried by the admin: continuing from the failed step",
                |v| {
                    v.state = RestoreState::Running;
                    v.error = None;
                    v.finished_at = None;
                    v.next_action = None;
                    for s in &mut v.steps {
                        if s.state == RestoreStepState::Failed {
                            s.state = RestoreStepState::Pending;
                            s.error = None;
                            s.finished_at = None;
                        }
                    }
                },
            )
            .await?;
        let started = journal.view().clone();
        self.spawn(journal);
        tracing::warn!(restore_id = id, "restore retried");
        Ok(started)
    }

    /// Ends a restore whose task died (a panic): failed, with what was done and the retry.
    async fn fail_lost(&self, id: i64, why: String) {
        let result = async {
            let Some(view) = self.inner.store.restore(id).await? else {
                return Ok(());
            };
            if view.state.is_terminal() {
                return Ok(());
            }
            let next = format!(
                "{} indices are deleted and {} snapshots restored so far. Retry the restore (Retry on its page, or POST /api/v1/restores/{id}/retry): it continues from the step it was in.",
                view.progress.deleted.len(),
                view.progress.restored.len()
            );
            let mut journal =
                RestoreJournal::resume(view, self.inner.store.clone(), self.channel(id)).await?;
            let at = now();
            journal
                .commit(None, why.clone(), |v| {
                    v.state = RestoreState::Failed;
                    v.finished_at = Some(at.clone());
                    if let Some(s) = v.steps.iter_mut().find(|s| {
                        matches!(s.state, RestoreStepState::Running | RestoreStepState::Waiting)
                    }) {
                        s.state = RestoreStepState::Failed;
                        s.error = Some(why.clone());
                        s.finished_at = Some(at.clone());
                    }
                    v.error = Some(why.clone());
                    v.next_action = Some(next);
                })
                .await
        }
        .await;
        if let Err(e) = result {
            tracing::error!(restore_id = id, error = %e, "could not journal the end of a lost restore; it resumes at the next start");
        }
    }

    /// Cancels restore `id` — only before its first destructive step.
    pub async fn cancel(&self, id: i64) -> Result<(), RestoreError> {
        let view = self
            .inner
            .store
            .restore(id)
            .await?
            .ok_or(RestoreError::NotFound(id))?;
        if view.state.is_terminal() || view.destructive_started() {
            return Err(RestoreError::NotCancellable(id));
        }
        let active = locked(&self.inner.active);
        match active.as_ref().filter(|a| a.id == id) {
            Some(a) if a.signals.cancel() => Ok(()),
            _ => Err(RestoreError::NotCancellable(id)),
        }
    }

    /// Restore `id`, with words when it has not ended and no task of this console runs it.
    pub async fn get(&self, id: i64) -> Result<Option<RestoreView>, StoreError> {
        let mut view = self.inner.store.restore(id).await?;
        if let Some(v) = view.as_mut() {
            if !v.state.is_terminal() && self.active() != Some(id) {
                v.stalled = locked(&self.inner.stalled).get(&id).cloned();
            }
        }
        Ok(view)
    }

    pub async fn list(&self) -> Result<Vec<RestoreSummary>, StoreError> {
        self.inner.store.restores().await
    }

    /// What a stream starts with, plus a receiver for the live events while the restore runs
    /// (subscribed first, so nothing falls in between). A new stream (`last_seen` 0) starts
    /// with the whole restore as it is now, as one event with its latest sequence number; a
    /// resumed one with the first `page` of events after `last_seen` (the changes it missed).
    pub async fn subscribe(
        &self,
        id: i64,
        last_seen: u64,
        page: u32,
    ) -> Result<
        Option<(
            Vec<crate::store::Framed>,
            Option<broadcast::Receiver<crate::store::Framed>>,
        )>,
        StoreError,
    > {
        let Some(view) = self.inner.store.restore(id).await? else {
            return Ok(None);
        };
        let receiver = (!view.state.is_terminal()).then(|| self.channel(id).subscribe());
        if last_seen > 0 {
            let past = self
                .inner
                .store
                .restore_events_after(id, last_seen, page)
                .await?;
            return Ok(Some((past, receiver)));
        }
        let Some((view, seq)) = self.inner.store.restore_now(id).await? else {
            return Ok(None);
        };
        let first = RestoreEvent {
            seq,
            restore_id: id,
            at: now(),
            step: None,
            message: "The restore as it is now".into(),
            state: view.state,
            restore: Some(view),
            change: None,
        };
        let framed = crate::store::Framed::of(seq, first.state.is_terminal(), &first)?;
        Ok(Some((vec![framed], receiver)))
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Stops the running restore at its next safe point (it resumes at the next start), within
    /// `grace`.
    pub async fn shutdown(&self, grace: Duration) {
        let task = {
            let mut active = locked(&self.inner.active);
            active.as_mut().and_then(|a| {
                a.signals.shut_down();
                a.task.take()
            })
        };
        if let Some(task) = task {
            if tokio::time::timeout(grace, task).await.is_err() {
                tracing::error!("the restore did not reach a safe point within the grace period; it resumes from its last journaled point at the next start");
            }
        }
    }
}
