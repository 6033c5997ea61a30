//! Persistence of state to `state_dir`: `.exporterPaused` files, Zeebe backups and ES state.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::SimError;
use crate::state::es::{EsState, SnapState};
use crate::state::zeebe::{ExporterPhase, PartitionBackupState, ZeebeState};

/// Writer/reader of a state directory.
#[derive(Clone, Debug)]
pub struct Persist {
    dir: PathBuf,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> SimError {
    SimError::Persist(format!("{}: {e}", path.display()))
}

impl Persist {
    /// Uses `dir`, creating it.
    pub fn new(dir: &Path) -> Result<Self, SimError> {
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    fn pause_file(&self, partition: u32) -> PathBuf {
        self.dir
            .join("partitions")
            .join(partition.to_string())
            .join(".exporterPaused")
    }

    /// Writes (or removes, when exporting) the pause file of `partition`; `raw` overrides the content.
    pub fn write_pause(&self, partition: u32, phase: ExporterPhase, raw: Option<&str>) {
        let path = self.pause_file(partition);
        let result = match phase {
            ExporterPhase::Exporting => match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            _ => path
                .parent()
                .map(fs::create_dir_all)
                .unwrap_or(Ok(()))
                .and_then(|_| fs::write(&path, raw.unwrap_or(phase.as_str()))),
        };
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), error = %e, "cannot write pause file");
        }
    }

    /// Reads the pause files of partitions `1..=partitions` (a corrupt file counts as a failed partition).
    pub fn load_pauses(&self, zeebe: &mut ZeebeState, partitions: u32) {
        for p in 1..=partitions {
            match fs::read_to_string(self.pause_file(p)) {
                Ok(text) => match text.trim() {
                    "PAUSED" => {
                        zeebe.exporter.insert(p, ExporterPhase::Paused);
                    }
                    "SOFT_PAUSED" => {
                        zeebe.exporter.insert(p, ExporterPhase::SoftPaused);
                    }
                    other => {
                        tracing::warn!(partition = p, content = other, "corrupt .exporterPaused");
                        zeebe.exporter.insert(p, ExporterPhase::Paused);
                        zeebe.failed_partitions.insert(p);
                    }
                },
                Err(_) => {
                    zeebe.exporter.remove(&p);
                }
            }
        }
    }

    fn write_json(&self, name: &str, value: &impl serde::Serialize) {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!("{name}.tmp"));
        let result = serde_json::to_vec_pretty(value)
            .map_err(std::io::Error::other)
            .and_then(|bytes| fs::write(&tmp, bytes))
            .and_then(|_| fs::rename(&tmp, &path));
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), error = %e, "cannot persist state");
        }
    }

    /// Saves Zeebe backups and the latest id.
    pub fn save_zeebe(&self, zeebe: &ZeebeState) {
        self.write_json("zeebe.json", zeebe);
    }

    /// Saves the ES state.
    pub fn save_es(&self, es: &EsState) {
        self.write_json("elasticsearch.json", es);
    }

    /// Loads Zeebe state; running partition backups are marked failed (interrupted by the restart).
    pub fn load_zeebe(&self) -> Result<Option<ZeebeState>, SimError> {
        let Some(mut z) = self.read_json::<ZeebeState>("zeebe.json")? else {
            return Ok(None);
        };
        for b in z.backups.values_mut() {
            for p in b.partitions.values_mut() {
                if p.state == PartitionBackupState::InProgress {
                    p.state = PartitionBackupState::Failed;
                    p.failure_reason = Some("Backup was interrupted by a restart".into());
                    p.last_updated_at = Some(chrono::Utc::now());
                }
            }
        }
        Ok(Some(z))
    }

    /// Loads ES state; running snapshots are marked failed, running restores finished.
    pub fn load_es(&self) -> Result<Option<EsState>, SimError> {
        let Some(mut es) = self.read_json::<EsState>("elasticsearch.json")? else {
            return Ok(None);
        };
        for s in es.snapshots.values_mut().flat_map(|m| m.values_mut()) {
            if s.state == SnapState::InProgress {
                s.finish(SnapState::Failed, Some("snapshot aborted by node restart"));
            }
        }
        // restores interrupted by the restart resume and end with the node's start
        es.finish_all_recoveries(chrono::Utc::now());
        Ok(Some(es))
    }

    fn read_json<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, SimError> {
        let path = self.dir.join(name);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| io_err(&path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path, e)),
        }
    }
}
