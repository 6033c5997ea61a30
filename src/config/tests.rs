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
        assert!(matches!(
            c.elasticsearch_auth,
            Some(ElasticsearchAuth::Basic(Credentials { ref username, .. })) if username == "elastic"
        ));
        assert_eq!(c.soft_pause, Some(true));
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
        assert_eq!(c.soft_pause, Some(false));
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

#[test]
fn an_8_8_cluster_needs_one_orchestration_url_and_older_keys_still_load() {
    let unified = FULL
        .replace("zeebe_management_url = ", "orchestration_management_url = ")
        .replace("operate_management_url = \"http://operate:9600\"\n", "")
        .replace("tasklist_management_url = \"http://tasklist:9600\"\n", "");
    run(|jail| {
        jail.create_file("c.toml", &unified)?;
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        let c = s.cluster.ok_or("no cluster")?;
        assert_eq!(
            c.zeebe_management_url.as_str(),
            "http://zeebe-gateway:9600/"
        );
        assert_eq!(c.operate_management_url, c.zeebe_management_url);
        assert_eq!(c.tasklist_management_url, c.zeebe_management_url);
        assert!(!c.webapps_configured);
        Ok(())
    });
    run(|jail| {
        jail.create_file("c.toml", FULL)?;
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        assert!(s.cluster.ok_or("no cluster")?.webapps_configured);
        Ok(())
    });
}

#[test]
fn the_8_10_rest_api_has_its_own_url_and_credentials() {
    let with_rest = FULL.replace(
        "soft_pause = true",
        "soft_pause = true\norchestration_rest_url = \"https://camunda-zeebe-gateway:8080/\"",
    )
        + "[cluster.rest_auth]\nusername = \"backup-console\"\npassword = \"rest-pw-4711\"\n";
    run(|jail| {
        jail.create_file("c.toml", &with_rest)?;
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        let c = s.cluster.ok_or("no cluster")?;
        assert_eq!(
            c.orchestration_rest_url.as_ref().map(|u| u.as_str()),
            Some("https://camunda-zeebe-gateway:8080/")
        );
        assert!(
            matches!(&c.rest_auth, Some(crate::config::ManagementAuth::Basic(b)) if b.username == "backup-console")
        );
        // The REST password never shows in a debug print.
        assert!(!format!("{c:?}").contains("rest-pw-4711"));
        Ok(())
    });
    let orphan = format!("{FULL}[cluster.rest_auth]\nbearer_token = \"t\"\n");
    assert!(error_for(&orphan).contains("cluster.rest_auth"));
    let half = FULL.replace(
        "soft_pause = true",
        "soft_pause = true\norchestration_rest_url = \"http://gw:8080\"",
    ) + "[cluster.rest_auth]\nusername = \"u\"\n";
    assert!(error_for(&half).contains("cluster.rest_auth.password"));
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
    let e = error_for(&FULL.replace("elasticsearch_url = ", "# elasticsearch_url = "));
    assert!(e.contains("elasticsearch_url"), "{e}");
    // Operate's and Tasklist's own URLs are needed when 8.2–8.7 is configured …
    let e = error_for(
        &FULL
            .replace("tasklist_management_url = \"http://tasklist:9600\"\n", "")
            .replace("[cluster]\n", "[cluster]\ncamunda_version = \"8.7\"\n"),
    );
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

#[test]
fn a_file_without_a_cluster_table_is_refused_unless_simulate_is_set() {
    let e = error_for("listen = \"127.0.0.1:3000\"\n");
    assert!(
        e.contains("no [cluster] table") && e.contains("simulate = true"),
        "{e}"
    );
    run(|jail| {
        jail.create_file("sim.toml", "simulate = true\n")?;
        let s = load_from(Some(Path::new("sim.toml")), env()).map_err(|e| e.to_string())?;
        assert!(s.cluster.is_none());
        Ok(())
    });
    let e = error_for(&format!("simulate = true\n{FULL}"));
    assert!(e.contains("`simulate`"), "{e}");
}

#[test]
fn secrets_come_from_files_without_their_trailing_newline_and_never_show_in_debug() {
    run(|jail| {
        jail.create_file("es-key", "c2VjcmV0LWtleQ==\n")?;
        jail.create_file("token", "tok-123\n")?;
        let file = FULL
            .replace("elasticsearch_username = \"elastic\"\n", "")
            .replace(
                "elasticsearch_password = \"changeme\"\n",
                "elasticsearch_api_key_file = \"es-key\"\n",
            )
            + "[cluster.management_auth]\nbearer_token_file = \"token\"\n";
        jail.create_file("c.toml", &file)?;
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        let c = s.cluster.clone().ok_or("no cluster")?;
        match &c.elasticsearch_auth {
            Some(ElasticsearchAuth::ApiKey(k)) => {
                assert_eq!(secrecy::ExposeSecret::expose_secret(k), "c2VjcmV0LWtleQ==")
            }
            other => panic!("{other:?}"),
        }
        match &c.management_auth {
            Some(ManagementAuth::Bearer(t)) => {
                assert_eq!(secrecy::ExposeSecret::expose_secret(t), "tok-123")
            }
            other => panic!("{other:?}"),
        }
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("c2VjcmV0LWtleQ") && !shown.contains("tok-123"),
            "{shown}"
        );
        Ok(())
    });
}

