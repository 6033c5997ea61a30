//! 8.10's in-cluster restore (docs/camunda-api-8.8-8.10.md §3.4): `PATCH /v2/mode` (recovery
//! mode, with `dryRun`), `POST /v2/restore` (with `dryRun`; 409 unless every broker is in
//! recovery mode), `GET /v2/restore` (progress per broker and partition; 404 when nothing is in
//! flight), and the management port's `GET /actuator/cluster` with `lastChange` and
//! `pendingChange`. A restore deletes each broker's partitions and restores them from the
//! backup, then the same change switches every broker back to `PROCESSING`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{json, Value};

use super::rest::problem;
use super::{json_resp, Ctx, Req};
use crate::faults::lock;
use crate::shared::Shared;
use crate::state::recovery::{Change, InClusterRestore, PartitionRestore};
use crate::state::zeebe::PartitionBackupState;

/// How long a mode change takes to apply on every broker.
const MODE_CHANGE: Duration = Duration::from_millis(60);

fn iso(t: &chrono::DateTime<Utc>) -> String {
    crate::state::zeebe::iso_nanos(t)
}

fn change_json(c: &Change) -> Value {
    json!({
        "id": c.id,
        "status": c.status,
        "startedAt": iso(&c.started_at),
        "completedAt": c.completed_at.as_ref().map(iso),
    })
}

fn mode_name(recovering: bool) -> &'static str {
    if recovering {
        "RECOVERING"
    } else {
        "PROCESSING"
    }
}

/// `GET /actuator/cluster`: the brokers, their partitions, the last and the pending change.
pub(crate) fn cluster(ctx: &Ctx) -> Response {
    let shared = &ctx.shared;
    let st = lock(&shared.state);
    let r = &st.zeebe.recovery;
    let brokers: Vec<Value> = (0..shared.config.brokers)
        .map(|b| {
            let partitions: Vec<Value> = shared
                .config
                .hosted_partitions(b)
                .into_iter()
                .map(|p| json!({"id": p, "state": "ACTIVE", "priority": 1}))
                .collect();
            json!({"id": b, "state": "ACTIVE", "version": r.next_change,
                   "mode": mode_name(r.recovering), "partitions": partitions})
        })
        .collect();
    let mut v = json!({"version": r.next_change, "brokers": brokers});
    if let Some(c) = &r.last_change {
        v["lastChange"] = change_json(c);
    }
    if let Some(c) = &r.pending_change {
        v["pendingChange"] = change_json(c);
    }
    json_resp(StatusCode::OK, &v)
}

/// `PATCH /v2/mode?mode=RECOVERING|PROCESSING[&dryRun=true]`.
pub(crate) fn mode(ctx: &Ctx, r: &Req) -> Response {
    let target = match r.q("mode").map(str::to_ascii_uppercase).as_deref() {
        Some("RECOVERING") => true,
        Some("PROCESSING") => false,
        other => {
            return problem(
                400,
                "INVALID_ARGUMENT",
                &format!(
                    "Expected mode to be one of [PROCESSING, RECOVERING], but was '{}'",
                    other.unwrap_or("")
                ),
                &r.path,
            )
        }
    };
    let shared = ctx.shared.clone();
    let mut st = lock(&shared.state);
    let rec = &mut st.zeebe.recovery;
    if rec.pending_change.is_some() {
        return problem(
            409,
            "CONFLICT",
            "Another cluster configuration change is in progress",
            &r.path,
        );
    }
    let planned: Vec<Value> = if rec.recovering == target {
        Vec::new()
    } else {
        (0..shared.config.brokers)
            .map(|b| json!({"operation": "ModeChangeOperation", "brokerId": b, "mode": mode_name(target)}))
            .collect()
    };
    if r.flag("dryRun") {
        return json_resp(
            StatusCode::OK,
            &json!({"changeId": (rec.next_change + 1).to_string(), "plannedChanges": planned}),
        );
    }
    let id = rec.begin();
    shared.save_zeebe(&st);
    drop(st);
    let s = shared.clone();
    shared.spawn(async move {
        tokio::time::sleep(MODE_CHANGE).await;
        let mut st = lock(&s.state);
        st.zeebe.recovery.recovering = target;
        st.zeebe.recovery.complete(id, "COMPLETED");
        s.save_zeebe(&st);
        tracing::info!(
            mode = mode_name(target),
            change = id,
            "cluster mode changed"
        );
    });
    json_resp(
        StatusCode::OK,
        &json!({"changeId": id.to_string(), "plannedChanges": planned}),
    )
}

