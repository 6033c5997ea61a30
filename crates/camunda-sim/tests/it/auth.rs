//! Authentication: basic/bearer on the Spring management endpoints, basic/API key on
//! Elasticsearch, 401 bodies in each component's own shape, call log, order before faults.

use crate::common;

use std::time::Duration;

use camunda_sim::{
    start, AuthConfig, ElasticsearchAuth, Fault, FaultKind, ManagementAuth, RunningSimulator,
    SimConfig,
};
use common::fast_config;
use serde_json::{json, Value};

const ES_CHALLENGES: [&str; 2] = ["Basic realm=\"security\" charset=\"UTF-8\"", "ApiKey"];

async fn auth_sim(auth: AuthConfig) -> RunningSimulator {
    start(SimConfig {
        auth,
        ..fast_config()
    })
    .await
    .expect("simulator starts")
}

fn management(m: ManagementAuth) -> AuthConfig {
    AuthConfig {
        management: Some(m),
        ..Default::default()
    }
}

fn elasticsearch(e: ElasticsearchAuth) -> AuthConfig {
    AuthConfig {
        elasticsearch: Some(e),
        ..Default::default()
    }
}

/// Answer of one request: status, every `WWW-Authenticate` value, JSON body.
struct Answer {
    status: u16,
    challenges: Vec<String>,
    body: Value,
}

async fn get(url: &str, authorization: Option<&str>) -> Answer {
    let client = common::client();
    let mut req = client.get(url);
    if let Some(a) = authorization {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let challenges = resp
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        challenges,
        body,
    }
}

fn assert_spring_401(a: &Answer, challenge: &str, path: &str) {
    assert_eq!(a.status, 401);
    assert_eq!(a.challenges, vec![challenge.to_string()]);
    let obj = a.body.as_object().expect("JSON object");
    assert_eq!(obj.len(), 4, "{obj:?}");
    assert_eq!(a.body["status"], 401);
    assert_eq!(a.body["error"], "Unauthorized");
    assert_eq!(a.body["path"], path);
    let ts = a.body["timestamp"].as_str().expect("timestamp");
    chrono::DateTime::parse_from_rfc3339(ts).expect("RFC 3339 timestamp");
}

fn es_401_body(reason: &str) -> Value {
    json!({
        "error": {
            "root_cause": [{"type": "security_exception", "reason": reason}],
            "type": "security_exception",
            "reason": reason,
        },
        "status": 401,
    })
}

