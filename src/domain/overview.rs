//! What the overview page shows about the cluster.

use super::ComponentKind;
use serde::{Deserialize, Serialize};

/// Who the console is talking to; shown in the banner of every page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConsoleInfo {
    pub cluster_name: String,
    /// True when the console runs its embedded simulator instead of a real cluster.
    pub simulated: bool,
    /// The simulator's admin API, only when simulated.
    pub simulator_admin_url: Option<String>,
    /// The watchdog's alert (exporting paused outside any run), shown on every page.
    pub alert: Option<String>,
    /// This replica and the leader.
    pub replica: Option<ReplicaInfo>,
}

/// Which replica answered, and which one leads (runs backups, restores, schedules).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReplicaInfo {
    /// This replica's name (the pod's, on Kubernetes).
    pub id: String,
    /// Whether this replica leads.
    pub leader: bool,
    /// The leader's name; `null` while none leads (a takeover is under way).
    pub leader_id: Option<String>,
    /// RFC 3339: when the leader's term began.
    pub leader_since: Option<String>,
}

/// One probe of every configured component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClusterOverview {
    pub cluster_name: String,
    pub simulated: bool,
    /// RFC 3339 time of the probe.
    pub checked_at: String,
    pub components: Vec<ComponentHealth>,
    pub zeebe: ZeebeTopology,
    pub repository: RepositoryHealth,
    /// The Camunda version profile in force and why.
    #[serde(default)]
    pub profile: Option<super::DetectedProfile>,
}

impl ClusterOverview {
    /// The health entry of one component, if configured.
    pub fn component(&self, kind: ComponentKind) -> Option<&ComponentHealth> {
        self.components.iter().find(|c| c.kind == kind)
    }
}

/// Whether one component answers, and what it said last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ComponentHealth {
    pub kind: ComponentKind,
    pub url: String,
    pub answering: bool,
    pub version: Option<String>,
    /// How long the probe took, in milliseconds.
    pub latency_ms: u64,
    /// The last error in words: component, what failed, what to do.
    pub error: Option<String>,
}

/// Exporting state of the Zeebe exporters, read from the brokers' leaders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExportingState {
    Exporting,
    Paused,
    SoftPaused,
    /// Leaders disagree (a partial pause, or a pause in progress).
    Mixed,
    /// No broker URL configured or no broker answered.
    Unknown,
}

impl ExportingState {
    /// Label as shown to admins.
    pub fn label(self) -> &'static str {
        match self {
            Self::Exporting => "EXPORTING",
            Self::Paused => "PAUSED",
            Self::SoftPaused => "SOFT_PAUSED",
            Self::Mixed => "MIXED",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Folds the exporter phases of every leader partition into one state.
    pub fn from_phases<'a>(phases: impl IntoIterator<Item = &'a str>) -> Self {
        let mut state: Option<Self> = None;
        for phase in phases {
            let this = match phase {
                "EXPORTING" => Self::Exporting,
                "PAUSED" => Self::Paused,
                "SOFT_PAUSED" => Self::SoftPaused,
                _ => Self::Mixed,
            };
            state = match state {
                None => Some(this),
                Some(s) if s == this => Some(s),
                Some(_) => Some(Self::Mixed),
            };
        }
        state.unwrap_or(Self::Unknown)
    }
}

/// Partitions, leaders and exporting as seen by the brokers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ZeebeTopology {
    pub exporting: ExportingState,
    pub partitions: Vec<PartitionView>,
    /// Why the topology is incomplete or unknown, if it is.
    pub note: Option<String>,
}

/// One partition as its leader reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PartitionView {
    pub partition_id: u32,
    /// Broker management URL of the leader, if a leader was found.
    pub leader: Option<String>,
    pub exporter_phase: Option<String>,
    pub exported_position: Option<i64>,
}

/// The Elasticsearch snapshot repository the backups go to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RepositoryHealth {
    pub name: String,
    pub exists: Option<bool>,
    pub verified: Option<bool>,
    pub repository_type: Option<String>,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ExportingState;

    #[test]
    fn exporting_state_folds_leader_phases() {
        assert_eq!(ExportingState::from_phases([]), ExportingState::Unknown);
        assert_eq!(
            ExportingState::from_phases(["EXPORTING", "EXPORTING"]),
            ExportingState::Exporting
        );
        assert_eq!(
            ExportingState::from_phases(["SOFT_PAUSED", "SOFT_PAUSED"]),
            ExportingState::SoftPaused
        );
        assert_eq!(
            ExportingState::from_phases(["PAUSED", "EXPORTING"]),
            ExportingState::Mixed
        );
        assert_eq!(
            ExportingState::from_phases(["CLOSED"]),
            ExportingState::Mixed
        );
    }
}
