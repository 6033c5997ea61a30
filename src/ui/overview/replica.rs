//! Which console replica answered, and which one leads (runs backups, restores, schedules).

use crate::domain::ReplicaInfo;
use crate::ui::time::clock;
use leptos::prelude::*;

#[component]
pub fn ReplicaCard(replica: ReplicaInfo) -> impl IntoView {
    let leader = match (&replica.leader_id, replica.leader) {
        (_, true) => "this replica".to_owned(),
        (Some(id), false) => id.clone(),
        (None, false) => "none right now — a takeover is under way".to_owned(),
    };
    let role = if replica.leader { "leader" } else { "follower" };
    view! {
        <section class="card" aria-label="Console replica" data-replica-role=role>
            <h2>"Console replica"</h2>
            <dl>
                <dt>"This replica"</dt>
                <dd>
                    <code data-replica-id>{replica.id}</code>
                    " (" {role} ")"
                </dd>
                <dt>"Leader"</dt>
                <dd data-leader>{leader}</dd>
                <dt>"Leading since"</dt>
                <dd>{replica.leader_since.as_deref().map_or_else(|| "—".to_owned(), clock)}</dd>
            </dl>
            <p class="muted">
                "The leader runs backups, restores, schedules, retention and alerts; every replica serves pages and the API."
            </p>
        </section>
    }
}
