//! The console on a real PostgreSQL (Debian's, started by the test command with TLS and a
//! password; `common::postgres`): the same scenarios as on SQLite — a backup and a full
//! restore, retention's passes, schedules across restarts, alerts — plus what only PostgreSQL
//! has: verified TLS, the password file, the audit log's triggers, and a restart that keeps
//! sessions and runs. Each test gets a database of its own.

use crate::common::{
    self, error_chain, fast_sim, postgres::fresh_database, postgres::PgDb, TestConsole,
};
use camunda_backup_console::store::{AuditFilter, Dialect, Store};
use sqlx::{ConnectOptions, Executor};

async fn console_on(db: &PgDb) -> TestConsole {
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let settings = common::settings_on(sim.urls(), db);
    common::start_with(sim, settings).await
}

#[tokio::test]
async fn a_backup_and_a_full_restore_on_postgres() {
    let Some(db) = fresh_database("restore").await else {
        return;
    };
    let console = console_on(&db).await;
    assert_eq!(console.console.auth.store().dialect(), Dialect::Postgres);
    crate::restore::full_restore(console).await;
}

#[tokio::test]
async fn retention_passes_on_postgres() {
    let Some(db) = fresh_database("retention").await else {
        return;
    };
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let settings = common::settings_on(sim.urls(), &db);
    crate::retention::retention_pass(sim, settings).await;
}

#[tokio::test]
async fn schedule_fires_missed_across_two_restarts_on_postgres() {
    let Some(db) = fresh_database("schedules").await else {
        return;
    };
    crate::schedules::missed_fires(&db.url).await;
}

#[tokio::test]
async fn a_signed_alert_on_postgres() {
    let Some(db) = fresh_database("alerts").await else {
        return;
    };
    crate::webhooks::signed_failure(console_on(&db).await).await;
}

#[tokio::test]
async fn sessions_runs_and_the_audit_log_survive_a_restart_on_postgres() {
    let Some(db) = fresh_database("auth").await else {
        return;
    };
    let console = console_on(&db).await;
    let session = crate::auth::sign_in(&console, "admin", common::ADMIN_PASSWORD).await;
    let http = reqwest::Client::new();
    let r = http
        .post(console.url("/api/v1/backups"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("start");
    assert_eq!(r.status().as_u16(), 202);
    let run: serde_json::Value = r.json().await.expect("json");
    let id = run["backupId"].as_i64().expect("backupId");
    let done = console.wait_terminal(id).await;
    assert_eq!(done["state"], "completed", "{done}");
    let (sim, _) = console.shut_down().await;

    // A new process on the same database: the session, the run and the audit log are there.
    let settings = common::settings_on(sim.urls(), &db);
    let console = common::start_with(sim, settings).await;
    let r = http
        .get(console.url("/api/v1/backups"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status().as_u16(), 200, "the session outlived the restart");
    let page: serde_json::Value = r.json().await.expect("json");
    assert_eq!(page["summary"]["total"], 1, "{page}");
    let (_, detail) = console.get_json(&format!("/api/v1/backups/{id}")).await;
    assert_eq!(detail["state"], "completed", "{detail}");
    let store = console.console.auth.store().clone();
    let started = store
        .audit(&AuditFilter {
            actor: Some("admin".into()),
            action: Some("backup.".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    let outcomes: Vec<(&str, &str)> = started
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [("backup.start", "ok"), ("backup.start", "attempted")],
        "newest first, the prefix filter on PostgreSQL"
    );

    // The audit log is append-only in the database itself.
    let mut raw = common::postgres::admin_options(&db.name)
        .expect("server")
        .connect()
        .await
        .expect("connect");
    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let e = raw
            .execute(statement)
            .await
            .expect_err("the audit log refused the change");
        assert!(e.to_string().contains("append-only"), "{statement}: {e}");
    }

    // Setting the admin's password (the `user set` command, beside the running console) ends
    // the session.
    let beside = Store::connect_beside(&db.url, Some(&db.password_file))
        .await
        .expect("beside");
    camunda_backup_console::auth::set_user(
        &beside,
        "admin",
        camunda_backup_console::domain::Role::Admin,
        &secrecy::SecretString::from("another-password-4471".to_owned()),
    )
    .await
    .expect("set user");
    let r = http
        .get(console.url("/api/v1/backups"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status().as_u16(), 401, "the session ended");
    console.stop().await;
}

#[tokio::test]
async fn tls_is_verified_against_the_ca_and_the_password_comes_from_its_file() {
    let Some(db) = fresh_database("tls").await else {
        return;
    };
    let password = std::fs::read_to_string(&db.password_file).expect("password");
    let password = password.trim_end();

    let store = Store::connect_with(&db.url, Some(&db.password_file))
        .await
        .expect("verified TLS, password from the file");
    assert_eq!(store.dialect(), Dialect::Postgres);
    store.ping().await.expect("ping");

    // Another CA: the server's certificate is not trusted.
    let other = camunda_sim::start({
        let mut c = fast_sim();
        c.tls.enabled = true;
        c
    })
    .await
    .expect("a TLS simulator, for a CA of its own");
    let dir = tempfile::tempdir().expect("tempdir");
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, other.ca_pem().expect("ca")).expect("write");
    other.shutdown().await;
    let ca = std::env::var("TEST_POSTGRES_CA").expect("ca");
    let wrong = db.url.replace(&ca, &other_ca.display().to_string());
    let e = Store::connect_with(&wrong, Some(&db.password_file))
        .await
        .expect_err("an untrusted certificate is refused");
    let text = error_chain(&e);
    assert!(
        text.contains("could not open the run journal at postgres://console@127.0.0.1"),
        "{text}"
    );
    assert!(!text.contains(password), "{text}");

    // No password: refused by the server, and a password in the URL is not echoed.
    let e = Store::connect_with(&db.url, None)
        .await
        .expect_err("no password");
    assert!(error_chain(&e).contains("password"), "{}", error_chain(&e));
    let with_wrong_password = db.url.replace("console@", "console:not-the-password-5513@");
    let e = Store::connect_with(&with_wrong_password, None)
        .await
        .expect_err("a wrong password");
    let text = error_chain(&e);
    assert!(!text.contains("not-the-password-5513"), "{text}");
    assert!(text.contains("console:***@"), "{text}");

    // A password file that cannot be read names the file.
    let e = Store::connect_with(&db.url, Some(&dir.path().join("missing")))
        .await
        .expect_err("missing file");
    assert!(error_chain(&e).contains("missing"), "{}", error_chain(&e));
}
