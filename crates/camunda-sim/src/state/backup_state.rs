//! Derivation of Operate/Tasklist (§5.3) and Optimize (§6.2) backup states from ES snapshots.

use serde_json::{json, Value};

use super::es::{SnapState, Snapshot};

/// Which application's rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// Operate/Tasklist 8.2–8.7.
    Webapp,
    /// Optimize.
    Optimize,
}

/// `startTime` as Java `OffsetDateTime` in UTC: `2025-06-03T07:55:15.685+0000`.
pub fn java_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

/// Backup id of a snapshot: metadata `backupId`, or parsed from `{prefix}{id}_...`.
pub fn backup_id_of(s: &Snapshot, prefix: &str) -> Option<u64> {
    s.metadata
        .as_ref()
        .and_then(|m| m.get("backupId"))
        .and_then(Value::as_u64)
        .or_else(|| {
            s.name
                .strip_prefix(prefix)
                .and_then(|rest| rest.split('_').next())
                .and_then(|id| id.parse().ok())
        })
}

fn part_count(s: &Snapshot) -> Option<u64> {
    s.metadata
        .as_ref()
        .and_then(|m| m.get("partCount"))
        .and_then(Value::as_u64)
        .or_else(|| s.name.rsplit("_of_").next().and_then(|n| n.parse().ok()))
}

/// Derives `(state, failureReason)` from the snapshots of one backup (sorted by start time).
pub fn derive(kind: AppKind, snaps: &[&Snapshot]) -> (&'static str, Option<String>) {
    let has = |st: SnapState| snaps.iter().any(|s| s.state == st);
    let names = |pred: &dyn Fn(&Snapshot) -> bool| -> Vec<String> {
        snaps
            .iter()
            .filter(|s| pred(s))
            .map(|s| s.name.clone())
            .collect()
    };
    let expected = match kind {
        AppKind::Webapp => snaps.first().and_then(|s| part_count(s)).unwrap_or(0) as usize,
        AppKind::Optimize => 2,
    };
    let all_success = snaps.iter().all(|s| s.state == SnapState::Success);
    if snaps.len() == expected && all_success {
        return ("COMPLETED", None);
    }
    if has(SnapState::Failed) || has(SnapState::Partial) {
        let reason = match kind {
            AppKind::Webapp => {
                let failed = names(&|s| s.state == SnapState::Failed);
                if !failed.is_empty() {
                    format!(
                        "There were failures with the following snapshots: {}",
                        failed.join(", ")
                    )
                } else {
                    format!(
                        "Some of the snapshots are partial: {}",
                        names(&|s| s.state == SnapState::Partial).join(", ")
                    )
                }
            }
            AppKind::Optimize => format!(
                "The following snapshots failed: [{}]",
                names(&|s| matches!(s.state, SnapState::Failed | SnapState::Partial)).join(", ")
            ),
        };
        return ("FAILED", Some(reason));
    }
    if has(SnapState::Incompatible) {
        return ("INCOMPATIBLE", None);
    }
    if has(SnapState::InProgress) {
        return ("IN_PROGRESS", None);
    }
    let successes = snaps
        .iter()
        .filter(|s| s.state == SnapState::Success)
        .count();
    let incomplete = match kind {
        AppKind::Webapp => snaps.len() < expected,
        AppKind::Optimize => successes < expected,
    };
    if incomplete {
        return ("INCOMPLETE", None);
    }
    let reason = (kind == AppKind::Webapp && snaps.len() > expected)
        .then(|| "More snapshots found than expected.".to_string());
    ("FAILED", reason)
}

/// `GetBackupStateResponseDto` / `BackupInfoDto` JSON.
pub fn backup_json(kind: AppKind, id: u64, snaps: &[&Snapshot]) -> Value {
    let (state, reason) = derive(kind, snaps);
    let details: Vec<Value> = snaps
        .iter()
        .map(|s| {
            json!({
                "snapshotName": s.name,
                "state": s.state.as_str(),
                "startTime": java_time(&s.start_time),
                "failures": s.failure_strings(),
            })
        })
        .collect();
    json!({"backupId": id, "state": state, "failureReason": reason, "details": details})
}
