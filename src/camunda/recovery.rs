//! 8.10's in-cluster restore (docs/camunda-api-8.8-8.10.md §3.4) on the `/v2` REST API:
//! recovery mode (`PATCH /v2/mode`), the restore with its dry run (`POST /v2/restore`), its
//! progress per broker and partition (`GET /v2/restore`), and the cluster change that carries
//! both, read from the management port's `GET /actuator/cluster`.

use super::http::ManagementClient;
use super::ClientError;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

/// The brokers' mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Processing,
    Recovering,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "PROCESSING",
            Self::Recovering => "RECOVERING",
        }
    }
}

/// Where a cluster change stands, as `/actuator/cluster` tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeState {
    /// Pending, or not visible yet.
    Pending,
    Completed,
    /// `FAILED` or `CANCELLED`.
    Ended(String),
}

/// `GET /v2/restore`: the restore in flight.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreProgress {
    /// `IN_PROGRESS`, `COMPLETED`, `FAILED`, `CANCELLED`.
    pub status: String,
    #[serde(default, deserialize_with = "id_text")]
    pub change_id: Option<String>,
    #[serde(default)]
    pub brokers: Vec<BrokerRestore>,
}

/// One broker's part of the restore.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerRestore {
    #[serde(default, deserialize_with = "id_text")]
    pub broker_id: Option<String>,
    #[serde(default)]
    pub partitions_restored: u32,
    #[serde(default)]
    pub partitions_to_restore: u32,
    #[serde(default)]
    pub partitions: Vec<PartitionRestore>,
}

/// One partition on one broker: `PENDING`, `RESTORING`, `RESTORED`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionRestore {
    pub partition_id: u32,
    pub state: String,
}

impl RestoreProgress {
    /// "broker 0: 2 of 3 partitions restored (1 RESTORING); …".
    pub fn words(&self) -> String {
        let brokers: Vec<String> = self
            .brokers
            .iter()
            .map(|b| {
                let restoring = b
                    .partitions
                    .iter()
                    .filter(|p| p.state == "RESTORING")
                    .count();
                format!(
                    "broker {}: {} of {} partitions restored{}",
                    b.broker_id.as_deref().unwrap_or("?"),
                    b.partitions_restored,
                    b.partitions_to_restore,
                    if restoring > 0 {
                        format!(" ({restoring} RESTORING)")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        format!("Restore {}: {}", self.status, brokers.join("; "))
    }
}

/// A change id given as a JSON string or number.
fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.and_then(|v| match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }))
}

/// The change id of a `PATCH /v2/mode` or `POST /v2/restore` answer.
fn change_id(value: &Value) -> Option<String> {
    match value.get("changeId")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The REST API and the management port of one orchestration cluster.
#[derive(Clone, Debug)]
pub struct RecoveryClient {
    pub(super) rest: ManagementClient,
    pub(super) management: ManagementClient,
}

impl RecoveryClient {
    /// `PATCH /v2/mode?mode=…[&dryRun=true]` → the change id.
    #[tracing::instrument(skip_all, fields(mode = mode.as_str(), dry_run))]
    pub async fn set_mode(&self, mode: Mode, dry_run: bool) -> Result<String, ClientError> {
        let path = format!(
            "/v2/mode?mode={}{}",
            mode.as_str(),
            if dry_run { "&dryRun=true" } else { "" }
        );
        let answer = self
            .rest
            .call(Method::PATCH, &path, None)
            .await?
            .success()?;
        let value: Value = answer.json()?;
        Ok(change_id(&value).unwrap_or_default())
    }

    /// Where change `id` stands (`GET /actuator/cluster`: `lastChange`, `pendingChange`).
    #[tracing::instrument(skip_all, fields(change = id))]
    pub async fn change(&self, id: &str) -> Result<ChangeState, ClientError> {
        let value: Value = self
            .management
            .call(Method::GET, "/actuator/cluster", None)
            .await?
            .success()?
            .json()?;
        let matches = |c: &Value| {
            c.get("id").is_some_and(|v| match v {
                Value::String(s) => s == id,
                Value::Number(n) => n.to_string() == id,
                _ => false,
            })
        };
        if let Some(last) = value.get("lastChange").filter(|c| matches(c)) {
            let pending = value.get("pendingChange").is_some_and(|p| !p.is_null());
            return Ok(match last.get("status").and_then(Value::as_str) {
                Some("COMPLETED") if !pending => ChangeState::Completed,
                Some(s @ ("FAILED" | "CANCELLED")) => ChangeState::Ended(s.to_owned()),
                _ => ChangeState::Pending,
            });
        }
        Ok(ChangeState::Pending)
    }

    /// `POST /v2/restore?dryRun=true` — validates (a completed backup for every partition,
    /// every broker in recovery mode) and applies nothing.
    #[tracing::instrument(skip_all, fields(backup_id))]
    pub async fn dry_run(&self, backup_id: i64) -> Result<(), ClientError> {
        self.rest
            .call(
                Method::POST,
                "/v2/restore?dryRun=true",
                Some(&json!({ "backupIds": [backup_id] })),
            )
            .await?
            .success()
            .map(|_| ())
    }

    /// `POST /v2/restore` → 202 with the change id.
    #[tracing::instrument(skip_all, fields(backup_id))]
    pub async fn start(&self, backup_id: i64) -> Result<String, ClientError> {
        let answer = self
            .rest
            .call(
                Method::POST,
                "/v2/restore",
                Some(&json!({ "backupIds": [backup_id] })),
            )
            .await?
            .success()?;
        let value: Value = answer.json()?;
        Ok(change_id(&value).unwrap_or_default())
    }

    /// `GET /v2/restore`; `None` when no restore is in flight (404, also once it finished).
    #[tracing::instrument(skip_all)]
    pub async fn progress(&self) -> Result<Option<RestoreProgress>, ClientError> {
        let answer = self.rest.call(Method::GET, "/v2/restore", None).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        answer.success()?.json().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_of_the_docs_shape_is_read_and_told_per_broker() {
        let p: RestoreProgress = serde_json::from_value(json!({
            "status": "IN_PROGRESS", "changeId": 12, "startedAt": "2026-01-01T00:00:00Z",
            "brokers": [
                {"brokerId": "0", "partitionsRestored": 1, "partitionsToRestore": 3,
                 "partitions": [{"partitionId": 1, "state": "RESTORED", "backupIds": [5], "completedAt": "x"},
                                {"partitionId": 2, "state": "RESTORING", "backupIds": [5], "completedAt": null},
                                {"partitionId": 3, "state": "PENDING", "backupIds": [5], "completedAt": null}]}
            ]
        }))
        .expect("parses");
        assert_eq!(p.change_id.as_deref(), Some("12"));
        assert_eq!(
            p.words(),
            "Restore IN_PROGRESS: broker 0: 1 of 3 partitions restored (1 RESTORING)"
        );
        assert_eq!(change_id(&json!({"changeId": "7"})).as_deref(), Some("7"));
    }
}
