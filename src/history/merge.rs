//! Merging the sources into one row per backup id — a pure function, so every rule of the
//! verdict is tested without a cluster.
//!
//! Rules (issue "Backup history"): `MISSING` only when the source answered without the id;
//! `UNKNOWN` when it did not answer (with the last known state, if any); a web-app part is
//! `COMPLETED` only when the component says so **and** every one of its snapshots is in the
//! repository with `SUCCESS` and no failed shard; the records snapshot likewise, with at least
//! one index. Restorable = every configured part `COMPLETED`.

use super::profile::HistoryProfile;
use super::sources::{ClusterReads, Read, Sources};
use crate::camunda::types::{
    BackupInfo, SnapshotInfo, SnapshotState, WebAppBackup, WebAppBackupState, ZeebeBackupState,
};
use crate::domain::{BackupId, BackupSetRow, PartCell, PartKey, PartState, SnapshotRef, Verdict};
use crate::store::RunBrief;
use std::collections::{BTreeMap, BTreeSet};

/// The cluster's reads indexed by backup id — built once per read (in the background), so a
/// row can be merged again alone when only the journal changed.
#[derive(Debug, Default)]
pub struct ClusterIndex {
    /// Zeebe's backups: id → position in `cluster.zeebe`.
    zeebe: BTreeMap<i64, usize>,
    /// Per web app (in `cluster.webapps` order): id → position in its list.
    webapps: Vec<BTreeMap<i64, usize>>,
    /// The repository's snapshots by (part, id) → positions in `cluster.snapshots`.
    snaps: BTreeMap<(PartKey, i64), Vec<usize>>,
    /// Every id the cluster knows.
    ids: BTreeSet<i64>,
}

impl ClusterIndex {
    pub fn new(cluster: &ClusterReads, profile: &HistoryProfile) -> Self {
        let zeebe: BTreeMap<i64, usize> = cluster
            .zeebe
            .value
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, b)| (b.backup_id, i))
            .collect();
        let webapps: Vec<BTreeMap<i64, usize>> = cluster
            .webapps
            .iter()
            .map(|(_, read)| {
                read.value
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, b)| (b.backup_id, i))
                    .collect()
            })
            .collect();
        let mut snaps: BTreeMap<(PartKey, i64), Vec<usize>> = BTreeMap::new();
        for (i, s) in cluster.snapshots.value.iter().flatten().enumerate() {
            if let Some((part, id)) = profile.part_of(&s.snapshot) {
                snaps.entry((part, id)).or_default().push(i);
            }
        }
        let mut ids: BTreeSet<i64> = zeebe.keys().copied().collect();
        for by_id in &webapps {
            ids.extend(by_id.keys());
        }
        ids.extend(snaps.keys().map(|(_, id)| *id));
        Self {
            zeebe,
            webapps,
            snaps,
            ids,
        }
    }

    /// Every backup id the cluster knows.
    pub fn ids(&self) -> &BTreeSet<i64> {
        &self.ids
    }

    /// The repository's snapshots of one part of one set.
    fn snapshots<'a>(
        &self,
        cluster: &'a ClusterReads,
        part: PartKey,
        id: i64,
    ) -> Option<Vec<&'a SnapshotInfo>> {
        let all = cluster.snapshots.value.as_deref()?;
        let at = self.snaps.get(&(part, id))?;
        Some(at.iter().filter_map(|&i| all.get(i)).collect())
    }
}

/// Every backup id any source knows, newest first, as rows.
pub fn merge(sources: &Sources, profile: &HistoryProfile) -> Vec<BackupSetRow> {
    let index = ClusterIndex::new(&sources.cluster, profile);
    let runs: BTreeMap<i64, &RunBrief> = sources
        .runs
        .iter()
        .map(|r| (r.backup_id.get(), r))
        .collect();
    let mut ids: BTreeSet<i64> = runs.keys().copied().collect();
    ids.extend(index.ids());
    ids.into_iter()
        .rev()
        .filter_map(|id| {
            merge_row(
                id,
                &sources.cluster,
                &index,
                runs.get(&id).copied(),
                profile,
            )
        })
        .collect()
}

/// `startedBy` of Zeebe's own backups (8.9+ schedules), which are no sets.
pub const ZEEBE_OWN: &str = "Zeebe's own schedule";

