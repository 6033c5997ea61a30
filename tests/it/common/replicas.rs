//! Console replicas as real processes (the binary `cargo test` built) on one PostgreSQL test
//! database and one in-process simulator: what `kill -9` and `SIGSTOP` are tried on.

use super::postgres::PgDb;
use super::{ADMIN_TOKEN, OPERATOR_TOKEN, VIEWER_TOKEN};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// One console process.
pub struct ReplicaProcess {
    pub id: String,
    pub addr: SocketAddr,
    pub child: Child,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn token_lines() -> String {
    [
        ("admin", ADMIN_TOKEN),
        ("operator", OPERATOR_TOKEN),
        ("viewer", VIEWER_TOKEN),
    ]
    .iter()
    .map(|(role, token)| {
        format!(
            "[[auth.api_tokens]]\nname = \"{role}-token\"\nrole = \"{role}\"\ntoken_sha256 = \"{}\"\n",
            camunda_backup_console::auth::sha256_hex(token)
        )
    })
    .collect()
}

/// The configuration of replica `id`: the simulator as its cluster, `db` as its journal.
pub fn config(
    sim: &camunda_sim::SimUrls,
    db: &PgDb,
    id: &str,
    port: u16,
    lease_secs: u64,
    extra: &str,
) -> String {
    let brokers = sim
        .zeebe_brokers
        .iter()
        .map(|b| format!("\"{b}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"listen = "127.0.0.1:{port}"
database_url = "{url}"
database_password_file = "{pw}"
replica_id = "{id}"
leader_lease_secs = {lease_secs}
admin_password = "{admin}"
probe_interval_secs = 1
history_refresh_secs = 1
request_timeout_secs = 2
paused_alert_secs = 1
{extra}
[cluster]
name = "test"
zeebe_management_url = "{zeebe}"
zeebe_broker_management_urls = [{brokers}]
operate_management_url = "{operate}"
tasklist_management_url = "{tasklist}"
optimize_management_url = "{optimize}"
elasticsearch_url = "{es}"
soft_pause = true

[timeouts]
webapp_backup_secs = 30
records_snapshot_secs = 30
zeebe_backup_secs = 30
incomplete_grace_secs = 3
resume_retry_secs = 10
unavailable_budget_secs = 3

{tokens}"#,
        url = db.url,
        pw = db.password_file.display(),
        admin = super::ADMIN_PASSWORD,
        zeebe = sim.zeebe_gateway,
        operate = sim.operate,
        tasklist = sim.tasklist,
        optimize = sim.optimize,
        es = sim.elasticsearch,
        tokens = token_lines(),
    )
}

impl ReplicaProcess {
    /// Starts replica `id` and waits until it is ready (store answers, lease state known).
    pub async fn start(
        sim: &camunda_sim::SimUrls,
        db: &PgDb,
        id: &str,
        lease_secs: u64,
        extra: &str,
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let file = dir.path().join("console.toml");
        std::fs::write(&file, config(sim, db, id, port, lease_secs, extra)).expect("config");
        let log = dir.path().join("console.log");
        let out = std::fs::File::create(&log).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_camunda-backup-console"))
            .arg("--config")
            .arg(&file)
            .env_remove("CONSOLE_CONFIG")
            .env("RUST_LOG", "info")
            .stdout(Stdio::from(out.try_clone().expect("log")))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("the console starts");
        let replica = Self {
            id: id.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            log,
            _dir: dir,
        };
        let url = replica.url("/api/v1/ready");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = super::client().get(&url).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "replica {id} not ready in 60 s:\n{}",
                replica.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        replica
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `GET /api/v1/console`'s `replica` (as the admin token).
    pub async fn replica(&self) -> Option<serde_json::Value> {
        let r = super::client()
            .get(self.url("/api/v1/console"))
            .send()
            .await
            .ok()?;
        let v: serde_json::Value = r.json().await.ok()?;
        Some(v["replica"].clone())
    }

    /// Sends `signal` (`KILL`, `STOP`, `CONT`) to the process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal}");
    }

    /// `kill -9`, and the process reaped.
    pub fn kill9(&mut self) {
        self.signal("KILL");
        let _ = self.child.wait();
    }
}

impl Drop for ReplicaProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `replica` says it leads; returns its `replica` object.
pub async fn until_leader(replica: &ReplicaProcess, within: Duration) -> serde_json::Value {
    super::eventually(&format!("{} leads", replica.id), within, || async {
        replica.replica().await.filter(|r| r["leader"] == true)
    })
    .await
}
