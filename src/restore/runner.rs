//! Executes a restore step by step from its journal, so the same code starts a restore and
//! resumes one after a restart: every step and every index or snapshot in it is skipped when
//! the journal says it is done, and an interrupted snapshot restore is cleaned and redone.
//!
//! Operator steps wait until the console sees them done *and* the admin confirmed. Nothing is
//! deleted while a component answers. Snapshots are restored one at a time without
//! `wait_for_completion` (restores can take hours) and watched through `_cat/recovery`.

use super::journal::RestoreJournal;
use super::signals::Signals;
use super::watch::{answering, Answering};
use crate::camunda::{CamundaClients, Confirmation};
use crate::config::ClusterSettings;
use crate::domain::{
    Check, CheckState, RestoreState, RestoreStepKey, RestoreStepState, RestoreView, StepKind,
};
use crate::engine::now;
use crate::store::StoreError;
use std::time::{Duration, Instant};

/// Shown while destructive steps run.
const DESTRUCTIVE_NOTE: &str = "Indices are being deleted and restored: cancel is no longer possible. If the console stops, it resumes here when it starts again; if a step fails, it says what was done: fix the cause and retry.";

/// Why the step loop stopped before the end.
#[derive(Debug, thiserror::Error)]
pub enum Halt {
    #[error("cancelled by the admin")]
    Cancelled,
    #[error("the console is shutting down")]
    Shutdown,
    #[error("{error}")]
    Failed { error: String, next: String },
    #[error("the restore journal failed")]
    Journal(#[from] StoreError),
}

fn failed(error: impl Into<String>, next: impl Into<String>) -> Halt {
    Halt::Failed {
        error: error.into(),
        next: next.into(),
    }
}

/// Timing of the waits (shorter in tests).
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// How often the console looks at the cluster while it waits.
    pub poll: Duration,
    /// How long the post-restore checks may take to pass (apps take a while to start).
    pub post_checks: Duration,
    /// Transient Elasticsearch errors are retried this long.
    pub unavailable_budget: Duration,
}

/// One restore being executed.
pub struct Runner {
    pub journal: RestoreJournal,
    pub clients: CamundaClients,
    pub cluster: ClusterSettings,
    pub signals: std::sync::Arc<Signals>,
    pub pace: Pace,
    /// When every component was last seen stopped (deletes and restores look again after 1 s).
    pub all_down_at: Option<Instant>,
}

impl Runner {
    fn view(&self) -> &RestoreView {
        self.journal.view()
    }

    fn repo(&self) -> &str {
        &self.cluster.snapshot_repository
    }

    /// Stops at a safe point when asked to.
    fn halted(&self, cancellable: bool) -> Option<Halt> {
        if self.signals.shutting_down() {
            return Some(Halt::Shutdown);
        }
        (cancellable && self.signals.cancelled()).then_some(Halt::Cancelled)
    }

    async fn sleep(&self) {
        self.signals.sleep(self.pace.poll).await;
    }

