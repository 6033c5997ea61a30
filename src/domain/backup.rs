//! A backup run as the server journals it and the browser shows it: the plan (declared steps
//! and the transitions allowed between states), the run, its steps and its events.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A backup id: a positive integer, greater than every earlier one (Zeebe's rule, §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct BackupId(i64);

impl BackupId {
    /// `Some` for ids ≥ 1 (Operate accepts 0, Zeebe does not: use ≥ 1 everywhere).
    pub fn new(id: i64) -> Option<Self> {
        (id > 0).then_some(Self(id))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for BackupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One step of the documented backup procedure (§9.1), in plan order. Inside the pause window
/// the records snapshot is requested, then the Zeebe backup is taken, then both are awaited
/// together: the window lasts the longer of the two, not their sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepKey {
    Preflight,
    TriggerOptimize,
    TriggerOperate,
    TriggerTasklist,
    WaitOptimize,
    WaitOperate,
    WaitTasklist,
    PauseExporting,
    SnapshotRecords,
    TriggerZeebe,
    WaitRecordsSnapshot,
    WaitZeebe,
    ResumeExporting,
    /// 8.8+: `POST /actuator/backupHistory` (Operate, Tasklist and Identity at once).
    #[serde(rename = "trigger_webapps")]
    TriggerWebApps,
    #[serde(rename = "wait_webapps")]
    WaitWebApps,
}

impl StepKey {
    /// What the step does, as shown in the timeline.
    pub fn label(self) -> &'static str {
        match self {
            Self::Preflight => "Pre-flight checks",
            Self::TriggerOptimize => "Start Optimize backup",
            Self::TriggerOperate => "Start Operate backup",
            Self::TriggerTasklist => "Start Tasklist backup",
            Self::TriggerWebApps => "Start web-app backup (Operate, Tasklist)",
            Self::WaitWebApps => "Wait for web-app backup",
            Self::WaitOptimize => "Wait for Optimize backup",
            Self::WaitOperate => "Wait for Operate backup",
            Self::WaitTasklist => "Wait for Tasklist backup",
            Self::PauseExporting => "Pause Zeebe exporting",
            Self::SnapshotRecords => "Request zeebe-record snapshot",
            Self::WaitRecordsSnapshot => "Wait for records snapshot",
            Self::TriggerZeebe => "Start Zeebe backup",
            Self::WaitZeebe => "Wait for Zeebe backup",
            Self::ResumeExporting => "Resume Zeebe exporting",
        }
    }

    /// The stable key used in the API and the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preflight => "preflight",
            Self::TriggerOptimize => "trigger_optimize",
            Self::TriggerOperate => "trigger_operate",
            Self::TriggerTasklist => "trigger_tasklist",
            Self::TriggerWebApps => "trigger_webapps",
            Self::WaitWebApps => "wait_webapps",
            Self::WaitOptimize => "wait_optimize",
            Self::WaitOperate => "wait_operate",
            Self::WaitTasklist => "wait_tasklist",
            Self::PauseExporting => "pause_exporting",
            Self::SnapshotRecords => "snapshot_records",
            Self::WaitRecordsSnapshot => "wait_records_snapshot",
            Self::TriggerZeebe => "trigger_zeebe",
            Self::WaitZeebe => "wait_zeebe",
            Self::ResumeExporting => "resume_exporting",
        }
    }

    /// Steps that only exist when Optimize is configured.
    pub fn needs_optimize(self) -> bool {
        matches!(self, Self::TriggerOptimize | Self::WaitOptimize)
    }

    /// The records snapshot's steps (8.8+: only taken for Optimize).
    pub fn is_records_snapshot(self) -> bool {
        matches!(self, Self::SnapshotRecords | Self::WaitRecordsSnapshot)
    }
}

/// Whether `key` runs while exporting is paused in `plan`: after the pause, before the resume
/// (8.2–8.7: the records snapshot and Zeebe's backup; 8.8+: everything but the pre-flight).
pub fn in_pause_window(plan: &[StepKey], key: StepKey) -> bool {
    let at = |k: StepKey| plan.iter().position(|s| *s == k);
    match (
        at(StepKey::PauseExporting),
        at(key),
        at(StepKey::ResumeExporting),
    ) {
        (Some(pause), Some(k), Some(resume)) => pause < k && k < resume,
        _ => false,
    }
}

/// State of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    Running,
    Completed,
    Failed,
    Skipped,
    Cancelled,
}

impl StepState {
    pub fn is_terminal(self) -> bool {
        !matches!(self, Self::Pending | Self::Running)
    }

    /// The transition table of a step: pending → running → completed | failed | cancelled;
    /// pending → skipped | cancelled. Terminal states absorb nothing.
    pub fn can_become(self, next: StepState) -> bool {
        use StepState::*;
        matches!(
            (self, next),
            (Pending, Running)
                | (Pending, Skipped)
                | (Pending, Cancelled)
                | (Running, Completed)
                | (Running, Failed)
                | (Running, Cancelled)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }
}

/// State of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl RunState {
    pub fn is_terminal(self) -> bool {
        self != Self::Running
    }

