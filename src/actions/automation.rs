//! Schedules (admins change them, operators run one now), the retention policy and pins
//! (admins): each audited like every other action.

use super::{audited, ActionError};
use crate::audit::Outcome;
use crate::auth::Caller;
use crate::domain::{BackupId, NewSchedule, Permission, RetentionPolicy, Schedule, SchedulePatch};
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

fn described(s: &Schedule) -> String {
    format!(
        "\"{}\" {} ({}), {}",
        s.name,
        s.cron,
        s.timezone,
        if s.enabled { "on" } else { "off" }
    )
}