    /// Runs every step not done yet, then ends the restore truthfully.
    #[tracing::instrument(skip_all, fields(restore_id = self.view().restore_id, backup_id = %self.view().backup_id))]
    pub async fn run(mut self) -> Result<RestoreView, StoreError> {
        let result = self.steps().await;
        let finished = now();
        match result {
            Ok(()) => {
                let rto = ms_between(&self.view().started_at, &finished);
                self.journal
                    .commit(None, "Restore completed", |v| {
                        v.state = RestoreState::Completed;
                        v.finished_at = Some(finished.clone());
                        v.rto_ms = rto;
                        v.next_action = None;
                    })
                    .await?;
            }
            Err(Halt::Shutdown) => {
                // Left as it is: the next start resumes it at this safe point.
                self.journal
                    .commit(None, "The console is shutting down; the restore resumes here when it starts again", |v| {
                        v.next_action = Some("The console stopped during the restore; it resumes the restore at the same point when it starts again".into());
                    })
                    .await?;
            }
            Err(Halt::Cancelled) => {
                self.journal
                    .commit(None, "Restore cancelled before anything was deleted", |v| {
                        v.state = RestoreState::Cancelled;
                        v.finished_at = Some(finished.clone());
                        for s in &mut v.steps {
                            if matches!(s.state, RestoreStepState::Pending | RestoreStepState::Waiting | RestoreStepState::Running) {
                                s.state = RestoreStepState::Skipped;
                            }
                        }
                        v.next_action = Some("Nothing was deleted or restored. Start Zeebe, Operate, Tasklist and Optimize again if you stopped them.".into());
                    })
                    .await?;
            }
            Err(Halt::Failed { error, next }) => {
                self.journal
                    .commit(None, error.clone(), |v| {
                        v.state = RestoreState::Failed;
                        v.finished_at = Some(finished.clone());
                        if let Some(s) = v.steps.iter_mut().find(|s| {
                            matches!(
                                s.state,
                                RestoreStepState::Running | RestoreStepState::Waiting
                            )
                        }) {
                            s.state = RestoreStepState::Failed;
                            s.finished_at = Some(finished.clone());
                            s.error = Some(error.clone());
                        }
                        v.error = Some(error.clone());
                        v.next_action = Some(next.clone());
                    })
                    .await?;
            }
            Err(Halt::Journal(e)) => return Err(e),
        }
        Ok(self.journal.view().clone())
    }

    async fn steps(&mut self) -> Result<(), Halt> {
        if self.view().destructive_started() && !self.signals.enter_destructive() {
            return Err(Halt::Cancelled);
        }
        for key in RestoreStepKey::ALL {
            let state = self.view().step(key).map(|s| s.state);
            if matches!(
                state,
                Some(RestoreStepState::Completed | RestoreStepState::Skipped) | None
            ) {
                continue;
            }
            match key {
                RestoreStepKey::StopApps => self.operator(key, Want::AllDown).await?,
                RestoreStepKey::DeleteIndices => self.delete_indices().await?,
                RestoreStepKey::RestoreWebapps => self.restore_snapshots(key, false).await?,
                RestoreStepKey::RestoreRecords => self.restore_snapshots(key, true).await?,
                RestoreStepKey::RestoreZeebe => self.operator(key, Want::ZeebeDown).await?,
                RestoreStepKey::StartApps => self.operator(key, Want::AllUp).await?,
                RestoreStepKey::PostChecks => self.post_checks().await?,
            }
        }
        Ok(())
    }

    async fn begin(&mut self, key: RestoreStepKey, state: RestoreStepState) -> Result<(), Halt> {
        let run_state = if state == RestoreStepState::Waiting {
            RestoreState::Waiting
        } else {
            RestoreState::Running
        };
        let already =
            self.view().step(key).map(|s| s.state) == Some(state) && self.view().state == run_state;
        if already {
            return Ok(());
        }
        let at = now();
        self.journal
            .commit(
                Some(key),
                format!(
                    "{}: {}",
                    key.label(),
                    if state == RestoreStepState::Waiting {
                        "waiting for the operator"
                    } else {
                        "started"
                    }
                ),
                |v| {
                    v.state = run_state;
                    if let Some(s) = v.step_mut(key) {
                        s.state = state;
                        s.started_at.get_or_insert(at);
                    }
                },
            )
            .await?;
        Ok(())
    }

    async fn detail(&mut self, key: RestoreStepKey, words: String) -> Result<(), Halt> {
        if self.view().step(key).and_then(|s| s.detail.as_deref()) == Some(words.as_str()) {
            return Ok(());
        }
        self.journal
            .commit(Some(key), words.clone(), |v| {
                if let Some(s) = v.step_mut(key) {
                    s.detail = Some(words);
                }
            })
            .await?;
        Ok(())
    }

