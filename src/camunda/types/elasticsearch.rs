//! The Elasticsearch snapshot, index and template calls the procedure uses (§7).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /`: the node banner; only the version is used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EsRoot {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cluster_name: Option<String>,
    pub version: EsVersion,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EsVersion {
    pub number: String,
    /// `opensearch` on OpenSearch; absent on Elasticsearch.
    #[serde(default)]
    pub distribution: Option<String>,
}

impl EsVersion {
    pub fn is_opensearch(&self) -> bool {
        self.distribution.as_deref() == Some("opensearch")
    }

    /// "8.17.4", or "OpenSearch 2.19.2".
    pub fn words(&self) -> String {
        if self.is_opensearch() {
            format!("OpenSearch {}", self.number)
        } else {
            self.number.clone()
        }
    }
}

/// One repository of `GET /_snapshot/{repo}` (the answer is a map keyed by name).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepositoryInfo {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub settings: serde_json::Value,
}

/// `POST /_snapshot/{repo}/_verify`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyResponse {
    pub nodes: BTreeMap<String, VerifyNode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyNode {
    #[serde(default)]
    pub name: Option<String>,
}

/// Snapshot states of the get-snapshot API; status reports `STARTED`/`INIT`/`ABORTED` too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SnapshotState {
    InProgress,
    Success,
    Failed,
    Partial,
    Incompatible,
    Started,
    Init,
    Aborted,
    #[serde(untagged)]
    Other(String),
}

/// Shard counts of a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardCounts {
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub failed: u64,
    #[serde(default)]
    pub successful: u64,
}

/// `SnapshotInfo` of the get and create APIs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub snapshot: String,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub indices: Vec<String>,
    #[serde(default)]
    pub include_global_state: Option<bool>,
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    pub state: SnapshotState,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub start_time_in_millis: Option<i64>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub end_time_in_millis: Option<i64>,
    #[serde(default)]
    pub duration_in_millis: Option<i64>,
    #[serde(default)]
    pub failures: Vec<serde_json::Value>,
    #[serde(default)]
    pub shards: Option<ShardCounts>,
}

/// Answer to create: `{"accepted": true}` without wait, the final snapshot with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CreateSnapshotResponse {
    Completed { snapshot: Box<SnapshotInfo> },
    Accepted { accepted: bool },
}

/// `GET /_snapshot/{repo}/{names}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetSnapshotsResponse {
    pub snapshots: Vec<SnapshotInfo>,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub remaining: Option<u64>,
}

/// `GET /_snapshot/{repo}/{name}/_status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotStatusResponse {
    pub snapshots: Vec<SnapshotStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotStatus {
    pub snapshot: String,
    #[serde(default)]
    pub repository: Option<String>,
    pub state: SnapshotState,
    #[serde(default)]
    pub shards_stats: Option<ShardsStats>,
    #[serde(default)]
    pub indices: BTreeMap<String, serde_json::Value>,
    /// File counts and sizes (`stats.total.size_in_bytes`: the snapshot's size in the repository).
    #[serde(default)]
    pub stats: Option<SnapshotStats>,
}

/// `stats` of a snapshot's status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotStats {
    #[serde(default)]
    pub total: Option<FileStats>,
    #[serde(default)]
    pub incremental: Option<FileStats>,
}

/// Files and bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileStats {
    #[serde(default)]
    pub file_count: u64,
    #[serde(default)]
    pub size_in_bytes: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardsStats {
    #[serde(default)]
    pub initializing: u64,
    #[serde(default)]
    pub started: u64,
    #[serde(default)]
    pub finalizing: u64,
    #[serde(default)]
    pub done: u64,
    #[serde(default)]
    pub failed: u64,
    #[serde(default)]
    pub total: u64,
}

/// `{"acknowledged": true}` of deletes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Acknowledged {
    pub acknowledged: bool,
}

/// Answer to restore: the restored indices with wait, `{"accepted": true}` without.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RestoreResponse {
    Completed { snapshot: RestoredSnapshot },
    Accepted { accepted: bool },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestoredSnapshot {
    pub snapshot: String,
    #[serde(default)]
    pub indices: Vec<String>,
    #[serde(default)]
    pub shards: Option<ShardCounts>,
}

/// One row of `GET /_cat/indices?format=json&h=index`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatIndex {
    pub index: String,
}

/// One row of `GET /_cat/recovery?format=json` (one shard's recovery).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryRow {
    pub index: String,
    #[serde(default)]
    pub shard: Option<String>,
    /// `snapshot`, `peer`, `existing_store`, …
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `init`, `index`, `verify_index`, `translog`, `finalize`, `done`.
    pub stage: String,
    #[serde(default)]
    pub snapshot: Option<String>,
    /// e.g. `63.5%`.
    #[serde(default)]
    pub bytes_percent: Option<String>,
}

/// `GET /_cluster/health/{indices}` (the fields the restore reads).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexHealth {
    /// `green`, `yellow` or `red`.
    pub status: String,
    #[serde(default)]
    pub initializing_shards: u64,
    #[serde(default)]
    pub unassigned_shards: u64,
    #[serde(default)]
    pub active_primary_shards: u64,
}

impl IndexHealth {
    /// Every primary is allocated and nothing is initializing (replicas may be unassigned).
    pub fn settled(&self) -> bool {
        self.status != "red" && self.initializing_shards == 0
    }
}

/// `GET /_index_template`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexTemplates {
    pub index_templates: Vec<NamedIndexTemplate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedIndexTemplate {
    pub name: String,
    #[serde(default)]
    pub index_template: serde_json::Value,
}

/// The ES error body of every failed call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EsErrorBody {
    pub error: EsErrorCause,
    pub status: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EsErrorCause {
    #[serde(default)]
    pub root_cause: Vec<EsRootCause>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EsRootCause {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub reason: Option<String>,
}
