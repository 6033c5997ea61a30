//! The run journal in SQLite or PostgreSQL (sqlx's `Any` driver; migrations in
//! `migrations/sqlite` and `migrations/postgres`). Every transition of a run is written here —
//! the run's new state and the event announcing it, in one transaction — before the action it
//! announces is sent to the cluster. One SQL text serves both databases (numbered
//! placeholders, `RETURNING`, `ON CONFLICT`); the few statements that differ ask [`Dialect`].

use crate::domain::{BackupId, RunEvent, RunState, RunView};
use sqlx::any::AnyRow;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::AnyPool;
use sqlx::Row;
use std::str::FromStr;

mod audit;
mod auth;
mod connect;
mod leadership;
pub mod lock;
mod restores;
mod retention;
mod schedules;
mod webhooks;

pub use audit::AuditFilter;
pub use auth::{NewSession, StoredSession, StoredUser};
pub use connect::{redact_url, Dialect};
pub use leadership::{LeaderRow, Term};
pub use retention::PendingDeletion;
pub use schedules::{FireOutcome, StoredFire, StoredSchedule};
pub use webhooks::{DueDelivery, StoredHook};

/// A failed journal operation.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the run journal at {url}")]
    Open {
        /// The URL without its password.
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Locked(#[from] lock::LockError),
    #[error("could not read the database password from {path}")]
    PasswordFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not migrate the run journal")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("this replica no longer leads (its term {held}, the journal's {current}): another replica took over, so it writes and acts no more")]
    Fenced { held: i64, current: i64 },
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
    pool: AnyPool,
    dialect: Dialect,
    /// The fencing token of this process's term as leader (PostgreSQL; 0: not leading).
    fence: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// The last term this process led (kept after it stops leading).
    led: std::sync::Arc<std::sync::atomic::AtomicI64>,
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
    /// PostgreSQL, where whichever replica leads writes the runs: the term (fence) and the
    /// highest `rev` the map has seen, and when it was last read whole.
    synced: std::sync::Mutex<Synced>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Synced {
    epoch: i64,
    rev: i64,
    full_at: Option<std::time::Instant>,
}

/// A follower reads the whole map again this often, in case two writes of the leader
/// committed out of their `rev` order (the sequence is not transactional).
const FULL_RESYNC: std::time::Duration = std::time::Duration::from_secs(60);

/// The tables whose rows have a name unique per cluster.
#[derive(Clone, Copy, Debug)]
enum Named {
    Schedules,
    Webhooks,
}

/// The runs' briefs by backup id.
pub type BriefMap = std::sync::Arc<std::collections::BTreeMap<i64, RunBrief>>;

impl Store {
    /// Opens (creating if missing) and migrates the journal at `url` (`sqlite://file.db` or
    /// `postgres://…`) as its one writer: a second console on the same SQLite file is refused
    /// ([`lock`]).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, None, true).await
    }

    /// [`Store::connect`] with the database password read from `password_file` (PostgreSQL).
    pub async fn connect_with(
        url: &str,
        password_file: Option<&std::path::Path>,
    ) -> Result<Self, StoreError> {
        Self::open(url, password_file, true).await
    }

    /// Opens the journal beside a running console, without its writer lock: for the short
    /// administrative commands (`user set`, `user sessions revoke`), which write users and
    /// sessions only and rely on the database's own locking.
    pub async fn connect_beside(
        url: &str,
        password_file: Option<&std::path::Path>,
    ) -> Result<Self, StoreError> {
        Self::open(url, password_file, false).await
    }

    async fn open(
        url: &str,
        password_file: Option<&std::path::Path>,
        writer: bool,
    ) -> Result<Self, StoreError> {
        let open = |source| StoreError::Open {
            url: redact_url(url),
            source,
        };
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of(url);
        let (pool, writer) = match dialect {
            Dialect::Sqlite => {
                let in_memory = url.contains(":memory:");
                // One console per file: taken before the first connection, so a second
                // console never touches the journal.
                let writer = if in_memory || !writer {
                    None
                } else {
                    let db = SqliteConnectOptions::from_str(url)
                        .map_err(open)?
                        .get_filename()
                        .to_path_buf();
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
                let pool = connect::sqlite(url, in_memory).await.map_err(open)?;
                sqlx::migrate!("./migrations/sqlite")
                    .run(&pool)
                    .await
                    .map_err(StoreError::Migrate)?;
                (pool, writer)
            }
            Dialect::Postgres => {
                let url = connect::with_password(url, password_file)?;
                let pool = connect::postgres(&url).await.map_err(open)?;
                // sqlx takes PostgreSQL's advisory lock around migrations: replicas starting
                // together migrate once.
                sqlx::migrate!("./migrations/postgres")
                    .run(&pool)
                    .await
                    .map_err(StoreError::Migrate)?;
                (pool, None)
            }
        };
        Ok(Self {
            pool,
            dialect,
            fence: Default::default(),
            led: Default::default(),
            version: Default::default(),
            briefs: Default::default(),
            _writer: writer,
        })
    }

    /// Which database the journal is in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
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

    /// PostgreSQL: brings the briefs up to date with the runs other replicas wrote — those
    /// whose `rev` is above the highest seen (one indexed read), or all of them once a minute.
    /// A leader needs this once per term (afterwards it is the only writer); SQLite never.
    pub async fn sync_briefs(&self) -> Result<(), StoreError> {
        if self.dialect != Dialect::Postgres {
            return Ok(());
        }
        let fence = self.fence();
        let synced = *self
            .briefs
            .synced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let loaded = self
            .briefs
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some();
        if !loaded || (fence != 0 && synced.epoch == fence) {
            return Ok(());
        }
        let stale = synced.full_at.is_none_or(|t| t.elapsed() >= FULL_RESYNC);
        let (changed, rev) = self.read_briefs((!stale).then_some(synced.rev)).await?;
        let mut map = self
            .briefs
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(m) = map.as_mut() else {
            return Ok(());
        };
        let mut moved = false;
        if stale {
            let whole: std::collections::BTreeMap<i64, RunBrief> = changed
                .into_iter()
                .map(|b| (b.backup_id.get(), b))
                .collect();
            if **m != whole {
                *m = std::sync::Arc::new(whole);
                moved = true;
            }
        } else {
            for b in changed {
                let id = b.backup_id.get();
                if m.get(&id) != Some(&b) {
                    std::sync::Arc::make_mut(m).insert(id, b);
                    moved = true;
                }
            }
        }
        if moved {
            self.briefs
                .version
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        *self
            .briefs
            .synced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Synced {
            epoch: fence,
            rev: rev.max(synced.rev),
            full_at: if stale {
                Some(std::time::Instant::now())
            } else {
                synced.full_at
            },
        };
        Ok(())
    }

    /// Every run's brief by backup id: read from the journal once, then kept up to date by this
    /// store's own writes (and, on PostgreSQL, by [`Store::sync_briefs`]). A cheap handle; the
    /// map is copied only when written while shared.
    pub async fn brief_map(&self) -> Result<BriefMap, StoreError> {
        self.sync_briefs().await?;
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
        let fence = self.fence();
        let (all, rev) = self.read_briefs(None).await?;
        let read: BriefMap =
            std::sync::Arc::new(all.into_iter().map(|b| (b.backup_id.get(), b)).collect());
        let mut map = self
            .briefs
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A write while reading may be missing from `read`: keep it only if none happened.
        if map.is_none() && self.brief_version() == before {
            *map = Some(read.clone());
            *self
                .briefs
                .synced
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Synced {
                epoch: fence,
                rev,
                full_at: Some(std::time::Instant::now()),
            };
        }
        Ok(map.clone().unwrap_or(read))
    }

    /// Journals a new run and its first event; refuses a second run with the same id.
    #[tracing::instrument(skip_all, fields(backup_id = %run.backup_id))]
    pub async fn insert_run(&self, run: &RunView, event: &RunEvent) -> Result<Framed, StoreError> {
        let mut tx = self.leader_tx().await?;
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
        let mut tx = self.leader_tx().await?;
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
        let mut tx = self.leader_tx().await?;
        sqlx::query(
            "INSERT INTO set_deletions (backup_id, at, forced, outcome) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.get())
        .bind(at)
        .bind(i64::from(forced))
        .bind(serde_json::to_string(outcome)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
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
                "INSERT INTO snapshot_sizes (snapshot, uuid, size_bytes) VALUES ($1, $2, $3) ON CONFLICT (snapshot, uuid) DO UPDATE SET size_bytes = excluded.size_bytes",
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
        let row = sqlx::query(&format!(
            "SELECT view FROM runs WHERE {} IS NOT NULL ORDER BY backup_id DESC LIMIT 1",
            self.dialect.json_text("view", &["alarm"])
        ))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| column_json(&r, "view")).transpose()
    }

    /// Every run's id, state and times, newest first, without parsing the runs' JSON (the
    /// history's view of the journal).
    pub async fn briefs(&self) -> Result<Vec<RunBrief>, StoreError> {
        Ok(self.read_briefs(None).await?.0)
    }

    /// The briefs of every run, or (PostgreSQL) of those written after `rev`; with the highest
    /// `rev` read (0 on SQLite, which has none).
    async fn read_briefs(&self, after: Option<i64>) -> Result<(Vec<RunBrief>, i64), StoreError> {
        let rev = match self.dialect {
            Dialect::Sqlite => "0",
            Dialect::Postgres => "rev",
        };
        let filter = if after.is_some() {
            "WHERE rev > $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT backup_id, state, created_at, finished_at, {} AS started_by, {} AS pause_ms, {rev} AS rev FROM runs {filter} ORDER BY backup_id DESC",
            self.dialect.json_text("view", &["startedBy"]),
            self.dialect.json_integer("view", &["pause", "durationMs"]),
        );
        let mut query = sqlx::query(&sql);
        if let Some(after) = after {
            query = query.bind(after);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let max = rows
            .iter()
            .filter_map(|r| r.try_get::<i64, _>("rev").ok())
            .max()
            .unwrap_or(0);
        let briefs = rows
            .iter()
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
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((briefs, max))
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
    row: &AnyRow,
    column: &str,
) -> Result<T, StoreError> {
    Ok(serde_json::from_str(row.try_get::<&str, _>(column)?)?)
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
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