    /// running → completed | failed | cancelled; terminal states are final.
    pub fn can_become(self, next: RunState) -> bool {
        self == Self::Running && next != Self::Running
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One step of a run, as journaled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub key: StepKey,
    pub label: String,
    pub state: StepState,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The component's own progress words, e.g. "Operate: 4 of 6 snapshots".
    pub detail: Option<String>,
    pub error: Option<String>,
}

/// The pause window of a run: when exporting was paused and resumed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PauseWindow {
    /// Written before the pause request is sent: from here on exporting may be paused.
    pub requested_at: Option<String>,
    pub paused_at: Option<String>,
    pub resumed_at: Option<String>,
    /// Paused → resumed, in milliseconds.
    pub duration_ms: Option<u64>,
    /// Time of the components' own work inside the window, in ms: the longer of the records
    /// snapshot (ES `duration_in_millis`) and the Zeebe backup (first `createdAt` → last
    /// `lastUpdatedAt`), as they run side by side.
    pub component_work_ms: Option<u64>,
    /// The records snapshot's own duration (ES `duration_in_millis`).
    #[serde(default)]
    pub records_ms: Option<u64>,
    /// How long the Zeebe backup took from the console's trigger: the take's round trip plus
    /// Zeebe's own work time (or, without timestamps, trigger → `COMPLETED` read). Later runs
    /// learn their polling schedule from it.
    #[serde(default)]
    pub zeebe_ms: Option<u64>,
    pub soft: bool,
}

impl PauseWindow {
    /// Whether exporting may be paused by this run right now (requested and not resumed).
    pub fn may_be_paused(&self) -> bool {
        self.requested_at.is_some() && self.resumed_at.is_none()
    }
}

/// A backup run as the API and the pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunView {
    pub backup_id: BackupId,
    pub state: RunState,
    pub steps: Vec<StepView>,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// What went wrong, naming the component and the step.
    pub error: Option<String>,
    /// What the admin should do next, when the run did not complete.
    pub next_action: Option<String>,
    pub pause: PauseWindow,
    /// Snapshots the web apps said they would create (the restore list).
    pub scheduled_snapshots: Vec<String>,
    /// What a failed or cancelled run left in the components.
    pub left_behind: Vec<String>,
    pub cancel_requested: bool,
    /// Things the admin must know although the run went on (exporting not confirmed, a stale
    /// Zeebe backup, the pause mode chosen).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Set when the backup set is complete but exporting may still be paused (resume failed).
    #[serde(default)]
    pub alarm: Option<String>,
    /// The version profile the run follows (runs journaled before profiles existed: 8.2–8.7).
    #[serde(default)]
    pub profile: crate::domain::ProfileId,
    /// Who started the run: a person (their name) or a schedule (`schedule "nightly"`).
    #[serde(default)]
    pub started_by: Option<String>,
}

impl RunView {
    /// A new run with every planned step pending.
    pub fn new(backup_id: BackupId, plan: &[StepKey], soft_pause: bool, now: String) -> Self {
        Self {
            backup_id,
            state: RunState::Running,
            steps: plan
                .iter()
                .map(|k| StepView {
                    key: *k,
                    label: k.label().to_owned(),
                    state: StepState::Pending,
                    started_at: None,
                    finished_at: None,
                    detail: None,
                    error: None,
                })
                .collect(),
            created_at: now,
            finished_at: None,
            error: None,
            next_action: None,
            pause: PauseWindow {
                soft: soft_pause,
                ..PauseWindow::default()
            },
            scheduled_snapshots: Vec::new(),
            left_behind: Vec::new(),
            cancel_requested: false,
            warnings: Vec::new(),
            alarm: None,
            profile: crate::domain::ProfileId::default(),
            started_by: None,
        }
    }

    pub fn step(&self, key: StepKey) -> Option<&StepView> {
        self.steps.iter().find(|s| s.key == key)
    }

    pub fn step_mut(&mut self, key: StepKey) -> Option<&mut StepView> {
        self.steps.iter_mut().find(|s| s.key == key)
    }

    /// The step currently running, if any.
    pub fn current_step(&self) -> Option<StepKey> {
        self.steps
            .iter()
            .find(|s| s.state == StepState::Running)
            .map(|s| s.key)
    }
}

/// One journaled event of a run; `seq` grows by one within the run (the SSE `id:`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunEvent {
    pub seq: u64,
    pub backup_id: BackupId,
    pub at: String,
    pub run_state: RunState,
    pub step: Option<StepKey>,
    pub step_state: Option<StepState>,
    pub detail: Option<String>,
    pub error: Option<String>,
    /// The run as it is after this event (lets a client render without another request).
    pub run: RunView,
}

impl RunEvent {
    /// The last event of a run: the stream ends after it.
    pub fn is_terminal(&self) -> bool {
        self.run_state.is_terminal()
    }
}

/// Request body of `POST /api/v1/backups`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartBackupRequest {
    pub backup_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_window_lies_between_pause_and_resume() {
        use StepKey::*;
        let plan = [
            Preflight,
            WaitOperate,
            PauseExporting,
            SnapshotRecords,
            ResumeExporting,
        ];
        assert!(!in_pause_window(&plan, WaitOperate));
        assert!(!in_pause_window(&plan, PauseExporting));
        assert!(in_pause_window(&plan, SnapshotRecords));
        assert!(!in_pause_window(&plan, ResumeExporting));
        assert!(!in_pause_window(&plan, TriggerZeebe));
    }

    #[test]
    fn step_transitions_follow_the_table() {
        use StepState::*;
        assert!(Pending.can_become(Running));
        assert!(Running.can_become(Completed));
        assert!(!Completed.can_become(Running));
        assert!(!Failed.can_become(Completed));
        assert!(!Pending.can_become(Completed));
        assert!(RunState::Running.can_become(RunState::Failed));
        assert!(!RunState::Completed.can_become(RunState::Failed));
    }

    #[test]
    fn backup_ids_must_be_positive() {
        assert!(BackupId::new(0).is_none());
        assert!(BackupId::new(-3).is_none());
        assert_eq!(BackupId::new(7).map(BackupId::get), Some(7));
    }
}
