//! Camunda version profiles as data: for each range of minors, the management paths, the
//! snapshot names, the documented backup order and the restore runbook's commands
//! (`../shared/camunda-api.md`, `docs/camunda-api-8.8-8.10.md`). Adding 8.11 is one more entry
//! in [`PROFILES`] (and its simulator profile). [`detect`] chooses the profile from the
//! components' versions or `[cluster] camunda_version`.
//!
//! Every profile's backup and restore runs; 8.10's restore is the in-cluster one (recovery
//! mode and `/v2/restore`, driven by the console).

mod detect;

pub use detect::{detect, parse_minor, VersionsSeen};

use crate::domain::{ProfileId, StepKey};

/// How the web apps are backed up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebApps {
    /// Operate and Tasklist each on their own management port: `POST <path>` per component.
    PerComponent { path: &'static str },
    /// One orchestration cluster: one `POST <path>` backs up Operate, Tasklist and Identity.
    Unified { path: &'static str },
}

/// 8.10+: the authenticated REST API (`/v2`, the orchestration cluster's REST port 8080) that
/// replaces the management actuators when `cluster.orchestration_rest_url` is configured. The
/// actuators (the 8.9 paths) stay available in 8.10 and are used without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestApi {
    /// Zeebe's (runtime) backups: take, list, status, delete, and `<path>/state`.
    pub runtime: &'static str,
    /// The web apps' (history) backups.
    pub history: &'static str,
    /// `POST` pause (with `?soft=true`) and resume: real status codes (204).
    pub pause: &'static str,
    pub resume: &'static str,
}

/// The 8.10 `/v2` paths (`zeebe/gateway-protocol/.../v2/backups.yaml`, `exporting.yaml`).
pub const REST_V2: RestApi = RestApi {
    runtime: "/v2/backups/runtime",
    history: "/v2/backups/history",
    pause: "/v2/exporting/pause",
    resume: "/v2/exporting/resume",
};

/// The Camunda permission (`RESOURCE:PERMISSION`) a `/v2` request needs, for the words of a
/// 403 whose body does not name it and for the pre-flight. The exporting permission differs
/// between 8.10 revisions (`EXPORTER:PAUSE` in the docs and the code's resource types,
/// `SYSTEM:UPDATE` in a stored OpenAPI revision), so both are named.
pub fn v2_permission(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    if path.starts_with("/v2/exporting/") {
        return Some("EXPORTER:PAUSE (some 8.10 revisions: SYSTEM:UPDATE)");
    }
    if path.starts_with("/v2/restore") {
        return Some("BACKUP:RESTORE");
    }
    if path.starts_with("/v2/mode") {
        return Some("BACKUP:RESTORE or SYSTEM:UPDATE");
    }
    if !path.starts_with("/v2/backups/") {
        return None;
    }
    Some(match method {
        "GET" => "BACKUP:READ",
        "DELETE" => "BACKUP:DELETE",
        _ => "BACKUP:CREATE",
    })
}

/// A family of component indices, whose prefix the cluster's configuration names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexFamily {
    Operate,
    Tasklist,
    /// 8.8+: the orchestration cluster's harmonised indices.
    Camunda,
}

