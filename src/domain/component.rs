//! The components of a Camunda 8 cluster the console talks to.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One component of the cluster, named as admins know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    /// The Zeebe gateway's management API (backups, exporting).
    Zeebe,
    /// A Zeebe broker's management API (`/actuator/partitions`).
    Broker,
    Operate,
    Tasklist,
    Optimize,
    Elasticsearch,
    /// 8.8+: the orchestration cluster's web apps (Operate, Tasklist, Identity), backed up
    /// together through `/actuator/backupHistory`.
    #[serde(rename = "webapps")]
    WebApps,
}

impl ComponentKind {
    /// Human name, as shown in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Zeebe => "Zeebe gateway",
            Self::Broker => "Zeebe broker",
            Self::Operate => "Operate",
            Self::Tasklist => "Tasklist",
            Self::Optimize => "Optimize",
            Self::Elasticsearch => "Elasticsearch",
            Self::WebApps => "Orchestration cluster web apps",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
