//! Integration tests, one binary: each module starts the real console (HTTP, SQLite)
//! against the in-process simulator. One binary links once; seventeen linked the whole app seventeen times.
#![cfg(feature = "ssr")]

mod common;

mod auth;
mod backup_cancel;
mod backup_crash;
mod backup_fault_matrix;
mod backup_faults;
mod backup_ids;
mod backup_orphans;
mod backup_run;
mod backup_shutdown;
mod backup_truth;
mod contract;
mod guards;
mod history;
mod http_surface;
mod layers;
mod metrics;
mod oidc;
mod openapi;
mod overview;
mod postgres;
mod profiles;
mod replicas;
mod rest_v2;
mod restore;
mod restore_crash;
mod restore_faults;
mod restore_in_cluster;
mod restore_unified;
mod retention;
mod schedules;
mod single_writer;
mod tls_and_auth;
mod watchdog;
mod webhooks;
