//! `camunda-sim`: runs the Camunda cluster simulator until Ctrl-C / SIGTERM.

use std::path::{Path, PathBuf};

use camunda_sim::{start, RunningSimulator, SimConfig};
use clap::Parser;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "camunda-sim",
    about = "Simulated Camunda 8 Self-Managed cluster"
)]
struct Args {
    /// Scenario TOML file (defaults apply when absent).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Write the component URLs as JSON to this file.
    #[arg(long)]
    urls_file: Option<PathBuf>,
    /// With `[tls]` enabled: write `ca.pem`, `client.pem` and `client-key.pem` into this directory.
    #[arg(long)]
    tls_dir: Option<PathBuf>,
}

/// Writes the generated CA and client certificate (nothing when TLS is off).
fn write_tls_files(dir: &Path, sim: &RunningSimulator) -> std::io::Result<()> {
    let files = [
        ("ca.pem", sim.ca_pem()),
        ("client.pem", sim.client_cert_pem()),
        ("client-key.pem", sim.client_key_pem()),
    ];
    if files.iter().all(|(_, pem)| pem.is_none()) {
        tracing::warn!("--tls-dir given but [tls] is not enabled; nothing written");
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    for (name, pem) in files {
        if let Some(pem) = pem {
            std::fs::write(dir.join(name), pem)?;
        }
    }
    tracing::info!(dir = %dir.display(), "TLS CA and client certificate written");
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let config = match &args.scenario {
        Some(path) => SimConfig::from_file(path)?,
        None => SimConfig::default(),
    };
    let sim = start(config).await?;
    let urls = sim.urls().clone();
    tracing::info!(zeebe_gateway = %urls.zeebe_gateway, brokers = ?urls.zeebe_brokers,
        operate = %urls.operate, tasklist = %urls.tasklist, optimize = %urls.optimize,
        elasticsearch = %urls.elasticsearch, admin = %urls.admin, "simulator running");
    if let Some(path) = &args.urls_file {
        std::fs::write(path, serde_json::to_string_pretty(&urls)?)?;
    }
    if let Some(dir) = &args.tls_dir {
        write_tls_files(dir, &sim)?;
    }
    wait_for_signal().await;
    sim.shutdown().await;
    Ok(())
}
