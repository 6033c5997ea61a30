//! The restore's pre-flight: every check of the list, each `pass`, `fail` or `warn`
//! with what was found and what to do, plus what the plan needs from the cluster (its
//! indices now, the indices in each snapshot). Reads only: nothing changes in the cluster.

use super::plan::{indices_to_delete, snapshots_to_restore, IndexPrefixes};
use crate::camunda::types::SnapshotInfo;
use crate::camunda::CamundaClients;
use crate::config::ClusterSettings;
use crate::domain::{
    BackupSetRow, Check, CheckState, ClusterOverview, ComponentKind, PartKey, ZeebeTopology,
};
use crate::overview::{probe_cluster, version_from_snapshot_name, ProbeTarget, VerifyMemo};
use std::collections::{BTreeMap, BTreeSet};

/// What the checks found, for the plan.
#[derive(Clone, Debug, Default)]
pub struct Survey {
    /// The version profile the cluster runs: its runbook is the one to follow.
    pub profile: crate::domain::ProfileId,
    pub checks: Vec<Check>,
    pub delete_indices: Vec<String>,
    pub restore_snapshots: Vec<String>,
    /// The indices each snapshot restores.
    pub snapshot_indices: BTreeMap<String, Vec<String>>,
    /// Broker node ids (from the configured broker URLs, in order).
    pub brokers: Vec<u32>,
}

impl Survey {
    pub fn ready(&self) -> bool {
        self.checks.iter().all(|c| c.state != CheckState::Fail)
    }
}

fn pass(key: &str, m: impl Into<String>) -> Check {
    Check::new(key, CheckState::Pass, m)
}
fn fail(key: &str, m: impl Into<String>) -> Check {
    Check::new(key, CheckState::Fail, m)
}
fn warn(key: &str, m: impl Into<String>) -> Check {
    Check::new(key, CheckState::Warn, m)
}

/// 8.10: what the in-cluster restore needs, checked without changing anything: no restore in
/// flight and `BACKUP:RESTORE` (`GET /v2/restore` answers 404, not 403), and the switch to
/// recovery mode accepted (`PATCH /v2/mode` as a dry run; `BACKUP:RESTORE` or `SYSTEM:UPDATE`).
async fn in_cluster_checks(rc: &crate::camunda::RecoveryClient) -> Vec<Check> {
    use crate::camunda::Mode;
    let (progress, mode) = futures::join!(rc.progress(), rc.set_mode(Mode::Recovering, true));
    vec![
        match progress {
            Ok(None) => pass(
                "restore_api",
                "The cluster's restore API answers and the console holds BACKUP:RESTORE (GET /v2/restore: no restore in flight)",
            ),
            Ok(Some(p)) => fail(
                "restore_api",
                format!(
                    "A restore is already running inside the cluster (change {}): {}. Wait for it to end (GET /v2/restore answers 404), then check again",
                    p.change_id.as_deref().unwrap_or("?"),
                    p.words()
                ),
            ),
            Err(e) => fail("restore_api", format!("The cluster's restore API: {e}")),
        },
        match mode {
            Ok(_) => pass(
                "recovery_mode",
                "The cluster accepts the switch to recovery mode (dry run of PATCH /v2/mode?mode=RECOVERING; nothing changed)",
            ),
            Err(e) => fail("recovery_mode", format!("Recovery mode: {e}")),
        },
    ]
}

/// The templates hint every "start them once" message carries.
const START_ONCE: &str = "start Zeebe, Operate, Tasklist and Optimize once against the (empty) Elasticsearch so they create their index templates, then check again";

