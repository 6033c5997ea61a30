//! Elasticsearch model: repositories, snapshots (with the content of each index at snapshot
//! time), indices and index templates (spec §7).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::es_index::{IndexContent, IndexInfo, IndexRecovery, RecoveryKind};

/// An ES error: rendered as `{"error":{"root_cause":[..],"type","reason"},"status":N}`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{kind}: {reason}")]
pub struct EsError {
    /// HTTP status.
    pub status: u16,
    /// Exception type, e.g. `snapshot_missing_exception`.
    pub kind: String,
    /// Reason text.
    pub reason: String,
    /// Extra fields on the error object (e.g. `index`).
    pub extra: Map<String, Value>,
}

impl EsError {
    /// A new error without extra fields.
    pub fn new(status: u16, kind: &str, reason: impl Into<String>) -> Self {
        Self {
            status,
            kind: kind.into(),
            reason: reason.into(),
            extra: Map::new(),
        }
    }

    /// `repository_missing_exception` (404).
    pub fn repository_missing(repo: &str) -> Self {
        Self::new(
            404,
            "repository_missing_exception",
            format!("[{repo}] missing"),
        )
    }

    /// `snapshot_missing_exception` (404).
    pub fn snapshot_missing(repo: &str, name: &str) -> Self {
        Self::new(
            404,
            "snapshot_missing_exception",
            format!("[{repo}:{name}] is missing"),
        )
    }

    /// `index_not_found_exception` (404).
    pub fn index_not_found(index: &str) -> Self {
        let mut e = Self::new(
            404,
            "index_not_found_exception",
            format!("no such index [{index}]"),
        );
        e.extra
            .insert("resource.type".into(), json!("index_or_alias"));
        e.extra.insert("resource.id".into(), json!(index));
        e.extra.insert("index_uuid".into(), json!("_na_"));
        e.extra.insert("index".into(), json!(index));
        e
    }

    /// The ES error body.
    pub fn body(&self) -> Value {
        let mut cause = Map::new();
        cause.insert("type".into(), json!(self.kind));
        cause.insert("reason".into(), json!(self.reason));
        for (k, v) in &self.extra {
            cause.insert(k.clone(), v.clone());
        }
        let mut error = cause.clone();
        error.insert("root_cause".into(), json!([Value::Object(cause)]));
        json!({"error": Value::Object(error), "status": self.status})
    }
}

/// ES snapshot states (`snapshot._types.SnapshotState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SnapState {
    /// Running.
    InProgress,
    /// Done.
    Success,
    /// Failed.
    Failed,
    /// Some shards failed.
    Partial,
    /// Created by an incompatible version.
    Incompatible,
}

impl SnapState {
    /// JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapState::InProgress => "IN_PROGRESS",
            SnapState::Success => "SUCCESS",
            SnapState::Failed => "FAILED",
            SnapState::Partial => "PARTIAL",
            SnapState::Incompatible => "INCOMPATIBLE",
        }
    }

    /// Parses `FAILED`/`PARTIAL`/...; anything unknown is `FAILED`.
    pub fn parse_final(s: Option<&str>) -> Self {
        match s.map(|s| s.to_ascii_uppercase()).as_deref() {
            Some("PARTIAL") => SnapState::Partial,
            Some("SUCCESS") => SnapState::Success,
            Some("INCOMPATIBLE") => SnapState::Incompatible,
            _ => SnapState::Failed,
        }
    }
}

/// A snapshot repository.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Repository {
    /// Repository type, e.g. `fs`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Settings object.
    pub settings: Value,
}

/// A snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// Name.
    pub name: String,
    /// UUID.
    pub uuid: String,
    /// Repository.
    pub repository: String,
    /// Indices contained.
    pub indices: Vec<String>,
    /// User metadata.
    pub metadata: Option<Value>,
    /// `include_global_state`.
    pub include_global_state: bool,
    /// State.
    pub state: SnapState,
    /// Start.
    pub start_time: DateTime<Utc>,
    /// End (when finished).
    pub end_time: Option<DateTime<Utc>>,
    /// Failed shards: (index, reason).
    pub failed_shards: Vec<(String, String)>,
    /// Content of every index at snapshot time (empty for snapshots persisted before contents
    /// were recorded; see [`Snapshot::content_of`]).
    #[serde(default)]
    pub contents: BTreeMap<String, IndexContent>,
}

impl Snapshot {
    /// Builds a running snapshot.
    pub fn start(repo: &str, name: &str, indices: Vec<String>, metadata: Option<Value>) -> Self {
        Self {
            name: name.into(),
            uuid: es_uuid(),
            repository: repo.into(),
            indices,
            metadata,
            include_global_state: true,
            state: SnapState::InProgress,
            start_time: Utc::now(),
            end_time: None,
            failed_shards: Vec::new(),
            contents: BTreeMap::new(),
        }
    }

