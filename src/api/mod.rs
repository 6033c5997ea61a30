//! Server functions: thin wrappers the pages call; the work happens in server-side services.

mod backups;
mod overview;
mod restores;

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
