//! Restores: the runbook as data (steps in order, who acts), the pre-flight checks, the plan
//! preview and the journaled view of a restore that the API and the pages show.

use super::BackupId;
use serde::{Deserialize, Serialize};

/// Who performs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The console does it through the cluster's APIs.
    Console,
    /// The operator does it (stop/start workloads, the Zeebe restore application); the console
    /// waits until it sees it done and the admin confirms.
    Operator,
}

/// A step of the restore runbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RestoreStepKey {
    /// Stop Zeebe, Operate, Tasklist and Optimize (8.10 in-cluster restore: Optimize only).
    StopApps,
    /// 8.10: switch every broker to recovery mode (`PATCH /v2/mode?mode=RECOVERING`) and wait
    /// for the change.
    EnterRecovery,
    /// Delete every component index, one by one (templates stay).
    DeleteIndices,
    /// Restore the Optimize, Operate and Tasklist snapshots of the set, one at a time.
    RestoreWebapps,
    /// Restore the `zeebe-record*` snapshot of the set.
    RestoreRecords,
    /// Run the Zeebe restore application on every broker.
    RestoreZeebe,
    /// 8.10: validate (`dryRun`), then restore every partition inside the cluster
    /// (`POST /v2/restore`), following `GET /v2/restore` per broker and partition.
    RestoreZeebeInCluster,
    /// Start Zeebe, Operate, Tasklist and Optimize.
    StartApps,
    /// Components answer, exporting runs, Zeebe lists the backup, the indices exist.
    PostChecks,
}

impl RestoreStepKey {
    /// Every step, in the runbook's order.
    pub const ALL: [RestoreStepKey; 9] = [
        Self::StopApps,
        Self::EnterRecovery,
        Self::DeleteIndices,
        Self::RestoreWebapps,
        Self::RestoreRecords,
        Self::RestoreZeebe,
        Self::RestoreZeebeInCluster,
        Self::StartApps,
        Self::PostChecks,
    ];

    /// The steps of one runbook: the offline one (stop everything, the restore application on
    /// every broker), or 8.10's in-cluster one (Optimize stopped, recovery mode, `/v2/restore`).
    pub fn plan(in_cluster: bool) -> Vec<RestoreStepKey> {
        Self::ALL
            .into_iter()
            .filter(|k| match k {
                Self::EnterRecovery | Self::RestoreZeebeInCluster => in_cluster,
                Self::RestoreZeebe => !in_cluster,
                _ => true,
            })
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StopApps => "stop_apps",
            Self::EnterRecovery => "enter_recovery",
            Self::RestoreZeebeInCluster => "restore_zeebe_in_cluster",
            Self::DeleteIndices => "delete_indices",
            Self::RestoreWebapps => "restore_webapps",
            Self::RestoreRecords => "restore_records",
            Self::RestoreZeebe => "restore_zeebe",
            Self::StartApps => "start_apps",
            Self::PostChecks => "post_checks",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn kind(self) -> StepKind {
        match self {
            Self::StopApps | Self::RestoreZeebe | Self::StartApps => StepKind::Operator,
            _ => StepKind::Console,
        }
    }

    /// The label in the runbook of `in_cluster` (8.10 stops and starts Optimize only).
    pub fn label_in(self, in_cluster: bool) -> &'static str {
        match (self, in_cluster) {
            (Self::StopApps, true) => "Stop Optimize (the orchestration cluster keeps running)",
            (Self::StartApps, true) => "Start Optimize again",
            _ => self.label(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::StopApps => "Stop Zeebe, Operate, Tasklist and Optimize",
            Self::EnterRecovery => "Switch the orchestration cluster to recovery mode",
            Self::RestoreZeebeInCluster => {
                "Restore Zeebe inside the cluster (dry run, then every partition)"
            }
            Self::DeleteIndices => "Delete the component indices, one by one (templates stay)",
            Self::RestoreWebapps => "Restore the Optimize, Operate and Tasklist snapshots",
            Self::RestoreRecords => "Restore the zeebe-record snapshot",
            Self::RestoreZeebe => "Run the Zeebe restore application on every broker",
            Self::StartApps => "Start Zeebe, Operate, Tasklist and Optimize",
            Self::PostChecks => "Check the restored cluster",
        }
    }

    /// Whether the step changes data (from the first of these on, cancel is refused).
    pub fn destructive(self) -> bool {
        !matches!(self, Self::StopApps)
    }
}

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Pass,
    Fail,
    Warn,
}

/// One pre-flight or post-restore check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub key: String,
    pub state: CheckState,
    /// What was found, and what to do when it did not pass.
    pub message: String,
}

impl Check {
    pub fn new(key: &str, state: CheckState, message: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            state,
            message: message.into(),
        }
    }
}

/// A step as the plan lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanStep {
    pub key: RestoreStepKey,
    pub kind: StepKind,
    pub label: String,
}

/// The dry run: what a restore of a set would check and do. Nothing changes in the cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestorePlan {
    pub backup_id: BackupId,
    pub checks: Vec<Check>,
    pub steps: Vec<PlanStep>,
    /// Every index that will be deleted, by name (including data written after the backup).
    pub delete_indices: Vec<String>,
    /// Every snapshot that will be restored, in order.
    pub restore_snapshots: Vec<String>,
    /// The Zeebe brokers (node ids) the restore application must run on.
    pub brokers: Vec<u32>,
    /// The cluster name to type to start.
    pub cluster_name: String,
    /// The whole runbook as text, with the operator's commands (Helm and plain install).
    pub runbook: String,
    /// True when no check failed.
    pub ready: bool,
}

