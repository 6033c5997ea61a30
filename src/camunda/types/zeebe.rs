//! Zeebe gateway backups (§3), exporting responses (§4.2) and broker partitions (§4.3).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Aggregate or per-partition Zeebe backup state. Unknown values are kept, not rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ZeebeBackupState {
    Completed,
    Failed,
    Incomplete,
    InProgress,
    DoesNotExist,
    Incompatible,
    #[serde(untagged)]
    Other(String),
}

/// `BackupInfo`: one backup as the gateway aggregates it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub backup_id: i64,
    pub state: ZeebeBackupState,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub details: Vec<PartitionBackupInfo>,
}

/// `PartitionBackupInfo`: one partition's part of a backup; optional fields are omitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionBackupInfo {
    pub partition_id: i32,
    pub state: ZeebeBackupState,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub last_updated_at: Option<String>,
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(default)]
    pub checkpoint_position: Option<i64>,
    #[serde(default)]
    pub broker_id: Option<i32>,
    #[serde(default)]
    pub broker_version: Option<String>,
}

/// `{"message": "..."}`: the 202 answer to take and every Zeebe management error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZeebeMessage {
    pub message: String,
}

/// The 8.5.1+ exporting answer: HTTP 200 wrapping the real status (§4.2 generation 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportingWrapper {
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    pub status: u16,
    #[serde(default)]
    pub content_type: Option<String>,
}

/// `PartitionStatus` of a broker's `/actuator/partitions`; leader-only fields are null on followers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionStatus {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub processed_position: Option<i64>,
    #[serde(default)]
    pub snapshot_id: Option<String>,
    #[serde(default)]
    pub processed_position_in_snapshot: Option<i64>,
    #[serde(default)]
    pub stream_processor_phase: Option<String>,
    #[serde(default)]
    pub exporter_phase: Option<String>,
    #[serde(default)]
    pub exported_position: Option<i64>,
}

/// The broker's map keyed by partition id (string keys).
pub type BrokerPartitions = BTreeMap<String, PartitionStatus>;

/// 8.9+ `GET /actuator/backupRuntime/state`: Zeebe's latest checkpoint and backup per
/// partition and the ranges of contiguous backups (several ranges for one partition: a gap).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeBackupState {
    #[serde(default)]
    pub checkpoint_states: Vec<CheckpointState>,
    #[serde(default)]
    pub backup_states: Vec<CheckpointState>,
    #[serde(default)]
    pub ranges: Vec<BackupRange>,
}

/// One checkpoint or backup of a partition; `checkpointType` is `MARKER`, `SCHEDULED_BACKUP` or
/// `MANUAL_BACKUP` (kept as text: the set may grow).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointState {
    pub checkpoint_id: i64,
    #[serde(default)]
    pub checkpoint_type: Option<String>,
    #[serde(default)]
    pub partition_id: Option<i32>,
    #[serde(default)]
    pub checkpoint_position: Option<i64>,
    #[serde(default)]
    pub first_log_position: Option<i64>,
    #[serde(default)]
    pub checkpoint_timestamp: Option<String>,
}

/// A range of contiguous backups of one partition (`start`/`end` carry no partition id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupRange {
    pub partition_id: i32,
    #[serde(default)]
    pub start: Option<CheckpointState>,
    #[serde(default)]
    pub end: Option<CheckpointState>,
}
