//! Schedules (admins change them, operators run one now), the retention policy and pins
//! (admins): each audited like every other action.

use super::{audited, ActionError};
use crate::audit::Outcome;
use crate::auth::Caller;
use crate::domain::{
    BackupId, Delivery, NewSchedule, NewWebhook, Permission, RetentionPolicy, Schedule,
    SchedulePatch, Webhook, WebhookPatch,
};
use crate::state::Console;
use std::sync::Arc;

pub async fn create_schedule(
    console: &Arc<Console>,
    caller: &Caller,
    new: NewSchedule,
) -> Result<Schedule, ActionError> {
    let target = format!("schedule \"{}\" ({})", new.name.trim(), new.cron.trim());
    audited(
        console,
        caller,
        Permission::ChangeSchedules,
        "schedule.create",
        target,
        |console| async move { Ok(console.scheduler.create(new).await?) },
        |s| (Outcome::Ok, Some(described(s))),
    )
    .await
}

pub async fn update_schedule(
    console: &Arc<Console>,
    caller: &Caller,
    id: i64,
    patch: SchedulePatch,
) -> Result<Schedule, ActionError> {
    let changes = serde_json::to_string(&patch).unwrap_or_default();
    audited(
        console,
        caller,
        Permission::ChangeSchedules,
        "schedule.update",
        format!("schedule {id}"),
        |console| async move { Ok(console.scheduler.update(id, patch).await?) },
        move |s| {
            (
                Outcome::Ok,
                Some(format!("{} — changed {changes}", described(s))),
            )
        },
    )
    .await
}

pub async fn delete_schedule(
    console: &Arc<Console>,
    caller: &Caller,
    id: i64,
) -> Result<(), ActionError> {
    audited(
        console,
        caller,
        Permission::ChangeSchedules,
        "schedule.delete",
        format!("schedule {id}"),
        |console| async move { Ok(console.scheduler.delete(id).await?) },
        |()| (Outcome::Ok, None),
    )
    .await
}

pub async fn run_schedule(
    console: &Arc<Console>,
    caller: &Caller,
    id: i64,
) -> Result<BackupId, ActionError> {
    let by = caller.principal.name.clone();
    audited(
        console,
        caller,
        Permission::RunSchedule,
        "schedule.run",
        format!("schedule {id}"),
        |console| async move { Ok(console.scheduler.run_now(id, &by).await?) },
        |b| (Outcome::Ok, Some(format!("started backup {b}"))),
    )
    .await
}

pub async fn save_retention(
    console: &Arc<Console>,
    caller: &Caller,
    policy: RetentionPolicy,
) -> Result<(), ActionError> {
    let by = caller.principal.name.clone();
    let words = serde_json::to_string(&policy).unwrap_or_default();
    audited(
        console,
        caller,
        Permission::ChangeRetention,
        "retention.save",
        "retention policy".into(),
        |console| async move { Ok(console.retention.save(&policy, &by).await?) },
        move |()| (Outcome::Ok, Some(words)),
    )
    .await
}

/// Keep (`pin`) or release set `id`; the answer says whether it changed.
pub async fn pin_set(
    console: &Arc<Console>,
    caller: &Caller,
    id: BackupId,
    pin: bool,
) -> Result<bool, ActionError> {
    let by = caller.principal.name.clone();
    audited(
        console,
        caller,
        Permission::PinSet,
        if pin { "set.keep" } else { "set.release" },
        format!("backup set {id}"),
        move |console| async move {
            Ok(if pin {
                console
                    .retention
                    .pin(&console.history_services(), id, &by)
                    .await?
            } else {
                console.retention.unpin(id).await?
            })
        },
        move |changed| {
            (
                Outcome::Ok,
                Some(
                    match (pin, changed) {
                        (true, true) => "pinned: retention never deletes it",
                        (true, false) => "was pinned already",
                        (false, true) => "released: retention may delete it again",
                        (false, false) => "was not pinned",
                    }
                    .into(),
                ),
            )
        },
    )
    .await
}

/// The audit log names a hook by name, format and events: never its URL or secret.
fn hook_words(h: &Webhook) -> String {
    format!(
        "\"{}\" ({}, to {}, {}): {}",
        h.name,
        h.format,
        h.target,
        if h.enabled { "on" } else { "off" },
        h.events.join(", ")
    )
}

pub async fn create_webhook(
    console: &Arc<Console>,
    caller: &Caller,
    new: NewWebhook,
) -> Result<Webhook, ActionError> {
    audited(
        console,
        caller,
        Permission::ChangeHooks,
        "webhook.create",
        format!("webhook \"{}\"", new.name.trim()),
        |console| async move { Ok(console.alerts.create(new).await?) },
        |h| (Outcome::Ok, Some(hook_words(h))),
    )
    .await
}

pub async fn update_webhook(
    console: &Arc<Console>,
    caller: &Caller,
    id: i64,
    patch: WebhookPatch,
) -> Result<Webhook, ActionError> {
    let changed: Vec<&str> = [
        ("name", patch.name.is_some()),
        ("url", patch.url.is_some()),
        ("secret", patch.secret.is_some()),
        ("format", patch.format.is_some()),
        ("events", patch.events.is_some()),
        ("enabled", patch.enabled.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, on)| on.then_some(k))
    .collect();
    let changed = changed.join(", ");
    audited(
        console,
        caller,
        Permission::ChangeHooks,
        "webhook.update",
        format!("webhook {id}"),
        |console| async move { Ok(console.alerts.update(id, patch).await?) },
        move |h| {
            (
                Outcome::Ok,
                Some(format!("{} — changed {changed}", hook_words(h))),
            )
        },
    )
    .await
}

pub async fn delete_webhook(
    console: &Arc<Console>,
    caller: &Caller,
    id: i64,
) -> Result<(), ActionError> {
    audited(
        console,
        caller,
        Permission::ChangeHooks,
        "webhook.delete",
        format!("webhook {id}"),
        |console| async move { Ok(console.alerts.delete(id).await?) },
        |()| (Outcome::Ok, None),
    )
    .await
}

/// Sends a `test` event to the hook now; the delivery says how it went.
pub async fn test_webhook(
    console: &Arc<Console>,
    caller: &Caller,
    id: i64,
) -> Result<Delivery, ActionError> {
    let by = caller.principal.name.clone();
    audited(
        console,
        caller,
        Permission::ChangeHooks,
        "webhook.test",
        format!("webhook {id}"),
        |console| async move { Ok(console.alerts.send_test(id, &by).await?) },
        |d| {
            (
                Outcome::Ok,
                Some(format!(
                    "{}{}",
                    d.state,
                    d.last_error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                )),
            )
        },
    )
    .await
}

fn described(s: &Schedule) -> String {
    format!(
        "\"{}\" {} ({}), {}",
        s.name,
        s.cron,
        s.timezone,
        if s.enabled { "on" } else { "off" }
    )
}
