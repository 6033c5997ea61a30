//! Component names: what the admin API and `SimControl` can stop, start and inject faults into.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::SimError;

/// A simulated component (or group of listeners).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Component {
    /// Zeebe gateway management API (`zeebe`).
    ZeebeGateway,
    /// All brokers (`broker`).
    Broker,
    /// One broker by id (`broker0`, `broker1`, ..; `broker-0` is accepted too).
    ZeebeBroker(usize),
    /// Operate (`operate`).
    Operate,
    /// Tasklist (`tasklist`).
    Tasklist,
    /// Optimize (`optimize`).
    Optimize,
    /// Elasticsearch (`elasticsearch`, alias `es`).
    Elasticsearch,
    /// 8.10+: the orchestration cluster's REST API (`rest`, port 8080).
    Rest,
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Component::ZeebeGateway => f.write_str("zeebe"),
            Component::Broker => f.write_str("broker"),
            Component::ZeebeBroker(i) => write!(f, "broker{i}"),
            Component::Operate => f.write_str("operate"),
            Component::Tasklist => f.write_str("tasklist"),
            Component::Optimize => f.write_str("optimize"),
            Component::Elasticsearch => f.write_str("elasticsearch"),
            Component::Rest => f.write_str("rest"),
        }
    }
}

impl FromStr for Component {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "zeebe" | "gateway" | "zeebe_gateway" | "zeebe-gateway" => Ok(Component::ZeebeGateway),
            "broker" | "brokers" => Ok(Component::Broker),
            "operate" => Ok(Component::Operate),
            "tasklist" => Ok(Component::Tasklist),
            "optimize" => Ok(Component::Optimize),
            "elasticsearch" | "es" => Ok(Component::Elasticsearch),
            "rest" | "orchestration_rest" | "orchestration-rest" => Ok(Component::Rest),
            other => other
                .strip_prefix("broker")
                .map(|rest| rest.trim_start_matches(['-', '_']))
                .and_then(|n| n.parse::<usize>().ok())
                .map(Component::ZeebeBroker)
                .ok_or_else(|| SimError::UnknownComponent(s.to_string())),
        }
    }
}

impl TryFrom<String> for Component {
    type Error = SimError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Component> for String {
    fn from(c: Component) -> Self {
        c.to_string()
    }
}

/// One TCP listener of the simulated cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Listener {
    Zeebe,
    Broker(usize),
    Operate,
    Tasklist,
    Optimize,
    Elasticsearch,
    /// 8.10+: the orchestration cluster's REST API.
    Rest,
    /// The admin API (not part of the simulated cluster).
    Admin,
}

impl Listener {
    /// Name used in the call log and for fault matching.
    pub(crate) fn name(self) -> String {
        match self {
            Listener::Zeebe => "zeebe".into(),
            Listener::Broker(i) => format!("broker{i}"),
            Listener::Operate => "operate".into(),
            Listener::Tasklist => "tasklist".into(),
            Listener::Optimize => "optimize".into(),
            Listener::Elasticsearch => "elasticsearch".into(),
            Listener::Rest => "rest".into(),
            Listener::Admin => "admin".into(),
        }
    }

    /// Name used for latency keys (`broker` for every broker).
    pub(crate) fn family(self) -> &'static str {
        match self {
            Listener::Zeebe => "zeebe",
            Listener::Broker(_) => "broker",
            Listener::Operate => "operate",
            Listener::Tasklist => "tasklist",
            Listener::Optimize => "optimize",
            Listener::Elasticsearch => "elasticsearch",
            Listener::Rest => "rest",
            Listener::Admin => "admin",
        }
    }
}

impl Component {
    /// The listeners this component stands for, given the broker count.
    pub(crate) fn listeners(self, brokers: usize) -> Result<Vec<Listener>, SimError> {
        Ok(match self {
            // The REST API is served by the same process as the gateway's management port.
            Component::ZeebeGateway => vec![Listener::Zeebe, Listener::Rest],
            Component::Broker => (0..brokers).map(Listener::Broker).collect(),
            Component::ZeebeBroker(i) if i < brokers => vec![Listener::Broker(i)],
            Component::ZeebeBroker(i) => {
                return Err(SimError::UnknownComponent(format!("broker{i}")))
            }
            Component::Operate => vec![Listener::Operate],
            Component::Tasklist => vec![Listener::Tasklist],
            Component::Optimize => vec![Listener::Optimize],
            Component::Elasticsearch => vec![Listener::Elasticsearch],
            Component::Rest => vec![Listener::Rest],
        })
    }
}