/// State of a restore.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RestoreState {
    #[default]
    Running,
    /// An operator step waits for the operator.
    Waiting,
    Completed,
    Failed,
    Cancelled,
}

impl RestoreState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Running,
            Self::Waiting,
            Self::Completed,
            Self::Failed,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// State of a restore step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RestoreStepState {
    Pending,
    Running,
    Waiting,
    Completed,
    Failed,
    Skipped,
}

/// One step of a restore as it went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreStepView {
    pub key: RestoreStepKey,
    pub kind: StepKind,
    pub label: String,
    pub state: RestoreStepState,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub error: Option<String>,
    /// Progress or what the console waits for, in words.
    pub detail: Option<String>,
    /// Operator steps: when the admin confirmed it done.
    #[serde(default)]
    pub confirmed_at: Option<String>,
    /// Operator steps: the commands to run, in the profile's words. Kept apart from `detail`,
    /// which says what the console sees meanwhile, so the commands stay on the page while the
    /// step waits.
    #[serde(default)]
    pub instructions: Option<String>,
}

/// Where each index and snapshot of the plan is, so a restart resumes at a safe point.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreProgress {
    /// Indices deleted (or found gone).
    pub deleted: Vec<String>,
    /// Snapshots whose restore was requested and not yet seen complete.
    pub restoring: Option<String>,
    /// Snapshots restored completely.
    pub restored: Vec<String>,
    /// 8.10: the cluster change of the in-cluster restore once requested (so a restart follows
    /// it instead of asking again).
    #[serde(default)]
    pub zeebe_change: Option<String>,
}

/// A restore, as journaled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreView {
    pub restore_id: i64,
    pub backup_id: BackupId,
    pub state: RestoreState,
    pub steps: Vec<RestoreStepView>,
    /// The pre-flight checks as they were when the restore started; the post-restore checks
    /// are added as they run.
    pub checks: Vec<Check>,
    pub post_checks: Vec<Check>,
    pub delete_indices: Vec<String>,
    pub restore_snapshots: Vec<String>,
    /// The indices each snapshot restores (watched during its restore, checked after).
    pub snapshot_indices: std::collections::BTreeMap<String, Vec<String>>,
    pub brokers: Vec<u32>,
    pub progress: RestoreProgress,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Who started it (until sign-in exists: the client's address).
    pub started_by: Option<String>,
    pub error: Option<String>,
    /// What the admin should do now, in words.
    pub next_action: Option<String>,
    /// Measured time to restore: start to the post-restore checks passing.
    pub rto_ms: Option<u64>,
    /// From the components seen stopped to seen started again.
    pub downtime_ms: Option<u64>,
    pub cancel_requested: bool,
    /// The version profile whose runbook the restore follows (older journals: 8.2–8.7).
    #[serde(default)]
    pub profile: crate::domain::ProfileId,
    /// Not journaled; set when read: why no task of this console runs a restore that has not
    /// ended (its last journal write failed), so the admin can retry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled: Option<String>,
}

impl RestoreView {
    pub fn step(&self, key: RestoreStepKey) -> Option<&RestoreStepView> {
        self.steps.iter().find(|s| s.key == key)
    }

    pub fn step_mut(&mut self, key: RestoreStepKey) -> Option<&mut RestoreStepView> {
        self.steps.iter_mut().find(|s| s.key == key)
    }

    /// Whether a destructive step has started (cancel is refused from then on).
    pub fn destructive_started(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.key.destructive() && s.state != RestoreStepState::Pending)
    }
}

/// One event of a restore: what happened, the restore's state after it, and either the whole
/// restore (`restore`: the first event of the journal, and the first a new stream sends) or
/// what changed since the previous event (`change`, a [`super::patch`] of the restore's JSON).
/// A client applies each `change` to what it holds; a stream resumed with `Last-Event-ID`
/// sends only changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreEvent {
    pub seq: u64,
    pub restore_id: i64,
    pub at: String,
    pub step: Option<RestoreStepKey>,
    pub message: String,
    /// The restore's state after the event (`completed`, `failed`, `cancelled` end a stream).
    /// Journals written before events carried it hold the whole restore instead.
    #[serde(default)]
    pub state: RestoreState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<RestoreView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub change: Option<serde_json::Value>,
}

impl RestoreEvent {
    /// `current` with this event taken in: replaced by `restore`, or patched by `change`.
    /// `None` when a change arrives with nothing to apply it to.
    pub fn applied_to(self, current: Option<&RestoreView>) -> Option<RestoreView> {
        if let Some(whole) = self.restore {
            return Some(whole);
        }
        let change = self.change?;
        let mut json = serde_json::to_value(current?).ok()?;
        super::patch::apply(&mut json, &change);
        serde_json::from_value(json).ok()
    }
}

/// A line of the restore history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreSummary {
    pub restore_id: i64,
    pub backup_id: BackupId,
    pub state: RestoreState,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub rto_ms: Option<u64>,
    pub started_by: Option<String>,
}
