//! Zeebe model: backups per partition, the id rule, exporter phases (spec §3, §4), and the
//! brokers' data directories (§8, see `broker_data` and `zeebe_log`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::broker_data::BrokerData;

/// State of one partition's backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartitionBackupState {
    /// Running.
    InProgress,
    /// Done.
    Completed,
    /// Failed.
    Failed,
    /// No backup with that id on the partition.
    DoesNotExist,
}

/// One partition's backup.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartitionBackup {
    /// Partition id (1-based).
    pub partition_id: u32,
    /// State.
    pub state: PartitionBackupState,
    /// Failure reason when failed.
    pub failure_reason: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update (set on completion/failure).
    pub last_updated_at: Option<DateTime<Utc>>,
    /// Snapshot id (set on completion).
    pub snapshot_id: Option<String>,
    /// Checkpoint position.
    pub checkpoint_position: Option<i64>,
    /// Leader broker that took the backup.
    pub broker_id: Option<u32>,
    /// Broker version.
    pub broker_version: String,
}

/// A cluster backup.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ZeebeBackup {
    /// Backup id.
    pub id: u64,
    /// Per-partition backups.
    pub partitions: BTreeMap<u32, PartitionBackup>,
    /// 8.9+ checkpoint type: `MANUAL_BACKUP` or `SCHEDULED_BACKUP`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// Exporter phase of a partition leader (spec §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExporterPhase {
    /// Exporting.
    Exporting,
    /// Hard paused.
    Paused,
    /// Soft paused.
    SoftPaused,
}

impl ExporterPhase {
    /// JSON / file name of the phase.
    pub fn as_str(self) -> &'static str {
        match self {
            ExporterPhase::Exporting => "EXPORTING",
            ExporterPhase::Paused => "PAUSED",
            ExporterPhase::SoftPaused => "SOFT_PAUSED",
        }
    }
}

/// The whole Zeebe state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ZeebeState {
    /// Highest backup id ever taken (never decreases, survives deletion).
    pub latest_backup_id: u64,
    /// Existing backups.
    pub backups: BTreeMap<u64, ZeebeBackup>,
    /// Exporter phase per partition (absent = exporting).
    #[serde(skip)]
    pub exporter: BTreeMap<u32, ExporterPhase>,
    /// Partitions whose stream processor failed (hard pause over soft pause, pitfall 4).
    #[serde(default)]
    pub failed_partitions: BTreeSet<u32>,
    /// Count of hard pauses issued while soft-paused.
    #[serde(default)]
    pub hard_over_soft_violations: u64,
    /// Backups taken while exporting was not paused (informative).
    #[serde(default)]
    pub backups_taken_while_exporting: u64,
    /// Data directory of each broker (absent in state persisted before they were modelled:
    /// filled in at start).
    #[serde(default)]
    pub brokers: BTreeMap<u32, BrokerData>,
    /// Restore application runs while the gateway, a web app or another broker was running
    /// (the procedure stops every other component first, §8; informative).
    #[serde(default)]
    pub restores_while_components_running: u64,
    /// Ids of deleted backups: the log they covered is gone from the store, so Zeebe's backup
    /// ranges (8.9+ `/state`) break there.
    #[serde(default)]
    pub deleted: BTreeSet<u64>,
    /// 8.10+: recovery mode, cluster changes and the in-cluster restore.
    #[serde(default)]
    pub recovery: super::recovery::Recovery,
}

/// Why a backup could not be aged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeError {
    /// No backup with that id.
    Unknown,
    /// The shifted time is outside chrono's range.
    OutOfRange,
}

