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

/// The stored policy and who saved it (the policy's fields, then `savedAt` and `savedBy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetentionSettings {
    pub enabled: bool,
    pub keep_last: u32,
    pub keep_days: u32,
    pub keep_daily: u32,
    pub keep_weekly: u32,
    pub keep_monthly: u32,
    pub delete_failed_after_days: Option<u32>,
    /// `null` until a policy is saved (the defaults shown are then not in force).
    pub saved_at: Option<String>,
    pub saved_by: Option<String>,
}

impl RetentionSettings {
    pub fn new(p: &RetentionPolicy, saved_at: Option<String>, saved_by: Option<String>) -> Self {
        Self {
            enabled: p.enabled,
            keep_last: p.keep_last,
            keep_days: p.keep_days,
            keep_daily: p.keep_daily,
            keep_weekly: p.keep_weekly,
            keep_monthly: p.keep_monthly,
            delete_failed_after_days: p.delete_failed_after_days,
            saved_at,
            saved_by,
        }
    }

    /// The policy alone.
    pub fn policy(&self) -> RetentionPolicy {
        RetentionPolicy {
            enabled: self.enabled,
            keep_last: self.keep_last,
            keep_days: self.keep_days,
            keep_daily: self.keep_daily,
            keep_weekly: self.keep_weekly,
            keep_monthly: self.keep_monthly,
            delete_failed_after_days: self.delete_failed_after_days,
        }
    }
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

/// The events a webhook can be told about.
pub const ALERT_EVENTS: [&str; 10] = [
    "backup.failed",
    "backup.completed",
    "exporting.paused_too_long",
    "rpo.breached",
    "schedule.skipped",
    "schedule.missed",
    "retention.failed",
    "restore.started",
    "restore.completed",
    "restore.failed",
];

/// A webhook as the API and the pages show it: never its URL or secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    /// `generic` (JSON, signed), `slack` or `teams`.
    pub format: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// The URL's scheme and host only (`https://hooks.example.com/…`): the rest is a secret.
    pub target: String,
    /// Whether deliveries carry `X-Console-Signature` (a secret is set).
    pub signed: bool,
    pub last_delivery: Option<Delivery>,
}

/// `POST /api/v1/webhooks`. `url` and `secret` are write-only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhook {
    pub name: String,
    /// `https://…` (or `http://` inside the cluster). Never shown again.
    pub url: String,
    /// The HMAC-SHA256 key of `X-Console-Signature` (at least 16 characters). Never shown again.
    #[serde(default)]
    pub secret: Option<String>,
    /// Default `generic`.
    #[serde(default)]
    pub format: Option<String>,
    pub events: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhook")
            .field("name", &self.name)
            .field("url", &"[redacted]")
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("format", &self.format)
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// `PATCH /api/v1/webhooks/{id}`: the fields to change.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

impl std::fmt::Debug for WebhookPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookPatch")
            .field("name", &self.name)
            .field("url", &self.url.as_ref().map(|_| "[redacted]"))
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("format", &self.format)
            .field("events", &self.events)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// One event sent (or being sent) to a hook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: i64,
    pub event: String,
    pub created_at: String,
    pub attempts: u32,
    /// `pending` (retried with back-off for an hour), `delivered` or `gave_up`.
    pub state: String,
    /// The receiver's HTTP status at the last attempt.
    pub last_status: Option<u16>,
    /// Why the last attempt failed (never the URL).
    pub last_error: Option<String>,
    pub ended_at: Option<String>,
}