    /// Content of `index` as recorded in the snapshot (snapshots from before contents were
    /// recorded hold the 40 documents the old simulator restored).
    pub fn content_of(&self, index: &str) -> IndexContent {
        self.contents.get(index).copied().unwrap_or(IndexContent {
            docs_count: 40,
            last_write_seq: 0,
        })
    }

    /// Finishes the snapshot in `state`; failed/partial states mark shards failed.
    pub fn finish(&mut self, state: SnapState, reason: Option<&str>) {
        self.state = state;
        self.end_time = Some(Utc::now());
        let reason = reason.unwrap_or("IndexShardSnapshotFailedException[Failed to snapshot]");
        self.failed_shards = match state {
            SnapState::Failed => self
                .indices
                .iter()
                .map(|i| (i.clone(), reason.to_string()))
                .collect(),
            SnapState::Partial => self
                .indices
                .iter()
                .take(1)
                .map(|i| (i.clone(), reason.to_string()))
                .collect(),
            _ => Vec::new(),
        };
    }

    /// Number of shards (one primary per index, at least one).
    pub fn shard_total(&self) -> usize {
        self.indices.len()
    }

    /// Shard failure texts as Operate/Optimize render them (`SnapshotShardFailure.toString()`).
    pub fn failure_strings(&self) -> Vec<String> {
        self.failed_shards
            .iter()
            .map(|(i, r)| format!("[{i}][0] failed, reason [{r}]"))
            .collect()
    }

    /// `SnapshotInfo` JSON of get-snapshot with `verbose=false`.
    pub fn brief_json(&self) -> Value {
        json!({
            "snapshot": self.name,
            "uuid": self.uuid,
            "repository": self.repository,
            "indices": self.indices,
            "data_streams": [],
            "state": self.state.as_str(),
        })
    }

    /// `SnapshotInfo` JSON as returned by get-snapshot.
    pub fn info_json(&self, es_version: &str) -> Value {
        let mut o = Map::new();
        o.insert("snapshot".into(), json!(self.name));
        o.insert("uuid".into(), json!(self.uuid));
        o.insert("repository".into(), json!(self.repository));
        o.insert("version_id".into(), json!(8_521_000));
        o.insert("version".into(), json!(es_version));
        o.insert("indices".into(), json!(self.indices));
        o.insert("data_streams".into(), json!([]));
        o.insert(
            "include_global_state".into(),
            json!(self.include_global_state),
        );
        if let Some(m) = &self.metadata {
            o.insert("metadata".into(), m.clone());
        }
        o.insert("state".into(), json!(self.state.as_str()));
        o.insert("start_time".into(), json!(es_time(&self.start_time)));
        o.insert(
            "start_time_in_millis".into(),
            json!(self.start_time.timestamp_millis()),
        );
        if let Some(end) = &self.end_time {
            o.insert("end_time".into(), json!(es_time(end)));
            o.insert("end_time_in_millis".into(), json!(end.timestamp_millis()));
            o.insert(
                "duration_in_millis".into(),
                json!((*end - self.start_time).num_milliseconds()),
            );
        } else {
            o.insert(
                "duration_in_millis".into(),
                json!((Utc::now() - self.start_time).num_milliseconds()),
            );
        }
        let failures: Vec<Value> = self
            .failed_shards
            .iter()
            .map(|(i, r)| {
                json!({"index": i, "index_uuid": i, "shard_id": 0, "reason": r,
                       "node_id": "sim-node-0", "status": "INTERNAL_SERVER_ERROR"})
            })
            .collect();
        o.insert("failures".into(), Value::Array(failures));
        let total = self.shard_total();
        let failed = self.failed_shards.len();
        let successful = if self.state == SnapState::InProgress {
            0
        } else {
            total - failed.min(total)
        };
        o.insert(
            "shards".into(),
            json!({"total": total, "failed": failed, "successful": successful}),
        );
        o.insert("feature_states".into(), json!([]));
        Value::Object(o)
    }

