//! Who may do what: roles, the permissions each action needs, and the signed-in user as the
//! pages see it. Shared by the server (which enforces) and the browser (which hides what the
//! role may not do and says why).

use serde::{Deserialize, Serialize};

/// A role. Each includes everything the one below it may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees everything.
    Viewer,
    /// Also starts and cancels backups.
    Operator,
    /// Also restores, deletes sets, confirms restore steps, reads the audit log, changes settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Whether this role may do `what`.
    pub fn may(self, what: Permission) -> bool {
        self >= what.needs()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that needs more than the viewer role. Reading (pages, lists, event streams, the
/// restore plan preview) needs only a signed-in viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    StartBackup,
    CancelBackup,
    DeleteSet,
    StartRestore,
    ConfirmRestoreStep,
    CancelRestore,
    RetryRestore,
    /// The simulator's stand-in for the operator's own steps (simulated clusters only).
    SimulateOperatorStep,
    ReadAudit,
    ChangeSettings,
    /// Run a schedule now (operators, like Backup Now).
    RunSchedule,
    /// Create, change, pause and delete schedules.
    ChangeSchedules,
    /// Save the retention policy.
    ChangeRetention,
    /// Pin a set (Keep) or unpin it.
    PinSet,
    /// Create, change, delete and test webhooks.
    ChangeHooks,
}

impl Permission {
    /// The lowest role that has this permission.
    pub fn needs(self) -> Role {
        match self {
            Permission::StartBackup | Permission::CancelBackup | Permission::RunSchedule => {
                Role::Operator
            }
            Permission::DeleteSet
            | Permission::StartRestore
            | Permission::ConfirmRestoreStep
            | Permission::CancelRestore
            | Permission::RetryRestore
            | Permission::SimulateOperatorStep
            | Permission::ReadAudit
            | Permission::ChangeSettings
            | Permission::ChangeSchedules
            | Permission::ChangeRetention
            | Permission::PinSet
            | Permission::ChangeHooks => Role::Admin,
        }
    }

    /// The action in words, for refusals and for the audit log: "start a backup".
    pub fn describe(self) -> &'static str {
        match self {
            Permission::StartBackup => "start a backup",
            Permission::CancelBackup => "cancel a backup",
            Permission::DeleteSet => "delete a backup set",
            Permission::StartRestore => "start a restore",
            Permission::ConfirmRestoreStep => "confirm a restore step",
            Permission::CancelRestore => "cancel a restore",
            Permission::RetryRestore => "retry a restore",
            Permission::SimulateOperatorStep => "do an operator step on the simulator",
            Permission::ReadAudit => "read the audit log",
            Permission::ChangeSettings => "change settings",
            Permission::RunSchedule => "run a schedule now",
            Permission::ChangeSchedules => "change schedules",
            Permission::ChangeRetention => "change the retention policy",
            Permission::PinSet => "keep (pin) or release a backup set",
            Permission::ChangeHooks => "change or test webhooks",
        }
    }

    /// Why a role may not: "Deleting … needs the admin role; you are an operator."
    pub fn refusal(self, role: Role) -> String {
        format!(
            "Only the {} role may {} (you are signed in as {} {}). Ask an admin if you need it.",
            self.needs(),
            self.describe(),
            if role == Role::Admin || role == Role::Operator {
                "an"
            } else {
                "a"
            },
            role
        )
    }
}

/// The signed-in principal as the pages see it (never a secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub name: String,
    pub role: Role,
    /// `local`, `oidc` or `token`.
    pub via: String,
}

impl Me {
    pub fn may(&self, what: Permission) -> bool {
        self.role.may(what)
    }

    /// `None` when allowed, otherwise the reason to show next to the hidden control.
    pub fn why_not(&self, what: Permission) -> Option<String> {
        (!self.may(what)).then(|| what.refusal(self.role))
    }
}

/// One audit-log entry, as the API and the audit page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// User or token name; `-` when nobody was signed in.
    pub actor: String,
    /// The stable identity behind the name when it is not the name itself: the identity
    /// provider's `sub` for single sign-on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// `local`, `oidc`, `token` or `anonymous`.
    pub actor_kind: String,
    /// The client's address as the console saw it.
    pub address: Option<String>,
    /// What was attempted: `backup.start`, `set.delete`, `auth.sign_in`, …
    pub action: String,
    /// What it was done to: `backup 42`, `restore 3 step stop_apps`, a user name.
    pub target: Option<String>,
    /// `ok`, `refused` or `failed`.
    pub outcome: String,
    /// The reason for a refusal or failure, or what was done.
    pub detail: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_one_below() {
        let all = [
            Permission::StartBackup,
            Permission::CancelBackup,
            Permission::DeleteSet,
            Permission::StartRestore,
            Permission::ConfirmRestoreStep,
            Permission::CancelRestore,
            Permission::RetryRestore,
            Permission::SimulateOperatorStep,
            Permission::ReadAudit,
            Permission::ChangeSettings,
        ];
        for p in all {
            assert!(Role::Admin.may(p), "{p:?}");
            assert!(!Role::Viewer.may(p), "{p:?}");
        }
        assert!(Role::Operator.may(Permission::StartBackup));
        assert!(Role::Operator.may(Permission::CancelBackup));
        assert!(!Role::Operator.may(Permission::DeleteSet));
        assert!(!Role::Operator.may(Permission::StartRestore));
        assert!(!Role::Operator.may(Permission::ConfirmRestoreStep));
        assert!(!Role::Operator.may(Permission::ReadAudit));
    }

    #[test]
    fn roles_parse_and_refusals_name_the_needed_role() {
        assert_eq!(Role::parse(" operator"), Some(Role::Operator));
        assert_eq!(Role::parse("root"), None);
        let why = Permission::DeleteSet.refusal(Role::Operator);
        assert!(why.contains("admin role"), "{why}");
        assert!(why.contains("an operator"), "{why}");
    }
}
