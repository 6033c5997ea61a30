//! Simulated Elasticsearch HTTP API: snapshots, repositories, indices, templates (§7); restore,
//! recovery and health live in `es_restore`, `es_recovery` and `es_health`.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{es_cat, es_health, es_recovery, es_restore, json_resp, Ctx, Req};
use crate::faults::{lock, FaultKind};
use crate::schema::Owner;
use crate::state::es::{glob, EsError, Repository, SnapState, Snapshot};

/// Operation name of an ES request.
pub(crate) fn operation(r: &Req) -> &'static str {
    let m = &r.method;
    match r.seg_strs().as_slice() {
        [] if m == Method::GET || m == Method::HEAD => "root",
        ["_snapshot"] if m == Method::GET => "get_repository",
        ["_snapshot", "_status"] if m == Method::GET => "snapshot_status",
        ["_snapshot", _] if m == Method::GET => "get_repository",
        ["_snapshot", _] if m == Method::PUT || m == Method::POST => "put_repository",
        ["_snapshot", _] if m == Method::DELETE => "delete_repository",
        ["_snapshot", _, "_verify"] if m == Method::POST => "verify_repository",
        ["_snapshot", _, "_status"] if m == Method::GET => "snapshot_status",
        ["_snapshot", _, _] if m == Method::PUT || m == Method::POST => "create_snapshot",
        ["_snapshot", _, _] if m == Method::GET => "get_snapshot",
        ["_snapshot", _, _] if m == Method::DELETE => "delete_snapshot",
        ["_snapshot", _, _, "_status"] if m == Method::GET => "snapshot_status",
        ["_snapshot", _, _, "_restore"] if m == Method::POST => "restore_snapshot",
        ["_cat", "indices"] | ["_cat", "indices", _] if m == Method::GET => "cat_indices",
        ["_cat", "recovery"] | ["_cat", "recovery", _] if m == Method::GET => "cat_recovery",
        ["_recovery"] if m == Method::GET => "index_recovery",
        [index, "_recovery"] if m == Method::GET && !index.starts_with('_') => "index_recovery",
        ["_index_template"] | ["_index_template", _] if m == Method::GET => "index_templates",
        ["_cluster", "health"] | ["_cluster", "health", _] if m == Method::GET => "cluster_health",
        [index] if m == Method::DELETE && !index.starts_with('_') => "delete_index",
        [index] if m == Method::PUT && !index.starts_with('_') => "create_index",
        _ => "unknown",
    }
}

fn ok(v: Value) -> Result<Response, EsError> {
    Ok(json_resp(StatusCode::OK, &v))
}

fn err_resp(e: &EsError) -> Response {
    json_resp(super::status(e.status), &e.body())
}

fn seg(r: &Req, i: usize) -> &str {
    r.segs.get(i).map(String::as_str).unwrap_or("")
}

fn root(ctx: &Ctx) -> Result<Response, EsError> {
    let ec = &ctx.shared.config.elasticsearch;
    if ec.distribution == "opensearch" {
        return ok(json!({
            "name": "os-node-0",
            "cluster_name": ec.cluster_name,
            "cluster_uuid": "Zx1rQ0DcS7-ODaCKv3dGVw",
            "version": {
                "distribution": "opensearch",
                "number": ec.version,
                "build_type": "tar",
                "build_hash": "6f6f3f8f8cbb1e3b1f0b5c1e8a8b3b8b9c3a7e1d",
                "build_date": "2025-04-01T10:00:00.000000Z",
                "build_snapshot": false,
                "lucene_version": "9.12.1",
                "minimum_wire_compatibility_version": "7.10.0",
                "minimum_index_compatibility_version": "7.0.0"
            },
            "tagline": "The OpenSearch Project: https://opensearch.org/"
        }));
    }
    ok(json!({
        "name": "es-node-0",
        "cluster_name": ec.cluster_name,
        "cluster_uuid": "Zx1rQ0DcS7-ODaCKv3dGVw",
        "version": {
            "number": ec.version,
            "build_flavor": "default",
            "build_type": "docker",
            "build_hash": "c63c7f5f8ce7d2e4805b7b3d842e7e792d84dda1",
            "build_date": "2025-03-20T15:39:59.811110136Z",
            "build_snapshot": false,
            "lucene_version": "9.12.0",
            "minimum_wire_compatibility_version": "7.17.0",
            "minimum_index_compatibility_version": "7.0.0"
        },
        "tagline": "You Know, for Search"
    }))
}

