//! Zeebe gateway management API: backups (§3) and exporting pause/resume (§4).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde_json::{json, Value};

use super::{empty, info, json_id, json_resp, spring_error, Ctx, Req};
use crate::config::ExportingResponse;
use crate::faults::{lock, FaultKind};
use crate::state::zeebe::{ExporterPhase, PartitionBackup, PartitionBackupState, ZeebeBackup};

/// Operation name of a gateway request.
pub(crate) fn operation(r: &Req) -> &'static str {
    match (&r.method, r.seg_strs().as_slice()) {
        (&Method::POST, ["actuator", "backups"]) => "take_backup",
        (&Method::GET, ["actuator", "backups"]) => "list_backups",
        (&Method::GET, ["actuator", "backups", _]) => "get_backup",
        (&Method::DELETE, ["actuator", "backups", _]) => "delete_backup",
        // 8.8+ (the orchestration cluster): Zeebe's backups and the web apps' together.
        (&Method::POST, ["actuator", "backupRuntime"]) => "take_backup",
        (&Method::GET, ["actuator", "backupRuntime"]) => "list_backups",
        (&Method::GET, ["actuator", "backupRuntime", "state"]) => "runtime_state",
        (&Method::GET, ["actuator", "backupRuntime", _]) => "get_backup",
        (&Method::DELETE, ["actuator", "backupRuntime", _]) => "delete_backup",
        (&Method::POST, ["actuator", "backupHistory"]) => "take_webapps_backup",
        (&Method::GET, ["actuator", "backupHistory"]) => "list_webapps_backups",
        (&Method::GET, ["actuator", "backupHistory", _]) => "get_webapps_backup",
        (&Method::DELETE, ["actuator", "backupHistory", _]) => "delete_webapps_backup",
        (&Method::POST, ["actuator", "exporting", "pause"]) => "pause",
        (&Method::POST, ["actuator", "exporting", "resume"]) => "resume",
        (&Method::POST, ["actuator", "exporting", _]) => "exporting",
        (&Method::GET, ["actuator", "cluster"]) => "cluster",
        (&Method::GET, ["actuator", "info"]) => "info",
        (&Method::GET, ["actuator", "health"]) => "health",
        _ => "unknown",
    }
}

fn message(status: u16, text: impl Into<String>) -> Response {
    json_resp(super::status(status), &json!({"message": text.into()}))
}

/// Topology check: `Err(message)` when a broker is down or the fault is active.
fn check_topology(ctx: &Ctx, op: &str) -> Result<(), String> {
    let shared = &ctx.shared;
    let cfg = &shared.config;
    let faulted = shared
        .faults
        .take_kind("zeebe", op, FaultKind::IncompleteTopology)
        .is_some();
    let down: Vec<u32> = (0..cfg.brokers)
        .filter(|b| !shared.broker_up(*b as usize))
        .collect();
    if !faulted && down.is_empty() {
        return Ok(());
    }
    // the first partition missing a member (with the fault: the last replica of partition 1 is missing)
    let (partition, missing) = (1..=cfg.partitions)
        .find_map(|p| {
            let gone: Vec<u32> = shared
                .replicas(p)
                .into_iter()
                .filter(|b| down.contains(b))
                .collect();
            (!gone.is_empty()).then_some((p, gone))
        })
        .unwrap_or((1, vec![shared.replicas(1).last().copied().unwrap_or(0)]));
    let rf = cfg.replication_factor;
    let found = rf.saturating_sub(missing.len() as u32);
    let brokers: Vec<String> = (0..cfg.brokers)
        .filter(|b| !(down.contains(b) || (faulted && missing.contains(b))))
        .map(|b| b.to_string())
        .collect();
    let leaders: Vec<String> = (1..=cfg.partitions)
        .map(|p| format!("{p}={}", shared.leader(p)))
        .collect();
    Err(format!(
        "Expected {rf} members of partition {partition} but found {found}, current topology: \
         BrokerClusterStateImpl{{partitionLeaders={{{}}}, brokers=[{}], clusterSize={}, partitionsCount={}, replicationFactor={rf}}}",
        leaders.join(", "),
        brokers.join(", "),
        cfg.brokers,
        cfg.partitions
    ))
}

/// Exporting result in the configured response generation (§4.2).
fn exporting_result(ctx: &Ctx, result: Result<(), String>) -> Response {
    match (ctx.shared.settings().exporting_response, result) {
        (ExportingResponse::Real204, Ok(())) => empty(StatusCode::NO_CONTENT),
        (ExportingResponse::Real204, Err(m)) => message(500, m),
        (ExportingResponse::Wrapped200, Ok(())) => json_resp(
            StatusCode::OK,
            &json!({"body": null, "status": 204, "contentType": null}),
        ),
        (ExportingResponse::Wrapped200, Err(m)) => json_resp(
            StatusCode::OK,
            &json!({"body": {"message": m, "localizedMessage": m}, "status": 500, "contentType": null}),
        ),
    }
}

