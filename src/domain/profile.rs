//! Which Camunda version profile the console applies to the cluster, and why: shown on the
//! overview, checked before a backup. The profiles themselves are data in `crate::profile`.

use serde::{Deserialize, Serialize};

/// A version profile: the backup and restore procedure of a range of Camunda minors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProfileId {
    /// 8.2–8.7: separate Operate, Tasklist, Optimize and Zeebe `/actuator/backups`.
    #[default]
    Legacy,
    /// 8.8: one orchestration cluster, `backupHistory` + `backupRuntime`, soft pause first.
    V88,
    /// 8.9: as 8.8, plus scheduled and continuous backups with generated ids.
    V89,
    /// 8.10: as 8.9, plus the authenticated `/v2` API and the in-cluster restore.
    V810,
}

impl ProfileId {
    pub fn label(self) -> &'static str {
        match self {
            ProfileId::Legacy => "8.2–8.7",
            ProfileId::V88 => "8.8",
            ProfileId::V89 => "8.9",
            ProfileId::V810 => "8.10",
        }
    }
}

/// The profile in force and how it was chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DetectedProfile {
    pub id: ProfileId,
    /// `configured` (`[cluster] camunda_version`), `detected` (the components' versions) or
    /// `assumed` (no version could be read).
    pub source: String,
    /// In words: which component said which version, or what was configured.
    pub why: String,
    /// Components on another minor than the one the profile was chosen from, in words.
    pub mismatches: Vec<String>,
    /// Whether this console runs backups of this profile. When false, `why_not` says what the
    /// admin can do instead.
    pub executable: bool,
    pub why_not: Option<String>,
    /// Whether this console runs restores of this profile; when false, why and what to do.
    #[serde(default)]
    pub restore_executable: bool,
    #[serde(default)]
    pub restore_why_not: Option<String>,
}

impl DetectedProfile {
    /// For a profile whose restore this build does not run: what the cluster is, what to do.
    pub fn restore_refusal(&self) -> Option<(String, String)> {
        (!self.restore_executable).then(|| {
            (
                format!(
                    "The cluster runs Camunda {} ({}).",
                    self.id.label(),
                    self.why
                ),
                self.restore_why_not.clone().unwrap_or_default(),
            )
        })
    }

    /// For a profile this build does not run: what the cluster is, and what to do.
    pub fn refusal(&self) -> Option<(String, String)> {
        (!self.executable).then(|| {
            (
                format!(
                    "The cluster runs Camunda {} ({}).",
                    self.id.label(),
                    self.why
                ),
                self.why_not.clone().unwrap_or_default(),
            )
        })
    }
}
