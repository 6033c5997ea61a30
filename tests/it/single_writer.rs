//! One console per SQLite file, and `check-config`.

use crate::common::{self, fast_sim};
use camunda_backup_console::startup::{Application, StartupError};

#[tokio::test]
async fn a_second_console_on_the_same_sqlite_file_refuses_to_start_naming_the_file_and_the_holder()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("console.db");
    let db = format!("sqlite://{}?mode=rwc", file.display());
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let settings = common::settings_for(sim.urls(), &db);
    let first = common::start_with(sim, settings.clone()).await;
    let second = Application::build(settings.clone(), common::leptos_options()).await;
    let err = match second {
        Err(StartupError::Store(e)) => common::error_chain(&e),
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a second console started on the same SQLite file"),
    };
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(
        err.contains(&format!("process {}", std::process::id())),
        "{err}"
    );
    assert!(err.contains("PostgreSQL"), "{err}");
    // Once the first has stopped, the file is free again.
    let (sim, _) = first.shut_down().await;
    let again = common::start_with(sim, settings).await;
    let (status, _) = again.get_json("/api/v1/backups").await;
    assert_eq!(status, 200);
    again.stop().await;
}

fn check_config(file: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_camunda-backup-console"))
        .arg("check-config")
        .arg("--config")
        .arg(file)
        .env_remove("CONSOLE_CONFIG")
        .output()
        .expect("the console runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_config_names_every_problem_and_accepts_a_valid_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        r#"
listen = "0.0.0.0:3000"
database_url = "sqlite:///var/lib/console/console.db?mode=rwc"
metrics_listen = "0.0.0.0:9464"
[cluster]
name = "production"
zeebe_management_url = "http://camunda-zeebe-gateway:9600"
operate_management_url = "http://camunda-operate:9600"
tasklist_management_url = "http://camunda-tasklist:9600"
elasticsearch_url = "http://camunda-elasticsearch:9200"
"#,
    )
    .expect("write");
    let (ok, words) = check_config(&good);
    assert!(ok, "{words}");
    assert!(words.contains("valid"), "{words}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        r#"
listen = "nowhere"
probe_interval_secs = 0
paused_alert_secs = 0
metrics_listen = "also nowhere"
[cluster]
name = "production"
zeebe_management_url = "http://camunda-zeebe-gateway:9600"
elasticsearch_url = "not a url"
"#,
    )
    .expect("write");
    let (ok, words) = check_config(&bad);
    assert!(!ok, "{words}");
    for key in [
        "`listen`",
        "`probe_interval_secs`",
        "`paused_alert_secs`",
        "`metrics_listen`",
        "`cluster.elasticsearch_url`",
    ] {
        assert!(words.contains(key), "{key} not named: {words}");
    }
    assert!(words.contains("5 problem(s)"), "{words}");
    let (ok, words) = check_config(&dir.path().join("missing.toml"));
    assert!(!ok && words.contains("does not exist"), "{words}");
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "simulate = true\nprobe_intervall_secs = 3\n").expect("write");
    let (ok, words) = check_config(&typo);
    assert!(!ok && words.contains("probe_intervall_secs"), "{words}");
}
