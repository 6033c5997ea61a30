//! The backup history: one truthful row per backup id, from the journal, every component's
//! backup list and the repository's snapshots (`sources`), merged by rules that are tested
//! without a cluster (`merge`), named by a version profile (`profile`), paged and filtered
//! (`page`), kept current row by row (`view`).

mod delete;
mod merge;
mod page;
mod profile;
mod progress;
mod runtime;
mod service;
mod sizes;
mod sources;
mod view;

pub use delete::{delete_set, delete_set_judged, DeleteError, Judge};
pub use merge::{merge, merge_row, ClusterIndex, ZEEBE_OWN};
pub use page::{page, HistoryQuery, QueryError, DEFAULT_LIMIT, MAX_LIMIT};
pub use profile::HistoryProfile;
pub use progress::Deletions;
pub use service::{fresh_set, history_page, history_set, history_set_sized, set_read_now};
pub use sizes::SnapshotSizes;
pub use sources::{ClusterReads, HistoryCache, Read, Sources};
pub use view::{Rows, View};

/// What the history's operations use of the console: the cached reads, the engine (its journal
/// and start lock), the clients and the cluster's settings. Built by the console's state; the
/// history never reaches for the whole console.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub cache: &'a HistoryCache,
    pub engine: &'a crate::engine::BackupEngine,
    pub clients: &'a crate::camunda::CamundaClients,
    pub cluster: &'a crate::config::ClusterSettings,
    pub rpo_objective_hours: u64,
}
