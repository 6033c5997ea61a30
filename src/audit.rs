//! The audit log: every mutating action (backup start and cancel, set deletion, restore start,
//! step confirmation, cancel and retry, sign-in and its failures, sign-out), appended once with
//! who, when, from where, what and the outcome. The table refuses updates and deletes.

use crate::auth::Caller;
use crate::domain::{AuditEntry, AuditPage, Permission};
use crate::store::{AuditFilter, Store, StoreError};

/// How an attempted action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written before the work starts: whatever happens to the request, the log shows that it
    /// was tried, followed by how it ended.
    Attempted,
    Ok,
    /// Not allowed (role, confirmation, state): nothing was done.
    Refused,
    /// Allowed, attempted, and it failed.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Attempted => "attempted",
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// Who acted, for entries without a signed-in caller (a failed sign-in).
#[derive(Clone, Copy, Debug)]
pub struct Who<'a> {
    /// The display name (a user, a token, `-`).
    pub actor: &'a str,
    /// A stable identifier when the name is not one: the provider's `sub` for single sign-on.
    pub id: Option<&'a str>,
    pub kind: &'a str,
    pub address: Option<&'a str>,
}

impl<'a> From<&'a Caller> for Who<'a> {
    fn from(c: &'a Caller) -> Self {
        Self {
            actor: &c.principal.name,
            id: c.principal.subject.as_deref(),
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
        actor_id: who.id.map(|i| truncate(i, 255)),
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

/// How long repeats of one unauthenticated entry are gathered into one.
pub const AGGREGATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
/// Keys gathered at most; when full, the oldest is summed up and written first.
const MAX_AGGREGATED: usize = 1000;

/// What makes two unauthenticated entries "the same": who, from where, what, how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RepeatKey {
    actor: String,
    id: Option<String>,
    kind: String,
    address: Option<String>,
    action: String,
    target: Option<String>,
    outcome: &'static str,
}

struct Repeats {
    since: std::time::Instant,
    first_at: String,
    count: u64,
}

/// Entries that anyone can cause without signing in (refused sign-ins, a provider's error on
/// the callback) are written once per key per [`AGGREGATE_WINDOW`]; the repeats are counted
/// and written as one entry when the window ends. The log stays append-only, and a flood of
/// requests adds a few entries a minute instead of one each.
#[derive(Default)]
pub struct Aggregator {
    open: std::sync::Mutex<std::collections::HashMap<RepeatKey, Repeats>>,
}

impl Aggregator {
    fn locked(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<RepeatKey, Repeats>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes the entry when it is the first of its key in the window; otherwise counts it.
    pub async fn record(&self, store: &Store, who: Who<'_>, r: Record<'_>) {
        let key = RepeatKey {
            actor: truncate(who.actor, 128),
            id: who.id.map(str::to_owned),
            kind: who.kind.to_owned(),
            address: who.address.map(str::to_owned),
            action: r.action.to_owned(),
            target: r.target.clone(),
            outcome: r.outcome.as_str(),
        };
        let now = std::time::Instant::now();
        let mut due = Vec::new();
        let first = {
            let mut open = self.locked();
            if let Some(rep) = open.get_mut(&key) {
                if now.duration_since(rep.since) < AGGREGATE_WINDOW {
                    rep.count += 1;
                    false
                } else {
                    if let Some(old) = open.remove(&key) {
                        due.push((key.clone(), old));
                    }
                    true
                }
            } else {
                true
            }
        };
        if first {
            let mut open = self.locked();
            if open.len() >= MAX_AGGREGATED {
                if let Some(oldest) = open
                    .iter()
                    .min_by_key(|(_, rep)| rep.since)
                    .map(|(k, _)| k.clone())
                {
                    if let Some(rep) = open.remove(&oldest) {
                        due.push((oldest, rep));
                    }
                }
            }
            open.insert(
                key,
                Repeats {
                    since: now,
                    first_at: crate::engine::now(),
                    count: 0,
                },
            );
        }
        for (k, rep) in due {
            write_repeats(store, k, rep).await;
        }
        if first {
            record(store, who, r).await;
        }
    }

    /// Writes the repeats of every window that has ended (`all`: of every window, as at
    /// shutdown).
    pub async fn flush(&self, store: &Store, all: bool) {
        let due: Vec<(RepeatKey, Repeats)> = {
            let mut open = self.locked();
            let keys: Vec<RepeatKey> = open
                .iter()
                .filter(|(_, rep)| all || rep.since.elapsed() >= AGGREGATE_WINDOW)
                .map(|(k, _)| k.clone())
                .collect();
            keys.into_iter()
                .filter_map(|k| open.remove(&k).map(|rep| (k, rep)))
                .collect()
        };
        for (k, rep) in due {
            write_repeats(store, k, rep).await;
        }
    }
}

/// One entry for the repeats of a window, if there were any.
async fn write_repeats(store: &Store, key: RepeatKey, rep: Repeats) {
    if rep.count == 0 {
        return;
    }
    let outcome = match key.outcome {
        "attempted" => Outcome::Attempted,
        "ok" => Outcome::Ok,
        "refused" => Outcome::Refused,
        _ => Outcome::Failed,
    };
    record(
        store,
        Who {
            actor: &key.actor,
            id: key.id.as_deref(),
            kind: &key.kind,
            address: key.address.as_deref(),
        },
        Record {
            action: &key.action,
            target: key.target.clone(),
            outcome,
            detail: Some(format!(
                "repeated {} more time{} since {} (gathered into this entry)",
                rep.count,
                if rep.count == 1 { "" } else { "s" },
                rep.first_at
            )),
        },
    )
    .await;
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A query parameter of the audit log that is not valid (the words name it).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidQuery(pub String);

/// Why a page of the audit log was not read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Only admins read the audit log (the words name the role needed).
    #[error("{0}")]
    Forbidden(String),
    #[error("the audit log could not be read")]
    Store(#[from] StoreError),
}

/// Checks the audit log's query parameters (the same for the page and the API).
pub fn parse_filter(
    actor: Option<&str>,
    action: Option<&str>,
    outcome: Option<&str>,
    before: Option<i64>,
    limit: Option<&str>,
) -> Result<AuditFilter, InvalidQuery> {
    let bad = |msg: String| InvalidQuery(msg);
    let text = |key: &str, v: Option<&str>| -> Result<Option<String>, InvalidQuery> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) if v.chars().count() > 128 => {
                Err(bad(format!("`{key}` is longer than 128 characters")))
            }
            other => Ok(other.map(str::to_owned)),
        }
    };
    let outcome = text("outcome", outcome)?;
    if let Some(o) = &outcome {
        if !matches!(o.as_str(), "attempted" | "ok" | "refused" | "failed") {
            return Err(bad(format!(
                "`outcome` must be attempted, ok, refused or failed, not `{o}`"
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
    store: &Store,
    caller: &Caller,
    filter: &AuditFilter,
) -> Result<AuditPage, AuditError> {
    caller
        .require(Permission::ReadAudit)
        .map_err(|d| AuditError::Forbidden(d.0))?;
    let entries = store.audit(filter).await?;
    let next_before = (entries.len() == filter.limit as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(AuditPage {
        entries,
        next_before,
    })
}