    async fn complete(&mut self, key: RestoreStepKey, words: String) -> Result<(), Halt> {
        let at = now();
        self.journal
            .commit(Some(key), format!("{}: done", key.label()), |v| {
                v.state = RestoreState::Running;
                if let Some(s) = v.step_mut(key) {
                    s.state = RestoreStepState::Completed;
                    s.finished_at = Some(at);
                    s.detail = Some(words);
                }
            })
            .await?;
        Ok(())
    }

    /// An operator step: waits until the console sees `want` and the admin confirmed.
    async fn operator(&mut self, key: RestoreStepKey, want: Want) -> Result<(), Halt> {
        self.begin(key, RestoreStepState::Waiting).await?;
        let cancellable = !self.view().destructive_started();
        loop {
            if let Some(h) = self.halted(cancellable) {
                return Err(h);
            }
            if self.signals.take_confirm(key)
                && self
                    .view()
                    .step(key)
                    .and_then(|s| s.confirmed_at.as_ref())
                    .is_none()
            {
                let at = now();
                self.journal
                    .commit(
                        Some(key),
                        format!("{}: confirmed by the admin", key.label()),
                        |v| {
                            if let Some(s) = v.step_mut(key) {
                                s.confirmed_at = Some(at);
                            }
                        },
                    )
                    .await?;
            }
            let seen = answering(&self.clients).await;
            let (ok, words) = want.judge(&seen, key, self.view().backup_id.get());
            let confirmed = self
                .view()
                .step(key)
                .and_then(|s| s.confirmed_at.as_ref())
                .is_some();
            if ok && confirmed {
                if key == RestoreStepKey::StartApps {
                    let stopped = self
                        .view()
                        .step(RestoreStepKey::StopApps)
                        .and_then(|s| s.finished_at.clone());
                    let downtime = stopped.and_then(|s| ms_between(&s, &now()));
                    self.journal
                        .commit(Some(key), "Every component answers again", |v| {
                            v.downtime_ms = downtime
                        })
                        .await?;
                }
                return self.complete(key, words).await;
            }
            let waiting = if confirmed {
                format!("Confirmed; {words}")
            } else if ok {
                format!("{words} Confirm when you are done.")
            } else {
                words
            };
            self.detail(key, waiting).await?;
            self.sleep().await;
        }
    }

    /// Deletes every planned index (and any component index that appeared since), one by one,
    /// never while a component answers.
    async fn delete_indices(&mut self) -> Result<(), Halt> {
        let key = RestoreStepKey::DeleteIndices;
        // Cancel and the first deletion exclude each other.
        if !self.signals.enter_destructive() {
            return Err(Halt::Cancelled);
        }
        self.begin(key, RestoreStepState::Running).await?;
        if self.view().next_action.is_none() {
            self.journal
                .commit(
                    Some(key),
                    "Destructive steps begin: cancel is no longer possible",
                    |v| {
                        v.next_action = Some(DESTRUCTIVE_NOTE.into());
                    },
                )
                .await?;
        }
        let planned = self.view().delete_indices.clone();
        let total = planned.len();
        for (n, index) in planned.iter().enumerate() {
            if self.view().progress.deleted.contains(index) {
                continue;
            }
            self.delete_journaled(key, index, format!("{} of {total}", n + 1))
                .await?;
        }
        // Component indices that appeared meanwhile (an app started during the step) go too;
        // a restore over them would fail.
        let mut extra = 0;
        for _sweep in 0..5 {
            let left = self.component_indices().await?;
            if left.is_empty() {
                break;
            }
            for index in left {
                extra += 1;
                self.delete_journaled(key, &index, "created after the plan".into())
                    .await?;
            }
        }
        let more = if extra > 0 {
            format!(" (and {extra} that appeared meanwhile)")
        } else {
            String::new()
        };
        self.complete(
            key,
            format!("{total} indices deleted, one by one{more}; index templates kept"),
        )
        .await
    }

