//! Backup schedules: stored in the journal's database, fired by one loop on the console's
//! clock. A fire is an ordinary backup run (same engine, journal and pages) whose `startedBy`
//! names the schedule.
//!
//! - Busy when it fires (a backup or restore running): the fire waits up to
//!   `schedule_wait_secs` for the slot, then is recorded as *skipped* with the reason. Fires due
//!   at the same time, or while one waits, join it: one run.
//! - Fires due while the console was down: the latest runs once if it is less than the wait
//!   window late; the others are recorded as *missed* (one record) — never a burst of runs.
//! - Each schedule's `handled_until` moves with the record of each fire, in one transaction,
//!   so a restart neither repeats nor loses one.

pub mod cron;
mod fire;

use crate::clock::SharedClock;
use crate::domain::{
    BackupId, LastRun, NewSchedule, Schedule, SchedulePatch, SchedulesPage, StartBackupRequest,
};
use crate::engine::{BackupEngine, StartError};
use crate::store::{BriefMap, FireOutcome, Store, StoreError, StoredFire, StoredSchedule};
use chrono::{DateTime, Utc};
use cron::Cron;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why a schedule request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// A field is not valid (words name it).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("no schedule with id {0}")]
    NotFound(i64),
    #[error("a schedule named `{0}` exists already; choose another name")]
    NameTaken(String),
    /// 8.9+: Zeebe takes its own backups, so the console cannot take sets (words: what to do).
    #[error("{0}")]
    ZeebeSchedulesOwn(String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("the console's database failed")]
    Store(#[from] StoreError),
}

use crate::clock::stamp;

fn parse_stamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What `run` shows as who started a fire's run.
pub fn started_by(name: &str) -> String {
    format!("schedule \"{name}\"")
}

/// The sample created once on the simulated default (off).
pub const SAMPLE: (&str, &str) = ("Nightly (sample)", "0 2 * * *");

/// Handle to the scheduler; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    cluster: String,
    clock: SharedClock,
    engine: BackupEngine,
    /// Whether Zeebe takes its own backups (8.9+), from the history's last read.
    zeebe_own: Arc<dyn Fn() -> bool + Send + Sync>,
    wait: Duration,
    wake: tokio::sync::Notify,
    state: Mutex<fire::FireState>,
    /// `schedule.skipped` and `schedule.missed` go out here.
    alerts: crate::alerts::Alerts,
}

