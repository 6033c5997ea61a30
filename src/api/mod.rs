//! Server functions: thin wrappers the pages call; the work happens in server-side services.

mod automation;
mod backups;
mod csrf;
mod overview;
mod restores;
mod session;

pub use csrf::{CsrfClient, CSRF_HEADER, CSRF_META};
pub use session::{get_audit, get_me, GetAudit, GetMe};

#[cfg(feature = "ssr")]
pub(crate) use overview::console;

/// The caller the authentication middleware put on the request.
#[cfg(feature = "ssr")]
pub(crate) fn caller() -> Result<crate::auth::Caller, crate::domain::Failure> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::auth::Caller>().cloned())
        .ok_or_else(|| {
            crate::domain::Failure::new(
                "unauthenticated",
                "Sign in first (your session may have expired).",
            )
        })
}

/// A refused or failed action as the server function's error: the same status, code and words
/// as the REST API (403 for a role too low, 409 for a conflict), not a bare 500.
#[cfg(feature = "ssr")]
impl From<crate::actions::ActionError> for crate::domain::Failure {
    fn from(e: crate::actions::ActionError) -> Self {
        let api = crate::wire::action_error(&e);
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(api.status);
        }
        crate::domain::Failure::new(api.code, api.message)
    }
}

pub use automation::{
    add_webhook, get_deliveries, get_pin, get_retention, get_schedules, get_webhooks, keep_set,
    preview_cron, preview_retention, remove_schedule, remove_webhook, run_schedule, save_retention,
    save_schedule, send_test_webhook, switch_schedule, switch_webhook, AddWebhook, GetDeliveries,
    GetPin, GetRetention, GetSchedules, GetWebhooks, KeepSet, PreviewCron, PreviewRetention,
    RemoveSchedule, RemoveWebhook, RunSchedule, SaveRetention, SaveSchedule, SendTestWebhook,
    SwitchSchedule, SwitchWebhook,
};
pub use backups::{
    cancel_backup, delete_set, get_backups, get_deletion, get_run, get_set, start_backup,
    CancelBackup, DeleteSet, GetBackups, GetDeletion, GetRun, GetSet, StartBackup,
};

pub use overview::{get_console_info, get_overview, GetConsoleInfo, GetOverview};
pub use restores::{
    cancel_restore, confirm_restore_step, get_restore, get_restore_plan, list_restores,
    retry_restore, simulate_operator_step, start_restore, CancelRestore, ConfirmRestoreStep,
    GetRestore, GetRestorePlan, ListRestores, RetryRestore, SimulateOperatorStep, StartRestore,
};
