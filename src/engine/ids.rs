//! Choosing and checking a backup id: greater than every id anything knows of — the console's
//! journal, Zeebe's backup list and every backup snapshot in the repository (records, and the
//! web apps' and Optimize's parts of every version profile: a web app does not check that ids
//! grow, §2.1, so one taken outside the console may hold a higher id than Zeebe's latest).

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

/// The highest id known anywhere, and what holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestId {
    /// 0 when no backup exists anywhere.
    pub id: i64,
    /// What holds it, in words ("the Operate backup (snapshot camunda_operate_9_…)").
    pub holder: String,
}

impl LatestId {
    fn none() -> Self {
        Self {
            id: 0,
            holder: "nothing (no backup exists yet)".into(),
        }
    }

    /// Keeps the higher of the two; on a tie the first named.
    fn max(self, other: Self) -> Self {
        if other.id > self.id {
            other
        } else {
            self
        }
    }
}

/// The highest id known anywhere: the journal, Zeebe's list (8.8+: also the web apps'
/// `backupHistory`), and one brief listing of the repository's `camunda_*` snapshots.
#[tracing::instrument(skip_all)]
pub async fn latest_known(
    store: &Store,
    clients: &CamundaClients,
    repository: &str,
) -> Result<LatestId, IdError> {
    let mut latest = LatestId::none();
    if let Some(id) = store.max_backup_id().await? {
        latest = latest.max(LatestId {
            id,
            holder: format!("run {id} in the console's journal"),
        });
    }
    if let Some(id) = clients
        .zeebe
        .list_backups()
        .await?
        .iter()
        .map(|b| b.backup_id)
        .max()
    {
        latest = latest.max(LatestId {
            id,
            holder: format!("Zeebe's backup {id}"),
        });
    }
    // 8.8+: the orchestration cluster refuses a web-app backup id it already has.
    if let Some(w) = &clients.webapps {
        if let Some(id) = w.list_backups().await?.iter().map(|b| b.backup_id).max() {
            latest = latest.max(LatestId {
                id,
                holder: format!("the web apps' backup {id} (backupHistory)"),
            });
        }
    }
    let names = clients
        .elasticsearch
        .snapshot_names(repository, "camunda_*")
        .await?;
    Ok(latest.max(highest_snapshot(&names, repository)))
}

/// The highest backup id among snapshot `names`, read with every profile's name families.
pub fn highest_snapshot(names: &[String], repository: &str) -> LatestId {
    names
        .iter()
        .filter_map(|name| {
            let (part, id) = crate::profile::backup_snapshot(name)?;
            Some(LatestId {
                id,
                holder: format!("the {part} snapshot {name} in repository {repository}"),
            })
        })
        .fold(LatestId::none(), LatestId::max)
}

/// The default next id: the larger of the current Unix time and `latest + 1`.
pub fn next_id(latest: i64, unix_now: i64) -> i64 {
    unix_now.max(latest.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_id_is_the_unix_time_unless_a_known_id_is_later() {
        assert_eq!(next_id(0, 1_764_000_000), 1_764_000_000);
        assert_eq!(next_id(1_764_000_000, 1_764_000_000), 1_764_000_001);
        assert_eq!(next_id(2_000_000_000, 1_764_000_000), 2_000_000_001);
    }

    #[test]
    fn every_family_of_every_profile_counts_and_the_holder_is_named() {
        let names: Vec<String> = [
            "camunda_zeebe_records_backup_100",
            "camunda_operate_2000000000_8.7.3_part_1_of_6",
            "camunda_tasklist_150_8.7.3_part_1_of_6",
            "camunda_webapps_300_8.8.1_part_2_of_5",
            "camunda_optimize_250_8.7.3_part_2_of_2",
            "camunda_nightly_9999999999",
            "camunda_operate_x_8.7.3_part_1_of_6",
        ]
        .map(String::from)
        .to_vec();
        let latest = highest_snapshot(&names, "camunda");
        assert_eq!(latest.id, 2_000_000_000);
        assert!(latest.holder.contains("Operate"), "{}", latest.holder);
        assert!(
            latest
                .holder
                .contains("camunda_operate_2000000000_8.7.3_part_1_of_6"),
            "{}",
            latest.holder
        );
        let unified = highest_snapshot(&names[3..4], "camunda");
        assert_eq!(unified.id, 300);
        assert_eq!(highest_snapshot(&[], "camunda").id, 0);
    }
}
