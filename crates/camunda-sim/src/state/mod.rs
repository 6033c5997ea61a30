//! In-memory model of the simulated cluster.

pub mod backup_state;
pub mod broker_data;
pub mod es;
pub mod es_index;
pub mod es_restore;
pub mod recovery;
pub mod zeebe;
pub mod zeebe_log;

use std::collections::BTreeMap;

use serde::Serialize;

/// Web-app backup queue (Operate, Tasklist, Optimize).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Queue {
    /// Backup id being processed, if any.
    pub running: Option<u64>,
    /// Snapshot names still to create.
    pub pending: Vec<String>,
}

/// Everything mutable about the cluster, guarded by one mutex.
#[derive(Debug, Default)]
pub struct SimState {
    /// Zeebe gateway/broker state.
    pub zeebe: zeebe::ZeebeState,
    /// Elasticsearch state.
    pub es: es::EsState,
    /// Backup queues by app name (`operate`, `tasklist`, `optimize`).
    pub queues: BTreeMap<String, Queue>,
}