#[tokio::test]
async fn basic_auth_guards_every_spring_component() {
    let sim = auth_sim(management(ManagementAuth::basic("demo", "s3cret"))).await;
    let u = sim.urls().clone();
    let right = "Basic ZGVtbzpzM2NyZXQ="; // demo:s3cret
    let wrong = "Basic ZGVtbzp3cm9uZw=="; // demo:wrong
    let bases = [
        (u.zeebe_gateway.clone(), "/actuator/backups"),
        (u.zeebe_brokers[1].clone(), "/actuator/partitions"),
        (u.operate.clone(), "/actuator/backups"),
        (u.tasklist.clone(), "/actuator/backups"),
        (u.optimize.clone(), "/actuator/backups"),
    ];
    for (base, path) in &bases {
        let url = format!("{base}{path}");
        assert_spring_401(&get(&url, None).await, "Basic realm=\"Realm\"", path);
        assert_spring_401(&get(&url, Some(wrong)).await, "Basic realm=\"Realm\"", path);
        assert_spring_401(
            &get(&url, Some("Bearer s3cret")).await,
            "Basic realm=\"Realm\"",
            path,
        );
        let ok = get(&url, Some(right)).await;
        assert_eq!(ok.status, 200, "{url}");
        assert!(ok.challenges.is_empty());
    }
    // Elasticsearch and the admin API are not affected by management credentials
    assert_eq!(
        get(&format!("{}/", u.elasticsearch), None).await.status,
        200
    );
    assert_eq!(
        get(&format!("{}/admin/state", u.admin), None).await.status,
        200
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn bearer_auth_answers_with_a_bearer_challenge() {
    let sim = auth_sim(management(ManagementAuth::bearer("tok-123"))).await;
    let path = "/actuator/backups";
    let url = format!("{}{path}", sim.urls().zeebe_gateway);
    assert_spring_401(&get(&url, None).await, "Bearer", path);
    assert_spring_401(&get(&url, Some("Bearer tok-999")).await, "Bearer", path);
    assert_eq!(get(&url, Some("Bearer tok-123")).await.status, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn elasticsearch_basic_auth_answers_with_a_security_exception() {
    let sim = auth_sim(elasticsearch(ElasticsearchAuth::basic(
        "elastic", "changeme",
    )))
    .await;
    let url = format!("{}/_snapshot/camunda", sim.urls().elasticsearch);

    let missing = get(&url, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.challenges, ES_CHALLENGES);
    assert_eq!(
        missing.body,
        es_401_body("missing authentication credentials for REST request [/_snapshot/camunda]")
    );

    // elastic:wrong
    let wrong = get(&url, Some("Basic ZWxhc3RpYzp3cm9uZw==")).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.challenges, ES_CHALLENGES);
    assert_eq!(
        wrong.body,
        es_401_body("unable to authenticate user [elastic] for REST request [/_snapshot/camunda]")
    );

    // elastic:changeme
    let ok = get(&url, Some("Basic ZWxhc3RpYzpjaGFuZ2VtZQ==")).await;
    assert_eq!(ok.status, 200);
    assert!(ok.body.get("camunda").is_some(), "{}", ok.body);

    // management endpoints are not affected by Elasticsearch credentials
    let gw = format!("{}/actuator/backups", sim.urls().zeebe_gateway);
    assert_eq!(get(&gw, None).await.status, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn elasticsearch_api_key_is_compared_as_a_whole() {
    let key = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";
    let sim = auth_sim(elasticsearch(ElasticsearchAuth::api_key(key))).await;
    let url = format!("{}/_cat/indices?format=json", sim.urls().elasticsearch);
    assert_eq!(get(&url, Some(&format!("ApiKey {key}"))).await.status, 200);

    // id "id", wrong secret
    let wrong = get(&url, Some("ApiKey aWQ6d3Jvbmc=")).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.body,
        es_401_body(
            "unable to authenticate user [id] for REST request [/_cat/indices?format=json]"
        )
    );
    let missing = get(&url, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.body["error"]["reason"],
        "missing authentication credentials for REST request [/_cat/indices?format=json]"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn rejected_calls_are_logged_and_auth_comes_before_faults_and_latency() {
    let sim = auth_sim(management(ManagementAuth::bearer("t"))).await;
    let control = sim.control();
    control.add_fault(
        Fault::new("zeebe", "list_backups", FaultKind::Status)
            .with_status(503, r#"{"message":"down"}"#)
            .times(1),
    );
    let mut latency = camunda_sim::LatencyConfig::default();
    latency.operations.insert("zeebe.*".into(), 2_000);
    control.set_latency(latency);
    let url = format!("{}/actuator/backups", sim.urls().zeebe_gateway);

    let started = std::time::Instant::now();
    assert_eq!(get(&url, None).await.status, 401);
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "no latency for a rejected call"
    );
    control.set_latency(camunda_sim::LatencyConfig::default());
    assert_eq!(
        get(&url, Some("Bearer t")).await.status,
        503,
        "the fault was not used up by the rejected call"
    );
    assert_eq!(get(&url, Some("Bearer t")).await.status, 200);

    let calls = control.calls();
    let statuses: Vec<(String, String, u16)> = calls
        .iter()
        .map(|c| (c.component.clone(), c.operation.clone(), c.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("zeebe".into(), "list_backups".into(), 401),
            ("zeebe".into(), "list_backups".into(), 503),
            ("zeebe".into(), "list_backups".into(), 200),
        ]
    );
    assert_eq!(control.count_calls("zeebe", "list_backups"), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn auth_can_be_changed_at_runtime() {
    let sim = auth_sim(AuthConfig::default()).await;
    let url = format!("{}/actuator/backups", sim.urls().operate);
    assert_eq!(get(&url, None).await.status, 200);
    sim.control()
        .set_auth(management(ManagementAuth::basic("a", "b")));
    assert_eq!(get(&url, None).await.status, 401);
    sim.control().set_auth(AuthConfig::default());
    assert_eq!(get(&url, None).await.status, 200);
    sim.shutdown().await;
}

#[test]
fn the_auth_section_parses_both_credential_shapes() {
    let c = SimConfig::from_toml_str(
        "[auth.management]\nusername = \"demo\"\npassword = \"demo\"\n\
         [auth.elasticsearch]\napi_key = \"abc\"\n",
    )
    .unwrap();
    assert_eq!(
        c.auth.management,
        Some(ManagementAuth::basic("demo", "demo"))
    );
    assert_eq!(
        c.auth.elasticsearch,
        Some(ElasticsearchAuth::api_key("abc"))
    );
    let c = SimConfig::from_toml_str("[auth]\nmanagement = { bearer_token = \"t\" }\n").unwrap();
    assert_eq!(c.auth.management, Some(ManagementAuth::bearer("t")));
    assert!(SimConfig::from_toml_str("[auth]\nforbidden = [\"zeebe\"]\n").is_err());
    assert_eq!(SimConfig::default().auth, AuthConfig::default());
}
