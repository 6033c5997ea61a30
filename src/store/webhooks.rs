//! Webhooks and their deliveries. The URL and the secret are read only by the sender.

use super::{Named, Store, StoreError};
use crate::domain::Delivery;
use sqlx::Row;

/// A hook as stored, with its secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredHook {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub secret: Option<String>,
    pub format: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

impl std::fmt::Debug for StoredHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredHook")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("format", &self.format)
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// A delivery due for an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub hook_id: i64,
    pub event: String,
    pub body: String,
    pub created_at: String,
    pub attempts: u32,
}

fn hook(r: &sqlx::any::AnyRow) -> Result<StoredHook, StoreError> {
    Ok(StoredHook {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        format: r.try_get("format")?,
        events: serde_json::from_str(&r.try_get::<String, _>("events")?)?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
    })
}

fn delivery(r: &sqlx::any::AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.try_get("id")?,
        event: r.try_get("event")?,
        created_at: r.try_get("created_at")?,
        attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(0),
        state: r.try_get("state")?,
        last_status: r
            .try_get::<Option<i64>, _>("last_status")?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: r.try_get("last_error")?,
        ended_at: r.try_get("ended_at")?,
    })
}

const HOOK: &str = "id, name, url, secret, format, events, enabled";
const DELIVERY: &str = "id, event, created_at, attempts, state, last_status, last_error, ended_at";

impl Store {
    pub async fn hooks(&self, cluster: &str) -> Result<Vec<StoredHook>, StoreError> {
        sqlx::query(&format!(
            "SELECT {HOOK} FROM webhooks WHERE cluster = $1 ORDER BY name"
        ))
        .bind(cluster)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(hook)
        .collect()
    }

    pub async fn hook(&self, cluster: &str, id: i64) -> Result<Option<StoredHook>, StoreError> {
        sqlx::query(&format!(
            "SELECT {HOOK} FROM webhooks WHERE cluster = $1 AND id = $2"
        ))
        .bind(cluster)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(hook)
        .transpose()
    }

    /// Adds a hook; `None` when one of that name exists.
    pub async fn insert_hook(
        &self,
        cluster: &str,
        h: &StoredHook,
        at: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO webhooks (cluster, name, url, secret, format, events, enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (cluster, name) DO NOTHING RETURNING id",
        )
        .bind(cluster)
        .bind(&h.name)
        .bind(&h.url)
        .bind(&h.secret)
        .bind(&h.format)
        .bind(serde_json::to_string(&h.events)?)
        .bind(i64::from(h.enabled))
        .bind(at)
        .bind(at)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Writes a hook; `false` when another hook has its name.
    pub async fn update_hook(
        &self,
        cluster: &str,
        h: &StoredHook,
        at: &str,
    ) -> Result<bool, StoreError> {
        if self
            .name_taken(Named::Webhooks, cluster, &h.name, h.id)
            .await?
        {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE webhooks SET name = $1, url = $2, secret = $3, format = $4, events = $5, enabled = $6, updated_at = $7 WHERE cluster = $8 AND id = $9",
        )
        .bind(&h.name)
        .bind(&h.url)
        .bind(&h.secret)
        .bind(&h.format)
        .bind(serde_json::to_string(&h.events)?)
        .bind(i64::from(h.enabled))
        .bind(at)
        .bind(cluster)
        .bind(h.id)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// Removes a hook and ends its pending deliveries; `false` when there was none.
    pub async fn delete_hook(&self, cluster: &str, id: i64, at: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM webhooks WHERE cluster = $1 AND id = $2")
            .bind(cluster)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone > 0 {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'gave_up', next_at = NULL, ended_at = $1, last_error = 'the webhook was deleted' WHERE hook_id = $2 AND state = 'pending'",
            )
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(gone > 0)
    }

    /// Journals a delivery due now; returns its id.
    pub async fn enqueue_delivery(
        &self,
        hook_id: i64,
        event: &str,
        body: &str,
        at: &str,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO webhook_deliveries (hook_id, event, body, created_at, next_at, state) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
        )
        .bind(hook_id)
        .bind(event)
        .bind(body)
        .bind(at)
        .bind(at)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Deliveries due at or before `now`, oldest first.
    pub async fn due_deliveries(
        &self,
        now: &str,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, hook_id, event, body, created_at, attempts FROM webhook_deliveries WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DueDelivery {
                    id: r.try_get("id")?,
                    hook_id: r.try_get("hook_id")?,
                    event: r.try_get("event")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                    attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(0),
                })
            })
            .collect()
    }

    /// When the next pending delivery is due.
    pub async fn next_delivery_at(&self) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(next_at) FROM webhook_deliveries WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records an attempt: delivered, retried at `next_at`, or given up (`next_at` none and
    /// not delivered).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_attempt(
        &self,
        id: i64,
        delivered: bool,
        status: Option<u16>,
        error: Option<&str>,
        next_at: Option<&str>,
        at: &str,
    ) -> Result<(), StoreError> {
        let state = match (delivered, next_at) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "gave_up",
        };
        let mut tx = self.leader_tx().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, state = $1, last_status = $2, last_error = $3, next_at = $4, ended_at = CASE WHEN $5 = 'pending' THEN NULL ELSE $6 END WHERE id = $7",
        )
        .bind(state)
        .bind(status.map(i64::from))
        .bind(error)
        .bind(next_at)
        .bind(state)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A hook's deliveries, newest first.
    pub async fn deliveries(&self, hook_id: i64, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        sqlx::query(&format!(
            "SELECT {DELIVERY} FROM webhook_deliveries WHERE hook_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(hook_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(delivery)
        .collect()
    }

    pub async fn delivery(&self, id: i64) -> Result<Option<Delivery>, StoreError> {
        sqlx::query(&format!(
            "SELECT {DELIVERY} FROM webhook_deliveries WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(delivery)
        .transpose()
    }
}