    /// `_status` JSON of the snapshot.
    pub fn status_json(&self) -> Value {
        let running = self.state == SnapState::InProgress;
        let state = match self.state {
            SnapState::InProgress => "STARTED",
            SnapState::Failed => "FAILED",
            _ => "SUCCESS",
        };
        let failed: Vec<&String> = self.failed_shards.iter().map(|(i, _)| i).collect();
        let total = self.shard_total();
        let time_in_millis = self
            .end_time
            .map(|e| (e - self.start_time).num_milliseconds())
            .unwrap_or(0);
        let stats = |files: u64, bytes: u64| {
            json!({"incremental": {"file_count": files, "size_in_bytes": bytes},
                   "total": {"file_count": files, "size_in_bytes": bytes},
                   "start_time_in_millis": self.start_time.timestamp_millis(),
                   "time_in_millis": time_in_millis})
        };
        let (mut all_files, mut all_bytes) = (0, 0);
        let mut indices = Map::new();
        for index in &self.indices {
            let is_failed = failed.contains(&index);
            let stage = if running {
                "STARTED"
            } else if is_failed {
                "FAILURE"
            } else {
                "DONE"
            };
            let (done, fail, started) = match stage {
                "STARTED" => (0, 0, 1),
                "FAILURE" => (0, 1, 0),
                _ => (1, 0, 0),
            };
            let content = self.content_of(index);
            let (files, bytes) = (content.file_count(), content.size_in_bytes());
            all_files += files;
            all_bytes += bytes;
            indices.insert(
                index.clone(),
                json!({
                    "shards_stats": {"initializing": 0, "started": started, "finalizing": 0, "done": done, "failed": fail, "total": 1},
                    "stats": stats(files, bytes),
                    "shards": {"0": {"stage": stage, "stats": stats(files, bytes)}}
                }),
            );
        }
        let n_failed = if running { 0 } else { failed.len().min(total) };
        let (started, done) = if running {
            (total, 0)
        } else {
            (0, total - n_failed)
        };
        json!({
            "snapshot": self.name,
            "repository": self.repository,
            "uuid": self.uuid,
            "state": state,
            "include_global_state": self.include_global_state,
            "shards_stats": {"initializing": 0, "started": started, "finalizing": 0, "done": done, "failed": n_failed, "total": total},
            "stats": stats(all_files, all_bytes),
            "indices": Value::Object(indices),
        })
    }
}

/// The whole ES state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EsState {
    /// Repositories by name.
    pub repositories: BTreeMap<String, Repository>,
    /// Snapshots by repository, then name.
    pub snapshots: BTreeMap<String, BTreeMap<String, Snapshot>>,
    /// Indices by name.
    pub indices: BTreeMap<String, IndexInfo>,
    /// Index templates by name (the `index_template` object).
    pub templates: BTreeMap<String, Value>,
    /// Cluster-wide write sequence: incremented by every document write, never reset (not even
    /// by a restore), so each write leaves a unique marker on its index.
    #[serde(default)]
    pub write_seq: u64,
    /// Restores started while a component owning a restored index was running (the procedure
    /// stops everything but Elasticsearch first, §9.3; informative).
    #[serde(default)]
    pub restores_while_owner_running: u64,
}

/// ES date format (`2025-06-03T08:05:10.633Z`).
pub fn es_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A 22-character URL-safe id like ES uuids.
pub fn es_uuid() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = uuid::Uuid::new_v4().as_u128();
    (0..22)
        .map(|i| ALPHABET[((bytes >> (i * 6)) & 63) as usize] as char)
        .collect()
}

