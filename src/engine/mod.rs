//! The backup engine: starts one run at a time, executes its plan in a background task,
//! journals every transition before acting, streams events to subscribers, recovers runs left
//! unfinished by a console restart, and watches for exporting paused outside any run.

mod context;
mod exporting;
mod ids;
mod journal;
pub mod poll;
mod preflight;
mod records;
mod recovery;
mod runner;
mod watchdog;
mod webapps;
mod zeebe;

pub use context::StepFailure;
pub use ids::{next_id, IdError};
pub use watchdog::spawn_watchdog;

use crate::camunda::CamundaClients;
use crate::config::{ClusterSettings, Timeouts};
use crate::domain::{backup_plan, BackupId, RunEvent, RunState, RunView, StartBackupRequest};
use crate::store::{Store, StoreError};
use context::RunContext;
use journal::RunJournal;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// Why a backup could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("backup {0} is running; wait for it to end or cancel it")]
    Busy(BackupId),
    #[error("the console is recovering run {0} left unfinished by a restart (resuming exporting if needed); try again in a moment")]
    Recovering(BackupId),
    #[error("backup id {given} is not allowed: it must be a positive integer greater than the latest backup id {latest}")]
    InvalidId { given: i64, latest: i64 },
    #[error("cannot determine the latest backup id")]
    LatestUnknown(#[source] IdError),
    #[error("the run journal failed")]
    Store(#[from] StoreError),
}

/// Why a run could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("no backup run with id {0}")]
    NotFound(BackupId),
    #[error("backup run {0} already ended ({1})")]
    NotRunning(BackupId, &'static str),
    #[error("the run journal failed")]
    Store(#[from] StoreError),
}

#[derive(Clone)]
enum ActiveKind {
    Backup,
    Recovery,
}

#[derive(Clone)]
struct Active {
    id: BackupId,
    kind: ActiveKind,
    cancel: Arc<AtomicBool>,
}

struct Inner {
    store: Store,
    clients: CamundaClients,
    cluster: ClusterSettings,
    timeouts: Timeouts,
    start_lock: tokio::sync::Mutex<()>,
    active: Mutex<Option<Active>>,
    channels: Mutex<HashMap<BackupId, broadcast::Sender<RunEvent>>>,
    alert: Mutex<Option<String>>,
    /// Set once start-up recovery finished; the watchdog waits for it.
    recovered: AtomicBool,
}

/// Locks a mutex that is only held for short, panic-free sections; a poisoned lock is still
/// consistent, so it is taken over rather than propagated.
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Handle to the engine; cheap to clone.
#[derive(Clone)]
pub struct BackupEngine {
    inner: Arc<Inner>,
}

impl BackupEngine {
    pub fn new(
        store: Store,
        clients: CamundaClients,
        cluster: ClusterSettings,
        timeouts: Timeouts,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clients,
                cluster,
                timeouts,
                start_lock: tokio::sync::Mutex::new(()),
                active: Mutex::new(None),
                channels: Mutex::new(HashMap::new()),
                alert: Mutex::new(None),
                recovered: AtomicBool::new(false),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The plan a backup would follow now.
    pub fn plan(&self) -> Vec<crate::domain::StepKey> {
        backup_plan(self.inner.clients.optimize.is_some())
    }

    /// The run currently executing, if any.
    pub fn active_run(&self) -> Option<BackupId> {
        self.active().map(|a| a.id)
    }

    fn active(&self) -> Option<Active> {
        locked(&self.inner.active).clone()
    }

    fn set_active(&self, active: Option<Active>) {
        *locked(&self.inner.active) = active;
    }

    fn channel(&self, id: BackupId) -> broadcast::Sender<RunEvent> {
        let mut channels = locked(&self.inner.channels);
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(1024).0)
            .clone()
    }

    fn context(&self, id: BackupId, cancel: Arc<AtomicBool>) -> RunContext {
        RunContext {
            id,
            clients: self.inner.clients.clone(),
            cluster: self.inner.cluster.clone(),
            timeouts: self.inner.timeouts,
            cancel,
        }
    }

    /// Starts a backup run; returns its id once the run is journaled. Only one run at a time:
    /// concurrent calls are serialized and all but one get [`StartError::Busy`].
    #[tracing::instrument(skip_all, fields(requested = ?request.backup_id))]
    pub async fn start_backup(&self, request: StartBackupRequest) -> Result<BackupId, StartError> {
        let _serialized = self.inner.start_lock.lock().await;
        if let Some(active) = self.active() {
            return Err(match active.kind {
                ActiveKind::Backup => StartError::Busy(active.id),
                ActiveKind::Recovery => StartError::Recovering(active.id),
            });
        }
        if let Some(run) = self.inner.store.unfinished().await?.first() {
            return Err(StartError::Recovering(run.backup_id));
        }
        let latest = ids::latest_known(
            &self.inner.store,
            &self.inner.clients,
            &self.inner.cluster.snapshot_repository,
        )
        .await
        .map_err(StartError::LatestUnknown)?;
        let id = match request.backup_id {
            Some(given) => match BackupId::new(given) {
                Some(id) if given > latest => id,
                _ => return Err(StartError::InvalidId { given, latest }),
            },
            None => {
                let next = ids::next_id(latest, chrono::Utc::now().timestamp());
                BackupId::new(next).ok_or(StartError::InvalidId {
                    given: next,
                    latest,
                })?
            }
        };
        let run = RunView::new(
            id,
            &self.plan(),
            self.inner.cluster.soft_pause,
            journal::now(),
        );
        let journal = RunJournal::create(run, self.inner.store.clone(), self.channel(id)).await?;
        let cancel = Arc::new(AtomicBool::new(false));
        self.set_active(Some(Active {
            id,
            kind: ActiveKind::Backup,
            cancel: cancel.clone(),
        }));
        let ctx = self.context(id, cancel);
        let engine = self.clone();
        tokio::spawn(async move {
            runner::execute(ctx, journal).await;
            engine.set_active(None);
        });
        tracing::info!(backup_id = %id, "backup run started");
        Ok(id)
    }

    /// Asks a running run to stop at the next step boundary (or poll).
    pub async fn cancel(&self, id: BackupId) -> Result<(), CancelError> {
        let run = self
            .inner
            .store
            .run(id)
            .await?
            .ok_or(CancelError::NotFound(id))?;
        match self.active() {
            Some(a) if a.id == id && matches!(a.kind, ActiveKind::Backup) => {
                a.cancel.store(true, Ordering::SeqCst);
                tracing::info!(backup_id = %id, "cancel requested");
                Ok(())
            }
            _ => Err(CancelError::NotRunning(id, run.state.as_str())),
        }
    }

    pub async fn run(&self, id: BackupId) -> Result<Option<RunView>, StoreError> {
        self.inner.store.run(id).await
    }

    pub async fn runs(&self) -> Result<Vec<RunView>, StoreError> {
        self.inner.store.runs().await
    }

    /// Events after `last_seen` from the journal, plus a receiver for the live ones (subscribed
    /// before the journal is read, so nothing falls between the two). `None` receiver when the
    /// run already ended.
    pub async fn subscribe(
        &self,
        id: BackupId,
        last_seen: u64,
    ) -> Result<Option<(Vec<RunEvent>, Option<broadcast::Receiver<RunEvent>>)>, StoreError> {
        let Some(run) = self.inner.store.run(id).await? else {
            return Ok(None);
        };
        let receiver = (run.state == RunState::Running).then(|| self.channel(id).subscribe());
        let past = self.inner.store.events_after(id, last_seen).await?;
        Ok(Some((past, receiver)))
    }

    /// The watchdog's current alert, if exporting is paused outside any run.
    pub fn alert(&self) -> Option<String> {
        locked(&self.inner.alert).clone()
    }

    fn set_alert(&self, alert: Option<String>) {
        *locked(&self.inner.alert) = alert;
    }

    /// Finishes runs a previous console process left running; see [`recovery`].
    pub fn spawn_recovery(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move { recovery::recover(&engine).await })
    }
}