fn set_phase(ctx: &Ctx, target: ExporterPhase) {
    let shared = &ctx.shared;
    let mut st = lock(&shared.state);
    for p in 1..=shared.config.partitions {
        let current = st.zeebe.phase(p);
        let mut raw: Option<String> = None;
        if target == ExporterPhase::Paused && current == ExporterPhase::SoftPaused {
            // pitfall 4: the file gets corrupted ("PAUSEDAUSED") and the partition fails
            st.zeebe.hard_over_soft_violations += 1;
            st.zeebe.failed_partitions.insert(p);
            raw = Some("PAUSEDAUSED".into());
            tracing::warn!(partition = p, "hard pause while soft-paused (pitfall 4)");
        }
        if target == ExporterPhase::Exporting {
            st.zeebe.exporter.remove(&p);
        } else {
            st.zeebe.exporter.insert(p, target);
        }
        if let Some(persist) = &shared.persist {
            persist.write_pause(p, target, raw.as_deref());
        }
    }
    if target == ExporterPhase::Exporting {
        st.zeebe.catch_up_exporters();
    }
    shared.save_zeebe(&st);
}

async fn exporting(ctx: &Ctx, op: &str, r: &Req) -> Response {
    if op == "exporting" {
        let key = r.segs.get(2).cloned().unwrap_or_default();
        return exporting_result(
            ctx,
            Err(format!(
                "Unknown operation '{key}'; expected one of pause, resume"
            )),
        );
    }
    if let Err(m) = check_topology(ctx, op) {
        return exporting_result(ctx, Err(m));
    }
    let target = match (op, r.flag("soft")) {
        ("pause", true) => ExporterPhase::SoftPaused,
        ("pause", false) => ExporterPhase::Paused,
        _ => ExporterPhase::Exporting,
    };
    set_phase(ctx, target);
    exporting_result(ctx, Ok(()))
}

fn parse_path_id(r: &Req) -> Option<i64> {
    r.segs.get(2).and_then(|s| s.parse().ok())
}

async fn take_backup(ctx: &Ctx, r: &Req) -> Response {
    let given = r
        .json()
        .and_then(|v| v.get("backupId").cloned())
        .filter(|v| !v.is_null());
    let generates = ctx.shared.config.generates_ids();
    let id = match (given, generates) {
        // 8.9+ with a schedule: Zeebe chooses (C-BE810's 400 text).
        (Some(_), true) => return message(400, "Cannot take backup with predetermined backupId when continuous backups and/or backup or checkpoint scheduler is enabled. Use POST actuator/backupRuntime without specifying a backupId."),
        (None, true) => generated_id(&ctx.shared),
        // 8.9+ says so in words (C-BE89); before, Spring's default 400 for a missing field.
        (None, false) if ctx.shared.config.runtime_state() => {
            return message(400, "A backupId must be provided and it must be > 0")
        }
        (None, false) => return spring_error(400, &r.path),
        (Some(v), false) => {
            let Some(id) = json_id(&v) else {
                return spring_error(400, &r.path);
            };
            if id <= 0 {
                return message(400, "A backupId must be provided and it must be > 0");
            }
            id as u64
        }
    };
    if let Err(m) = check_topology(ctx, "take_backup") {
        return message(502, m);
    }
    if let Err(refused) = start_backup(&ctx.shared, id, "MANUAL_BACKUP") {
        return *refused;
    }
    let text = format!(
        "A backup with id {id} has been scheduled. Use GET actuator/backups/{id} to monitor the status."
    );
    if ctx.shared.config.runtime_state() {
        // 8.9+ adds the id (generated ones cannot be known otherwise).
        return json_resp(
            StatusCode::ACCEPTED,
            &json!({"backupId": id, "message": text}),
        );
    }
    message(202, text)
}

/// An id Zeebe generates: epoch milliseconds (offset 0), above every earlier id.
fn generated_id(shared: &crate::shared::Shared) -> u64 {
    let now = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
    now.max(lock(&shared.state).zeebe.latest_backup_id + 1)
}

/// 8.9+ with a schedule: takes a `SCHEDULED_BACKUP` every period while the gateway is up.
pub(crate) fn spawn_schedule(shared: &std::sync::Arc<crate::shared::Shared>) {
    let Some(period) = shared.config.schedule_period() else {
        return;
    };
    let s = shared.clone();
    shared.spawn(async move {
        loop {
            tokio::time::sleep(period).await;
            if !s.servers.is_running(crate::component::Listener::Zeebe) {
                continue;
            }
            let id = generated_id(&s);
            if start_backup(&s, id, "SCHEDULED_BACKUP").is_ok() {
                tracing::info!(id, "scheduled backup taken");
            }
        }
    });
}

