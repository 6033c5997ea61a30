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

fn entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
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
        // Numbered placeholders written here (sqlx's query builder writes `?` for `Any`,
        // which PostgreSQL does not read).
        enum Arg {
            Text(String),
            Int(i64),
        }
        let mut sql = String::from(
            "SELECT seq, at, actor, actor_id, actor_kind, address, action, target, outcome, detail FROM audit_log WHERE 1 = 1",
        );
        let mut args: Vec<Arg> = Vec::new();
        let next = |args: &mut Vec<Arg>, arg: Arg| {
            args.push(arg);
            format!("${}", args.len())
        };
        if let Some(actor) = &f.actor {
            let a = next(&mut args, Arg::Text(actor.clone()));
            let b = next(&mut args, Arg::Text(actor.clone()));
            sql.push_str(&format!(" AND (actor = {a} OR actor_id = {b})"));
        }
        if let Some(action) = &f.action {
            if let Some(prefix) = action.strip_suffix('.') {
                let p = next(&mut args, Arg::Text(format!("{prefix}.")));
                let q = next(&mut args, Arg::Text(format!("{prefix}.")));
                sql.push_str(&format!(" AND substr(action, 1, length({p})) = {q}"));
            } else {
                let a = next(&mut args, Arg::Text(action.clone()));
                sql.push_str(&format!(" AND action = {a}"));
            }
        }
        if let Some(outcome) = &f.outcome {
            let o = next(&mut args, Arg::Text(outcome.clone()));
            sql.push_str(&format!(" AND outcome = {o}"));
        }
        if let Some(before) = f.before {
            let b = next(&mut args, Arg::Int(before));
            sql.push_str(&format!(" AND seq < {b}"));
        }
        let l = next(&mut args, Arg::Int(i64::from(f.limit)));
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {l}"));
        let mut q = sqlx::query(&sql);
        for arg in args {
            q = match arg {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(&self.pool).await?.iter().map(entry).collect()
    }
}
