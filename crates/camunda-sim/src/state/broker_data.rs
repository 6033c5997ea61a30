//! Per-broker data directories (§8): the partitions a broker's disk holds (log position, latest
//! snapshot, exported position, the backup it was restored from), other files dropped into it
//! (`lost+found`), and the log of the restore application's runs on that node.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The broker's data directory, as the restore application names it.
pub const DATA_DIR: &str = "/usr/local/zeebe/data";

/// Top-level directory that holds the partitions.
const PARTITIONS_DIR: &str = "raft-partition";

/// Restore runs kept per broker.
const MAX_RUNS: usize = 20;

/// One partition on one broker's disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionData {
    /// Position of the last record in the log (-1 = empty log).
    pub position: i64,
    /// Processed position of the latest snapshot (-1 = no snapshot).
    pub snapshot_position: i64,
    /// Position the exporters have acknowledged (-1 = nothing exported).
    pub exported_position: i64,
    /// Backup this partition was restored from.
    #[serde(default)]
    pub restored_from_backup: Option<u64>,
    /// Created empty because the broker started on an empty data directory without a restore.
    #[serde(default)]
    pub started_empty: bool,
}

impl PartitionData {
    /// The data a partition has when the simulator is first started.
    pub fn initial(partition: u32) -> Self {
        let base = 100 + i64::from(partition) * 10;
        Self {
            position: base,
            snapshot_position: base - 5,
            exported_position: base - 1,
            restored_from_backup: None,
            started_empty: false,
        }
    }

    /// A partition created on an empty data directory.
    pub fn empty() -> Self {
        Self {
            position: -1,
            snapshot_position: -1,
            exported_position: -1,
            restored_from_backup: None,
            started_empty: true,
        }
    }

    /// Id of the latest snapshot (`index-term-processedPosition-exportedPosition`), if any.
    pub fn snapshot_id(&self, partition: u32) -> Option<String> {
        (self.snapshot_position >= 0).then(|| {
            format!(
                "{}-1-{}-{}",
                partition + 1,
                self.snapshot_position,
                self.snapshot_position - 1
            )
        })
    }

    /// JSON view (admin API).
    pub fn json(&self, partition: u32) -> Value {
        json!({
            "position": self.position,
            "snapshot_position": self.snapshot_position,
            "snapshot_id": self.snapshot_id(partition),
            "exported_position": self.exported_position,
            "restored_from_backup": self.restored_from_backup,
            "started_empty": self.started_empty,
        })
    }
}

/// One run of the restore application on a broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreRun {
    /// `--backupId`.
    pub backup_id: u64,
    /// Process exit code: 0 success, 1 failure.
    pub exit_code: i32,
    /// Log messages, in order.
    pub log: Vec<String>,
    /// When the run ended.
    pub at: DateTime<Utc>,
}

/// A broker's data directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerData {
    /// Names dropped into the directory besides the partition data (e.g. `lost+found`).
    #[serde(default)]
    pub files: BTreeSet<String>,
    /// Partitions held, by id.
    #[serde(default)]
    pub partitions: BTreeMap<u32, PartitionData>,
    /// Restore application runs on this node, oldest first (not part of the directory).
    #[serde(default)]
    pub restore_runs: Vec<RestoreRun>,
}

impl BrokerData {
    /// Data of a broker that hosts `partitions`, as first started.
    pub fn initial(partitions: &[u32]) -> Self {
        Self {
            partitions: partitions
                .iter()
                .map(|p| (*p, PartitionData::initial(*p)))
                .collect(),
            ..Self::default()
        }
    }

    /// Top-level names in the directory.
    pub fn listing(&self) -> Vec<String> {
        let mut names = self.files.clone();
        if !self.partitions.is_empty() {
            names.insert(PARTITIONS_DIR.to_string());
        }
        names.into_iter().collect()
    }

    /// Whether the directory is empty apart from names in `ignore`.
    pub fn is_empty_ignoring(&self, ignore: &[String]) -> bool {
        self.listing().iter().all(|n| ignore.contains(n))
    }

    /// Deletes the directory's contents (partitions and files).
    pub fn clear(&mut self) {
        self.files.clear();
        self.partitions.clear();
    }

    /// Records a restore run, keeping the last few.
    pub fn record_run(&mut self, run: RestoreRun) {
        self.restore_runs.push(run);
        let excess = self.restore_runs.len().saturating_sub(MAX_RUNS);
        self.restore_runs.drain(..excess);
    }

    /// JSON view (admin API).
    pub fn json(&self, broker: u32, running: bool) -> Value {
        let partitions: Map<String, Value> = self
            .partitions
            .iter()
            .map(|(p, d)| (p.to_string(), d.json(*p)))
            .collect();
        json!({
            "broker": broker,
            "running": running,
            "data_directory": DATA_DIR,
            "empty": self.listing().is_empty(),
            "files": self.listing(),
            "partitions": partitions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_and_found_can_be_ignored() {
        let mut d = BrokerData::initial(&[1, 2]);
        assert_eq!(d.listing(), ["raft-partition"]);
        d.clear();
        assert!(d.is_empty_ignoring(&[]));
        d.files.insert("lost+found".into());
        assert!(!d.is_empty_ignoring(&[]));
        assert!(d.is_empty_ignoring(&["lost+found".to_string()]));
    }

    #[test]
    fn only_the_last_runs_are_kept() {
        let mut d = BrokerData::default();
        for id in 0..25 {
            d.record_run(RestoreRun {
                backup_id: id,
                exit_code: 0,
                log: vec![],
                at: Utc::now(),
            });
        }
        assert_eq!(d.restore_runs.len(), MAX_RUNS);
        assert_eq!(d.restore_runs[0].backup_id, 5);
    }

    #[test]
    fn snapshot_ids_follow_the_snapshot_position() {
        assert_eq!(
            PartitionData::initial(1).snapshot_id(1).as_deref(),
            Some("2-1-105-104")
        );
        assert_eq!(PartitionData::empty().snapshot_id(1), None);
    }
}
