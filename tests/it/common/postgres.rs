//! A fresh PostgreSQL database per test, on the server the test command starts
//! (`scripts/postgres.sh`: TLS with a private CA, password sign-in). Without
//! `TEST_POSTGRES_URL` the PostgreSQL tests are skipped — unless
//! `TEST_REQUIRE_POSTGRES=1` (the test command sets it), where that is a failure.

use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{ConnectOptions, Executor};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database made for one test.
#[derive(Clone, Debug)]
pub struct PgDb {
    /// `postgres://console@127.0.0.1:PORT/NAME?sslmode=verify-full&sslrootcert=CA` (no password).
    pub url: String,
    pub password_file: PathBuf,
    pub name: String,
}

/// The server's base URL, password file and CA, when the test command started one.
pub fn server() -> Option<(String, PathBuf, PathBuf)> {
    let base = std::env::var("TEST_POSTGRES_URL").ok();
    let Some(base) = base else {
        assert!(
            std::env::var("TEST_REQUIRE_POSTGRES").is_err(),
            "TEST_REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not: start one with scripts/postgres.sh"
        );
        eprintln!("skipped: no PostgreSQL (TEST_POSTGRES_URL); ./test.sh starts one");
        return None;
    };
    let password = PathBuf::from(
        std::env::var("TEST_POSTGRES_PASSWORD_FILE").expect("TEST_POSTGRES_PASSWORD_FILE"),
    );
    let ca = PathBuf::from(std::env::var("TEST_POSTGRES_CA").expect("TEST_POSTGRES_CA"));
    Some((base, password, ca))
}

/// Options for the test server's `database` as the `console` role, over verified TLS.
pub fn admin_options(database: &str) -> Option<PgConnectOptions> {
    let (base, password, ca) = server()?;
    let pw = std::fs::read_to_string(&password).expect("password file");
    Some(
        PgConnectOptions::from_str(&format!("{base}/{database}"))
            .expect("url")
            .password(pw.trim_end())
            .ssl_mode(PgSslMode::VerifyFull)
            .ssl_root_cert(ca),
    )
}

/// Creates an empty database named for `tag` and returns where it is; `None` without a server.
pub async fn fresh_database(tag: &str) -> Option<PgDb> {
    static N: AtomicU32 = AtomicU32::new(0);
    let (base, password_file, ca) = server()?;
    let name = format!(
        "t_{tag}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = admin_options("postgres")?
        .connect()
        .await
        .expect("connect to the test PostgreSQL");
    admin
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .expect("create database");
    Some(PgDb {
        url: format!(
            "{base}/{name}?sslmode=verify-full&sslrootcert={}",
            ca.display()
        ),
        password_file,
        name,
    })
}