    /// The component indices that exist now.
    async fn component_indices(&self) -> Result<Vec<String>, Halt> {
        let prefixes = super::plan::IndexPrefixes::legacy(
            &self.cluster.zeebe_record_prefix,
            self.clients.optimize.is_some(),
        );
        match self.clients.elasticsearch.indices().await {
            Ok(all) => Ok(all.into_iter().filter(|i| prefixes.owns(i)).collect()),
            Err(e) => Err(failed(
                format!("Could not list the indices: {e}"),
                self.retry_words("Elasticsearch answers again"),
            )),
        }
    }

    /// Deletes one index once every component is seen stopped, and journals it.
    async fn delete_journaled(
        &mut self,
        key: RestoreStepKey,
        index: &str,
        position: String,
    ) -> Result<(), Halt> {
        self.ensure_all_down(key).await?;
        if let Some(h) = self.halted(false) {
            return Err(h);
        }
        self.delete_one(key, index).await?;
        let index = index.to_owned();
        let total = self.view().delete_indices.len();
        self.journal
            .commit(
                Some(key),
                format!("Deleted index {index} ({position})"),
                |v| {
                    if !v.progress.deleted.contains(&index) {
                        v.progress.deleted.push(index);
                    }
                    let done = v.progress.deleted.len();
                    if let Some(s) = v.step_mut(key) {
                        s.detail = Some(format!("{done} of {total} indices deleted"));
                    }
                },
            )
            .await?;
        Ok(())
    }

    /// What the admin does after a failure: fix, then retry from the failed step.
    fn retry_words(&self, fix: &str) -> String {
        format!(
            "{} indices are deleted and {} snapshots restored so far. When {fix}, retry the restore (Retry on its page, or POST /api/v1/restores/{}/retry): it continues from the failed step.",
            self.view().progress.deleted.len(),
            self.view().progress.restored.len(),
            self.view().restore_id
        )
    }

