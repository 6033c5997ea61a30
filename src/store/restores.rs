//! The restore journal: one row per restore (its view as JSON) and its events, each transition
//! written in one transaction before the action it announces.

use super::{column_json, Framed, Store, StoreError};
use crate::domain::{RestoreEvent, RestoreState, RestoreSummary, RestoreView};
use sqlx::Row;

impl Store {
    /// Journals a new restore and its first event in one transaction; returns the event as
    /// journaled (the view's `restore_id` is set from the new row).
    #[tracing::instrument(skip_all, fields(backup_id = %view.backup_id))]
    pub async fn insert_restore(
        &self,
        view: &mut RestoreView,
        at: &str,
        message: &str,
    ) -> Result<Framed, StoreError> {
        let mut tx = self.leader_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO restores (backup_id, state, started_at, updated_at, view) VALUES ($1, $2, $3, $4, '{}') RETURNING restore_id",
        )
        .bind(view.backup_id.get())
        .bind(view.state.as_str())
        .bind(&view.started_at)
        .bind(&view.started_at)
        .fetch_one(&mut *tx)
        .await?;
        view.restore_id = id;
        sqlx::query("UPDATE restores SET view = $1 WHERE restore_id = $2")
            .bind(serde_json::to_string(view)?)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let event = RestoreEvent {
            seq: 1,
            restore_id: id,
            at: at.to_owned(),
            step: None,
            message: message.to_owned(),
            state: view.state,
            restore: Some(view.clone()),
            change: None,
        };
        let framed = Framed::of(1, event.state.is_terminal(), &event)?;
        sqlx::query(
            "INSERT INTO restore_events (restore_id, seq, at, payload) VALUES ($1, 1, $2, $3)",
        )
        .bind(id)
        .bind(at)
        .bind(&*framed.json)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(framed)
    }

    /// Journals a transition of a restore and its event; returns the event as journaled.
    #[tracing::instrument(skip_all, fields(restore_id = view.restore_id, seq = event.seq))]
    pub async fn record_restore(
        &self,
        view: &RestoreView,
        event: &RestoreEvent,
    ) -> Result<Framed, StoreError> {
        let framed = Framed::of(event.seq, event.state.is_terminal(), event)?;
        let mut tx = self.leader_tx().await?;
        sqlx::query(
            "UPDATE restores SET state = $1, updated_at = $2, finished_at = $3, view = $4 WHERE restore_id = $5",
        )
        .bind(view.state.as_str())
        .bind(&event.at)
        .bind(&view.finished_at)
        .bind(serde_json::to_string(view)?)
        .bind(view.restore_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO restore_events (restore_id, seq, at, payload) VALUES ($1, $2, $3, $4)",
        )
        .bind(view.restore_id)
        .bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
        .bind(&event.at)
        .bind(&*framed.json)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(framed)
    }

    pub async fn restore(&self, id: i64) -> Result<Option<RestoreView>, StoreError> {
        let row = sqlx::query("SELECT view FROM restores WHERE restore_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| column_json(&r, "view")).transpose()
    }

    /// Every restore, newest first.
    pub async fn restores(&self) -> Result<Vec<RestoreSummary>, StoreError> {
        let rows = sqlx::query(
            &format!("SELECT restore_id, backup_id, state, started_at, finished_at, {} AS rto, {} AS who FROM restores ORDER BY restore_id DESC",
            self.dialect.json_integer("view", &["rtoMs"]),
            self.dialect.json_text("view", &["startedBy"])),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(RestoreSummary {
                    restore_id: r.try_get("restore_id").ok()?,
                    backup_id: crate::domain::BackupId::new(r.try_get("backup_id").ok()?)?,
                    state: RestoreState::parse(r.try_get("state").ok()?)?,
                    started_at: r.try_get("started_at").ok()?,
                    finished_at: r.try_get("finished_at").ok()?,
                    rto_ms: r
                        .try_get::<Option<i64>, _>("rto")
                        .ok()
                        .flatten()
                        .and_then(|v| u64::try_from(v).ok()),
                    started_by: r.try_get::<Option<String>, _>("who").ok().flatten(),
                })
            })
            .collect())
    }

    /// The restore that holds set `backup_id` — one that has not ended (running, or waiting
    /// for the operator, with or without a task), or the newest restore of all when it failed
    /// (it can be retried) — with its state. Such a set must not be deleted.
    pub async fn restore_holding(
        &self,
        backup_id: i64,
    ) -> Result<Option<(i64, RestoreState)>, StoreError> {
        let row = sqlx::query(
            "SELECT restore_id, state FROM restores WHERE backup_id = $1 AND (state IN ('running', 'waiting') OR (state = 'failed' AND restore_id = (SELECT MAX(restore_id) FROM restores))) ORDER BY restore_id DESC LIMIT 1",
        )
        .bind(backup_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| {
            let id: i64 = r.try_get("restore_id").ok()?;
            let state = RestoreState::parse(r.try_get("state").ok()?)?;
            Some((id, state))
        }))
    }

    /// Every set a restore holds (as [`Store::restore_holding`] judges one): set → restore.
    pub async fn restores_holding(
        &self,
    ) -> Result<std::collections::HashMap<i64, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT backup_id, restore_id FROM restores WHERE state IN ('running', 'waiting') OR (state = 'failed' AND restore_id = (SELECT MAX(restore_id) FROM restores))",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("backup_id")?, r.try_get("restore_id")?)))
            .collect()
    }

    /// The newest restore, if any.
    pub async fn newest_restore(&self) -> Result<Option<RestoreView>, StoreError> {
        let row = sqlx::query("SELECT view FROM restores ORDER BY restore_id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| column_json(&r, "view")).transpose()
    }

    /// Restores whose end was never journaled (running or waiting), oldest first.
    pub async fn unfinished_restores(&self) -> Result<Vec<RestoreView>, StoreError> {
        let rows = sqlx::query(
            "SELECT view FROM restores WHERE state IN ('running', 'waiting') ORDER BY restore_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| column_json(r, "view")).collect()
    }

    /// At most `limit` events after `after`, in order, as journaled. Events journaled before
    /// they carried `state` have it in their whole restore.
    pub async fn restore_events_after(
        &self,
        id: i64,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Framed>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, payload FROM restore_events WHERE restore_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(id)
        .bind(i64::try_from(after).unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json: String = r.try_get("payload")?;
                #[derive(serde::Deserialize)]
                struct Whole {
                    state: RestoreState,
                }
                #[derive(serde::Deserialize)]
                struct Event {
                    #[serde(default)]
                    state: Option<RestoreState>,
                    #[serde(default)]
                    restore: Option<Whole>,
                }
                let e: Event = serde_json::from_str(&json)?;
                let state = e.restore.map(|w| w.state).or(e.state).unwrap_or_default();
                Ok(Framed {
                    seq: u64::try_from(r.try_get::<i64, _>("seq")?).unwrap_or(0),
                    terminal: state.is_terminal(),
                    json: json.into(),
                })
            })
            .collect()
    }

    /// The restore as it is now and the sequence number of its last event, read together.
    pub async fn restore_now(&self, id: i64) -> Result<Option<(RestoreView, u64)>, StoreError> {
        let row = sqlx::query(
            "SELECT view, (SELECT MAX(seq) FROM restore_events WHERE restore_id = r.restore_id) AS seq FROM restores r WHERE restore_id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let seq: Option<i64> = r.try_get("seq")?;
        Ok(Some((
            column_json(&r, "view")?,
            seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        )))
    }

    /// The sequence number of a restore's last event (0 when none).
    pub async fn restore_last_seq(&self, id: i64) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT MAX(seq) AS m FROM restore_events WHERE restore_id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let m: Option<i64> = row.try_get("m")?;
        Ok(m.and_then(|s| u64::try_from(s).ok()).unwrap_or(0))
    }
}
