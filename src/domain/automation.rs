//! Schedules, the retention policy and its preview, pins: as the API and the pages show them.

use serde::{Deserialize, Serialize};

/// A backup schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    /// 5 fields, 6 with seconds first, or `@hourly`/`@daily`/`@weekly`.
    pub cron: String,
    /// IANA time zone the cron expression is read in.
    pub timezone: String,
    pub enabled: bool,
    /// The next 5 times it fires (RFC 3339, UTC); empty when off.
    pub next_runs: Vec<String>,
    /// What its latest fire did.
    pub last_run: Option<LastRun>,
}

/// What a schedule's latest fire did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LastRun {
    /// The run it started or joined; `null` when skipped or missed.
    pub backup_id: Option<i64>,
    /// The run's state (`running`, `completed`, `failed`, …), or `skipped` / `missed`.
    pub state: String,
    /// When it fired.
    pub at: String,
    /// Why it was skipped or missed, or which run it joined.
    #[serde(default)]
    pub detail: Option<String>,
}

/// `POST /api/v1/schedules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSchedule {
    pub name: String,
    pub cron: String,
    /// Default `UTC`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Default `true`.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `PATCH /api/v1/schedules/{id}`: the fields to change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchedulePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cron: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The Schedules page: the schedules, and what keeps the console's schedules from running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SchedulesPage {
    pub items: Vec<Schedule>,
    /// 8.9+: Zeebe takes its own backups, so every fire is refused (in words, with what to do).
    pub zeebe_schedules_own: Option<String>,
    /// How long a fire waits for a busy slot (`schedule_wait_secs`).
    pub wait_secs: u64,
}

/// The retention policy of a cluster. Off until saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetentionPolicy {
    pub enabled: bool,
    /// Keep the newest N restorable sets (at least 1).
    pub keep_last: u32,
    /// Keep restorable sets younger than N days (0: rule off).
    pub keep_days: u32,
    /// Keep the newest restorable set of each of the last N days (0: off).
    pub keep_daily: u32,
    /// … of each of the last N ISO weeks (0: off).
    pub keep_weekly: u32,
    /// … of each of the last N months (0: off).
    pub keep_monthly: u32,
    /// Delete failed, partial and orphaned sets older than N days; `null`: keep them.
    pub delete_failed_after_days: Option<u32>,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            enabled: false,
            keep_last: 7,
            keep_days: 7,
            keep_daily: 7,
            keep_weekly: 4,
            keep_monthly: 6,
            delete_failed_after_days: Some(14),
        }
    }
}

/// The stored policy and who saved it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetentionSettings {
    #[serde(flatten)]
    pub policy: RetentionPolicy,
    /// `null` until a policy is saved (the defaults shown are then not in force).
    pub saved_at: Option<String>,
    pub saved_by: Option<String>,
}

/// One set's fate under a policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetentionDecision {
    pub backup_id: i64,
    /// The rule, in words.
    pub reason: String,
}

/// What a policy would do now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetentionPreview {
    /// Oldest first: the order a pass deletes them in (at most the per-pass limit each time).
    pub delete: Vec<RetentionDecision>,
    /// Newest first, each with the rule that keeps it.
    pub keep: Vec<RetentionDecision>,
    /// Set when nothing is deleted whatever the rules say (the RPO guard), in words.
    #[serde(default)]
    pub held: Option<String>,
    /// Deletions decided earlier and not finished (a part failed, or the console stopped):
    /// the next pass finishes them first.
    #[serde(default)]
    pub unfinished: Vec<RetentionDecision>,
}

/// A set pinned by an admin: retention never deletes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Pin {
    pub backup_id: i64,
    pub pinned_by: String,
    pub pinned_at: String,
}