/// Starts backup `id` on every partition; `Err` is the 409 answer for an id not above the
/// latest.
fn start_backup(
    shared: &std::sync::Arc<crate::shared::Shared>,
    id: u64,
    kind: &str,
) -> Result<(), Box<Response>> {
    let shared = shared.clone();
    let cfg = &shared.config;
    let failing = shared
        .faults
        .take_kind("zeebe", "take_backup", FaultKind::PartitionFailed);
    let stuck = shared
        .faults
        .take_kind("zeebe", "take_backup", FaultKind::PartitionStuck)
        .map(|f| f.partition.unwrap_or(1));
    // the snapshot each partition's backup contains, set when the partition completes
    let mut snapshots: BTreeMap<u32, Option<String>> = BTreeMap::new();
    {
        let mut st = lock(&shared.state);
        let latest = st.zeebe.latest_backup_id;
        if id <= latest {
            return Err(Box::new(message(
                409,
                format!(
                    "Requested backup has id {id}. The latest backup has id {latest}. A backupId is an integer and must be greater than the ID of previous backups that are completed, failed, or deleted. Zeebe does not take two backups with the same ids."
                ),
            )));
        }
        if (1..=cfg.partitions).any(|p| st.zeebe.phase(p) == ExporterPhase::Exporting) {
            st.zeebe.backups_taken_while_exporting += 1;
        }
        st.zeebe.latest_backup_id = id;
        let now = Utc::now();
        let mut partitions = BTreeMap::new();
        for p in 1..=cfg.partitions {
            let cp = st
                .zeebe
                .checkpoint(p, &shared.replicas(p), shared.leader(p));
            snapshots.insert(p, cp.snapshot_id);
            let b = PartitionBackup {
                partition_id: p,
                state: PartitionBackupState::InProgress,
                failure_reason: None,
                created_at: now,
                last_updated_at: None,
                snapshot_id: None,
                checkpoint_position: Some(cp.position),
                broker_id: Some(shared.leader(p)),
                broker_version: cfg.version.clone(),
            };
            partitions.insert(p, b);
        }
        st.zeebe.backups.insert(
            id,
            ZeebeBackup {
                id,
                partitions,
                kind: Some(kind.to_owned()),
            },
        );
        shared.save_zeebe(&st);
    }
    for p in 1..=cfg.partitions {
        if stuck == Some(p) {
            tracing::info!(
                id,
                partition = p,
                "fault: partition backup stuck IN_PROGRESS"
            );
            continue;
        }
        let fail = failing
            .as_ref()
            .filter(|f| f.partition.unwrap_or(1) == p)
            .map(|f| {
                f.reason.clone().unwrap_or_else(|| {
                    "Failed to upload snapshot: Access Denied (Service: S3, Status Code: 403)"
                        .into()
                })
            });
        let s = shared.clone();
        let snapshot_id = snapshots.remove(&p).flatten();
        let delay = cfg.timing.zeebe_partition_backup_ms + u64::from(p - 1) * 10;
        shared.spawn(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let mut st = lock(&s.state);
            if let Some(b) = st
                .zeebe
                .backups
                .get_mut(&id)
                .and_then(|b| b.partitions.get_mut(&p))
            {
                b.last_updated_at = Some(Utc::now());
                match fail {
                    Some(reason) => {
                        b.state = PartitionBackupState::Failed;
                        b.failure_reason = Some(reason);
                    }
                    None => {
                        b.state = PartitionBackupState::Completed;
                        b.snapshot_id = snapshot_id;
                    }
                }
            }
            s.save_zeebe(&st);
        });
    }
    Ok(())
}

