//! Shared helpers for the simulator's integration tests.
#![allow(dead_code)]

use std::time::Duration;

use camunda_sim::{start, RunningSimulator, SimConfig, TimingConfig};
use serde_json::Value;

/// A configuration with short timings so tests run fast.
pub fn fast_config() -> SimConfig {
    SimConfig {
        timing: TimingConfig {
            zeebe_partition_backup_ms: 100,
            webapp_part_ms: 60,
            webapp_part_gap_ms: 60,
            optimize_part_ms: 50,
            es_snapshot_ms: 80,
            es_restore_ms: 10,
            ..TimingConfig::default()
        },
        ..SimConfig::default()
    }
}

/// Starts a simulator with `fast_config`.
pub async fn sim() -> RunningSimulator {
    start(fast_config()).await.expect("simulator starts")
}

/// An HTTP client with a timeout. It does not load the system's root certificates (slow, and
/// only the simulator's own CA matters here).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .tls_built_in_root_certs(false)
        .build()
        .expect("client")
}

/// Sends a request and returns (status, body text).
pub async fn call(method: &str, url: &str, body: Option<Value>) -> (u16, String) {
    let c = client();
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = c.request(m, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request succeeds");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

/// Sends a request and parses the JSON answer.
pub async fn call_json(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let (status, text) = call(method, url, body).await;
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("invalid JSON {text:?}: {e}"))
    };
    (status, v)
}

/// Polls `url` until `state` equals `want` (or the deadline passes); returns every state seen.
pub async fn poll_state(url: &str, want: &str, max: Duration) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + max;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let (_, v) = call_json("GET", url, None).await;
        let state = v["state"].as_str().unwrap_or("?").to_string();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == want || tokio::time::Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
