//! The retention policy, pins, and retention's journaled deletions.

use super::{Store, StoreError};
use crate::domain::{Pin, RetentionPolicy, RetentionSettings};
use sqlx::Row;

/// A deletion retention decided and has not finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingDeletion {
    pub backup_id: i64,
    pub reason: String,
    pub decided_at: String,
    pub last_error: Option<String>,
}

impl Store {
    /// The saved policy; the defaults (off) when none was saved.
    pub async fn retention_policy(&self, cluster: &str) -> Result<RetentionSettings, StoreError> {
        let row = sqlx::query(
            "SELECT policy, saved_at, saved_by FROM retention_policies WHERE cluster = $1",
        )
        .bind(cluster)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => RetentionSettings::new(
                &serde_json::from_str::<RetentionPolicy>(&r.try_get::<String, _>("policy")?)?,
                r.try_get("saved_at")?,
                r.try_get("saved_by")?,
            ),
            None => RetentionSettings::new(&RetentionPolicy::default(), None, None),
        })
    }

    pub async fn save_retention_policy(
        &self,
        cluster: &str,
        policy: &RetentionPolicy,
        by: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO retention_policies (cluster, policy, saved_at, saved_by) VALUES ($1, $2, $3, $4) ON CONFLICT (cluster) DO UPDATE SET policy = excluded.policy, saved_at = excluded.saved_at, saved_by = excluded.saved_by",
        )
        .bind(cluster)
        .bind(serde_json::to_string(policy)?)
        .bind(at)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn pins(&self, cluster: &str) -> Result<Vec<Pin>, StoreError> {
        let rows = sqlx::query(
            "SELECT backup_id, pinned_by, pinned_at FROM pins WHERE cluster = $1 ORDER BY backup_id DESC",
        )
        .bind(cluster)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Pin {
                    backup_id: r.try_get("backup_id")?,
                    pinned_by: r.try_get("pinned_by")?,
                    pinned_at: r.try_get("pinned_at")?,
                })
            })
            .collect()
    }

    /// Pins a set; `false` when it was pinned already (the first pin is kept).
    pub async fn pin(&self, cluster: &str, pin: &Pin) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "INSERT INTO pins (cluster, backup_id, pinned_by, pinned_at) VALUES ($1, $2, $3, $4) ON CONFLICT (cluster, backup_id) DO NOTHING",
        )
        .bind(cluster)
        .bind(pin.backup_id)
        .bind(&pin.pinned_by)
        .bind(&pin.pinned_at)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    /// Unpins a set; `false` when it was not pinned.
    pub async fn unpin(&self, cluster: &str, backup_id: i64) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("DELETE FROM pins WHERE cluster = $1 AND backup_id = $2")
                .bind(cluster)
                .bind(backup_id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                > 0,
        )
    }

    /// Journals retention's decision to delete a set, before any part is deleted.
    pub async fn decide_deletion(
        &self,
        cluster: &str,
        backup_id: i64,
        reason: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.leader_tx().await?;
        sqlx::query(
            "INSERT INTO retention_deletions (cluster, backup_id, reason, decided_at) VALUES ($1, $2, $3, $4) ON CONFLICT (cluster, backup_id) DO UPDATE SET done_at = NULL, reason = excluded.reason",
        )
        .bind(cluster)
        .bind(backup_id)
        .bind(reason)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a decided deletion: done (`error` none) or left for the next pass.
    pub async fn end_deletion(
        &self,
        cluster: &str,
        backup_id: i64,
        at: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.leader_tx().await?;
        sqlx::query(
            "UPDATE retention_deletions SET done_at = CASE WHEN $1 IS NULL THEN $2 ELSE NULL END, last_error = $3 WHERE cluster = $4 AND backup_id = $5",
        )
        .bind(error)
        .bind(at)
        .bind(error)
        .bind(cluster)
        .bind(backup_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletions decided and not done, oldest decision first.
    pub async fn pending_deletions(
        &self,
        cluster: &str,
    ) -> Result<Vec<PendingDeletion>, StoreError> {
        let rows = sqlx::query(
            "SELECT backup_id, reason, decided_at, last_error FROM retention_deletions WHERE cluster = $1 AND done_at IS NULL ORDER BY decided_at, backup_id",
        )
        .bind(cluster)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingDeletion {
                    backup_id: r.try_get("backup_id")?,
                    reason: r.try_get("reason")?,
                    decided_at: r.try_get("decided_at")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// How many sets retention deleted in full, ever.
    pub async fn retention_deleted_total(&self, cluster: &str) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM retention_deletions WHERE cluster = $1 AND done_at IS NOT NULL",
        )
        .bind(cluster)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
