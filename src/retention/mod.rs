//! Set-aware retention: one policy per cluster (off until saved) that deletes whole sets —
//! every component's backup and every snapshot — and never the newest restorable set, a set
//! under restore, a set being taken, a pinned set, or anything while the newest restorable set
//! is older than the RPO objective (`policy`). A pass runs after every backup run and every
//! `retention_interval_secs`; it reads the cluster once, journals each decision before the
//! first part is deleted (a deletion cut short is finished by the next pass), deletes at most
//! `retention_max_deletions_per_pass` sets, and audits each deletion with the policy as actor.

pub mod policy;

use crate::audit::{self, Outcome, Record, Who};
use crate::clock::SharedClock;
use crate::domain::{
    BackupId, Pin, RetentionDecision, RetentionPolicy, RetentionPreview, RetentionSettings, Verdict,
};
use crate::history::{DeleteError, Judge, Services};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use policy::SetFacts;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The audit log's actor for retention's deletions.
pub const ACTOR: Who<'static> = Who {
    actor: "retention policy",
    id: None,
    kind: "policy",
    address: None,
};

/// Why a retention request or pass failed.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("no backup set with id {0} in the journal, the components or the repository")]
    UnknownSet(i64),
    #[error("the console's database failed")]
    Store(#[from] StoreError),
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    pub deleted: Vec<i64>,
    /// Sets whose deletion left parts behind or was refused, with the words.
    pub failed: Vec<(i64, String)>,
    /// Sets the policy would delete that wait for a later pass (the per-pass limit).
    pub deferred: usize,
}

/// Handle to retention; cheap to clone.
#[derive(Clone)]
pub struct Retention {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    cluster: String,
    clock: SharedClock,
    max_per_pass: u32,
    interval: Duration,
    wake: tokio::sync::Notify,
    /// One pass at a time.
    pass: tokio::sync::Mutex<()>,
    /// `retention.failed` goes out here.
    alerts: crate::alerts::Alerts,
}

