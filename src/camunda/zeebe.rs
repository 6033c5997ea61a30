//! The Zeebe gateway's backup and exporting API and the brokers' partition status.

use super::http::ManagementClient;
use super::types::{BackupInfo, BrokerPartitions, ExportingWrapper, RuntimeBackupState};
use super::ClientError;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Zeebe-specific outcomes a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum ZeebeError {
    /// 409: the id is not greater than the latest backup's (ids are never reusable).
    #[error("Zeebe refused backup id {id}: {message}")]
    IdNotGreater { id: i64, message: String },
    /// 400: Zeebe generates its backup ids (8.9+ continuous backups, a backup schedule or a
    /// checkpoint interval) and refuses one chosen by the caller.
    #[error("Zeebe generates its own backup ids and refused the one given: {message}")]
    IdsGenerated { message: String },
    /// The pause/resume answer said failure (HTTP ≥ 400, or 200 with `status` ≥ 400).
    #[error("Zeebe could not {operation} exporting (status {status}): {message}")]
    Exporting {
        operation: &'static str,
        status: u16,
        message: String,
    },
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl ZeebeError {
    /// Whether the request was refused before the cluster acted on it: the credentials (401)
    /// or the permission (403) were checked first.
    pub fn refused_before_acting(&self) -> bool {
        matches!(
            self,
            Self::Client(ClientError::Unauthorized { .. } | ClientError::Forbidden { .. })
        )
    }

    pub fn is_retryable(&self) -> bool {
        match self {
            Self::IdNotGreater { .. } | Self::IdsGenerated { .. } => false,
            // 200 with a body that is not the wrapper: the outcome is unknown; pausing or
            // resuming again is harmless.
            Self::Exporting { status, .. } => *status >= 500 || *status == 200,
            Self::Client(e) => e.is_retryable(),
        }
    }
}

/// The gateway client plus one client per broker (for `/actuator/partitions`).
#[derive(Clone, Debug)]
pub struct ZeebeClient {
    gateway: ManagementClient,
    brokers: Vec<ManagementClient>,
    /// The backup endpoint: `/actuator/backups` (8.2–8.7), `/actuator/backupRuntime` (8.8+),
    /// `/v2/backups/runtime` (8.10+ REST API).
    backups: &'static str,
    /// Where backups and exporting are asked for: the gateway's management port, or (8.10+)
    /// the orchestration cluster's REST API.
    api: Option<ManagementClient>,
    /// Pause and resume paths (`/actuator/exporting/…`, 8.10+ `/v2/exporting/…`).
    exporting: (&'static str, &'static str),
}

impl ZeebeClient {
    pub fn new(gateway: ManagementClient, brokers: Vec<ManagementClient>) -> Self {
        Self {
            gateway,
            brokers,
            backups: "/actuator/backups",
            api: None,
            exporting: ("/actuator/exporting/pause", "/actuator/exporting/resume"),
        }
    }

    /// The same client asking `api` (8.10+: the REST API) for backups at `backups` and for
    /// exporting at `pause` / `resume`; version and partition reads stay on the actuators.
    pub fn via(
        mut self,
        api: ManagementClient,
        backups: &'static str,
        pause: &'static str,
        resume: &'static str,
    ) -> Self {
        self.api = Some(api);
        self.backups = backups;
        self.exporting = (pause, resume);
        self
    }

    /// The endpoint backup and exporting requests go to.
    pub fn api(&self) -> &ManagementClient {
        self.api.as_ref().unwrap_or(&self.gateway)
    }

    /// The same client speaking to the backup endpoint at `path` (a version profile's).
    pub fn at(mut self, path: &'static str) -> Self {
        self.backups = path;
        self
    }

    /// The backup endpoint this client uses.
    pub fn backups_path(&self) -> &'static str {
        self.backups
    }

    pub fn gateway(&self) -> &ManagementClient {
        &self.gateway
    }

    pub fn brokers(&self) -> &[ManagementClient] {
        &self.brokers
    }

    /// `POST <backups> {"backupId": id}` → 202 (`/actuator/backups`, 8.8+ `backupRuntime`).
    #[tracing::instrument(skip_all, fields(backup_id = id))]
    pub async fn take_backup(&self, id: i64) -> Result<String, ZeebeError> {
        let body = json!({ "backupId": id });
        let answer = self
            .api()
            .call(Method::POST, self.backups, Some(&body))
            .await?;
        match answer.status {
            // 202 `{"message": …}`; an answer that is not that JSON does not prove the take.
            s if s.is_success() => {
                answer.json::<serde_json::Value>()?;
                Ok(super::extract_message(&answer.body))
            }
            StatusCode::CONFLICT => Err(ZeebeError::IdNotGreater {
                id,
                message: super::extract_message(&answer.body),
            }),
            // 8.9+: continuous backups or a backup/checkpoint schedule make Zeebe choose ids.
            StatusCode::BAD_REQUEST
                if super::extract_message(&answer.body)
                    .to_lowercase()
                    .contains("predetermined backupid") =>
            {
                Err(ZeebeError::IdsGenerated {
                    message: super::extract_message(&answer.body),
                })
            }
            _ => Err(answer.into_error().into()),
        }
    }

    /// `GET /actuator/backups/{id}`; `None` on 404 (every partition `DOES_NOT_EXIST`).
    #[tracing::instrument(skip_all, fields(backup_id = id))]
    pub async fn backup(&self, id: i64) -> Result<Option<BackupInfo>, ClientError> {
        let answer = self
            .api()
            .call(Method::GET, &format!("{}/{id}", self.backups), None)
            .await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        answer.success()?.json().map(Some)
    }

    /// `GET /actuator/backups`: every backup the store knows, in no particular order.
    #[tracing::instrument(skip_all)]
    pub async fn list_backups(&self) -> Result<Vec<BackupInfo>, ClientError> {
        self.api()
            .call(Method::GET, self.backups, None)
            .await?
            .success()?
            .json()
    }

    /// 8.9+ `GET <backups>/state` (`/actuator/backupRuntime/state`); `None` when the endpoint
    /// does not exist (8.8 and older: 404, or a 400 reading `state` as an id).
    #[tracing::instrument(skip_all)]
    pub async fn runtime_state(&self) -> Result<Option<RuntimeBackupState>, ClientError> {
        let answer = self
            .api()
            .call(Method::GET, &format!("{}/state", self.backups), None)
            .await?;
        if matches!(
            answer.status,
            StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
        ) {
            return Ok(None);
        }
        answer.success()?.json().map(Some)
    }

    /// `DELETE /actuator/backups/{id}` → 204. The id stays used.
    #[tracing::instrument(skip_all, fields(backup_id = id))]
    pub async fn delete_backup(&self, id: i64) -> Result<(), ClientError> {
        self.api()
            .call(Method::DELETE, &format!("{}/{id}", self.backups), None)
            .await?
            .success()
            .map(|_| ())
    }

    /// `POST /actuator/exporting/pause[?soft=true]`.
    #[tracing::instrument(skip_all, fields(soft))]
    pub async fn pause_exporting(&self, soft: bool) -> Result<(), ZeebeError> {
        let path = if soft {
            format!("{}?soft=true", self.exporting.0)
        } else {
            self.exporting.0.to_owned()
        };
        self.exporting("pause", &path).await
    }

    /// `POST /actuator/exporting/resume`.
    #[tracing::instrument(skip_all)]
    pub async fn resume_exporting(&self) -> Result<(), ZeebeError> {
        self.exporting("resume", self.exporting.1).await
    }

    /// Success ⇔ HTTP 204, or HTTP 200 whose JSON `status` is 2xx (§4.2).
    async fn exporting(&self, operation: &'static str, path: &str) -> Result<(), ZeebeError> {
        let answer = self.api().call(Method::POST, path, None).await?;
        // The REST API's 401/403 name the credentials or the missing permission.
        if answer.rest && matches!(answer.status.as_u16(), 401 | 403) {
            return Err(answer.into_error().into());
        }
        exporting_outcome(operation, answer.status.as_u16(), &answer.body)
    }

    /// `GET /actuator/partitions` of one broker.
    #[tracing::instrument(skip_all, fields(broker = %broker.base_url()))]
    pub async fn partitions(
        &self,
        broker: &ManagementClient,
    ) -> Result<BrokerPartitions, ClientError> {
        broker
            .call(Method::GET, "/actuator/partitions", None)
            .await?
            .success()?
            .json()
    }
}

