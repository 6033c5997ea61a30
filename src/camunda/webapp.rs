//! Operate, Tasklist and Optimize `/actuator/backups`, and 8.8+'s `/actuator/backupHistory` of
//! the orchestration cluster: one client, several dialects of errors.

use super::http::{Answer, ManagementClient};
use super::types::{TakeBackupResponse, WebAppBackup};
use super::ClientError;
use crate::domain::ComponentKind;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Web-app outcomes a caller must tell apart.
#[derive(Debug, thiserror::Error)]
pub enum WebAppError {
    /// "Another backup is running at the moment": try again later (or the queue is stuck).
    #[error("{component} is busy: {message}")]
    Busy {
        component: ComponentKind,
        message: String,
    },
    /// A backup with this id already exists in the component.
    #[error("{component} already has a backup with id {id}: {message}")]
    AlreadyExists {
        component: ComponentKind,
        id: i64,
        message: String,
    },
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl WebAppError {
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Busy { .. } => true,
            Self::AlreadyExists { .. } => false,
            Self::Client(e) => e.is_retryable(),
        }
    }
}

/// Client of one web app's backup endpoint (Operate, Tasklist or Optimize).
#[derive(Clone, Debug)]
pub struct WebAppClient {
    client: ManagementClient,
    /// `/actuator/backups`, or 8.8+'s `/actuator/backupHistory` on the orchestration cluster.
    path: &'static str,
}

impl WebAppClient {
    pub fn new(client: ManagementClient) -> Self {
        Self {
            client,
            path: "/actuator/backups",
        }
    }

    /// The same client speaking to the backup endpoint at `path`.
    pub fn at(mut self, path: &'static str) -> Self {
        self.path = path;
        self
    }

    /// The backup endpoint this client uses.
    pub fn path(&self) -> &'static str {
        self.path
    }

    pub fn component(&self) -> ComponentKind {
        self.client.kind()
    }

    pub fn management(&self) -> &ManagementClient {
        &self.client
    }

    /// `POST /actuator/backups`. Operate/Tasklist answer 200 with the scheduled snapshot
    /// names; Optimize answers 202 with a message (then the list is empty).
    #[tracing::instrument(skip_all, fields(component = %self.component(), backup_id = id))]
    pub async fn take_backup(&self, id: i64) -> Result<Vec<String>, WebAppError> {
        let body = json!({ "backupId": id });
        let answer = self
            .client
            .call(Method::POST, self.path, Some(&body))
            .await?;
        if answer.status == StatusCode::ACCEPTED {
            // Optimize's hand-built `{"message" : …}` (8.10's `/v2` history take also lists
            // `scheduledSnapshots`); anything else does not prove the take.
            let value = answer.json::<serde_json::Value>()?;
            return Ok(serde_json::from_value::<TakeBackupResponse>(value)
                .map(|t| t.scheduled_snapshots)
                .unwrap_or_default());
        }
        if answer.status.is_success() {
            let taken: TakeBackupResponse = answer.json()?;
            return Ok(taken.scheduled_snapshots);
        }
        Err(self.classify(id, answer))
    }

    /// `GET /actuator/backups/{id}`; `None` when the component says it does not know the id
    /// (404, or a 4xx whose message says so — Operate 8.2–8.7 answered 400, §5.4).
    #[tracing::instrument(skip_all, fields(component = %self.component(), backup_id = id))]
    pub async fn backup(&self, id: i64) -> Result<Option<WebAppBackup>, ClientError> {
        let answer = self
            .client
            .call(Method::GET, &format!("{}/{id}", self.path), None)
            .await?;
        if is_not_found(&answer) {
            return Ok(None);
        }
        answer.success()?.json().map(Some)
    }

    /// `GET /actuator/backups`.
    #[tracing::instrument(skip_all, fields(component = %self.component()))]
    pub async fn list_backups(&self) -> Result<Vec<WebAppBackup>, ClientError> {
        self.client
            .call(Method::GET, self.path, None)
            .await?
            .success()?
            .json()
    }

    /// `DELETE /actuator/backups/{id}` → 204 (deletion continues asynchronously).
    #[tracing::instrument(skip_all, fields(component = %self.component(), backup_id = id))]
    pub async fn delete_backup(&self, id: i64) -> Result<(), ClientError> {
        self.client
            .call(Method::DELETE, &format!("{}/{id}", self.path), None)
            .await?
            .success()
            .map(|_| ())
    }

    fn classify(&self, id: i64, answer: Answer) -> WebAppError {
        let message = super::extract_message(&answer.body);
        let lower = message.to_lowercase();
        if lower.contains("another backup is running") {
            WebAppError::Busy {
                component: self.component(),
                message,
            }
        } else if answer.status == StatusCode::CONFLICT || lower.contains("already exists") {
            WebAppError::AlreadyExists {
                component: self.component(),
                id,
                message,
            }
        } else {
            answer.into_error().into()
        }
    }
}

/// 404, or a 4xx whose message says the backup is unknown.
fn is_not_found(answer: &Answer) -> bool {
    if answer.status == StatusCode::NOT_FOUND {
        // A 404 for a missing repository is not "backup unknown".
        let m = super::extract_message(&answer.body).to_lowercase();
        return !m.contains("repository");
    }
    if answer.status.is_client_error() {
        let m = super::extract_message(&answer.body).to_lowercase();
        return m.contains("no backup with id")
            || m.contains("could not be found") && m.contains("backup with id")
            || m.contains("does not exist");
    }
    false
}
