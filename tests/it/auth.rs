//! Who may do what, over real HTTP: anonymous callers are refused, API tokens and sessions
//! carry their role, each role against each action (allowed and refused) for the REST API and
//! the server functions, CSRF refusals, sign-in rate limits, sessions that survive a restart,
//! the audit entry of each action, security headers, and secrets kept out of responses.

use crate::common;

use camunda_backup_console::auth::set_user;
use camunda_backup_console::domain::{AuditEntry, Role};
use camunda_backup_console::store::AuditFilter;
use common::{
    client_as, fast_sim, start, start_with, TestConsole, ADMIN_PASSWORD, ADMIN_TOKEN,
    OPERATOR_TOKEN, VIEWER_TOKEN,
};
use leptos::server_fn::ServerFn;
use reqwest::{Method, StatusCode};
use secrecy::SecretString;

fn anonymous() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

async fn audit(console: &TestConsole, actor: &str) -> Vec<AuditEntry> {
    console
        .console
        .auth
        .store()
        .audit(&AuditFilter {
            actor: Some(actor.into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
}

/// A signed-in browser session: its cookie and the CSRF token of its pages.
pub(crate) struct Session {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

pub(crate) async fn sign_in(console: &TestConsole, user: &str, password: &str) -> Session {
    sign_in_at(&console.url(""), user, password).await
}

/// [`sign_in`] at the console (or replica) at `base` (`http://host:port`).
pub(crate) async fn sign_in_at(base: &str, user: &str, password: &str) -> Session {
    let r = anonymous()
        .post(format!("{base}/auth/login"))
        .form(&[
            ("username", user),
            ("password", password),
            ("next", "/backups"),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {user}");
    assert_eq!(r.headers()["location"], "/backups");
    let set_cookie = r.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("cookie pair")
        .to_owned();
    let mut page = anonymous()
        .get(format!("{base}/backups"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    // Read chunk by chunk: a page whose stream stalls says where (once seen in a full run,
    // never alone), instead of a bare timeout.
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), page.chunk()).await {
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => panic!("the page of {user} failed after {} bytes: {e}", body.len()),
            Err(_) => {
                let text = String::from_utf8_lossy(&body);
                let tail: String = text
                    .chars()
                    .rev()
                    .take(600)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                panic!(
                    "the page of {user} stalled for 30 s after {} bytes; it ends with: {tail}",
                    body.len()
                );
            }
        }
    }
    let html = String::from_utf8(body).expect("html");
    let csrf = html
        .split(r#"<meta name="csrf-token" content=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries the CSRF token")
        .to_owned();
    assert!(csrf.len() >= 32, "{csrf}");
    Session { cookie, csrf }
}

async fn add_user(console: &TestConsole, name: &str, role: Role, password: &str) {
    set_user(
        console.console.auth.store(),
        name,
        role,
        &SecretString::from(password.to_owned()),
    )
    .await
    .expect("user");
}

#[tokio::test]
async fn anonymous_callers_are_sent_to_sign_in_and_refused_by_the_api() {
    let console = start(fast_sim()).await;
    let http = anonymous();
    let page = http
        .get(console.url("/backups?verdict=failed"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        page.headers()["location"],
        "/login?next=/backups%3Fverdict%3Dfailed"
    );
    let api = http
        .get(console.url("/api/v1/backups"))
        .send()
        .await
        .expect("api");
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = api.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthenticated");
    let start = http
        .post(console.url("/api/v1/backups"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), StatusCode::UNAUTHORIZED);
    let stream = http
        .get(console.url("/api/v1/backups/1/events"))
        .send()
        .await
        .expect("sse");
    assert_eq!(stream.status(), StatusCode::UNAUTHORIZED);
    let server_fn = http
        .post(console.url(<camunda_backup_console::api::StartBackup as ServerFn>::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("server fn");
    assert_eq!(server_fn.status(), StatusCode::UNAUTHORIZED);
    // Public: the health check and the sign-in page.
    let health = http
        .get(console.url("/api/v1/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let login = http.get(console.url("/login")).send().await.expect("login");
    assert_eq!(login.status(), 200);
    let html = login.text().await.expect("html");
    assert!(html.contains(r#"<label for="username">Username</label>"#));
    assert!(html.contains(r#"<label for="password">Password</label>"#));
    assert!(html.contains(">Sign in</button>"));
    console.stop().await;
}

#[tokio::test]
async fn a_wrong_token_is_401_and_a_low_role_is_403_with_the_json_error() {
    let console = start(fast_sim()).await;
    let wrong = client_as("not-a-configured-token")
        .get(console.url("/api/v1/backups"))
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_token");
    let viewer = client_as(VIEWER_TOKEN);
    let read = viewer
        .get(console.url("/api/v1/backups"))
        .send()
        .await
        .expect("read");
    assert_eq!(read.status(), 200);
    let start = viewer
        .post(console.url("/api/v1/backups"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = start.json().await.expect("json");
    assert_eq!(body["error"]["code"], "forbidden");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("operator role"), "{message}");
    let entries = audit(&console, "viewer-token").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, "backup.start");
    assert_eq!(entries[0].outcome, "refused");
    assert_eq!(entries[0].actor_kind, "token");
    assert_eq!(entries[0].address.as_deref(), Some("127.0.0.1"));
    console.stop().await;
}

/// One state-changing request of the REST API: who may, and what they get when allowed
/// (on a console where the ids do not exist, so that the allowed call is answered 404).
struct Case {
    action: &'static str,
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    needs: Role,
    allowed: u16,
}

fn cases() -> Vec<Case> {
    let case = |action, method, path, body, needs, allowed| Case {
        action,
        method,
        path,
        body,
        needs,
        allowed,
    };
    vec![
        case(
            "backup.cancel",
            Method::POST,
            "/api/v1/backups/999999/cancel",
            None,
            Role::Operator,
            404,
        ),
        case(
            "set.delete",
            Method::DELETE,
            "/api/v1/backups/999999",
            None,
            Role::Admin,
            404,
        ),
        case(
            "restore.start",
            Method::POST,
            "/api/v1/restores",
            Some(r#"{"backupId": 999999, "confirm": "test"}"#),
            Role::Admin,
            404,
        ),
        case(
            "restore.confirm_step",
            Method::POST,
            "/api/v1/restores/999/steps/stop_apps/confirm",
            None,
            Role::Admin,
            404,
        ),
        case(
            "restore.cancel",
            Method::POST,
            "/api/v1/restores/999/cancel",
            None,
            Role::Admin,
            404,
        ),
        case(
            "restore.retry",
            Method::POST,
            "/api/v1/restores/999/retry",
            None,
            Role::Admin,
            404,
        ),
    ]
}

#[tokio::test]
async fn each_role_against_each_action_of_the_api() {
    let console = start(fast_sim()).await;
    let tokens = [
        (Role::Viewer, VIEWER_TOKEN, "viewer-token"),
        (Role::Operator, OPERATOR_TOKEN, "operator-token"),
        (Role::Admin, ADMIN_TOKEN, "admin-token"),
    ];
    for (role, token, name) in tokens {
        let http = client_as(token);
        for case in cases() {
            let mut request = http.request(case.method.clone(), console.url(case.path));
            if let Some(body) = case.body {
                request = request
                    .header("content-type", "application/json")
                    .body(body);
            }
            let status = request.send().await.expect("request").status().as_u16();
            let expected = if role >= case.needs {
                case.allowed
            } else {
                403
            };
            assert_eq!(status, expected, "{role} {}", case.action);
            let entry = audit(&console, name)
                .await
                .into_iter()
                .find(|e| e.action == case.action)
                .unwrap_or_else(|| panic!("no audit entry for {role} {}", case.action));
            // Refused either way: for the role, or (allowed) because the id does not exist.
            assert_eq!(entry.outcome, "refused", "{role} {}", case.action);
            if role < case.needs {
                assert!(
                    entry
                        .detail
                        .as_deref()
                        .is_some_and(|d| d.contains(case.needs.as_str())),
                    "{entry:?}"
                );
            } else {
                assert!(
                    entry.detail.as_deref().is_some_and(|d| !d.contains("role")),
                    "{entry:?}"
                );
            }
        }
        // Reading is open to every role, the audit log to admins only.
        let backups = http
            .get(console.url("/api/v1/backups"))
            .send()
            .await
            .expect("list");
        assert_eq!(backups.status(), 200, "{role}");
        let plan = http
            .post(console.url("/api/v1/restores/plan"))
            .header("content-type", "application/json")
            .body(r#"{"backupId": 999999}"#)
            .send()
            .await
            .expect("plan");
        assert_eq!(plan.status(), 404, "{role} plan");
        let audit_log = http
            .get(console.url("/api/v1/audit"))
            .send()
            .await
            .expect("audit");
        assert_eq!(
            audit_log.status().as_u16(),
            if role == Role::Admin { 200 } else { 403 },
            "{role} audit"
        );
        // Starting a backup: operators and admins.
        let start = http
            .post(console.url("/api/v1/backups"))
            .send()
            .await
            .expect("start");
        if role >= Role::Operator {
            assert_eq!(start.status(), 202, "{role} start");
            let id = start.json::<serde_json::Value>().await.expect("json")["backupId"]
                .as_i64()
                .expect("id");
            let run = console.wait_terminal(id).await;
            assert_eq!(run["state"], "completed");
            let entry = audit(&console, name)
                .await
                .into_iter()
                .find(|e| e.action == "backup.start")
                .expect("audited");
            assert_eq!(entry.outcome, "ok");
            assert_eq!(entry.detail, Some(format!("started backup {id}")));
        } else {
            assert_eq!(start.status(), 403, "{role} start");
        }
    }
    console.stop().await;
}

#[tokio::test]
async fn each_role_against_each_server_function_of_the_pages() {
    use camunda_backup_console::api::{
        AddWebhook, CancelBackup, ConfirmRestoreStep, DeleteSet, KeepSet, RemoveSchedule,
        RemoveWebhook, RetryRestore, RunSchedule, SaveRetention, SaveSchedule, SendTestWebhook,
        StartBackup, StartRestore, SwitchSchedule, SwitchWebhook,
    };
    let console = start(fast_sim()).await;
    add_user(&console, "vera", Role::Viewer, "viewer-password-1").await;
    add_user(&console, "otto", Role::Operator, "operator-password-1").await;
    let calls: [(&str, &str, Role); 16] = [
        (StartBackup::PATH, "", Role::Operator),
        (CancelBackup::PATH, "backup_id=999999", Role::Operator),
        (
            DeleteSet::PATH,
            "backup_id=999999&confirm=999999&force=false",
            Role::Admin,
        ),
        (
            StartRestore::PATH,
            "backup_id=999999&confirm=test",
            Role::Admin,
        ),
        (
            ConfirmRestoreStep::PATH,
            "restore_id=999&key=stop_apps",
            Role::Admin,
        ),
        (RetryRestore::PATH, "restore_id=999", Role::Admin),
        (RunSchedule::PATH, "id=999999", Role::Operator),
        (
            SaveSchedule::PATH,
            "name=x&cron=0+2+*+*+*&timezone=UTC&enabled=false",
            Role::Admin,
        ),
        (SwitchSchedule::PATH, "id=999999&enabled=true", Role::Admin),
        (
            RemoveSchedule::PATH,
            "id=999999&name=x&confirm=x",
            Role::Admin,
        ),
        (
            SaveRetention::PATH,
            "policy[enabled]=false&policy[keepLast]=3&policy[keepDays]=0&policy[keepDaily]=0&policy[keepWeekly]=0&policy[keepMonthly]=0",
            Role::Admin,
        ),
        (KeepSet::PATH, "backup_id=999999&keep=true", Role::Admin),
        (
            AddWebhook::PATH,
            "name=x&url=https%3A%2F%2Freceiver.invalid%2Fx&secret=&format=generic&events[0]=backup.failed",
            Role::Admin,
        ),
        (SwitchWebhook::PATH, "id=999999&enabled=true", Role::Admin),
        (RemoveWebhook::PATH, "id=999999&name=x&confirm=x", Role::Admin),
        (SendTestWebhook::PATH, "id=999999", Role::Admin),
    ];
    for (user, password, role) in [
        ("vera", "viewer-password-1", Role::Viewer),
        ("otto", "operator-password-1", Role::Operator),
        ("admin", ADMIN_PASSWORD, Role::Admin),
    ] {
        let session = sign_in(&console, user, password).await;
        for (path, body, needs) in calls {
            let r = anonymous()
                .post(console.url(path))
                .header("cookie", &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("server fn");
            let status = r.status();
            let text = r.text().await.expect("body");
            if role >= needs {
                assert!(!text.contains("forbidden"), "{user} {path}: {text}");
            } else {
                // The same status as the REST API's refusal.
                assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}: {text}");
                assert!(text.contains("forbidden"), "{user} {path}: {text}");
                assert!(text.contains(needs.as_str()), "{user} {path}: {text}");
            }
        }
        if role >= Role::Operator {
            // The operator's StartBackup above started one: let it finish before the next user.
            let id = console.console.engine.active_run().map(|id| id.get());
            if let Some(id) = id {
                console.wait_terminal(id).await;
            }
        }
        let entries = audit(&console, user).await;
        assert!(
            entries
                .iter()
                .any(|e| e.action == "auth.sign_in" && e.outcome == "ok"),
            "{entries:?}"
        );
        let refused = entries
            .iter()
            .filter(|e| {
                e.outcome == "refused" && e.detail.as_deref().is_some_and(|d| d.contains("role"))
            })
            .count();
        let expected = calls.iter().filter(|(_, _, needs)| role < *needs).count();
        assert_eq!(refused, expected, "{user}: {entries:?}");
    }
    console.stop().await;
}

#[tokio::test]
async fn a_session_write_without_the_csrf_token_or_from_another_site_is_refused() {
    let console = start(fast_sim()).await;
    let session = sign_in(&console, "admin", ADMIN_PASSWORD).await;
    let post = |csrf: Option<&str>, origin: Option<&str>| {
        let mut r = anonymous()
            .post(console.url("/api/v1/backups"))
            .header("cookie", &session.cookie)
            .header("content-type", "application/json")
            .body("{}");
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c.to_owned());
        }
        if let Some(o) = origin {
            r = r.header("origin", o.to_owned());
        }
        r.send()
    };
    let missing = post(None, None).await.expect("post");
    assert_eq!(missing.status(), 403);
    let body: serde_json::Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "csrf_token_invalid");
    let wrong = post(Some("forged"), None).await.expect("post");
    assert_eq!(wrong.status(), 403);
    let cross = post(Some(&session.csrf), Some("https://evil.example"))
        .await
        .expect("post");
    assert_eq!(cross.status(), 403);
    let body: serde_json::Value = cross.json().await.expect("json");
    assert_eq!(body["error"]["code"], "cross_site");
    // A server function without the header is refused the same way.
    let server_fn = anonymous()
        .post(console.url(<camunda_backup_console::api::StartBackup as ServerFn>::PATH))
        .header("cookie", &session.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("server fn");
    assert_eq!(server_fn.status(), 403);
    assert_eq!(console.console.engine.active_run(), None);
    // With the token, from the console's own origin, it starts.
    let ok = post(Some(&session.csrf), Some(&console.url("")))
        .await
        .expect("post");
    assert_eq!(ok.status(), 202);
    console.stop().await;
}

#[tokio::test]
async fn json_endpoints_refuse_other_content_types_with_415() {
    let console = start(fast_sim()).await;
    for (content_type, body) in [
        ("text/plain", "{}"),
        ("application/x-www-form-urlencoded", "backupId=5"),
        ("multipart/form-data; boundary=x", "--x--"),
    ] {
        let r = console
            .http
            .post(console.url("/api/v1/backups"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 415, "{content_type}");
        let v: serde_json::Value = r.json().await.expect("json");
        assert_eq!(v["error"]["code"], "unsupported_media_type");
    }
    assert_eq!(console.console.engine.active_run(), None);
    console.stop().await;
}

fn attempt_as(
    console: &TestConsole,
    user: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> impl std::future::Future<Output = reqwest::Response> {
    let mut request = anonymous().post(console.url("/auth/login")).form(&[
        ("username", user),
        ("password", password),
        ("next", "/"),
    ]);
    if let Some(f) = forwarded_for {
        request = request.header("x-forwarded-for", f);
    }
    let sent = request.send();
    async move { sent.await.expect("attempt") }
}

async fn sign_in_entries(console: &TestConsole, actor: &str) -> Vec<AuditEntry> {
    audit(console, actor)
        .await
        .into_iter()
        .filter(|e| e.action == "auth.sign_in")
        .collect()
}

#[tokio::test]
async fn sign_in_failures_slow_the_user_down_without_locking_the_real_admin_out() {
    let console = start(fast_sim()).await;
    for _ in 0..5 {
        let r = attempt_as(&console, "admin", "wrong-password-123", None).await;
        assert_eq!(r.status(), 401);
        let html = r.text().await.expect("html");
        assert!(html.contains("Wrong username or password."), "{html}");
        assert!(!html.contains("wrong-password-123"));
    }
    let slowed = attempt_as(&console, "admin", ADMIN_PASSWORD, None).await;
    assert_eq!(slowed.status(), 429);
    let wait: u64 = slowed.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&wait), "{wait}");
    assert!(slowed.headers().get("set-cookie").is_none());
    // The real admin waits seconds, not the whole window, and gets in.
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let r = attempt_as(&console, "admin", ADMIN_PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The five failures are one entry now and one "repeated 4 more times" once gathered.
    let entries = sign_in_entries(&console, "admin").await;
    let failed: Vec<&AuditEntry> = entries.iter().filter(|e| e.outcome == "failed").collect();
    assert_eq!(failed.len(), 1, "{entries:?}");
    console
        .console
        .auth
        .repeats()
        .flush(console.console.auth.store(), true)
        .await;
    let entries = sign_in_entries(&console, "admin").await;
    assert!(
        entries.iter().any(|e| e.outcome == "failed"
            && e.detail
                .as_deref()
                .unwrap_or_default()
                .contains("repeated 4 more times")),
        "{entries:?}"
    );
    assert_eq!(entries.iter().filter(|e| e.outcome == "ok").count(), 1);
    console.stop().await;
}

/// Fifty guesses sent at once get the five a slow stream gets: each attempt is counted before
/// its password is checked.
#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_five() {
    let console = start(fast_sim()).await;
    let burst: Vec<_> = (0..50)
        .map(|i| attempt_as(&console, "admin", &format!("guess-number-{i:04}"), None))
        .collect();
    let statuses: Vec<u16> = futures::future::join_all(burst)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        45,
        "{statuses:?}"
    );
    // However many were refused, the audit log holds a few entries, not fifty.
    console
        .console
        .auth
        .repeats()
        .flush(console.console.auth.store(), true)
        .await;
    let entries = sign_in_entries(&console, "admin").await;
    assert!(entries.len() <= 4, "{entries:#?}");
    // Every attempt is accounted for: an entry each, or counted in a "repeated" entry.
    let counted: u64 = entries
        .iter()
        .map(|e| {
            e.detail
                .as_deref()
                .and_then(|d| d.strip_prefix("repeated "))
                .and_then(|d| d.split(' ').next())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(1)
        })
        .sum();
    assert_eq!(counted, 50, "{entries:#?}");
    console.stop().await;
}

/// Behind an ingress every connection comes from the proxy: with it trusted, each client's
/// own address (from `X-Forwarded-For`) is limited, not everyone's at once; without it, the
/// header is ignored.
#[tokio::test]
async fn a_trusted_proxy_names_the_client_whose_address_is_limited() {
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let mut raw = common::raw_settings_for(sim.urls(), "sqlite::memory:");
    raw.auth.trusted_proxies = vec!["127.0.0.1".into()];
    let console = start_with(
        sim,
        camunda_backup_console::config::Settings::validate(raw).expect("settings"),
    )
    .await;
    for i in 0..20 {
        let r = attempt_as(
            &console,
            &format!("user{i}"),
            "wrong-password-123",
            Some("203.0.113.1"),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    let r = attempt_as(
        &console,
        "someone",
        "wrong-password-123",
        Some("203.0.113.1"),
    )
    .await;
    assert_eq!(r.status(), 429, "the guessing client is limited");
    let r = attempt_as(
        &console,
        "someone",
        "wrong-password-123",
        Some("203.0.113.2"),
    )
    .await;
    assert_eq!(
        r.status(),
        401,
        "another client behind the same proxy is not"
    );
    let entries = sign_in_entries(&console, "someone").await;
    assert!(
        entries
            .iter()
            .any(|e| e.address.as_deref() == Some("203.0.113.2")),
        "{entries:?}"
    );
    console.stop().await;

    // Not trusted: the header is the client's own claim and is ignored.
    let console = start(fast_sim()).await;
    for i in 0..20 {
        attempt_as(
            &console,
            &format!("user{i}"),
            "wrong-password-123",
            Some("203.0.113.1"),
        )
        .await;
    }
    let r = attempt_as(
        &console,
        "someone",
        "wrong-password-123",
        Some("203.0.113.2"),
    )
    .await;
    assert_eq!(r.status(), 429);
    console.stop().await;
}

#[tokio::test]
async fn a_session_survives_a_restart_and_ends_on_sign_out() {
    let dir = tempfile::tempdir().expect("dir");
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let mut settings = common::settings_for(
        sim.urls(),
        &format!("sqlite://{}?mode=rwc", dir.path().join("c.db").display()),
    );
    settings.auth.admin_password = None;
    // The first start created `admin` only because the test set a password; add one more user.
    let console = start_with(sim, settings.clone()).await;
    add_user(&console, "alice", Role::Admin, "alice-password-1").await;
    let session = sign_in(&console, "alice", "alice-password-1").await;
    let (sim, _) = console.shut_down().await;
    let console = start_with(sim, settings).await;
    let me = anonymous()
        .get(console.url("/restores"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(me.status(), 200, "the session survived the restart");
    let out = anonymous()
        .post(console.url("/auth/logout"))
        .header("cookie", &session.cookie)
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .contains("Max-Age=0"));
    let after = anonymous()
        .get(console.url("/restores"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "signed out");
    let entries = audit(&console, "alice").await;
    assert!(entries.iter().any(|e| e.action == "auth.sign_out"));
    console.stop().await;
}

#[tokio::test]
async fn the_audit_log_is_append_only_and_exports_as_json_lines() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("a.db").display());
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let settings = common::settings_for(sim.urls(), &db);
    let console = start_with(sim, settings).await;
    let id = console.start_backup().await;
    console.wait_terminal(id).await;
    let export = console
        .http
        .get(console.url("/api/v1/audit?format=jsonl&action=backup.start"))
        .send()
        .await
        .expect("export");
    assert_eq!(export.status(), 200);
    assert_eq!(export.headers()["content-type"], "application/x-ndjson");
    let text = export.text().await.expect("text");
    let lines: Vec<AuditEntry> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    // Written before the work (whatever the client does meanwhile), then its outcome.
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[1].outcome, "attempted", "{text}");
    assert_eq!(lines[0].outcome, "ok", "{text}");
    assert!(lines.iter().all(|l| l.actor == "admin-token"));
    assert!(lines
        .iter()
        .all(|l| l.target.as_deref() == Some("backup (next id)")));
    let filtered = console.get_json("/api/v1/audit?outcome=nonsense").await;
    assert_eq!(filtered.0, 400);
    // The table itself refuses changes.
    let pool = sqlx::SqlitePool::connect(&db).await.expect("pool");
    let update = sqlx::query("UPDATE audit_log SET outcome = 'ok'")
        .execute(&pool)
        .await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
    console.stop().await;
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_csp_and_no_secret() {
    let console = start(fast_sim()).await;
    let session = sign_in(&console, "admin", ADMIN_PASSWORD).await;
    let page = anonymous()
        .get(console.url("/"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("page");
    let headers = page.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let csp = headers["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("nonce");
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    for secret in [ADMIN_PASSWORD, ADMIN_TOKEN, OPERATOR_TOKEN, VIEWER_TOKEN] {
        assert!(!html.contains(secret), "the page leaks {secret}");
    }
    assert!(!html.contains(session.cookie.trim_start_matches("cbc_session=")));
    let api = console
        .http
        .get(console.url("/api/v1/console"))
        .send()
        .await
        .expect("api");
    assert!(api.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .starts_with("default-src 'none'"));
    let body = api.text().await.expect("body");
    for secret in [ADMIN_PASSWORD, ADMIN_TOKEN] {
        assert!(!body.contains(secret));
    }
    console.stop().await;
}

/// `user set` (a new password or role) ends that user's sessions; others keep theirs. A
/// restart with the same configured admin password signs nobody out.
#[tokio::test]
async fn setting_a_users_password_ends_their_sessions() {
    let console = start(fast_sim()).await;
    add_user(&console, "ops", Role::Operator, "ops-password-1234").await;
    let ops = sign_in(&console, "ops", "ops-password-1234").await;
    let admin = sign_in(&console, "admin", ADMIN_PASSWORD).await;
    let reads = |s: &Session| {
        anonymous()
            .get(console.url("/api/v1/backups"))
            .header("cookie", s.cookie.clone())
            .send()
    };
    assert_eq!(reads(&ops).await.expect("read").status(), 200);
    add_user(&console, "ops", Role::Operator, "a-new-password-5678").await;
    assert_eq!(reads(&ops).await.expect("read").status(), 401);
    assert_eq!(reads(&admin).await.expect("read").status(), 200);
    // The configured admin password applied again (a restart): unchanged, so still signed in.
    camunda_backup_console::auth::bootstrap_admin(
        console.console.auth.store(),
        Some(&SecretString::from(ADMIN_PASSWORD.to_owned())),
    )
    .await
    .expect("bootstrap");
    assert_eq!(reads(&admin).await.expect("read").status(), 200);
    // Revoked from the command line's function: gone.
    let ended =
        camunda_backup_console::auth::revoke_sessions(console.console.auth.store(), "admin")
            .await
            .expect("revoke");
    assert_eq!(ended, 1);
    assert_eq!(reads(&admin).await.expect("read").status(), 401);
    console.stop().await;
}
