//! Server functions: thin wrappers the pages call; the work happens in server-side services.

mod backups;
mod overview;

pub use backups::{
    cancel_backup, get_backups, get_run, start_backup, CancelBackup, GetBackups, GetRun,
    StartBackup,
};

pub use overview::{get_console_info, get_overview, GetConsoleInfo, GetOverview};