/// One version profile.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    pub id: ProfileId,
    /// Camunda 8 minors covered, inclusive.
    pub minors: (u32, u32),
    /// Zeebe's backup endpoint on the gateway's (8.8+: the orchestration cluster's) port.
    pub zeebe_backups: &'static str,
    pub webapps: WebApps,
    /// Optimize's backup endpoint (its own management port, 8092 in 8.8+ Helm installs).
    pub optimize_backups: &'static str,
    /// `(part, snapshot name prefix)`: the prefix is followed by `{id}_{version}_part_{n}_of_{m}`.
    pub snapshot_prefixes: &'static [(&'static str, &'static str)],
    /// The records snapshot: this prefix followed by the id.
    pub records_snapshot: &'static str,
    /// The documented backup order, one request per line.
    pub procedure: &'static [&'static str],
    /// How Zeebe is restored on each broker (plain install).
    pub zeebe_restore_command: &'static str,
    /// The Helm values of the Zeebe restore.
    pub helm_restore: &'static [&'static str],
    /// The backup plan: every step in the documented order (Optimize's steps are dropped when
    /// Optimize is not configured).
    pub plan: &'static [StepKey],
    /// The records snapshot is taken only for Optimize (8.8+: "remains relevant if you run
    /// Optimize, which still relies on the former exporters").
    pub records_only_for_optimize: bool,
    /// The documented order pauses softly (8.8+); the configured pause mode is not consulted.
    pub soft_pause_documented: bool,
    /// The components' index families besides Optimize and the records (deleted before a
    /// restore; 8.8+ adds the orchestration cluster's harmonised `camunda-` indices). Each
    /// family's prefix is configured (`[cluster] operate_index_prefix`, …).
    pub index_families: &'static [IndexFamily],
    /// Helm chart line of the profile, as the runbook names it.
    pub helm_chart: &'static str,
    /// Whether Zeebe reports its backup state (`<zeebe_backups>/state`: checkpoints and ranges
    /// per partition; 8.9+).
    pub runtime_state: bool,
    /// 8.10+: the `/v2` REST API, used instead of the actuators when configured.
    pub rest: Option<RestApi>,
    /// 8.10+: Zeebe is restored inside the running cluster (recovery mode, `/v2/restore`);
    /// only Optimize is stopped.
    pub in_cluster_restore: bool,
    /// Whether this build's backup engine runs this profile.
    pub executable: bool,
    /// Whether this build's restore runner runs this profile.
    pub restore_executable: bool,
}

impl Profile {
    /// Whether the web apps are backed up through one orchestration-cluster call.
    pub fn unified(&self) -> bool {
        matches!(self.webapps, WebApps::Unified { .. })
    }

    /// The web apps' backup endpoint (per component, or the orchestration cluster's).
    pub fn webapps_path(&self) -> &'static str {
        match self.webapps {
            WebApps::PerComponent { path } | WebApps::Unified { path } => path,
        }
    }

    /// The backup plan for a cluster with or without Optimize.
    pub fn backup_plan(&self, optimize: bool) -> Vec<StepKey> {
        self.plan
            .iter()
            .copied()
            .filter(|s| optimize || !s.needs_optimize())
            .filter(|s| optimize || !self.records_only_for_optimize || !s.is_records_snapshot())
            .collect()
    }
}

/// 8.2–8.7 (§9.1): web apps first, then the pause window around the records snapshot and
/// Zeebe's backup, awaited side by side.
const LEGACY_PLAN: &[StepKey] = &[
    StepKey::Preflight,
    StepKey::TriggerOptimize,
    StepKey::TriggerOperate,
    StepKey::TriggerTasklist,
    StepKey::WaitOptimize,
    StepKey::WaitOperate,
    StepKey::WaitTasklist,
    StepKey::PauseExporting,
    StepKey::SnapshotRecords,
    StepKey::TriggerZeebe,
    StepKey::WaitRecordsSnapshot,
    StepKey::WaitZeebe,
    StepKey::ResumeExporting,
];

/// 8.8+ (docs' steps 1–10): the soft pause first, then `backupHistory` and Optimize, the
/// records snapshot (for Optimize), `backupRuntime`, and the resume.
const UNIFIED_PLAN: &[StepKey] = &[
    StepKey::Preflight,
    StepKey::PauseExporting,
    StepKey::TriggerWebApps,
    StepKey::TriggerOptimize,
    StepKey::WaitWebApps,
    StepKey::WaitOptimize,
    StepKey::SnapshotRecords,
    StepKey::TriggerZeebe,
    StepKey::WaitRecordsSnapshot,
    StepKey::WaitZeebe,
    StepKey::ResumeExporting,
];

