//! The audit log: every mutating action (backup start and cancel, set deletion, restore start,
//! step confirmation, cancel and retry, sign-in and its failures, sign-out), appended once with
//! who, when, from where, what and the outcome. The table refuses updates and deletes.

use crate::auth::Caller;
use crate::domain::{AuditEntry, AuditPage, Permission};
use crate::rest::ApiError;
use crate::state::Console;
use crate::store::{AuditFilter, Store};
use axum::http::StatusCode;

/// How an attempted action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Not allowed (role, confirmation, state): nothing was done.
    Refused,
    /// Allowed, attempted, and it failed.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// Who acted, for entries without a signed-in caller (a failed sign-in).
#[derive(Clone, Copy, Debug)]
pub struct Who<'a> {
    pub actor: &'a str,
    pub kind: &'a str,
    pub address: Option<&'a str>,
}

impl<'a> From<&'a Caller> for Who<'a> {
    fn from(c: &'a Caller) -> Self {
        Self {
            actor: &c.principal.name,
            kind: c.principal.via.as_str(),
            address: c.address.as_deref(),
        }
    }
}

/// One entry to append.
#[derive(Clone, Debug)]
pub struct Record<'a> {
    pub action: &'a str,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

/// Appends the entry. A failed write is logged as an error and does not undo the action (it
/// already happened); the log names the action so it can be reconstructed.
pub async fn record(store: &Store, who: Who<'_>, r: Record<'_>) {
    let entry = AuditEntry {
        seq: 0,
        at: crate::engine::now(),
        actor: truncate(who.actor, 128),
        actor_kind: who.kind.to_owned(),
        address: who.address.map(str::to_owned),
        action: r.action.to_owned(),
        target: r.target,
        outcome: r.outcome.as_str().to_owned(),
        detail: r.detail.map(|d| truncate(&d, 2000)),
    };
    if let Err(e) = store.append_audit(&entry).await {
        tracing::error!(error = %e, action = %entry.action, actor = %entry.actor, outcome = %entry.outcome, "could not append to the audit log");
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Checks the audit log's query parameters (the same for the page and the API).
pub fn parse_filter(
    actor: Option<&str>,
    action: Option<&str>,
    outcome: Option<&str>,
    before: Option<i64>,
    limit: Option<&str>,
) -> Result<AuditFilter, ApiError> {
    let bad = |msg: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", msg);
    let text = |key: &str, v: Option<&str>| -> Result<Option<String>, ApiError> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) if v.chars().count() > 128 => {
                Err(bad(format!("`{key}` is longer than 128 characters")))
            }
            other => Ok(other.map(str::to_owned)),
        }
    };
    let outcome = text("outcome", outcome)?;
    if let Some(o) = &outcome {
        if !matches!(o.as_str(), "ok" | "refused" | "failed") {
            return Err(bad(format!(
                "`outcome` must be ok, refused or failed, not `{o}`"
            )));
        }
    }
    if before.is_some_and(|b| b < 1) {
        return Err(bad("`before` must be a positive sequence number".into()));
    }
    let limit = match limit {
        None => 100,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| bad(format!("`limit` must be 1 to 1000, not `{l}`")))?,
    };
    Ok(AuditFilter {
        actor: text("actor", actor)?,
        action: text("action", action)?,
        outcome,
        before,
        limit,
    })
}

/// A page of the audit log for `caller` (admins only).
pub async fn page(
    console: &Console,
    caller: &Caller,
    filter: &AuditFilter,
) -> Result<AuditPage, ApiError> {
    caller
        .require(Permission::ReadAudit)
        .map_err(|d| ApiError::new(StatusCode::FORBIDDEN, "forbidden", d.0))?;
    let entries = console
        .auth
        .store()
        .audit(filter)
        .await
        .map_err(crate::rest::journal_error)?;
    let next_before = (entries.len() == filter.limit as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(AuditPage {
        entries,
        next_before,
    })
}