/// The row of one backup id from the cluster's reads and the journal's run, if any source
/// knows the id.
pub fn merge_row(
    id: i64,
    cluster: &ClusterReads,
    index: &ClusterIndex,
    run: Option<&RunBrief>,
    profile: &HistoryProfile,
) -> Option<BackupSetRow> {
    if run.is_none() && !index.ids.contains(&id) {
        return None;
    }
    let backup_id = BackupId::new(id)?;
    let zeebe = index
        .zeebe
        .get(&id)
        .and_then(|&i| cluster.zeebe.value.as_ref()?.get(i));
    let mut components = BTreeMap::new();
    components.insert(
        PartKey::Zeebe.as_str().to_owned(),
        zeebe_cell(&cluster.zeebe, zeebe),
    );
    let mut webapp_times: Vec<String> = Vec::new();
    for ((key, read), by_id) in cluster.webapps.iter().zip(&index.webapps) {
        let backup = by_id.get(&id).and_then(|&i| read.value.as_ref()?.get(i));
        webapp_times.extend(
            backup
                .into_iter()
                .flat_map(|b| b.details.iter().filter_map(|d| d.start_time.clone())),
        );
        let in_repo = index.snapshots(cluster, *key, id);
        let cell = webapp_cell(*key, read, backup, &cluster.snapshots, in_repo.as_ref());
        components.insert(key.as_str().to_owned(), cell);
    }
    let records = index.snapshots(cluster, PartKey::ZeebeRecords, id);
    // 8.8+ without Optimize: no records snapshot belongs to a set (one that exists is shown).
    if profile.records_expected || records.is_some() {
        components.insert(
            PartKey::ZeebeRecords.as_str().to_owned(),
            records_cell(&cluster.snapshots, records.as_ref(), profile),
        );
    }
    // While the console takes the set, the cluster's lists were read before its parts were
    // made: "missing" there says nothing yet.
    if run.is_some_and(|r| r.state == crate::domain::RunState::Running) {
        for cell in components.values_mut() {
            if cell.state == PartState::Missing {
                *cell = PartCell::new(PartState::Unknown).with_detail(format!(
                    "not read yet: backup {id} is being taken; its parts are read again when the run ends"
                ));
            }
        }
    }
    // Only a set the console did not take needs its time from the snapshots.
    let snapshot_times: Vec<String> = if run.is_some() {
        Vec::new()
    } else {
        [
            PartKey::Operate,
            PartKey::Tasklist,
            PartKey::WebApps,
            PartKey::Optimize,
            PartKey::ZeebeRecords,
        ]
        .into_iter()
        .filter_map(|part| index.snapshots(cluster, part, id))
        .flatten()
        .filter_map(|s| s.start_time.clone())
        .collect()
    };
    Some(row(
        backup_id,
        run,
        components,
        zeebe,
        webapp_times,
        snapshot_times,
    ))
}

fn unknown<T>(read: &Read<T>, last: Option<PartState>, source: &str) -> PartCell {
    let mut cell = PartCell::new(PartState::Unknown).with_detail(format!(
        "{source} did not answer{}",
        read.error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    ));
    cell.last_known = last;
    cell.last_known_at = last.and(read.at.clone());
    cell
}

