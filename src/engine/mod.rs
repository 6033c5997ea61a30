//! The backup engine: starts one run at a time, executes its plan in a background task,
//! journals every transition before acting, streams events to subscribers, recovers runs left
//! unfinished by a console restart, and watches for exporting paused outside any run.

mod cancel;
mod context;
mod exporting;
mod ids;
mod journal;
mod pause_mode;
pub mod poll;
mod preflight;
mod records;
mod recovery;
mod runner;
mod watchdog;
mod webapps;
mod zeebe;

pub use cancel::{CancelReason, CancelToken};
pub use context::{StepFailure, StepHook};
pub use ids::{next_id, IdError};
pub use journal::now;
pub use pause_mode::{decide as decide_pause_mode, PauseMode};
pub use watchdog::{spawn_observer, spawn_watchdog, WatchdogSettings};

use crate::camunda::CamundaClients;
use crate::config::{ClusterSettings, Timeouts};
use crate::domain::{BackupId, ProfileId, RunState, RunView, StartBackupRequest, StepKey};
use crate::store::{Store, StoreError};
use context::{RunContext, ShutdownDeadline};
use journal::RunJournal;
use recovery::Cause;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Why a backup could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("backup {0} is running; wait for it to end or cancel it")]
    Busy(BackupId),
    #[error("the console is recovering run {0}, whose task was lost (resuming exporting if needed); try again in a moment")]
    Recovering(BackupId),
    #[error("the console is shutting down; start the backup once it is back")]
    ShuttingDown,
    #[error("restore {0} has not ended; no backup starts until it ends (a backup of a half-restored cluster is no backup)")]
    RestoreRunning(i64),
    #[error("restore {0} failed after it deleted or restored data: the cluster is half-restored. Retry it (Retry on its page, or POST /api/v1/restores/{0}/retry) or restore another set; no backup starts until a restore completes")]
    HalfRestored(i64),
    #[error("backup id {given} is not allowed: it must be a positive integer")]
    InvalidId { given: i64 },
    #[error("backup id {given} is not above the latest backup id {latest}, held by {holder}; a Camunda backup id must be greater than every earlier one — leave the id out, or give one above {latest}")]
    IdTaken {
        given: i64,
        latest: i64,
        holder: String,
    },
    #[error("cannot determine the latest backup id")]
    LatestUnknown(#[source] IdError),
    /// The cluster's version profile is not one this build runs (words: what to do).
    #[error("{0}")]
    UnsupportedVersion(String),
    #[error("the run journal failed")]
    Store(#[from] StoreError),
}

/// What the engine tells the rest of the console (the history, retention, alerts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A run, or the recovery of an interrupted one, ended (its end is journaled).
    RunEnded(BackupId),
    /// Exporting has been paused outside any run of this console for longer than
    /// `paused_alert_secs`: since when, on which partitions, and what the watchdog did.
    PausedTooLong {
        since: String,
        partitions: String,
        action: String,
    },
}

/// Who hears the engine's notices.
pub type NoticeFn = Arc<dyn Fn(Notice) + Send + Sync>;

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
    cancel: CancelToken,
}

/// A run whose set may be fine but whose resume failed: exporting may still be paused.
#[derive(Clone, Debug)]
struct Alarm {
    id: BackupId,
    words: String,
}

struct Inner {
    store: Store,
    clients: CamundaClients,
    cluster: ClusterSettings,
    timeouts: Timeouts,
    start_lock: tokio::sync::Mutex<()>,
    /// The run (or recovery) executing now; watchers learn when it ends.
    active: watch::Sender<Option<Active>>,
    channels: Mutex<HashMap<BackupId, broadcast::Sender<crate::store::Framed>>>,
    alert: Mutex<Option<String>>,
    alarm: Mutex<Option<Alarm>>,
    /// Set once start-up recovery finished; the watchdog waits for it.
    recovered: AtomicBool,
    shutting_down: AtomicBool,
    deadline: ShutdownDeadline,
    hook: Mutex<Option<StepHook>>,
    /// Told when a run (or a recovery) ended, and when exporting stays paused outside runs.
    on_notice: Mutex<Option<NoticeFn>>,
    /// Since when the watchdog has seen exporting paused outside any run, and whether that
    /// was told as too long.
    paused_since: Mutex<Option<(chrono::DateTime<chrono::Utc>, bool)>>,
}

