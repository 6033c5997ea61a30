//! Configuration loading: file, environment overrides, and errors that name the key.
#![allow(clippy::result_large_err)] // figment's Jail API returns its own large error

use super::*;
use figment::Jail;

const FULL: &str = r#"
listen = "127.0.0.1:3000"
database_url = "sqlite://console.db"
[cluster]
name = "production"
zeebe_management_url = "http://zeebe-gateway:9600"
zeebe_broker_management_urls = ["http://zeebe-0:9600"]
operate_management_url = "http://operate:9600"
tasklist_management_url = "http://tasklist:9600"
optimize_management_url = "http://optimize:8092"
elasticsearch_url = "http://elasticsearch:9200"
elasticsearch_username = "elastic"
elasticsearch_password = "changeme"
snapshot_repository = "camunda"
zeebe_record_prefix = "zeebe-record"
soft_pause = true
"#;

fn env() -> Env {
    Env::prefixed("CONSOLE_").split("__").ignore(NOT_KEYS)
}

fn run(f: impl FnOnce(&mut Jail) -> Result<(), figment::Error>) {
    Jail::expect_with(f);
}

#[test]
fn a_full_file_loads_with_every_key() {
    run(|jail| {
        jail.create_file("c.toml", FULL)?;
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        let c = s.cluster.ok_or("no cluster")?;
        assert_eq!(c.name, "production");
        assert_eq!(c.zeebe_broker_management_urls.len(), 1);
        assert_eq!(
            c.optimize_management_url.map(|u| u.to_string()),
            Some("http://optimize:8092/".into())
        );
        assert_eq!(
            c.elasticsearch_credentials.map(|c| c.username),
            Some("elastic".into())
        );
        assert!(c.soft_pause);
        Ok(())
    });
}

#[test]
fn environment_variables_override_nested_keys() {
    run(|jail| {
        jail.create_file("c.toml", FULL)?;
        jail.set_env(
            "CONSOLE_CLUSTER__ELASTICSEARCH_URL",
            "http://es-override:9200",
        );
        jail.set_env("CONSOLE_CLUSTER__SOFT_PAUSE", "false");
        jail.set_env("CONSOLE_LISTEN", "0.0.0.0:8080");
        jail.set_env("CONSOLE_CONFIG", "ignored.toml");
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        assert_eq!(s.listen.port(), 8080);
        let c = s.cluster.ok_or("no cluster")?;
        assert_eq!(c.elasticsearch_url.as_str(), "http://es-override:9200/");
        assert!(!c.soft_pause);
        Ok(())
    });
}

#[test]
fn no_cluster_table_means_the_embedded_simulator() {
    run(|_| {
        let s = load_from(None, env()).map_err(|e| e.to_string())?;
        assert!(s.cluster.is_none());
        assert_eq!(s.listen.port(), 3000);
        Ok(())
    });
}

fn error_for(file: &str) -> String {
    let mut out = String::new();
    Jail::expect_with(|jail| {
        jail.create_file("c.toml", file)?;
        out = match load_from(Some(Path::new("c.toml")), env()) {
            Ok(_) => "loaded".into(),
            Err(e) => e.to_string(),
        };
        Ok(())
    });
    out
}

#[test]
fn a_bad_url_is_reported_with_its_key() {
    let e = error_for(&FULL.replace("http://operate:9600", "operate:9600"));
    assert!(e.contains("cluster.operate_management_url"), "{e}");
}

#[test]
fn a_missing_required_key_is_reported_with_its_name() {
    let e = error_for(&FULL.replace("tasklist_management_url = \"http://tasklist:9600\"\n", ""));
    assert!(e.contains("tasklist_management_url"), "{e}");
}

#[test]
fn an_unknown_key_is_refused() {
    let e = error_for(&format!("{FULL}\nsnapshot_repositry = \"x\"\n"));
    assert!(e.contains("snapshot_repositry"), "{e}");
}

#[test]
fn a_password_without_a_username_is_refused() {
    let e = error_for(&FULL.replace("elasticsearch_username = \"elastic\"\n", ""));
    assert!(e.contains("cluster.elasticsearch_username"), "{e}");
}

#[test]
fn a_wildcard_repository_name_is_refused() {
    let e = error_for(&FULL.replace(
        "snapshot_repository = \"camunda\"",
        "snapshot_repository = \"cam*\"",
    ));
    assert!(e.contains("cluster.snapshot_repository"), "{e}");
}

#[test]
fn a_bad_listen_address_is_refused() {
    let e = error_for(&FULL.replace("127.0.0.1:3000", "localhost"));
    assert!(e.contains("`listen`"), "{e}");
}

#[test]
fn a_missing_file_is_reported() {
    let e = load_from(Some(Path::new("/nonexistent/console.toml")), env());
    assert!(matches!(e, Err(ConfigError::MissingFile { .. })));
}
