//! Schedules and their fires.

use super::{Named, Store, StoreError};
use sqlx::Row;

/// A schedule as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSchedule {
    pub id: i64,
    pub name: String,
    pub cron: String,
    pub timezone: String,
    pub enabled: bool,
    /// Every fire due at or before this (RFC 3339) was handled.
    pub handled_until: String,
    pub created_at: String,
}

/// What one fire did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FireOutcome {
    Started,
    /// Another schedule's fire (or run) at the same time covered it.
    Joined,
    Skipped,
    Missed,
}

impl FireOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Joined => "joined",
            Self::Skipped => "skipped",
            Self::Missed => "missed",
        }
    }
}

/// A fire as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFire {
    pub schedule_id: i64,
    pub due_at: String,
    pub at: String,
    pub outcome: String,
    pub backup_id: Option<i64>,
    pub detail: Option<String>,
}

fn schedule(r: &sqlx::any::AnyRow) -> Result<StoredSchedule, StoreError> {
    Ok(StoredSchedule {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        cron: r.try_get("cron")?,
        timezone: r.try_get("timezone")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        handled_until: r.try_get("handled_until")?,
        created_at: r.try_get("created_at")?,
    })
}

fn fire(r: &sqlx::any::AnyRow) -> Result<StoredFire, StoreError> {
    Ok(StoredFire {
        schedule_id: r.try_get("schedule_id")?,
        due_at: r.try_get("due_at")?,
        at: r.try_get("at")?,
        outcome: r.try_get("outcome")?,
        backup_id: r.try_get("backup_id")?,
        detail: r.try_get("detail")?,
    })
}

const COLUMNS: &str = "id, name, cron, timezone, enabled, handled_until, created_at";

impl Store {
    /// The cluster's schedules, by name.
    pub async fn schedules(&self, cluster: &str) -> Result<Vec<StoredSchedule>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM schedules WHERE cluster = $1 ORDER BY name"
        ))
        .bind(cluster)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(schedule)
        .collect()
    }

    pub async fn schedule(
        &self,
        cluster: &str,
        id: i64,
    ) -> Result<Option<StoredSchedule>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM schedules WHERE cluster = $1 AND id = $2"
        ))
        .bind(cluster)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(schedule)
        .transpose()
    }

    /// Adds a schedule; `None` when the cluster has one of that name already.
    pub async fn insert_schedule(
        &self,
        cluster: &str,
        s: &StoredSchedule,
    ) -> Result<Option<StoredSchedule>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO schedules (cluster, name, cron, timezone, enabled, handled_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (cluster, name) DO NOTHING RETURNING id",
        )
        .bind(cluster)
        .bind(&s.name)
        .bind(&s.cron)
        .bind(&s.timezone)
        .bind(i64::from(s.enabled))
        .bind(&s.handled_until)
        .bind(&s.created_at)
        .bind(&s.created_at)
        .fetch_optional(&self.pool)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        self.schedule(cluster, id).await
    }

    /// Writes a schedule's fields; `Ok(false)` when another of that name exists.
    pub async fn update_schedule(
        &self,
        cluster: &str,
        s: &StoredSchedule,
        now: &str,
    ) -> Result<bool, StoreError> {
        if self
            .name_taken(Named::Schedules, cluster, &s.name, s.id)
            .await?
        {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE schedules SET name = $1, cron = $2, timezone = $3, enabled = $4, handled_until = $5, updated_at = $6 WHERE cluster = $7 AND id = $8",
        )
        .bind(&s.name)
        .bind(&s.cron)
        .bind(&s.timezone)
        .bind(i64::from(s.enabled))
        .bind(&s.handled_until)
        .bind(now)
        .bind(cluster)
        .bind(s.id)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// Removes a schedule and its fires; `false` when there was none.
    pub async fn delete_schedule(&self, cluster: &str, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM schedules WHERE cluster = $1 AND id = $2")
            .bind(cluster)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone > 0 {
            sqlx::query("DELETE FROM schedule_fires WHERE schedule_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(gone > 0)
    }

    /// Sets a one-time flag; `false` when it was set already.
    pub async fn set_flag(&self, name: &str, at: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "INSERT INTO console_flags (name, set_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(at)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    /// Records a fire and (`advance`) moves the schedule's `handled_until` to its due time, in
    /// one transaction: a fire is never handled twice, nor lost. A run-now does not advance.
    pub async fn record_fire(&self, f: &StoredFire, advance: bool) -> Result<(), StoreError> {
        let mut tx = self.leader_tx().await?;
        sqlx::query(
            "INSERT INTO schedule_fires (schedule_id, due_at, at, outcome, backup_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(f.schedule_id)
        .bind(&f.due_at)
        .bind(&f.at)
        .bind(&f.outcome)
        .bind(f.backup_id)
        .bind(&f.detail)
        .execute(&mut *tx)
        .await?;
        if advance {
            sqlx::query(
                "UPDATE schedules SET handled_until = $1 WHERE id = $2 AND handled_until < $3",
            )
            .bind(&f.due_at)
            .bind(f.schedule_id)
            .bind(&f.due_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A schedule's fires, newest first.
    pub async fn fires(&self, schedule_id: i64, limit: u32) -> Result<Vec<StoredFire>, StoreError> {
        sqlx::query(
            "SELECT schedule_id, due_at, at, outcome, backup_id, detail FROM schedule_fires WHERE schedule_id = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(schedule_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(fire)
        .collect()
    }
}
