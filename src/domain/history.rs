//! The backup history as the cluster holds it: one row per backup id, merged from the console's
//! journal, every component's backup list and the snapshots in the repository, with a cell per
//! part and a verdict in words. Shared by the server and the browser.

use super::{BackupId, RunState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A part of a backup set, as named in the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum PartKey {
    Zeebe,
    Operate,
    Tasklist,
    Optimize,
    /// The Elasticsearch snapshot of the exported `zeebe-record*` indices.
    ZeebeRecords,
    /// 8.8+: the orchestration cluster's web apps (`camunda_webapps_…` snapshots).
    #[serde(rename = "webapps")]
    WebApps,
}

impl PartKey {
    /// The key in the API's `components` object.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zeebe => "zeebe",
            Self::Operate => "operate",
            Self::Tasklist => "tasklist",
            Self::Optimize => "optimize",
            Self::ZeebeRecords => "zeebeRecords",
            Self::WebApps => "webapps",
        }
    }

    /// The run step that sees this part completed.
    pub fn wait_step(self) -> super::StepKey {
        use super::StepKey;
        match self {
            Self::Zeebe => StepKey::WaitZeebe,
            Self::Operate => StepKey::WaitOperate,
            Self::Tasklist => StepKey::WaitTasklist,
            Self::Optimize => StepKey::WaitOptimize,
            Self::ZeebeRecords => StepKey::WaitRecordsSnapshot,
            Self::WebApps => StepKey::WaitWebApps,
        }
    }

    /// The key of `components` (`zeebe`, `zeebeRecords`, …) as a part.
    pub fn parse(key: &str) -> Option<Self> {
        [
            Self::Zeebe,
            Self::Operate,
            Self::Tasklist,
            Self::Optimize,
            Self::ZeebeRecords,
            Self::WebApps,
        ]
        .into_iter()
        .find(|p| p.as_str() == key)
    }

    /// How admins call it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Zeebe => "Zeebe",
            Self::Operate => "Operate",
            Self::Tasklist => "Tasklist",
            Self::Optimize => "Optimize",
            Self::ZeebeRecords => "records snapshot",
            Self::WebApps => "Web apps (Operate, Tasklist)",
        }
    }
}

/// The part a backup step makes (its trigger, its wait), if any.
pub fn part_of_step(step: super::StepKey) -> Option<PartKey> {
    use super::StepKey as S;
    Some(match step {
        S::TriggerOptimize | S::WaitOptimize => PartKey::Optimize,
        S::TriggerOperate | S::WaitOperate => PartKey::Operate,
        S::TriggerTasklist | S::WaitTasklist => PartKey::Tasklist,
        S::TriggerWebApps | S::WaitWebApps => PartKey::WebApps,
        S::SnapshotRecords | S::WaitRecordsSnapshot => PartKey::ZeebeRecords,
        S::TriggerZeebe | S::WaitZeebe => PartKey::Zeebe,
        S::Preflight | S::PauseExporting | S::ResumeExporting => return None,
    })
}

/// What is known of one part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartState {
    Completed,
    InProgress,
    Incomplete,
    Failed,
    /// The source answered and has no such backup (or snapshot).
    Missing,
    /// The source did not answer: nothing is concluded (the last known state may be shown).
    Unknown,
}

impl PartState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "COMPLETED",
            Self::InProgress => "IN_PROGRESS",
            Self::Incomplete => "INCOMPLETE",
            Self::Failed => "FAILED",
            Self::Missing => "MISSING",
            Self::Unknown => "UNKNOWN",
        }
    }
}

/// One Elasticsearch snapshot of a part, as the repository reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRef {
    pub name: String,
    /// `SUCCESS`, `IN_PROGRESS`, `FAILED`, `PARTIAL`, … or `MISSING` when the component names a
    /// snapshot the repository does not hold.
    pub state: String,
    pub indices: usize,
    pub shards_total: Option<u64>,
    pub shards_failed: Option<u64>,
    /// The repository's id of this snapshot (a deleted and retaken snapshot gets a new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Bytes in the repository (`_status` `stats.total.size_in_bytes`), once read.
    #[serde(default)]
    pub size_bytes: Option<u64>,
}

/// One cell of a row: a part of the set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartCell {
    pub state: PartState,
    /// Why the cell is not `COMPLETED`, in words.
    pub detail: Option<String>,
    /// The component version read from the snapshot names (or Zeebe's `brokerVersion`).
    pub version: Option<String>,
    pub snapshots: Vec<SnapshotRef>,
    /// Zeebe: one line per partition ("partition 2: COMPLETED, broker 8.7.3").
    #[serde(default)]
    pub partitions: Vec<String>,
    /// For `UNKNOWN`: the state last read from the source, and when.
    pub last_known: Option<PartState>,
    pub last_known_at: Option<String>,
}