fn get_repository(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let st = lock(&ctx.shared.state);
    let expr = if r.segs.len() > 1 { seg(r, 1) } else { "_all" };
    let mut out = Map::new();
    for token in expr.split(',') {
        if token == "_all" || token.contains('*') {
            let pat = if token == "_all" { "*" } else { token };
            for (name, repo) in st.es.repositories.iter().filter(|(n, _)| glob(pat, n)) {
                out.insert(name.clone(), json!(repo));
            }
        } else {
            out.insert(token.to_string(), json!(st.es.repo(token)?));
        }
    }
    ok(Value::Object(out))
}

fn put_repository(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let body = r.json().unwrap_or(Value::Null);
    let Some(kind) = body.get("type").and_then(Value::as_str) else {
        return Err(EsError::new(
            400,
            "action_request_validation_exception",
            "Validation Failed: 1: type is missing;",
        ));
    };
    let repo = Repository {
        kind: kind.into(),
        settings: body.get("settings").cloned().unwrap_or_else(|| json!({})),
    };
    let mut st = lock(&ctx.shared.state);
    st.es.repositories.insert(seg(r, 1).to_string(), repo);
    ctx.shared.save_es(&st);
    ok(json!({"acknowledged": true}))
}

fn delete_repository(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let mut st = lock(&ctx.shared.state);
    let name = seg(r, 1);
    st.es.repo(name)?;
    st.es.repositories.remove(name);
    ctx.shared.save_es(&st);
    ok(json!({"acknowledged": true}))
}

fn verify_repository(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    lock(&ctx.shared.state).es.repo(seg(r, 1))?;
    ok(json!({"nodes": {"q1kWIyS7Rm2vXqg7Qo0Cfg": {"name": "es-node-0"}}}))
}