/// Runs every check for restoring `set`; `busy` names a backup or restore running now.
#[tracing::instrument(skip_all, fields(backup_id = %set.backup_id))]
pub async fn survey(
    clients: &CamundaClients,
    cluster: &ClusterSettings,
    set: &BackupSetRow,
    busy: Option<String>,
    memo: &VerifyMemo,
) -> Survey {
    // The clients of the profile the cluster runs (8.8+: `backupRuntime`, `backupHistory`).
    let (_, detected) =
        crate::profile::of_gateway(clients, cluster.camunda_version.as_deref()).await;
    let spec = crate::profile::profile(detected.id);
    let clients = &clients.for_profile(spec);
    let id = set.backup_id.get();
    let repo = &cluster.snapshot_repository;
    let mut s = Survey {
        profile: spec.id,
        restore_snapshots: snapshots_to_restore(set),
        brokers: (0..cluster.zeebe_broker_management_urls.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect(),
        ..Survey::default()
    };
    let target = ProbeTarget {
        cluster_name: cluster.name.clone(),
        simulated: false,
        repository: repo.clone(),
        camunda_version: cluster.camunda_version.clone(),
    };
    let (overview, zeebe_backup, snapshots, indices, templates) = futures::join!(
        // Health and versions only (no backup lists), and the repository verified at most
        // once a minute (the memo is the prober's).
        probe_cluster(clients, &target, memo, crate::overview::Depth::Light),
        clients.zeebe.backup(id),
        snapshot_infos(clients, repo, &s.restore_snapshots),
        clients.elasticsearch.indices(),
        clients.elasticsearch.index_templates(),
    );

    // The set itself.
    s.checks.push(if set.restorable {
        pass(
            "set",
            format!("Backup {id} is restorable: every part is COMPLETED"),
        )
    } else {
        fail(
            "set",
            format!(
                "Backup {id} is not restorable: {}. Choose a restorable set.",
                set.reason.as_deref().unwrap_or("a part is not COMPLETED")
            ),
        )
    });
    s.checks.push(busy.map_or_else(
        || pass("idle", "No backup or restore is running"),
        |b| fail("idle", format!("{b}; wait for it to end, then check again")),
    ));
    // The version profile: its runbook is followed, if this build runs it.
    if let Some(p) = &overview.profile {
        s.checks.push(match p.restore_refusal() {
            None => pass(
                "profile",
                format!("Camunda {} profile ({}: {})", p.id.label(), p.source, p.why),
            ),
            Some((what, next)) => fail("profile", format!("{what} {next}")),
        });
    }
    if let Some(words) = crate::profile::configuration_refusal(spec, cluster) {
        s.checks.push(fail("configuration", words));
    }
    if let Some(words) = crate::profile::restore_configuration_refusal(spec, cluster) {
        s.checks.push(fail("configuration", words));
    } else if spec.in_cluster_restore {
        if let Some(rc) = clients.recovery() {
            s.checks.extend(in_cluster_checks(&rc).await);
        }
    }

    // Elasticsearch and the repository.
    let es = overview.component(ComponentKind::Elasticsearch);
    s.checks.push(match es {
        Some(c) if c.answering => pass(
            "elasticsearch",
            format!(
                "{} answers at {}",
                match c.version.as_deref() {
                    Some(v) if v.starts_with("OpenSearch") => v.to_owned(),
                    Some(v) => format!("Elasticsearch {v}"),
                    None => "Elasticsearch".to_owned(),
                },
                c.url
            ),
        ),
        _ => fail(
            "elasticsearch",
            format!(
                "Elasticsearch does not answer at {}: {}",
                cluster.elasticsearch_url,
                es.and_then(|c| c.error.clone()).unwrap_or_default()
            ),
        ),
    });
    s.checks.push(match overview.repository.exists {
        Some(true) => pass("repository", format!("The snapshot repository `{repo}` is registered")),
        Some(false) => fail(
            "repository",
            format!("No snapshot repository `{repo}` in Elasticsearch: register it with the same settings as when the backup was taken (PUT /_snapshot/{repo}), then check again"),
        ),
        None => fail("repository", format!("Could not read the snapshot repository `{repo}`: Elasticsearch did not answer")),
    });

    // Every snapshot of the set.
    s.checks.push(match snapshots {
        Ok(infos) => {
            let by_name: BTreeMap<&str, &SnapshotInfo> =
                infos.iter().map(|i| (i.snapshot.as_str(), i)).collect();
            let mut problems = Vec::new();
            for name in &s.restore_snapshots {
                match by_name.get(name.as_str()) {
                    None => problems.push(format!("{name} is missing")),
                    Some(i) => {
                        let failed = i.shards.as_ref().map_or(0, |x| x.failed);
                        if i.state != crate::camunda::types::SnapshotState::Success || failed > 0 {
                            problems.push(format!(
                                "{name} is {:?} with {failed} failed shards",
                                i.state
                            ));
                        }
                        s.snapshot_indices.insert(name.clone(), i.indices.clone());
                    }
                }
            }
            if s.restore_snapshots.is_empty() {
                fail("snapshots", "The set names no snapshot to restore")
            } else if problems.is_empty() {
                pass(
                    "snapshots",
                    format!(
                        "All {} snapshots of the set are in `{repo}` with SUCCESS and 0 failed shards",
                        s.restore_snapshots.len()
                    ),
                )
            } else {
                fail("snapshots", format!("Not restorable from the repository: {}", problems.join("; ")))
            }
        }
        Err(e) => fail("snapshots", format!("Could not read the set's snapshots: {e}")),
    });

    // Zeebe's backup and its partition count: Zeebe reports the backup for every partition it
    // runs now, `DOES_NOT_EXIST` for one the backup does not hold (the cluster grew since).
    let backup_partitions = match &zeebe_backup {
        Ok(Some(b)) => {
            let done = b.state == crate::camunda::types::ZeebeBackupState::Completed;
            let held = b
                .details
                .iter()
                .filter(|d| d.state != crate::camunda::types::ZeebeBackupState::DoesNotExist)
                .count();
            s.checks.push(if done {
                pass(
                    "zeebe_backup",
                    format!("Zeebe lists backup {id} as COMPLETED on {held} partitions"),
                )
            } else {
                fail(
                    "zeebe_backup",
                    format!(
                        "Zeebe lists backup {id} as {:?} ({held} of the {} partitions it runs hold it), not COMPLETED",
                        b.state,
                        b.details.len()
                    ),
                )
            });
            Some(held)
        }
        Ok(None) => {
            s.checks.push(fail(
                "zeebe_backup",
                format!("Zeebe does not list backup {id}: its brokers cannot restore it"),
            ));
            None
        }
        Err(e) => {
            s.checks.push(fail("zeebe_backup", format!("Could not read Zeebe's backup {id}: {e}. Zeebe must be running for the checks ({START_ONCE})")));
            None
        }
    };
    s.checks
        .push(partitions_check(&overview.zeebe, backup_partitions));
    if s.brokers.is_empty() {
        s.checks.push(warn("brokers", "No broker management URLs are configured: the console cannot see the brokers stop and start, and lists no per-broker checklist. Run the restore on every broker."));
    }

    // Versions: exactly those in the snapshot names / Zeebe's backup.
    s.checks.push(versions_check(
        &overview,
        set,
        zeebe_backup.as_ref().ok().and_then(|b| b.as_ref()),
    ));

    // Templates.
    s.checks.push(match templates {
        Ok(names) => {
            let mut missing = vec!["operate", "tasklist"];
            if clients.optimize.is_some() {
                missing.push("optimize");
            }
            missing.retain(|p| !names.iter().any(|n| n.starts_with(p)));
            if missing.is_empty() {
                pass(
                    "templates",
                    format!("{} index templates present", names.len()),
                )
            } else {
                fail(
                    "templates",
                    format!("No index templates of {}: {START_ONCE}", missing.join(", ")),
                )
            }
        }
        Err(e) => fail(
            "templates",
            format!("Could not read the index templates: {e}"),
        ),
    });

    // What will be deleted.
    match indices {
        Ok(existing) => {
            s.delete_indices = indices_to_delete(
                &existing,
                &s.snapshot_indices,
                &IndexPrefixes::of(
                    spec,
                    &cluster.index_prefixes,
                    &cluster.zeebe_record_prefix,
                    clients.optimize.is_some(),
                ),
            );
            let restored: BTreeSet<&String> = s.snapshot_indices.values().flatten().collect();
            let newer = s
                .delete_indices
                .iter()
                .filter(|i| !restored.contains(i))
                .count();
            s.checks.push(if newer > 0 {
                warn("indices", format!("{} indices will be deleted; {newer} of them are not in the backup (data written after it, lost by the restore)", s.delete_indices.len()))
            } else {
                pass("indices", format!("{} indices will be deleted and restored from the backup", s.delete_indices.len()))
            });
        }
        Err(e) => s
            .checks
            .push(fail("indices", format!("Could not list the indices: {e}"))),
    }
    s
}

/// Reads every snapshot of the set in one request (falling back to one per name when a name is
/// missing, so the check can name it).
async fn snapshot_infos(
    clients: &CamundaClients,
    repo: &str,
    names: &[String],
) -> Result<Vec<SnapshotInfo>, crate::camunda::ClientError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    match clients
        .elasticsearch
        .snapshots(repo, &names.join(","))
        .await
    {
        Ok(all) => Ok(all),
        Err(e) if e.status() == Some(404) => {
            let mut found = Vec::new();
            for n in names {
                if let Some(i) = clients.elasticsearch.snapshot(repo, n).await? {
                    found.push(i);
                }
            }
            Ok(found)
        }
        Err(e) => Err(e),
    }
}

