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

/// The bundle is served precompressed as the browser accepts it (always with `Vary`), cached
/// for a year when its name carries a content hash and revalidated otherwise; pages and JSON
/// are compressed on the fly; an event stream is not compressed and still flushes at once.
#[tokio::test]
async fn the_bundle_is_precompressed_and_cached_by_its_content_hash() {
    let site = tempfile::tempdir().expect("site");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let wasm = "camunda-backup-console.s1a7KzXq2bT0vY9wHc4mFg.wasm";
    std::fs::write(pkg.join(wasm), b"raw wasm").expect("write");
    std::fs::write(pkg.join(format!("{wasm}.br")), b"brotli wasm").expect("write");
    std::fs::write(pkg.join(format!("{wasm}.gz")), b"gzip wasm").expect("write");
    std::fs::write(pkg.join("camunda-backup-console.css"), b"body{}").expect("write");
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("camunda-backup-console")
        .site_root(site.path().display().to_string())
        .site_pkg_dir("pkg")
        .build();
    let mut config = fast_sim();
    config.timing.zeebe_partition_backup_ms = 3_000;
    let sim = camunda_sim::start(config).await.expect("sim");
    let settings = common::settings_for(sim.urls(), "sqlite::memory:");
    let console = common::start_with_site(sim, settings, options).await;
    let plain = reqwest::Client::new();
    let fetch = |path: String, accept: &'static str| {
        let r = plain
            .get(console.url(&path))
            .header("accept-encoding", accept);
        async move {
            let r = r.send().await.expect("request");
            let h = r.headers().clone();
            let body = r.bytes().await.expect("body");
            (h, body)
        }
    };
    let header = |h: &reqwest::header::HeaderMap, k: &str| {
        h.get_all(k)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (accept, encoding, body) in [
        ("br, gzip", "br", &b"brotli wasm"[..]),
        ("gzip, deflate", "gzip", &b"gzip wasm"[..]),
        ("identity", "", &b"raw wasm"[..]),
    ] {
        let (h, got) = fetch(format!("/pkg/{wasm}"), accept).await;
        assert_eq!(&got[..], body, "{accept}");
        assert_eq!(header(&h, "content-encoding"), encoding, "{accept}");
        assert!(
            header(&h, "vary")
                .to_lowercase()
                .contains("accept-encoding"),
            "{h:?}"
        );
        assert_eq!(
            header(&h, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&h, "content-type"), "application/wasm");
    }
    let (h, _) = fetch("/pkg/camunda-backup-console.css".into(), "br").await;
    assert_eq!(header(&h, "cache-control"), "no-cache");

    // Pages and JSON: compressed on the fly, never stored.
    let admin = common::client();
    let page = admin
        .get(console.url("/backups"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(header(page.headers(), "content-encoding"), "br");
    assert_eq!(header(page.headers(), "cache-control"), "no-store");
    let json = admin
        .get(console.url("/api/v1/backups"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("json");
    assert_eq!(header(json.headers(), "content-encoding"), "gzip");

    // An event stream: not compressed, and its first event arrives while the run goes on.
    let id = console.start_backup().await;
    let mut stream = admin
        .get(console.url(&format!("/api/v1/backups/{id}/events")))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .expect("stream");
    assert_eq!(header(stream.headers(), "content-encoding"), "");
    let first = tokio::time::timeout(std::time::Duration::from_secs(2), stream.chunk())
        .await
        .expect("the first event is flushed at once")
        .expect("chunk")
        .expect("data");
    assert!(String::from_utf8_lossy(&first).contains("id:"), "{first:?}");
    drop(stream);
    console.wait_terminal(id).await;
    console.stop().await;
}