impl PartCell {
    pub fn new(state: PartState) -> Self {
        Self {
            state,
            detail: None,
            version: None,
            snapshots: Vec::new(),
            partitions: Vec::new(),
            last_known: None,
            last_known_at: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// The verdict of a row, for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every configured part `COMPLETED`.
    Restorable,
    /// A part is still being taken.
    InProgress,
    /// A part failed.
    Failed,
    /// Some parts exist, others are missing or incomplete.
    Partial,
    /// A source did not answer, and nothing else is wrong.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Restorable => "restorable",
            Self::InProgress => "in_progress",
            Self::Failed => "failed",
            Self::Partial => "partial",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Restorable,
            Self::InProgress,
            Self::Failed,
            Self::Partial,
            Self::Unknown,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// One backup set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BackupSetRow {
    pub backup_id: BackupId,
    /// The console's run of this id, or `None` when the console did not take it.
    pub state: Option<RunState>,
    pub restorable: bool,
    pub verdict: Verdict,
    /// Why it is not restorable, in words.
    pub reason: Option<String>,
    /// When the set was taken (the console's run, else the earliest part's time).
    pub taken_at: Option<String>,
    pub duration_ms: Option<u64>,
    /// Who or what started it, when known ("this console", "not this console").
    pub started_by: Option<String>,
    /// Keyed `zeebe`, `operate`, `tasklist`, `optimize` (when configured), `zeebeRecords`.
    pub components: BTreeMap<String, PartCell>,
    /// Bytes of every Elasticsearch snapshot of the set, when every one's size is known
    /// (Zeebe's own backup store does not report sizes).
    #[serde(default)]
    pub size_bytes: Option<u64>,
}

/// A page of the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub items: Vec<BackupSetRow>,
    /// Pass as `cursor` for the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Over every set, not just this page.
    pub summary: HistorySummary,
    /// When the components' lists were last read (they are cached).
    pub components_read_at: Option<String>,
    /// Words when some source's data is not fresh.
    pub stale: Option<String>,
    /// 8.9+: Zeebe's own backup state per partition (checkpoints, ranges, gaps).
    #[serde(default)]
    pub runtime: Option<RuntimeCoverage>,
}

/// 8.9+ `backupRuntime/state` as the history shows it: per partition, the latest backup and
/// checkpoint, and the ranges of contiguous backups (more than one range: a gap).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuntimeCoverage {
    pub partitions: Vec<PartitionCoverage>,
    /// Whether Zeebe takes backups by itself (scheduled backups or marker checkpoints seen).
    pub scheduled: bool,
    /// When the state was read.
    pub read_at: Option<String>,
}

/// One partition's coverage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartitionCoverage {
    pub partition_id: i32,
    pub latest_backup: Option<Checkpoint>,
    pub latest_checkpoint: Option<Checkpoint>,
    /// Oldest first.
    pub ranges: Vec<CheckpointRange>,
    /// In words, when the partition has no backup or its ranges leave a gap.
    pub gap: Option<String>,
}

/// A checkpoint or backup of a partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub checkpoint_id: i64,
    /// `MANUAL_BACKUP`, `SCHEDULED_BACKUP` or `MARKER`.
    pub kind: Option<String>,
    pub at: Option<String>,
    pub position: Option<i64>,
}

/// Contiguous backups of a partition, from `start` to `end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckpointRange {
    pub start: Option<Checkpoint>,
    pub end: Option<Checkpoint>,
}

/// The figures at the top of the history page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistorySummary {
    pub total: usize,
    pub newest_restorable: Option<BackupId>,
    pub newest_restorable_at: Option<String>,
    pub failed: usize,
    pub partial: usize,
    pub in_progress: usize,
    pub unknown: usize,
    /// `rpo_objective_hours`: the newest restorable set should be younger than this.
    pub rpo_objective_hours: u64,
}

/// What happened to one part when a set was deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartDeletion {
    pub part: PartKey,
    /// `deleted`, `absent` (nothing to delete) or `failed` (while running: `waiting`,
    /// `deleting`).
    pub result: String,
    /// The component's words when it failed; what was deleted otherwise.
    pub detail: Option<String>,
}

/// A deletion while it runs: every part with `waiting`, `deleting`, or its result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionProgress {
    pub backup_id: BackupId,
    pub started_at: String,
    pub parts: Vec<PartDeletion>,
    pub finished: bool,
}

/// One deletion attempt of a set, as journaled and answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionOutcome {
    pub backup_id: BackupId,
    pub at: String,
    pub forced: bool,
    pub parts: Vec<PartDeletion>,
    /// True when every part is gone.
    pub complete: bool,
    /// What is left, in words, when not complete.
    pub left: Option<String>,
}
