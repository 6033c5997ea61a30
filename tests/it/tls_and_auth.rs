//! TLS and credentials against the simulator serving HTTPS with a generated private CA: a
//! trusted CA and mutual TLS work end to end; an untrusted certificate, a missing client
//! certificate and refused credentials are reported naming the component and the setting to
//! fix, before anything changes in the cluster.

use crate::common;

use camunda_backup_console::config::{RawManagementAuth, RawSecret, RawSettings, Settings};
use camunda_sim::{AuthConfig, ElasticsearchAuth, ManagementAuth};
use common::{assert_exporting, fast_sim, raw_settings_for, start_with};
use std::path::Path;

fn tls_sim(require_client_cert: bool) -> camunda_sim::SimConfig {
    let mut c = fast_sim();
    c.tls.enabled = true;
    c.tls.require_client_cert = require_client_cert;
    c
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

fn settings(raw: RawSettings) -> Settings {
    Settings::validate(raw).expect("valid settings")
}

/// Starts a backup and expects it refused with 503 before anything ran; returns the message.
async fn refused_before_anything_changes(console: &common::TestConsole) -> String {
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 503, "{body}");
    // Only reads (and the prober's repository check, which writes nothing that stays).
    let calls = console.sim.control().calls();
    assert!(
        !calls
            .iter()
            .any(|c| c.method != "GET" && c.operation != "verify_repository"),
        "something was changed: {calls:?}"
    );
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn https_with_the_clusters_ca_in_ca_file_backs_up_end_to_end() {
    let sim = camunda_sim::start(tls_sim(false)).await.expect("sim");
    assert!(sim.urls().elasticsearch.starts_with("https://"));
    let dir = tempfile::tempdir().expect("tmp");
    let mut raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    if let Some(c) = raw.cluster.as_mut() {
        c.tls.ca_file = Some(write(dir.path(), "ca.pem", &sim.ca_pem().expect("ca")));
    }
    let console = start_with(sim, settings(raw)).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_exporting(&console.sim).await;
    console.stop().await;
}

/// A quick Elasticsearch (or gateway) set-up serves one self-signed certificate that is its
/// own CA (what `openssl req -x509` makes). Put in `ca_file`, that very certificate is trusted
/// (pinned, byte for byte) although a CA certificate may not normally serve as a server's.
#[tokio::test]
async fn a_self_signed_certificate_that_is_its_own_ca_is_trusted_when_it_is_in_ca_file() {
    let mut config = tls_sim(false);
    config.tls.self_signed = true;
    let sim = camunda_sim::start(config).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let mut raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    if let Some(c) = raw.cluster.as_mut() {
        c.tls.ca_file = Some(write(dir.path(), "es.pem", &sim.ca_pem().expect("cert")));
    }
    let console = start_with(sim, settings(raw)).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn a_self_signed_certificate_not_in_ca_file_is_reported_as_untrusted() {
    let mut config = tls_sim(false);
    config.tls.self_signed = true;
    let sim = camunda_sim::start(config).await.expect("sim");
    let raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    let console = start_with(sim, settings(raw)).await;
    let message = refused_before_anything_changes(&console).await;
    assert!(message.contains("cluster.tls.ca_file"), "{message}");
    console.stop().await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_reported_naming_the_component_and_ca_file() {
    let sim = camunda_sim::start(tls_sim(false)).await.expect("sim");
    let raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    let console = start_with(sim, settings(raw)).await;
    let message = refused_before_anything_changes(&console).await;
    assert!(message.contains("Zeebe gateway"), "{message}");
    assert!(message.contains("cluster.tls.ca_file"), "{message}");
    assert!(message.to_lowercase().contains("certificate"), "{message}");
    console.stop().await;
}

#[tokio::test]
async fn mutual_tls_needs_the_client_certificate() {
    let sim = camunda_sim::start(tls_sim(true)).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let ca = write(dir.path(), "ca.pem", &sim.ca_pem().expect("ca"));
    let cert = write(
        dir.path(),
        "client.pem",
        &sim.client_cert_pem().expect("cert"),
    );
    let key = write(
        dir.path(),
        "client.key",
        &sim.client_key_pem().expect("key"),
    );
    let urls = sim.urls().clone();

    // Without the client certificate: refused, naming the setting.
    let mut raw = raw_settings_for(&urls, "sqlite::memory:");
    if let Some(c) = raw.cluster.as_mut() {
        c.tls.ca_file = Some(ca.clone());
    }
    let console = start_with(sim, settings(raw.clone())).await;
    let message = refused_before_anything_changes(&console).await;
    assert!(
        message.contains("cluster.tls.client_cert_file"),
        "{message}"
    );
    let (sim, _) = console.shut_down().await;

    // With it: a backup completes.
    if let Some(c) = raw.cluster.as_mut() {
        c.tls.client_cert_file = Some(cert);
        c.tls.client_key_file = Some(key);
    }
    let console = start_with(sim, settings(raw)).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    console.stop().await;
}

fn guarded_sim() -> camunda_sim::SimConfig {
    let mut c = fast_sim();
    c.auth = AuthConfig {
        management: Some(ManagementAuth::basic("ops", "s3cret")),
        elasticsearch: Some(ElasticsearchAuth::api_key("aWQ6a2V5")),
        ..Default::default()
    };
    c
}

#[tokio::test]
async fn credentials_for_the_actuators_and_an_elasticsearch_api_key_back_up_end_to_end() {
    let sim = camunda_sim::start(guarded_sim()).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let mut raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    if let Some(c) = raw.cluster.as_mut() {
        c.management_auth = Some(RawManagementAuth {
            username: Some("ops".into()),
            password_file: Some(write(dir.path(), "pw", "s3cret\n")),
            ..RawManagementAuth::default()
        });
        c.elasticsearch_api_key = Some(RawSecret::from("aWQ6a2V5"));
    }
    let console = start_with(sim, settings(raw)).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    // The secrets never reach the browser's data.
    for path in [
        "/api/v1/console",
        "/api/v1/cluster",
        &format!("/api/v1/backups/{id}"),
    ] {
        let (_, body) = console.get_json(path).await;
        let text = body.to_string();
        assert!(
            !text.contains("s3cret") && !text.contains("aWQ6a2V5"),
            "{path}: {text}"
        );
    }
    console.stop().await;
}

#[tokio::test]
async fn refused_credentials_name_the_component_and_the_setting() {
    let sim = camunda_sim::start(guarded_sim()).await.expect("sim");
    let mut raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    if let Some(c) = raw.cluster.as_mut() {
        c.management_auth = Some(RawManagementAuth {
            username: Some("ops".into()),
            password: Some(RawSecret::from("wrong")),
            ..RawManagementAuth::default()
        });
        c.elasticsearch_api_key = Some(RawSecret::from("aWQ6a2V5"));
    }
    let console = start_with(sim, settings(raw.clone())).await;
    let message = refused_before_anything_changes(&console).await;
    assert!(
        message.contains("Zeebe gateway refused the console's credentials"),
        "{message}"
    );
    assert!(message.contains("HTTP 401"), "{message}");
    assert!(message.contains("[cluster.management_auth]"), "{message}");
    let (sim, _) = console.shut_down().await;

    // Right actuator credentials, no Elasticsearch key: Elasticsearch is named.
    if let Some(c) = raw.cluster.as_mut() {
        c.management_auth = Some(RawManagementAuth {
            username: Some("ops".into()),
            password: Some(RawSecret::from("s3cret")),
            ..RawManagementAuth::default()
        });
        c.elasticsearch_api_key = None;
    }
    let console = start_with(sim, settings(raw)).await;
    let message = refused_before_anything_changes(&console).await;
    assert!(
        message.contains("Elasticsearch refused the console's credentials"),
        "{message}"
    );
    assert!(
        message.contains("cluster.elasticsearch_api_key"),
        "{message}"
    );
    console.stop().await;
}
