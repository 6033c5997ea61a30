//! 8.9+: Zeebe's own backup state (`/actuator/backupRuntime/state`) as the history shows it —
//! per partition the latest backup and checkpoint and the ranges of contiguous backups. Several
//! ranges for one partition mean a gap that cannot be restored across (8.9 docs, "Verify your
//! backup setup"); a partition without a backup is said too.

use crate::camunda::types::{CheckpointState, RuntimeBackupState};
use crate::domain::{Checkpoint, CheckpointRange, PartitionCoverage, RuntimeCoverage};
use std::collections::BTreeMap;

fn checkpoint(s: &CheckpointState) -> Checkpoint {
    Checkpoint {
        checkpoint_id: s.checkpoint_id,
        kind: s.checkpoint_type.clone(),
        at: s.checkpoint_timestamp.clone(),
        position: s.checkpoint_position,
    }
}

fn words(c: Option<&Checkpoint>) -> String {
    match c {
        Some(c) => match &c.at {
            Some(at) => format!("checkpoint {} ({at})", c.checkpoint_id),
            None => format!("checkpoint {}", c.checkpoint_id),
        },
        None => "an unknown checkpoint".into(),
    }
}

/// The coverage of every partition the state names, by partition id.
pub fn coverage(state: &RuntimeBackupState, read_at: Option<String>) -> RuntimeCoverage {
    let mut parts: BTreeMap<i32, PartitionCoverage> = BTreeMap::new();
    for s in &state.checkpoint_states {
        let id = s.partition_id.unwrap_or(0);
        parts
            .entry(id)
            .or_insert_with(|| empty(id))
            .latest_checkpoint = Some(checkpoint(s));
    }
    for s in &state.backup_states {
        let id = s.partition_id.unwrap_or(0);
        parts.entry(id).or_insert_with(|| empty(id)).latest_backup = Some(checkpoint(s));
    }
    for r in &state.ranges {
        parts
            .entry(r.partition_id)
            .or_insert_with(|| empty(r.partition_id))
            .ranges
            .push(CheckpointRange {
                start: r.start.as_ref().map(checkpoint),
                end: r.end.as_ref().map(checkpoint),
            });
    }
    for p in parts.values_mut() {
        p.ranges.sort_by_key(|r| {
            r.start
                .as_ref()
                .map(|c| c.checkpoint_id)
                .unwrap_or(i64::MIN)
        });
        p.gap = if p.latest_backup.is_none() {
            Some("no backup of this partition".into())
        } else if p.ranges.is_empty() {
            Some("no range of backups: nothing to restore from".into())
        } else if p.ranges.len() > 1 {
            let holes: Vec<String> = p
                .ranges
                .windows(2)
                .map(|w| {
                    format!(
                        "after {} until {}",
                        words(w[0].end.as_ref()),
                        words(w[1].start.as_ref())
                    )
                })
                .collect();
            Some(format!(
                "{} ranges: a restore cannot cross the gap {}",
                p.ranges.len(),
                holes.join("; ")
            ))
        } else {
            None
        };
    }
    let scheduled = state
        .checkpoint_states
        .iter()
        .chain(&state.backup_states)
        .any(|s| {
            matches!(
                s.checkpoint_type.as_deref(),
                Some("SCHEDULED_BACKUP" | "MARKER")
            )
        });
    RuntimeCoverage {
        partitions: parts.into_values().collect(),
        scheduled,
        read_at,
    }
}

fn empty(id: i32) -> PartitionCoverage {
    PartitionCoverage {
        partition_id: id,
        ..PartitionCoverage::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_per_partition_and_a_gap_in_words() {
        // The 8.9 docs' shape: partition 1 covered by one range, partition 2 by two.
        let state: RuntimeBackupState = serde_json::from_value(serde_json::json!({
            "checkpointStates": [
                {"checkpointId": 1772001869309i64, "checkpointType": "MARKER", "partitionId": 1,
                 "checkpointPosition": 500, "checkpointTimestamp": "2026-02-25T06:44:29.309Z"},
                {"checkpointId": 1772001869309i64, "checkpointType": "MARKER", "partitionId": 2,
                 "checkpointPosition": 480, "checkpointTimestamp": "2026-02-25T06:44:29.309Z"}
            ],
            "backupStates": [
                {"checkpointId": 1772000000000i64, "checkpointType": "SCHEDULED_BACKUP", "partitionId": 1,
                 "checkpointPosition": 400, "firstLogPosition": 1, "checkpointTimestamp": "2026-02-25T06:13:20Z"},
                {"checkpointId": 1772000000000i64, "checkpointType": "SCHEDULED_BACKUP", "partitionId": 2,
                 "checkpointPosition": 390, "firstLogPosition": 1, "checkpointTimestamp": "2026-02-25T06:13:20Z"}
            ],
            "ranges": [
                {"partitionId": 1,
                 "start": {"checkpointId": 10, "checkpointType": "SCHEDULED_BACKUP", "checkpointPosition": 5},
                 "end": {"checkpointId": 1772000000000i64, "checkpointType": "SCHEDULED_BACKUP", "checkpointPosition": 400}},
                {"partitionId": 2,
                 "start": {"checkpointId": 50, "checkpointType": "SCHEDULED_BACKUP"},
                 "end": {"checkpointId": 1772000000000i64, "checkpointType": "SCHEDULED_BACKUP"}},
                {"partitionId": 2,
                 "start": {"checkpointId": 10, "checkpointType": "SCHEDULED_BACKUP"},
                 "end": {"checkpointId": 20, "checkpointType": "SCHEDULED_BACKUP"}}
            ]
        }))
        .expect("the documented shape parses");
        let c = coverage(&state, None);
        assert!(c.scheduled);
        assert_eq!(c.partitions.len(), 2);
        assert_eq!(c.partitions[0].gap, None);
        let two = &c.partitions[1];
        assert_eq!(two.ranges.len(), 2);
        // Oldest first, and the gap named between them.
        assert_eq!(
            two.ranges[0].start.as_ref().map(|s| s.checkpoint_id),
            Some(10)
        );
        let gap = two.gap.as_deref().unwrap_or_default();
        assert!(
            gap.contains("2 ranges") && gap.contains("after checkpoint 20 until checkpoint 50"),
            "{gap}"
        );
    }

    #[test]
    fn a_partition_without_a_backup_is_said_and_manual_backups_are_not_a_schedule() {
        let state = RuntimeBackupState {
            checkpoint_states: vec![CheckpointState {
                checkpoint_id: 5,
                checkpoint_type: Some("MANUAL_BACKUP".into()),
                partition_id: Some(3),
                checkpoint_position: None,
                first_log_position: None,
                checkpoint_timestamp: None,
            }],
            ..RuntimeBackupState::default()
        };
        let c = coverage(&state, None);
        assert!(!c.scheduled);
        assert_eq!(
            c.partitions[0].gap.as_deref(),
            Some("no backup of this partition")
        );
    }
}
