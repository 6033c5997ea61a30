//! `SimControl` for the Zeebe side of a restore (§8): brokers' data directories (view, clear,
//! drop a file), the restore application per broker and its logs, and records written to
//! partitions so data after a backup is visible.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::SimControl;
use crate::error::SimError;
use crate::faults::lock;
use crate::restore_app::{self, RestoreOutcome};
use crate::state::broker_data::RestoreRun;

impl SimControl {
    /// Broker id `broker` if it exists.
    fn broker_id(&self, broker: usize) -> Result<u32, SimError> {
        u32::try_from(broker)
            .ok()
            .filter(|b| *b < self.shared.config.brokers)
            .ok_or_else(|| SimError::UnknownComponent(format!("broker{broker}")))
    }

    /// View of broker `broker`'s data directory: `{"broker", "running", "data_directory",
    /// "empty", "files": [names], "partitions": {"<id>": {"position", "snapshot_position",
    /// "snapshot_id", "exported_position", "restored_from_backup", "started_empty"}}}`.
    pub fn broker_data(&self, broker: usize) -> Result<Value, SimError> {
        let b = self.broker_id(broker)?;
        let st = lock(&self.shared.state);
        let data = st.zeebe.brokers.get(&b).cloned().unwrap_or_default();
        Ok(data.json(b, self.shared.broker_up(broker)))
    }

    /// Deletes the contents of a stopped broker's data directory (the PVC / data-dir deletion),
    /// `.exporterPaused` files of the partitions it leads included. Returns the directory view.
    pub fn clear_broker_data(&self, broker: usize) -> Result<Value, SimError> {
        let b = self.broker_id(broker)?;
        if self.shared.broker_up(broker) {
            return Err(SimError::Conflict(format!(
                "broker {b} is running: stop it before deleting its data directory"
            )));
        }
        {
            let mut st = lock(&self.shared.state);
            restore_app::clear_data_dir(&self.shared, &mut st, b);
            self.shared.save_zeebe(&st);
        }
        tracing::info!(broker = b, "broker data directory cleared");
        self.broker_data(broker)
    }

    /// Puts a file or directory named `name` (e.g. `lost+found`) into broker `broker`'s data
    /// directory. Returns the directory view.
    pub fn add_broker_data_file(&self, broker: usize, name: &str) -> Result<Value, SimError> {
        let b = self.broker_id(broker)?;
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(SimError::InvalidArgument(format!(
                "invalid file name [{name}]"
            )));
        }
        {
            let mut st = lock(&self.shared.state);
            st.zeebe
                .brokers
                .entry(b)
                .or_default()
                .files
                .insert(name.to_string());
            self.shared.save_zeebe(&st);
        }
        self.broker_data(broker)
    }

    /// Runs the restore application (`--backupId=backup_id`) on broker `broker`'s node.
    /// `ignore_files_in_target` is `zeebe.restore.ignoreFilesInTarget` (default `["lost+found"]`).
    /// The run takes `timing.zeebe_restore_ms`; its outcome is also kept in the broker's logs.
    pub async fn restore_broker(
        &self,
        broker: usize,
        backup_id: u64,
        ignore_files_in_target: Option<Vec<String>>,
    ) -> Result<RestoreOutcome, SimError> {
        let b = self.broker_id(broker)?;
        let ignore = ignore_files_in_target.unwrap_or_else(restore_app::default_ignored_files);
        let delay = self.shared.config.timing.zeebe_restore_ms;
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        Ok(restore_app::run(&self.shared, b, backup_id, &ignore))
    }

    /// The restore application's runs on broker `broker`, oldest first (the last 20).
    pub fn broker_restore_runs(&self, broker: usize) -> Result<Vec<RestoreRun>, SimError> {
        let b = self.broker_id(broker)?;
        let st = lock(&self.shared.state);
        Ok(st
            .zeebe
            .brokers
            .get(&b)
            .map(|d| d.restore_runs.clone())
            .unwrap_or_default())
    }

    /// Appends `count` records (e.g. new process instances) to `partition`, or to every
    /// partition when `None`; each partition's leader broker must be running. Returns
    /// `{"partitions": {"<id>": {"position", "exported_position"}}}` (the leader's view).
    pub fn write_zeebe_records(
        &self,
        partition: Option<u32>,
        count: u64,
    ) -> Result<Value, SimError> {
        let cfg = &self.shared.config;
        if count == 0 {
            return Err(SimError::InvalidArgument("count must be >= 1".into()));
        }
        let partitions: Vec<u32> = match partition {
            Some(p) if (1..=cfg.partitions).contains(&p) => vec![p],
            Some(p) => {
                return Err(SimError::InvalidArgument(format!(
                    "no partition {p} (partitions: 1..={})",
                    cfg.partitions
                )))
            }
            None => (1..=cfg.partitions).collect(),
        };
        if let Some(p) = partitions
            .iter()
            .find(|p| !self.shared.broker_up(cfg.leader(**p) as usize))
        {
            return Err(SimError::Conflict(format!(
                "partition {p} has no leader: broker {} is stopped",
                cfg.leader(*p)
            )));
        }
        let mut out = Map::new();
        let mut st = lock(&self.shared.state);
        for p in partitions {
            let leader = st.zeebe.append(p, count, &cfg.replicas(p), cfg.leader(p));
            out.insert(
                p.to_string(),
                json!({"position": leader.as_ref().map(|d| d.position),
                       "exported_position": leader.as_ref().map(|d| d.exported_position)}),
            );
        }
        self.shared.save_zeebe(&st);
        Ok(json!({"partitions": out}))
    }
}
