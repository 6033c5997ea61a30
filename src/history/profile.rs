//! Which repository snapshots belong to which part of a set, by name (§2.3). A version profile
//! supplies its prefixes: 8.2–8.7 names each web app's snapshots (`camunda_operate_…`); 8.8+
//! maps one `camunda_webapps_…` family to the orchestration cluster's part.

use crate::domain::{ComponentKind, PartKey, ProfileId};

/// The history part of a profile's snapshot family (`operate`, `webapps`, …).
fn part_key(name: &str) -> Option<PartKey> {
    match name {
        "operate" => Some(PartKey::Operate),
        "tasklist" => Some(PartKey::Tasklist),
        "optimize" => Some(PartKey::Optimize),
        "webapps" => Some(PartKey::WebApps),
        _ => None,
    }
}

/// The history part a web-app client backs up.
pub fn part_of_component(kind: ComponentKind) -> Option<PartKey> {
    match kind {
        ComponentKind::Operate => Some(PartKey::Operate),
        ComponentKind::Tasklist => Some(PartKey::Tasklist),
        ComponentKind::Optimize => Some(PartKey::Optimize),
        ComponentKind::WebApps => Some(PartKey::WebApps),
        _ => None,
    }
}

/// Snapshot name prefixes of one version profile.
#[derive(Clone, Debug)]
pub struct HistoryProfile {
    /// `(part, prefix)`: the prefix is followed by `{id}_{version}_part_{n}_of_{m}`.
    pub webapp_prefixes: Vec<(PartKey, &'static str)>,
    /// Followed by `{id}`.
    pub records_prefix: &'static str,
    /// Whether a set needs a records snapshot (8.8+: only with Optimize).
    pub records_expected: bool,
}

impl HistoryProfile {
    /// The 8.2–8.7 names.
    pub fn legacy() -> Self {
        Self::of(ProfileId::Legacy, true)
    }

    /// The names of `id`'s profile, for a cluster with or without Optimize.
    pub fn of(id: ProfileId, optimize: bool) -> Self {
        let spec = crate::profile::profile(id);
        Self {
            webapp_prefixes: spec
                .snapshot_prefixes
                .iter()
                .filter_map(|(part, prefix)| Some((part_key(part)?, *prefix)))
                .collect(),
            records_prefix: spec.records_snapshot,
            records_expected: optimize || !spec.records_only_for_optimize,
        }
    }

    /// The names of the profile the reads were made in.
    pub fn for_reads(reads: &super::ClusterReads) -> Self {
        let optimize = reads.webapps.iter().any(|(k, _)| *k == PartKey::Optimize);
        Self::of(reads.profile, optimize)
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
        assert_eq!(p.part_of("camunda_webapps_5_8.8.0_part_1_of_6"), None);
        let unified = HistoryProfile::of(ProfileId::V88, false);
        assert_eq!(
            unified.part_of("camunda_webapps_5_8.8.0_part_1_of_6"),
            Some((PartKey::WebApps, 5))
        );
        assert_eq!(unified.part_of("camunda_operate_5_8.7.0_part_1_of_6"), None);
        assert!(!unified.records_expected);
        assert!(HistoryProfile::of(ProfileId::V89, true).records_expected);
    }
}