/// `POST /v2/restore[?dryRun=true]` with `{"backupIds": [id]}`.
pub(crate) fn start(ctx: &Ctx, r: &Req) -> Response {
    let body = r.json().unwrap_or(Value::Null);
    if body.get("from").is_some() || body.get("to").is_some() {
        return problem(
            400,
            "INVALID_ARGUMENT",
            "A restore from a time range is only supported with an RDBMS secondary storage; give backupIds",
            &r.path,
        );
    }
    let ids: Vec<i64> = body
        .get("backupIds")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let [id] = ids.as_slice() else {
        return problem(
            400,
            "INVALID_ARGUMENT",
            &format!(
                "Expected exactly one backup id to restore from, but got {}",
                ids.len()
            ),
            &r.path,
        );
    };
    let Ok(backup_id) = u64::try_from(*id) else {
        return problem(
            400,
            "INVALID_ARGUMENT",
            "backupIds must be positive",
            &r.path,
        );
    };
    let shared = ctx.shared.clone();
    let mut st = lock(&shared.state);
    if !st.zeebe.recovery.recovering {
        return problem(
            409,
            "CONFLICT",
            "Cannot restore: not every broker is in recovery mode. Switch the cluster to RECOVERING first (PATCH /v2/mode?mode=RECOVERING).",
            &r.path,
        );
    }
    if st.zeebe.recovery.restore.is_some() || st.zeebe.recovery.pending_change.is_some() {
        return problem(
            409,
            "CONFLICT",
            "Another cluster configuration change is in progress",
            &r.path,
        );
    }
    let partitions = shared.config.partitions;
    let missing: Vec<u32> = (1..=partitions)
        .filter(|p| {
            !st.zeebe
                .backups
                .get(&backup_id)
                .and_then(|b| b.partitions.get(p))
                .is_some_and(|pb| pb.state == PartitionBackupState::Completed)
        })
        .collect();
    if !missing.is_empty() {
        return problem(
            400,
            "INVALID_ARGUMENT",
            &format!("No completed backup with id {backup_id} for partition(s) {missing:?}"),
            &r.path,
        );
    }
    let brokers: BTreeMap<u32, BTreeMap<u32, PartitionRestore>> = (0..shared.config.brokers)
        .map(|b| {
            let parts = shared
                .config
                .hosted_partitions(b)
                .into_iter()
                .map(|p| {
                    (
                        p,
                        PartitionRestore {
                            state: "PENDING".into(),
                            completed_at: None,
                        },
                    )
                })
                .collect();
            (b, parts)
        })
        .collect();
    let mut planned: Vec<Value> = brokers
        .iter()
        .flat_map(|(b, parts)| {
            parts.keys().map(move |p| {
                json!({"operation": "PartitionRestoreOperation", "brokerId": b,
                       "partitionId": p, "backupIds": [backup_id]})
            })
        })
        .collect();
    planned.extend(
        (0..shared.config.brokers).map(
            |b| json!({"operation": "ModeChangeOperation", "brokerId": b, "mode": "PROCESSING"}),
        ),
    );
    if r.flag("dryRun") {
        return json_resp(
            StatusCode::OK,
            &json!({"changeId": null, "plannedChanges": planned}),
        );
    }
    let change_id = st.zeebe.recovery.begin();
    st.zeebe.recovery.restore = Some(InClusterRestore {
        change_id,
        backup_id,
        started_at: Utc::now(),
        status: "IN_PROGRESS".into(),
        brokers,
    });
    shared.save_zeebe(&st);
    drop(st);
    spawn_restore(&shared, change_id, backup_id);
    json_resp(
        StatusCode::ACCEPTED,
        &json!({"changeId": change_id.to_string(), "plannedChanges": planned}),
    )
}

