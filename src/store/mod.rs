//! The run journal in SQLite (sqlx, migrations in `migrations/`). Every transition of a run is
//! written here — the run's new state and the event announcing it, in one transaction —
//! before the action it announces is sent to the cluster.

use crate::domain::{BackupId, RunEvent, RunState, RunView};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

mod audit;
mod auth;
pub mod lock;
mod restores;
mod retention;
mod schedules;
mod webhooks;

pub use audit::AuditFilter;
pub use auth::{NewSession, StoredSession, StoredUser};
pub use retention::PendingDeletion;
pub use schedules::{FireOutcome, StoredFire, StoredSchedule};
pub use webhooks::{DueDelivery, StoredHook};

/// A failed journal operation.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the run journal at {url}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Locked(#[from] lock::LockError),
    #[error("could not migrate the run journal")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("a run with backup id {0} is already journaled")]
    Duplicate(BackupId),
    #[error("run journal query failed")]
    Query(#[from] sqlx::Error),
    #[error("a journaled run could not be read back")]
    Corrupt(#[from] serde_json::Error),
}

/// Handle to the journal; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// Grows with every write to `runs`: readers that cache what they derived from the runs
    /// (the history) know when to read again.
    version: std::sync::Arc<std::sync::atomic::AtomicU64>,
    briefs: std::sync::Arc<Briefs>,
    /// A file database's single-writer lock, held while any handle lives.
    _writer: Option<std::sync::Arc<lock::WriterLock>>,
}

/// Every run's brief, kept in memory once read: this process is the journal's only writer, so
/// it updates them itself and never reads 10 000 rows again. `version` moves only when a brief
/// changes (a run starts, ends, or changes state) — not on every step of a running backup.
#[derive(Debug, Default)]
struct Briefs {
    version: std::sync::atomic::AtomicU64,
    map: std::sync::Mutex<Option<BriefMap>>,
}

/// The tables whose rows have a name unique per cluster.
#[derive(Clone, Copy, Debug)]
enum Named {
    Schedules,
    Webhooks,
}

/// The runs' briefs by backup id.
pub type BriefMap = std::sync::Arc<std::collections::BTreeMap<i64, RunBrief>>;

