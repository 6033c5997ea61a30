//! Pre-flight: before anything changes, every configured component answers, the repository
//! exists, no backup is running in any component, and exporting is not paused by someone else.

use super::context::{RunContext, StepFailure, StepResult};
use crate::camunda::types::{WebAppBackupState, ZeebeBackupState};
use crate::camunda::WebAppClient;

const NEXT_REACH: &str = "Check that the component runs and that its URL in the console's configuration is right, then start the backup again.";

#[tracing::instrument(skip_all, fields(backup_id = %ctx.id))]
pub async fn run(ctx: &RunContext) -> StepResult {
    let c = &ctx.clients;
    let mut checked = Vec::new();

    let zeebe = c
        .zeebe
        .list_backups()
        .await
        .map_err(|e| StepFailure::failed(format!("Pre-flight: {e}"), NEXT_REACH))?;
    if let Some(b) = zeebe
        .iter()
        .find(|b| b.state == ZeebeBackupState::InProgress)
    {
        return Err(StepFailure::failed(
            format!("Pre-flight: Zeebe reports backup {} IN_PROGRESS.", b.backup_id),
            "Wait for that backup to finish (or delete it if it is stuck, camunda/camunda#41200), then start again.",
        ));
    }
    checked.push("Zeebe");

    let mut apps: Vec<&WebAppClient> = vec![&c.operate, &c.tasklist];
    apps.extend(c.optimize.as_ref());
    for app in apps {
        let backups = app
            .list_backups()
            .await
            .map_err(|e| StepFailure::failed(format!("Pre-flight: {e}"), NEXT_REACH))?;
        if let Some(b) = backups
            .iter()
            .find(|b| b.state == WebAppBackupState::InProgress)
        {
            return Err(StepFailure::failed(
                format!(
                    "Pre-flight: {} reports backup {} IN_PROGRESS.",
                    app.component(),
                    b.backup_id
                ),
                "Wait for it to finish, then start again.",
            ));
        }
        checked.push(app.component().label());
    }

    let repo = &ctx.cluster.snapshot_repository;
    match c.elasticsearch.repository(repo).await {
        Ok(Some(_)) => checked.push("Elasticsearch"),
        Ok(None) => {
            return Err(StepFailure::failed(
                format!("Pre-flight: the snapshot repository `{repo}` does not exist in Elasticsearch."),
                format!("Register it (PUT /_snapshot/{repo}) with the name Operate, Tasklist and Optimize are configured with, then start again."),
            ))
        }
        Err(e) => return Err(StepFailure::failed(format!("Pre-flight: {e}"), NEXT_REACH)),
    }

    for broker in c.zeebe.brokers() {
        let partitions = c
            .zeebe
            .partitions(broker)
            .await
            .map_err(|e| StepFailure::failed(format!("Pre-flight: {e}"), NEXT_REACH))?;
        for (id, p) in &partitions {
            if let Some(phase @ ("PAUSED" | "SOFT_PAUSED")) = p.exporter_phase.as_deref() {
                return Err(StepFailure::failed(
                    format!(
                        "Pre-flight: exporting is already {phase} on partition {id} (broker {}), and no run of this console paused it.",
                        broker.base_url()
                    ),
                    "Find out who paused it; resume exporting (POST /actuator/exporting/resume on the gateway) when it is safe, then start again. The console never sends a pause on top of another pause.",
                ));
            }
        }
    }
    if !c.zeebe.brokers().is_empty() {
        checked.push("exporting");
    }
    Ok(Some(format!("Checked: {}", checked.join(", "))))
}
