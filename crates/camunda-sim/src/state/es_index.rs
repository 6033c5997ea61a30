//! Elasticsearch indices: their content (document count and the cluster write sequence of the
//! last write, so data written after a snapshot is visible), sizes derived from the content, and
//! the recovery an index went through (created empty, existing store, or restored from a
//! snapshot — with the restore's progress, §7.7).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::es::es_uuid;

/// What an index holds: compared before and after a backup / restore.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexContent {
    /// Number of documents.
    pub docs_count: u64,
    /// Cluster-wide write sequence number of the last write into the index (0 = only seeded or
    /// created content). Never reused: equal content means equal `(docs_count, last_write_seq)`.
    #[serde(default)]
    pub last_write_seq: u64,
}

impl IndexContent {
    /// Store size in bytes, derived from the content (10 KiB of segments plus 256 bytes a document).
    pub fn size_in_bytes(&self) -> u64 {
        10 * 1024 + self.docs_count * 256
    }

    /// Number of segment files, derived from the content.
    pub fn file_count(&self) -> u64 {
        1 + self.docs_count / 100
    }
}

/// Where the primary shard of an index was recovered from (`_cat/recovery` `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryKind {
    /// A newly created index.
    EmptyStore,
    /// Recovered from the node's own disk (seeded / pre-existing indices).
    ExistingStore,
    /// Restored from a snapshot.
    Snapshot,
}

impl RecoveryKind {
    /// Lower-case name (`_cat/recovery`).
    pub fn cat_name(self) -> &'static str {
        match self {
            RecoveryKind::EmptyStore => "empty_store",
            RecoveryKind::ExistingStore => "existing_store",
            RecoveryKind::Snapshot => "snapshot",
        }
    }

    /// Upper-case name (`/{index}/_recovery`).
    pub fn api_name(self) -> &'static str {
        match self {
            RecoveryKind::EmptyStore => "EMPTY_STORE",
            RecoveryKind::ExistingStore => "EXISTING_STORE",
            RecoveryKind::Snapshot => "SNAPSHOT",
        }
    }
}

/// Recovery stage of a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Started.
    Init,
    /// Copying files.
    Index,
    /// Replaying the translog.
    Translog,
    /// Finishing.
    Finalize,
    /// Complete.
    Done,
}

impl Stage {
    /// Lower-case name (`_cat/recovery`).
    pub fn cat_name(self) -> &'static str {
        match self {
            Stage::Init => "init",
            Stage::Index => "index",
            Stage::Translog => "translog",
            Stage::Finalize => "finalize",
            Stage::Done => "done",
        }
    }

    /// Upper-case name (`/{index}/_recovery`).
    pub fn api_name(self) -> &'static str {
        match self {
            Stage::Init => "INIT",
            Stage::Index => "INDEX",
            Stage::Translog => "TRANSLOG",
            Stage::Finalize => "FINALIZE",
            Stage::Done => "DONE",
        }
    }
}

/// The recovery of an index's primary shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexRecovery {
    /// Source type.
    pub kind: RecoveryKind,
    /// Repository (snapshot recoveries).
    #[serde(default)]
    pub repository: Option<String>,
    /// Snapshot name (snapshot recoveries).
    #[serde(default)]
    pub snapshot: Option<String>,
    /// Id of the restore request that started it (snapshot recoveries).
    #[serde(default)]
    pub restore_uuid: Option<String>,
    /// Start.
    pub start_time: DateTime<Utc>,
    /// End; `None` while recovering.
    #[serde(default)]
    pub stop_time: Option<DateTime<Utc>>,
    /// Planned duration (snapshot recoveries), used for the intermediate stages.
    #[serde(default)]
    pub duration_ms: u64,
}

impl IndexRecovery {
    /// A finished recovery of `kind` at `now`.
    pub fn done(kind: RecoveryKind, now: DateTime<Utc>) -> Self {
        Self {
            kind,
            repository: None,
            snapshot: None,
            restore_uuid: None,
            start_time: now,
            stop_time: Some(now),
            duration_ms: 0,
        }
    }