impl Store {
    /// Opens (creating if missing) and migrates the journal at `url` (`sqlite://file.db`) as
    /// its one writer: a second console on the same file is refused ([`lock`]).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, true).await
    }

    /// Opens the journal beside a running console, without its writer lock: for the short
    /// administrative commands (`user set`, `user sessions revoke`), which write users and
    /// sessions only and rely on SQLite's own locking.
    pub async fn connect_beside(url: &str) -> Result<Self, StoreError> {
        Self::open(url, false).await
    }

    async fn open(url: &str, writer: bool) -> Result<Self, StoreError> {
        let open = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let in_memory = url.contains(":memory:");
        let mut options = SqliteConnectOptions::from_str(url)
            .map_err(open)?
            .create_if_missing(true)
            .busy_timeout(Duration::from_secs(5));
        if !in_memory {
            // WAL + NORMAL: a committed transition survives the console being killed (the
            // failure this journal exists for); only an OS crash may lose the last commits.
            // It keeps each write inside the pause window well under a millisecond.
            options = options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
        }
        // One console per file: taken before the first connection, so a second console
        // never touches the journal.
        let writer = if in_memory || !writer {
            None
        } else {
            let db = options.get_filename().to_path_buf();
            Some(std::sync::Arc::new(
                tokio::task::spawn_blocking(move || lock::acquire(&db))
                    .await
                    .map_err(|e| {
                        StoreError::Locked(lock::LockError::Io {
                            path: url.into(),
                            source: std::io::Error::other(e.to_string()),
                        })
                    })??,
            ))
        };
        // An in-memory database lives in one connection: never open a second one.
        let max = if in_memory { 1 } else { 4 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(open)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Self {
            pool,
            version: Default::default(),
            briefs: Default::default(),
            _writer: writer,
        })
    }

    /// Whether another row of `what` in `cluster` than `id` has `name` (names are unique).
    async fn name_taken(
        &self,
        what: Named,
        cluster: &str,
        name: &str,
        id: i64,
    ) -> Result<bool, StoreError> {
        let table = match what {
            Named::Schedules => "schedules",
            Named::Webhooks => "webhooks",
        };
        let clash: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM {table} WHERE cluster = $1 AND name = $2 AND id <> $3"
        ))
        .bind(cluster)
        .bind(name)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(clash.is_some())
    }

    /// Whether the database answers (the readiness probe).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The number of writes to `runs` so far (in this process).
    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn wrote(&self, run: &RunView) {
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let brief = RunBrief::from(run);
        let mut map = self
            .briefs
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let id = brief.backup_id.get();
        let changed = map.as_ref().is_none_or(|m| m.get(&id) != Some(&brief));
        if changed {
            if let Some(m) = map.as_mut() {
                std::sync::Arc::make_mut(m).insert(id, brief);
            }
            self.briefs
                .version
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Moves whenever a run's brief changes (see [`Store::brief_map`]).
    pub fn brief_version(&self) -> u64 {
        self.briefs
            .version
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every run's brief by backup id: read from the journal once, then kept up to date by this
    /// store's own writes. A cheap handle; the map is copied only when written while shared.
    pub async fn brief_map(&self) -> Result<BriefMap, StoreError> {
        if let Some(m) = self
            .briefs
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            return Ok(m.clone());
        }
        let before = self.brief_version();
        let read: BriefMap = std::sync::Arc::new(
            self.briefs()
                .await?
                .into_iter()
                .map(|b| (b.backup_id.get(), b))
                .collect(),
        );
        let mut map = self
            .briefs
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A write while reading may be missing from `read`: keep it only if none happened.
        if map.is_none() && self.brief_version() == before {
            *map = Some(read.clone());
        }
        Ok(map.clone().unwrap_or(read))
    }

    /// Journals a new run and its first event; refuses a second run with the same id.
    #[tracing::instrument(skip_all, fields(backup_id = %run.backup_id))]
    pub async fn insert_run(&self, run: &RunView, event: &RunEvent) -> Result<Framed, StoreError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO runs (backup_id, state, created_at, updated_at, view) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (backup_id) DO NOTHING",
        )
        .bind(run.backup_id.get())
        .bind(run.state.as_str())
        .bind(&run.created_at)
        .bind(&event.at)
        .bind(serde_json::to_string(run)?)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Duplicate(run.backup_id));
        }
        let framed = insert_event(&mut tx, event).await?;
        tx.commit().await?;
        self.wrote(run);
        Ok(framed)
    }

    /// Journals a transition: the run's new state and the event, atomically.
    #[tracing::instrument(skip_all, fields(backup_id = %run.backup_id, seq = event.seq))]
    pub async fn record(&self, run: &RunView, event: &RunEvent) -> Result<Framed, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE runs SET state = $1, updated_at = $2, finished_at = $3, view = $4 WHERE backup_id = $5",
        )
            .bind(run.state.as_str())
            .bind(&event.at)
            .bind(&run.finished_at)
            .bind(serde_json::to_string(run)?)
            .bind(run.backup_id.get())
            .execute(&mut *tx)
            .await?;
        let framed = insert_event(&mut tx, event).await?;
        tx.commit().await?;
        self.wrote(run);
        Ok(framed)
    }

    /// One run.
    pub async fn run(&self, id: BackupId) -> Result<Option<RunView>, StoreError> {
        let row = sqlx::query("SELECT view FROM runs WHERE backup_id = $1")
            .bind(id.get())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| column_json(&r, "view")).transpose()
    }

    /// Every run, newest id first.
    pub async fn runs(&self) -> Result<Vec<RunView>, StoreError> {
        let rows = sqlx::query("SELECT view FROM runs ORDER BY backup_id DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| column_json(r, "view")).collect()
    }

    /// The `limit` newest completed runs (what later runs learn their timing from).
    pub async fn recent_completed(&self, limit: u32) -> Result<Vec<RunView>, StoreError> {
        let rows = sqlx::query(
            "SELECT view FROM runs WHERE state = 'completed' ORDER BY backup_id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| column_json(r, "view")).collect()
    }

    /// Journals one deletion attempt of a backup set (`outcome` is its JSON).
    pub async fn record_deletion(
        &self,
        id: BackupId,
        at: &str,
        forced: bool,
        outcome: &crate::domain::DeletionOutcome,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO set_deletions (backup_id, at, forced, outcome) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.get())
        .bind(at)
        .bind(forced)
        .bind(serde_json::to_string(outcome)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every deletion attempt of a set, oldest first.
    pub async fn deletions(
        &self,
        id: BackupId,
    ) -> Result<Vec<crate::domain::DeletionOutcome>, StoreError> {
        let rows =
            sqlx::query("SELECT outcome FROM set_deletions WHERE backup_id = $1 ORDER BY id")
                .bind(id.get())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| column_json(r, "outcome")).collect()
    }

    /// Every snapshot size read so far: `(snapshot, uuid or "", bytes)`.
    pub async fn snapshot_sizes(&self) -> Result<Vec<(String, String, u64)>, StoreError> {
        let rows = sqlx::query("SELECT snapshot, uuid, size_bytes FROM snapshot_sizes")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some((
                    r.try_get::<String, _>("snapshot").ok()?,
                    r.try_get::<String, _>("uuid").ok()?,
                    u64::try_from(r.try_get::<i64, _>("size_bytes").ok()?).ok()?,
                ))
            })
            .collect())
    }

    /// Keeps snapshot sizes for good (one transaction).
    pub async fn record_snapshot_sizes(
        &self,
        sizes: &[(String, String, u64)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (snapshot, uuid, bytes) in sizes {
            sqlx::query(
                "INSERT OR REPLACE INTO snapshot_sizes (snapshot, uuid, size_bytes) VALUES ($1, $2, $3)",
            )
            .bind(snapshot)
            .bind(uuid)
            .bind(i64::try_from(*bytes).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest run still carrying an alarm (its resume failed and nothing resumed since).
    pub async fn latest_alarm(&self) -> Result<Option<RunView>, StoreError> {
        let row = sqlx::query(
            "SELECT view FROM runs WHERE json_extract(view, '$.alarm') IS NOT NULL ORDER BY backup_id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| column_json(&r, "view")).transpose()
    }

    /// Every run's id, state and times, newest first, without parsing the runs' JSON (the
    /// history's view of the journal).
    pub async fn briefs(&self) -> Result<Vec<RunBrief>, StoreError> {
        let rows = sqlx::query(
            "SELECT backup_id, state, created_at, finished_at, json_extract(view, '$.startedBy') AS started_by, json_extract(view, '$.pause.durationMs') AS pause_ms FROM runs ORDER BY backup_id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let id = BackupId::new(r.try_get::<i64, _>("backup_id").ok()?)?;
                let state = match r.try_get::<&str, _>("state").ok()? {
                    "running" => RunState::Running,
                    "completed" => RunState::Completed,
                    "failed" => RunState::Failed,
                    "cancelled" => RunState::Cancelled,
                    _ => return None,
                };
                Some(Ok::<_, StoreError>(RunBrief {
                    backup_id: id,
                    state,
                    created_at: r.try_get::<String, _>("created_at").ok()?,
                    finished_at: r.try_get::<Option<String>, _>("finished_at").ok()?,
                    started_by: r.try_get::<Option<String>, _>("started_by").ok().flatten(),
                    pause_ms: r
                        .try_get::<Option<i64>, _>("pause_ms")
                        .ok()
                        .flatten()
                        .and_then(|ms| u64::try_from(ms).ok()),
                }))
            })
            .collect()
    }

    /// Runs that never reached a terminal state (the console stopped while they ran).
    pub async fn unfinished(&self) -> Result<Vec<RunView>, StoreError> {
        let rows = sqlx::query("SELECT view FROM runs WHERE state = 'running' ORDER BY backup_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| column_json(r, "view")).collect()
    }

    /// The highest backup id the journal knows.
    pub async fn max_backup_id(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT MAX(backup_id) AS m FROM runs")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get::<Option<i64>, _>("m"))
    }

    /// Events of a run with `seq > after`, in order.
    pub async fn events_after(
        &self,
        id: BackupId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Framed>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = sqlx::query(
            "SELECT seq, payload FROM run_events WHERE backup_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(id.get())
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json: String = r.try_get("payload")?;
                // Only the run's state is read back: whether the event ends the run.
                #[derive(serde::Deserialize)]
                struct Run {
                    state: RunState,
                }
                #[derive(serde::Deserialize)]
                struct Event {
                    run: Run,
                }
                let terminal = serde_json::from_str::<Event>(&json)?
                    .run
                    .state
                    .is_terminal();
                Ok(Framed {
                    seq: u64::try_from(r.try_get::<i64, _>("seq")?).unwrap_or(0),
                    terminal,
                    json: json.into(),
                })
            })
            .collect()
    }

    /// The last event's sequence number of a run (0 when none).
    pub async fn last_seq(&self, id: BackupId) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT MAX(seq) AS m FROM run_events WHERE backup_id = $1")
            .bind(id.get())
            .fetch_one(&self.pool)
            .await?;
        Ok(row
            .get::<Option<i64>, _>("m")
            .and_then(|m| u64::try_from(m).ok())
            .unwrap_or(0))
    }
}

/// What the history needs of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunBrief {
    pub backup_id: BackupId,
    pub state: RunState,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// Who started it (`None`: a person, before runs said so).
    pub started_by: Option<String>,
    /// How long exporting was paused (ms), once resumed.
    pub pause_ms: Option<u64>,
}

impl From<&RunView> for RunBrief {
    fn from(r: &RunView) -> Self {
        Self {
            backup_id: r.backup_id,
            state: r.state,
            created_at: r.created_at.clone(),
            finished_at: r.finished_at.clone(),
            started_by: r.started_by.clone(),
            pause_ms: r.pause.duration_ms,
        }
    }
}

/// An event as journaled: its sequence number, whether it ends its run, and its JSON text —
/// encoded once when written, and that text sent to every subscriber (a thousand watchers of a
/// run do not serialize it a thousand times).
#[derive(Clone, Debug)]
pub struct Framed {
    pub seq: u64,
    pub terminal: bool,
    pub json: std::sync::Arc<str>,
}

impl Framed {
    /// `event` encoded.
    pub fn of<E: serde::Serialize>(
        seq: u64,
        terminal: bool,
        event: &E,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            seq,
            terminal,
            json: serde_json::to_string(event)?.into(),
        })
    }
}

/// Reads a JSON text column back into its type.
pub(crate) fn column_json<T: serde::de::DeserializeOwned>(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<T, StoreError> {
    Ok(serde_json::from_str(row.try_get::<&str, _>(column)?)?)
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    event: &RunEvent,
) -> Result<Framed, StoreError> {
    let framed = Framed::of(event.seq, event.is_terminal(), event)?;
    sqlx::query("INSERT INTO run_events (backup_id, seq, at, payload) VALUES ($1, $2, $3, $4)")
        .bind(event.backup_id.get())
        .bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
        .bind(&event.at)
        .bind(&*framed.json)
        .execute(&mut **tx)
        .await?;
    Ok(framed)
}
