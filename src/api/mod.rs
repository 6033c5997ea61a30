//! Server functions: thin wrappers the pages call; the work happens in server-side services.

mod backups;
mod overview;

pub use backups::{
    cancel_backup, delete_set, get_backups, get_run, get_set, start_backup, CancelBackup,
    DeleteSet, GetBackups, GetRun, GetSet, StartBackup,
};

pub use overview::{get_console_info, get_overview, GetConsoleInfo, GetOverview};