    /// Whether the shard is still recovering.
    pub fn active(&self) -> bool {
        self.stop_time.is_none()
    }

    /// Elapsed time in milliseconds (until `stop_time` when done).
    pub fn elapsed_ms(&self, now: DateTime<Utc>) -> u64 {
        let end = self.stop_time.unwrap_or(now);
        u64::try_from((end - self.start_time).num_milliseconds()).unwrap_or(0)
    }

    /// Stage and file/byte progress (0.0–100.0) at `now`.
    pub fn progress(&self, now: DateTime<Utc>) -> (Stage, f64) {
        if !self.active() {
            return (Stage::Done, 100.0);
        }
        let total = self.duration_ms.max(1) as f64;
        let f = (self.elapsed_ms(now) as f64 / total).min(1.0);
        if f < 0.1 {
            (Stage::Init, 0.0)
        } else if f < 0.8 {
            (Stage::Index, ((f - 0.1) / 0.7 * 100.0).clamp(0.0, 100.0))
        } else if f < 0.9 {
            (Stage::Translog, 100.0)
        } else {
            (Stage::Finalize, 100.0)
        }
    }
}

/// An index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndexInfo {
    /// UUID.
    pub uuid: String,
    /// Document count.
    pub docs_count: u64,
    /// Write sequence of the last write (see [`IndexContent::last_write_seq`]).
    #[serde(default)]
    pub last_write_seq: u64,
    /// How the primary shard was recovered (`None` = existing store, done).
    #[serde(default)]
    pub recovery: Option<IndexRecovery>,
}

impl IndexInfo {
    /// An index with `content`, recovered as `recovery`.
    pub fn new(content: IndexContent, recovery: Option<IndexRecovery>) -> Self {
        Self {
            uuid: es_uuid(),
            docs_count: content.docs_count,
            last_write_seq: content.last_write_seq,
            recovery,
        }
    }

    /// Current content.
    pub fn content(&self) -> IndexContent {
        IndexContent {
            docs_count: self.docs_count,
            last_write_seq: self.last_write_seq,
        }
    }

    /// Whether a snapshot restore of this index is still running.
    pub fn recovering(&self) -> bool {
        self.recovery.as_ref().is_some_and(IndexRecovery::active)
    }

    /// `green`, or `yellow` while the primary is being restored (an initializing primary whose
    /// source is a snapshot counts as yellow in ES, `ClusterShardHealth`).
    pub fn health(&self) -> &'static str {
        if self.recovering() {
            "yellow"
        } else {
            "green"
        }
    }

    /// The recovery to report (existing store when none is recorded).
    pub fn recovery_or_existing(&self, now: DateTime<Utc>) -> IndexRecovery {
        self.recovery
            .clone()
            .unwrap_or_else(|| IndexRecovery::done(RecoveryKind::ExistingStore, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_content() {
        let c = IndexContent {
            docs_count: 40,
            last_write_seq: 0,
        };
        assert_eq!(c.size_in_bytes(), 10 * 1024 + 40 * 256);
        assert_eq!(c.file_count(), 1);
    }

    #[test]
    fn a_recovery_walks_through_the_stages() {
        let start = Utc::now();
        let mut r = IndexRecovery {
            kind: RecoveryKind::Snapshot,
            repository: Some("camunda".into()),
            snapshot: Some("s".into()),
            restore_uuid: Some("u".into()),
            start_time: start,
            stop_time: None,
            duration_ms: 1000,
        };
        let at = |ms| start + chrono::TimeDelta::milliseconds(ms);
        assert_eq!(r.progress(at(50)).0, Stage::Init);
        assert_eq!(r.progress(at(450)), (Stage::Index, 50.0));
        assert_eq!(r.progress(at(850)).0, Stage::Translog);
        assert_eq!(r.progress(at(5000)).0, Stage::Finalize);
        r.stop_time = Some(at(1000));
        assert_eq!(r.progress(at(5000)), (Stage::Done, 100.0));
        assert_eq!(r.elapsed_ms(at(5000)), 1000);
    }
}
