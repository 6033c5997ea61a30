//! What components do when they start: Operate, Tasklist and Optimize create their missing
//! index templates and indices; a broker opens its data directory (an empty one gets empty
//! partitions) and Zeebe's exporter creates its `zeebe-record_*` templates. Stopping a component
//! leaves Elasticsearch alone.

use crate::component::Listener;
use crate::faults::lock;
use crate::schema::{self, Owner};
use crate::shared::Shared;

/// Runs the start-up work of `listener`'s component (after its listener is bound again).
pub(crate) fn on_started(shared: &Shared, listener: Listener) {
    match listener {
        Listener::Operate => set_up_schema(shared, Owner::Operate),
        Listener::Tasklist => set_up_schema(shared, Owner::Tasklist),
        Listener::Optimize => set_up_schema(shared, Owner::Optimize),
        Listener::Broker(i) => {
            let broker = i as u32;
            {
                let mut st = lock(&shared.state);
                let hosted = shared.config.hosted_partitions(broker);
                if st.zeebe.start_broker(broker, &hosted) {
                    tracing::warn!(broker, "broker started on an empty data directory");
                }
                shared.save_zeebe(&st);
            }
            set_up_schema(shared, Owner::Zeebe);
        }
        Listener::Zeebe | Listener::Elasticsearch | Listener::Rest | Listener::Admin => {}
    }
}

/// Creates the owner's missing templates and indices, if Elasticsearch is reachable (a real
/// application would retry until it is; the simulator skips it).
fn set_up_schema(shared: &Shared, owner: Owner) {
    if !shared.es_up() {
        tracing::warn!(
            ?owner,
            "Elasticsearch is down: schema not checked at start-up"
        );
        return;
    }
    let mut st = lock(&shared.state);
    let created = schema::ensure(&mut st.es, owner, &shared.config);
    if created != schema::Created::default() {
        shared.save_es(&st);
        tracing::info!(
            ?owner,
            templates = created.templates,
            indices = created.indices,
            "schema created at start-up"
        );
    }
}