/// Locks a mutex that is only held for short, panic-free sections; a poisoned lock is still
/// consistent, so it is taken over rather than propagated.
pub(crate) fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
                active: watch::channel(None).0,
                channels: Mutex::new(HashMap::new()),
                alert: Mutex::new(None),
                alarm: Mutex::new(None),
                recovered: AtomicBool::new(false),
                shutting_down: AtomicBool::new(false),
                deadline: ShutdownDeadline::default(),
                hook: Mutex::new(None),
                on_notice: Mutex::new(None),
                paused_since: Mutex::new(None),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The plan a backup would follow now.
    /// The plan of a backup of a cluster in `profile`.
    pub fn plan(&self, profile: ProfileId) -> Vec<crate::domain::StepKey> {
        crate::profile::profile(profile).backup_plan(self.inner.clients.optimize.is_some())
    }

    /// Resolves when the run executing now changes (one starts or ends).
    pub fn active_changed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.active.subscribe();
        async move {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    pub fn active_run(&self) -> Option<BackupId> {
        self.active().map(|a| a.id)
    }

    fn active(&self) -> Option<Active> {
        self.inner.active.borrow().clone()
    }

    fn set_active(&self, active: Option<Active>) {
        self.inner.active.send_replace(active);
    }

    fn channel(&self, id: BackupId) -> broadcast::Sender<crate::store::Framed> {
        let mut channels = locked(&self.inner.channels);
        channels
            .entry(id)
            .or_insert_with(|| broadcast::channel(1024).0)
            .clone()
    }

    fn context(&self, id: BackupId, cancel: CancelToken, profile: ProfileId) -> RunContext {
        let profile = crate::profile::profile(profile);
        RunContext {
            id,
            profile,
            clients: self.inner.clients.for_profile(profile),
            cluster: self.inner.cluster.clone(),
            timeouts: self.inner.timeouts,
            cancel,
            hook: locked(&self.inner.hook).clone(),
            deadline: self.inner.deadline.clone(),
            zeebe_history_ms: Vec::new(),
            webapp_history_ms: Default::default(),
        }
    }

    /// Serializes starts of backups and restores: whoever holds it may check that nothing runs
    /// and start.
    pub async fn lock_starts(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.start_lock.lock().await
    }

    /// Whether the console is shutting down.
    pub fn shutting_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::SeqCst)
    }

    /// Calls `f` with every [`Notice`]: a run or a recovery ended, exporting paused too long.
    pub fn set_on_notice(&self, f: Option<NoticeFn>) {
        *locked(&self.inner.on_notice) = f;
    }

    fn notify(&self, notice: Notice) {
        if let Some(f) = locked(&self.inner.on_notice).clone() {
            f(notice);
        }
    }

    fn run_ended(&self, id: BackupId) {
        self.notify(Notice::RunEnded(id));
    }

    /// Calls `hook` at the start of every step of later runs. For fault-injection tests (a
    /// panic inside a run); not reachable from the HTTP API.
    pub fn set_step_hook(&self, hook: Option<StepHook>) {
        *locked(&self.inner.hook) = hook;
    }

    /// Starts a backup run; returns its id once the run is journaled. Only one run at a time:
    /// concurrent calls are serialized and all but one get [`StartError::Busy`].
    pub async fn start_backup(&self, request: StartBackupRequest) -> Result<BackupId, StartError> {
        self.start_backup_as(request, None).await
    }

    /// [`Self::start_backup`], naming who starts it in the run (`startedBy`): a person, or a
    /// schedule.
    #[tracing::instrument(skip_all, fields(requested = ?request.backup_id, by = ?started_by))]
    pub async fn start_backup_as(
        &self,
        request: StartBackupRequest,
        started_by: Option<String>,
    ) -> Result<BackupId, StartError> {
        let _serialized = self.inner.start_lock.lock().await;
        if self.inner.shutting_down.load(Ordering::SeqCst) {
            return Err(StartError::ShuttingDown);
        }
        self.restore_guard().await?;
        if let Some(active) = self.active() {
            return Err(match active.kind {
                ActiveKind::Backup => StartError::Busy(active.id),
                ActiveKind::Recovery => StartError::Recovering(active.id),
            });
        }
        if let Some(run) = self.inner.store.unfinished().await?.first() {
            // No task runs it: an orphan (its end was never journaled). End it now.
            let id = run.backup_id;
            if self.inner.recovered.load(Ordering::SeqCst) {
                self.spawn_orphan_recovery();
            }
            return Err(StartError::Recovering(id));
        }
        // The version profile before anything else is read: an 8.8+ cluster has none of the
        // endpoints the latest id is read from, and the admin needs these words, not a 404.
        let (_, profile) = crate::profile::of_gateway(
            &self.inner.clients,
            self.inner.cluster.camunda_version.as_deref(),
        )
        .await;
        if let Some((what, next)) = profile.refusal() {
            return Err(StartError::UnsupportedVersion(format!("{what} {next}")));
        }
        let spec = crate::profile::profile(profile.id);
        if let Some(words) = crate::profile::configuration_refusal(spec, &self.inner.cluster) {
            return Err(StartError::UnsupportedVersion(words));
        }
        let clients = self.inner.clients.for_profile(spec);
        let latest = ids::latest_known(
            &self.inner.store,
            &clients,
            &self.inner.cluster.snapshot_repository,
        )
        .await
        .map_err(StartError::LatestUnknown)?;
        let id = match request.backup_id {
            Some(given) => match BackupId::new(given) {
                Some(id) if given > latest.id => id,
                Some(_) => {
                    return Err(StartError::IdTaken {
                        given,
                        latest: latest.id,
                        holder: latest.holder,
                    })
                }
                None => return Err(StartError::InvalidId { given }),
            },
            None => {
                let next = ids::next_id(latest.id, chrono::Utc::now().timestamp());
                BackupId::new(next).ok_or(StartError::InvalidId { given: next })?
            }
        };
        let mut run = RunView::new(
            id,
            &spec.backup_plan(clients.optimize.is_some()),
            spec.soft_pause_documented || self.inner.cluster.soft_pause.unwrap_or(false),
            journal::now(),
        );
        run.profile = profile.id;
        run.started_by = started_by;
        let (history, webapp_history) = self.learned_durations().await;
        let journal = RunJournal::create(run, self.inner.store.clone(), self.channel(id)).await?;
        let cancel = CancelToken::default();
        self.set_active(Some(Active {
            id,
            kind: ActiveKind::Backup,
            cancel: cancel.clone(),
        }));
        let mut ctx = self.context(id, cancel, profile.id);
        ctx.zeebe_history_ms = history;
        ctx.webapp_history_ms = webapp_history;
        self.supervise(id, tokio::spawn(runner::execute(ctx, journal)));
        tracing::info!(backup_id = %id, "backup run started");
        Ok(id)
    }

    /// Refuses a backup while a restore has not ended or the newest one failed half-way: read
    /// from the journal, not from a task in memory — a restore whose task ended on a journal
    /// error is still unfinished there, and so is the cluster.
    async fn restore_guard(&self) -> Result<(), StartError> {
        let store = &self.inner.store;
        if let Some(r) = store.unfinished_restores().await?.first() {
            return Err(StartError::RestoreRunning(r.restore_id));
        }
        match store.newest_restore().await? {
            Some(r)
                if r.state == crate::domain::RestoreState::Failed && r.destructive_started() =>
            {
                Err(StartError::HalfRestored(r.restore_id))
            }
            _ => Ok(()),
        }
    }

    /// Waits for a run task; a panic fails the run (resuming exporting first) and frees the slot.
    fn supervise(&self, id: BackupId, task: tokio::task::JoinHandle<runner::RunEnd>) {
        let engine = self.clone();
        tokio::spawn(async move {
            match task.await {
                Ok(runner::RunEnd::NotPaused) => {}
                Ok(runner::RunEnd::Resumed) => {
                    if let Some(alarm) = engine.alarm().filter(|a| a.id != id) {
                        engine
                            .lift_alarm(
                                alarm.id,
                                format!("Backup {id} resumed exporting at {}", journal::now()),
                            )
                            .await;
                    }
                }
                Ok(runner::RunEnd::Alarm(alarm)) => engine.raise_alarm(id, alarm),
                Err(e) => {
                    let message = panic_message(e);
                    tracing::error!(backup_id = %id, %message, "the run task panicked");
                    match engine.inner.store.run(id).await {
                        Ok(Some(run)) if run.state == RunState::Running => {
                            let cancel = engine.active().map(|a| a.cancel).unwrap_or_default();
                            recovery::recover_run(&engine, run, Cause::Panic(message), cancel)
                                .await;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::error!(backup_id = %id, error = %e, "could not read the run after its task panicked")
                        }
                    }
                }
            }
            engine.set_active(None);
            engine.run_ended(id);
        });
    }

    /// Earlier Zeebe backups' durations as this console saw them (ms, newest first).
    /// How long earlier completed runs' Zeebe backups and web-app backups took, to pace this
    /// run's status reads.
    async fn learned_durations(&self) -> (Vec<u64>, BTreeMap<StepKey, Vec<u64>>) {
        match self.inner.store.recent_completed(5).await {
            Ok(runs) => (
                runs.iter().filter_map(|r| r.pause.zeebe_ms).collect(),
                webapps::learned(&runs),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not read earlier runs; polling without history");
                (Vec::new(), BTreeMap::new())
            }
        }
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
                a.cancel.cancel(CancelReason::Admin);
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
        page: u32,
    ) -> Result<
        Option<(
            Vec<crate::store::Framed>,
            Option<broadcast::Receiver<crate::store::Framed>>,
        )>,
        StoreError,
    > {
        let Some(run) = self.inner.store.run(id).await? else {
            return Ok(None);
        };
        let receiver = (run.state == RunState::Running).then(|| self.channel(id).subscribe());
        let past = self.inner.store.events_after(id, last_seen, page).await?;
        Ok(Some((past, receiver)))
    }

    /// What every page must show: a run's alarm (its resume failed), else the watchdog's
    /// alert (exporting paused outside any run).
    pub fn alert(&self) -> Option<String> {
        if let Some(alarm) = locked(&self.inner.alarm).clone() {
            return Some(format!("Backup {}: {}", alarm.id, alarm.words));
        }
        locked(&self.inner.alert).clone()
    }

    /// The run whose resume failed, if any (the watchdog keeps resuming for it).
    fn alarm(&self) -> Option<Alarm> {
        locked(&self.inner.alarm).clone()
    }

    fn raise_alarm(&self, id: BackupId, words: String) {
        tracing::error!(backup_id = %id, %words, "exporting may still be paused");
        *locked(&self.inner.alarm) = Some(Alarm { id, words });
    }

    /// Exporting was resumed after `id`'s resume had failed: the alarm is over, in memory and
    /// on the run (so a restart does not raise it again); `words` say who resumed it.
    async fn lift_alarm(&self, id: BackupId, words: String) {
        tracing::warn!(backup_id = %id, %words, "alarm lifted");
        {
            let mut alarm = locked(&self.inner.alarm);
            if alarm.as_ref().is_some_and(|a| a.id == id) {
                *alarm = None;
            }
        }
        let run = match self.inner.store.run(id).await {
            Ok(Some(run)) => run,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(backup_id = %id, error = %e, "could not note the lifted alarm on the run");
                return;
            }
        };
        match RunJournal::resume(run, self.inner.store.clone(), self.channel(id)).await {
            Ok(mut journal) => {
                let at = journal::now();
                let _ = journal
                    .update(None, Some(words.clone()), |r| {
                        r.alarm = None;
                        r.pause.resumed_at.get_or_insert(at);
                        r.warnings.push(words);
                    })
                    .await;
            }
            Err(e) => {
                tracing::error!(backup_id = %id, error = %e, "could not note the lifted alarm on the run")
            }
        }
    }

    fn set_alert(&self, alert: Option<String>) {
        *locked(&self.inner.alert) = alert;
    }

    /// Finishes runs a previous console process left running; see [`recovery`].
    pub fn spawn_recovery(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            recovery::recover_unfinished(&engine, Cause::Restart).await;
            // An alarm outlives the process: exporting may still be paused by an earlier run.
            match engine.inner.store.latest_alarm().await {
                Ok(Some(run)) if locked(&engine.inner.alarm).is_none() => {
                    if let Some(words) = run.alarm {
                        engine.raise_alarm(run.backup_id, words);
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "could not read earlier alarms from the journal")
                }
            }
            engine.inner.recovered.store(true, Ordering::SeqCst);
        })
    }

    /// Ends runs whose end was never journaled while no task runs them.
    fn spawn_orphan_recovery(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            let _serialized = engine.inner.start_lock.lock().await;
            if engine.active().is_none() {
                recovery::recover_unfinished(&engine, Cause::Orphan).await;
            }
        });
    }

    /// On SIGTERM / SIGINT: refuses new runs, stops the running one at its next safe point
    /// (resuming exporting within what is left of `grace`) and waits until its end is
    /// journaled or `grace` passes. Returns whether the run (if any) ended in time.
    #[tracing::instrument(skip_all)]
    pub async fn shutdown(&self, grace: Duration) -> bool {
        self.inner.shutting_down.store(true, Ordering::SeqCst);
        let deadline = tokio::time::Instant::now() + grace;
        *locked(&self.inner.deadline) = Some(deadline);
        let _serialized = tokio::time::timeout(grace, self.inner.start_lock.lock()).await;
        if let Some(active) = self.active() {
            tracing::warn!(backup_id = %active.id, "shutting down: stopping the running backup");
            active.cancel.cancel(CancelReason::Shutdown);
        }
        let mut watcher = self.inner.active.subscribe();
        let ended = tokio::time::timeout_at(deadline, watcher.wait_for(Option::is_none)).await;
        let in_time = matches!(ended, Ok(Ok(_)));
        if !in_time {
            tracing::error!("shutdown grace ran out before the run ended; exporting may be paused — the next start recovers the run");
        }
        in_time
    }
}

fn panic_message(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return "the task was cancelled".into();
    }
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}
