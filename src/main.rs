//! Server entry point: settings → tracing → application → serve until Ctrl-C / SIGTERM.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use camunda_backup_console::{config, startup::Application};
    use std::process::ExitCode;
    use tracing_subscriber::EnvFilter;

    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,camunda_sim=info")),
        )
        .init();

    let config_path = config_path();
    let settings = match config::load(config_path.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            return ExitCode::from(2);
        }
    };
    let leptos_options = match leptos_options(settings.listen) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("Leptos configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let app = match Application::build(settings, leptos_options).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("{}", error_chain(&e));
            return ExitCode::FAILURE;
        }
    };
    match app.local_addr() {
        Ok(addr) => tracing::info!("console listening on http://{addr}"),
        Err(e) => tracing::warn!("{}", error_chain(&e)),
    }
    if let Err(e) = app.run_until(shutdown_signal()).await {
        tracing::error!("{}", error_chain(&e));
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `--config PATH` (or `--config=PATH`) wins over `CONSOLE_CONFIG`.
#[cfg(feature = "ssr")]
fn config_path() -> Option<std::path::PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--config" {
            return args.next().map(Into::into);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(path.into());
        }
    }
    std::env::var_os("CONSOLE_CONFIG").map(Into::into)
}

/// Leptos' own options (site root, output name) with our listen address.
#[cfg(feature = "ssr")]
fn leptos_options(
    listen: std::net::SocketAddr,
) -> Result<leptos::prelude::LeptosOptions, leptos::config::errors::LeptosConfigError> {
    let mut options = leptos::prelude::get_configuration(None)?.leptos_options;
    options.site_addr = listen;
    Ok(options)
}

#[cfg(feature = "ssr")]
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(not(feature = "ssr"))]
fn main() {}
