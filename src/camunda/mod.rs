//! Clients for the management APIs of a Camunda 8 cluster (every profile of
//! `shared/camunda-api.md` and `docs/camunda-api-8.8-8.10.md`, the 8.10 `/v2` REST API included): the Zeebe gateway and brokers, Operate, Tasklist, Optimize, and the
//! Elasticsearch snapshot API. Each client speaks one component's dialect and turns its quirks
//! (wrapped 200 responses, everything-is-400 errors, `COMPLETE` vs `COMPLETED`) into typed results.

mod elasticsearch;
mod error;
mod http;
mod info;
pub(crate) mod message;
pub mod partitions;
mod recovery;
mod tls;
pub mod types;
mod webapp;
mod zeebe;

pub use elasticsearch::ElasticsearchClient;
pub use error::ClientError;
pub use http::{Auth, HttpConfig, ManagementClient};
pub use info::actuator_version;
pub use message::extract_message;
pub use partitions::{Confirmation, ExportingView};
pub use recovery::{ChangeState, Mode, RecoveryClient, RestoreProgress};
pub use webapp::{WebAppClient, WebAppError};
pub use zeebe::{ZeebeClient, ZeebeError};

use crate::config::ClusterSettings;
use crate::domain::ComponentKind;
use crate::profile::{Profile, WebApps};

/// Every client of one cluster, built from its settings.
#[derive(Clone, Debug)]
pub struct CamundaClients {
    pub zeebe: ZeebeClient,
    pub operate: WebAppClient,
    pub tasklist: WebAppClient,
    pub optimize: Option<WebAppClient>,
    pub elasticsearch: ElasticsearchClient,
    /// 8.8+: the orchestration cluster's `/actuator/backupHistory` (Operate and Tasklist
    /// together); `None` in the 8.2–8.7 profile. Set by [`CamundaClients::for_profile`].
    pub webapps: Option<WebAppClient>,
    /// 8.10+: the orchestration cluster's REST API (`cluster.orchestration_rest_url` with
    /// `[cluster.rest_auth]`), when configured; [`CamundaClients::for_profile`] routes backups
    /// and exporting through it.
    pub rest: Option<ManagementClient>,
}

impl CamundaClients {
    /// Builds the clients; fails only if the HTTP client cannot be created (TLS set-up).
    pub fn new(cluster: &ClusterSettings, http: &HttpConfig) -> Result<Self, ClientError> {
        let client = http.build(&cluster.tls)?;
        let management_auth = cluster.management_auth.as_ref().map(Auth::from);
        let mc = |kind, url: &url::Url| {
            ManagementClient::new(client.clone(), kind, url.clone())
                .with_auth(management_auth.clone())
        };
        Ok(Self {
            zeebe: ZeebeClient::new(
                mc(ComponentKind::Zeebe, &cluster.zeebe_management_url),
                cluster
                    .zeebe_broker_management_urls
                    .iter()
                    .map(|u| mc(ComponentKind::Broker, u))
                    .collect(),
            ),
            operate: WebAppClient::new(mc(ComponentKind::Operate, &cluster.operate_management_url)),
            tasklist: WebAppClient::new(mc(
                ComponentKind::Tasklist,
                &cluster.tasklist_management_url,
            )),
            optimize: cluster
                .optimize_management_url
                .as_ref()
                .map(|u| WebAppClient::new(mc(ComponentKind::Optimize, u))),
            elasticsearch: ElasticsearchClient::new(
                ManagementClient::new(
                    client.clone(),
                    ComponentKind::Elasticsearch,
                    cluster.elasticsearch_url.clone(),
                )
                .with_auth(cluster.elasticsearch_auth.as_ref().map(Auth::from)),
            ),
            webapps: None,
            rest: cluster.orchestration_rest_url.as_ref().map(|u| {
                ManagementClient::new(client.clone(), ComponentKind::Zeebe, u.clone())
                    .with_auth(cluster.rest_auth.as_ref().map(Auth::from))
                    .as_rest()
            }),
        })
    }

    /// 8.10+: the in-cluster restore's client (the REST API and the gateway's management
    /// port), when the REST API is configured.
    pub fn recovery(&self) -> Option<RecoveryClient> {
        self.rest.as_ref().map(|rest| RecoveryClient {
            rest: rest.clone(),
            management: self.zeebe.gateway().clone(),
        })
    }

    /// Whether `profile`'s backups and exporting go through the `/v2` REST API here.
    pub fn uses_rest(&self, profile: &Profile) -> bool {
        profile.rest.is_some() && self.rest.is_some()
    }

    /// The clients as `profile` speaks: Zeebe's backups at its path; in 8.8+ the web apps as
    /// one `backupHistory` client of the orchestration cluster (the gateway's management URL);
    /// in 8.10+ with a REST URL configured, both and exporting on the `/v2` API.
    pub fn for_profile(&self, profile: &Profile) -> Self {
        let mut c = self.clone();
        c.zeebe = c.zeebe.at(profile.zeebe_backups);
        c.optimize = c.optimize.map(|o| o.at(profile.optimize_backups));
        if let (Some(api), Some(rest)) = (profile.rest, &self.rest) {
            c.zeebe = c
                .zeebe
                .via(rest.clone(), api.runtime, api.pause, api.resume);
            c.webapps =
                Some(WebAppClient::new(rest.with_kind(ComponentKind::WebApps)).at(api.history));
            return c;
        }
        c.webapps = match profile.webapps {
            WebApps::Unified { path } => Some(
                WebAppClient::new(c.zeebe.gateway().with_kind(ComponentKind::WebApps)).at(path),
            ),
            WebApps::PerComponent { path } => {
                c.operate = c.operate.at(path);
                c.tasklist = c.tasklist.at(path);
                None
            }
        };
        c
    }

    /// The web-app backup clients of the profile: the orchestration cluster's one (8.8+), or
    /// Operate and Tasklist; then Optimize when configured.
    pub fn webapp_clients(&self) -> Vec<&WebAppClient> {
        let mut apps: Vec<&WebAppClient> = match &self.webapps {
            Some(w) => vec![w],
            None => vec![&self.operate, &self.tasklist],
        };
        apps.extend(self.optimize.as_ref());
        apps
    }
}
