//! Contract tests: every JSON example of `shared/camunda-api.md` (copied to `tests/fixtures/`)
//! parses with the console's client types, with the values the document shows. The `v88_`,
//! `v89_` and `v810_` fixtures are written to the shapes `docs/camunda-api-8.8-8.10.md` records
//! for those versions (the docs' field lists and enum values, the 403 texts of Camunda's tests).

use camunda_backup_console::camunda::extract_message;
use camunda_backup_console::camunda::types::*;
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn text(name: &str) -> String {
    let path = Path::new(FIXTURES).join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Every fixture is named here; a fixture added without a test fails `every_fixture_is_checked`.
const CHECKED: &[&str] = &[
    "zeebe_backup_completed",
    "zeebe_backup_in_progress",
    "zeebe_backup_failed",
    "zeebe_backup_not_found",
    "zeebe_backup_list",
    "zeebe_81_backup_status",
    "zeebe_take_backup_accepted",
    "zeebe_take_backup_invalid_id",
    "zeebe_take_backup_conflict",
    "exporting_wrapped_success",
    "exporting_wrapped_failure",
    "broker_partitions",
    "operate_take_backup",
    "operate_backup_completed",
    "tasklist_backup_in_progress",
    "operate_backup_failed",
    "optimize_backup_completed",
    "optimize_conflict",
    "optimize_take_backup_accepted",
    "es_error_repository_missing",
    "es_get_repository",
    "es_verify_repository",
    "es_create_snapshot_accepted",
    "es_create_snapshot_completed",
    "es_get_snapshots",
    "es_get_snapshots_empty",
    "es_snapshot_status",
    "es_acknowledged",
    "es_restore_completed",
    "es_restore_accepted",
    "es_cat_indices",
    "es_index_templates",
    "v88_webapps_take_backup",
    "v88_webapps_backup_completed",
    "v89_runtime_take_accepted",
    "v89_runtime_state",
    "v810_runtime_backup_info",
    "v810_history_take_accepted",
    "v810_history_backup_incompatible",
    "v810_problem_forbidden",
    "v810_restore_progress",
];

#[test]
fn every_fixture_is_checked() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(FIXTURES)
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".json")
                .map(str::to_owned)
        })
        .collect();
    let checked: BTreeSet<String> = CHECKED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(on_disk, checked);
}

#[test]
fn zeebe_backup_status_examples_parse() {
    let done: BackupInfo = parse("zeebe_backup_completed");
    assert_eq!(done.backup_id, 100);
    assert_eq!(done.state, ZeebeBackupState::Completed);
    assert_eq!(done.details.len(), 2);
    assert_eq!(done.details[1].snapshot_id.as_deref(), Some("3-1-5-3"));
    assert_eq!(done.details[0].checkpoint_position, Some(5));

    let running: BackupInfo = parse("zeebe_backup_in_progress");
    assert_eq!(running.state, ZeebeBackupState::InProgress);
    assert_eq!(
        running.details[1].last_updated_at, None,
        "optional fields may be omitted"
    );

    let failed: BackupInfo = parse("zeebe_backup_failed");
    assert_eq!(failed.state, ZeebeBackupState::Failed);
    assert!(failed
        .failure_reason
        .as_deref()
        .is_some_and(|r| r.contains("partition 2")));
    assert_eq!(failed.details[1].state, ZeebeBackupState::Failed);

    let missing: ZeebeMessage = parse("zeebe_backup_not_found");
    assert_eq!(missing.message, "Backup with id 100 does not exist");

    let list: Vec<BackupInfo> = parse("zeebe_backup_list");
    assert_eq!(
        list.iter().map(|b| b.backup_id).collect::<Vec<_>>(),
        [100, 200]
    );
}

#[test]
fn the_8_1_status_shape_is_not_mistaken_for_8_2() {
    // 8.1 uses `status`/`partitions` instead of `state`/`details`: unsupported, and it must
    // not parse as a (wrongly empty) 8.2+ answer.
    let parsed = serde_json::from_str::<BackupInfo>(&text("zeebe_81_backup_status"));
    assert!(parsed.is_err());
}

#[test]
fn zeebe_take_backup_answers_parse() {
    let ok: ZeebeMessage = parse("zeebe_take_backup_accepted");
    assert!(ok.message.contains("has been scheduled"));
    assert_eq!(
        extract_message(&text("zeebe_take_backup_invalid_id")),
        "A backupId must be provided and it must be > 0"
    );
    assert!(extract_message(&text("zeebe_take_backup_conflict"))
        .contains("The latest backup has id 10"));
}