const LEGACY_PROCEDURE: &[&str] = &[
    "POST <optimize>/actuator/backups {\"backupId\": n}",
    "POST <operate>/actuator/backups {\"backupId\": n}",
    "POST <tasklist>/actuator/backups {\"backupId\": n}",
    "wait until Optimize, Operate and Tasklist report COMPLETED",
    "POST <zeebe>/actuator/exporting/pause (?soft=true from 8.5.1)",
    "PUT <es>/_snapshot/<repo>/camunda_zeebe_records_backup_n {\"indices\": \"zeebe-record*\", \"feature_states\": [\"none\"]}",
    "POST <zeebe>/actuator/backups {\"backupId\": n}",
    "wait until the records snapshot is SUCCESS and Zeebe's backup COMPLETED",
    "POST <zeebe>/actuator/exporting/resume",
];

const UNIFIED_PROCEDURE: &[&str] = &[
    "POST <orchestration>:9600/actuator/exporting/pause?soft=true",
    "POST <orchestration>:9600/actuator/backupHistory {\"backupId\": n}",
    "POST <optimize>:8092/actuator/backups {\"backupId\": n}",
    "wait until backupHistory and Optimize report COMPLETED",
    "PUT <es>/_snapshot/<repo>/camunda_zeebe_records_backup_n {\"indices\": \"zeebe-record*\", \"feature_states\": [\"none\"]} (for Optimize)",
    "POST <orchestration>:9600/actuator/backupRuntime {\"backupId\": n}",
    "wait until backupRuntime reports COMPLETED",
    "POST <orchestration>:9600/actuator/exporting/resume",
];

/// 8.10: the same order; each call on the `/v2` REST API (port 8080, authenticated) when
/// `cluster.orchestration_rest_url` is set, else on the 8.9 actuators (port 9600).
const V810_PROCEDURE: &[&str] = &[
    "POST <orchestration>:8080/v2/exporting/pause?soft=true → 204 (actuator: :9600/actuator/exporting/pause?soft=true)",
    "POST <orchestration>:8080/v2/backups/history {\"backupId\": n} → 202 (actuator: backupHistory)",
    "POST <optimize>:8092/actuator/backups {\"backupId\": n}",
    "wait until GET /v2/backups/history/n and Optimize report COMPLETED",
    "PUT <es>/_snapshot/<repo>/camunda_zeebe_records_backup_n {\"indices\": \"zeebe-record*\", \"feature_states\": [\"none\"]} (for Optimize)",
    "POST <orchestration>:8080/v2/backups/runtime {\"backupId\": n} → 202 (actuator: backupRuntime)",
    "wait until GET /v2/backups/runtime/n reports COMPLETED",
    "POST <orchestration>:8080/v2/exporting/resume → 204",
];

const LEGACY_PREFIXES: &[(&str, &str)] = &[
    ("operate", "camunda_operate_"),
    ("tasklist", "camunda_tasklist_"),
    ("optimize", "camunda_optimize_"),
];

const UNIFIED_PREFIXES: &[(&str, &str)] = &[
    ("webapps", "camunda_webapps_"),
    ("optimize", "camunda_optimize_"),
];