/// Spring-style ISO-8601 with nanoseconds and `Z` (trailing zeros trimmed like `Instant.toString`).
pub fn iso_nanos(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl ZeebeState {
    /// Exporter phase of `partition`.
    pub fn phase(&self, partition: u32) -> ExporterPhase {
        self.exporter
            .get(&partition)
            .copied()
            .unwrap_or(ExporterPhase::Exporting)
    }

    /// Aggregated state of a backup (spec §3.3), `None` when every partition `DOES_NOT_EXIST`.
    pub fn aggregate(&self, id: u64, partitions: u32) -> Option<(&'static str, Option<String>)> {
        let backup = self.backups.get(&id)?;
        let states: Vec<PartitionBackupState> = (1..=partitions)
            .map(|p| {
                backup
                    .partitions
                    .get(&p)
                    .map(|b| b.state)
                    .unwrap_or(PartitionBackupState::DoesNotExist)
            })
            .collect();
        if states
            .iter()
            .all(|s| *s == PartitionBackupState::DoesNotExist)
        {
            return None;
        }
        if states.iter().all(|s| *s == PartitionBackupState::Completed) {
            return Some(("COMPLETED", None));
        }
        if let Some(failed) = backup
            .partitions
            .values()
            .find(|b| b.state == PartitionBackupState::Failed)
        {
            let reason = format!(
                "Backup on partition {} failed: {}",
                failed.partition_id,
                failed.failure_reason.clone().unwrap_or_default()
            );
            return Some(("FAILED", Some(reason)));
        }
        if states.contains(&PartitionBackupState::DoesNotExist) {
            return Some(("INCOMPLETE", None));
        }
        Some(("IN_PROGRESS", None))
    }

    /// Moves `created_at`/`last_updated_at` of every partition entry of backup `id` back by `by`.
    pub fn age_backup(&mut self, id: u64, by: TimeDelta) -> Result<(), AgeError> {
        let backup = self.backups.get_mut(&id).ok_or(AgeError::Unknown)?;
        let shift = |t: DateTime<Utc>| t.checked_sub_signed(by).ok_or(AgeError::OutOfRange);
        // compute first so a range error leaves the backup untouched
        let mut shifted = Vec::with_capacity(backup.partitions.len());
        for (p, b) in &backup.partitions {
            let last = b.last_updated_at.map(shift).transpose()?;
            shifted.push((*p, shift(b.created_at)?, last));
        }
        for (p, created, last) in shifted {
            if let Some(b) = backup.partitions.get_mut(&p) {
                b.created_at = created;
                b.last_updated_at = last;
            }
        }
        Ok(())
    }

    /// `BackupInfo` JSON; `full` = details with every field (GET one) or list-entry fields.
    pub fn backup_json(&self, id: u64, partitions: u32, full: bool) -> Option<Value> {
        let (state, failure) = self.aggregate(id, partitions)?;
        let backup = self.backups.get(&id)?;
        let details: Vec<Value> = (1..=partitions)
            .map(|p| match backup.partitions.get(&p) {
                Some(b) => partition_json(b, full),
                None => json!({"partitionId": p, "state": "DOES_NOT_EXIST"}),
            })
            .collect();
        let mut obj = Map::new();
        obj.insert("backupId".into(), json!(id));
        obj.insert("state".into(), json!(state));
        if let Some(reason) = failure {
            obj.insert("failureReason".into(), json!(reason));
        }
        obj.insert("details".into(), Value::Array(details));
        Some(Value::Object(obj))
    }
}

fn partition_json(b: &PartitionBackup, full: bool) -> Value {
    let mut obj = Map::new();
    obj.insert("partitionId".into(), json!(b.partition_id));
    obj.insert(
        "state".into(),
        serde_json::to_value(b.state).unwrap_or(Value::Null),
    );
    if let Some(r) = &b.failure_reason {
        obj.insert("failureReason".into(), json!(r));
    }
    obj.insert("createdAt".into(), json!(iso_nanos(&b.created_at)));
    if full {
        if let Some(t) = &b.last_updated_at {
            obj.insert("lastUpdatedAt".into(), json!(iso_nanos(t)));
        }
        if let Some(s) = &b.snapshot_id {
            obj.insert("snapshotId".into(), json!(s));
        }
        if let Some(c) = b.checkpoint_position {
            obj.insert("checkpointPosition".into(), json!(c));
        }
        if let Some(id) = b.broker_id {
            obj.insert("brokerId".into(), json!(id));
        }
    }
    obj.insert("brokerVersion".into(), json!(b.broker_version));
    Value::Object(obj)
}
