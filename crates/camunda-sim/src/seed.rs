//! Realistic seed data for Elasticsearch: repository, indices and index templates (the ones the
//! applications and Zeebe's exporter create, see [`crate::schema`]).

use serde_json::json;

use crate::config::SimConfig;
use crate::schema::{self, Owner};
use crate::state::es::{EsState, Repository};

/// Operate indices (8.5+ naming).
pub const OPERATE_INDICES: &[&str] = &[
    "operate-import-position-8.3.0_",
    "operate-list-view-8.3.0_",
    "operate-flownode-instance-8.3.1_",
    "operate-variable-8.3.0_",
    "operate-incident-8.3.1_",
    "operate-process-8.3.0_",
    "operate-decision-8.3.0_",
    "operate-decision-requirements-8.3.0_",
    "operate-decision-instance-8.3.0_",
    "operate-event-8.3.0_",
    "operate-sequence-flow-8.3.0_",
    "operate-operation-8.4.1_",
    "operate-batch-operation-1.0.0_",
    "operate-post-importer-queue-8.3.0_",
    "operate-metric-8.3.0_",
    "operate-user-task-8.5.0_",
    "operate-message-8.5.0_",
    "operate-web-session-1.1.0_",
    "operate-migration-steps-repository-1.1.0_",
];

/// Tasklist indices.
pub const TASKLIST_INDICES: &[&str] = &[
    "tasklist-import-position-8.2.0_",
    "tasklist-task-8.5.0_",
    "tasklist-variable-8.3.0_",
    "tasklist-task-variable-8.3.0_",
    "tasklist-draft-task-variable-8.3.0_",
    "tasklist-process-8.4.0_",
    "tasklist-form-8.4.0_",
    "tasklist-flownode-instance-8.3.0_",
    "tasklist-process-instance-8.3.0_",
    "tasklist-metric-8.3.0_",
    "tasklist-web-session-1.1.0_",
    "tasklist-migration-steps-repository-1.1.0_",
];

/// Optimize import indices (part 1 of 2).
pub const OPTIMIZE_IMPORT_INDICES: &[&str] = &[
    "optimize-timestamp-based-import-index_v5",
    "optimize-position-based-import-index_v3",
];

/// Optimize other indices (part 2 of 2).
pub const OPTIMIZE_OTHER_INDICES: &[&str] = &[
    "optimize-metadata_v3",
    "optimize-process-definition_v6",
    "optimize-decision-definition_v5",
    "optimize-process-instance-invoice_v11",
    "optimize-single-process-report_v11",
    "optimize-collection_v5",
    "optimize-dashboard_v8",
    "optimize-settings_v2",
];

/// Zeebe record value types used for the seeded `zeebe-record_*` indices.
pub const ZEEBE_VALUE_TYPES: &[&str] = &[
    "process",
    "job",
    "deployment",
    "process-instance",
    "variable",
    "incident",
    "user-task",
];

/// Seeds repository, indices and templates as configured.
pub fn seed_es(config: &SimConfig, es: &mut EsState) {
    let ec = &config.elasticsearch;
    if ec.seed_repository && !config.es_repository.is_empty() {
        es.repositories
            .entry(config.es_repository.clone())
            .or_insert_with(|| Repository {
                kind: "fs".into(),
                settings: json!({"location": ec.repository_location}),
            });
    }
    if ec.seed_indices {
        for vt in ZEEBE_VALUE_TYPES {
            let name = format!(
                "zeebe-record_{vt}_{}_{}",
                config.version, ec.zeebe_index_date
            );
            es.create_index(&name, 120);
        }
        let all = OPERATE_INDICES
            .iter()
            .chain(TASKLIST_INDICES)
            .chain(OPTIMIZE_IMPORT_INDICES)
            .chain(OPTIMIZE_OTHER_INDICES);
        for name in all {
            es.create_index(name, 40);
        }
    }
    if ec.seed_templates {
        // the applications and Zeebe's exporter have started once against this Elasticsearch
        for owner in Owner::ALL {
            schema::ensure_templates(es, owner, config);
        }
    }
}

/// Indices of Operate/Tasklist part `part` (1-based) of `count`: round-robin split.
pub fn webapp_part_indices(all: &[&str], part: u32, count: u32) -> Vec<String> {
    all.iter()
        .enumerate()
        .filter(|(i, _)| (*i as u32) % count == part - 1)
        .map(|(_, n)| n.to_string())
        .collect()
}
