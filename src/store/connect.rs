//! Opening the journal's pool: SQLite (WAL, a file or memory) or PostgreSQL (TLS and the
//! password as the URL and the password file say), both behind sqlx's `Any` driver.

use super::StoreError;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::Executor;
use std::time::Duration;

/// Which database the journal is in: the few statements that differ ask it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The dialect of a `database_url` (`postgres://` or `postgresql://`; anything else is
    /// SQLite, which the configuration check has already required to be `sqlite:`).
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    /// SQL reading the text at `path` in the JSON text `column` (NULL when absent or JSON null).
    pub fn json_text(self, column: &str, path: &[&str]) -> String {
        match self {
            Self::Sqlite => format!("json_extract({column}, '$.{}')", path.join(".")),
            Self::Postgres => format!("({column}::jsonb #>> '{{{}}}')", path.join(",")),
        }
    }

    /// SQL reading the integer at `path` in the JSON text `column`.
    pub fn json_integer(self, column: &str, path: &[&str]) -> String {
        match self {
            Self::Sqlite => self.json_text(column, path),
            Self::Postgres => format!("{}::bigint", self.json_text(column, path)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// `url` with its password replaced by `***` (for errors and logs).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            // A URL with a password has a host: setting it cannot fail.
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => url.split_once("://").map_or_else(
            || "(not a URL)".into(),
            |(scheme, _)| format!("{scheme}://…"),
        ),
    }
}

/// `url` with the password read from `file` (its first line; a trailing newline is not part
/// of it), when a file is given.
pub(super) fn with_password(
    url: &str,
    file: Option<&std::path::Path>,
) -> Result<String, StoreError> {
    let Some(file) = file else {
        return Ok(url.to_owned());
    };
    let read = std::fs::read_to_string(file).map_err(|source| StoreError::PasswordFile {
        path: file.display().to_string(),
        source,
    })?;
    let password = read.lines().next().unwrap_or_default();
    let mut u = url::Url::parse(url).map_err(|e| StoreError::Open {
        url: redact_url(url),
        source: sqlx::Error::Configuration(e.into()),
    })?;
    u.set_password(Some(password))
        .map_err(|()| StoreError::Open {
            url: redact_url(url),
            source: sqlx::Error::Configuration("the URL has no host to sign in to".into()),
        })?;
    Ok(u.to_string())
}

/// A SQLite pool: WAL + NORMAL for a file (a committed transition survives the console being
/// killed — the failure this journal exists for; only an OS crash may lose the last commits —
/// and each write inside the pause window stays well under a millisecond), one connection for
/// memory (an in-memory database lives in one connection).
pub(super) async fn sqlite(url: &str, in_memory: bool) -> Result<AnyPool, sqlx::Error> {
    let url = if in_memory || url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    AnyPoolOptions::new()
        .max_connections(if in_memory { 1 } else { 4 })
        .min_connections(if in_memory { 1 } else { 0 })
        .idle_timeout(None)
        .max_lifetime(None)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if !in_memory {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                conn.execute("PRAGMA busy_timeout = 5000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
}

/// A PostgreSQL pool. TLS is the URL's (`sslmode=verify-full&sslrootcert=/path/ca.pem`); a
/// connection that cannot be had in 10 s is an error, not a hang.
pub(super) async fn postgres(url: &str) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows_in_a_redacted_url() {
        let r = redact_url(
            "postgres://console:s3cr%2Ft@db.camunda.svc:5432/console?sslmode=verify-full",
        );
        assert!(!r.contains("s3cr"), "{r}");
        assert!(r.contains("console:***@db.camunda.svc:5432/console"), "{r}");
        assert_eq!(redact_url("sqlite://console.db"), "sqlite://console.db");
        assert_eq!(redact_url("postgres//x:y@z"), "(not a URL)");
    }

    #[test]
    fn the_password_file_gives_the_password_percent_encoded() {
        let dir = std::env::temp_dir().join(format!("pwfile-{}", std::process::id()));
        std::fs::write(&dir, "p@ss/w:rd\n").expect("write");
        let url = with_password("postgres://console@db:5432/console", Some(&dir)).expect("url");
        let _ = std::fs::remove_file(&dir);
        let parsed = url::Url::parse(&url).expect("parse");
        assert_eq!(parsed.password(), Some("p%40ss%2Fw%3Ard"));
        assert_eq!(parsed.username(), "console");
    }

    #[test]
    fn json_paths_read_the_same_field_in_both_dialects() {
        assert_eq!(
            Dialect::Sqlite.json_integer("view", &["pause", "durationMs"]),
            "json_extract(view, '$.pause.durationMs')"
        );
        assert_eq!(
            Dialect::Postgres.json_integer("view", &["pause", "durationMs"]),
            "(view::jsonb #>> '{pause,durationMs}')::bigint"
        );
        assert_eq!(Dialect::of("postgresql://h/db"), Dialect::Postgres);
        assert_eq!(Dialect::of("sqlite::memory:"), Dialect::Sqlite);
    }
}
