//! The state-changing actions, one function each, shared by the REST API and the server
//! functions: check the caller's role, then — in a task of its own, so that a client that goes
//! away stops neither the work nor its record — append an `attempted` audit entry, do the
//! work, append the outcome. A refusal by role is one `refused` entry (nothing was tried).
//! Nothing else may start, cancel, delete, restore or confirm; the role check lives here, not
//! in the pages.

mod backups;
mod restores;

pub use backups::{cancel_backup, delete_set, start_backup};
pub use restores::{
    cancel_restore, confirm_restore_step, retry_restore, simulate_operator_step, start_restore,
};

use crate::audit::{self, Outcome, Record};
use crate::auth::Caller;
use crate::domain::{Failure, Permission};
use crate::rest::ApiError;
use crate::restore::RestoreError;
use crate::state::Console;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::Arc;

/// Why an action was not done.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The caller's role does not have the permission (403).
    #[error("{0}")]
    Forbidden(String),
    /// A restore request the restore engine refused (with its checks, when they failed).
    #[error(transparent)]
    Restore(RestoreError),
    /// Any other refusal or failure, as the API answers it.
    #[error(transparent)]
    Api(ApiError),
}

impl From<ApiError> for ActionError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<RestoreError> for ActionError {
    fn from(e: RestoreError) -> Self {
        Self::Restore(e)
    }
}

impl ActionError {
    /// Status, stable code and words.
    pub fn api(&self) -> ApiError {
        match self {
            ActionError::Forbidden(why) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", why.clone())
            }
            ActionError::Restore(e) => crate::rest::restore_api_error(e),
            ActionError::Api(e) => ApiError::new(e.status, e.code, e.message.clone()),
        }
    }

    fn outcome(&self) -> Outcome {
        if self.api().status.is_server_error() {
            Outcome::Failed
        } else {
            Outcome::Refused
        }
    }
}

impl IntoResponse for ActionError {
    fn into_response(self) -> Response {
        match self {
            ActionError::Restore(e) => crate::rest::restore_error(e),
            other => other.api().into_response(),
        }
    }
}

impl From<ActionError> for Failure {
    fn from(e: ActionError) -> Self {
        let api = e.api();
        // A server function answers with the REST API's status (403 for a role too low, 409
        // for a conflict), not a bare 500.
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(api.status);
        }
        Failure::new(api.code, api.message)
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
    done: fn(&T) -> (Outcome, Option<String>),
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
            Err(e) => (e.outcome(), Some(e.api().message)),
        };
        audit::record(&store, (&who).into(), entry(outcome, detail)).await;
        result
    });
    task.await.map_err(|e| {
        tracing::error!(action, error = %e, "an action's task failed");
        ActionError::Api(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "action_failed",
            format!(
                "The action {action} stopped unexpectedly; see the console's log and the audit log"
            ),
        ))
    })?
}