#[test]
fn credentials_given_twice_or_half_are_refused_with_the_key() {
    let both = FULL.replace(
        "soft_pause = true",
        "soft_pause = true\nelasticsearch_api_key = \"k\"",
    );
    assert!(error_for(&both).contains("cluster.elasticsearch_api_key"));
    let twice = FULL.replace(
        "soft_pause = true",
        "soft_pause = true\nelasticsearch_password_file = \"/x\"",
    );
    assert!(error_for(&twice).contains("cluster.elasticsearch_password"));
    let half = format!("{FULL}[cluster.management_auth]\nusername = \"admin\"\n");
    assert!(error_for(&half).contains("cluster.management_auth.password"));
    let mixed = format!("{FULL}[cluster.management_auth]\nusername = \"a\"\npassword = \"b\"\nbearer_token = \"c\"\n");
    assert!(error_for(&mixed).contains("cluster.management_auth.bearer_token"));
    let missing_file = format!(
        "{FULL}[cluster.management_auth]\nusername = \"a\"\npassword_file = \"/nonexistent/pw\"\n"
    );
    let e = error_for(&missing_file);
    assert!(
        e.contains("cluster.management_auth.password_file") && e.contains("/nonexistent/pw"),
        "{e}"
    );
}

#[test]
fn tls_files_are_read_and_checked_at_start_up() {
    let e = error_for(&format!(
        "{FULL}[cluster.tls]\nca_file = \"/nonexistent/ca.pem\"\n"
    ));
    assert!(e.contains("cluster.tls.ca_file"), "{e}");
    run(|jail| {
        jail.create_file("not-a-cert.pem", "hello\n")?;
        jail.create_file(
            "c.toml",
            &format!("{FULL}[cluster.tls]\nca_file = \"not-a-cert.pem\"\n"),
        )?;
        let e = load_from(Some(Path::new("c.toml")), env())
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            matches!(&e, Err(m) if m.contains("cluster.tls.ca_file")),
            "{e:?}"
        );
        Ok(())
    });
    let e = error_for(&format!(
        "{FULL}[cluster.tls]\nclient_cert_file = \"/x.pem\"\n"
    ));
    assert!(e.contains("cluster.tls.client_key_file"), "{e}");
}

#[test]
fn soft_pause_is_decided_from_the_version_when_not_configured() {
    run(|jail| {
        jail.create_file("c.toml", &FULL.replace("soft_pause = true\n", ""))?;
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        assert_eq!(s.cluster.ok_or("no cluster")?.soft_pause, None);
        Ok(())
    });
}

#[test]
fn a_numeric_secret_from_the_environment_is_taken_as_text_and_never_shown() {
    run(|jail| {
        jail.create_file("c.toml", FULL)?;
        jail.set_env("CONSOLE_CLUSTER__ELASTICSEARCH_PASSWORD", "9081726354");
        let s = load_from(Some(Path::new("c.toml")), env()).map_err(|e| e.to_string())?;
        match s.cluster.ok_or("no cluster")?.elasticsearch_auth {
            Some(ElasticsearchAuth::Basic(c)) => {
                assert_eq!(
                    secrecy::ExposeSecret::expose_secret(&c.password),
                    "9081726354"
                )
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    });
}
