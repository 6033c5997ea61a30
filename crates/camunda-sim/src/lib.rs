//! Faithful simulator of a Camunda 8 Self-Managed cluster (8.2–8.7 backup/restore API profile).
//!
//! Every component listens on its own TCP port on 127.0.0.1, like a real cluster:
//! the Zeebe gateway (backups, exporting pause/resume), B brokers (`/actuator/partitions`),
//! Operate and Tasklist (`/actuator/backups`, parts created sequentially as ES snapshots),
//! Optimize (`/actuator/backups`, two parts) and Elasticsearch (snapshot, index and template APIs).
//! A separate admin API (and [`SimControl`] in-process) injects faults, stops and starts
//! components, changes latency and response modes, and exposes the call log
//! ([`RecordedCall`]: arrival order and time, component, operation, status;
//! [`SimControl::count_calls`] counts per component and operation).
//!
//! Security, both off by default:
//! * `[tls]` ([`TlsConfig`]): every component listener serves HTTPS with a server certificate
//!   (`127.0.0.1`, `localhost`, `::1`) signed by a CA generated at start-up; with
//!   `require_client_cert` a client certificate signed by that CA is demanded (mutual TLS).
//!   [`SimControl::ca_pem`], [`SimControl::client_cert_pem`] and [`SimControl::client_key_pem`]
//!   hand out the PEMs. The admin API stays plain HTTP.
//! * `[auth]` ([`AuthConfig`]): basic or bearer credentials on the Spring management endpoints
//!   (Zeebe gateway, brokers, Operate, Tasklist, Optimize), basic or API key on Elasticsearch.
//!   Missing or wrong credentials get 401 in the component's own shape (Spring error body or
//!   Elasticsearch `security_exception`), checked before latency and faults and still logged.
//!
//! Restore (§7.7, §8, §9.3): every index has content (`docs_count` and the cluster write
//! sequence of its last write, [`IndexContent`]) that snapshots record and restores bring back;
//! restored indices recover for `timing.es_restore_ms` (`_cat/recovery`, `/{index}/_recovery`,
//! `_cluster/health`). Each broker has a data directory; [`SimControl::restore_broker`] runs the
//! Zeebe restore application on a stopped broker ([`RestoreOutcome`], [`RestoreRun`]).
//!
//! Zeebe backups stuck `IN_PROGRESS` (camunda/camunda#41200): fault
//! [`FaultKind::PartitionStuck`], and [`SimControl::age_zeebe_backup`] to make them look old.
//!
//! Operation names (for faults and latency keys `component.operation`):
//! * `zeebe`: `take_backup`, `get_backup`, `list_backups`, `delete_backup`, `pause`, `resume`
//! * `broker`: `partitions`
//! * `operate`, `tasklist`, `optimize`: `take_backup`, `get_backup`, `list_backups`, `delete_backup`
//! * `elasticsearch`: `root`, `get_repository`, `put_repository`, `delete_repository`,
//!   `verify_repository`, `create_snapshot`, `get_snapshot`, `snapshot_status`,
//!   `delete_snapshot`, `restore_snapshot`, `cat_indices`, `cat_recovery`, `index_recovery`,
//!   `cluster_health`, `create_index`, `delete_index`, `index_templates`
//! * every component: `info`, `health`; `*` matches any operation.

mod appbackup;
mod auth;
mod calls;
mod component;
mod config;
mod control;
mod error;
mod faults;
mod http;
mod jobs;
mod lifecycle;
mod persist;
mod restore_app;
mod schema;
mod seed;
mod server;
mod shared;
mod state;
mod tls;

pub use auth::{
    ApiKey, AuthConfig, BasicCredentials, BearerToken, ElasticsearchAuth, ManagementAuth,
};
pub use calls::RecordedCall;
pub use component::Component;
pub use config::{
    ElasticsearchConfig, ExportingResponse, LatencyConfig, PortsConfig, SimConfig, TimingConfig,
    WebappErrors,
};
pub use control::{start, RunningSimulator, SimControl, SimUrls};
pub use error::SimError;
pub use faults::{Fault, FaultKind};
pub use restore_app::RestoreOutcome;
pub use seed::ZEEBE_VALUE_TYPES;
pub use state::broker_data::RestoreRun;
pub use state::es_index::IndexContent;
pub use tls::TlsConfig;
