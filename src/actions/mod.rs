//! The state-changing actions, one function each, shared by the REST API and the server
//! functions: check the caller's role, then — in a task of its own, so that a client that goes
//! away stops neither the work nor its record — append an `attempted` audit entry, do the
//! work, append the outcome. A refusal by role is one `refused` entry (nothing was tried).
//! Nothing else may start, cancel, delete, restore or confirm; the role check lives here, not
//! in the pages.

mod automation;
mod backups;
mod restores;

pub use automation::{
    create_schedule, create_webhook, delete_schedule, delete_webhook, pin_set, run_schedule,
    save_retention, test_webhook, update_schedule, update_webhook,
};
pub use backups::{cancel_backup, delete_set, start_backup};
pub use restores::{
    cancel_restore, confirm_restore_step, retry_restore, simulate_operator_step, start_restore,
};

use crate::audit::{self, Outcome, Record};
use crate::auth::Caller;
use crate::domain::Permission;
use crate::engine::{CancelError, StartError};
use crate::history::DeleteError;
use crate::restore::RestoreError;
use crate::state::Console;
use crate::store::StoreError;
use std::future::Future;
use std::sync::Arc;

/// Why an action was not done: the service's own refusal, kept typed (the HTTP surface maps
/// each to its answer in `crate::wire`).
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The caller's role does not have the permission (words: the role needed).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Cancel(#[from] CancelError),
    #[error(transparent)]
    Delete(#[from] DeleteError),
    /// A restore request the restore engine refused (with its checks, when they failed).
    #[error(transparent)]
    Restore(#[from] RestoreError),
    #[error(transparent)]
    Schedule(#[from] crate::scheduler::ScheduleError),
    #[error(transparent)]
    Retention(#[from] crate::retention::RetentionError),
    #[error(transparent)]
    Alert(#[from] crate::alerts::AlertError),
    #[error("the console's journal failed")]
    Journal(#[from] StoreError),
    #[error("no backup with id {0} in the journal, the components or the repository")]
    UnknownSet(i64),
    #[error("no restore with id {0}")]
    UnknownRestore(i64),
    #[error("Only the embedded simulator can be operated from the console; on a real cluster, run the commands shown.")]
    NotSimulated,
    #[error("{0}")]
    Simulator(String),
    /// The action's task ended without an answer (a panic); the audit log and the console's
    /// log say what was done.
    #[error("the action {0} stopped unexpectedly; see the console's log and the audit log")]
    Stopped(&'static str),
}

impl ActionError {
    /// How the audit log records it: a fault of the console or the cluster is `failed`,
    /// anything else was refused (nothing done).
    fn outcome(&self) -> Outcome {
        let fault = match self {
            Self::Journal(_) | Self::Stopped(_) => true,
            Self::Start(e) => matches!(
                e,
                StartError::Store(_) | StartError::LatestUnknown(_) | StartError::ShuttingDown
            ),
            Self::Cancel(e) => matches!(e, CancelError::Store(_)),
            Self::Delete(e) => matches!(e, DeleteError::Store(_)),
            Self::Restore(e) => matches!(e, RestoreError::Journal(_) | RestoreError::ShuttingDown),
            Self::Schedule(e) => matches!(
                e,
                crate::scheduler::ScheduleError::Store(_)
                    | crate::scheduler::ScheduleError::Start(
                        StartError::Store(_)
                            | StartError::LatestUnknown(_)
                            | StartError::ShuttingDown
                    )
            ),
            Self::Retention(e) => matches!(e, crate::retention::RetentionError::Store(_)),
            Self::Alert(e) => matches!(e, crate::alerts::AlertError::Store(_)),
            Self::Forbidden(_)
            | Self::UnknownSet(_)
            | Self::UnknownRestore(_)
            | Self::NotSimulated
            | Self::Simulator(_) => false,
        };
        if fault {
            Outcome::Failed
        } else {
            Outcome::Refused
        }
    }
}

/// Runs `work` when `caller` may do `what`: in its own task, between an `attempted` entry and
/// the outcome's (`done` says how a successful call ended: a deletion that left parts behind
/// is audited as failed). The request awaiting it may go away; the task does not.
async fn audited<T, Fut>(
    console: &Arc<Console>,
    caller: &Caller,
    what: Permission,
    action: &'static str,
    target: String,
    work: impl FnOnce(Arc<Console>) -> Fut,
    done: impl FnOnce(&T) -> (Outcome, Option<String>) + Send + 'static,
) -> Result<T, ActionError>
where
    T: Send + 'static,
    Fut: Future<Output = Result<T, ActionError>> + Send + 'static,
{
    let store = console.auth.store().clone();
    if let Err(denied) = caller.require(what) {
        tracing::warn!(user = %caller.principal.name, role = %caller.principal.role, action, "refused: role too low");
        audit::record(
            &store,
            caller.into(),
            Record {
                action,
                target: Some(target),
                outcome: Outcome::Refused,
                detail: Some(denied.0.clone()),
            },
        )
        .await;
        return Err(ActionError::Forbidden(denied.0));
    }
    let who = caller.clone();
    let work = work(console.clone());
    let task = tokio::spawn(async move {
        let entry = |outcome, detail| Record {
            action,
            target: Some(target.clone()),
            outcome,
            detail,
        };
        audit::record(&store, (&who).into(), entry(Outcome::Attempted, None)).await;
        let result = work.await;
        let (outcome, detail) = match &result {
            Ok(value) => done(value),
            Err(e) => (e.outcome(), Some(e.to_string())),
        };
        audit::record(&store, (&who).into(), entry(outcome, detail)).await;
        result
    });
    task.await.map_err(|e| {
        tracing::error!(action, error = %e, "an action's task failed");
        ActionError::Stopped(action)
    })?
}