/// 8.9+ `GET /actuator/backupRuntime/state`: per partition the latest checkpoint (any backup)
/// and latest completed backup, and one range from the oldest to the newest completed backup.
fn runtime_state(ctx: &Ctx, r: &Req) -> Response {
    if !ctx.shared.config.runtime_state() {
        // 8.8 reads `state` as a backup id.
        return spring_error(400, &r.path);
    }
    let st = lock(&ctx.shared.state);
    let entry = |b: &ZeebeBackup, p: &PartitionBackup, with_first: bool| {
        let mut v = json!({
            "checkpointId": b.id,
            "checkpointType": b.kind.clone().unwrap_or_else(|| "MANUAL_BACKUP".into()),
            "checkpointPosition": p.checkpoint_position,
            "checkpointTimestamp": crate::state::zeebe::iso_nanos(&p.created_at),
        });
        if with_first {
            v["firstLogPosition"] = json!(1);
        }
        v
    };
    let (mut checkpoints, mut backups, mut ranges) = (Vec::new(), Vec::new(), Vec::new());
    for p in 1..=ctx.shared.config.partitions {
        let of = |b: &&ZeebeBackup| b.partitions.contains_key(&p);
        let done = |b: &&ZeebeBackup| {
            b.partitions
                .get(&p)
                .is_some_and(|x| x.state == PartitionBackupState::Completed)
        };
        if let Some(b) = st.zeebe.backups.values().rfind(of) {
            let mut v = entry(b, &b.partitions[&p], false);
            v["partitionId"] = json!(p);
            checkpoints.push(v);
        }
        let completed: Vec<&ZeebeBackup> = st.zeebe.backups.values().filter(done).collect();
        if let Some(last) = completed.last() {
            let mut v = entry(last, &last.partitions[&p], true);
            v["partitionId"] = json!(p);
            backups.push(v);
        }
        // Contiguous runs of completed backups; a deleted backup between two breaks the run.
        let mut run: Vec<&ZeebeBackup> = Vec::new();
        let mut close = |run: &mut Vec<&ZeebeBackup>| {
            if let (Some(first), Some(last)) = (run.first(), run.last()) {
                ranges.push(json!({
                    "partitionId": p,
                    "start": entry(first, &first.partitions[&p], true),
                    "end": entry(last, &last.partitions[&p], true),
                }));
            }
            run.clear();
        };
        for b in completed {
            let broken = run
                .last()
                .is_some_and(|prev| st.zeebe.deleted.range(prev.id + 1..b.id).next().is_some());
            if broken {
                close(&mut run);
            }
            run.push(b);
        }
        close(&mut run);
    }
    json_resp(
        StatusCode::OK,
        &json!({"checkpointStates": checkpoints, "backupStates": backups, "ranges": ranges}),
    )
}

fn get_backup(ctx: &Ctx, r: &Req) -> Response {
    let Some(id) = parse_path_id(r) else {
        return spring_error(400, &r.path);
    };
    let st = lock(&ctx.shared.state);
    let found = u64::try_from(id)
        .ok()
        .and_then(|id| st.zeebe.backup_json(id, ctx.shared.config.partitions, true));
    match found {
        Some(v) => json_resp(StatusCode::OK, &v),
        None => message(404, format!("Backup with id {id} does not exist")),
    }
}

fn list_backups(ctx: &Ctx) -> Response {
    let st = lock(&ctx.shared.state);
    let list: Vec<Value> = st
        .zeebe
        .backups
        .keys()
        .filter_map(|id| {
            st.zeebe
                .backup_json(*id, ctx.shared.config.partitions, false)
        })
        .collect();
    json_resp(StatusCode::OK, &Value::Array(list))
}

fn delete_backup(ctx: &Ctx, r: &Req) -> Response {
    let Some(id) = parse_path_id(r) else {
        return spring_error(400, &r.path);
    };
    let mut st = lock(&ctx.shared.state);
    if let Ok(id) = u64::try_from(id) {
        if st.zeebe.backups.remove(&id).is_some() {
            st.zeebe.deleted.insert(id);
        }
    }
    ctx.shared.save_zeebe(&st);
    empty(StatusCode::NO_CONTENT)
}

/// Handles a gateway request.
pub(crate) async fn dispatch(ctx: &Ctx, op: &'static str, r: Req) -> Response {
    // The paths of the other generation do not exist: 8.8+ has no `/actuator/backups` on the
    // orchestration cluster, 8.7 and before have no `backupRuntime` / `backupHistory`.
    let unified = ctx.shared.config.unified();
    let endpoint = r.segs.get(1).map(String::as_str).unwrap_or("");
    let other_generation = match endpoint {
        "backups" => unified,
        "backupRuntime" | "backupHistory" => !unified,
        _ => false,
    };
    if other_generation {
        return spring_error(404, &r.path);
    }
    if let Some(webapps_op) = match op {
        "take_webapps_backup" => Some("take_backup"),
        "list_webapps_backups" => Some("list_backups"),
        "get_webapps_backup" => Some("get_backup"),
        "delete_webapps_backup" => Some("delete_backup"),
        _ => None,
    } {
        let spec = crate::jobs::AppSpec::new(&ctx.shared, "webapps");
        return super::webapp::backups(ctx, &spec, webapps_op, r);
    }
    match op {
        "take_backup" => take_backup(ctx, &r).await,
        "get_backup" => get_backup(ctx, &r),
        "list_backups" => list_backups(ctx),
        "runtime_state" => runtime_state(ctx, &r),
        "delete_backup" => delete_backup(ctx, &r),
        "pause" | "resume" | "exporting" => exporting(ctx, op, &r).await,
        "cluster" => super::recovery::cluster(ctx),
        "info" => info("camunda-zeebe", "Zeebe Gateway", &ctx.shared.config.version),
        "health" => super::health(),
        _ => spring_error(404, &r.path),
    }
}
