//! The run page's event stream: `/api/v1/backups/{id}/events`, followed by [`crate::ui::live`].

use crate::domain::{RunEvent, RunView};
use leptos::prelude::*;

pub fn subscribe(
    id: impl Fn() -> i64 + Send + Sync + 'static,
    run: RwSignal<Option<RunView>>,
    connection: RwSignal<String>,
    shown: NodeRef<leptos::html::P>,
) {
    crate::ui::live::follow(
        move || {
            let id = id();
            (id > 0).then(|| format!("/api/v1/backups/{id}/events"))
        },
        run,
        connection,
        shown,
        |event: RunEvent, _: Option<&RunView>| {
            let terminal = event.is_terminal();
            Some((event.run, terminal))
        },
    );
}