impl Scheduler {
    pub fn new(
        store: Store,
        cluster: String,
        clock: SharedClock,
        engine: BackupEngine,
        zeebe_own: Arc<dyn Fn() -> bool + Send + Sync>,
        wait: Duration,
        alerts: crate::alerts::Alerts,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                cluster,
                clock,
                engine,
                zeebe_own,
                wait,
                wake: tokio::sync::Notify::new(),
                state: Mutex::new(fire::FireState::default()),
                alerts,
            }),
        }
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    fn cluster(&self) -> &str {
        &self.inner.cluster
    }

    /// Words for the page and the refusals when Zeebe schedules its own backups.
    pub fn zeebe_schedules_own(&self) -> Option<String> {
        (self.inner.zeebe_own)().then(|| {
            format!(
                "Zeebe takes its own backups on this cluster (8.9+: a backup schedule, continuous backups or a checkpoint interval), so it generates backup ids and refuses the one id a whole set needs: the console's schedules cannot run. {}",
                crate::profile::GENERATED_IDS_NEXT
            )
        })
    }

    /// The Schedules page.
    pub async fn page(&self) -> Result<SchedulesPage, ScheduleError> {
        let runs = self.store().brief_map().await?;
        let mut items = Vec::new();
        for s in self.store().schedules(self.cluster()).await? {
            items.push(self.view(&s, &runs).await?);
        }
        Ok(SchedulesPage {
            items,
            zeebe_schedules_own: self.zeebe_schedules_own(),
            wait_secs: self.inner.wait.as_secs(),
        })
    }

    pub async fn get(&self, id: i64) -> Result<Schedule, ScheduleError> {
        let s = self.stored(id).await?;
        let runs = self.store().brief_map().await?;
        self.view(&s, &runs).await
    }

    async fn stored(&self, id: i64) -> Result<StoredSchedule, ScheduleError> {
        self.store()
            .schedule(self.cluster(), id)
            .await?
            .ok_or(ScheduleError::NotFound(id))
    }

    async fn view(&self, s: &StoredSchedule, runs: &BriefMap) -> Result<Schedule, ScheduleError> {
        let next_runs = if s.enabled {
            self.next_times(s, 5)
                .into_iter()
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .collect()
        } else {
            Vec::new()
        };
        let last_run = self
            .store()
            .fires(s.id, 1)
            .await?
            .into_iter()
            .next()
            .map(|f| LastRun {
                state: match f.backup_id.and_then(|id| runs.get(&id)) {
                    Some(run) if f.outcome != FireOutcome::Skipped.as_str() => {
                        run.state.as_str().to_owned()
                    }
                    _ => f.outcome.clone(),
                },
                backup_id: f.backup_id,
                at: f.at,
                detail: f.detail,
            });
        Ok(Schedule {
            id: s.id,
            name: s.name.clone(),
            cron: s.cron.clone(),
            timezone: s.timezone.clone(),
            enabled: s.enabled,
            next_runs,
            last_run,
        })
    }

    /// The next `n` fires of `s` from now (or from its last handled fire, if later).
    fn next_times(&self, s: &StoredSchedule, n: usize) -> Vec<DateTime<Utc>> {
        let Ok((cron, tz)) = parsed(&s.cron, &s.timezone) else {
            return Vec::new();
        };
        let now = self.inner.clock.now();
        let from = parse_stamp(&s.handled_until).map_or(now, |h| h.max(now));
        cron.next_times(from, tz, n)
    }

    /// Every enabled schedule's next fire (for the metrics).
    pub async fn next_fires(&self) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        Ok(self
            .store()
            .schedules(self.cluster())
            .await?
            .iter()
            .filter(|s| s.enabled)
            .filter_map(|s| Some((s.name.clone(), *self.next_times(s, 1).first()?)))
            .collect())
    }

    /// The next 5 times of `expr` in `timezone` from now (RFC 3339), or the refusal naming the
    /// field: what the edit form shows before anything is saved.
    pub fn preview(&self, expr: &str, timezone: &str) -> Result<Vec<String>, ScheduleError> {
        let now = self.inner.clock.now();
        valid_timing(expr, timezone, now)?;
        let (cron, tz) =
            parsed(expr.trim(), timezone.trim()).map_err(|e| ScheduleError::Invalid {
                field: "cron",
                message: e.0,
            })?;
        Ok(cron
            .next_times(now, tz, 5)
            .into_iter()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect())
    }

    /// Adds a schedule; its first fire is the first time after now.
    pub async fn create(&self, new: NewSchedule) -> Result<Schedule, ScheduleError> {
        let name = valid_name(&new.name)?;
        let timezone = new.timezone.unwrap_or_else(|| "UTC".into());
        let enabled = new.enabled.unwrap_or(true);
        valid_timing(&new.cron, &timezone, self.inner.clock.now())?;
        if enabled {
            self.refuse_when_zeebe_schedules()?;
        }
        let now = stamp(self.inner.clock.now());
        let stored = self
            .store()
            .insert_schedule(
                self.cluster(),
                &StoredSchedule {
                    id: 0,
                    name: name.clone(),
                    cron: new.cron.trim().to_owned(),
                    timezone,
                    enabled,
                    handled_until: now.clone(),
                    created_at: now,
                },
            )
            .await?
            .ok_or(ScheduleError::NameTaken(name))?;
        self.inner.wake.notify_one();
        let runs = self.store().brief_map().await?;
        self.view(&stored, &runs).await
    }

    /// Changes a schedule. A new time (cron or zone) or switching it on counts from now: no
    /// fire from before the change runs.
    pub async fn update(&self, id: i64, patch: SchedulePatch) -> Result<Schedule, ScheduleError> {
        let mut s = self.stored(id).await?;
        let was = (s.cron.clone(), s.timezone.clone(), s.enabled);
        if let Some(name) = &patch.name {
            s.name = valid_name(name)?;
        }
        if let Some(cron) = &patch.cron {
            s.cron = cron.trim().to_owned();
        }
        if let Some(tz) = &patch.timezone {
            s.timezone = tz.trim().to_owned();
        }
        if let Some(enabled) = patch.enabled {
            s.enabled = enabled;
        }
        let now = self.inner.clock.now();
        valid_timing(&s.cron, &s.timezone, now)?;
        if s.enabled && !was.2 {
            self.refuse_when_zeebe_schedules()?;
        }
        if (s.cron.clone(), s.timezone.clone(), s.enabled) != was {
            s.handled_until = stamp(now);
        }
        if !self
            .store()
            .update_schedule(self.cluster(), &s, &stamp(now))
            .await?
        {
            return Err(ScheduleError::NameTaken(s.name));
        }
        self.inner.wake.notify_one();
        self.get(id).await
    }

    pub async fn delete(&self, id: i64) -> Result<(), ScheduleError> {
        if !self.store().delete_schedule(self.cluster(), id).await? {
            return Err(ScheduleError::NotFound(id));
        }
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Starts the schedule's backup now (refused like Backup Now when something runs). It does
    /// not count as a fire: the next one is still due at its time.
    pub async fn run_now(&self, id: i64, by: &str) -> Result<BackupId, ScheduleError> {
        let s = self.stored(id).await?;
        self.refuse_when_zeebe_schedules()?;
        let backup = self
            .inner
            .engine
            .start_backup_as(StartBackupRequest::default(), Some(started_by(&s.name)))
            .await?;
        let now = stamp(self.inner.clock.now());
        self.store()
            .record_fire(
                &StoredFire {
                    schedule_id: s.id,
                    due_at: now.clone(),
                    at: now,
                    outcome: FireOutcome::Started.as_str().into(),
                    backup_id: Some(backup.get()),
                    detail: Some(format!("run now by {by}")),
                },
                false,
            )
            .await?;
        Ok(backup)
    }

    fn refuse_when_zeebe_schedules(&self) -> Result<(), ScheduleError> {
        match self.zeebe_schedules_own() {
            Some(words) => Err(ScheduleError::ZeebeSchedulesOwn(words)),
            None => Ok(()),
        }
    }

    /// Creates the sample schedule (off) once in this database's life.
    pub async fn ensure_sample(&self) -> Result<(), ScheduleError> {
        let now = stamp(self.inner.clock.now());
        if !self.store().set_flag("sample_schedule", &now).await? {
            return Ok(());
        }
        if !self.store().schedules(self.cluster()).await?.is_empty() {
            return Ok(());
        }
        self.store()
            .insert_schedule(
                self.cluster(),
                &StoredSchedule {
                    id: 0,
                    name: SAMPLE.0.into(),
                    cron: SAMPLE.1.into(),
                    timezone: "UTC".into(),
                    enabled: false,
                    handled_until: now.clone(),
                    created_at: now,
                },
            )
            .await?;
        Ok(())
    }

    /// Starts the loop that fires the schedules.
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move { this.run().await })
    }

    async fn run(self) {
        loop {
            let wake = self.inner.wake.notified();
            tokio::pin!(wake);
            wake.as_mut().enable();
            let next = match self.tick().await {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, "the scheduler could not read its schedules; trying again in 30 s");
                    Some(self.inner.clock.now() + chrono::Duration::seconds(30))
                }
            };
            let sleep = async {
                match next {
                    Some(at) => self.inner.clock.sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = sleep => {}
                () = &mut wake => {}
            }
        }
    }

    /// Handles every fire due now; returns when the next one is due.
    #[tracing::instrument(skip_all)]
    async fn tick(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let now = self.inner.clock.now();
        let mut next: Option<DateTime<Utc>> = None;
        for s in self.store().schedules(self.cluster()).await? {
            if !s.enabled {
                continue;
            }
            let Ok((cron, tz)) = parsed(&s.cron, &s.timezone) else {
                tracing::warn!(schedule = %s.name, "a stored schedule does not parse; it is not fired");
                continue;
            };
            let handled = parse_stamp(&s.handled_until).unwrap_or(now);
            let claimed = fire::claimed(self, s.id);
            let mut from = claimed.map_or(handled, |c| c.max(handled));
            let mut due: Vec<DateTime<Utc>> = Vec::new();
            let mut count = 0usize;
            while let Some(at) = cron.next_after(from, tz) {
                if at > now {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    break;
                }
                count += 1;
                // The first and the last two are all that is told.
                if due.len() < 3 {
                    due.push(at);
                } else {
                    due[1] = due[2];
                    due[2] = at;
                }
                from = at;
            }
            if count == 0 {
                continue;
            }
            fire::handle_due(self, &s, &due, count, now).await?;
        }
        Ok(next)
    }
}