/// Every profile, oldest first.
pub const PROFILES: &[Profile] = &[
    Profile {
        id: ProfileId::Legacy,
        minors: (2, 7),
        zeebe_backups: "/actuator/backups",
        webapps: WebApps::PerComponent {
            path: "/actuator/backups",
        },
        optimize_backups: "/actuator/backups",
        snapshot_prefixes: LEGACY_PREFIXES,
        records_snapshot: "camunda_zeebe_records_backup_",
        procedure: LEGACY_PROCEDURE,
        plan: LEGACY_PLAN,
        index_families: &[IndexFamily::Operate, IndexFamily::Tasklist],
        runtime_state: false,
        helm_chart: "camunda-platform 10.x–12.x (Camunda 8.5–8.7)",
        records_only_for_optimize: false,
        soft_pause_documented: false,
        zeebe_restore_command: "bin/restore --backupId=<id>",
        helm_restore: &[
            "zeebe.initContainers: the restore application with --backupId=<id>, or",
            "ZEEBE_RESTORE=true and ZEEBE_RESTORE_FROM_BACKUP_ID=<id> (chart-dependent)",
        ],
        rest: None,
        in_cluster_restore: false,
        executable: true,
        restore_executable: true,
    },
    Profile {
        id: ProfileId::V88,
        minors: (8, 8),
        zeebe_backups: "/actuator/backupRuntime",
        webapps: WebApps::Unified {
            path: "/actuator/backupHistory",
        },
        optimize_backups: "/actuator/backups",
        snapshot_prefixes: UNIFIED_PREFIXES,
        records_snapshot: "camunda_zeebe_records_backup_",
        procedure: UNIFIED_PROCEDURE,
        plan: UNIFIED_PLAN,
        index_families: &[
            IndexFamily::Operate,
            IndexFamily::Tasklist,
            IndexFamily::Camunda,
        ],
        runtime_state: false,
        helm_chart: "camunda-platform 13.x (Camunda 8.8)",
        records_only_for_optimize: true,
        soft_pause_documented: true,
        zeebe_restore_command: "/usr/local/camunda/bin/restore --backupId=<id>",
        helm_restore: &[
            "orchestration.env: SPRING_PROFILES_ACTIVE=restore, ZEEBE_RESTORE=true, ZEEBE_RESTORE_FROM_BACKUP_ID=<id>",
            "keep the backup store settings (CAMUNDA_DATA_BACKUP_*); optimize.enabled and connectors.enabled false",
        ],
        rest: None,
        in_cluster_restore: false,
        executable: true,
        restore_executable: true,
    },
    Profile {
        id: ProfileId::V89,
        minors: (9, 9),
        zeebe_backups: "/actuator/backupRuntime",
        webapps: WebApps::Unified {
            path: "/actuator/backupHistory",
        },
        optimize_backups: "/actuator/backups",
        snapshot_prefixes: UNIFIED_PREFIXES,
        records_snapshot: "camunda_zeebe_records_backup_",
        procedure: UNIFIED_PROCEDURE,
        plan: UNIFIED_PLAN,
        index_families: &[
            IndexFamily::Operate,
            IndexFamily::Tasklist,
            IndexFamily::Camunda,
        ],
        runtime_state: true,
        helm_chart: "camunda-platform 14.x (Camunda 8.9)",
        records_only_for_optimize: true,
        soft_pause_documented: true,
        zeebe_restore_command: "/usr/local/camunda/bin/restore --backupId=<id>",
        helm_restore: &[
            "orchestration.env: SPRING_PROFILES_ACTIVE=restore, ZEEBE_RESTORE=true, ZEEBE_RESTORE_FROM_BACKUP_ID=<id>",
            "keep the backup store settings (CAMUNDA_DATA_PRIMARYSTORAGE_BACKUP_*; the 8.9 docs' Helm example still writes CAMUNDA_DATA_BACKUP_*); optimize.enabled and connectors.enabled false",
        ],
        rest: None,
        in_cluster_restore: false,
        executable: true,
        restore_executable: true,
    },
    Profile {
        id: ProfileId::V810,
        minors: (10, 10),
        zeebe_backups: "/actuator/backupRuntime",
        webapps: WebApps::Unified {
            path: "/actuator/backupHistory",
        },
        optimize_backups: "/actuator/backups",
        snapshot_prefixes: UNIFIED_PREFIXES,
        records_snapshot: "camunda_zeebe_records_backup_",
        procedure: V810_PROCEDURE,
        plan: UNIFIED_PLAN,
        index_families: &[
            IndexFamily::Operate,
            IndexFamily::Tasklist,
            IndexFamily::Camunda,
        ],
        runtime_state: true,
        helm_chart: "camunda-platform 15.x (Camunda 8.10)",
        records_only_for_optimize: true,
        soft_pause_documented: true,
        zeebe_restore_command: "in the cluster: PATCH /v2/mode (recovery), POST /v2/restore (dryRun first), GET /v2/restore",
        helm_restore: &["none: the 8.10 restore runs inside the cluster, no broker restart"],
        rest: Some(REST_V2),
        in_cluster_restore: true,
        executable: true,
        restore_executable: true,
    },
];

