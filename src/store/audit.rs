//! The audit log's table: appended to, read, never changed (triggers refuse UPDATE and DELETE).

use super::{Store, StoreError};
use crate::domain::AuditEntry;
use sqlx::Row;

/// Which entries to read, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// Exact action (`backup.start`) or a prefix ending in `.` (`restore.`).
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Only entries older than this sequence number (the cursor).
    pub before: Option<i64>,
    pub limit: u32,
}

fn entry(r: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        actor_id: r.try_get("actor_id")?,
        actor_kind: r.try_get("actor_kind")?,
        address: r.try_get("address")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        outcome: r.try_get("outcome")?,
        detail: r.try_get("detail")?,
    })
}

impl Store {
    /// Appends one entry (its `seq` is ignored and assigned); returns the new sequence number.
    #[tracing::instrument(skip_all, fields(action = %e.action, outcome = %e.outcome))]
    pub async fn append_audit(&self, e: &AuditEntry) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, actor_id, actor_kind, address, action, target, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
        )
        .bind(&e.at)
        .bind(&e.actor)
        .bind(&e.actor_id)
        .bind(&e.actor_kind)
        .bind(&e.address)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.outcome)
        .bind(&e.detail)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Entries matching `f`, newest first, at most `f.limit`.
    pub async fn audit(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT seq, at, actor, actor_id, actor_kind, address, action, target, outcome, detail FROM audit_log WHERE 1 = 1",
        );
        if let Some(actor) = &f.actor {
            q.push(" AND (actor = ")
                .push_bind(actor.clone())
                .push(" OR actor_id = ")
                .push_bind(actor.clone())
                .push(")");
        }
        if let Some(action) = &f.action {
            if let Some(prefix) = action.strip_suffix('.') {
                q.push(" AND substr(action, 1, ")
                    .push_bind(i64::try_from(prefix.len() + 1).unwrap_or(i64::MAX))
                    .push(") = ")
                    .push_bind(format!("{prefix}."));
            } else {
                q.push(" AND action = ").push_bind(action.clone());
            }
        }
        if let Some(outcome) = &f.outcome {
            q.push(" AND outcome = ").push_bind(outcome.clone());
        }
        if let Some(before) = f.before {
            q.push(" AND seq < ").push_bind(before);
        }
        q.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(i64::from(f.limit));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(entry)
            .collect()
    }
}
