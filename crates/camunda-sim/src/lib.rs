//! Faithful simulator of a Camunda 8 Self-Managed cluster (8.2–8.7 backup/restore API profile).
//!
//! Every component listens on its own TCP port on 127.0.0.1, like a real cluster:
//! the Zeebe gateway (backups, exporting pause/resume), B brokers (`/actuator/partitions`),
//! Operate and Tasklist (`/actuator/backups`, parts created sequentially as ES snapshots),
//! Optimize (`/actuator/backups`, two parts) and Elasticsearch (snapshot, index and template APIs).
//! A separate admin API (and [`SimControl`] in-process) injects faults, stops and starts
//! components, changes latency and response modes, and exposes the call log.
//!
//! Operation names (for faults and latency keys `component.operation`):
//! * `zeebe`: `take_backup`, `get_backup`, `list_backups`, `delete_backup`, `pause`, `resume`
//! * `broker`: `partitions`
//! * `operate`, `tasklist`, `optimize`: `take_backup`, `get_backup`, `list_backups`, `delete_backup`
//! * `elasticsearch`: `root`, `get_repository`, `verify_repository`, `create_snapshot`,
//!   `get_snapshot`, `snapshot_status`, `delete_snapshot`, `restore_snapshot`, `cat_indices`,
//!   `delete_index`, `index_templates`
//! * every component: `info`, `health`; `*` matches any operation.

mod appbackup;
mod calls;
mod component;
mod config;
mod control;
mod error;
mod faults;
mod http;
mod jobs;
mod persist;
mod seed;
mod server;
mod shared;
mod state;

pub use calls::RecordedCall;
pub use component::Component;
pub use config::{
    ElasticsearchConfig, ExportingResponse, LatencyConfig, PortsConfig, SimConfig, TimingConfig,
    WebappErrors,
};
pub use control::{start, RunningSimulator, SimControl, SimUrls};
pub use error::SimError;
pub use faults::{Fault, FaultKind};
