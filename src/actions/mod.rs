//! The state-changing actions, one function each, shared by the REST API and the server
//! functions: check the caller's role, do the work, append one audit entry with the outcome.
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

/// Runs `work` when `caller` may do `what`, and audits the outcome either way (`done` says
/// how a successful call ended: a deletion that left parts behind is audited as failed).
async fn audited<T, Fut>(
    console: &Console,
    caller: &Caller,
    what: Permission,
    action: &'static str,
    target: String,
    work: impl FnOnce() -> Fut,
    done: impl FnOnce(&T) -> (Outcome, Option<String>),
) -> Result<T, ActionError>
where
    Fut: Future<Output = Result<T, ActionError>>,
{
    let store = console.auth.store();
    if let Err(denied) = caller.require(what) {
        tracing::warn!(user = %caller.principal.name, role = %caller.principal.role, action, "refused: role too low");
        audit::record(
            store,
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
    let result = work().await;
    let (outcome, detail) = match &result {
        Ok(value) => done(value),
        Err(e) => (e.outcome(), Some(e.api().message)),
    };
    audit::record(
        store,
        caller.into(),
        Record {
            action,
            target: Some(target),
            outcome,
            detail,
        },
    )
    .await;
    result
}
