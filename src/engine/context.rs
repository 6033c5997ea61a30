//! What a running step needs: clients, cluster settings, time limits, the stop token, the
//! channel its progress words go through, and the step outcome type.

use super::cancel::{CancelReason, CancelToken};
use super::poll::{Cadence, PollEnd, Poller};
use crate::camunda::CamundaClients;
use crate::config::{ClusterSettings, Timeouts};
use crate::domain::{BackupId, StepKey};
use crate::profile::Profile;
use crate::store::StoreError;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Called at the start of every step; fault-injection tests use it to panic inside a run.
pub type StepHook = Arc<dyn Fn(StepKey) + Send + Sync>;

/// When the process must be gone (set on SIGTERM): the resume budget shrinks to fit.
pub type ShutdownDeadline = Arc<Mutex<Option<Instant>>>;

/// Shared by every step of one run.
#[derive(Clone)]
pub struct RunContext {
    pub id: BackupId,
    /// The version profile the run follows; `clients` speak its paths.
    pub profile: &'static Profile,
    pub clients: CamundaClients,
    pub cluster: ClusterSettings,
    pub timeouts: Timeouts,
    pub cancel: CancelToken,
    pub hook: Option<StepHook>,
    pub deadline: ShutdownDeadline,
    /// Earlier Zeebe backups' durations (ms, newest first), to pace the status polls.
    pub zeebe_history_ms: Vec<u64>,
    /// Earlier web-app backups' durations per wait step (ms: trigger answered → seen done).
    pub webapp_history_ms: std::collections::BTreeMap<crate::domain::StepKey, Vec<u64>>,
}

impl RunContext {
    pub fn cancelled(&self) -> Option<CancelReason> {
        self.cancel.reason()
    }

    /// Name of the zeebe-record snapshot of this backup (§2.3).
    pub fn records_snapshot(&self) -> String {
        format!("{}{}", self.profile.records_snapshot, self.id)
    }

    /// A poller for a wait limited to `limit`, with the run's error budget and stop token.
    pub fn poller(&self, cadence: Cadence, limit: Duration) -> Poller {
        Poller::new(
            cadence,
            limit,
            self.timeouts.unavailable_budget,
            self.cancel.clone(),
        )
    }

    /// How long resuming may be retried: the configured time, or less when the process must
    /// exit sooner (leaving a second for journaling the end).
    pub fn resume_budget(&self) -> Duration {
        let deadline = *self
            .deadline
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match deadline {
            Some(d) => d
                .saturating_duration_since(Instant::now())
                .saturating_sub(Duration::from_secs(1))
                .min(self.timeouts.resume_retry),
            None => self.timeouts.resume_retry,
        }
    }
}

/// Why a step did not complete.
#[derive(Debug, thiserror::Error)]
pub enum StepFailure {
    /// The step failed: what happened (naming the component) and what to do next.
    #[error("{message}")]
    Failed { message: String, next: String },
    /// The admin cancelled the run, or the console is shutting down.
    #[error("{}", .0.words())]
    Cancelled(CancelReason),
    /// The journal could not be written: the run stops before acting further.
    #[error("the run journal could not be written")]
    Journal(#[from] StoreError),
}

impl StepFailure {
    pub fn failed(message: impl Into<String>, next: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
            next: next.into(),
        }
    }

    /// A poll loop that ended without an answer, told in the words of `what` (e.g. "the
    /// Operate backup 17") with `next` as the advice.
    pub fn from_poll(end: PollEnd, what: &str, next: &str) -> Self {
        match end {
            PollEnd::Cancelled(reason) => Self::Cancelled(reason),
            PollEnd::TimedOut(limit) => Self::failed(
                format!("{what} did not finish within {} s.", limit.as_secs()),
                format!("Raise the matching [timeouts] value if it legitimately takes longer. {next}"),
            ),
            PollEnd::Unavailable { for_, last } => Self::failed(
                format!(
                    "Waiting for {what}: the component was unavailable for {} s (the error budget, timeouts.unavailable_budget_secs). Last error: {last}",
                    for_.as_secs()
                ),
                next,
            ),
        }
    }
}

/// What a completed step reports (its final detail words).
pub type StepResult = Result<Option<String>, StepFailure>;

/// Something a step tells the run while it works.
#[derive(Debug)]
pub enum Note {
    /// Progress words of a running step ("Operate: 4 of 6 snapshots").
    Detail(StepKey, String),
    /// Snapshots a web app said it would create (the restore list).
    Scheduled(Vec<String>),
    /// Something the admin must know although the run goes on.
    Warning(String),
    /// The pause mode chosen in pre-flight (true = soft).
    SoftPause(bool),
    /// The pause was refused before the cluster acted on it (credentials or permission):
    /// exporting was never paused by this run, so there is nothing to resume.
    PauseRefused,
}

/// The sending side of a run's notes; cheap to clone into concurrent waits.
#[derive(Clone, Debug)]
pub struct Notes(mpsc::UnboundedSender<Note>);

impl Notes {
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<Note>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self(tx), rx)
    }

    pub fn detail(&self, key: StepKey, words: impl Into<String>) {
        let _ = self.0.send(Note::Detail(key, words.into()));
    }

    pub fn send(&self, note: Note) {
        let _ = self.0.send(note);
    }
}
