//! Local users and server-side sessions. Passwords are stored as argon2 hashes and session
//! tokens as SHA-256 digests: nothing in this database signs anyone in by itself.

use super::{Store, StoreError};
use crate::domain::Role;
use sqlx::Row;

/// A local user as stored (the hash only reaches the password check).
#[derive(Clone)]
pub struct StoredUser {
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

impl std::fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredUser")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A live session: who, with which role, and its CSRF token.
#[derive(Clone)]
pub struct StoredSession {
    pub user_name: String,
    /// Single sign-on: the provider's `sub`.
    pub subject: Option<String>,
    pub source: String,
    pub role: Role,
    pub csrf_token: String,
    pub expires_at: String,
}

impl std::fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSession")
            .field("user_name", &self.user_name)
            .field("source", &self.source)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A new session to store.
pub struct NewSession<'a> {
    pub token_sha256: &'a str,
    pub user_name: &'a str,
    pub subject: Option<&'a str>,
    pub source: &'a str,
    pub role: Role,
    pub csrf_token: &'a str,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

fn role_column(row: &sqlx::any::AnyRow, column: &str) -> Result<Role, StoreError> {
    let raw: String = row.try_get(column)?;
    Role::parse(&raw).ok_or_else(|| {
        StoreError::Query(sqlx::Error::Decode(
            format!("unknown role `{raw}` in column {column}").into(),
        ))
    })
}

impl Store {
    /// How many local users exist (the first admin is created only when there are none).
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Creates the user or replaces its role and password hash.
    #[tracing::instrument(skip(self, password_hash))]
    pub async fn upsert_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(at)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn user(&self, name: &str) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query("SELECT name, role, password_hash FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(StoredUser {
                name: r.try_get("name")?,
                role: role_column(&r, "role")?,
                password_hash: r.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    pub async fn insert_session(&self, s: &NewSession<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_name, subject, source, role, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.token_sha256)
        .bind(s.user_name)
        .bind(s.subject)
        .bind(s.source)
        .bind(s.role.as_str())
        .bind(s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The unexpired session with this token digest. A local user's role is read from `users`
    /// (a changed role applies at once; a removed user's sessions end).
    pub async fn session(
        &self,
        token_sha256: &str,
        now: &str,
    ) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query(
            "SELECT s.user_name, s.subject, s.source, s.csrf_token, s.expires_at,
                    CASE WHEN s.source = 'local' THEN u.role ELSE s.role END AS role
             FROM sessions s LEFT JOIN users u ON s.source = 'local' AND u.name = s.user_name
             WHERE s.token_sha256 = $1 AND s.expires_at > $2",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        if r.try_get::<Option<String>, _>("role")?.is_none() {
            return Ok(None);
        }
        Ok(Some(StoredSession {
            user_name: r.try_get("user_name")?,
            subject: r.try_get("subject")?,
            source: r.try_get("source")?,
            role: role_column(&r, "role")?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    pub async fn delete_session(&self, token_sha256: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of `who`: a local user by name, a single sign-on account by its
    /// `sub` or display name. Returns how many ended.
    pub async fn delete_sessions_of(&self, who: &str) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE user_name = $1 OR subject = $2")
                .bind(who)
                .bind(who)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Ends every session of the local user `name` (its password or role was set).
    pub async fn delete_local_sessions(&self, name: &str) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE source = 'local' AND user_name = $1")
                .bind(name)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Forgets expired sessions; returns how many.
    pub async fn purge_sessions(&self, now: &str) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
