//! 8.10's recovery mode and in-cluster restore (docs/camunda-api-8.8-8.10.md §3.4): the
//! brokers' mode, the cluster-configuration changes that switch it (`/actuator/cluster`'s
//! `lastChange` / `pendingChange`), and the restore in flight with its progress per broker and
//! partition.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One cluster-configuration change.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Change {
    pub id: u64,
    /// `IN_PROGRESS`, `COMPLETED`, `FAILED` or `CANCELLED`.
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A partition's restore on one broker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartitionRestore {
    /// `PENDING`, `RESTORING` or `RESTORED`.
    pub state: String,
    pub completed_at: Option<DateTime<Utc>>,
}

/// The in-cluster restore in flight.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InClusterRestore {
    pub change_id: u64,
    pub backup_id: u64,
    pub started_at: DateTime<Utc>,
    /// `IN_PROGRESS`, `COMPLETED`, `FAILED` or `CANCELLED`.
    pub status: String,
    /// broker → partition → progress.
    pub brokers: BTreeMap<u32, BTreeMap<u32, PartitionRestore>>,
}

/// Recovery state of the cluster.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Recovery {
    /// Every broker in `RECOVERING` mode (processing stopped).
    pub recovering: bool,
    /// The last change id handed out.
    pub next_change: u64,
    pub last_change: Option<Change>,
    pub pending_change: Option<Change>,
    pub restore: Option<InClusterRestore>,
    /// Restores completed in the cluster (informative).
    pub restores_completed: u64,
}

impl Recovery {
    /// Starts a change; it stays pending until [`Recovery::complete`].
    pub fn begin(&mut self) -> u64 {
        self.next_change += 1;
        let id = self.next_change;
        self.pending_change = Some(Change {
            id,
            status: "IN_PROGRESS".into(),
            started_at: Utc::now(),
            completed_at: None,
        });
        id
    }

    /// Ends change `id` with `status`.
    pub fn complete(&mut self, id: u64, status: &str) {
        let started_at = match self.pending_change.take() {
            Some(c) if c.id == id => c.started_at,
            other => {
                self.pending_change = other;
                Utc::now()
            }
        };
        self.last_change = Some(Change {
            id,
            status: status.into(),
            started_at,
            completed_at: Some(Utc::now()),
        });
    }
}
