//! The watchdog: exporting paused while no run holds the pause raises an alert and, when
//! configured, is resumed.

use crate::common;

use common::{eventually, fast_sim, leader_phases};
use std::time::Duration;

async fn pause_behind_the_consoles_back(urls: &camunda_sim::SimUrls) {
    let r = common::client()
        .post(format!("{}/actuator/exporting/pause", urls.zeebe_gateway))
        .send()
        .await
        .expect("pause");
    assert!(r.status().is_success());
}

#[tokio::test]
async fn exporting_paused_outside_a_run_raises_an_alert() {
    let console = common::start(fast_sim()).await;
    pause_behind_the_consoles_back(console.sim.urls()).await;
    let alert = eventually("alert", Duration::from_secs(10), || async {
        let (_, info) = console.get_json("/api/v1/console").await;
        info["alert"].as_str().map(str::to_owned)
    })
    .await;
    assert!(alert.contains("PAUSED"), "{alert}");
    // Not configured to resume: it stays paused.
    assert!(leader_phases(console.sim.urls())
        .await
        .iter()
        .all(|p| p == "PAUSED"));
    console.stop().await;
}

#[tokio::test]
async fn the_watchdog_resumes_exporting_when_configured() {
    let console = common::start_adjusted(fast_sim(), |s| s.watchdog_resume = true).await;
    pause_behind_the_consoles_back(console.sim.urls()).await;
    eventually("exporting resumed", Duration::from_secs(10), || async {
        leader_phases(console.sim.urls())
            .await
            .iter()
            .all(|p| p == "EXPORTING")
            .then_some(())
    })
    .await;
    console.stop().await;
}
