//! Executes a restore step by step from its journal, so the same code starts a restore and
//! resumes one after a restart: every step and every index or snapshot in it is skipped when
//! the journal says it is done, and an interrupted snapshot restore is cleaned and redone.
//!
//! Operator steps wait until the console sees them done *and* the admin confirmed. Nothing is
//! deleted while a component answers. Snapshots are restored one at a time without
//! `wait_for_completion` (restores can take hours) and watched through `_cat/recovery`.

mod deletion;
mod in_cluster;
mod operator;
mod post;
mod snapshots;

pub use operator::Want;

use super::journal::RestoreJournal;
use super::signals::Signals;
use crate::camunda::CamundaClients;
use crate::config::ClusterSettings;
use crate::domain::{RestoreState, RestoreStepKey, RestoreStepState, RestoreView};
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
    /// Components not proven stopped nor answering, and since when (first look that saw it).
    pub unknown_since: std::collections::HashMap<String, String>,
    /// When each step's progress was last journaled (at most once a second per step).
    pub progress_at: std::collections::HashMap<RestoreStepKey, Instant>,
}

/// Progress (k of n recovered, partitions restored) is journaled at most this often per step:
/// a real Elasticsearch recovers a few shards at a time, so it changes on almost every look.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

impl Runner {
    /// One look at every component; unknown ones say since when.
    async fn look(&mut self) -> crate::restore::watch::Answering {
        crate::restore::watch::answering(&self.clients)
            .await
            .since(&mut self.unknown_since, &now())
    }

    fn view(&self) -> &RestoreView {
        self.journal.view()
    }

    /// A step's label in this restore's runbook.
    fn label(&self, key: RestoreStepKey) -> &'static str {
        key.label_in(self.in_cluster())
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
                let restart = if self.in_cluster() {
                    "Nothing was deleted or restored, and the cluster never left PROCESSING. Start Optimize again if you stopped it."
                } else {
                    "Nothing was deleted or restored. Start Zeebe, Operate, Tasklist and Optimize again if you stopped them."
                };
                self.journal
                    .commit(None, "Restore cancelled before anything was deleted", |v| {
                        v.state = RestoreState::Cancelled;
                        v.finished_at = Some(finished.clone());
                        for s in &mut v.steps {
                            if matches!(
                                s.state,
                                RestoreStepState::Pending
                                    | RestoreStepState::Waiting
                                    | RestoreStepState::Running
                            ) {
                                s.state = RestoreStepState::Skipped;
                            }
                        }
                        v.next_action = Some(restart.into());
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
                RestoreStepKey::StopApps if self.in_cluster() => {
                    self.operator(key, Want::OptimizeDown).await?
                }
                RestoreStepKey::StopApps => self.operator(key, Want::AllDown).await?,
                RestoreStepKey::EnterRecovery => self.enter_recovery().await?,
                RestoreStepKey::RestoreZeebeInCluster => self.restore_in_cluster().await?,
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
        let label = self.label(key);
        self.journal
            .commit(
                Some(key),
                format!(
                    "{}: {}",
                    label,
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

    /// Journals `words` as the step's progress, unless its last progress was journaled less
    /// than [`PROGRESS_EVERY`] ago (the step's end or the next look says the rest).
    async fn progress(&mut self, key: RestoreStepKey, words: String) -> Result<(), Halt> {
        if self
            .progress_at
            .get(&key)
            .is_some_and(|t| t.elapsed() < PROGRESS_EVERY)
        {
            return Ok(());
        }
        self.progress_at.insert(key, Instant::now());
        self.detail(key, words).await
    }

    async fn complete(&mut self, key: RestoreStepKey, words: String) -> Result<(), Halt> {
        let at = now();
        let label = self.label(key);
        self.journal
            .commit(Some(key), format!("{label}: done"), |v| {
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

    /// What the admin does after a failure: fix, then retry from the failed step.
    fn retry_words(&self, fix: &str) -> String {
        format!(
            "{} indices are deleted and {} snapshots restored so far. When {fix}, retry the restore (Retry on its page, or POST /api/v1/restores/{}/retry): it continues from the failed step.",
            self.view().progress.deleted.len(),
            self.view().progress.restored.len(),
            self.view().restore_id
        )
    }
}

/// Milliseconds from `a` to `b` (RFC 3339).
fn ms_between(a: &str, b: &str) -> Option<u64> {
    let a = chrono::DateTime::parse_from_rfc3339(a).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(b).ok()?;
    u64::try_from((b - a).num_milliseconds()).ok()
}
