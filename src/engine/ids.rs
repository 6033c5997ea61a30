//! Choosing and checking a backup id: greater than every id the console knows of — its
//! journal, Zeebe's backup list (8.8+: also the web apps' `backupHistory`) and the zeebe-record
//! snapshots in Elasticsearch.

use crate::camunda::{CamundaClients, ClientError};
use crate::store::{Store, StoreError};

/// Why the latest id could not be determined.
#[derive(Debug, thiserror::Error)]
pub enum IdError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not read the existing backup ids: {0}")]
    Cluster(#[from] ClientError),
}

/// The highest id known anywhere (0 when none).
#[tracing::instrument(skip_all)]
pub async fn latest_known(
    store: &Store,
    clients: &CamundaClients,
    repository: &str,
) -> Result<i64, IdError> {
    let journal = store.max_backup_id().await?.unwrap_or(0);
    let zeebe = clients
        .zeebe
        .list_backups()
        .await?
        .iter()
        .map(|b| b.backup_id)
        .max()
        .unwrap_or(0);
    // 8.8+: the orchestration cluster refuses a web-app backup id it already has.
    let webapps = match &clients.webapps {
        Some(w) => w
            .list_backups()
            .await?
            .iter()
            .map(|b| b.backup_id)
            .max()
            .unwrap_or(0),
        None => 0,
    };
    let snapshots = clients
        .elasticsearch
        .snapshots(repository, "camunda_zeebe_records_backup_*")
        .await?
        .iter()
        .filter_map(|s| s.snapshot.strip_prefix("camunda_zeebe_records_backup_"))
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .unwrap_or(0);
    Ok(journal.max(zeebe).max(webapps).max(snapshots))
}

/// The default next id: the larger of the current Unix time and `latest + 1`.
pub fn next_id(latest: i64, unix_now: i64) -> i64 {
    unix_now.max(latest.saturating_add(1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_id_is_the_unix_time_unless_a_known_id_is_later() {
        assert_eq!(super::next_id(0, 1_764_000_000), 1_764_000_000);
        assert_eq!(super::next_id(1_764_000_000, 1_764_000_000), 1_764_000_001);
        assert_eq!(super::next_id(2_000_000_000, 1_764_000_000), 2_000_000_001);
    }
}
