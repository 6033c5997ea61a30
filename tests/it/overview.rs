//! The overview probe against the simulator over real HTTP.

use crate::common;

use common::{eventually, start};
use serde_json::Value;
use std::time::Duration;

fn component<'a>(overview: &'a Value, label: &str) -> Vec<&'a Value> {
    overview["components"]
        .as_array()
        .map(|a| a.iter().filter(|c| c["kind"] == label).collect())
        .unwrap_or_default()
}

async fn overview(console: &common::TestConsole) -> Option<Value> {
    let (status, body) = console.get_json("/api/v1/cluster").await;
    (status == 200).then_some(body)
}

#[tokio::test]
async fn every_component_answers_with_its_version_partitions_and_repository() {
    let console = start(camunda_sim::SimConfig::default()).await;
    let o = eventually("first probe", Duration::from_secs(10), || {
        overview(&console)
    })
    .await;
    for kind in ["zeebe", "operate", "tasklist", "optimize", "elasticsearch"] {
        let rows = component(&o, kind);
        assert_eq!(rows.len(), 1, "{kind}");
        assert_eq!(rows[0]["answering"], true, "{kind}: {}", rows[0]);
        assert_eq!(rows[0]["error"], Value::Null, "{kind}: {}", rows[0]);
        assert!(
            rows[0]["version"].is_string(),
            "{kind} has a version: {}",
            rows[0]
        );
    }
    assert_eq!(component(&o, "broker").len(), 3);
    assert_eq!(o["zeebe"]["exporting"], "EXPORTING");
    assert_eq!(o["zeebe"]["partitions"].as_array().map(Vec::len), Some(3));
    assert_eq!(o["repository"]["exists"], true);
    assert_eq!(o["repository"]["verified"], true);
    console.stop().await;
}

#[tokio::test]
async fn a_stopped_component_is_reported_as_not_answering_with_its_name() {
    let console = start(camunda_sim::SimConfig::default()).await;
    eventually("first probe", Duration::from_secs(10), || {
        overview(&console)
    })
    .await;
    console
        .sim
        .control()
        .stop_component(camunda_sim::Component::Tasklist)
        .await
        .expect("stop");
    let row = eventually("tasklist down", Duration::from_secs(10), || async {
        let o = overview(&console).await?;
        let row = component(&o, "tasklist").first().cloned().cloned()?;
        (row["answering"] == false).then_some(row)
    })
    .await;
    let error = row["error"].as_str().unwrap_or_default();
    assert!(error.contains("Tasklist"), "{error}");
    assert!(error.contains("could not be reached"), "{error}");
    console.stop().await;
}

#[tokio::test]
async fn a_missing_repository_is_explained() {
    let console = common::start_adjusted(camunda_sim::SimConfig::default(), |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.snapshot_repository = "backups".into();
        }
    })
    .await;
    let o = eventually("first probe", Duration::from_secs(10), || {
        overview(&console)
    })
    .await;
    assert_eq!(o["repository"]["exists"], false);
    let error = o["repository"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("`backups` does not exist"), "{error}");
    console.stop().await;
}
