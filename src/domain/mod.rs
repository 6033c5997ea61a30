//! Types shared between the server and the browser.

mod backup;
mod component;
mod failure;
mod history;
mod overview;

pub use backup::{
    backup_plan, BackupId, PauseWindow, RunEvent, RunState, RunView, StartBackupRequest, StepKey,
    StepState, StepView,
};
pub use component::ComponentKind;
pub use failure::Failure;
pub use history::{
    BackupSetRow, DeletionOutcome, HistoryPage, HistorySummary, PartCell, PartDeletion, PartKey,
    PartState, SnapshotRef, Verdict,
};
pub use overview::{
    ClusterOverview, ComponentHealth, ConsoleInfo, ExportingState, PartitionView, RepositoryHealth,
    ZeebeTopology,
};
