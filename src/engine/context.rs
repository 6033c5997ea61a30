//! What a running step needs: clients, cluster settings, time limits, the cancel flag, and
//! the step outcome type.

use crate::camunda::CamundaClients;
use crate::config::{ClusterSettings, Timeouts};
use crate::domain::BackupId;
use crate::store::StoreError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared by every step of one run.
#[derive(Clone)]
pub struct RunContext {
    pub id: BackupId,
    pub clients: CamundaClients,
    pub cluster: ClusterSettings,
    pub timeouts: Timeouts,
    pub cancel: Arc<AtomicBool>,
}

impl RunContext {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Name of the zeebe-record snapshot of this backup (§2.3).
    pub fn records_snapshot(&self) -> String {
        format!("camunda_zeebe_records_backup_{}", self.id)
    }
}

/// Why a step did not complete.
#[derive(Debug, thiserror::Error)]
pub enum StepFailure {
    /// The step failed: what happened (naming the component) and what to do next.
    #[error("{message}")]
    Failed { message: String, next: String },
    /// The admin cancelled the run.
    #[error("cancelled by the admin")]
    Cancelled,
    /// The journal could not be written: the run stops before acting further.
    #[error("the run journal could not be written")]
    Journal(#[from] StoreError),
}

impl StepFailure {
    pub fn failed(message: impl Into<String>, next: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
            next: next.into(),
        }
    }
}

/// What a completed step reports (its final detail words).
pub type StepResult = Result<Option<String>, StepFailure>;
