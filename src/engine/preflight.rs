//! Pre-flight: before anything changes, every configured component answers (transient errors
//! are retried within the error budget), the repository exists, an index matches the records
//! prefix, no backup is running in any component (a stale Zeebe one does not count), exporting
//! is not paused by someone else, and the pause mode is chosen from the gateway's version.

use super::context::{Note, Notes, RunContext, StepFailure, StepResult};
use super::pause_mode;
use super::poll;
use crate::camunda::types::{BackupInfo, WebAppBackupState, ZeebeBackupState};
use crate::camunda::{ClientError, ExportingView};
use std::future::Future;
use std::time::Duration;

const NEXT_REACH: &str = "Check that the component runs and that its URL and credentials in the console's configuration are right, then start the backup again.";

/// One read, retried while the component is transiently unavailable.
async fn read<T, F, Fut>(ctx: &RunContext, call: F) -> Result<T, StepFailure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let limit = ctx.timeouts.unavailable_budget + Duration::from_secs(1);
    let mut poller = ctx.poller(poll::OUTSIDE, limit);
    loop {
        poller
            .check()
            .map_err(|e| StepFailure::from_poll(e, "a pre-flight read", NEXT_REACH))?;
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_retryable() => {
                if poller.unavailable(&e).is_err() {
                    return Err(StepFailure::failed(format!("Pre-flight: {e}"), NEXT_REACH));
                }
            }
            Err(e) => return Err(StepFailure::failed(format!("Pre-flight: {e}"), NEXT_REACH)),
        }
        poller
            .sleep()
            .await
            .map_err(|e| StepFailure::from_poll(e, "a pre-flight read", NEXT_REACH))?;
    }
}