/// Simple glob match supporting `*`.
pub fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl EsState {
    /// Repository or `repository_missing_exception`.
    pub fn repo(&self, repo: &str) -> Result<&Repository, EsError> {
        self.repositories
            .get(repo)
            .ok_or_else(|| EsError::repository_missing(repo))
    }

    /// Snapshots of a repository (empty if none).
    pub fn snaps(&self, repo: &str) -> impl Iterator<Item = &Snapshot> {
        self.snapshots
            .get(repo)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Snapshot by name.
    pub fn snapshot(&self, repo: &str, name: &str) -> Option<&Snapshot> {
        self.snapshots.get(repo).and_then(|m| m.get(name))
    }

    /// Mutable snapshot by name.
    pub fn snapshot_mut(&mut self, repo: &str, name: &str) -> Option<&mut Snapshot> {
        self.snapshots.get_mut(repo).and_then(|m| m.get_mut(name))
    }

    /// Resolves a get-snapshot expression (comma list, wildcards, `_all`, `*`) in start-time order.
    pub fn resolve_snapshots(&self, repo: &str, expr: &str) -> Result<Vec<&Snapshot>, EsError> {
        self.repo(repo)?;
        let mut names: Vec<&Snapshot> = Vec::new();
        for token in expr.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if token == "_all" || token.contains('*') {
                let pattern = if token == "_all" { "*" } else { token };
                for s in self.snaps(repo).filter(|s| glob(pattern, &s.name)) {
                    if !names.iter().any(|n| n.name == s.name) {
                        names.push(s);
                    }
                }
            } else {
                match self.snapshot(repo, token) {
                    Some(s) => {
                        if !names.iter().any(|n| n.name == s.name) {
                            names.push(s);
                        }
                    }
                    None => return Err(EsError::snapshot_missing(repo, token)),
                }
            }
        }
        names.sort_by(|a, b| {
            a.start_time
                .cmp(&b.start_time)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(names)
    }

    /// Resolves an index expression (string with commas or list; wildcards; `-excl`; `_all`).
    pub fn resolve_indices(&self, patterns: &[String]) -> Result<Vec<String>, EsError> {
        let mut out: Vec<String> = Vec::new();
        for p in patterns.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            if let Some(excl) = p.strip_prefix('-') {
                out.retain(|i| !glob(excl, i));
            } else if p == "_all" || p.contains('*') {
                let pat = if p == "_all" { "*" } else { p };
                for name in self.indices.keys().filter(|n| glob(pat, n)) {
                    if !out.contains(name) {
                        out.push(name.clone());
                    }
                }
            } else if self.indices.contains_key(p) {
                if !out.iter().any(|i| i == p) {
                    out.push(p.to_string());
                }
            } else {
                return Err(EsError::index_not_found(p));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Creates an index with `docs` seeded documents (existing store) if it does not exist.
    pub fn create_index(&mut self, name: &str, docs: u64) {
        self.indices.entry(name.to_string()).or_insert_with(|| {
            IndexInfo::new(
                IndexContent {
                    docs_count: docs,
                    last_write_seq: 0,
                },
                None,
            )
        });
    }

    /// Creates an empty index (as `PUT /{index}` or an application's schema set-up does);
    /// `false` if it already exists.
    pub fn create_empty_index(&mut self, name: &str) -> bool {
        if self.indices.contains_key(name) {
            return false;
        }
        let recovery = IndexRecovery::done(RecoveryKind::EmptyStore, Utc::now());
        self.indices.insert(
            name.to_string(),
            IndexInfo::new(IndexContent::default(), Some(recovery)),
        );
        true
    }

    /// Writes `count` documents into `index` (created empty if missing) under a new write
    /// sequence number; returns the index's new content.
    pub fn write_docs(&mut self, index: &str, count: u64) -> IndexContent {
        self.create_empty_index(index);
        self.write_seq += 1;
        let seq = self.write_seq;
        match self.indices.get_mut(index) {
            Some(info) => {
                info.docs_count += count;
                info.last_write_seq = seq;
                info.content()
            }
            None => IndexContent::default(),
        }
    }

    /// A new running snapshot of `indices` that records their current content.
    pub fn begin_snapshot(
        &self,
        repo: &str,
        name: &str,
        indices: Vec<String>,
        metadata: Option<Value>,
    ) -> Snapshot {
        let contents = indices
            .iter()
            .filter_map(|i| self.indices.get(i).map(|info| (i.clone(), info.content())))
            .collect();
        let mut snap = Snapshot::start(repo, name, indices, metadata);
        snap.contents = contents;
        snap
    }

    /// JSON view of one index (admin API).
    pub fn index_json(&self, name: &str) -> Option<Value> {
        let info = self.indices.get(name)?;
        let content = info.content();
        let recovery = info.recovery.as_ref().map(|r| {
            json!({"type": r.kind.cat_name(), "repository": r.repository, "snapshot": r.snapshot,
                   "done": !r.active()})
        });
        Some(json!({
            "uuid": info.uuid,
            "docs_count": content.docs_count,
            "last_write_seq": content.last_write_seq,
            "size_in_bytes": content.size_in_bytes(),
            "health": info.health(),
            "recovering": info.recovering(),
            "recovery": recovery,
        }))
    }

    /// JSON view for `snapshot_state`.
    pub fn debug_json(&self) -> Value {
        let snaps: Vec<Value> = self
            .snapshots
            .values()
            .flat_map(|m| m.values())
            .map(|s| {
                json!({"repository": s.repository, "snapshot": s.name, "state": s.state.as_str(),
                       "indices": s.indices, "metadata": s.metadata, "contents": s.contents})
            })
            .collect();
        let indices: Map<String, Value> = self
            .indices
            .keys()
            .filter_map(|n| self.index_json(n).map(|v| (n.clone(), v)))
            .collect();
        json!({
            "repositories": self.repositories.keys().collect::<Vec<_>>(),
            "snapshots": snaps,
            "indices": indices,
            "templates": self.templates.keys().collect::<Vec<_>>(),
            "write_seq": self.write_seq,
            "restores_while_owner_running": self.restores_while_owner_running,
        })
    }
}
