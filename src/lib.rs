//! Backup & restore console for Camunda 8 Self-Managed: a Leptos app rendered on the server
//! (feature `ssr`) and hydrated in the browser (feature `hydrate`).
// The run page's view types are deep; the release wasm build needs more than the default 128.
#![recursion_limit = "256"]

/// Server functions the pages call (thin wrappers over the server-side services).
pub mod api;
/// Routes, the HTML shell and the top-level component.
pub mod app;
/// Types shared by the server and the browser: components, overview, errors on the wire.
pub mod domain;
/// Pages and components.
pub mod ui;

/// The state-changing actions: role check, work, audit entry (REST and server functions).
#[cfg(feature = "ssr")]
pub mod actions;
/// Alerts: webhooks, signed deliveries retried for an hour, the delivery log.
#[cfg(feature = "ssr")]
pub mod alerts;
/// The append-only audit log.
#[cfg(feature = "ssr")]
pub mod audit;
/// Sign-in, sessions, API tokens, CSRF protection.
#[cfg(feature = "ssr")]
pub mod auth;
/// HTTP clients for the Camunda components' management APIs and Elasticsearch.
#[cfg(feature = "ssr")]
pub mod camunda;
/// The one clock the scheduler, retention and alerts read (manual in tests).
#[cfg(feature = "ssr")]
pub mod clock;
/// Loading and validating the console's configuration.
#[cfg(feature = "ssr")]
pub mod config;
/// The backup engine: runs, journal writing, recovery, watchdog.
#[cfg(feature = "ssr")]
pub mod engine;
/// The backup history: one row per set, from the journal, the components and the repository.
#[cfg(feature = "ssr")]
pub mod history;
/// `GET /metrics`: the console's state in the Prometheus text format.
#[cfg(feature = "ssr")]
pub mod metrics;
/// Probing the cluster for the overview page.
#[cfg(feature = "ssr")]
pub mod overview;
/// Camunda version profiles as data, and choosing one from the components' versions.
#[cfg(feature = "ssr")]
pub mod profile;
/// This process among the console's replicas: the leader lease and the fencing token.
#[cfg(feature = "ssr")]
pub mod replica;
/// REST handlers under `/api/v1`.
#[cfg(feature = "ssr")]
pub mod rest;
/// Guided restores: pre-flight, plan, runbook, journaled execution, resume after restart.
#[cfg(feature = "ssr")]
pub mod restore;
/// Set-aware retention: the policy, its preview, pins and the deleting passes.
#[cfg(feature = "ssr")]
pub mod retention;
/// The whole router: pages, server functions, the JSON API, static files, the gate.
#[cfg(feature = "ssr")]
pub mod router;
/// Backup schedules: cron, time zones, waiting for the slot, missed and skipped fires.
#[cfg(feature = "ssr")]
pub mod scheduler;
/// Building the HTTP application (used by `main` and by the integration tests).
#[cfg(feature = "ssr")]
pub mod startup;
/// Server state shared by handlers and server functions.
#[cfg(feature = "ssr")]
pub mod state;
/// The journal (SQLite or PostgreSQL through sqlx).
#[cfg(feature = "ssr")]
pub mod store;
/// The stylesheet's URL (content-hashed when the build hashes its files).
#[cfg(feature = "ssr")]
pub mod stylesheet;
/// The HTTP plumbing every route shares: the gate, security headers, cookies, client
/// addresses, static files.
#[cfg(feature = "ssr")]
pub mod web;
/// The HTTP surface's wire error and the mapping of every refusal to it (JSON API and server
/// functions alike).
#[cfg(feature = "ssr")]
pub mod wire;

/// Browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
