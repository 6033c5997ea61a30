//! The restore page's event stream: `/api/v1/restores/{id}/events`, followed by
//! [`crate::ui::live`].

use crate::domain::{RestoreEvent, RestoreView};
use leptos::prelude::*;

pub fn subscribe(
    id: impl Fn() -> i64 + Send + Sync + 'static,
    restore: RwSignal<Option<RestoreView>>,
    connection: RwSignal<String>,
    shown: NodeRef<leptos::html::P>,
) {
    crate::ui::live::follow(
        move || {
            let id = id();
            (id > 0).then(|| format!("/api/v1/restores/{id}/events"))
        },
        restore,
        connection,
        shown,
        |event: RestoreEvent, current: Option<&RestoreView>| {
            let terminal = event.state.is_terminal();
            event.applied_to(current).map(|view| (view, terminal))
        },
    );
}