impl Retention {
    pub fn new(
        store: Store,
        cluster: String,
        clock: SharedClock,
        max_per_pass: u32,
        interval: Duration,
        alerts: crate::alerts::Alerts,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                cluster,
                clock,
                max_per_pass,
                interval,
                wake: tokio::sync::Notify::new(),
                pass: tokio::sync::Mutex::new(()),
                alerts,
            }),
        }
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    pub async fn settings(&self) -> Result<RetentionSettings, RetentionError> {
        Ok(self.store().retention_policy(&self.inner.cluster).await?)
    }

    /// Saves the policy (checked first); a pass follows soon.
    pub async fn save(&self, policy: &RetentionPolicy, by: &str) -> Result<(), RetentionError> {
        check(policy)?;
        let at = crate::clock::stamp(self.inner.clock.now());
        self.store()
            .save_retention_policy(&self.inner.cluster, policy, by, &at)
            .await?;
        self.poke();
        Ok(())
    }

    /// Asks for a pass soon (after a run ended, a policy was saved).
    pub fn poke(&self) {
        self.inner.wake.notify_one();
    }

    pub async fn pins(&self) -> Result<Vec<Pin>, RetentionError> {
        Ok(self.store().pins(&self.inner.cluster).await?)
    }

    /// Pins set `id` (Keep); `false` when it was pinned already.
    pub async fn pin(
        &self,
        services: &Services<'_>,
        id: BackupId,
        by: &str,
    ) -> Result<bool, RetentionError> {
        let known = crate::history::history_set(services, id).await?.is_some()
            || services.engine.store().run(id).await?.is_some();
        if !known {
            return Err(RetentionError::UnknownSet(id.get()));
        }
        Ok(self
            .store()
            .pin(
                &self.inner.cluster,
                &Pin {
                    backup_id: id.get(),
                    pinned_by: by.to_owned(),
                    pinned_at: crate::clock::stamp(self.inner.clock.now()),
                },
            )
            .await?)
    }

    pub async fn unpin(&self, id: BackupId) -> Result<bool, RetentionError> {
        Ok(self.store().unpin(&self.inner.cluster, id.get()).await?)
    }

    /// What `policy` (the saved one when `None`) would do now, on the kept reads.
    pub async fn preview(
        &self,
        services: &Services<'_>,
        policy: Option<RetentionPolicy>,
    ) -> Result<RetentionPreview, RetentionError> {
        let policy = match policy {
            Some(p) => {
                check(&p)?;
                p
            }
            None => self.settings().await?.policy(),
        };
        let facts = self.facts(services).await?;
        let mut preview = policy::decide(
            &facts,
            &policy,
            self.inner.clock.now(),
            services.rpo_objective_hours,
        );
        preview.unfinished = self
            .store()
            .pending_deletions(&self.inner.cluster)
            .await?
            .into_iter()
            .map(|p| RetentionDecision {
                backup_id: p.backup_id,
                reason: match p.last_error {
                    Some(e) => format!("{} Not finished: {e}", p.reason),
                    None => format!("{} Not finished (the console stopped).", p.reason),
                },
            })
            .collect();
        Ok(preview)
    }

    /// Every set as retention sees it.
    async fn facts(&self, services: &Services<'_>) -> Result<Vec<SetFacts>, RetentionError> {
        let view = services.cache.view(services.engine.store()).await?;
        let pins: HashMap<i64, String> = self
            .pins()
            .await?
            .into_iter()
            .map(|p| (p.backup_id, p.pinned_by))
            .collect();
        let holding = services.engine.store().restores_holding().await?;
        let running = services.engine.active_run().map(BackupId::get);
        Ok(view
            .rows
            .iter()
            .map(|r| {
                let id = r.backup_id.get();
                SetFacts {
                    backup_id: id,
                    verdict: r.verdict,
                    taken_at: r
                        .taken_at
                        .as_deref()
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc)),
                    zeebe_own: r.started_by.as_deref() == Some(crate::history::ZEEBE_OWN),
                    pinned_by: pins.get(&id).cloned(),
                    under_restore: holding.get(&id).copied(),
                    running: running == Some(id) || r.verdict == Verdict::InProgress,
                }
            })
            .collect())
    }

    /// One pass: finishes deletions cut short, then deletes what the policy says, oldest
    /// first, at most the per-pass limit. Nothing when the policy is off.
    #[tracing::instrument(skip_all)]
    pub async fn pass(&self, services: &Services<'_>) -> Result<PassReport, RetentionError> {
        let _one = self.inner.pass.lock().await;
        let settings = self.settings().await?;
        if !settings.enabled || settings.saved_at.is_none() {
            return Ok(PassReport::default());
        }
        // One read of every list for the whole pass (not one per set).
        services
            .cache
            .refresh(services.clients, services.cluster, services.engine.store())
            .await;
        let preview = self.preview(services, Some(settings.policy())).await?;
        let protected: HashMap<i64, &str> = preview
            .keep
            .iter()
            .map(|k| (k.backup_id, k.reason.as_str()))
            .collect();
        let known: std::collections::HashSet<i64> = preview
            .keep
            .iter()
            .chain(&preview.delete)
            .map(|d| d.backup_id)
            .collect();
        let mut todo: Vec<(i64, String)> = Vec::new();
        for p in self.store().pending_deletions(&self.inner.cluster).await? {
            if !known.contains(&p.backup_id) {
                // Nothing of it is left: the deletion is done.
                let at = crate::clock::stamp(self.inner.clock.now());
                self.store()
                    .end_deletion(&self.inner.cluster, p.backup_id, &at, None)
                    .await?;
                continue;
            }
            if let Some(reason) = protected.get(&p.backup_id).filter(|r| never_deleted(r)) {
                tracing::info!(
                    backup_id = p.backup_id,
                    reason,
                    "an unfinished deletion waits: the set is protected now"
                );
                continue;
            }
            todo.push((p.backup_id, p.reason));
        }
        for d in preview.delete {
            if !todo.iter().any(|(id, _)| *id == d.backup_id) {
                todo.push((d.backup_id, d.reason));
            }
        }
        let limit = self.inner.max_per_pass as usize;
        let mut report = PassReport {
            deferred: todo.len().saturating_sub(limit),
            ..PassReport::default()
        };
        for (id, reason) in todo.into_iter().take(limit) {
            let Some(backup) = BackupId::new(id) else {
                continue;
            };
            match self.delete_one(services, backup, &reason).await {
                Ok(()) => report.deleted.push(id),
                Err(words) => report.failed.push((id, words)),
            }
        }
        if !report.deleted.is_empty() || !report.failed.is_empty() {
            // One read of the cluster after the pass (not one per set).
            services.cache.refresh_soon();
            tracing::info!(deleted = ?report.deleted, failed = report.failed.len(), deferred = report.deferred, "retention pass");
        }
        if !report.failed.is_empty() {
            let words: Vec<String> = report
                .failed
                .iter()
                .map(|(id, e)| format!("{id}: {e}"))
                .collect();
            self.inner
                .alerts
                .emit(
                    "retention.failed",
                    format!(
                        "Retention could not delete {} set(s); the next pass tries again. {}",
                        report.failed.len(),
                        words.join("; ")
                    ),
                    serde_json::json!({
                        "failed": report.failed.iter().map(|(id, e)| serde_json::json!({"backupId": id, "error": e})).collect::<Vec<_>>(),
                        "deleted": report.deleted,
                    }),
                )
                .await;
        }
        Ok(report)
    }

    async fn delete_one(
        &self,
        services: &Services<'_>,
        id: BackupId,
        reason: &str,
    ) -> Result<(), String> {
        let cluster = &self.inner.cluster;
        let now = || crate::clock::stamp(self.inner.clock.now());
        self.store()
            .decide_deletion(cluster, id.get(), reason, &now())
            .await
            .map_err(|e| e.to_string())?;
        let entry = |outcome, detail| Record {
            action: "set.delete",
            target: Some(format!("backup set {id}")),
            outcome,
            detail,
        };
        let audit_store = services.engine.store();
        audit::record(
            audit_store,
            ACTOR,
            entry(Outcome::Attempted, Some(reason.to_owned())),
        )
        .await;
        let result = crate::history::delete_set_judged(services, id, false, Judge::Kept).await;
        let (error, outcome, detail) = match &result {
            Ok(o) if o.complete => (None, Outcome::Ok, format!("every part deleted ({reason})")),
            Ok(o) => {
                let left = o.left.clone().unwrap_or_else(|| "see the set".into());
                (
                    Some(left.clone()),
                    Outcome::Failed,
                    format!("not every part was deleted: {left}"),
                )
            }
            Err(e) => {
                let refused = !matches!(e, DeleteError::Store(_));
                (
                    Some(e.to_string()),
                    if refused {
                        Outcome::Refused
                    } else {
                        Outcome::Failed
                    },
                    e.to_string(),
                )
            }
        };
        audit::record(audit_store, ACTOR, entry(outcome, Some(detail))).await;
        self.store()
            .end_deletion(cluster, id.get(), &now(), error.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        match error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Resolves at the next pass's time: `retention_interval_secs` from now, or sooner when
    /// poked (a poke during a pass is kept for the next wait).
    pub async fn until_next_pass(&self) {
        let next = self.inner.clock.now()
            + chrono::Duration::from_std(self.inner.interval).unwrap_or(chrono::Duration::hours(1));
        tokio::select! {
            () = self.inner.clock.sleep_until(next) => {}
            () = self.inner.wake.notified() => {}
        }
    }
}

/// Reasons a set is kept whatever the policy says.
fn never_deleted(reason: &str) -> bool {
    reason.starts_with("Being taken")
        || reason.starts_with("Used by restore")
        || reason.starts_with("Pinned")
        || reason.starts_with("The newest restorable")
        || reason.starts_with("Zeebe's own")
}

/// A policy's values, refused with the field's name.
pub fn check(p: &RetentionPolicy) -> Result<(), RetentionError> {
    let bad = |field, message: &str| RetentionError::Invalid {
        field,
        message: message.into(),
    };
    if p.keep_last == 0 {
        return Err(bad(
            "keepLast",
            "must be at least 1 (the newest restorable set is always kept)",
        ));
    }
    for (field, v, max) in [
        ("keepLast", p.keep_last, 10_000),
        ("keepDays", p.keep_days, 36_500),
        ("keepDaily", p.keep_daily, 3_650),
        ("keepWeekly", p.keep_weekly, 520),
        ("keepMonthly", p.keep_monthly, 1_200),
        (
            "deleteFailedAfterDays",
            p.delete_failed_after_days.unwrap_or(0),
            36_500,
        ),
    ] {
        if v > max {
            return Err(bad(field, &format!("must be at most {max}")));
        }
    }
    Ok(())
}
