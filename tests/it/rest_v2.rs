//! Camunda 8.10 over its authenticated `/v2` REST API (docs/camunda-api-8.8-8.10.md §3.2,
//! §3.5, §3.6), over real HTTP against the simulator's REST listener: the documented order
//! with every orchestration-cluster call on `/v2` and the console's credentials, and each
//! missing permission named where the cluster first refuses it.

use crate::common::{assert_exporting, fast_sim, step, TestConsole};
use camunda_backup_console::config::{Credentials, ManagementAuth};
use camunda_sim::{AuthConfig, ManagementAuth as SimAuth};

const USER: &str = "backup-console";
pub(crate) const PASSWORD: &str = "v2-s3cret";

/// An 8.10 simulator whose REST API demands the console's credentials and grants
/// `permissions` (`None`: authorizations off).
pub(crate) fn sim_810(permissions: Option<&[&str]>) -> camunda_sim::SimConfig {
    let mut sim = fast_sim();
    sim.version = "8.10.0".into();
    sim.exporting_response = camunda_sim::ExportingResponse::Real204;
    sim.auth = AuthConfig {
        rest: Some(SimAuth::basic(USER, PASSWORD)),
        rest_permissions: permissions.map(|p| p.iter().map(|s| (*s).to_owned()).collect()),
        ..Default::default()
    };
    sim
}

/// A console for `sim` (8.10) with the REST URL and `password`, journaling to `db`.
pub(crate) fn settings_810(
    sim: &camunda_sim::RunningSimulator,
    password: &str,
    db: &str,
) -> camunda_backup_console::config::Settings {
    let mut settings = crate::common::settings_for(sim.urls(), db);
    if let Some(c) = settings.cluster.as_mut() {
        c.orchestration_rest_url = Some(sim.urls().rest.parse().expect("url"));
        c.rest_auth = Some(ManagementAuth::Basic(Credentials {
            username: USER.into(),
            password: password.to_owned().into(),
        }));
    }
    settings
}

/// An 8.10 simulator ([`sim_810`]) and a console configured with the REST URL and `password`.
pub(crate) async fn start_810(permissions: Option<&[&str]>, password: &str) -> TestConsole {
    let sim = camunda_sim::start(sim_810(permissions))
        .await
        .expect("simulator starts");
    let settings = settings_810(&sim, password, "sqlite::memory:");
    crate::common::start_with(sim, settings).await
}

async fn run_backup(console: &TestConsole) -> (i64, serde_json::Value) {
    console.until_profile("v810").await;
    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    (id, console.wait_terminal(id).await)
}

#[tokio::test]
async fn an_8_10_backup_runs_on_the_v2_api_with_the_console_credentials() {
    let console = start_810(None, PASSWORD).await;
    let (id, run) = run_backup(&console).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(run["profile"], "v810");
    assert_eq!(run["pause"]["soft"], true);
    let preflight = step(&run, "preflight").expect("preflight");
    assert!(
        preflight["detail"]
            .as_str()
            .is_some_and(|d| d.contains("/v2 REST API (credentials accepted, BACKUP:READ held)")),
        "{preflight}"
    );
    // The 8.10 docs' order (§3.5) with the `/v2` equivalents of the actuator calls; Optimize
    // and Elasticsearch keep their own APIs.
    assert_eq!(
        console.changes(),
        vec![
            "rest POST /v2/exporting/pause?soft=true".to_owned(),
            "rest POST /v2/backups/history".to_owned(),
            "optimize POST /actuator/backups".to_owned(),
            format!("elasticsearch PUT /_snapshot/camunda/camunda_zeebe_records_backup_{id}?wait_for_completion=true"),
            "rest POST /v2/backups/runtime".to_owned(),
            "rest POST /v2/exporting/resume".to_owned(),
        ]
    );
    // Nothing about backups went to the actuators.
    let calls = console.sim.control().calls();
    assert!(
        !calls.iter().any(|c| c.component == "zeebe"
            && (c.path.contains("backup") || c.path.contains("exporting"))),
        "{calls:?}"
    );
    // The waits read the `/v2` status endpoints.
    assert!(calls
        .iter()
        .any(|c| c.method == "GET" && c.path == format!("/v2/backups/runtime/{id}")));
    assert!(calls
        .iter()
        .any(|c| c.method == "GET" && c.path == format!("/v2/backups/history/{id}")));
    assert_exporting(&console.sim).await;

    // The history reads the same API: one restorable set with the 8.8+ parts.
    let row = console.restorable_row(id).await;
    let mut parts: Vec<&str> = row["components"]
        .as_object()
        .expect("components")
        .keys()
        .map(String::as_str)
        .collect();
    parts.sort_unstable();
    assert_eq!(
        parts,
        ["optimize", "webapps", "zeebe", "zeebeRecords"],
        "{row}"
    );
    console.stop().await;
}