/// Index patterns of a create/restore body (`indices` string with commas, or array).
pub(crate) fn index_patterns(body: &Value) -> Option<Vec<String>> {
    match body.get("indices")? {
        Value::String(s) => Some(s.split(',').map(|x| x.trim().to_string()).collect()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

async fn create_snapshot(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let shared = ctx.shared.clone();
    let (repo, name) = (seg(r, 1).to_string(), seg(r, 2).to_string());
    let body = r.json().unwrap_or_else(|| json!({}));
    let wait = r.flag("wait_for_completion");
    if shared.config.elasticsearch.distribution == "opensearch"
        && body.get("feature_states").is_some()
    {
        return Err(EsError::new(
            400,
            "illegal_argument_exception",
            "Unknown parameter feature_states".to_string(),
        ));
    }
    let ignore_unavailable = body
        .get("ignore_unavailable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    {
        let mut st = lock(&shared.state);
        st.es.repo(&repo)?;
        if st.es.snapshot(&repo, &name).is_some() {
            return Err(EsError::new(
                400,
                "invalid_snapshot_name_exception",
                format!("[{repo}:{name}] Invalid snapshot name [{name}], snapshot with the same name already exists"),
            ));
        }
        let patterns = index_patterns(&body).unwrap_or_else(|| vec!["_all".into()]);
        let patterns: Vec<String> = if ignore_unavailable {
            patterns
                .into_iter()
                .filter(|p| {
                    p.contains('*')
                        || p.starts_with('-')
                        || p == "_all"
                        || st.es.indices.contains_key(p)
                })
                .collect()
        } else {
            patterns
        };
        let indices = st.es.resolve_indices(&patterns)?;
        let mut snap = st
            .es
            .begin_snapshot(&repo, &name, indices, body.get("metadata").cloned());
        snap.include_global_state = body
            .get("include_global_state")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        st.es
            .snapshots
            .entry(repo.clone())
            .or_default()
            .insert(name.clone(), snap);
        shared.save_es(&st);
    }
    let fault = shared.faults.take(
        "elasticsearch",
        "create_snapshot",
        |k| k == FaultKind::SnapshotFailed,
        |f| f.snapshot.as_deref().is_none_or(|p| glob(p, &name)),
    );
    let final_state = fault
        .as_ref()
        .map(|f| (SnapState::parse_final(f.state.as_deref()), f.reason.clone()));
    let delay = Duration::from_millis(shared.config.timing.es_snapshot_ms);
    let finish = {
        let shared = shared.clone();
        let (repo, name) = (repo.clone(), name.clone());
        move || {
            let mut st = lock(&shared.state);
            let es_version = shared.config.elasticsearch.version.clone();
            let info = st.es.snapshot_mut(&repo, &name).map(|s| {
                match &final_state {
                    Some((state, reason)) => s.finish(*state, reason.as_deref()),
                    None => s.finish(SnapState::Success, None),
                }
                s.info_json(&es_version)
            });
            shared.save_es(&st);
            info
        }
    };
    // The snapshot ends in the background whatever happens to this request: like a real
    // cluster, a client that stops waiting (timeout, dropped connection) does not stop it.
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    shared.spawn(async move {
        tokio::time::sleep(delay).await;
        let _ = done_tx.send(finish());
    });
    if !wait {
        return ok(json!({"accepted": true}));
    }
    match done_rx.await.ok().flatten() {
        Some(info) => ok(json!({"snapshot": info})),
        None => Err(EsError::snapshot_missing(&repo, &name)),
    }
}

fn get_snapshot(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let st = lock(&ctx.shared.state);
    let version = &ctx.shared.config.elasticsearch.version;
    let snaps = st.es.resolve_snapshots(seg(r, 1), seg(r, 2))?;
    // `verbose=false`: only what the repository's index holds (names, uuid, indices, state),
    // without reading each snapshot's metadata blob.
    let brief = r.q("verbose") == Some("false");
    let list: Vec<Value> = snaps
        .iter()
        .map(|s| {
            if brief {
                s.brief_json()
            } else {
                s.info_json(version)
            }
        })
        .collect();
    let total = list.len();
    ok(json!({"snapshots": list, "total": total, "remaining": 0}))
}

fn snapshot_status(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let st = lock(&ctx.shared.state);
    let list: Vec<Value> = match r.segs.len() {
        // /_snapshot/_status and /_snapshot/{repo}/_status: currently running snapshots
        2 | 3 => {
            let repo = (r.segs.len() == 3).then(|| seg(r, 1));
            if let Some(repo) = repo {
                st.es.repo(repo)?;
            }
            st.es
                .snapshots
                .iter()
                .filter(|(name, _)| repo.is_none_or(|r| r == name.as_str()))
                .flat_map(|(_, m)| m.values())
                .filter(|s| s.state == SnapState::InProgress)
                .map(Snapshot::status_json)
                .collect()
        }
        _ => {
            let repo = seg(r, 1);
            st.es.repo(repo)?;
            let mut out = Vec::new();
            for name in seg(r, 2).split(',') {
                if name.contains('*') || name == "_all" {
                    return Err(EsError::new(
                        400,
                        "illegal_argument_exception",
                        "wildcard and _all are not supported by the snapshot status API",
                    ));
                }
                let s = st
                    .es
                    .snapshot(repo, name)
                    .ok_or_else(|| EsError::snapshot_missing(repo, name))?;
                out.push(s.status_json());
            }
            out
        }
    };
    ok(json!({"snapshots": list}))
}

fn delete_snapshot(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let mut st = lock(&ctx.shared.state);
    let repo = seg(r, 1).to_string();
    let names: Vec<String> = st
        .es
        .resolve_snapshots(&repo, seg(r, 2))?
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if let Some(m) = st.es.snapshots.get_mut(&repo) {
        for n in &names {
            m.remove(n);
        }
    }
    ctx.shared.save_es(&st);
    ok(json!({"acknowledged": true}))
}

const CAT_COLUMNS: &[&str] = &[
    "health",
    "status",
    "index",
    "uuid",
    "pri",
    "rep",
    "docs.count",
    "docs.deleted",
    "store.size",
    "pri.store.size",
    "dataset.size",
];

fn cat_indices(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let st = lock(&ctx.shared.state);
    let pattern = r.segs.get(2).cloned().unwrap_or_else(|| "*".into());
    let patterns: Vec<String> = pattern.split(',').map(str::to_string).collect();
    let names = st.es.resolve_indices(&patterns)?;
    let columns = es_cat::columns(r, CAT_COLUMNS);
    let rows: Vec<Vec<Option<String>>> = names
        .iter()
        .filter_map(|n| st.es.indices.get(n).map(|i| (n, i)))
        .map(|(name, idx)| {
            // an index being restored has no started primary: no document or store statistics
            let stats = |v: String| (!idx.recovering()).then_some(v);
            let size = es_cat::byte_size(idx.content().size_in_bytes());
            columns
                .iter()
                .map(|c| match c.as_str() {
                    "health" | "h" => Some(idx.health().to_string()),
                    "status" | "s" => Some("open".to_string()),
                    "index" | "i" | "idx" => Some(name.clone()),
                    "uuid" | "id" => Some(idx.uuid.clone()),
                    "pri" | "p" => Some("1".to_string()),
                    "rep" | "r" => Some("0".to_string()),
                    "docs.count" | "dc" => stats(idx.docs_count.to_string()),
                    "docs.deleted" | "dd" => stats("0".to_string()),
                    "store.size" | "ss" | "pri.store.size" | "dataset.size" => stats(size.clone()),
                    _ => Some(String::new()),
                })
                .collect()
        })
        .collect();
    Ok(es_cat::render(r, &columns, &rows))
}

fn delete_index(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let expr = seg(r, 0).to_string();
    let tokens: Vec<&str> = expr.split(',').collect();
    if tokens.iter().any(|t| t.contains('*') || *t == "_all") {
        return Err(EsError::new(
            400,
            "illegal_argument_exception",
            "Wildcard expressions or all indices are not allowed",
        ));
    }
    let recreate = ctx.shared.settings().running_apps_recreate_indices;
    let mut st = lock(&ctx.shared.state);
    if let Some(missing) = tokens.iter().find(|t| !st.es.indices.contains_key(**t)) {
        return Err(EsError::index_not_found(missing));
    }
    for t in tokens {
        // deleting an index that is being restored cancels its restore
        st.es.indices.remove(t);
        // a running owner writes again at once and ES auto-creates the index (optional model)
        let owner = Owner::of_index(t).filter(|o| recreate && o.running(&ctx.shared));
        if let Some(owner) = owner {
            st.es.create_empty_index(t);
            tracing::info!(
                index = t,
                ?owner,
                "running owner recreated the deleted index"
            );
        }
    }
    ctx.shared.save_es(&st);
    ok(json!({"acknowledged": true}))
}

fn create_index(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let name = seg(r, 0).to_string();
    let mut st = lock(&ctx.shared.state);
    if st.es.indices.contains_key(&name) {
        let mut e = EsError::new(
            400,
            "resource_already_exists_exception",
            format!(
                "index [{name}/{}] already exists",
                st.es.indices[&name].uuid
            ),
        );
        e.extra.insert("index".into(), json!(name));
        return Err(e);
    }
    st.es.create_empty_index(&name);
    ctx.shared.save_es(&st);
    ok(json!({"acknowledged": true, "shards_acknowledged": true, "index": name}))
}

fn index_templates(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let st = lock(&ctx.shared.state);
    let expr = r.segs.get(1).cloned().unwrap_or_else(|| "*".into());
    let mut out = Vec::new();
    for token in expr.split(',') {
        let matching: Vec<(&String, &Value)> = st
            .es
            .templates
            .iter()
            .filter(|(n, _)| glob(token, n))
            .collect();
        if matching.is_empty() && !token.contains('*') {
            return Err(EsError::new(
                404,
                "resource_not_found_exception",
                format!("index template matching [{token}] not found"),
            ));
        }
        for (n, t) in matching {
            out.push(json!({"name": n, "index_template": t}));
        }
    }
    ok(json!({"index_templates": out}))
}

/// Handles an ES request.
pub(crate) async fn dispatch(ctx: &Ctx, op: &'static str, r: Req) -> Response {
    let result = match op {
        "root" => root(ctx),
        "get_repository" => get_repository(ctx, &r),
        "put_repository" => put_repository(ctx, &r),
        "delete_repository" => delete_repository(ctx, &r),
        "verify_repository" => verify_repository(ctx, &r),
        "create_snapshot" => create_snapshot(ctx, &r).await,
        "get_snapshot" => get_snapshot(ctx, &r),
        "snapshot_status" => snapshot_status(ctx, &r),
        "delete_snapshot" => delete_snapshot(ctx, &r),
        "restore_snapshot" => es_restore::restore_snapshot(ctx, &r).await,
        "cat_indices" => cat_indices(ctx, &r),
        "cat_recovery" => es_recovery::cat_recovery(ctx, &r),
        "index_recovery" => es_recovery::index_recovery(ctx, &r),
        "delete_index" => delete_index(ctx, &r),
        "create_index" => create_index(ctx, &r),
        "index_templates" => index_templates(ctx, &r),
        "cluster_health" => es_health::cluster_health(ctx, &r).await,
        _ => Ok(json_resp(
            StatusCode::BAD_REQUEST,
            &json!({"error": format!("no handler found for uri [{}] and method [{}]", r.path, r.method), "status": 400}),
        )),
    };
    result.unwrap_or_else(|e| err_resp(&e))
}
