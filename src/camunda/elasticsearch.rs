//! The Elasticsearch calls of the backup and restore procedure (§7).

use super::http::ManagementClient;
use super::types::IndexHealth;
use super::types::{
    CatIndex, CreateSnapshotResponse, EsRoot, GetSnapshotsResponse, IndexTemplates, RecoveryRow,
    RepositoryInfo, RestoreResponse, SnapshotInfo, SnapshotStatus, SnapshotStatusResponse,
    VerifyResponse,
};
use super::ClientError;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;

/// Client of the Elasticsearch HTTP API (basic auth when configured).
#[derive(Clone, Debug)]
pub struct ElasticsearchClient {
    client: ManagementClient,
    /// Whether the store is OpenSearch, once `GET /` said so (shared by every clone).
    opensearch: std::sync::Arc<std::sync::OnceLock<bool>>,
}

impl ElasticsearchClient {
    pub fn new(client: ManagementClient) -> Self {
        Self {
            client,
            opensearch: Default::default(),
        }
    }

    pub fn management(&self) -> &ManagementClient {
        &self.client
    }

    /// `GET /`: the node banner with the version.
    #[tracing::instrument(skip_all)]
    pub async fn root(&self) -> Result<EsRoot, ClientError> {
        let root: EsRoot = self
            .client
            .call(Method::GET, "/", None)
            .await?
            .success()?
            .json()?;
        let _ = self.opensearch.set(root.version.is_opensearch());
        Ok(root)
    }

    /// Whether the secondary storage is OpenSearch (`version.distribution` of `GET /`, read
    /// once): its snapshot request has no `feature_states` (docs, 8.8 backup step 6).
    pub async fn is_opensearch(&self) -> Result<bool, ClientError> {
        match self.opensearch.get() {
            Some(known) => Ok(*known),
            None => Ok(self.root().await?.version.is_opensearch()),
        }
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
        // Elasticsearch: no system index with it; OpenSearch knows no `feature_states`.
        let body = if self.is_opensearch().await? {
            json!({ "indices": indices })
        } else {
            json!({ "indices": indices, "feature_states": ["none"] })
        };
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

    /// The names matching `names` (wildcards), from `GET /_snapshot/{repo}/{names}?verbose=false`:
    /// the repository's index only, not every snapshot's metadata (cheaper on a store that
    /// bills per read).
    #[tracing::instrument(skip_all, fields(repo, names))]
    pub async fn snapshot_names(
        &self,
        repo: &str,
        names: &str,
    ) -> Result<Vec<String>, ClientError> {
        #[derive(serde::Deserialize)]
        struct Brief {
            snapshot: String,
        }
        #[derive(serde::Deserialize)]
        struct Listing {
            snapshots: Vec<Brief>,
        }
        let got: Listing = self
            .client
            .call(
                Method::GET,
                &format!("/_snapshot/{repo}/{names}?verbose=false"),
                None,
            )
            .await?
            .success()?
            .json()?;
        Ok(got.snapshots.into_iter().map(|s| s.snapshot).collect())
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

    /// `POST /_snapshot/{repo}/{name}/_restore` without waiting (`{"accepted": true}`): a
    /// restore can take hours, longer than any HTTP timeout; watch it with [`Self::recovery`].
    #[tracing::instrument(skip_all, fields(repo, name))]
    pub async fn start_restore(&self, repo: &str, name: &str) -> Result<(), ClientError> {
        self.client
            .call(
                Method::POST,
                &format!("/_snapshot/{repo}/{name}/_restore"),
                None,
            )
            .await?
            .success()
            .map(|_| ())
    }

    /// `GET /_cat/recovery/{indices}?format=json`: every shard recovery of those indices (in
    /// requests short enough for Elasticsearch's 4 KB request line).
    #[tracing::instrument(skip_all, fields(indices = indices.len()))]
    pub async fn recovery(&self, indices: &[String]) -> Result<Vec<RecoveryRow>, ClientError> {
        let mut rows = Vec::new();
        for chunk in path_chunks(indices) {
            let mut got: Vec<RecoveryRow> = self
                .client
                .call(
                    Method::GET,
                    &format!(
                        "/_cat/recovery/{chunk}?format=json&h=index,shard,type,stage,snapshot,bytes_percent"
                    ),
                    None,
                )
                .await?
                .success()?
                .json()?;
            rows.append(&mut got);
        }
        Ok(rows)
    }

    /// `GET /_cluster/health/{indices}?timeout=2s`, the worst answer over the chunks.
    #[tracing::instrument(skip_all, fields(indices = indices.len()))]
    pub async fn index_health(&self, indices: &[String]) -> Result<IndexHealth, ClientError> {
        let mut worst = IndexHealth {
            status: "green".into(),
            initializing_shards: 0,
            unassigned_shards: 0,
            active_primary_shards: 0,
        };
        let rank = |s: &str| match s {
            "green" => 0,
            "yellow" => 1,
            _ => 2,
        };
        for chunk in path_chunks(indices) {
            let h: IndexHealth = self
                .client
                .call(
                    Method::GET,
                    &format!("/_cluster/health/{chunk}?timeout=2s"),
                    None,
                )
                .await?
                .success()?
                .json()?;
            if rank(&h.status) > rank(&worst.status) {
                worst.status = h.status.clone();
            }
            worst.initializing_shards += h.initializing_shards;
            worst.unassigned_shards += h.unassigned_shards;
            worst.active_primary_shards += h.active_primary_shards;
        }
        Ok(worst)
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
        if !concrete_index(index) {
            return Err(ClientError::Refused(format!(
                "`{index}` is not one concrete index name; the console deletes indices one by one and never by pattern"
            )));
        }
        self.client
            .call(Method::DELETE, &format!("/{}", segment(index)), None)
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

/// Whether `name` is one concrete index (no pattern, no list, no `_all`, no exclusion).
fn concrete_index(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '_', '+'])
        && !name.contains(['*', '?', ',', '/', '\\', ' ', '"', '<', '>', '|', '#'])
}

/// One URL path segment: characters outside `[a-z0-9._+-]` percent-encoded (a `%` in an index
/// name must not become a wildcard on the way).
fn segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'+' | b'-' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Comma lists of encoded names, each short enough for a request line under 4 KB.
fn path_chunks(names: &[String]) -> Vec<String> {
    const MAX: usize = 2500;
    let mut chunks = Vec::new();
    let mut current = String::new();
    for n in names {
        let n = segment(n);
        if !current.is_empty() && current.len() + n.len() + 1 > MAX {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(',');
        }
        current.push_str(&n);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn names_are_encoded_checked_and_chunked() {
        assert_eq!(
            segment("operate-list-view-8.3.0_"),
            "operate-list-view-8.3.0_"
        );
        assert_eq!(segment("a%2a"), "a%252a");
        assert!(!concrete_index("operate-*"));
        assert!(!concrete_index("_all"));
        assert!(!concrete_index("-x"));
        assert!(!concrete_index("a,b"));
        assert!(concrete_index("zeebe-record_job_8.5.1_2026-11-25"));
        let many: Vec<String> = (0..300)
            .map(|i| format!("zeebe-record_job_8.5.1_2026-11-{i:03}"))
            .collect();
        let chunks = path_chunks(&many);
        assert!(chunks.len() > 1);
        assert!(chunks.iter().all(|c| c.len() <= 2500));
        assert_eq!(
            chunks.iter().map(|c| c.split(',').count()).sum::<usize>(),
            300
        );
    }
}
