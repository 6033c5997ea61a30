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

#[tokio::test]
async fn exporting_paused_longer_than_paused_alert_secs_is_told_once_and_then_resumed() {
    use camunda_backup_console::clock::ManualClock;
    let (url, got) = crate::webhooks::receiver(0).await;
    let clock = ManualClock::new(chrono::Utc::now());
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let mut settings = common::settings_for(sim.urls(), "sqlite::memory:");
    settings.watchdog_resume = true;
    settings.automation.paused_alert = Duration::from_secs(600);
    let console = common::start_clocked(sim, settings, clock.shared()).await;
    crate::webhooks::add_hook(&console, &url, &["exporting.paused_too_long"]).await;
    pause_behind_the_consoles_back(console.sim.urls()).await;
    let alert = eventually("the alert", Duration::from_secs(10), || async {
        let (_, info) = console.get_json("/api/v1/console").await;
        info["alert"].as_str().map(str::to_owned)
    })
    .await;
    assert!(
        alert.contains("After paused_alert_secs (600 s) the console raises exporting.paused_too_long and resumes it"),
        "{alert}"
    );
    // Within the window: neither resumed nor told, over several of the watchdog's rounds.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(leader_phases(console.sim.urls())
        .await
        .iter()
        .all(|p| p == "PAUSED"));
    assert!(got.lock().expect("lock").is_empty());
    clock.advance(chrono::Duration::seconds(601));
    eventually("exporting resumed", Duration::from_secs(10), || async {
        leader_phases(console.sim.urls())
            .await
            .iter()
            .all(|p| p == "EXPORTING")
            .then_some(())
    })
    .await;
    let (event, _, body) = eventually("the alert delivered", Duration::from_secs(10), || async {
        got.lock().expect("lock").first().cloned()
    })
    .await;
    assert_eq!(event, "exporting.paused_too_long");
    assert!(body.contains("the watchdog resumed it"), "{body}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(got.lock().expect("lock").len(), 1, "told once");
    console.stop().await;
}