#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn run(ctx: &RunContext, notes: &Notes) -> StepResult {
    let c = &ctx.clients;
    let mut checked = Vec::new();

    // The version profile first: an 8.8+ cluster has none of the endpoints read below.
    let (version, profile) =
        crate::profile::of_gateway(c, ctx.cluster.camunda_version.as_deref()).await;
    if let Some((what, next)) = profile.refusal() {
        return Err(StepFailure::failed(format!("Pre-flight: {what}"), next));
    }
    if profile.id != ctx.profile.id {
        return Err(StepFailure::failed(
            format!(
                "Pre-flight: the cluster now runs Camunda {} ({}), but this run was planned for {}.",
                profile.id.label(),
                profile.why,
                ctx.profile.id.label()
            ),
            "Start a new backup: it is planned for the version the cluster runs now.",
        ));
    }
    if let Some(words) = crate::profile::configuration_refusal(ctx.profile, &ctx.cluster) {
        return Err(StepFailure::failed(
            format!("Pre-flight: {words}"),
            "Configure Operate's and Tasklist's management URLs, then start a new backup.",
        ));
    }
    let zeebe_path = c.zeebe.backups_path();
    let rest = c.uses_rest(ctx.profile);
    if ctx.profile.rest.is_some() && !rest {
        notes.send(Note::Warning(format!(
            "Camunda {} without cluster.orchestration_rest_url: the backup runs on the management actuators (port 9600), which {} still serves. Set orchestration_rest_url (port 8080) and [cluster.rest_auth] to use the authenticated /v2 API.",
            ctx.profile.id.label(),
            ctx.profile.id.label()
        )));
    }

    // 8.9+: a Zeebe that takes its own backups (a schedule, marker checkpoints) refuses the
    // set's id; say so before anything changes.
    if ctx.profile.runtime_state {
        if let Some(state) = read(ctx, || c.zeebe.runtime_state()).await? {
            let own: std::collections::BTreeSet<&str> = state
                .checkpoint_states
                .iter()
                .chain(&state.backup_states)
                .filter_map(|s| s.checkpoint_type.as_deref())
                .filter(|t| matches!(*t, "SCHEDULED_BACKUP" | "MARKER"))
                .collect();
            if !own.is_empty() {
                return Err(StepFailure::failed(
                    format!(
                        "Pre-flight: Zeebe takes its own backups here (its backup state shows {} checkpoints), so it generates backup ids and refuses one chosen by the console.",
                        own.into_iter().collect::<Vec<_>>().join(" and ")
                    ),
                    crate::profile::GENERATED_IDS_NEXT,
                ));
            }
        }
    }
    let zeebe = read(ctx, || c.zeebe.list_backups()).await?;
    for b in zeebe
        .iter()
        .filter(|b| b.state == ZeebeBackupState::InProgress)
    {
        match unchanged_for(b) {
            Some(age) if age > ctx.timeouts.stale_backup => notes.send(Note::Warning(format!(
                "Zeebe backup {} is IN_PROGRESS but has not changed for {} min: it is stale (left behind by a leader change, camunda/camunda#41200) and does not block new backups. Remove it: DELETE {zeebe_path}/{} on the Zeebe gateway.",
                b.backup_id,
                age.as_secs() / 60,
                b.backup_id
            ))),
            age => {
                return Err(StepFailure::failed(
                    format!(
                        "Pre-flight: Zeebe reports backup {} IN_PROGRESS{}.",
                        b.backup_id,
                        age.map(|a| format!(" (last change {} s ago)", a.as_secs())).unwrap_or_default()
                    ),
                    format!(
                        "Wait for it to finish. If it never does (a leader change leaves backups IN_PROGRESS, camunda/camunda#41200), delete it (DELETE {zeebe_path}/{}); after timeouts.stale_backup_secs ({} s) without change the console treats it as stale.",
                        b.backup_id,
                        ctx.timeouts.stale_backup.as_secs()
                    ),
                ));
            }
        }
    }
    checked.push("Zeebe");
    if rest {
        // The reads above (list, state) needed BACKUP:READ; a 403 named it.
        checked.push("the /v2 REST API (credentials accepted, BACKUP:READ held)");
    }

    for app in c.webapp_clients() {
        let backups = read(ctx, || app.list_backups()).await?;
        // Between two parts a running backup reads INCOMPLETE (§5.3): a recent one counts as
        // running, or the new backup would be refused by the component's queue after others
        // were already triggered.
        let running = |b: &&crate::camunda::types::WebAppBackup| {
            b.state == WebAppBackupState::InProgress
                || b.state == WebAppBackupState::Incomplete
                    && last_part_started(b).is_some_and(|age| age < ctx.timeouts.incomplete_grace)
        };
        if let Some(b) = backups.iter().find(running) {
            return Err(StepFailure::failed(
                format!(
                    "Pre-flight: {} reports backup {} {} (still running: its parts are created one after another).",
                    app.component(),
                    b.backup_id,
                    if b.state == WebAppBackupState::InProgress { "IN_PROGRESS" } else { "INCOMPLETE, its last part started moments ago" }
                ),
                "Wait for it to finish, then start again.",
            ));
        }
        checked.push(app.component().label());
    }

    let repo = &ctx.cluster.snapshot_repository;
    if read(ctx, || c.elasticsearch.repository(repo))
        .await?
        .is_none()
    {
        return Err(StepFailure::failed(
            format!("Pre-flight: the snapshot repository `{repo}` does not exist in Elasticsearch."),
            format!("Register it (PUT /_snapshot/{repo}) with the name Operate, Tasklist and Optimize are configured with, then start again."),
        ));
    }
    let prefix = &ctx.cluster.zeebe_record_prefix;
    let indices = read(ctx, || c.elasticsearch.indices()).await?;
    if !indices.iter().any(|i| i.starts_with(prefix.as_str())) {
        return Err(StepFailure::failed(
            format!("Pre-flight: no index in Elasticsearch matches `{prefix}*`, so the records snapshot would hold nothing."),
            format!("Check cluster.zeebe_record_prefix (now `{prefix}`): it must be the index prefix of Zeebe's Elasticsearch exporter (default `zeebe-record`)."),
        ));
    }
    // Read now, not inside the pause window: OpenSearch's records snapshot has no
    // `feature_states`.
    let opensearch = read(ctx, || c.elasticsearch.is_opensearch()).await?;
    checked.push(if opensearch {
        "OpenSearch"
    } else {
        "Elasticsearch"
    });

    exporting_not_paused(ctx, notes).await?;

    let mode = if ctx.profile.soft_pause_documented {
        if ctx.cluster.soft_pause == Some(false) {
            notes.send(Note::Warning(format!("cluster.soft_pause = false is not followed: the documented Camunda {} procedure pauses softly, and the web apps are backed up inside the pause window.", ctx.profile.id.label())));
        }
        pause_mode::PauseMode {
            soft: true,
            why: format!(
                "soft pause: the documented Camunda {} procedure starts with it",
                ctx.profile.id.label()
            ),
        }
    } else {
        pause_mode::decide(ctx.cluster.soft_pause, version.as_deref())
    };
    notes.send(Note::SoftPause(mode.soft));
    let unproven = if rest {
        " BACKUP:CREATE and EXPORTER:PAUSE (some 8.10 revisions: SYSTEM:UPDATE) have no side-effect-free check in the /v2 API: the pause, sent first, proves the one (refused, nothing changes), the history take the other (refused, exporting is resumed at once); either refusal names the permission."
    } else {
        ""
    };
    Ok(Some(format!(
        "Checked: {}. {}{unproven}",
        checked.join(", "),
        capitalised(&mode.why)
    )))
}

