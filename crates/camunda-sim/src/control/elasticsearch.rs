//! `SimControl` for Elasticsearch content in restore tests: writing documents into an index,
//! reading an index's content, and wiping every index and template (a clean Elasticsearch).

use serde_json::{json, Value};

use super::SimControl;
use crate::error::SimError;
use crate::faults::lock;
use crate::state::es_index::IndexContent;

/// Whether `name` is a concrete index name documents can be written to.
fn valid_index_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['_', '-', '+'])
        && !name.contains(['*', ',', '/', ' ', '"', '\\', '?', '<', '>', '|', '#'])
        && name == name.to_lowercase()
}

impl SimControl {
    /// Writes `count` documents into `index` (created empty if missing, as ES auto-creates it)
    /// under a new cluster write sequence number. Returns the index view
    /// (`{"uuid", "docs_count", "last_write_seq", "size_in_bytes", "health", "recovering",
    /// "recovery"}`). Fails while Elasticsearch is stopped or the index is being restored.
    pub fn write_es_docs(&self, index: &str, count: u64) -> Result<Value, SimError> {
        if count == 0 {
            return Err(SimError::InvalidArgument("count must be >= 1".into()));
        }
        if !valid_index_name(index) {
            return Err(SimError::InvalidArgument(format!(
                "invalid index name [{index}]"
            )));
        }
        if !self.shared.es_up() {
            return Err(SimError::Conflict("Elasticsearch is stopped".into()));
        }
        let mut st = lock(&self.shared.state);
        if st.es.indices.get(index).is_some_and(|i| i.recovering()) {
            return Err(SimError::Conflict(format!(
                "index [{index}] is being restored"
            )));
        }
        let content = st.es.write_docs(index, count);
        self.shared.save_es(&st);
        tracing::info!(
            index,
            count,
            seq = content.last_write_seq,
            "documents written"
        );
        st.es
            .index_json(index)
            .ok_or_else(|| SimError::Conflict(format!("index [{index}] vanished")))
    }

    /// The admin view of `index` (see [`SimControl::write_es_docs`]), `None` if it does not exist.
    pub fn es_index(&self, index: &str) -> Option<Value> {
        lock(&self.shared.state).es.index_json(index)
    }

    /// The content of `index` (`docs_count`, `last_write_seq`), `None` if it does not exist.
    pub fn es_index_content(&self, index: &str) -> Option<IndexContent> {
        lock(&self.shared.state)
            .es
            .indices
            .get(index)
            .map(|i| i.content())
    }

    /// Deletes every index and index template (running restores included), keeping the
    /// repositories and their snapshots: a freshly installed Elasticsearch with the snapshot
    /// repository registered. Returns `{"deleted_indices": n, "deleted_templates": m}`.
    pub fn wipe_elasticsearch(&self) -> Value {
        let mut st = lock(&self.shared.state);
        let indices = st.es.indices.len();
        let templates = st.es.templates.len();
        st.es.indices.clear();
        st.es.templates.clear();
        self.shared.save_es(&st);
        tracing::info!(indices, templates, "Elasticsearch wiped");
        json!({"deleted_indices": indices, "deleted_templates": templates})
    }
}

#[cfg(test)]
mod tests {
    use super::valid_index_name;

    #[test]
    fn index_names_are_checked() {
        assert!(valid_index_name("operate-list-view-8.3.0_"));
        assert!(!valid_index_name("_all"));
        assert!(!valid_index_name("a*"));
        assert!(!valid_index_name("Upper"));
        assert!(!valid_index_name(""));
    }
}
