//! The Elasticsearch calls of the backup and restore procedure (§7).

use super::http::ManagementClient;
use super::types::{
    CatIndex, CreateSnapshotResponse, EsRoot, GetSnapshotsResponse, IndexTemplates, RepositoryInfo,
    RestoreResponse, SnapshotInfo, SnapshotStatus, SnapshotStatusResponse, VerifyResponse,
};
use super::ClientError;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;

/// Client of the Elasticsearch HTTP API (basic auth when configured).
#[derive(Clone, Debug)]
pub struct ElasticsearchClient {
    client: ManagementClient,
}

impl ElasticsearchClient {
    pub fn new(client: ManagementClient) -> Self {
        Self { client }
    }

    pub fn management(&self) -> &ManagementClient {
        &self.client
    }

    /// `GET /`: the node banner with the version.
    #[tracing::instrument(skip_all)]
    pub async fn root(&self) -> Result<EsRoot, ClientError> {
        self.client
            .call(Method::GET, "/", None)
            .await?
            .success()?
            .json()
    }

    /// `GET /_snapshot/{repo}`; `None` when the repository is missing (404).
    #[tracing::instrument(skip_all, fields(repo))]
    pub async fn repository(&self, repo: &str) -> Result<Option<RepositoryInfo>, ClientError> {
        let answer = self
            .client
            .call(Method::GET, &format!("/_snapshot/{repo}"), None)
            .await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let mut map: BTreeMap<String, RepositoryInfo> = answer.success()?.json()?;
        Ok(map.remove(repo))
    }

    /// `POST /_snapshot/{repo}/_verify`: the number of nodes that can write to it.
    #[tracing::instrument(skip_all, fields(repo))]
    pub async fn verify_repository(&self, repo: &str) -> Result<usize, ClientError> {
        let verified: VerifyResponse = self
            .client
            .call(Method::POST, &format!("/_snapshot/{repo}/_verify"), None)
            .await?
            .success()?
            .json()?;
        Ok(verified.nodes.len())
    }

    /// `PUT /_snapshot/{repo}/{name}` of `indices`. With `wait = Some(limit)` the call asks
    /// Elasticsearch to answer only when the snapshot ended (`wait_for_completion=true`) and
    /// waits up to `limit` for that answer; without, it returns `{"accepted": true}` at once.
    #[tracing::instrument(skip_all, fields(repo, name))]
    pub async fn create_snapshot(
        &self,
        repo: &str,
        name: &str,
        indices: &str,
        wait: Option<std::time::Duration>,
    ) -> Result<CreateSnapshotResponse, ClientError> {
        let body = json!({ "indices": indices, "feature_states": ["none"] });
        let path = match wait {
            Some(_) => format!("/_snapshot/{repo}/{name}?wait_for_completion=true"),
            None => format!("/_snapshot/{repo}/{name}"),
        };
        self.client
            .call_within(Method::PUT, &path, Some(&body), wait)
            .await?
            .success()?
            .json()
    }

    /// `GET /_snapshot/{repo}/{names}` (comma list or wildcards); a wildcard without match is
    /// an empty list, a concrete missing name an error (404 `snapshot_missing_exception`).
    #[tracing::instrument(skip_all, fields(repo, names))]
    pub async fn snapshots(
        &self,
        repo: &str,
        names: &str,
    ) -> Result<Vec<SnapshotInfo>, ClientError> {
        let got: GetSnapshotsResponse = self
            .client
            .call(Method::GET, &format!("/_snapshot/{repo}/{names}"), None)
            .await?
            .success()?
            .json()?;
        Ok(got.snapshots)
    }

    /// One snapshot by its exact name; `None` when missing.
    #[tracing::instrument(skip_all, fields(repo, name))]
    pub async fn snapshot(
        &self,
        repo: &str,
        name: &str,
    ) -> Result<Option<SnapshotInfo>, ClientError> {
        let answer = self
            .client
            .call(Method::GET, &format!("/_snapshot/{repo}/{name}"), None)
            .await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let got: GetSnapshotsResponse = answer.success()?.json()?;
        Ok(got.snapshots.into_iter().find(|s| s.snapshot == name))
    }

    /// `GET /_snapshot/{repo}/{name}/_status`.
    #[tracing::instrument(skip_all, fields(repo, name))]
    pub async fn snapshot_status(
        &self,
        repo: &str,
        name: &str,
    ) -> Result<Vec<SnapshotStatus>, ClientError> {
        let got: SnapshotStatusResponse = self
            .client
            .call(
                Method::GET,
                &format!("/_snapshot/{repo}/{name}/_status"),
                None,
            )
            .await?
            .success()?
            .json()?;
        Ok(got.snapshots)
    }

    /// `DELETE /_snapshot/{repo}/{name}`.
    #[tracing::instrument(skip_all, fields(repo, name))]
    pub async fn delete_snapshot(&self, repo: &str, name: &str) -> Result<(), ClientError> {
        self.client
            .call(Method::DELETE, &format!("/_snapshot/{repo}/{name}"), None)
            .await?
            .success()
            .map(|_| ())
    }

    /// `POST /_snapshot/{repo}/{name}/_restore?wait_for_completion=true`.
    #[tracing::instrument(skip_all, fields(repo, name))]
    pub async fn restore_snapshot(
        &self,
        repo: &str,
        name: &str,
    ) -> Result<RestoreResponse, ClientError> {
        self.client
            .call(
                Method::POST,
                &format!("/_snapshot/{repo}/{name}/_restore?wait_for_completion=true"),
                None,
            )
            .await?
            .success()?
            .json()
    }

    /// `GET /_cat/indices?format=json&h=index`: every index name.
    #[tracing::instrument(skip_all)]
    pub async fn indices(&self) -> Result<Vec<String>, ClientError> {
        let rows: Vec<CatIndex> = self
            .client
            .call(Method::GET, "/_cat/indices?format=json&h=index", None)
            .await?
            .success()?
            .json()?;
        Ok(rows.into_iter().map(|r| r.index).collect())
    }

    /// `DELETE /{index}`: one concrete index (wildcards are refused by ES 8 and by us).
    #[tracing::instrument(skip_all, fields(index))]
    pub async fn delete_index(&self, index: &str) -> Result<(), ClientError> {
        self.client
            .call(Method::DELETE, &format!("/{index}"), None)
            .await?
            .success()
            .map(|_| ())
    }

    /// `GET /_index_template`: the names of every composable index template.
    #[tracing::instrument(skip_all)]
    pub async fn index_templates(&self) -> Result<Vec<String>, ClientError> {
        let got: IndexTemplates = self
            .client
            .call(Method::GET, "/_index_template", None)
            .await?
            .success()?
            .json()?;
        Ok(got.index_templates.into_iter().map(|t| t.name).collect())
    }
}
