//! Camunda version profiles as data: for each range of minors, the management paths, the
//! snapshot names, the documented backup order and the restore runbook's commands
//! (`../shared/camunda-api.md`, `docs/camunda-api-8.8-8.10.md`). Adding 8.11 is one more entry
//! in [`PROFILES`] (and its simulator profile). [`detect`] chooses the profile from the
//! components' versions or `[cluster] camunda_version`.
//!
//! Only the 8.2–8.7 profile is executed by this build's backup and restore engines; the others
//! are detected, shown, and refused with words before anything changes.

mod detect;

pub use detect::{detect, parse_minor, VersionsSeen};

use crate::domain::ProfileId;

/// How the web apps are backed up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebApps {
    /// Operate and Tasklist each on their own management port: `POST <path>` per component.
    PerComponent { path: &'static str },
    /// One orchestration cluster: one `POST <path>` backs up Operate, Tasklist and Identity.
    Unified { path: &'static str },
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
    /// Whether this build's engines run this profile.
    pub executable: bool,
}

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
        zeebe_restore_command: "bin/restore --backupId=<id>",
        helm_restore: &[
            "zeebe.initContainers: the restore application with --backupId=<id>, or",
            "ZEEBE_RESTORE=true and ZEEBE_RESTORE_FROM_BACKUP_ID=<id> (chart-dependent)",
        ],
        executable: true,
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
        zeebe_restore_command: "/usr/local/camunda/bin/restore --backupId=<id>",
        helm_restore: &[
            "orchestration.env: SPRING_PROFILES_ACTIVE=restore, ZEEBE_RESTORE=true, ZEEBE_RESTORE_FROM_BACKUP_ID=<id>",
            "keep the backup store settings (CAMUNDA_DATA_BACKUP_*); optimize.enabled and connectors.enabled false",
        ],
        executable: false,
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
        zeebe_restore_command: "/usr/local/camunda/bin/restore --backupId=<id>",
        helm_restore: &[
            "orchestration.env: SPRING_PROFILES_ACTIVE=restore, ZEEBE_RESTORE=true, ZEEBE_RESTORE_FROM_BACKUP_ID=<id>",
            "keep the backup store settings (CAMUNDA_DATA_PRIMARYSTORAGE_BACKUP_*); optimize.enabled and connectors.enabled false",
        ],
        executable: false,
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
        procedure: UNIFIED_PROCEDURE,
        zeebe_restore_command: "in the cluster: PATCH /v2/mode (recovery), POST /v2/restore (dryRun first), GET /v2/restore",
        helm_restore: &["none: the 8.10 restore runs inside the cluster, no broker restart"],
        executable: false,
    },
];

/// The profile as Backup Now and a run's pre-flight see it: from the gateway's
/// `/actuator/info` (also returned, for the pause mode) and `[cluster] camunda_version`.
pub async fn of_gateway(
    clients: &crate::camunda::CamundaClients,
    configured: Option<&str>,
) -> (Option<String>, crate::domain::DetectedProfile) {
    let version = crate::overview::actuator_version(clients.zeebe.gateway()).await;
    let profile = detect(
        configured,
        &VersionsSeen {
            zeebe: version.as_deref(),
            ..Default::default()
        },
    );
    (version, profile)
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