#[test]
fn exporting_wrappers_parse() {
    let ok: ExportingWrapper = parse("exporting_wrapped_success");
    assert_eq!(ok.status, 204);
    assert_eq!(ok.body, None);
    let failed: ExportingWrapper = parse("exporting_wrapped_failure");
    assert_eq!(failed.status, 500);
    assert!(extract_message(&text("exporting_wrapped_failure")).starts_with("Expected 3 members"));
}

#[test]
fn broker_partitions_parse_with_null_follower_fields() {
    let p: BrokerPartitions = parse("broker_partitions");
    assert_eq!(p["1"].role.as_deref(), Some("LEADER"));
    assert_eq!(p["1"].exporter_phase.as_deref(), Some("SOFT_PAUSED"));
    assert_eq!(p["1"].exported_position, Some(34));
    assert_eq!(p["2"].role.as_deref(), Some("FOLLOWER"));
    assert_eq!(p["2"].exporter_phase, None);
}

#[test]
fn operate_and_tasklist_examples_parse() {
    let taken: TakeBackupResponse = parse("operate_take_backup");
    assert_eq!(taken.scheduled_snapshots.len(), 6);
    assert!(taken.scheduled_snapshots[5].ends_with("_part_6_of_6"));

    let done: WebAppBackup = parse("operate_backup_completed");
    assert_eq!(done.state, WebAppBackupState::Completed);
    assert_eq!(done.failure_reason, None);
    assert_eq!(done.details.len(), 6);
    assert_eq!(
        done.details[0].start_time.as_deref(),
        Some("2025-06-03T07:55:15.685+0000")
    );
    assert_eq!(done.details[0].failures.as_deref(), Some(&[][..]));

    let running: WebAppBackup = parse("tasklist_backup_in_progress");
    assert_eq!(running.state, WebAppBackupState::InProgress);
    assert_eq!(running.details[1].state, "IN_PROGRESS");

    let failed: WebAppBackup = parse("operate_backup_failed");
    assert_eq!(failed.state, WebAppBackupState::Failed);
    assert_eq!(failed.details[2].failures.as_ref().map(Vec::len), Some(1));
}

#[test]
fn optimize_examples_parse_and_complete_means_completed() {
    let done: WebAppBackup = parse("optimize_backup_completed");
    assert_eq!(done.state, WebAppBackupState::Completed);
    assert_eq!(done.details.len(), 2);
    // The Optimize docs say COMPLETE, the code says COMPLETED (§6.2): both mean done.
    let doc_spelling = text("optimize_backup_completed").replace("\"COMPLETED\"", "\"COMPLETE\"");
    let parsed: WebAppBackup = serde_json::from_str(&doc_spelling).expect("COMPLETE parses");
    assert_eq!(parsed.state, WebAppBackupState::Completed);

    let conflict: OptimizeError = parse("optimize_conflict");
    assert_eq!(conflict.error_code.as_deref(), Some("conflict"));
    assert!(extract_message(&text("optimize_conflict")).contains("already exists"));

    let accepted: ZeebeMessage = parse("optimize_take_backup_accepted");
    assert!(accepted
        .message
        .starts_with("Backup creation for ID 123456"));
}

#[test]
fn elasticsearch_repository_examples_parse() {
    let repos: std::collections::BTreeMap<String, RepositoryInfo> = parse("es_get_repository");
    assert_eq!(repos["camunda"].kind, "fs");
    let verified: VerifyResponse = parse("es_verify_repository");
    assert_eq!(verified.nodes.len(), 1);
    let missing: EsErrorBody = parse("es_error_repository_missing");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error.kind, "repository_missing_exception");
    assert_eq!(
        extract_message(&text("es_error_repository_missing")),
        "repository_missing_exception: [camunda] missing"
    );
}

