//! The bodies the REST API answers with that are not domain types: typed, so the handlers and
//! the OpenAPI document (`openapi.rs`) describe the same shapes.

use crate::domain::{
    BackupId, DeletionOutcome, DeletionProgress, PartCell, RestoreSummary, RestoreView, RunState,
    RunView, Verdict,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub use crate::wire::{ChecksFailedBody, ErrorBody};

/// The console answers.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `UP` (the console answers; the cluster's health is `/api/v1/cluster`).
    pub status: String,
}

/// Where to follow, cancel and read a run.
#[derive(Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: String,
    pub events: String,
    pub cancel: String,
}

impl Links {
    pub fn of(kind: &str, id: impl std::fmt::Display) -> Self {
        Self {
            self_: format!("/api/v1/{kind}/{id}"),
            events: format!("/api/v1/{kind}/{id}/events"),
            cancel: format!("/api/v1/{kind}/{id}/cancel"),
        }
    }
}

/// A backup run that started.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStarted {
    pub backup_id: BackupId,
    /// Always `running`.
    pub state: RunState,
    pub links: Links,
}

/// A cancel that was asked for; honoured at the next step boundary.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupCancelRequested {
    pub backup_id: BackupId,
    pub cancel_requested: bool,
}

/// The console's run of a set, or only the id when a script, a person or a schedule took it.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum RunOrId {
    Run(Box<RunView>),
    NotTaken(NotTaken),
}

/// A set the console did not take: no run, `state` null.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotTaken {
    pub backup_id: BackupId,
    /// Always null: the console has no run of this set.
    #[schema(schema_with = null_only)]
    pub state: Option<RunState>,
}

/// A value that is always JSON `null`.
fn null_only() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Null)
        .build()
}

/// One server-sent event of a run's or a restore's stream (OpenAPI 3.1 describes a
/// `text/event-stream` response by the schema of one event).
#[allow(dead_code)] // documentation: `rest::events` writes these with axum's `Event`
#[derive(Serialize, ToSchema)]
pub struct SseEvent {
    /// The event's sequence number within its run (send it back as `Last-Event-ID`).
    pub id: String,
    /// Always `message`.
    pub event: String,
    /// A `RunEvent` (backups) or a `RestoreEvent` (restores) as JSON.
    #[schema(content_media_type = "application/json")]
    pub data: String,
}

/// `GET /api/v1/backups/{id}`: the console's run (when it took the set), the set as the
/// cluster holds it (when any source knows it), and its deletions.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupDetail {
    #[serde(flatten)]
    pub run: RunOrId,
    /// Every deletion attempt, oldest first.
    pub deletions: Vec<DeletionOutcome>,
    /// A deletion running now (or the last one, until the console restarts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion: Option<DeletionProgress>,
    /// Every configured part `COMPLETED` (absent when no source knows the set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restorable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Why the set is not restorable, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    /// One cell per part: `zeebe`, `operate`, `tasklist`, `optimize`, `zeebeRecords`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<BTreeMap<String, PartCell>>,
    /// Pinned (Keep): retention never deletes the set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<crate::domain::Pin>,
}

/// The body of `POST /api/v1/restores` and `POST /api/v1/restores/plan`, as documented. The
/// handlers read it leniently (`restores::RestoreRequest`) to answer a wrong `backupId` with a
/// 422 that names the field.
#[allow(dead_code)]
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreBody {
    #[schema(minimum = 1)]
    pub backup_id: i64,
    /// The cluster's name (`[cluster] name`), typed by the admin; needed to start, not to plan.
    pub confirm: Option<String>,
}

/// A restore that started.
#[derive(Serialize, ToSchema)]
pub struct RestoreStarted {
    #[serde(flatten)]
    pub restore: RestoreView,
    pub links: Links,
}

/// Every restore, newest first.
#[derive(Serialize, ToSchema)]
pub struct RestoreList {
    pub items: Vec<RestoreSummary>,
}

/// An operator step the admin confirmed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepConfirmed {
    pub restore_id: i64,
    pub step: String,
    pub confirmed: bool,
}

/// A restore cancel that was asked for.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreCancelRequested {
    pub restore_id: i64,
    pub cancel_requested: bool,
}

/// The refusals every call may get: no caller (401), a role too low (403), and a journal
/// failure (500).
#[allow(dead_code)] // documentation: the middleware and `ApiError` answer these
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    /// No caller: the bearer token or the session is missing, wrong or expired.
    #[response(status = 401)]
    Unauthorized(#[to_schema] ErrorBody),
    /// The caller's role may not do this (the message names the role needed).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The console's own journal failed; see its log.
    #[response(status = 500)]
    Journal(ErrorBody),
}

/// The refusals of a call with a JSON body: besides [`Refusals`], a body of another type (415)
/// or over 64 KiB (413).
#[allow(dead_code)] // documentation: `headers::json_only` and the body limit answer these
#[derive(utoipa::IntoResponses)]
pub enum BodyRefusals {
    /// The body is not `application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// The body is larger than 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
}