/// Runs the restore: every partition `RESTORING`, then `RESTORED` one after another; then the
/// brokers' data is the backup's and every broker is back in `PROCESSING`.
fn spawn_restore(shared: &Arc<Shared>, change_id: u64, backup_id: u64) {
    let step = Duration::from_millis(shared.config.timing.zeebe_restore_ms.max(40));
    let s = shared.clone();
    shared.spawn(async move {
        tokio::time::sleep(step).await;
        set_all(&s, "RESTORING");
        let keys: Vec<(u32, u32)> = {
            let st = lock(&s.state);
            st.zeebe
                .recovery
                .restore
                .as_ref()
                .map(|r| {
                    r.brokers
                        .iter()
                        .flat_map(|(b, ps)| ps.keys().map(move |p| (*b, *p)))
                        .collect()
                })
                .unwrap_or_default()
        };
        for (b, p) in keys {
            tokio::time::sleep(step).await;
            let mut st = lock(&s.state);
            if let Some(pr) = st
                .zeebe
                .recovery
                .restore
                .as_mut()
                .and_then(|r| r.brokers.get_mut(&b))
                .and_then(|ps| ps.get_mut(&p))
            {
                pr.state = "RESTORED".into();
                pr.completed_at = Some(Utc::now());
            }
            s.save_zeebe(&st);
        }
        let mut st = lock(&s.state);
        for b in 0..s.config.brokers {
            crate::restore_app::clear_data_dir(&s, &mut st, b);
            let mut log = Vec::new();
            crate::restore_app::restore(&s, &mut st, b, backup_id, &[], &mut log);
        }
        let rec = &mut st.zeebe.recovery;
        rec.restore = None;
        rec.recovering = false;
        rec.restores_completed += 1;
        rec.complete(change_id, "COMPLETED");
        s.save_zeebe(&st);
        tracing::info!(
            backup_id,
            change = change_id,
            "in-cluster restore completed"
        );
    });
}

fn set_all(shared: &Shared, state: &str) {
    let mut st = lock(&shared.state);
    if let Some(r) = st.zeebe.recovery.restore.as_mut() {
        for pr in r.brokers.values_mut().flat_map(BTreeMap::values_mut) {
            pr.state = state.into();
        }
    }
    shared.save_zeebe(&st);
}

/// `GET /v2/restore`: the restore in flight, or 404.
pub(crate) fn status(ctx: &Ctx, r: &Req) -> Response {
    let st = lock(&ctx.shared.state);
    let Some(restore) = &st.zeebe.recovery.restore else {
        return problem(404, "NOT_FOUND", "No restore is in progress", &r.path);
    };
    let brokers: Vec<Value> = restore
        .brokers
        .iter()
        .map(|(b, parts)| {
            let restored = parts.values().filter(|p| p.state == "RESTORED").count();
            let partitions: Vec<Value> = parts
                .iter()
                .map(|(p, pr)| {
                    json!({"partitionId": p, "state": pr.state, "backupIds": [restore.backup_id],
                           "completedAt": pr.completed_at.as_ref().map(iso)})
                })
                .collect();
            json!({"brokerId": b.to_string(), "partitionsRestored": restored,
                   "partitionsToRestore": parts.len(), "partitions": partitions})
        })
        .collect();
    json_resp(
        StatusCode::OK,
        &json!({"status": restore.status, "changeId": restore.change_id.to_string(),
                "startedAt": iso(&restore.started_at), "brokers": brokers}),
    )
}
