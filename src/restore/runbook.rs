//! The restore as a text runbook: every step in order, what the console does, and the exact
//! commands the operator runs where the console cannot act — for a Helm/Kubernetes install and
//! for a plain install (camunda-api.md §8, §9.3). Also what the wizard shows per operator step.

use crate::domain::{Check, CheckState, RestoreStepKey};
use crate::profile::Profile;

/// What the runbook is written for.
pub struct RunbookInput<'a> {
    pub cluster_name: &'a str,
    pub backup_id: i64,
    pub repository: &'a str,
    pub brokers: &'a [u32],
    pub optimize: bool,
    /// The version profile whose commands the runbook gives.
    pub profile: &'a Profile,
    pub checks: &'a [Check],
    pub delete_indices: &'a [String],
    pub restore_snapshots: &'a [String],
    pub generated_at: &'a str,
}

/// The line each broker's restore prints when it succeeded.
pub fn success_line(backup_id: i64) -> String {
    format!("Successfully restored broker from backup {backup_id}")
}

fn apps(optimize: bool) -> &'static str {
    if optimize {
        "Zeebe (brokers and gateway), Operate, Tasklist and Optimize"
    } else {
        "Zeebe (brokers and gateway), Operate and Tasklist"
    }
}

/// "broker 0, broker 1, broker 2".
fn broker_list(brokers: &[u32]) -> String {
    brokers
        .iter()
        .map(|b| format!("broker {b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The brokers' data volumes of a Helm install (the StatefulSet keeps the `zeebe` name).
fn broker_pvcs(brokers: &[u32]) -> String {
    if brokers.is_empty() {
        return "<every zeebe data PVC>".to_owned();
    }
    brokers
        .iter()
        .map(|b| format!("data-$RELEASE-zeebe-{b}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The operator's instructions for one operator step, in `profile`'s words.
pub fn operator_instructions(
    key: RestoreStepKey,
    backup_id: i64,
    brokers: &[u32],
    optimize: bool,
    profile: &Profile,
) -> String {
    if profile.in_cluster_restore {
        return in_cluster_instructions(key, optimize);
    }
    if profile.unified() {
        return unified_instructions(key, backup_id, brokers, optimize, profile);
    }
    let deployments = if optimize {
        "$RELEASE-zeebe-gateway $RELEASE-operate $RELEASE-tasklist $RELEASE-optimize"
    } else {
        "$RELEASE-zeebe-gateway $RELEASE-operate $RELEASE-tasklist"
    };
    let n = brokers.len().max(1);
    match key {
        RestoreStepKey::StopApps => format!(
            "Stop {apps}; leave Elasticsearch running.\n\
             Helm/Kubernetes:\n\
             \x20 kubectl -n $NAMESPACE scale statefulset $RELEASE-zeebe --replicas=0\n\
             \x20 kubectl -n $NAMESPACE scale deployment {deployments} --replicas=0\n\
             Plain install: stop the broker and gateway processes on every node, then Operate, Tasklist{opt}.\n\
             The console continues once none of them answers and you confirm.",
            apps = apps(optimize),
            opt = if optimize { " and Optimize" } else { "" },
        ),
        RestoreStepKey::RestoreZeebe => {
            format!(
                "Restore Zeebe's data on every broker ({list}) from backup {backup_id}. Every other component stays stopped.\n\
                 Helm/Kubernetes (chart 10.8+, Camunda 8.5-8.7):\n\
                 \x20 1. Delete the brokers' volumes (old data, or the template-seeding start): kubectl -n $NAMESPACE delete pvc {pvcs}\n\
                 \x20 2. On the zeebe StatefulSet set env ZEEBE_RESTORE=true and ZEEBE_RESTORE_FROM_BACKUP_ID={backup_id}, then kubectl -n $NAMESPACE scale statefulset $RELEASE-zeebe --replicas={n}\n\
                 \x20    (older charts: command: [\"/usr/local/zeebe/bin/restore\", \"--backupId={backup_id}\"])\n\
                 \x20 3. Each pod exits after restoring and is restarted (it looks like a crash loop): read the first run's log with kubectl -n $NAMESPACE logs $RELEASE-zeebe-<n> --previous\n\
                 \x20 4. Afterwards set ZEEBE_RESTORE=false (or remove the restore command) and scale the StatefulSet to 0 again.\n\
                 Plain install, on every broker node, with the broker's own configuration (node id, data directory, cluster size, partition count, backup store):\n\
                 \x20 1. Empty the data directory (lost+found may stay): rm -rf /usr/local/zeebe/data/*\n\
                 \x20 2. bin/restore --backupId={backup_id}\n\
                 Each broker must print: {line}\n\
                 A non-empty data directory aborts with \"Brokers's data directory ... is not empty\"; fix and run again.",
                list = broker_list(brokers),
                pvcs = broker_pvcs(brokers),
                line = success_line(backup_id),
            )
        }
        RestoreStepKey::StartApps => format!(
            "Start {apps} normally (restore settings removed).\n\
             Helm/Kubernetes:\n\
             \x20 kubectl -n $NAMESPACE scale statefulset $RELEASE-zeebe --replicas={n}\n\
             \x20 kubectl -n $NAMESPACE scale deployment {deployments} --replicas=1\n\
             Plain install: start the brokers, the gateway, Operate, Tasklist{opt}.\n\
             The console continues once every one of them answers and you confirm.",
            apps = apps(optimize),
            opt = if optimize { " and Optimize" } else { "" },
        ),
        _ => String::new(),
    }
}

/// 8.10's in-cluster restore (Restore API page): only Optimize is stopped and started; the
/// orchestration cluster keeps running (in recovery mode while Zeebe is restored).
fn in_cluster_instructions(key: RestoreStepKey, optimize: bool) -> String {
    match (key, optimize) {
        (RestoreStepKey::StopApps, true) => "Stop Optimize; leave the orchestration cluster and Elasticsearch running (the console switches the cluster to recovery mode next, which stops all processing).\n\
             Helm/Kubernetes: kubectl -n $NAMESPACE scale deployment $RELEASE-optimize --replicas=0 (or helm upgrade with optimize.enabled: false)\n\
             Plain install: stop the Optimize process.\n\
             The console continues once Optimize does not answer and you confirm.".to_owned(),
        (RestoreStepKey::StopApps, false) => "Nothing to stop: without Optimize the orchestration cluster keeps running (the console switches it to recovery mode next, which stops all processing). Confirm to go on.".to_owned(),
        (RestoreStepKey::StartApps, true) => "Start Optimize again.\n\
             Helm/Kubernetes: kubectl -n $NAMESPACE scale deployment $RELEASE-optimize --replicas=1 (or helm upgrade with optimize.enabled: true)\n\
             Plain install: start the Optimize process.\n\
             The console continues once every component answers and you confirm.".to_owned(),
        (RestoreStepKey::StartApps, false) => "Nothing to start: the restore switched every broker back to PROCESSING. The console continues once every component answers and you confirm.".to_owned(),
        _ => String::new(),
    }
}

/// 8.8+ (one orchestration cluster): docs' restore page, steps 3, 6 and 7.
fn unified_instructions(
    key: RestoreStepKey,
    backup_id: i64,
    brokers: &[u32],
    optimize: bool,
    profile: &Profile,
) -> String {
    let n = brokers.len().max(1);
    let opt = if optimize { " and Optimize" } else { "" };
    let helm_off = if optimize {
        "orchestration.enabled: false, optimize.enabled: false, connectors.enabled: false"
    } else {
        "orchestration.enabled: false, connectors.enabled: false"
    };
    match key {
        RestoreStepKey::StopApps => format!(
            "Stop the orchestration cluster (Zeebe, Operate, Tasklist and Identity run in it){opt}, and Connectors; leave Elasticsearch running.\n\
             Helm/Kubernetes ({chart}): helm upgrade with {helm_off}\n\
             \x20 (or: kubectl -n $NAMESPACE scale statefulset $RELEASE-zeebe --replicas=0{scale_opt})\n\
             Plain install: stop the camunda process on every node{opt}.\n\
             The console continues once none of them answers and you confirm.",
            chart = profile.helm_chart,
            scale_opt = if optimize { "; kubectl -n $NAMESPACE scale deployment $RELEASE-optimize --replicas=0" } else { "" },
        ),
        RestoreStepKey::RestoreZeebe => {
            let command = profile.zeebe_restore_command.replace("<id>", &backup_id.to_string());
            let values: Vec<String> = profile
                .helm_restore
                .iter()
                .map(|l| format!("\x20    {}", l.replace("<id>", &backup_id.to_string())))
                .collect();
            format!(
                "Restore the orchestration cluster's primary data on every broker ({list}) from backup {backup_id}. Everything else stays stopped{opt_stopped}.\n\
                 Helm/Kubernetes ({chart}):\n\
                 \x20 1. Delete the brokers' volumes (old data, or the template-seeding start): kubectl -n $NAMESPACE delete pvc {pvcs}\n\
                 \x20 2. helm upgrade with the orchestration cluster enabled in restore mode, the same node count ({n}), partition count and backup store:\n\
                 {values}\n\
                 \x20    (or: orchestration.command: [\"/usr/local/camunda/bin/restore\", \"--backupId={backup_id}\"] with SPRING_PROFILES_ACTIVE=restore)\n\
                 \x20 3. Each pod exits after restoring and is restarted (it looks like a crash loop): read the first run's log with kubectl -n $NAMESPACE logs $RELEASE-zeebe-<n> --previous\n\
                 \x20 4. Afterwards set ZEEBE_RESTORE=false and remove SPRING_PROFILES_ACTIVE=restore, ZEEBE_RESTORE_FROM_BACKUP_ID and any command override; keep the backup store settings.\n\
                 Plain install, on every node, with its own configuration (node id, data directory, cluster size, replication factor, partition count, backup store):\n\
                 \x20 1. Empty the data directory (lost+found may stay)\n\
                 \x20 2. SPRING_PROFILES_ACTIVE=restore {command}\n\
                 Each broker must print: {line}\n\
                 A non-empty data directory aborts with \"Brokers's data directory ... is not empty\"; fix and run again.",
                list = broker_list(brokers),
                opt_stopped = if optimize { " (Optimize and Connectors disabled)" } else { " (Connectors disabled)" },
                chart = profile.helm_chart,
                pvcs = broker_pvcs(brokers),
                values = values.join("\n"),
                line = success_line(backup_id),
            )
        }
        RestoreStepKey::StartApps => format!(
            "Start the orchestration cluster{opt} normally: ZEEBE_RESTORE=false, no restore profile or command, the backup store settings kept.\n\
             Helm/Kubernetes: helm upgrade with orchestration.enabled: true{helm_opt} (connectors as before)\n\
             \x20 (or: kubectl -n $NAMESPACE scale statefulset $RELEASE-zeebe --replicas={n}{scale_opt})\n\
             Plain install: start the camunda process on every node{opt}.\n\
             The console continues once every one of them answers and you confirm.",
            helm_opt = if optimize { ", optimize.enabled: true" } else { "" },
            scale_opt = if optimize { "; kubectl -n $NAMESPACE scale deployment $RELEASE-optimize --replicas=1" } else { "" },
        ),
        _ => String::new(),
    }
}

fn mark(state: CheckState) -> &'static str {
    match state {
        CheckState::Pass => "pass",
        CheckState::Fail => "FAIL",
        CheckState::Warn => "warn",
    }
}

/// The whole runbook as text.
pub fn runbook(input: &RunbookInput<'_>) -> String {
    let id = input.backup_id;
    let mut out = format!(
        "Camunda {} restore runbook\n\
         Cluster: {}\nBackup set: {id}\nSnapshot repository: {}\nGenerated: {} by the Camunda backup console\n\
         Kubernetes commands use $RELEASE (the Helm release) and $NAMESPACE: set them first.\n\n\
         Pre-flight checks at generation:\n",
        input.profile.id.label(),
        input.cluster_name,
        input.repository,
        input.generated_at
    );
    for c in input.checks {
        out.push_str(&format!("  [{}] {}: {}\n", mark(c.state), c.key, c.message));
    }
    out.push('\n');
    let in_cluster = input.profile.in_cluster_restore;
    for (n, key) in RestoreStepKey::plan(in_cluster).into_iter().enumerate() {
        let who = match key.kind() {
            crate::domain::StepKind::Console => "console",
            crate::domain::StepKind::Operator => "operator",
        };
        out.push_str(&format!(
            "{}. {} ({who})\n",
            n + 1,
            key.label_in(in_cluster)
        ));
        let body = match key {
            RestoreStepKey::EnterRecovery => "   PATCH <orchestration>:8080/v2/mode?mode=RECOVERING (with [cluster.rest_auth]; needs BACKUP:RESTORE or SYSTEM:UPDATE)\n   then GET <orchestration>:9600/actuator/cluster until lastChange.id is the returned changeId and no change is pending.\n   From here on the cluster processes nothing until the restore's own change switches it back.\n".to_owned(),
            RestoreStepKey::RestoreZeebeInCluster => format!(
                "   POST <orchestration>:8080/v2/restore?dryRun=true {{\"backupIds\": [{id}]}} (validates: a completed backup {id} for every partition, every broker in recovery mode)\n   POST <orchestration>:8080/v2/restore {{\"backupIds\": [{id}]}} → 202 with a changeId (needs BACKUP:RESTORE)\n   GET <orchestration>:8080/v2/restore until it answers 404 (progress per broker and partition: PENDING, RESTORING, RESTORED),\n   then GET :9600/actuator/cluster: lastChange is that changeId, COMPLETED. The same change switches every broker back to PROCESSING; no restart.\n   If it fails: the cluster stays in recovery mode; never switch it to PROCESSING with partitions partly restored.\n"
            ),
            RestoreStepKey::DeleteIndices => {
                let mut s = format!(
                    "   {} indices, one request each (never a wildcard; index templates stay):\n",
                    input.delete_indices.len()
                );
                for i in input.delete_indices {
                    s.push_str(&format!("     DELETE /{i}\n"));
                }
                s
            }
            RestoreStepKey::RestoreWebapps | RestoreStepKey::RestoreRecords => {
                let records = key == RestoreStepKey::RestoreRecords;
                let mut s = String::from(
                    "   One at a time, each watched until its indices are recovered:\n",
                );
                for name in input
                    .restore_snapshots
                    .iter()
                    .filter(|n| n.contains("_zeebe_records_") == records)
                {
                    s.push_str(&format!(
                        "     POST /_snapshot/{}/{name}/_restore\n",
                        input.repository
                    ));
                }
                s
            }
            RestoreStepKey::PostChecks => "   Every component answers; exporting is EXPORTING on every partition; Zeebe lists the backup; every restored index exists.\n".to_owned(),
            _ => operator_instructions(key, id, input.brokers, input.optimize, input.profile)
                .lines()
                .map(|l| format!("   {l}\n"))
                .collect(),
        };
        out.push_str(&body);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runbook_names_every_index_snapshot_and_broker_command() {
        let checks = vec![Check::new("repository", CheckState::Pass, "camunda exists")];
        let text = runbook(&RunbookInput {
            cluster_name: "prod",
            backup_id: 42,
            repository: "camunda",
            brokers: &[0, 1, 2],
            optimize: true,
            profile: crate::profile::profile(crate::domain::ProfileId::Legacy),
            checks: &checks,
            delete_indices: &["operate-list-view-8.3.0_".into()],
            restore_snapshots: &[
                "camunda_operate_42_8.5.1_part_1_of_1".into(),
                "camunda_zeebe_records_backup_42".into(),
            ],
            generated_at: "2026-11-25T00:00:00Z",
        });
        for needle in [
            "[pass] repository",
            "DELETE /operate-list-view-8.3.0_",
            "POST /_snapshot/camunda/camunda_operate_42_8.5.1_part_1_of_1/_restore",
            "POST /_snapshot/camunda/camunda_zeebe_records_backup_42/_restore",
            "ZEEBE_RESTORE_FROM_BACKUP_ID=42",
            "bin/restore --backupId=42",
            "Successfully restored broker from backup 42",
            "data-$RELEASE-zeebe-2",
            "--previous",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        // The records snapshot is restored in its own step, after the web apps.
        let webapps = text.find("camunda_operate_42").unwrap_or(usize::MAX);
        let records = text
            .find("camunda_zeebe_records_backup_42/_restore")
            .unwrap_or(0);
        assert!(webapps < records);
    }

    #[test]
    fn the_8_10_runbook_restores_inside_the_cluster_and_stops_only_optimize() {
        let text = runbook(&RunbookInput {
            cluster_name: "prod",
            backup_id: 9,
            repository: "camunda",
            brokers: &[0, 1, 2],
            optimize: true,
            profile: crate::profile::profile(crate::domain::ProfileId::V810),
            checks: &[],
            delete_indices: &["camunda-user-8.10.0_".into()],
            restore_snapshots: &["camunda_webapps_9_8.10.0_part_1_of_1".into()],
            generated_at: "2026-11-26T00:00:00Z",
        });
        let order = [
            "1. Stop Optimize (the orchestration cluster keeps running) (operator)",
            "2. Switch the orchestration cluster to recovery mode (console)",
            "PATCH <orchestration>:8080/v2/mode?mode=RECOVERING",
            "3. Delete the component indices",
            "POST <orchestration>:8080/v2/restore?dryRun=true {\"backupIds\": [9]}",
            "7. Start Optimize again (operator)",
        ];
        let mut at = 0;
        for needle in order {
            let found = text[at..].find(needle).map(|i| i + at);
            assert!(
                found.is_some(),
                "missing {needle:?} after byte {at} in:\n{text}"
            );
            at = found.unwrap_or(at);
        }
        assert!(
            !text.contains("bin/restore") && !text.contains("delete pvc"),
            "{text}"
        );
        assert_eq!(
            RestoreStepKey::plan(false),
            [
                RestoreStepKey::StopApps,
                RestoreStepKey::DeleteIndices,
                RestoreStepKey::RestoreWebapps,
                RestoreStepKey::RestoreRecords,
                RestoreStepKey::RestoreZeebe,
                RestoreStepKey::StartApps,
                RestoreStepKey::PostChecks
            ]
        );
    }

    #[test]
    fn the_8_9_runbook_restores_the_orchestration_cluster_in_restore_mode() {
        let text = operator_instructions(
            RestoreStepKey::RestoreZeebe,
            7,
            &[0, 1],
            false,
            crate::profile::profile(crate::domain::ProfileId::V89),
        );
        for needle in [
            "SPRING_PROFILES_ACTIVE=restore",
            "ZEEBE_RESTORE_FROM_BACKUP_ID=7",
            "CAMUNDA_DATA_PRIMARYSTORAGE_BACKUP_",
            "/usr/local/camunda/bin/restore --backupId=7",
            "camunda-platform 14.x",
            "data-$RELEASE-zeebe-1",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        let stop = operator_instructions(
            RestoreStepKey::StopApps,
            7,
            &[0, 1],
            false,
            crate::profile::profile(crate::domain::ProfileId::V89),
        );
        assert!(stop.contains("orchestration.enabled: false"), "{stop}");
        assert!(!stop.contains("optimize"), "{stop}");
    }
}
