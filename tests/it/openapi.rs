//! The published OpenAPI document: served to anyone (it holds no data), OpenAPI 3.1, with an
//! operation for every route of the JSON API, each with its refusals documented. Conformance of
//! the answers themselves is checked by `scripts/schemathesis.sh` against the running console.

use crate::common::{fast_sim, start};

#[tokio::test]
async fn the_document_is_public_and_covers_every_route() {
    let console = start(fast_sim()).await;
    let r = reqwest::get(console.url("/api/v1/openapi.json"))
        .await
        .expect("document");
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path) in [
        ("get", "/api/v1/health"),
        ("get", "/api/v1/console"),
        ("get", "/api/v1/cluster"),
        ("post", "/api/v1/backups"),
        ("get", "/api/v1/backups"),
        ("get", "/api/v1/backups/{id}"),
        ("delete", "/api/v1/backups/{id}"),
        ("post", "/api/v1/backups/{id}/cancel"),
        ("get", "/api/v1/backups/{id}/events"),
        ("post", "/api/v1/restores/plan"),
        ("post", "/api/v1/restores"),
        ("get", "/api/v1/restores"),
        ("get", "/api/v1/restores/{id}"),
        ("post", "/api/v1/restores/{id}/steps/{key}/confirm"),
        ("post", "/api/v1/restores/{id}/cancel"),
        ("post", "/api/v1/restores/{id}/retry"),
        ("get", "/api/v1/restores/{id}/events"),
        ("get", "/api/v1/audit"),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let responses = op["responses"].as_object().expect("responses");
        if path != "/api/v1/health" {
            for code in ["401", "403"] {
                assert!(responses.contains_key(code), "{method} {path} lacks {code}");
            }
        }
        if method == "post" || method == "delete" {
            assert!(responses.contains_key("415"), "{method} {path} lacks 415");
        }
    }
    // Unique operation ids (generators name functions after them).
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().into_iter().flat_map(|o| o.values()))
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate operationId");
    console.stop().await;
}

#[tokio::test]
async fn bad_input_gets_its_4xx_with_words_in_the_error_shape() {
    let console = start(fast_sim()).await;
    let admin = crate::common::client_as(crate::common::ADMIN_TOKEN);
    let big = format!(
        "{{\"backupId\": 1, \"pad\": \"{}\"}}",
        "x".repeat(70 * 1024)
    );
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            admin.get(console.url("/api/v1/backups/abc")),
            400,
            "invalid_backup_id",
        ),
        (
            admin.get(console.url("/api/v1/backups/-3")),
            400,
            "invalid_backup_id",
        ),
        (
            admin.get(console.url("/api/v1/backups/999")),
            404,
            "not_found",
        ),
        (
            admin.get(console.url("/api/v1/restores/0")),
            400,
            "invalid_restore_id",
        ),
        (
            admin.get(console.url("/api/v1/restores/77")),
            404,
            "not_found",
        ),
        (
            admin
                .post(console.url("/api/v1/backups"))
                .header("content-type", "application/json")
                .body("{\"backupId\": "),
            400,
            "malformed_body",
        ),
        (
            admin
                .post(console.url("/api/v1/restores/plan"))
                .header("content-type", "application/json")
                .body("{\"backupId\": \"seven\"}"),
            422,
            "invalid_backup_id",
        ),
        (
            admin
                .post(console.url("/api/v1/backups"))
                .header("content-type", "application/json")
                .body(big),
            413,
            "payload_too_large",
        ),
        (
            admin
                .post(console.url("/api/v1/backups"))
                .header("content-type", "text/plain")
                .body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            admin.get(console.url("/api/v1/backups?to=")),
            400,
            "invalid_query",
        ),
        (
            admin.get(console.url("/api/v1/backups?limit=9999")),
            400,
            "invalid_query",
        ),
        (
            admin
                .get(console.url("/api/v1/backups/1/events"))
                .header("last-event-id", "seven"),
            400,
            "invalid_last_event_id",
        ),
    ];
    for (request, status, code) in cases {
        let r = request.send().await.expect("answer");
        let got = r.status().as_u16();
        let body: serde_json::Value = r.json().await.expect("a JSON error body");
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.len() > 10),
            "{body}"
        );
    }
    console.stop().await;
}
