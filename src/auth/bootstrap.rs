//! Local users from outside the web: the first admin at start-up (from `admin_password` /
//! `CONSOLE_ADMIN_PASSWORD` / `admin_password_file`, or generated once and shown on the
//! console's output), and `camunda-backup-console user set <name> --role <role>` on the command
//! line. There is no web endpoint that creates users.

use super::{hash_password, random_token, PasswordError};
use crate::domain::Role;
use crate::store::{Store, StoreError};
use secrecy::{ExposeSecret, SecretString};

/// The user name of the bootstrap admin.
pub const ADMIN: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("could not store the user")]
    Store(#[source] StoreError),
    #[error("could not hash the password")]
    Password(#[source] PasswordError),
    #[error("user names are 1 to 64 letters, digits, `.`, `_`, `-` or `@`; `{0}` is not")]
    InvalidName(String),
    #[error("the password must be at least 12 characters")]
    WeakPassword,
}

/// Makes sure someone can sign in. With a configured admin password, the `admin` user gets it
/// (created if missing). Otherwise, when there are no users at all, an `admin` user is created
/// with a generated password, which is returned so that the caller shows it once; only its hash
/// is stored.
pub async fn bootstrap_admin(
    store: &Store,
    configured: Option<&SecretString>,
) -> Result<Option<SecretString>, BootstrapError> {
    if let Some(password) = configured {
        // Applied at every start; only a change is a password change (it ends the admin's
        // sessions), a restart with the same password signs nobody out.
        let current = store.user(ADMIN).await.map_err(BootstrapError::Store)?;
        let unchanged = match current {
            Some(u) if u.role == Role::Admin => {
                super::verify_password(password.expose_secret().to_owned(), Some(u.password_hash))
                    .await
                    .map_err(BootstrapError::Password)?
            }
            _ => false,
        };
        if !unchanged {
            set_user(store, ADMIN, Role::Admin, password).await?;
            tracing::info!(
                user = ADMIN,
                "the admin user's password was set from the configuration (admin_password)"
            );
        }
        return Ok(None);
    }
    if store.user_count().await.map_err(BootstrapError::Store)? > 0 {
        return Ok(None);
    }
    let generated = SecretString::from(random_token().chars().take(24).collect::<String>());
    set_user(store, ADMIN, Role::Admin, &generated).await?;
    Ok(Some(generated))
}

/// Creates the user or sets its role and password; the user's open sessions end (whoever
/// held them must sign in with the new password).
pub async fn set_user(
    store: &Store,
    name: &str,
    role: Role,
    password: &SecretString,
) -> Result<(), BootstrapError> {
    let valid_name = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid_name {
        return Err(BootstrapError::InvalidName(name.to_owned()));
    }
    if password.expose_secret().chars().count() < 12 {
        return Err(BootstrapError::WeakPassword);
    }
    let hash = hash_password(password.expose_secret().to_owned())
        .await
        .map_err(BootstrapError::Password)?;
    let now = crate::engine::now();
    store
        .upsert_user(name, role, &hash, &now)
        .await
        .map_err(BootstrapError::Store)?;
    let ended = store
        .delete_local_sessions(name)
        .await
        .map_err(BootstrapError::Store)?;
    if ended > 0 {
        tracing::warn!(
            user = name,
            sessions = ended,
            "the user's sessions were ended"
        );
    }
    Ok(())
}

/// Ends every session of `who` (a local user's name, or a single sign-on account's `sub` or
/// display name); returns how many ended.
pub async fn revoke_sessions(store: &Store, who: &str) -> Result<u64, BootstrapError> {
    store
        .delete_sessions_of(who)
        .await
        .map_err(BootstrapError::Store)
}
