//! Server functions of the Schedules page (schedules, the retention policy and its preview)
//! and of the set page's Keep button, over the same actions as the REST API.

use crate::domain::{
    Delivery, Failure, Pin, RetentionPolicy, RetentionPreview, RetentionSettings, Schedule,
    SchedulesPage, Webhook,
};
#[cfg(feature = "ssr")]
use crate::domain::{NewSchedule, SchedulePatch};
use leptos::prelude::*;

/// The schedules, and why they cannot run when Zeebe schedules its own backups.
#[server(client = crate::api::CsrfClient)]
pub async fn get_schedules() -> Result<SchedulesPage, Failure> {
    let console = super::console()?;
    console
        .scheduler
        .page()
        .await
        .map_err(|e| crate::actions::ActionError::from(e).into())
}

/// The next 5 times of `cron` in `timezone`, while a schedule is being edited (nothing saved).
#[server(client = crate::api::CsrfClient)]
pub async fn preview_cron(cron: String, timezone: String) -> Result<Vec<String>, Failure> {
    let console = super::console()?;
    console
        .scheduler
        .preview(&cron, &timezone)
        .map_err(|e| crate::actions::ActionError::from(e).into())
}

/// Creates (`id` none) or changes a schedule.
#[server(client = crate::api::CsrfClient)]
pub async fn save_schedule(
    id: Option<i64>,
    name: String,
    cron: String,
    timezone: String,
    enabled: bool,
) -> Result<Schedule, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(match id {
        None => {
            crate::actions::create_schedule(
                &console,
                &caller,
                NewSchedule {
                    name,
                    cron,
                    timezone: Some(timezone),
                    enabled: Some(enabled),
                },
            )
            .await?
        }
        Some(id) => {
            crate::actions::update_schedule(
                &console,
                &caller,
                id,
                SchedulePatch {
                    name: Some(name),
                    cron: Some(cron),
                    timezone: Some(timezone),
                    enabled: Some(enabled),
                },
            )
            .await?
        }
    })
}

/// Switches a schedule on or off.
#[server(client = crate::api::CsrfClient)]
pub async fn switch_schedule(id: i64, enabled: bool) -> Result<Schedule, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::update_schedule(
        &console,
        &caller,
        id,
        SchedulePatch {
            enabled: Some(enabled),
            ..SchedulePatch::default()
        },
    )
    .await?)
}

/// Deletes a schedule; `confirm` must repeat its name.
#[server(client = crate::api::CsrfClient)]
pub async fn remove_schedule(id: i64, name: String, confirm: String) -> Result<(), Failure> {
    if confirm.trim() != name.trim() {
        return Err(Failure::new(
            "not_confirmed",
            format!("Type the schedule's name ({name}) to delete it."),
        ));
    }
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::delete_schedule(&console, &caller, id).await?)
}

/// Starts the schedule's backup now; returns the run's id.
#[server(client = crate::api::CsrfClient)]
pub async fn run_schedule(id: i64) -> Result<i64, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::run_schedule(&console, &caller, id)
        .await?
        .get())
}

/// The saved policy and what it would do now.
#[server(client = crate::api::CsrfClient)]
pub async fn get_retention() -> Result<(RetentionSettings, RetentionPreview), Failure> {
    let console = super::console()?;
    let wrap = |e| Failure::from(crate::actions::ActionError::from(e));
    let settings = console.retention.settings().await.map_err(wrap)?;
    let preview = console
        .retention
        .preview(&console.history_services(), None)
        .await
        .map_err(wrap)?;
    Ok((settings, preview))
}

/// What `policy` would do now (before it is saved).
#[server(client = crate::api::CsrfClient)]
pub async fn preview_retention(policy: RetentionPolicy) -> Result<RetentionPreview, Failure> {
    let console = super::console()?;
    console
        .retention
        .preview(&console.history_services(), Some(policy))
        .await
        .map_err(|e| crate::actions::ActionError::from(e).into())
}

#[server(client = crate::api::CsrfClient)]
pub async fn save_retention(policy: RetentionPolicy) -> Result<(), Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::save_retention(&console, &caller, policy).await?)
}

/// The set's pin, if any.
#[server(client = crate::api::CsrfClient)]
pub async fn get_pin(backup_id: i64) -> Result<Option<Pin>, Failure> {
    let console = super::console()?;
    let pins = console
        .retention
        .pins()
        .await
        .map_err(|e| Failure::from(crate::actions::ActionError::from(e)))?;
    Ok(pins.into_iter().find(|p| p.backup_id == backup_id))
}

/// Keep (`keep`) or release a set.
#[server(client = crate::api::CsrfClient)]
pub async fn keep_set(backup_id: i64, keep: bool) -> Result<bool, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    let id = crate::domain::BackupId::new(backup_id)
        .ok_or_else(|| Failure::new("invalid_backup_id", "A backup id is a positive integer."))?;
    Ok(crate::actions::pin_set(&console, &caller, id, keep).await?)
}

/// The webhooks (never their URL or secret).
#[server(client = crate::api::CsrfClient)]
pub async fn get_webhooks() -> Result<Vec<Webhook>, Failure> {
    let console = super::console()?;
    console
        .alerts
        .list()
        .await
        .map_err(|e| crate::actions::ActionError::from(e).into())
}

/// Adds a webhook. The URL and the secret travel to the server once and never back.
#[server(client = crate::api::CsrfClient)]
pub async fn add_webhook(
    name: String,
    url: String,
    secret: String,
    format: String,
    events: Vec<String>,
) -> Result<Webhook, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::create_webhook(
        &console,
        &caller,
        crate::domain::NewWebhook {
            name,
            url,
            secret: Some(secret).filter(|s| !s.is_empty()),
            format: Some(format),
            events,
            enabled: Some(true),
        },
    )
    .await?)
}

/// Switches a webhook on or off.
#[server(client = crate::api::CsrfClient)]
pub async fn switch_webhook(id: i64, enabled: bool) -> Result<Webhook, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::update_webhook(
        &console,
        &caller,
        id,
        crate::domain::WebhookPatch {
            enabled: Some(enabled),
            ..Default::default()
        },
    )
    .await?)
}

/// Deletes a webhook; `confirm` must repeat its name.
#[server(client = crate::api::CsrfClient)]
pub async fn remove_webhook(id: i64, name: String, confirm: String) -> Result<(), Failure> {
    if confirm.trim() != name.trim() {
        return Err(Failure::new(
            "not_confirmed",
            format!("Type the webhook's name ({name}) to delete it."),
        ));
    }
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::delete_webhook(&console, &caller, id).await?)
}

/// Sends a test event now.
#[server(client = crate::api::CsrfClient)]
pub async fn send_test_webhook(id: i64) -> Result<Delivery, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::test_webhook(&console, &caller, id).await?)
}

/// A hook's delivery log, newest first.
#[server(client = crate::api::CsrfClient)]
pub async fn get_deliveries(id: i64) -> Result<Vec<Delivery>, Failure> {
    let console = super::console()?;
    console
        .alerts
        .deliveries(id)
        .await
        .map_err(|e| crate::actions::ActionError::from(e).into())
}
