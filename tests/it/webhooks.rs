//! Webhooks against a receiver in the test: a failed backup arrives as a signed
//! `backup.failed`, a receiver that fails is retried with back-off (on the console's clock),
//! Send test, the delivery log, and the URL and secret never in an answer.

use crate::common::{self, eventually, fast_sim, TestConsole};
use camunda_backup_console::clock::ManualClock;
use camunda_sim::{Fault, FaultKind};
use hmac::{Hmac, Mac};
use reqwest::Method;
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "a-test-secret-of-32-characters!!";
const PATH: &str = "/hooks/T0KEN-in-the-path";

/// What the receiver got: (event header, signature header, body).
pub(crate) type Got = Arc<Mutex<Vec<(String, String, String)>>>;

/// A receiver answering 500 to its first `fail_first` requests, then 200.
pub(crate) async fn receiver(fail_first: usize) -> (String, Got) {
    let got: Got = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        PATH,
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let header = |k: &str| {
                    headers
                        .get(k)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let n = {
                    let mut seen = seen.lock().expect("lock");
                    seen.push((
                        header("x-console-event"),
                        header("x-console-signature"),
                        body,
                    ));
                    seen.len()
                };
                if n <= fail_first {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}{PATH}"), got)
}

fn expected_signature(body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

pub(crate) async fn add_hook(
    console: &TestConsole,
    url: &str,
    events: &[&str],
) -> serde_json::Value {
    let body = serde_json::json!({
        "name": "ops", "url": url, "secret": SECRET, "events": events,
    });
    let (status, hook) = console
        .post_json("/api/v1/webhooks", &body.to_string())
        .await;
    assert_eq!(status, 201, "{hook}");
    hook
}

#[tokio::test]
async fn a_failed_backup_reaches_the_receiver_signed_and_the_url_and_secret_stay_secret() {
    signed_failure(common::start(fast_sim()).await).await;
}

/// A hook gets a signed `backup.failed`, and its URL and secret stay secret (run on
/// PostgreSQL too).
pub(crate) async fn signed_failure(console: common::TestConsole) {
    let (url, got) = receiver(0).await;
    let hook = add_hook(&console, &url, &["backup.failed"]).await;
    let text = hook.to_string();
    assert!(!text.contains("T0KEN") && !text.contains(SECRET), "{text}");
    assert!(
        hook["target"].as_str().unwrap_or_default().ends_with("/…"),
        "{hook}"
    );
    assert_eq!(hook["signed"], true);
    console.sim.control().add_fault(
        Fault::new("operate", "take_backup", FaultKind::Status)
            .with_status(500, r#"{"message":"Elasticsearch exploded"}"#),
    );
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed");
    let (event, signature, body) = eventually("the delivery", Duration::from_secs(10), || async {
        got.lock().expect("lock").first().cloned()
    })
    .await;
    assert_eq!(event, "backup.failed");
    assert_eq!(
        signature,
        expected_signature(&body),
        "the signature is the HMAC of the body"
    );
    let sent: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(sent["event"], "backup.failed");
    assert_eq!(sent["cluster"], "test");
    assert_eq!(sent["data"]["backupId"], id);
    assert!(
        sent["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("Elasticsearch exploded"),
        "{sent}"
    );
    // The delivery log and the list say it was delivered — and still never the URL.
    let hid = hook["id"].as_i64().expect("id");
    let log = eventually("the log", Duration::from_secs(5), || async {
        let (_, log) = console
            .get_json(&format!("/api/v1/webhooks/{hid}/deliveries"))
            .await;
        (log[0]["state"] == "delivered").then_some(log)
    })
    .await;
    assert_eq!(log[0]["event"], "backup.failed");
    assert_eq!(log[0]["lastStatus"], 200);
    let (_, list) = console.get_json("/api/v1/webhooks").await;
    assert_eq!(list[0]["lastDelivery"]["state"], "delivered");
    assert!(!list.to_string().contains("T0KEN"));
    // Only the events chosen: a completed backup is not sent to this hook.
    console.sim.control().clear_faults();
    let ok = console.start_backup().await;
    console.wait_terminal(ok).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(got.lock().expect("lock").len(), 1);
    console.stop().await;
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_back_off_and_send_test_answers_at_once() {
    let (url, got) = receiver(1).await;
    let clock = ManualClock::new(chrono::Utc::now());
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let settings = common::settings_for(sim.urls(), "sqlite::memory:");
    let console = common::start_clocked(sim, settings, clock.shared()).await;
    let hook = add_hook(&console, &url, &["backup.completed"]).await;
    let hid = hook["id"].as_i64().expect("id");
    let id = console.start_backup().await;
    console.wait_terminal(id).await;
    eventually("the first attempt", Duration::from_secs(10), || async {
        (got.lock().expect("lock").len() == 1).then_some(())
    })
    .await;
    let (_, log) = console
        .get_json(&format!("/api/v1/webhooks/{hid}/deliveries"))
        .await;
    assert_eq!(log[0]["state"], "pending", "{log}");
    assert_eq!(log[0]["lastStatus"], 500);
    assert_eq!(log[0]["attempts"], 1);
    // Not retried before its back-off (5 s) has passed on the console's clock.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(got.lock().expect("lock").len(), 1);
    clock.advance(chrono::Duration::seconds(6));
    let log = eventually("the retry", Duration::from_secs(10), || async {
        let (_, log) = console
            .get_json(&format!("/api/v1/webhooks/{hid}/deliveries"))
            .await;
        (log[0]["state"] == "delivered").then_some(log)
    })
    .await;
    assert_eq!(log[0]["attempts"], 2, "{log}");
    assert_eq!(got.lock().expect("lock").len(), 2);
    // Send test: one attempt, answered with its outcome.
    let (status, d) = console
        .post_json(&format!("/api/v1/webhooks/{hid}/test"), "")
        .await;
    assert_eq!(
        (status, d["state"].as_str()),
        (200, Some("delivered")),
        "{d}"
    );
    assert_eq!(
        got.lock().expect("lock").last().map(|g| g.0.clone()),
        Some("test".into())
    );
    // Roles: an operator cannot add or test hooks.
    let operator = common::client_as(common::OPERATOR_TOKEN);
    let r = operator
        .post(console.url(&format!("/api/v1/webhooks/{hid}/test")))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // Refusals name the field; the URL is never echoed.
    let (status, e) = console
        .post_json(
            "/api/v1/webhooks",
            r#"{"name": "x", "url": "ftp://secret-host/T0KEN", "events": ["backup.failed"]}"#,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("invalid_url")),
        "{e}"
    );
    assert!(!e.to_string().contains("T0KEN"));
    let (status, e) = console
        .post_json(
            "/api/v1/webhooks",
            r#"{"name": "y", "url": "https://h/x", "events": ["backup.exploded"]}"#,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("invalid_events")),
        "{e}"
    );
    let (status, _) = console
        .send_json(Method::DELETE, &format!("/api/v1/webhooks/{hid}"), "")
        .await;
    assert_eq!(status, 204);
    console.stop().await;
}
