//! Which repository snapshots belong to which part of a set, by name (§2.3). A version profile
//! supplies its prefixes: 8.2–8.7 names each web app's snapshots (`camunda_operate_…`); 8.8+
//! will map one `camunda_webapps_…` family to the orchestration cluster's part.

use crate::domain::PartKey;

/// Snapshot name prefixes of one version profile.
#[derive(Clone, Debug)]
pub struct HistoryProfile {
    /// `(part, prefix)`: the prefix is followed by `{id}_{version}_part_{n}_of_{m}`.
    pub webapp_prefixes: Vec<(PartKey, &'static str)>,
    /// Followed by `{id}`.
    pub records_prefix: &'static str,
}

impl HistoryProfile {
    /// The 8.2–8.7 names.
    pub fn legacy() -> Self {
        Self {
            webapp_prefixes: vec![
                (PartKey::Operate, "camunda_operate_"),
                (PartKey::Tasklist, "camunda_tasklist_"),
                (PartKey::Optimize, "camunda_optimize_"),
            ],
            records_prefix: "camunda_zeebe_records_backup_",
        }
    }

    /// The part and backup id a snapshot name belongs to, if any.
    pub fn part_of(&self, snapshot: &str) -> Option<(PartKey, i64)> {
        if let Some(rest) = snapshot.strip_prefix(self.records_prefix) {
            return rest.parse().ok().map(|id| (PartKey::ZeebeRecords, id));
        }
        self.webapp_prefixes.iter().find_map(|(part, prefix)| {
            let rest = snapshot.strip_prefix(prefix)?;
            let id = rest.split('_').next()?.parse().ok()?;
            rest.contains("_part_").then_some((*part, id))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names_map_to_their_part_and_id() {
        let p = HistoryProfile::legacy();
        assert_eq!(
            p.part_of("camunda_operate_123_8.5.16_part_1_of_6"),
            Some((PartKey::Operate, 123))
        );
        assert_eq!(
            p.part_of("camunda_optimize_7_8.5.17_part_2_of_2"),
            Some((PartKey::Optimize, 7))
        );
        assert_eq!(
            p.part_of("camunda_zeebe_records_backup_42"),
            Some((PartKey::ZeebeRecords, 42))
        );
        assert_eq!(p.part_of("camunda_zeebe_records_backup_x"), None);
        assert_eq!(p.part_of("nightly-es-snapshot"), None);
        assert_eq!(p.part_of("camunda_operate_abc_8.5.16_part_1_of_6"), None);
    }
}