/// A cron expression and a zone, as stored.
fn parsed(expr: &str, timezone: &str) -> Result<(Cron, chrono_tz::Tz), cron::CronError> {
    Ok((Cron::parse(expr)?, cron::time_zone(timezone)?))
}

fn valid_name(name: &str) -> Result<String, ScheduleError> {
    let name = name.trim();
    let invalid = |message: &str| ScheduleError::Invalid {
        field: "name",
        message: message.into(),
    };
    if name.is_empty() {
        return Err(invalid("must not be empty"));
    }
    if name.chars().count() > 80 {
        return Err(invalid("must be at most 80 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("must not contain control characters"));
    }
    Ok(name.to_owned())
}

fn valid_timing(expr: &str, timezone: &str, now: DateTime<Utc>) -> Result<(), ScheduleError> {
    let cron = Cron::parse(expr).map_err(|e| ScheduleError::Invalid {
        field: "cron",
        message: e.0,
    })?;
    let tz = cron::time_zone(timezone.trim()).map_err(|e| ScheduleError::Invalid {
        field: "timezone",
        message: e.0,
    })?;
    if cron.next_after(now, tz).is_none() {
        return Err(ScheduleError::Invalid {
            field: "cron",
            message: format!("`{expr}` never fires (no such date in the next 8 years)"),
        });
    }
    Ok(())
}

/// Schedules keyed by id, for the fires' bookkeeping.
type Claims = HashMap<i64, DateTime<Utc>>;
