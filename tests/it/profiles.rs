//! Version profiles, over real HTTP: the overview names the profile detected from the
//! components' `/actuator/info` (and why), a component on another minor is named, and a
//! backup of a profile this build does not run is refused at pre-flight — before exporting is
//! paused or any backup is taken — with words that say what to do.

use crate::common::{eventually, fast_sim, start, start_adjusted};
use std::time::Duration;

async fn profile_of(console: &crate::common::TestConsole) -> serde_json::Value {
    eventually("the first probe", Duration::from_secs(10), || async {
        let (status, o) = console.get_json("/api/v1/cluster").await;
        (status == 200 && o["profile"].is_object()).then(|| o["profile"].clone())
    })
    .await
}

#[tokio::test]
async fn an_8_7_cluster_runs_the_legacy_profile() {
    let console = start(fast_sim()).await;
    let p = profile_of(&console).await;
    assert_eq!(p["id"], "legacy");
    assert_eq!(p["source"], "detected");
    assert_eq!(p["executable"], true);
    assert!(p["why"].as_str().is_some_and(|w| w.contains("8.7")), "{p}");
    console.stop().await;
}

#[tokio::test]
async fn an_8_8_cluster_is_detected_and_its_backup_refused_before_anything_changes() {
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    sim.optimize_version = Some("8.7.9".into());
    let console = start(sim).await;
    let p = profile_of(&console).await;
    assert_eq!(p["id"], "v88");
    assert_eq!(p["executable"], false);
    assert!(
        p["why"].as_str().is_some_and(|w| w.contains("8.8.2")),
        "{p}"
    );
    let mismatches = p["mismatches"].as_array().expect("mismatches");
    assert_eq!(mismatches.len(), 1, "{p}");
    assert!(mismatches[0]
        .as_str()
        .is_some_and(|m| m.starts_with("Optimize runs 8.7.9")));

    // Backup Now is refused with the profile's words, before any id is read or anything changes.
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_version");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Camunda 8.8") && message.contains("8.8.2"),
        "{message}"
    );
    assert!(
        message.contains("backupHistory") && message.contains("Nothing was changed"),
        "{message}"
    );
    // Nothing was asked of the cluster but reads (the overview's repository verification is
    // a POST that writes nothing to the cluster's data).
    let writes: Vec<_> = console
        .sim
        .control()
        .calls()
        .into_iter()
        .filter(|c| c.method != "GET" && c.operation != "verify_repository")
        .map(|c| format!("{} {} {}", c.component, c.method, c.operation))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    console.stop().await;
}

#[tokio::test]
async fn a_configured_version_overrides_detection() {
    let console = start_adjusted(fast_sim(), |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.camunda_version = Some("8.9".into());
        }
    })
    .await;
    let p = profile_of(&console).await;
    assert_eq!(p["id"], "v89");
    assert_eq!(p["source"], "configured");
    // The components say 8.7: each is named.
    assert_eq!(p["mismatches"].as_array().map(Vec::len), Some(4), "{p}");
    console.stop().await;
}