/// Reads a pause/resume answer of any generation (§4.2).
pub(crate) fn exporting_outcome(
    operation: &'static str,
    status: u16,
    body: &str,
) -> Result<(), ZeebeError> {
    if status == 200 {
        if let Ok(wrapper) = serde_json::from_str::<ExportingWrapper>(body) {
            if (200..300).contains(&wrapper.status) {
                return Ok(());
            }
            let message = wrapper
                .body
                .as_ref()
                .map(|b| super::extract_message(&b.to_string()))
                .unwrap_or_else(|| "(no message)".into());
            return Err(ZeebeError::Exporting {
                operation,
                status: wrapper.status,
                message,
            });
        }
        if body.trim().is_empty() {
            return Ok(());
        }
        // 200 with a body that is not the wrapper: the outcome is unknown, so it is a failure
        // (the run then resumes, which is safe whatever the gateway did).
        return Err(ZeebeError::Exporting {
            operation,
            status,
            message: format!(
                "unexpected answer: {}",
                super::message::excerpt(body.trim(), 200)
            ),
        });
    }
    if (200..300).contains(&status) {
        return Ok(());
    }
    Err(ZeebeError::Exporting {
        operation,
        status,
        message: super::extract_message(body),
    })
}

#[cfg(test)]
mod tests {
    use super::{exporting_outcome, ZeebeError};

    #[test]
    fn exporting_answers_of_every_generation_are_read() {
        assert!(exporting_outcome("pause", 204, "").is_ok());
        assert!(exporting_outcome(
            "pause",
            200,
            r#"{"body":null,"status":204,"contentType":null}"#
        )
        .is_ok());
        let wrapped_failure = exporting_outcome(
            "pause",
            200,
            r#"{"body":{"message":"Expected 3 members of partition 1 but found 2"},"status":500,"contentType":null}"#,
        );
        match wrapped_failure {
            Err(ZeebeError::Exporting {
                status, message, ..
            }) => {
                assert_eq!(status, 500);
                assert!(message.contains("Expected 3 members"));
            }
            other => panic!("expected an exporting failure, got {other:?}"),
        }
        assert!(exporting_outcome("pause", 200, "").is_ok());
        assert!(matches!(
            exporting_outcome("pause", 200, "{not json"),
            Err(ZeebeError::Exporting { status: 200, .. })
        ));
        assert!(matches!(
            exporting_outcome("resume", 500, r#"{"message":"boom"}"#),
            Err(ZeebeError::Exporting { status: 500, .. })
        ));
    }
}
