//! The backup history: one truthful row per backup id, from the journal, every component's
//! backup list and the repository's snapshots (`sources`), merged by rules that are tested
//! without a cluster (`merge`), named by a version profile (`profile`), paged and filtered
//! (`page`).

mod delete;
mod merge;
mod page;
mod profile;
mod service;
mod sources;

pub use delete::{delete_set, DeleteError};
pub use merge::merge;
pub use page::{page, HistoryQuery, QueryError, DEFAULT_LIMIT, MAX_LIMIT};
pub use profile::HistoryProfile;
pub use service::{history_page, history_set};
pub use sources::{ClusterReads, HistoryCache, Read, Sources};