fn zeebe_cell(read: &Read<Vec<BackupInfo>>, backup: Option<&BackupInfo>) -> PartCell {
    let state = backup.map(|b| match b.state {
        ZeebeBackupState::Completed => PartState::Completed,
        ZeebeBackupState::InProgress => PartState::InProgress,
        ZeebeBackupState::Incomplete => PartState::Incomplete,
        _ => PartState::Failed,
    });
    if !read.fresh {
        return unknown(read, state, "Zeebe");
    }
    let Some(b) = backup else {
        return PartCell::new(PartState::Missing).with_detail("Zeebe lists no backup with this id");
    };
    let mut cell = PartCell::new(state.unwrap_or(PartState::Failed));
    cell.version = b.details.iter().find_map(|d| d.broker_version.clone());
    cell.partitions = b
        .details
        .iter()
        .map(|d| {
            format!(
                "partition {}: {}{}{}",
                d.partition_id,
                serde_json::to_value(&d.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                d.broker_version
                    .as_deref()
                    .map(|v| format!(", broker {v}"))
                    .unwrap_or_default(),
                d.failure_reason
                    .as_deref()
                    .filter(|r| !r.is_empty())
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    if cell.state != PartState::Completed {
        let reason = b.failure_reason.clone().filter(|r| !r.is_empty());
        let done = b
            .details
            .iter()
            .filter(|d| d.state == ZeebeBackupState::Completed)
            .count();
        cell.detail = Some(
            reason.unwrap_or_else(|| format!("{done} of {} partitions completed", b.details.len())),
        );
    }
    cell
}

fn snapshot_ref(s: &SnapshotInfo) -> SnapshotRef {
    SnapshotRef {
        name: s.snapshot.clone(),
        state: snapshot_state(&s.state).to_owned(),
        indices: s.indices.len(),
        shards_total: s.shards.as_ref().map(|x| x.total),
        shards_failed: s.shards.as_ref().map(|x| x.failed),
        uuid: s.uuid.clone(),
        size_bytes: None,
    }
}

fn snapshot_state(s: &SnapshotState) -> &str {
    match s {
        SnapshotState::InProgress | SnapshotState::Started | SnapshotState::Init => "IN_PROGRESS",
        SnapshotState::Success => "SUCCESS",
        SnapshotState::Failed => "FAILED",
        SnapshotState::Partial => "PARTIAL",
        SnapshotState::Incompatible => "INCOMPATIBLE",
        SnapshotState::Aborted => "ABORTED",
        SnapshotState::Other(o) => o,
    }
}

fn sound(s: &SnapshotInfo) -> bool {
    s.state == SnapshotState::Success && s.shards.as_ref().is_none_or(|x| x.failed == 0)
}

fn webapp_cell(
    key: PartKey,
    read: &Read<Vec<WebAppBackup>>,
    backup: Option<&WebAppBackup>,
    repo: &Read<Vec<SnapshotInfo>>,
    in_repo: Option<&Vec<&SnapshotInfo>>,
) -> PartCell {
    let name = key.label();
    let said = backup.map(|b| match b.state {
        WebAppBackupState::Completed => PartState::Completed,
        WebAppBackupState::InProgress => PartState::InProgress,
        WebAppBackupState::Incomplete => PartState::Incomplete,
        _ => PartState::Failed,
    });
    if !read.fresh {
        let mut cell = unknown(read, said, name);
        cell.snapshots = in_repo
            .into_iter()
            .flatten()
            .map(|s| snapshot_ref(s))
            .collect();
        return cell;
    }
    let Some(b) = backup else {
        let mut cell = PartCell::new(PartState::Missing);
        let held = in_repo.map_or(0, Vec::len);
        cell.detail = Some(if held > 0 {
            format!("{name} lists no backup with this id, yet the repository holds {held} of its snapshots (is {name} configured with another repository?)")
        } else {
            format!("{name} lists no backup with this id")
        });
        cell.snapshots = in_repo
            .into_iter()
            .flatten()
            .map(|s| snapshot_ref(s))
            .collect();
        return cell;
    };
    // The component's word, checked against the repository.
    let by_name: BTreeMap<&str, &SnapshotInfo> = in_repo
        .into_iter()
        .flatten()
        .map(|s| (s.snapshot.as_str(), *s))
        .collect();
    let mut cell = PartCell::new(said.unwrap_or(PartState::Failed));
    cell.version = b
        .details
        .first()
        .and_then(|d| crate::overview::version_from_snapshot_name(&d.snapshot_name));
    let expected = b.expected_parts();
    for d in &b.details {
        cell.snapshots
            .push(match by_name.get(d.snapshot_name.as_str()) {
                Some(s) => snapshot_ref(s),
                None => SnapshotRef {
                    name: d.snapshot_name.clone(),
                    state: if repo.fresh {
                        "MISSING".into()
                    } else {
                        d.state.clone()
                    },
                    indices: 0,
                    shards_total: None,
                    shards_failed: None,
                    uuid: None,
                    size_bytes: None,
                },
            });
    }
    if cell.state != PartState::Completed {
        cell.detail = Some(b.failure_reason.clone().unwrap_or_else(|| {
            let done = b.details.iter().filter(|d| d.state == "SUCCESS").count();
            format!(
                "{name} reports {} ({done} of {expected} snapshots)",
                cell.state.as_str()
            )
        }));
        return cell;
    }
    if !repo.fresh {
        cell.state = PartState::Unknown;
        cell.last_known = Some(PartState::Completed);
        cell.last_known_at = repo.at.clone();
        cell.detail = Some(format!(
            "{name} says COMPLETED, but Elasticsearch did not answer, so its snapshots could not be checked"
        ));
        return cell;
    }
    let missing: Vec<&str> = b
        .details
        .iter()
        .filter(|d| !by_name.contains_key(d.snapshot_name.as_str()))
        .map(|d| d.snapshot_name.as_str())
        .collect();
    let unsound: Vec<&str> = b
        .details
        .iter()
        .filter_map(|d| by_name.get(d.snapshot_name.as_str()))
        .filter(|s| !sound(s))
        .map(|s| s.snapshot.as_str())
        .collect();
    if !unsound.is_empty() {
        cell.state = PartState::Failed;
        cell.detail = Some(format!(
            "{name} says COMPLETED, but these snapshots are not SUCCESS with 0 failed shards: {}",
            unsound.join(", ")
        ));
    } else if !missing.is_empty() || b.details.len() < expected {
        cell.state = PartState::Incomplete;
        cell.detail = Some(if missing.is_empty() {
            format!(
                "{name} says COMPLETED with {} of {expected} snapshots",
                b.details.len()
            )
        } else {
            format!(
                "{name} says COMPLETED, but the repository lacks: {}",
                missing.join(", ")
            )
        });
    }
    cell
}

fn records_cell(
    repo: &Read<Vec<SnapshotInfo>>,
    in_repo: Option<&Vec<&SnapshotInfo>>,
    profile: &HistoryProfile,
) -> PartCell {
    let found = in_repo.and_then(|v| v.first().copied());
    let state = found.map(|s| {
        if sound(s) && !s.indices.is_empty() {
            PartState::Completed
        } else if snapshot_state(&s.state) == "IN_PROGRESS" {
            PartState::InProgress
        } else {
            PartState::Failed
        }
    });
    if !repo.fresh {
        return unknown(repo, state, "Elasticsearch");
    }
    let Some(s) = found else {
        return PartCell::new(PartState::Missing).with_detail(format!(
            "the repository holds no {}<id> snapshot for this id",
            profile.records_prefix
        ));
    };
    let mut cell = PartCell::new(state.unwrap_or(PartState::Failed));
    cell.snapshots.push(snapshot_ref(s));
    if cell.state == PartState::Failed {
        cell.detail = Some(if sound(s) {
            "the records snapshot holds no index".into()
        } else {
            format!("the records snapshot is {}", snapshot_state(&s.state))
        });
    }
    cell
}

fn row(
    backup_id: BackupId,
    run: Option<&RunBrief>,
    components: BTreeMap<String, PartCell>,
    zeebe: Option<&BackupInfo>,
    webapp_times: Vec<String>,
    snapshot_times: Vec<String>,
) -> BackupSetRow {
    let (verdict, mut reason) = verdict(&components, run);
    let zeebe_own = zeebe_generated(backup_id, run, &components);
    if zeebe_own {
        reason = Some(format!(
            "Not restorable as a set: Zeebe's own backup. Its id {backup_id} is one Zeebe generated (epoch milliseconds: a backup schedule, continuous backups or a checkpoint interval, 8.9+), so it holds Zeebe's data only — no web-app backup or records snapshot shares its id. Its coverage is in Zeebe's backup state above."
        ));
    }
    let taken_at = run.map(|r| r.created_at.clone()).or_else(|| {
        let mut times: Vec<String> = zeebe
            .into_iter()
            .flat_map(|b| b.details.iter().filter_map(|d| d.created_at.clone()))
            .collect();
        times.extend(webapp_times);
        times.extend(snapshot_times);
        times.into_iter().filter_map(|t| normalise(&t)).min()
    });
    let duration_ms = run.and_then(|r| {
        let start = chrono::DateTime::parse_from_rfc3339(&r.created_at).ok()?;
        let end = chrono::DateTime::parse_from_rfc3339(r.finished_at.as_deref()?).ok()?;
        u64::try_from((end - start).num_milliseconds()).ok()
    });
    BackupSetRow {
        backup_id,
        state: run.map(|r| r.state),
        restorable: verdict == Verdict::Restorable,
        verdict,
        reason,
        taken_at,
        duration_ms,
        started_by: Some(
            if let Some(by) = run.and_then(|r| r.started_by.as_deref()) {
                by
            } else if run.is_some() {
                "this console"
            } else if zeebe_own {
                ZEEBE_OWN
            } else {
                "not this console (a script, by hand, or a schedule)"
            }
            .into(),
        ),
        components,
        size_bytes: None,
    }
}

/// The smallest id Zeebe generates: ids it chooses are epoch milliseconds (8.9+, C-CIG), far
/// above the epoch seconds or counters that scripts and this console use.
const GENERATED_ID_FLOOR: i64 = 1_000_000_000_000;

/// Whether a row is one of Zeebe's own backups: no run of this console, a generated-looking
/// id, and Zeebe's part the only one present.
fn zeebe_generated(
    backup_id: BackupId,
    run: Option<&RunBrief>,
    components: &BTreeMap<String, PartCell>,
) -> bool {
    run.is_none()
        && backup_id.get() >= GENERATED_ID_FLOOR
        && components.iter().all(|(key, cell)| {
            (key == "zeebe") != matches!(cell.state, PartState::Missing | PartState::Unknown)
        })
}

/// RFC 3339 UTC with milliseconds, from ES (`2025-06-03T08:05:10.633Z`), Zeebe (nanoseconds)
/// or the web apps (`2025-06-03T07:55:15.685+0000`).
fn normalise(t: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(t)
        .or_else(|_| chrono::DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()?;
    Some(
        parsed
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

/// The verdict and, when not restorable, the reason in words.
fn verdict(
    components: &BTreeMap<String, PartCell>,
    run: Option<&RunBrief>,
) -> (Verdict, Option<String>) {
    let states: Vec<PartState> = components.values().map(|c| c.state).collect();
    if states.iter().all(|s| *s == PartState::Completed) {
        return (Verdict::Restorable, None);
    }
    // The console is taking it now: parts not there yet are to come, not orphans.
    if run.is_some_and(|r| r.state == crate::domain::RunState::Running) {
        let pending: Vec<&str> = components
            .iter()
            .filter(|(_, c)| c.state != PartState::Completed)
            .map(|(k, _)| key_label(k))
            .collect();
        return (
            Verdict::InProgress,
            Some(format!(
                "Being taken by this console now; not done yet: {}.",
                pending.join(", ")
            )),
        );
    }
    let has = |s: PartState| states.contains(&s);
    let present = states
        .iter()
        .filter(|s| !matches!(s, PartState::Missing | PartState::Unknown))
        .count();
    let verdict = if has(PartState::Failed) {
        Verdict::Failed
    } else if has(PartState::InProgress) {
        Verdict::InProgress
    } else if has(PartState::Missing) || has(PartState::Incomplete) {
        Verdict::Partial
    } else {
        Verdict::Unknown
    };
    let words = |s: PartState| match s {
        PartState::Missing => "missing",
        PartState::Failed => "failed",
        PartState::InProgress => "in progress",
        PartState::Incomplete => "incomplete",
        PartState::Unknown => "unknown (its source did not answer)",
        PartState::Completed => "completed",
    };
    let mut problems: Vec<String> = components
        .iter()
        .filter(|(_, c)| c.state != PartState::Completed)
        .map(|(key, c)| {
            let label = key_label(key);
            match &c.detail {
                Some(d) if c.state != PartState::Missing => {
                    format!("{label} {} ({d})", words(c.state))
                }
                _ => format!("{label} {}", words(c.state)),
            }
        })
        .collect();
    let missing = states.iter().filter(|s| **s == PartState::Missing).count();
    if present == 0 && run.is_some() && missing == states.len() {
        problems.insert(0, "Orphaned: only the console's journal knows this backup; no component holds a part of it".into());
    } else if present > 0 && missing > 0 && present + missing == states.len() {
        let existing: Vec<&str> = components
            .iter()
            .filter(|(_, c)| !matches!(c.state, PartState::Missing | PartState::Unknown))
            .map(|(k, _)| key_label(k))
            .collect();
        problems.insert(
            0,
            format!(
                "Orphaned part(s): {} without the rest of the set",
                existing.join(", ")
            ),
        );
    }
    (
        verdict,
        Some(format!("Not restorable: {}.", problems.join("; "))),
    )
}

fn key_label(key: &str) -> &'static str {
    match key {
        "zeebe" => PartKey::Zeebe.label(),
        "operate" => PartKey::Operate.label(),
        "tasklist" => PartKey::Tasklist.label(),
        "optimize" => PartKey::Optimize.label(),
        "webapps" => PartKey::WebApps.label(),
        _ => PartKey::ZeebeRecords.label(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ClusterReads;
    use super::*;
    use crate::domain::{RunState, RunView};
    use serde_json::json;

    fn backup_plan(optimize: bool) -> Vec<crate::domain::StepKey> {
        crate::profile::profile(crate::domain::ProfileId::Legacy).backup_plan(optimize)
    }

    fn fresh<T>(value: T) -> Read<T> {
        Read {
            value: Some(value),
            fresh: true,
            at: Some("2026-11-25T10:00:00.000Z".into()),
            error: None,
        }
    }

    fn away<T>(value: Option<T>) -> Read<T> {
        Read {
            value,
            fresh: false,
            at: Some("2026-11-25T09:00:00.000Z".into()),
            error: Some("connection refused".into()),
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    fn zeebe(id: i64, state: &str) -> BackupInfo {
        parse(json!({"backupId": id, "state": state, "details": [
            {"partitionId": 1, "state": state, "createdAt": "2026-11-25T08:00:00.000Z", "brokerVersion": "8.7.3"}]}))
    }

    fn app(prefix: &str, id: i64, state: &str, parts: u32) -> WebAppBackup {
        let details: Vec<_> = (1..=parts)
            .map(|n| json!({"snapshotName": format!("{prefix}{id}_8.7.3_part_{n}_of_{parts}"), "state": "SUCCESS", "startTime": "2026-11-25T07:59:00.000+0000", "failures": []}))
            .collect();
        parse(json!({"backupId": id, "state": state, "failureReason": null, "details": details}))
    }

    fn snap(name: &str, state: &str, indices: usize, failed: u64) -> SnapshotInfo {
        let indices: Vec<String> = (0..indices).map(|i| format!("index-{i}")).collect();
        parse(
            json!({"snapshot": name, "state": state, "indices": indices, "start_time": "2026-11-25T08:00:01.000Z",
            "shards": {"total": 2, "failed": failed, "successful": 2 - failed}}),
        )
    }

    type Fixture = (
        Vec<BackupInfo>,
        Vec<(PartKey, Vec<WebAppBackup>)>,
        Vec<SnapshotInfo>,
    );

    /// A complete set `id` in every source (Optimize 2 parts, Operate/Tasklist 2 parts each).
    fn complete(id: i64) -> Fixture {
        let mut snaps = Vec::new();
        let mut apps = Vec::new();
        for (key, prefix) in HistoryProfile::legacy().webapp_prefixes {
            let b = app(prefix, id, "COMPLETED", 2);
            for d in &b.details {
                snaps.push(snap(&d.snapshot_name, "SUCCESS", 1, 0));
            }
            apps.push((key, vec![b]));
        }
        snaps.push(snap(
            &format!("camunda_zeebe_records_backup_{id}"),
            "SUCCESS",
            3,
            0,
        ));
        (vec![zeebe(id, "COMPLETED")], apps, snaps)
    }

    fn sources(
        z: Vec<BackupInfo>,
        apps: Vec<(PartKey, Vec<WebAppBackup>)>,
        snaps: Vec<SnapshotInfo>,
    ) -> Sources {
        Sources {
            runs: Vec::new(),
            cluster: std::sync::Arc::new(ClusterReads {
                profile: Default::default(),
                zeebe: fresh(z),
                webapps: apps.into_iter().map(|(k, v)| (k, fresh(v))).collect(),
                snapshots: fresh(snaps),
                refreshed_at: None,
                runtime: None,
            }),
        }
    }

    fn edit(s: &mut Sources, f: impl FnOnce(&mut ClusterReads)) {
        let mut c = ClusterReads::clone(&s.cluster);
        f(&mut c);
        s.cluster = std::sync::Arc::new(c);
    }

    fn one(s: &Sources) -> BackupSetRow {
        let rows = merge(s, &HistoryProfile::legacy());
        assert_eq!(rows.len(), 1, "{rows:#?}");
        rows.into_iter().next().unwrap_or_else(|| panic!("no row"))
    }

    fn state(r: &BackupSetRow, part: &str) -> PartState {
        r.components[part].state
    }

    #[test]
    fn a_complete_set_is_restorable_with_the_versions_read() {
        let (z, a, s) = complete(7);
        let r = one(&sources(z, a, s));
        assert!(r.restorable, "{r:#?}");
        assert_eq!(r.verdict, Verdict::Restorable);
        assert_eq!(r.reason, None);
        assert_eq!(r.components.len(), 5);
        assert_eq!(r.components["operate"].version.as_deref(), Some("8.7.3"));
        assert_eq!(r.components["zeebe"].version.as_deref(), Some("8.7.3"));
        assert_eq!(r.components["zeebe"].partitions.len(), 1);
        assert!(r.components["zeebe"].partitions[0].starts_with("partition 1: COMPLETED"));
        assert_eq!(
            r.started_by.as_deref(),
            Some("not this console (a script, by hand, or a schedule)")
        );
        assert_eq!(r.taken_at.as_deref(), Some("2026-11-25T07:59:00.000Z"));
    }

    #[test]
    fn each_missing_part_is_named_and_the_set_is_partial() {
        for part in ["zeebe", "operate", "tasklist", "optimize", "zeebeRecords"] {
            let (mut z, mut a, mut s) = complete(7);
            match part {
                "zeebe" => z.clear(),
                "zeebeRecords" => s.retain(|x| !x.snapshot.starts_with("camunda_zeebe_records")),
                app => {
                    for (k, v) in &mut a {
                        if k.as_str() == app {
                            v.clear();
                        }
                    }
                    s.retain(|x| !x.snapshot.starts_with(&format!("camunda_{app}_")));
                }
            }
            let r = one(&sources(z, a, s));
            assert_eq!(state(&r, part), PartState::Missing, "{part}: {r:#?}");
            assert_eq!(r.verdict, Verdict::Partial, "{part}");
            let reason = r.reason.clone().unwrap_or_default();
            let label = key_label(part);
            assert!(
                reason.contains(&format!("{label} missing")),
                "{part}: {reason}"
            );
        }
    }

    #[test]
    fn completed_in_the_component_but_gone_from_the_repository_is_not_completed() {
        let (z, a, mut s) = complete(7);
        s.retain(|x| x.snapshot != "camunda_operate_7_8.7.3_part_2_of_2");
        let r = one(&sources(z, a, s));
        assert_eq!(state(&r, "operate"), PartState::Incomplete);
        assert!(!r.restorable);
        let detail = r.components["operate"].detail.clone().unwrap_or_default();
        assert!(
            detail.contains("lacks: camunda_operate_7_8.7.3_part_2_of_2"),
            "{detail}"
        );
        assert!(r.components["operate"]
            .snapshots
            .iter()
            .any(|x| x.state == "MISSING"));
    }

    #[test]
    fn failed_shards_or_an_empty_records_snapshot_fail_the_part() {
        let (z, a, mut s) = complete(7);
        for x in &mut s {
            if x.snapshot == "camunda_tasklist_7_8.7.3_part_1_of_2" {
                *x = snap(&x.snapshot.clone(), "SUCCESS", 1, 1);
            }
            if x.snapshot == "camunda_zeebe_records_backup_7" {
                *x = snap("camunda_zeebe_records_backup_7", "SUCCESS", 0, 0);
            }
        }
        let r = one(&sources(z, a, s));
        assert_eq!(state(&r, "tasklist"), PartState::Failed);
        assert_eq!(state(&r, "zeebeRecords"), PartState::Failed);
        assert_eq!(r.verdict, Verdict::Failed);
        assert!(r.components["zeebeRecords"]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("no index"));
    }

    #[test]
    fn a_part_in_progress_makes_the_set_in_progress() {
        let (_, a, s) = complete(7);
        let r = one(&sources(vec![zeebe(7, "IN_PROGRESS")], a, s));
        assert_eq!(state(&r, "zeebe"), PartState::InProgress);
        assert_eq!(r.verdict, Verdict::InProgress);
    }

    #[test]
    fn an_unreachable_source_is_unknown_with_its_last_known_state_never_missing() {
        let (z, a, s) = complete(7);
        let mut src = sources(Vec::new(), a, s);
        edit(&mut src, |c| c.zeebe = away(Some(z)));
        let r = one(&src);
        let cell = &r.components["zeebe"];
        assert_eq!(cell.state, PartState::Unknown);
        assert_eq!(cell.last_known, Some(PartState::Completed));
        assert_eq!(
            cell.last_known_at.as_deref(),
            Some("2026-11-25T09:00:00.000Z")
        );
        assert_eq!(r.verdict, Verdict::Unknown);
        assert!(r.reason.unwrap_or_default().contains("Zeebe unknown"));
        // With Elasticsearch away, a web app's COMPLETED cannot be checked: unknown too.
        let (z, a, s) = complete(7);
        let mut src = sources(z, a, Vec::new());
        edit(&mut src, |c| c.snapshots = away(Some(s)));
        let r = one(&src);
        assert_eq!(state(&r, "operate"), PartState::Unknown);
        assert_eq!(state(&r, "zeebeRecords"), PartState::Unknown);
    }

    #[test]
    fn an_orphaned_records_snapshot_and_a_journal_only_run_are_said_so() {
        let s = vec![snap("camunda_zeebe_records_backup_9", "SUCCESS", 3, 0)];
        let apps = HistoryProfile::legacy()
            .webapp_prefixes
            .into_iter()
            .map(|(k, _)| (k, Vec::new()))
            .collect();
        let r = one(&sources(Vec::new(), apps, s));
        assert_eq!(r.verdict, Verdict::Partial);
        let reason = r.reason.unwrap_or_default();
        assert!(
            reason.contains("Orphaned part(s): records snapshot without the rest of the set"),
            "{reason}"
        );

        let apps = HistoryProfile::legacy()
            .webapp_prefixes
            .into_iter()
            .map(|(k, _)| (k, Vec::new()))
            .collect();
        let mut src = sources(Vec::new(), apps, Vec::new());
        let mut run = RunView::new(
            BackupId::new(11).unwrap_or_else(|| panic!()),
            &backup_plan(true),
            true,
            "2026-11-25T11:00:00.000Z".into(),
        );
        run.state = RunState::Failed;
        src.runs = vec![RunBrief::from(&run)];
        let r = one(&src);
        assert_eq!(r.state, Some(RunState::Failed));
        assert_eq!(r.started_by.as_deref(), Some("this console"));
        assert!(r
            .reason
            .unwrap_or_default()
            .contains("only the console's journal knows this backup"));
    }

    #[test]
    fn a_set_the_console_is_taking_now_is_in_progress_not_orphaned() {
        let (_, a, s) = complete(12);
        let mut src = sources(Vec::new(), a, s);
        let run = RunView::new(
            BackupId::new(12).unwrap_or_else(|| panic!()),
            &backup_plan(true),
            true,
            "2026-11-25T12:00:00.000Z".into(),
        );
        src.runs = vec![RunBrief::from(&run)];
        let r = one(&src);
        assert_eq!(r.verdict, Verdict::InProgress, "{r:#?}");
        let reason = r.reason.unwrap_or_default();
        assert!(
            reason.contains("Being taken by this console now") && !reason.contains("Orphaned"),
            "{reason}"
        );
    }

    #[test]
    fn a_part_the_run_has_not_made_yet_is_not_read_yet_never_missing() {
        // The cluster was read when only Operate's backup existed; the run goes on.
        let (_, a, snaps) = complete(13);
        let a = a
            .into_iter()
            .map(|(k, v)| (k, if k == PartKey::Operate { v } else { Vec::new() }))
            .collect();
        let mut src = sources(Vec::new(), a, snaps);
        let run = RunView::new(
            BackupId::new(13).unwrap_or_else(|| panic!()),
            &backup_plan(true),
            true,
            "2026-11-25T12:00:00.000Z".into(),
        );
        src.runs = vec![RunBrief::from(&run)];
        let r = one(&src);
        for (key, cell) in &r.components {
            assert_ne!(cell.state, PartState::Missing, "{key}: {cell:?}");
        }
        assert_eq!(state(&r, "zeebe"), PartState::Unknown);
        assert!(r.components["zeebe"]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("not read yet"));
        // Once the run ended, a part the cluster does not hold is missing again.
        let mut ended = run.clone();
        ended.state = crate::domain::RunState::Failed;
        src.runs = vec![RunBrief::from(&ended)];
        assert_eq!(state(&one(&src), "zeebe"), PartState::Missing);
    }

    #[test]
    fn without_optimize_there_is_no_optimize_cell() {
        let (z, mut a, s) = complete(7);
        a.retain(|(k, _)| *k != PartKey::Optimize);
        let r = one(&sources(z, a, s));
        assert!(!r.components.contains_key("optimize"));
        assert!(r.restorable);
    }
}
