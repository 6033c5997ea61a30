//! What a restore will do, decided from what the cluster holds now — a pure function, so the
//! exact lists (indices deleted, snapshots restored, in order) are tested without a cluster.
//!
//! Deleted: every index whose name starts with a component prefix (data written after the
//! backup included), and every index a snapshot of the set would restore over — never a
//! system index (`.…`), never by wildcard. Restored: the web apps' parts (Optimize, Operate,
//! Tasklist — 8.8+: the orchestration cluster's `camunda_webapps_` parts — in the docs' order),
//! then the records snapshot, one at a time.

use crate::domain::{BackupSetRow, PartKey};
use std::collections::{BTreeMap, BTreeSet};

/// The components' indices by name: each configured prefix followed by the shape Camunda
/// gives its index names — `{prefix}-{name}-{x.y.z}_` (with a date after the `_` once
/// archived) for Operate, Tasklist and 8.8+'s harmonised indices, `{prefix}-{name}_v{n}` for
/// Optimize, and the exporter's records prefix. Never a bare `camunda-*`: on a shared
/// Elasticsearch an index merely starting with a prefix is not the component's.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexPrefixes {
    /// Operate, Tasklist and (8.8+) `camunda` prefixes, without the `-`.
    versioned: Vec<String>,
    /// Optimize's prefix, when Optimize is configured (the console cannot see an Optimize it
    /// does not know stop, so it never deletes its indices otherwise).
    optimize: Option<String>,
    /// The exporter's records prefix (`zeebe-record`): every index starting with it.
    records: String,
}

impl IndexPrefixes {
    /// 8.2–8.7 with the default prefixes.
    pub fn legacy(records_prefix: &str, optimize: bool) -> Self {
        Self::of(
            crate::profile::profile(crate::domain::ProfileId::Legacy),
            &crate::config::IndexPrefixSettings::default(),
            records_prefix,
            optimize,
        )
    }

    /// A profile's families with the configured prefixes.
    pub fn of(
        profile: &crate::profile::Profile,
        configured: &crate::config::IndexPrefixSettings,
        records_prefix: &str,
        optimize: bool,
    ) -> Self {
        use crate::profile::IndexFamily;
        Self {
            versioned: profile
                .index_families
                .iter()
                .map(|f| match f {
                    IndexFamily::Operate => configured.operate.clone(),
                    IndexFamily::Tasklist => configured.tasklist.clone(),
                    IndexFamily::Camunda => configured.camunda.clone(),
                })
                .collect(),
            optimize: optimize.then(|| configured.optimize.clone()),
            records: records_prefix.to_owned(),
        }
    }

    /// Whether `index` is one of the components' indices.
    pub fn owns(&self, index: &str) -> bool {
        if index.starts_with('.') {
            return false;
        }
        if index.starts_with(self.records.as_str()) {
            return true;
        }
        let after = |prefix: &str| {
            index
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('-'))
        };
        self.versioned
            .iter()
            .filter_map(|p| after(p))
            .any(versioned_shape)
            || self
                .optimize
                .as_deref()
                .and_then(after)
                .is_some_and(optimize_shape)
    }
}