/// The profile as Backup Now and a run's pre-flight see it: from the gateway's
/// `/actuator/info` (also returned, for the pause mode) and `[cluster] camunda_version`.
pub async fn of_gateway(
    clients: &crate::camunda::CamundaClients,
    configured: Option<&str>,
) -> (Option<String>, crate::domain::DetectedProfile) {
    let version = crate::camunda::actuator_version(clients.zeebe.gateway()).await;
    let profile = detect(
        configured,
        &VersionsSeen {
            zeebe: version.as_deref(),
            ..Default::default()
        },
    );
    (version, profile)
}

/// Why `profile`'s restore cannot run on `cluster`'s configuration: 8.10 restores inside the
/// cluster through the `/v2` REST API, which needs its URL.
pub fn restore_configuration_refusal(
    profile: &Profile,
    cluster: &crate::config::ClusterSettings,
) -> Option<String> {
    (profile.in_cluster_restore && cluster.orchestration_rest_url.is_none()).then(|| {
        format!(
            "Camunda {} restores Zeebe inside the running cluster through its /v2 REST API (recovery mode, POST /v2/restore), and cluster.orchestration_rest_url is not configured. Nothing was changed. Set it (the orchestration cluster's REST port, e.g. http://camunda-zeebe-gateway:8080) and [cluster.rest_auth] for a user or client holding BACKUP:RESTORE and BACKUP:READ, then check again.",
            profile.id.label()
        )
    })
}

/// Why `profile` cannot run on `cluster`'s configuration: 8.2–8.7 run Operate and Tasklist on
/// their own, and their URLs were left out (they would be the gateway's, where
/// `/actuator/backups` is Zeebe's own endpoint).
pub fn configuration_refusal(
    profile: &Profile,
    cluster: &crate::config::ClusterSettings,
) -> Option<String> {
    (!profile.unified() && !cluster.webapps_configured).then(|| {
        format!(
            "The cluster runs Camunda {}, whose Operate and Tasklist run on their own, but cluster.operate_management_url and cluster.tasklist_management_url are not configured. Nothing was changed. Set both (e.g. http://camunda-operate:9600), then try again.",
            profile.id.label()
        )
    })
}

/// What to do when Zeebe generates its backup ids (8.9+: continuous backups, a backup schedule
/// or a checkpoint interval): a set needs one id for the web apps and Zeebe, which only the
/// caller can give.
pub const GENERATED_IDS_NEXT: &str = "A Camunda backup set on Elasticsearch/OpenSearch needs one id for the web apps' backupHistory and Zeebe's backupRuntime, and Zeebe refuses an id while camunda.data.primary-storage.backup.continuous, .schedule or .checkpoint-interval is set. Zeebe's own scheduled backups are listed in the history. To take whole sets with the console, turn those off (continuous=false, schedule=none, no checkpoint-interval), then start a new backup.";

