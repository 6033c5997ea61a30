//! Types shared between the server and the browser.

mod auth;
mod automation;
mod backup;
mod component;
mod failure;
mod history;
mod overview;
pub mod patch;
mod profile;
mod restore;

pub use auth::{AuditEntry, AuditPage, Me, Permission, Role};
pub use automation::{
    Delivery, LastRun, NewSchedule, NewWebhook, Pin, RetentionDecision, RetentionPolicy,
    RetentionPreview, RetentionSettings, Schedule, SchedulePatch, SchedulesPage, Webhook,
    WebhookPatch, ALERT_EVENTS,
};
pub use backup::{
    in_pause_window, BackupId, PauseWindow, RunEvent, RunState, RunView, StartBackupRequest,
    StepKey, StepState, StepView,
};
pub use component::ComponentKind;
pub use failure::Failure;
pub use history::{
    part_of_step, BackupSetRow, Checkpoint, CheckpointRange, DeletionOutcome, DeletionProgress,
    HistoryPage, HistorySummary, PartCell, PartDeletion, PartKey, PartState, PartitionCoverage,
    RuntimeCoverage, SnapshotRef, Verdict,
};
pub use overview::{
    ClusterOverview, ComponentHealth, ConsoleInfo, ExportingState, PartitionView, ReplicaInfo,
    RepositoryHealth, ZeebeTopology,
};
pub use profile::{DetectedProfile, ProfileId};
pub use restore::{
    Check, CheckState, PlanStep, RestoreEvent, RestorePlan, RestoreProgress, RestoreState,
    RestoreStepKey, RestoreStepState, RestoreStepView, RestoreSummary, RestoreView, StepKind,
};
