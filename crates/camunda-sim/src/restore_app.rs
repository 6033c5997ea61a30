//! The simulated Zeebe restore application (§8; `RestoreApp` / `RestoreManager` /
//! `PartitionRestoreService`), run on a stopped broker's node with `--backupId=x`: it refuses a
//! non-empty data directory (names in `ignoreFilesInTarget` aside, default `lost+found`),
//! restores every partition the broker hosts from backup `x` (which must be `COMPLETED` for that
//! partition) and logs like the real application. A failure after the directory check deletes
//! the directory's contents, as the real one does. Also: clearing a data directory (the PVC /
//! data-dir deletion), which removes the `.exporterPaused` files kept in it.

use serde::{Deserialize, Serialize};

use crate::component::Listener;
use crate::faults::lock;
use crate::shared::Shared;
use crate::state::broker_data::{RestoreRun, DATA_DIR};
use crate::state::zeebe::{ExporterPhase, PartitionBackupState};
use crate::state::zeebe_log::restored_partition;
use crate::state::SimState;

/// Result of one run of the restore application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOutcome {
    /// Process exit code: 0 success, 1 failure.
    pub exit_code: i32,
    /// Log messages, in order.
    pub log: Vec<String>,
}

/// The default of `zeebe.restore.ignoreFilesInTarget`.
pub fn default_ignored_files() -> Vec<String> {
    vec!["lost+found".to_string()]
}

/// The exact §8 message for a non-empty data directory.
fn not_empty_line() -> String {
    format!("Brokers's data directory {DATA_DIR} is not empty. Aborting restore to avoid overwriting data. Please restart with a clean directory")
}

/// Java's `List.toString()` of partition ids: `[1, 2, 3]`.
fn java_list(ids: &[u32]) -> String {
    let items: Vec<String> = ids.iter().map(u32::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Deletes the contents of broker `broker`'s data directory. The `.exporterPaused` files of the
/// partitions it leads go with it: they export again after the next start.
pub(crate) fn clear_data_dir(shared: &Shared, st: &mut SimState, broker: u32) {
    if let Some(d) = st.zeebe.brokers.get_mut(&broker) {
        d.clear();
    }
    for p in shared.config.hosted_partitions(broker) {
        if shared.leader(p) != broker {
            continue;
        }
        st.zeebe.exporter.remove(&p);
        st.zeebe.failed_partitions.remove(&p);
        if let Some(persist) = &shared.persist {
            persist.write_pause(p, ExporterPhase::Exporting, None);
        }
    }
}

/// Whether a component other than broker `broker` (and Elasticsearch) is running.
fn others_running(shared: &Shared, broker: u32) -> bool {
    let apps = [
        Listener::Zeebe,
        Listener::Operate,
        Listener::Tasklist,
        Listener::Optimize,
    ];
    apps.iter().any(|l| shared.servers.is_running(*l))
        || (0..shared.config.brokers)
            .filter(|b| *b != broker)
            .any(|b| shared.broker_up(b as usize))
}

/// Runs the restore application on broker `broker`'s node for backup `backup_id`.
pub(crate) fn run(
    shared: &Shared,
    broker: u32,
    backup_id: u64,
    ignore: &[String],
) -> RestoreOutcome {
    let mut log = vec![format!("Starting to restore from backup {backup_id}")];
    let running = shared.broker_up(broker as usize);
    let others = others_running(shared, broker);
    let mut st = lock(&shared.state);
    if others {
        st.zeebe.restores_while_components_running += 1;
    }
    let exit_code = if running {
        log.push(format!(
            "Broker {broker} is running: stop it before running the restore application on its node (the restore application needs the broker's data directory to itself)"
        ));
        1
    } else {
        restore(shared, &mut st, broker, backup_id, ignore, &mut log)
    };
    if exit_code != 0 {
        log.push("Application run failed".to_string());
    }
    let run = RestoreRun {
        backup_id,
        exit_code,
        log: log.clone(),
        at: chrono::Utc::now(),
    };
    st.zeebe.brokers.entry(broker).or_default().record_run(run);
    shared.save_zeebe(&st);
    tracing::info!(broker, backup_id, exit_code, "restore application ran");
    RestoreOutcome { exit_code, log }
}

/// The restore itself on a stopped broker (8.10: on a broker in recovery mode that deleted
/// its partitions first); returns the exit code.
pub(crate) fn restore(
    shared: &Shared,
    st: &mut SimState,
    broker: u32,
    backup_id: u64,
    ignore: &[String],
    log: &mut Vec<String>,
) -> i32 {
    let data = st.zeebe.brokers.entry(broker).or_default();
    if !data.is_empty_ignoring(ignore) {
        log.push(not_empty_line());
        return 1;
    }
    let hosted = shared.config.hosted_partitions(broker);
    log.push(format!("Restoring partitions {}", java_list(&hosted)));
    let backup = st.zeebe.backups.get(&backup_id);
    let found: Option<Vec<_>> = hosted
        .iter()
        .map(|p| {
            backup
                .and_then(|b| b.partitions.get(p))
                .filter(|pb| pb.state == PartitionBackupState::Completed)
                .cloned()
        })
        .collect();
    let Some(found) = found else {
        log.push(format!(
            "Failed to restore broker. Deleting data directory {DATA_DIR}"
        ));
        log.push(format!(
            "io.camunda.zeebe.restore.BackupNotFoundException: Could not find a completed backup with id {backup_id}."
        ));
        clear_data_dir(shared, st, broker);
        return 1;
    };
    let partitions = shared.config.partitions;
    let data = st.zeebe.brokers.entry(broker).or_default();
    for (p, pb) in hosted.iter().zip(&found) {
        data.partitions
            .insert(*p, restored_partition(backup_id, pb));
        let snapshot = pb.snapshot_id.as_ref().map_or_else(
            || "Optional.empty".to_string(),
            |s| format!("Optional[{s}]"),
        );
        log.push(format!(
            "Successfully restored partition {p} from backup {backup_id}. Backup description: BackupDescriptorImpl[snapshotId={snapshot}, checkpointPosition={}, numberOfPartitions={partitions}, brokerVersion={}]",
            pb.checkpoint_position.unwrap_or(0),
            pb.broker_version
        ));
    }
    log.push(format!(
        "Successfully restored broker from backup {backup_id}"
    ));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_formatted_like_the_real_application() {
        assert_eq!(java_list(&[1, 2, 3]), "[1, 2, 3]");
        assert_eq!(java_list(&[]), "[]");
        assert_eq!(
            not_empty_line(),
            "Brokers's data directory /usr/local/zeebe/data is not empty. Aborting restore to avoid overwriting data. Please restart with a clean directory"
        );
    }
}