/// Refuses to pause on top of a pause (never a hard pause on a soft one, pitfall 4); says so
/// when exporting cannot be read at all.
async fn exporting_not_paused(ctx: &RunContext, notes: &Notes) -> Result<(), StepFailure> {
    let mut poller = ctx.poller(poll::OUTSIDE, ctx.timeouts.unavailable_budget);
    let view = loop {
        let view = ExportingView::read(&ctx.clients.zeebe).await;
        let away = view.unreachable();
        if away.is_empty() {
            break view;
        }
        let error = away.join("; ");
        if poller.unavailable(&error).is_err() || poller.sleep().await.is_err() {
            return Err(StepFailure::failed(
                format!("Pre-flight: {error}"),
                NEXT_REACH,
            ));
        }
    };
    if !view.brokers_configured() {
        notes.send(Note::Warning(format!(
            "Exporting cannot be confirmed: {}. The console relies on the gateway's answers alone; add the brokers' management URLs (e.g. http://camunda-zeebe-0.camunda-zeebe:9600 … for a Helm install).",
            crate::camunda::partitions::NO_BROKERS
        )));
        return Ok(());
    }
    if let Some((id, phase, broker)) = view.paused().into_iter().next() {
        return Err(StepFailure::failed(
            format!("Pre-flight: exporting is already {phase} on partition {id} (broker {broker}), and no run of this console paused it."),
            "Find out who paused it; resume exporting (POST /actuator/exporting/resume on the gateway) when it is safe, then start again. The console never sends a pause on top of another pause.",
        ));
    }
    let missing = view.without_leader(None);
    if !missing.is_empty() {
        notes.send(Note::Warning(format!(
            "Partition(s) {missing:?} have no leader among the configured brokers: their exporting state cannot be confirmed. List every broker in cluster.zeebe_broker_management_urls."
        )));
    }
    Ok(())
}

/// How long ago the newest part of a web-app backup started (`2025-06-03T07:55:15.685+0000`).
fn last_part_started(b: &crate::camunda::types::WebAppBackup) -> Option<Duration> {
    let last = b
        .details
        .iter()
        .filter_map(|d| d.start_time.as_deref())
        .filter_map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .or_else(|_| chrono::DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
                .ok()
        })
        .max()?;
    (chrono::Utc::now() - last.with_timezone(&chrono::Utc))
        .to_std()
        .ok()
}

/// How long ago an in-progress Zeebe backup last changed (from its partitions' timestamps).
fn unchanged_for(b: &BackupInfo) -> Option<Duration> {
    let last = b
        .details
        .iter()
        .filter_map(|d| d.last_updated_at.as_deref().or(d.created_at.as_deref()))
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .max()?;
    (chrono::Utc::now() - last.with_timezone(&chrono::Utc))
        .to_std()
        .ok()
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}
