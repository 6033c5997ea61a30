//! What every HTTP answer carries: unknown API paths answer 404 in the API's error shape (not
//! the server functions' "could not find a server function"), and nothing private is cached.

use crate::common;

use common::{fast_sim, start};

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let console = start(fast_sim()).await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/nope"),
        (reqwest::Method::POST, "/api/v1/backups/1/frobnicate"),
        (
            reqwest::Method::DELETE,
            "/api/v1/schedules-that-do-not-exist/3",
        ),
    ] {
        let r = console
            .http
            .request(method.clone(), console.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 404, "{method} {path}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "not_found", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(path),
            "{body}"
        );
    }
    console.stop().await;
}

#[tokio::test]
async fn private_answers_are_never_cached() {
    let console = start(fast_sim()).await;
    for path in ["/api/v1/backups", "/api/v1/cluster", "/api/v1/audit", "/"] {
        let r = console
            .http
            .get(console.url(path))
            .send()
            .await
            .expect("request");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(
            r.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{path}"
        );
    }
    console.stop().await;
}

/// Live streams are bounded per caller: one more than allowed is refused with 429, and a
/// closed stream gives its place back.
#[tokio::test]
async fn a_caller_holds_a_bounded_number_of_live_streams() {
    let mut config = fast_sim();
    // The run stays running while its streams are open.
    config.timing.zeebe_partition_backup_ms = 5_000;
    let console = common::start_adjusted(config, |s| s.auth.streams_per_caller = 2).await;
    let id = console.start_backup().await;
    let open = || {
        console
            .http
            .get(console.url(&format!("/api/v1/backups/{id}/events")))
            .send()
    };
    let first = open().await.expect("stream");
    let second = open().await.expect("stream");
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = open().await.expect("stream");
    assert_eq!(third.status().as_u16(), 429);
    let body: serde_json::Value = third.json().await.expect("json");
    assert_eq!(body["error"]["code"], "too_many_streams", "{body}");
    drop(first);
    let again = common::eventually(
        "a freed place",
        std::time::Duration::from_secs(10),
        || async {
            let r = open().await.ok()?;
            (r.status().as_u16() == 200).then_some(r)
        },
    )
    .await;
    drop((second, again));
    console.wait_terminal(id).await;
    console.stop().await;
}

/// A client that goes away in the middle of a deletion leaves the deletion done and both of
/// its audit entries: the work and its record run in a task of their own.
#[tokio::test]
async fn a_deletion_whose_client_went_away_is_done_and_audited() {
    let console = start(fast_sim()).await;
    let old = console.start_backup().await;
    assert_eq!(console.wait_terminal(old).await["state"], "completed");
    let newer = console.start_backup().await;
    assert_eq!(console.wait_terminal(newer).await["state"], "completed");
    console.restorable_row(newer).await;
    let mut latency = camunda_sim::LatencyConfig::default();
    latency
        .operations
        .insert("elasticsearch.delete_snapshot".into(), 1_500);
    console.sim.control().set_latency(latency);
    let gone = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        console
            .http
            .delete(console.url(&format!("/api/v1/backups/{old}")))
            .send(),
    )
    .await;
    assert!(gone.is_err(), "the client should have given up first");
    let entries = common::eventually(
        "both audit entries",
        std::time::Duration::from_secs(30),
        || async {
            let (_, page) = console.get_json("/api/v1/audit?action=set.delete").await;
            let entries = page["entries"].as_array()?.clone();
            (entries.len() == 2).then_some(entries)
        },
    )
    .await;
    assert_eq!(entries[1]["outcome"], "attempted", "{entries:?}");
    assert_eq!(entries[0]["outcome"], "ok", "{entries:?}");
    let (_, set) = console.get_json(&format!("/api/v1/backups/{old}")).await;
    let deletion = &set["deletions"][0];
    assert_eq!(deletion["complete"], true, "{set:#}");
    console.stop().await;
}
