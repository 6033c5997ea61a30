//! `GET /metrics`: the Prometheus text with the console's figures, for a viewer token on the
//! console's address and without authentication on `metrics_listen`.

use crate::common::{self, eventually, fast_sim};
use std::time::Duration;

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_tell_runs_schedules_components_and_age() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let console = common::start_adjusted(fast_sim(), |s| {
        s.metrics_listen = Some(format!("127.0.0.1:{port}").parse().expect("addr"));
    })
    .await;
    let id = console.start_backup().await;
    console.wait_terminal(id).await;
    console.restorable_row(id).await;
    let (status, _) = console
        .post_json(
            "/api/v1/schedules",
            r#"{"name": "nightly", "cron": "0 2 * * *", "timezone": "Europe/Berlin"}"#,
        )
        .await;
    assert_eq!(status, 201);
    let viewer = common::client_as(common::VIEWER_TOKEN);
    let text = eventually(
        "the probe in the metrics",
        Duration::from_secs(10),
        || async {
            let r = viewer.get(console.url("/metrics")).send().await.ok()?;
            assert_eq!(r.status(), 200);
            assert!(r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/openmetrics-text")));
            let text = r.text().await.ok()?;
            text.contains("camunda_backup_component_up{")
                .then_some(text)
        },
    )
    .await;
    assert_eq!(
        value(
            &text,
            r#"camunda_backup_runs_total{outcome="completed",trigger="manual"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "camunda_backup_run_duration_seconds_count"),
        Some(1.0)
    );
    assert_eq!(
        value(&text, "camunda_backup_exporting_paused_seconds_count"),
        Some(1.0)
    );
    assert_eq!(value(&text, "camunda_backup_exporting_paused"), Some(0.0));
    assert_eq!(
        value(&text, r#"camunda_backup_component_up{component="zeebe"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(&text, "camunda_backup_retention_deleted_total"),
        Some(0.0)
    );
    assert_eq!(
        value(&text, "camunda_backup_restore_duration_seconds_count"),
        Some(0.0)
    );
    let age = value(&text, "camunda_backup_newest_restorable_age_seconds").expect("age");
    assert!((0.0..120.0).contains(&age), "{age}");
    let last = value(&text, "camunda_backup_last_success_timestamp_seconds").expect("last");
    assert!((chrono::Utc::now().timestamp() as f64 - last).abs() < 120.0);
    let next = value(
        &text,
        r#"camunda_backup_schedule_next_run_timestamp_seconds{schedule="nightly"}"#,
    )
    .expect("next run");
    assert!(next > chrono::Utc::now().timestamp() as f64);
    assert!(text.trim_end().ends_with("# EOF"));
    // No caller, no metrics on the console's address; the scrape address needs none.
    let anonymous = reqwest::Client::new();
    let r = anonymous
        .get(console.url("/metrics"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let r = anonymous
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .expect("text")
        .contains("camunda_backup_runs_total"));
    console.stop().await;
}
