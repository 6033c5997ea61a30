//! Partition logs across the brokers' data directories: records appended, backup checkpoints,
//! exporters catching up, a broker starting on an empty directory, and a partition restored from
//! a backup (its log ends at the backup's checkpoint: everything after it is gone).

use super::broker_data::{BrokerData, PartitionData};
use super::zeebe::{ExporterPhase, PartitionBackup, ZeebeState};

/// A backup checkpoint written into a partition's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Position of the checkpoint record.
    pub position: i64,
    /// Snapshot included in the backup (none for an empty partition).
    pub snapshot_id: Option<String>,
}

impl ZeebeState {
    /// Adds the data directory of every broker the state does not know yet (first start, or
    /// state persisted before data directories were modelled), holding its hosted partitions.
    pub fn ensure_brokers(&mut self, brokers: u32, hosted: impl Fn(u32) -> Vec<u32>) {
        for b in 0..brokers {
            self.brokers
                .entry(b)
                .or_insert_with(|| BrokerData::initial(&hosted(b)));
        }
    }

    /// Broker `broker` starts: on an empty directory it creates empty partitions (`true`
    /// returned); exporters of exporting partitions catch up with the log.
    pub fn start_broker(&mut self, broker: u32, hosted: &[u32]) -> bool {
        let exporting: Vec<bool> = hosted
            .iter()
            .map(|p| self.phase(*p) == ExporterPhase::Exporting)
            .collect();
        let data = self.brokers.entry(broker).or_default();
        let empty = data.partitions.is_empty();
        if empty {
            for p in hosted {
                data.partitions.insert(*p, PartitionData::empty());
            }
        }
        for (p, exporting) in hosted.iter().zip(exporting) {
            if let Some(d) = data.partitions.get_mut(p).filter(|_| exporting) {
                d.exported_position = d.position;
            }
        }
        empty
    }

    /// Data of partition `p` on broker `broker`'s disk.
    pub fn partition_data(&self, broker: u32, p: u32) -> Option<&PartitionData> {
        self.brokers.get(&broker).and_then(|b| b.partitions.get(&p))
    }

    /// Applies `f` to partition `p` on every replica whose disk holds it.
    fn each_replica(&mut self, p: u32, replicas: &[u32], mut f: impl FnMut(&mut PartitionData)) {
        for b in replicas {
            if let Some(d) = self
                .brokers
                .get_mut(b)
                .and_then(|b| b.partitions.get_mut(&p))
            {
                f(d);
            }
        }
    }

    /// Appends `count` records to partition `p` (replicated to every replica holding it); the
    /// exporter follows unless exporting is paused. Returns the leader's data afterwards.
    pub fn append(
        &mut self,
        p: u32,
        count: u64,
        replicas: &[u32],
        leader: u32,
    ) -> Option<PartitionData> {
        let exporting = self.phase(p) == ExporterPhase::Exporting;
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        self.each_replica(p, replicas, |d| {
            d.position = d.position.max(0).saturating_add(count);
            if exporting {
                d.exported_position = d.position;
            }
        });
        self.partition_data(leader, p).cloned()
    }

    /// Writes a backup checkpoint into partition `p`: the leader's current state becomes the
    /// backup's snapshot, the checkpoint record is appended after it.
    pub fn checkpoint(&mut self, p: u32, replicas: &[u32], leader: u32) -> Checkpoint {
        let exporting = self.phase(p) == ExporterPhase::Exporting;
        let Some(current) = self.partition_data(leader, p).cloned() else {
            return Checkpoint {
                position: 1,
                snapshot_id: None,
            };
        };
        let mut next = current;
        if next.position >= 0 {
            next.snapshot_position = next.position;
        }
        let snapshot_id = next.snapshot_id(p);
        next.position = next.position.max(0) + 1;
        if exporting {
            next.exported_position = next.position;
        }
        self.each_replica(p, replicas, |d| {
            d.position = next.position;
            d.snapshot_position = next.snapshot_position;
            d.exported_position = next.exported_position;
        });
        Checkpoint {
            position: next.position,
            snapshot_id,
        }
    }

    /// Exporting resumed: every exporter catches up with its log.
    pub fn catch_up_exporters(&mut self) {
        for d in self
            .brokers
            .values_mut()
            .flat_map(|b| b.partitions.values_mut())
        {
            d.exported_position = d.position;
        }
    }
}

/// The data of partition `p` restored from `backup` `id`: the log ends at the checkpoint and the
/// exported position is the one in the backup's snapshot (records after it are re-exported).
pub fn restored_partition(id: u64, backup: &PartitionBackup) -> PartitionData {
    let snapshot_position = backup
        .snapshot_id
        .as_deref()
        .and_then(|s| s.split('-').nth(2))
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1);
    PartitionData {
        position: backup.checkpoint_position.unwrap_or(0),
        snapshot_position,
        exported_position: if snapshot_position >= 0 {
            snapshot_position - 1
        } else {
            -1
        },
        restored_from_backup: Some(id),
        started_empty: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ZeebeState {
        let mut z = ZeebeState::default();
        z.ensure_brokers(2, |b| if b == 0 { vec![1] } else { vec![1, 2] });
        z
    }

    #[test]
    fn records_and_checkpoints_move_every_replica() {
        let mut z = state();
        let leader = z.append(1, 5, &[0, 1], 0).unwrap();
        assert_eq!(leader.position, 115);
        assert_eq!(leader.exported_position, 115);
        let cp = z.checkpoint(1, &[0, 1], 0);
        assert_eq!(cp.position, 116);
        assert_eq!(cp.snapshot_id.as_deref(), Some("2-1-115-114"));
        assert_eq!(z.partition_data(1, 1).unwrap().position, 116);
    }

    #[test]
    fn a_paused_exporter_falls_behind_until_resumed() {
        let mut z = state();
        z.exporter.insert(2, ExporterPhase::SoftPaused);
        let d = z.append(2, 3, &[1], 1).unwrap();
        assert_eq!((d.position, d.exported_position), (123, 119));
        z.catch_up_exporters();
        assert_eq!(z.partition_data(1, 2).unwrap().exported_position, 123);
    }

    #[test]
    fn an_empty_directory_starts_empty_partitions() {
        let mut z = state();
        assert!(!z.start_broker(0, &[1]));
        z.brokers.get_mut(&0).unwrap().clear();
        assert!(z.start_broker(0, &[1]));
        let d = z.partition_data(0, 1).unwrap();
        assert!(d.started_empty && d.position == -1);
    }
}