    /// [`Self::until_all_down`], looking again only when the last look is older than a second.
    async fn ensure_all_down(&mut self, key: RestoreStepKey) -> Result<(), Halt> {
        if self
            .all_down_at
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return Ok(());
        }
        self.until_all_down(key).await?;
        self.all_down_at = Some(Instant::now());
        Ok(())
    }

    /// Waits while any component answers: nothing is deleted or restored then.
    async fn until_all_down(&mut self, key: RestoreStepKey) -> Result<(), Halt> {
        let mut paused = false;
        loop {
            let seen = answering(&self.clients).await;
            let up = seen.up();
            if up.is_empty() {
                if paused {
                    self.journal
                        .commit(Some(key), "Every component is stopped again", |v| {
                            v.state = RestoreState::Running;
                            if let Some(s) = v.step_mut(key) {
                                s.state = RestoreStepState::Running;
                            }
                        })
                        .await?;
                }
                return Ok(());
            }
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            let words = format!("Paused: {} answer(s) again. Nothing is deleted or restored while a component runs: stop it; the restore continues by itself.", up.join(", "));
            let same = self.view().state == RestoreState::Waiting
                && self.view().step(key).and_then(|s| s.detail.as_deref()) == Some(words.as_str());
            if !same {
                self.journal
                    .commit(Some(key), words.clone(), |v| {
                        v.state = RestoreState::Waiting;
                        if let Some(s) = v.step_mut(key) {
                            s.state = RestoreStepState::Waiting;
                            s.detail = Some(words);
                        }
                    })
                    .await?;
            }
            paused = true;
            self.sleep().await;
        }
    }

    async fn delete_one(&mut self, key: RestoreStepKey, index: &str) -> Result<(), Halt> {
        let started = Instant::now();
        loop {
            match self.clients.elasticsearch.delete_index(index).await {
                Ok(()) => return Ok(()),
                Err(e)
                    if e.status() == Some(404)
                        && e.component_message()
                            .is_some_and(|m| m.contains("index_not_found")) =>
                {
                    return Ok(())
                }
                Err(e) if e.is_retryable() && started.elapsed() < self.pace.unavailable_budget => {
                    self.detail(
                        key,
                        format!("Elasticsearch did not delete {index} ({e}); retrying"),
                    )
                    .await?;
                    self.sleep().await;
                }
                Err(e) => {
                    return Err(failed(
                        format!("Deleting index {index} failed: {e}"),
                        self.retry_words("Elasticsearch deletes indices again"),
                    ));
                }
            }
        }
    }

    /// Restores the step's snapshots one at a time.
    async fn restore_snapshots(&mut self, key: RestoreStepKey, records: bool) -> Result<(), Halt> {
        self.begin(key, RestoreStepState::Running).await?;
        let names: Vec<String> = self
            .view()
            .restore_snapshots
            .iter()
            .filter(|n| n.contains("_zeebe_records_") == records)
            .cloned()
            .collect();
        let total = names.len();
        for (n, name) in names.iter().enumerate() {
            if self.view().progress.restored.contains(name) {
                continue;
            }
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            let indices = self
                .view()
                .snapshot_indices
                .get(name)
                .cloned()
                .unwrap_or_default();
            if self.view().progress.restoring.as_deref() == Some(name.as_str()) {
                // Interrupted: done if every index recovered, else cleaned and restored again.
                let complete = match self.recovered(&indices).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(snapshot = %name, error = %e, "could not read an interrupted restore's recovery; restoring it again");
                        false
                    }
                };
                if complete {
                    self.restored(key, name, n, total).await?;
                    continue;
                }
                for index in &indices {
                    self.ensure_all_down(key).await?;
                    self.delete_one(key, index).await?;
                }
                self.detail(key, format!("{name} was interrupted: its partial indices were deleted; restoring it again")).await?;
            }
            let label = format!("{name} ({} of {total})", n + 1);
            let snapshot = name.clone();
            self.journal
                .commit(Some(key), format!("Restoring {label}"), |v| {
                    v.progress.restoring = Some(snapshot);
                    if let Some(s) = v.step_mut(key) {
                        s.detail = Some(format!("Restoring {label}"));
                    }
                })
                .await?;
            self.ensure_all_down(key).await?;
            // An index of this snapshot that exists again (an app started meanwhile) would make
            // the restore fail: it goes first.
            if let Ok(existing) = self.clients.elasticsearch.indices().await {
                for index in indices.iter().filter(|i| existing.contains(i)) {
                    self.delete_one(key, index).await?;
                }
            }
            if let Err(e) = self
                .clients
                .elasticsearch
                .start_restore(self.repo(), name)
                .await
            {
                return Err(failed(
                    format!("Elasticsearch refused to restore {name}: {e}"),
                    self.retry_words(
                        "the cause is fixed (an index that exists again: stop what creates it)",
                    ),
                ));
            }
            self.watch_recovery(key, name, &indices, &label).await?;
            self.restored(key, name, n, total).await?;
        }
        self.complete(key, format!("{total} snapshots restored"))
            .await
    }

    async fn restored(
        &mut self,
        key: RestoreStepKey,
        name: &str,
        n: usize,
        total: usize,
    ) -> Result<(), Halt> {
        let snapshot = name.to_owned();
        self.journal
            .commit(
                Some(key),
                format!("Restored {name} ({} of {total})", n + 1),
                |v| {
                    v.progress.restoring = None;
                    v.progress.restored.push(snapshot);
                },
            )
            .await?;
        Ok(())
    }

    /// Whether every index of `indices` finished its recovery from the snapshot and no primary
    /// is left to allocate.
    async fn recovered(&self, indices: &[String]) -> Result<bool, crate::camunda::ClientError> {
        if indices.is_empty() {
            return Ok(true);
        }
        let rows = self.clients.elasticsearch.recovery(indices).await?;
        let health = self.clients.elasticsearch.index_health(indices).await?;
        Ok(health.settled() && all_done(indices, &rows) == indices.len())
    }

    async fn watch_recovery(
        &mut self,
        key: RestoreStepKey,
        name: &str,
        indices: &[String],
        label: &str,
    ) -> Result<(), Halt> {
        let mut failing_since: Option<Instant> = None;
        let mut red_polls = 0u32;
        loop {
            let read = async {
                let rows = self.clients.elasticsearch.recovery(indices).await?;
                let health = self.clients.elasticsearch.index_health(indices).await?;
                Ok::<_, crate::camunda::ClientError>((rows, health))
            };
            match read.await {
                Ok((rows, health)) => {
                    failing_since = None;
                    let done = all_done(indices, &rows);
                    // Done when every shard recovery is done and no primary is left to allocate
                    // (replicas may stay unassigned on a small cluster: yellow).
                    if done == indices.len() && health.settled() {
                        return Ok(());
                    }
                    red_polls = if health.status == "red" && health.initializing_shards == 0 {
                        red_polls + 1
                    } else {
                        0
                    };
                    if red_polls >= 30 {
                        return Err(failed(
                            format!("The restore of {name} stalled: its indices are red and nothing is being recovered ({done} of {} indices recovered)", indices.len()),
                            self.retry_words("Elasticsearch can allocate the indices again (GET _cluster/allocation/explain says why not)"),
                        ));
                    }
                    let percent = average_percent(&rows);
                    self.detail(
                        key,
                        format!(
                            "Restoring {label}: {done} of {} indices recovered{percent}",
                            indices.len()
                        ),
                    )
                    .await?;
                }
                Err(e) => {
                    let since = *failing_since.get_or_insert_with(Instant::now);
                    if !e.is_retryable() || since.elapsed() > self.pace.unavailable_budget {
                        return Err(failed(
                            format!("Could not watch the restore of {name}: {e}"),
                            self.retry_words("Elasticsearch answers again (the retry checks this snapshot's indices and restores it again if it did not finish)"),
                        ));
                    }
                }
            }
            // Restores can take hours: the console waits as long as Elasticsearch progresses.
            if let Some(Halt::Shutdown) = self.halted(false) {
                return Err(Halt::Shutdown);
            }
            self.sleep().await;
        }
    }

    /// Components answer, exporting runs, Zeebe lists the backup, the restored indices exist.
    async fn post_checks(&mut self) -> Result<(), Halt> {
        let key = RestoreStepKey::PostChecks;
        self.begin(key, RestoreStepState::Running).await?;
        let started = Instant::now();
        loop {
            let checks = self.checks_now().await;
            let passed = checks.iter().all(|c| c.state != CheckState::Fail);
            let words = checks
                .iter()
                .filter(|c| c.state == CheckState::Fail)
                .map(|c| c.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            if checks != self.view().post_checks {
                self.journal
                    .commit(Some(key), "Post-restore checks", |v| {
                        v.post_checks = checks.clone()
                    })
                    .await?;
            }
            if passed {
                return self
                    .complete(key, "Every post-restore check passed".into())
                    .await;
            }
            if started.elapsed() > self.pace.post_checks {
                return Err(failed(
                    format!("Post-restore checks failed: {words}"),
                    "The data is restored. Look at the failed checks: start what does not answer; if exporting is paused, resume it (POST /actuator/exporting/resume); then retry the restore: it runs only the post-restore checks again.",
                ));
            }
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            self.sleep().await;
        }
    }

    async fn checks_now(&self) -> Vec<Check> {
        let id = self.view().backup_id.get();
        let seen = answering(&self.clients).await;
        let mut out = Vec::new();
        let down = seen.down();
        out.push(if down.is_empty() {
            Check::new("answering", CheckState::Pass, "Every component answers")
        } else {
            Check::new(
                "answering",
                CheckState::Fail,
                format!("Not answering: {}", down.join(", ")),
            )
        });
        let exporting = crate::camunda::ExportingView::read(&self.clients.zeebe).await;
        out.push(match exporting.confirm(&["EXPORTING"], None) {
            Confirmation::Confirmed => Check::new(
                "exporting",
                CheckState::Pass,
                "Exporting is EXPORTING on every partition",
            ),
            Confirmation::Differs(w) | Confirmation::Unconfirmed(w) => Check::new(
                "exporting",
                CheckState::Fail,
                format!("Exporting is not confirmed EXPORTING: {w}"),
            ),
        });
        out.push(match self.clients.zeebe.backup(id).await {
            Ok(Some(_)) => Check::new(
                "zeebe_backup",
                CheckState::Pass,
                format!("Zeebe lists backup {id}"),
            ),
            Ok(None) => Check::new(
                "zeebe_backup",
                CheckState::Fail,
                format!("Zeebe does not list backup {id}"),
            ),
            Err(e) => Check::new(
                "zeebe_backup",
                CheckState::Fail,
                format!("Could not read Zeebe's backup {id}: {e}"),
            ),
        });
        let wanted: Vec<&String> = self.view().snapshot_indices.values().flatten().collect();
        out.push(match self.clients.elasticsearch.indices().await {
            Ok(have) => {
                let missing: Vec<&str> = wanted
                    .iter()
                    .filter(|i| !have.contains(i))
                    .map(|i| i.as_str())
                    .collect();
                if missing.is_empty() {
                    Check::new(
                        "indices",
                        CheckState::Pass,
                        format!("All {} restored indices exist", wanted.len()),
                    )
                } else {
                    Check::new(
                        "indices",
                        CheckState::Fail,
                        format!("Restored indices missing: {}", missing.join(", ")),
                    )
                }
            }
            Err(e) => Check::new(
                "indices",
                CheckState::Fail,
                format!("Could not list the indices: {e}"),
            ),
        });
        out
    }
}

