//! Typed errors of the simulator's public API.

use std::path::PathBuf;

/// Everything that can go wrong when configuring, starting or controlling the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scenario file could not be read.
    #[error("cannot read scenario file {path}: {source}")]
    ReadScenario {
        /// File that was read.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The scenario TOML is invalid.
    #[error("invalid scenario: {0}")]
    InvalidScenario(String),
    /// A listener could not be bound.
    #[error("cannot bind {component} on {addr}: {source}")]
    Bind {
        /// Component name.
        component: String,
        /// Address that was tried.
        addr: String,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// An unknown component name was given.
    #[error("unknown component: {0}")]
    UnknownComponent(String),
    /// Persisting or loading state failed.
    #[error("state directory error: {0}")]
    Persist(String),
    /// Generating the TLS certificates or the TLS configuration failed.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// No Zeebe backup with this id exists.
    #[error("no Zeebe backup with id {0}")]
    UnknownBackup(i64),
    /// An argument is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The operation is not possible in the cluster's current state (e.g. a running broker's
    /// data directory cannot be cleared).
    #[error("conflict: {0}")]
    Conflict(String),
}
