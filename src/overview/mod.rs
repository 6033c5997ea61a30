//! Probing the cluster: whether each component answers, its version, Zeebe's partitions and
//! exporting state, and the snapshot repository. A background task refreshes the cached result.

mod probe;
mod versions;

pub use probe::{probe_cluster, spawn_prober, Depth, OverviewCache, ProbeTarget, VerifyMemo};
pub use versions::{actuator_version, version_from_snapshot_name};