/// Backup Now refused before a run exists: the ids check (`GET /v2/backups/runtime`, the
/// first read) is where the cluster first says no; returns the refusal's message.
async fn refused_backup_now(console: &TestConsole) -> String {
    console.until_profile("v810").await;
    console.sim.control().clear_calls();
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 503, "{body}");
    assert!(console.changes().is_empty(), "{:?}", console.changes());
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn without_backup_read_backup_now_names_it_and_nothing_changes() {
    let console = start_810(Some(&["BACKUP:CREATE", "EXPORTER:PAUSE"]), PASSWORD).await;
    let error = refused_backup_now(&console).await;
    assert!(
        error.contains("lacks the Camunda permission BACKUP:READ")
            && error.contains("GET ")
            && error.contains("/v2/backups/runtime")
            && error.contains("[cluster.rest_auth]"),
        "{error}"
    );
    console.stop().await;
}

#[tokio::test]
async fn without_backup_create_the_take_is_refused_by_name_and_exporting_is_resumed() {
    let console = start_810(Some(&["BACKUP:READ", "EXPORTER:PAUSE"]), PASSWORD).await;
    let (_, run) = run_backup(&console).await;
    assert_eq!(run["state"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("lacks the Camunda permission BACKUP:CREATE"),
        "{error}"
    );
    // The pause went through; the refused history take is the only other write; then resume.
    assert_eq!(
        console.changes(),
        vec![
            "rest POST /v2/exporting/pause?soft=true",
            "rest POST /v2/backups/history",
            "rest POST /v2/exporting/resume",
        ]
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn without_the_exporting_permission_the_pause_is_refused_and_nothing_changes() {
    let console = start_810(Some(&["BACKUP:READ", "BACKUP:CREATE"]), PASSWORD).await;
    let (_, run) = run_backup(&console).await;
    assert_eq!(run["state"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(error.contains("EXPORTER:PAUSE or SYSTEM:UPDATE"), "{error}");
    assert_eq!(
        step(&run, "trigger_webapps").map(|s| s["state"].clone()),
        Some("skipped".into()),
        "{run}"
    );
    // Refused before the cluster acted: nothing was paused, so nothing is resumed (a resume
    // would be refused the same way and raise a false alarm).
    assert_eq!(
        console.changes(),
        vec!["rest POST /v2/exporting/pause?soft=true"]
    );
    assert!(
        !run["nextAction"]
            .as_str()
            .unwrap_or_default()
            .contains("MAY STILL BE PAUSED"),
        "{run}"
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn wrong_rest_credentials_are_named_before_anything_changes() {
    let console = start_810(None, "not-the-password").await;
    let error = refused_backup_now(&console).await;
    assert!(
        error.contains("HTTP 401") && error.contains("[cluster.rest_auth]"),
        "{error}"
    );
    console.stop().await;
}

/// A pause whose first answer was lost after the cluster acted (a proxy's 504), and whose
/// retry is refused with 403 (the permission revoked meanwhile): the first attempt may have
/// paused exporting, so the refusal of the retry must not be read as "never paused" — the
/// resume is sent and exporting runs again.
#[tokio::test]
async fn a_refused_retry_of_a_pause_whose_first_answer_was_lost_still_resumes() {
    use camunda_sim::{Fault, FaultKind};
    let console = start_810(None, PASSWORD).await;
    console.until_profile("v810").await;
    let control = console.sim.control();
    control.add_fault(Fault::new("rest", "pause", FaultKind::LoseAnswer).times(1));
    control.add_fault(
        Fault::new("rest", "pause", FaultKind::Status)
            .with_status(
                403,
                r#"{"type":"about:blank","title":"FORBIDDEN","status":403,"detail":"Unauthorized to perform operation 'PAUSE' on resource 'EXPORTER'"}"#,
            )
            .times(1),
    );
    control.clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    assert_eq!(
        step(&run, "pause_exporting").map(|s| s["state"].clone()),
        Some("failed".into()),
        "{run}"
    );
    let changes = console.changes();
    assert!(
        changes.iter().any(|c| c.contains("/v2/exporting/resume")),
        "no resume was sent: {changes:?}"
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}