/// What an operator step waits to see.
#[derive(Clone, Copy, Debug)]
pub enum Want {
    /// No component answers.
    AllDown,
    /// No Zeebe node answers as a broker (the restore application runs instead).
    ZeebeDown,
    /// Every component answers.
    AllUp,
}

impl Want {
    fn judge(self, seen: &Answering, key: RestoreStepKey, backup_id: i64) -> (bool, String) {
        debug_assert_eq!(key.kind(), StepKind::Operator);
        match self {
            Self::AllDown => {
                let up = seen.up();
                if up.is_empty() {
                    (true, "No component answers.".into())
                } else {
                    (false, format!("Still answering: {}.", up.join(", ")))
                }
            }
            Self::ZeebeDown => {
                let up = seen.zeebe_up();
                if up.is_empty() {
                    (
                        true,
                        format!(
                            "Zeebe stays stopped. Look for \"{}\" in every broker's log.",
                            super::runbook::success_line(backup_id)
                        ),
                    )
                } else {
                    (false, format!("{} answer(s): the brokers must run the restore application, not the broker. Stop them, restore, then confirm.", up.join(", ")))
                }
            }
            Self::AllUp => {
                let down = seen.down();
                if down.is_empty() {
                    (true, "Every component answers.".into())
                } else {
                    (false, format!("Not answering yet: {}.", down.join(", ")))
                }
            }
        }
    }
}

fn average_percent(rows: &[crate::camunda::types::RecoveryRow]) -> String {
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            r.bytes_percent
                .as_deref()?
                .trim_end_matches('%')
                .parse::<f64>()
                .ok()
        })
        .collect();
    if values.is_empty() {
        String::new()
    } else {
        format!(
            ", {:.0} % of the bytes",
            values.iter().sum::<f64>() / values.len() as f64
        )
    }
}

/// How many of `indices` have every shard recovery `done`.
fn all_done(indices: &[String], rows: &[crate::camunda::types::RecoveryRow]) -> usize {
    indices
        .iter()
        .filter(|i| {
            let mine: Vec<_> = rows.iter().filter(|r| &r.index == *i).collect();
            !mine.is_empty() && mine.iter().all(|r| r.stage.eq_ignore_ascii_case("done"))
        })
        .count()
}

/// Milliseconds from `a` to `b` (RFC 3339).
fn ms_between(a: &str, b: &str) -> Option<u64> {
    let a = chrono::DateTime::parse_from_rfc3339(a).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(b).ok()?;
    u64::try_from((b - a).num_milliseconds()).ok()
}