/// `{name}-{x.y.z}_` optionally followed by a date (`2026-11-25`, or a coarser rollover).
fn versioned_shape(rest: &str) -> bool {
    let Some((head, suffix)) = rest.rsplit_once('_') else {
        return false;
    };
    let Some((name, version)) = head.rsplit_once('-') else {
        return false;
    };
    let numbers: Vec<&str> = version.split('.').collect();
    name_like(name)
        && numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && suffix.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// `{name}_v{n}`, optionally with a rollover counter (`-000001`).
fn optimize_shape(rest: &str) -> bool {
    let Some((name, version)) = rest.rsplit_once("_v") else {
        return false;
    };
    let (number, rollover) = version.split_once('-').unwrap_or((version, ""));
    name_like(name)
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && rollover.bytes().all(|b| b.is_ascii_digit())
}

fn name_like(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The snapshots of a set to restore, in order: Optimize, Operate, Tasklist parts (each in
/// part order), then the records snapshot. Names a component lists but the repository lacks
/// stay in (the checks then name them missing), and so does the records snapshot's expected
/// name when the repository holds none.
pub fn snapshots_to_restore(set: &BackupSetRow) -> Vec<String> {
    let mut out = Vec::new();
    for part in [
        PartKey::Optimize,
        PartKey::Operate,
        PartKey::Tasklist,
        PartKey::WebApps,
        PartKey::ZeebeRecords,
    ] {
        let Some(cell) = set.components.get(part.as_str()) else {
            continue;
        };
        let mut names: Vec<&str> = cell.snapshots.iter().map(|s| s.name.as_str()).collect();
        names.sort_by_key(|n| part_number(n));
        if names.is_empty() && part == PartKey::ZeebeRecords {
            out.push(format!(
                "{}{}",
                crate::history::HistoryProfile::legacy().records_prefix,
                set.backup_id
            ));
        }
        out.extend(names.into_iter().map(str::to_owned));
    }
    out
}

/// `n` of `…_part_n_of_m` (0 for names without it).
fn part_number(name: &str) -> u32 {
    name.rsplit_once("_part_")
        .and_then(|(_, rest)| rest.split_once("_of_"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(0)
}

/// Every index to delete, sorted: the components' indices that exist now, and any existing
/// index a snapshot would restore over.
pub fn indices_to_delete(
    existing: &[String],
    snapshot_indices: &BTreeMap<String, Vec<String>>,
    prefixes: &IndexPrefixes,
) -> Vec<String> {
    let restored: BTreeSet<&str> = snapshot_indices
        .values()
        .flatten()
        .map(String::as_str)
        .collect();
    let mut out: Vec<String> = existing
        .iter()
        .filter(|i| !i.starts_with('.'))
        .filter(|i| prefixes.owns(i) || restored.contains(i.as_str()))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BackupId, PartCell, PartState, SnapshotRef, Verdict};

    fn snap(name: &str, state: &str) -> SnapshotRef {
        SnapshotRef {
            name: name.into(),
            state: state.into(),
            indices: 1,
            shards_total: Some(1),
            shards_failed: Some(0),
            uuid: None,
            size_bytes: None,
        }
    }

    fn cell(names: &[&str]) -> PartCell {
        let mut c = PartCell::new(PartState::Completed);
        c.snapshots = names.iter().map(|n| snap(n, "SUCCESS")).collect();
        c
    }

    #[test]
    fn snapshots_are_restored_optimize_operate_tasklist_then_records_in_part_order() {
        let mut components = BTreeMap::new();
        components.insert(
            "operate".into(),
            cell(&[
                "camunda_operate_7_8.5.1_part_2_of_2",
                "camunda_operate_7_8.5.1_part_1_of_2",
            ]),
        );
        components.insert(
            "tasklist".into(),
            cell(&["camunda_tasklist_7_8.5.1_part_1_of_1"]),
        );
        components.insert(
            "optimize".into(),
            cell(&["camunda_optimize_7_8.5.2_part_1_of_1"]),
        );
        components.insert(
            "zeebeRecords".into(),
            cell(&["camunda_zeebe_records_backup_7"]),
        );
        components.insert("zeebe".into(), PartCell::new(PartState::Completed));
        let set = BackupSetRow {
            backup_id: BackupId::new(7).unwrap_or_else(|| panic!("id")),
            state: None,
            restorable: true,
            verdict: Verdict::Restorable,
            reason: None,
            taken_at: None,
            duration_ms: None,
            started_by: None,
            components,
            size_bytes: None,
        };
        assert_eq!(
            snapshots_to_restore(&set),
            [
                "camunda_optimize_7_8.5.2_part_1_of_1",
                "camunda_operate_7_8.5.1_part_1_of_2",
                "camunda_operate_7_8.5.1_part_2_of_2",
                "camunda_tasklist_7_8.5.1_part_1_of_1",
                "camunda_zeebe_records_backup_7",
            ]
        );
    }

    #[test]
    fn component_indices_and_restore_targets_are_deleted_never_system_indices() {
        let existing: Vec<String> = [
            ".security-7",
            "operate-list-view-8.3.0_",
            "operate-list-view-8.3.0_2026-11-25",
            "tasklist-task-8.5.0_",
            "zeebe-record_job_8.5.1_2026-11-25",
            "my-app-logs",
            "custom-restored-index",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut from_snapshots = BTreeMap::new();
        from_snapshots.insert(
            "s".to_owned(),
            vec!["custom-restored-index".to_owned(), ".security-7".to_owned()],
        );
        let got = indices_to_delete(
            &existing,
            &from_snapshots,
            &IndexPrefixes::legacy("zeebe-record", true),
        );
        assert_eq!(
            got,
            [
                "custom-restored-index",
                "operate-list-view-8.3.0_",
                "operate-list-view-8.3.0_2026-11-25",
                "tasklist-task-8.5.0_",
                "zeebe-record_job_8.5.1_2026-11-25",
            ]
        );
    }

    #[test]
    fn configured_prefixes_own_their_components_indices_and_nothing_broader() {
        let configured = crate::config::IndexPrefixSettings {
            operate: "prod-operate".into(),
            tasklist: "prod-tasklist".into(),
            optimize: "prod-optimize".into(),
            camunda: "prod-camunda".into(),
        };
        let p = IndexPrefixes::of(
            crate::profile::profile(crate::domain::ProfileId::V88),
            &configured,
            "zeebe-record",
            true,
        );
        for ours in [
            "prod-operate-list-view-8.3.0_",
            "prod-operate-list-view-8.3.0_2026-11-25",
            "prod-tasklist-task-8.8.0_",
            "prod-camunda-user-8.8.0_",
            "prod-camunda-web-session-8.8.0_",
            "prod-optimize-process-instance-invoice_v11",
            "prod-optimize-event_v4-000001",
            "zeebe-record_job_8.8.1_2026-11-25",
        ] {
            assert!(p.owns(ours), "{ours}");
        }
        for theirs in [
            // the default prefixes, now another instance's
            "operate-list-view-8.3.0_",
            "camunda-user-8.8.0_",
            // an index that merely starts with a prefix
            "prod-camunda-analytics-2026",
            "prod-operate-notes",
            "prod-optimize-export",
            ".prod-operate-list-view-8.3.0_",
        ] {
            assert!(!p.owns(theirs), "{theirs}");
        }
        let defaults = IndexPrefixes::of(
            crate::profile::profile(crate::domain::ProfileId::V88),
            &crate::config::IndexPrefixSettings::default(),
            "zeebe-record",
            false,
        );
        assert!(defaults.owns("camunda-user-8.8.0_"));
        assert!(!defaults.owns("camunda-analytics-2026"));
        // Optimize is never owned when it is not configured.
        assert!(!defaults.owns("optimize-metadata_v3"));
    }
}
