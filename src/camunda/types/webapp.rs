//! Operate / Tasklist (§5) and Optimize (§6) backup DTOs; the get/list shapes are the same.

use serde::{Deserialize, Serialize};

/// `BackupStateDto` / Optimize `BackupState`. Optimize's docs say `COMPLETE`; both are accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebAppBackupState {
    #[serde(alias = "COMPLETE")]
    Completed,
    InProgress,
    Incomplete,
    Failed,
    Incompatible,
    #[serde(untagged)]
    Other(String),
}

/// Operate/Tasklist 200 answer to take: the snapshots it will create (the restore list).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TakeBackupResponse {
    pub scheduled_snapshots: Vec<String>,
}

/// `GetBackupStateResponseDto` (Operate, Tasklist) and `BackupInfoDto` (Optimize).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAppBackup {
    pub backup_id: i64,
    pub state: WebAppBackupState,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub details: Vec<SnapshotDetail>,
}

impl WebAppBackup {
    /// How many parts the backup has: `m` of the `…_part_n_of_m` names (the count is dynamic in
    /// 8.8), else as many as listed.
    pub fn expected_parts(&self) -> usize {
        self.details
            .first()
            .and_then(|d| d.snapshot_name.rsplit_once("_of_"))
            .and_then(|(_, n)| n.parse::<usize>().ok())
            .unwrap_or(self.details.len())
    }
}

/// One part of a web-app backup: an ES snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDetail {
    pub snapshot_name: String,
    /// Copy of the ES snapshot state (`SUCCESS`, `IN_PROGRESS`, `FAILED`, `PARTIAL`, ...).
    pub state: String,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub failures: Option<Vec<String>>,
}

/// Operate's legacy error body (`application/problem+json`, everything HTTP 400).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProblemDetail {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Optimize's `ErrorResponseDto`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptimizeError {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub detailed_message: Option<String>,
    #[serde(default)]
    pub report_definition: Option<serde_json::Value>,
}