fn partitions_check(topology: &ZeebeTopology, backup: Option<usize>) -> Check {
    let running = topology.partitions.len();
    match backup {
        None => fail("partitions", "The backup's partition count is unknown (Zeebe did not list it)"),
        Some(_) if running == 0 => fail(
            "partitions",
            format!(
                "No broker reported its partitions{}: Zeebe must be running for the check",
                topology.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
            ),
        ),
        Some(b) if b == running => pass("partitions", format!("Zeebe runs {running} partitions, as in the backup")),
        Some(b) => fail("partitions", format!("Zeebe runs {running} partitions but the backup has {b}: the partition count must be the same (the number of brokers may differ)")),
    }
}

fn versions_check(
    overview: &ClusterOverview,
    set: &BackupSetRow,
    zeebe: Option<&crate::camunda::types::BackupInfo>,
) -> Check {
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    let mut right = Vec::new();
    let mut compare = |label: &str, kind: ComponentKind, wanted: Option<String>| {
        let Some(wanted) = wanted else {
            return;
        };
        match overview.component(kind) {
            Some(c) if !c.answering => wrong.push(format!(
                "{label} does not answer at {} (needs {wanted})",
                c.url
            )),
            Some(c) => match &c.version {
                Some(v) if *v == wanted => right.push(format!("{label} {v}")),
                Some(v) => wrong.push(format!(
                    "{label} runs {v}, the backup needs exactly {wanted}"
                )),
                None => unknown.push(format!(
                    "{label} (needs {wanted}; its version is not exposed)"
                )),
            },
            None => {}
        }
    };
    let from_names = |part: PartKey| {
        set.components
            .get(part.as_str())?
            .snapshots
            .iter()
            .find_map(|s| version_from_snapshot_name(&s.name))
    };
    compare(
        "Operate",
        ComponentKind::Operate,
        from_names(PartKey::Operate),
    );
    compare(
        "Tasklist",
        ComponentKind::Tasklist,
        from_names(PartKey::Tasklist),
    );
    compare(
        "The orchestration cluster",
        ComponentKind::WebApps,
        from_names(PartKey::WebApps),
    );
    compare(
        "Optimize",
        ComponentKind::Optimize,
        from_names(PartKey::Optimize),
    );
    compare(
        "Zeebe",
        ComponentKind::Zeebe,
        zeebe.and_then(|b| b.details.iter().find_map(|d| d.broker_version.clone())),
    );
    if !wrong.is_empty() {
        fail(
            "versions",
            format!(
                "Versions must equal the backup's exactly: {}",
                wrong.join("; ")
            ),
        )
    } else if !unknown.is_empty() {
        warn("versions", format!("Could not read the running version of {}: make sure they are exactly those. Matching: {}", unknown.join(", "), right.join(", ")))
    } else {
        pass(
            "versions",
            format!("Running versions equal the backup's: {}", right.join(", ")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ExportingState, PartitionView};

    fn running(n: u32) -> ZeebeTopology {
        ZeebeTopology {
            exporting: ExportingState::Exporting,
            partitions: (1..=n)
                .map(|p| PartitionView {
                    partition_id: p,
                    leader: Some("http://zeebe-0:9600".into()),
                    exporter_phase: Some("EXPORTING".into()),
                    exported_position: None,
                })
                .collect(),
            note: None,
        }
    }

    #[test]
    fn the_partition_count_must_equal_the_backups() {
        let same = partitions_check(&running(3), Some(3));
        assert_eq!(same.state, CheckState::Pass, "{same:?}");
        let fewer = partitions_check(&running(2), Some(3));
        assert_eq!(fewer.state, CheckState::Fail);
        assert!(
            fewer
                .message
                .contains("runs 2 partitions but the backup has 3"),
            "{fewer:?}"
        );
        let more = partitions_check(&running(6), Some(3));
        assert_eq!(more.state, CheckState::Fail);
        let unknown = partitions_check(&running(3), None);
        assert_eq!(unknown.state, CheckState::Fail);
        assert!(unknown.message.contains("unknown"), "{unknown:?}");
        let mut silent = running(0);
        silent.note = Some("no broker answered".into());
        let none = partitions_check(&silent, Some(3));
        assert_eq!(none.state, CheckState::Fail);
        assert!(none.message.contains("no broker answered"), "{none:?}");
    }
}
