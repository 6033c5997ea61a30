//! HTTPS on the component listeners: the generated CA, mutual TLS, stop/start, plain admin API.

use crate::common;

use std::time::Duration;

use camunda_sim::{start, Component, RunningSimulator, SimConfig, TlsConfig};
use common::fast_config;

async fn tls_sim(require_client_cert: bool) -> RunningSimulator {
    let config = SimConfig {
        tls: TlsConfig {
            enabled: true,
            require_client_cert,
            self_signed: false,
        },
        ..fast_config()
    };
    start(config).await.expect("simulator starts with TLS")
}

/// A client without any trusted root (the system's roots would not know the simulator's CA).
fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .tls_built_in_root_certs(false)
}

/// A client that trusts the simulator's CA.
fn trusting(sim: &RunningSimulator) -> reqwest::ClientBuilder {
    let ca = sim.ca_pem().expect("CA PEM with TLS");
    builder().add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).expect("CA"))
}

/// A client that trusts the CA and presents the generated client certificate.
fn with_identity(sim: &RunningSimulator) -> reqwest::Client {
    let pem = format!(
        "{}\n{}",
        sim.client_cert_pem().expect("client cert"),
        sim.client_key_pem().expect("client key")
    );
    trusting(sim)
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity"))
        .build()
        .expect("client")
}

async fn status(client: &reqwest::Client, url: &str) -> u16 {
    client
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e:?}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_component_serves_https_when_the_client_trusts_the_ca() {
    let sim = tls_sim(false).await;
    let u = sim.urls().clone();
    let client = trusting(&sim).build().unwrap();
    for base in [
        &u.zeebe_gateway,
        &u.zeebe_brokers[0],
        &u.operate,
        &u.tasklist,
        &u.optimize,
    ] {
        assert!(base.starts_with("https://127.0.0.1:"), "{base}");
        assert_eq!(
            status(&client, &format!("{base}/actuator/health")).await,
            200
        );
    }
    assert!(u.elasticsearch.starts_with("https://127.0.0.1:"));
    assert_eq!(status(&client, &format!("{}/", u.elasticsearch)).await, 200);

    // the certificate is valid for `localhost` too
    let port = u.operate.rsplit(':').next().unwrap();
    let by_name = format!("https://localhost:{port}/actuator/health");
    assert_eq!(status(&client, &by_name).await, 200);

    // the admin API stays plain HTTP
    assert!(u.admin.starts_with("http://"));
    assert_eq!(
        status(
            &builder().build().unwrap(),
            &format!("{}/admin/state", u.admin)
        )
        .await,
        200
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn https_fails_when_the_client_does_not_trust_the_ca_and_the_listener_survives() {
    let sim = tls_sim(false).await;
    let url = format!("{}/actuator/backups", sim.urls().zeebe_gateway);
    let untrusting = builder().build().unwrap();
    for _ in 0..3 {
        let err = untrusting.get(&url).send().await.unwrap_err();
        assert!(err.is_connect() || err.is_request(), "{err:?}");
    }
    // a plain-HTTP request to the TLS port fails as well
    let plain = url.replacen("https://", "http://", 1);
    assert!(untrusting
        .get(&plain)
        .send()
        .await
        .map_or(true, |r| !r.status().is_success()));
    // failed handshakes did not kill the accept loop
    let client = trusting(&sim).build().unwrap();
    assert_eq!(status(&client, &url).await, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_stopped_https_component_restarts_on_the_same_port_with_tls() {
    let sim = tls_sim(false).await;
    let url = format!("{}/_cat/indices", sim.urls().elasticsearch);
    let control = sim.control();
    control
        .stop_component(Component::Elasticsearch)
        .await
        .unwrap();
    let client = trusting(&sim).build().unwrap();
    assert!(client.get(&url).send().await.unwrap_err().is_connect());
    control
        .start_component(Component::Elasticsearch)
        .await
        .unwrap();
    let fresh = trusting(&sim).build().unwrap();
    assert_eq!(status(&fresh, &url).await, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn mutual_tls_rejects_a_client_without_the_client_certificate() {
    let sim = tls_sim(true).await;
    let url = format!("{}/actuator/backups", sim.urls().operate);
    let anonymous = trusting(&sim).build().unwrap();
    let result = anonymous.get(&url).send().await;
    assert!(result.is_err(), "expected a TLS failure, got {result:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn mutual_tls_accepts_the_generated_client_identity() {
    let sim = tls_sim(true).await;
    let client = with_identity(&sim);
    let u = sim.urls().clone();
    assert_eq!(
        status(&client, &format!("{}/actuator/backups", u.operate)).await,
        200
    );
    assert_eq!(status(&client, &format!("{}/", u.elasticsearch)).await, 200);
    let key = sim.client_key_pem().unwrap();
    assert!(
        key.starts_with("-----BEGIN PRIVATE KEY-----"),
        "PKCS#8: {key}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn without_tls_there_is_no_certificate_material() {
    let sim = start(fast_config()).await.unwrap();
    assert!(sim.urls().zeebe_gateway.starts_with("http://"));
    assert_eq!(sim.ca_pem(), None);
    assert_eq!(sim.control().client_cert_pem(), None);
    assert_eq!(sim.control().client_key_pem(), None);
    sim.shutdown().await;
}

#[test]
fn the_tls_section_parses_and_rejects_unknown_keys() {
    let c =
        SimConfig::from_toml_str("[tls]\nenabled = true\nrequire_client_cert = true\n").unwrap();
    assert_eq!(
        c.tls,
        TlsConfig {
            enabled: true,
            require_client_cert: true,
            self_signed: false,
        }
    );
    assert!(SimConfig::from_toml_str("[tls]\nenable = true\n").is_err());
    assert!(!SimConfig::default().tls.enabled);
}
