//! `get_console_info` and `get_overview`.

use crate::domain::{ClusterOverview, ConsoleInfo, Failure};
use leptos::prelude::*;

/// Cluster name and whether it is the embedded simulator (for the banner).
#[server(client = crate::api::CsrfClient)]
pub async fn get_console_info() -> Result<ConsoleInfo, Failure> {
    let console = console()?;
    Ok(console.console_info())
}

/// The latest probe of the cluster; `None` until the first probe finished.
#[server(client = crate::api::CsrfClient)]
pub async fn get_overview() -> Result<Option<ClusterOverview>, Failure> {
    let console = console()?;
    Ok(console.overview.get().await)
}

#[cfg(feature = "ssr")]
pub(crate) fn console() -> Result<std::sync::Arc<crate::state::Console>, Failure> {
    use_context::<std::sync::Arc<crate::state::Console>>().ok_or_else(|| {
        Failure::new(
            "internal",
            "The console state is missing (server set-up bug).",
        )
    })
}
