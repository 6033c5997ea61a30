//! The applications' Elasticsearch schema: which component owns an index, and the index templates
//! and empty indices Operate, Tasklist and Optimize create when they start (their schema
//! managers), and the `zeebe-record_*` templates Zeebe's Elasticsearch exporter creates.

use serde_json::{json, Value};

use crate::component::Listener;
use crate::config::SimConfig;
use crate::seed::{
    OPERATE_INDICES, OPTIMIZE_IMPORT_INDICES, OPTIMIZE_OTHER_INDICES, TASKLIST_INDICES,
    ZEEBE_VALUE_TYPES,
};
use crate::shared::Shared;
use crate::state::es::EsState;

/// A component that writes into Elasticsearch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Operate,
    Tasklist,
    Optimize,
    /// The Elasticsearch exporter running in the brokers.
    Zeebe,
}

impl Owner {
    /// Every owner.
    pub(crate) const ALL: [Owner; 4] = [
        Owner::Operate,
        Owner::Tasklist,
        Owner::Optimize,
        Owner::Zeebe,
    ];

    /// The owner of `index`, by name prefix.
    pub(crate) fn of_index(index: &str) -> Option<Owner> {
        if index.starts_with("operate-") {
            Some(Owner::Operate)
        } else if index.starts_with("tasklist-") {
            Some(Owner::Tasklist)
        } else if index.starts_with("optimize-") {
            Some(Owner::Optimize)
        } else if index.starts_with("zeebe-record") {
            Some(Owner::Zeebe)
        } else {
            None
        }
    }

    /// Whether the owner is running (Zeebe: any broker is up).
    pub(crate) fn running(self, shared: &Shared) -> bool {
        match self {
            Owner::Operate => shared.servers.is_running(Listener::Operate),
            Owner::Tasklist => shared.servers.is_running(Listener::Tasklist),
            Owner::Optimize => shared.servers.is_running(Listener::Optimize),
            Owner::Zeebe => (0..shared.config.brokers as usize).any(|b| shared.broker_up(b)),
        }
    }

    /// Indices the owner creates at start (Zeebe creates its dated indices on demand: none).
    pub(crate) fn indices(self) -> Vec<&'static str> {
        match self {
            Owner::Operate => OPERATE_INDICES.to_vec(),
            Owner::Tasklist => TASKLIST_INDICES.to_vec(),
            Owner::Optimize => OPTIMIZE_IMPORT_INDICES
                .iter()
                .chain(OPTIMIZE_OTHER_INDICES)
                .copied()
                .collect(),
            Owner::Zeebe => Vec::new(),
        }
    }

    /// Index templates `(name, index_template)` the owner creates.
    pub(crate) fn templates(self, config: &SimConfig) -> Vec<(String, Value)> {
        match self {
            Owner::Zeebe => ZEEBE_VALUE_TYPES
                .iter()
                .map(|vt| {
                    let name = format!("zeebe-record_{vt}_{}_", config.version);
                    let body = json!({
                        "index_patterns": [format!("{name}*")],
                        "template": {"settings": {"index": {"number_of_shards": "1", "number_of_replicas": "0"}},
                                     "aliases": {format!("zeebe-record-{vt}"): {}}},
                        "composed_of": ["zeebe-record"],
                        "priority": 20,
                    });
                    (name, body)
                })
                .collect(),
            app => app
                .indices()
                .into_iter()
                .map(|index| {
                    let body = json!({
                        "index_patterns": [format!("{index}*")],
                        "template": {"settings": {"index": {"number_of_shards": "1", "number_of_replicas": "0"}},
                                     "aliases": {format!("{index}alias"): {}}},
                        "composed_of": [],
                        "priority": 0,
                    });
                    (format!("{index}template"), body)
                })
                .collect(),
        }
    }
}

/// What a schema set-up created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Created {
    pub templates: usize,
    pub indices: usize,
}

/// Creates the owner's missing templates and (for the web apps) missing empty indices.
pub(crate) fn ensure(es: &mut EsState, owner: Owner, config: &SimConfig) -> Created {
    let mut created = Created::default();
    for (name, body) in owner.templates(config) {
        if let std::collections::btree_map::Entry::Vacant(slot) = es.templates.entry(name) {
            slot.insert(body);
            created.templates += 1;
        }
    }
    for index in owner.indices() {
        if es.create_empty_index(index) {
            created.indices += 1;
        }
    }
    created
}

/// Only the templates of `owner` (the seed's `seed_templates`).
pub(crate) fn ensure_templates(es: &mut EsState, owner: Owner, config: &SimConfig) {
    for (name, body) in owner.templates(config) {
        es.templates.entry(name).or_insert(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_found_by_prefix() {
        assert_eq!(
            Owner::of_index("operate-list-view-8.3.0_"),
            Some(Owner::Operate)
        );
        assert_eq!(
            Owner::of_index("zeebe-record_job_8.7.3_2025-06-03"),
            Some(Owner::Zeebe)
        );
        assert_eq!(Owner::of_index("other"), None);
    }

    #[test]
    fn a_web_app_creates_templates_and_empty_indices_once() {
        let config = SimConfig::default();
        let mut es = EsState::default();
        let first = ensure(&mut es, Owner::Tasklist, &config);
        assert_eq!(first.templates, TASKLIST_INDICES.len());
        assert_eq!(first.indices, TASKLIST_INDICES.len());
        assert_eq!(es.indices["tasklist-task-8.5.0_"].docs_count, 0);
        assert_eq!(
            ensure(&mut es, Owner::Tasklist, &config),
            Created::default()
        );
        let zeebe = ensure(&mut es, Owner::Zeebe, &config);
        assert_eq!(zeebe.indices, 0);
        assert!(es.templates.contains_key("zeebe-record_job_8.7.3_"));
    }
}