#[test]
fn elasticsearch_snapshot_examples_parse() {
    let created: CreateSnapshotResponse = parse("es_create_snapshot_completed");
    match created {
        CreateSnapshotResponse::Completed { snapshot } => {
            assert_eq!(snapshot.state, SnapshotState::Success);
            assert_eq!(snapshot.shards.map(|s| s.failed), Some(0));
            assert_eq!(snapshot.indices.len(), 2);
        }
        other => panic!("expected a completed snapshot, got {other:?}"),
    }
    let accepted: CreateSnapshotResponse = parse("es_create_snapshot_accepted");
    assert_eq!(
        accepted,
        CreateSnapshotResponse::Accepted { accepted: true }
    );

    let got: GetSnapshotsResponse = parse("es_get_snapshots");
    assert_eq!(got.total, Some(1));
    let metadata = got.snapshots[0].metadata.clone().expect("metadata");
    assert_eq!(metadata["partCount"], 6);
    let empty: GetSnapshotsResponse = parse("es_get_snapshots_empty");
    assert!(empty.snapshots.is_empty());

    let status: SnapshotStatusResponse = parse("es_snapshot_status");
    assert_eq!(status.snapshots[0].state, SnapshotState::Success);
    assert_eq!(
        status.snapshots[0].shards_stats.as_ref().map(|s| s.done),
        Some(9)
    );
    assert!(status.snapshots[0]
        .indices
        .contains_key("zeebe-record_job_8.5.16_2025-06-03"));
}

#[test]
fn elasticsearch_index_and_restore_examples_parse() {
    let ack: Acknowledged = parse("es_acknowledged");
    assert!(ack.acknowledged);
    let restored: RestoreResponse = parse("es_restore_completed");
    assert!(
        matches!(restored, RestoreResponse::Completed { ref snapshot } if snapshot.indices == ["operate-list-view-8.3.0_"])
    );
    let accepted: RestoreResponse = parse("es_restore_accepted");
    assert_eq!(accepted, RestoreResponse::Accepted { accepted: true });
    let rows: Vec<CatIndex> = parse("es_cat_indices");
    assert_eq!(rows[0].index, "operate-list-view-8.3.0_");
    let templates: IndexTemplates = parse("es_index_templates");
    assert_eq!(
        templates.index_templates[0].name,
        "operate-list-view-8.3.0_template"
    );
}

#[test]
fn the_8_8_web_app_history_examples_parse() {
    let taken: TakeBackupResponse = parse("v88_webapps_take_backup");
    assert_eq!(taken.scheduled_snapshots.len(), 6);
    assert_eq!(
        taken.scheduled_snapshots[0],
        "camunda_webapps_1_8.8.0_part_1_of_6"
    );
    let done: WebAppBackup = parse("v88_webapps_backup_completed");
    assert_eq!(done.state, WebAppBackupState::Completed);
    assert_eq!(done.details[1].state, "SUCCESS");
}

#[test]
fn the_8_9_runtime_examples_parse() {
    let taken: serde_json::Value = parse("v89_runtime_take_accepted");
    assert_eq!(taken["backupId"], 5);
    assert!(extract_message(&text("v89_runtime_take_accepted")).starts_with("A backup with id 5"));
    let state: RuntimeBackupState = parse("v89_runtime_state");
    assert_eq!(
        state.checkpoint_states[0].checkpoint_type.as_deref(),
        Some("MARKER")
    );
    assert_eq!(state.backup_states[0].checkpoint_id, 10);
    let range = &state.ranges[0];
    assert_eq!(range.partition_id, 1);
    assert_eq!(range.start.as_ref().map(|c| c.checkpoint_id), Some(2));
    assert_eq!(range.end.as_ref().map(|c| c.checkpoint_id), Some(10));
}

#[test]
fn the_8_10_v2_examples_parse() {
    let info: BackupInfo = parse("v810_runtime_backup_info");
    assert_eq!(info.state, ZeebeBackupState::Completed);
    assert_eq!(info.details.len(), 2);
    let taken: TakeBackupResponse = parse("v810_history_take_accepted");
    assert_eq!(taken.scheduled_snapshots.len(), 6);
    let old: WebAppBackup = parse("v810_history_backup_incompatible");
    assert_eq!(old.state, WebAppBackupState::Incompatible);
    // A problem detail's words are its `detail`.
    assert_eq!(
        extract_message(&text("v810_problem_forbidden")),
        "Unauthorized to perform operation 'RESTORE' on resource 'BACKUP'"
    );
    let progress: camunda_backup_console::camunda::RestoreProgress = parse("v810_restore_progress");
    assert_eq!(progress.change_id.as_deref(), Some("42"));
    assert_eq!(
        progress.words(),
        "Restore IN_PROGRESS: broker 0: 2 of 3 partitions restored (1 RESTORING); broker 1: 0 of 3 partitions restored"
    );
}