/// The part (in words) and backup id a snapshot name of any profile's backup families belongs
/// to: the records snapshot, or a web app's / Optimize's part (`{prefix}{id}_{version}_part_…`).
pub fn backup_snapshot(name: &str) -> Option<(&'static str, i64)> {
    for p in PROFILES {
        if let Some(rest) = name.strip_prefix(p.records_snapshot) {
            if let Ok(id) = rest.parse() {
                return Some(("Zeebe records", id));
            }
        }
        for (part, prefix) in p.snapshot_prefixes {
            let Some(rest) = name.strip_prefix(prefix) else {
                continue;
            };
            let id = rest.split('_').next().and_then(|i| i.parse().ok());
            if let (Some(id), true) = (id, rest.contains("_part_")) {
                return Some((part_label(part), id));
            }
        }
    }
    None
}

fn part_label(part: &str) -> &'static str {
    match part {
        "operate" => "Operate",
        "tasklist" => "Tasklist",
        "optimize" => "Optimize",
        "webapps" => "web apps'",
        _ => "backup",
    }
}

/// The profile of `id`.
pub fn profile(id: ProfileId) -> &'static Profile {
    PROFILES.iter().find(|p| p.id == id).unwrap_or(&PROFILES[0])
}

/// The profile covering Camunda 8.`minor`, if any.
pub fn for_minor(minor: u32) -> Option<&'static Profile> {
    PROFILES
        .iter()
        .find(|p| (p.minors.0..=p.minors.1).contains(&minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(plan: &[StepKey], k: StepKey) -> usize {
        plan.iter().position(|s| *s == k).unwrap_or(usize::MAX)
    }

    #[test]
    fn the_legacy_plan_follows_the_documented_order() {
        use StepKey::*;
        let plan = profile(ProfileId::Legacy).backup_plan(true);
        assert_eq!(plan.first(), Some(&Preflight));
        for web in [WaitOperate, WaitTasklist, WaitOptimize] {
            assert!(pos(&plan, web) < pos(&plan, PauseExporting));
        }
        assert!(pos(&plan, PauseExporting) < pos(&plan, SnapshotRecords));
        // The records snapshot is requested before the Zeebe backup; both are awaited after.
        assert!(pos(&plan, SnapshotRecords) < pos(&plan, TriggerZeebe));
        assert!(pos(&plan, TriggerZeebe) < pos(&plan, WaitRecordsSnapshot));
        assert!(pos(&plan, TriggerZeebe) < pos(&plan, WaitZeebe));
        assert_eq!(plan.last(), Some(&ResumeExporting));
        assert!(!plan.contains(&TriggerWebApps));
        let without = profile(ProfileId::Legacy).backup_plan(false);
        assert!(!without.contains(&TriggerOptimize) && !without.contains(&WaitOptimize));
        assert!(without.contains(&SnapshotRecords));
        assert_eq!(without.len(), plan.len() - 2);
    }

    #[test]
    fn the_unified_plan_pauses_first_and_takes_records_only_for_optimize() {
        use StepKey::*;
        for id in [ProfileId::V88, ProfileId::V89] {
            let plan = profile(id).backup_plan(true);
            assert_eq!(
                plan,
                vec![
                    Preflight,
                    PauseExporting,
                    TriggerWebApps,
                    TriggerOptimize,
                    WaitWebApps,
                    WaitOptimize,
                    SnapshotRecords,
                    TriggerZeebe,
                    WaitRecordsSnapshot,
                    WaitZeebe,
                    ResumeExporting
                ]
            );
            let without = profile(id).backup_plan(false);
            assert_eq!(
                without,
                vec![
                    Preflight,
                    PauseExporting,
                    TriggerWebApps,
                    WaitWebApps,
                    TriggerZeebe,
                    WaitZeebe,
                    ResumeExporting
                ]
            );
            assert!(profile(id).soft_pause_documented);
        }
    }

    #[test]
    fn every_minor_from_8_2_has_exactly_one_profile() {
        for minor in 2..=10 {
            let covering = PROFILES
                .iter()
                .filter(|p| (p.minors.0..=p.minors.1).contains(&minor))
                .count();
            assert_eq!(covering, 1, "8.{minor}");
        }
        assert!(for_minor(11).is_none());
    }
}
