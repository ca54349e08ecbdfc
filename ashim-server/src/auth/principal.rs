//! Who is calling, with which permissions. A leaf: it depends on nothing in the crate but
//! the error type, so the store, the routes and the middleware can all use it.

use crate::error::{ApiError, ApiResult};

/// The fifteen permission names (api.md §1.4).
pub const PERMISSIONS: [&str; 15] = [
    "tools:use",
    "files:own",
    "files:all",
    "apikeys:own",
    "apikeys:all",
    "pipelines:own",
    "pipelines:all",
    "settings:read",
    "settings:write",
    "users:manage",
    "teams:manage",
    "branding:manage",
    "features:manage",
    "system:health",
    "audit:read",
];

const USER_PERMS: [&str; 5] = [
    "tools:use",
    "files:own",
    "apikeys:own",
    "pipelines:own",
    "settings:read",
];
const EDITOR_PERMS: [&str; 7] = [
    "tools:use",
    "files:own",
    "apikeys:own",
    "pipelines:own",
    "settings:read",
    "files:all",
    "pipelines:all",
];

/// The built-in roles.
pub const ROLES: [&str; 3] = ["admin", "editor", "user"];

/// Permissions of a built-in role (unknown roles have none).
pub fn role_permissions(role: &str) -> &'static [&'static str] {
    match role {
        "admin" => &PERMISSIONS,
        "editor" => &EDITOR_PERMS,
        "user" => &USER_PERMS,
        _ => &[],
    }
}

/// Rank for the escalation rule: nobody assigns a role above their own.
pub fn role_level(role: &str) -> u8 {
    match role {
        "admin" => 3,
        "editor" => 2,
        "user" => 1,
        _ => 0,
    }
}

/// How a request authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// Auth is disabled: the synthetic anonymous user.
    Anonymous,
    /// A session token (stored hashed).
    Session {
        /// SHA-256 of the token.
        token_hash: String,
    },
    /// An API key, possibly scoped.
    ApiKey {
        /// Scope; `None` = the role's permissions.
        scope: Option<Vec<String>>,
    },
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// User id (`anonymous` when auth is disabled).
    pub id: String,
    /// Username.
    pub username: String,
    /// Role name.
    pub role: String,
    /// Team name.
    pub team: String,
    /// Whether the password must be changed before anything else.
    pub must_change: bool,
    /// The role's permissions (built-in list, or a custom role's list).
    pub perms: Vec<String>,
    /// Analytics consent (`None` = not asked).
    pub analytics: Option<bool>,
    /// Credential used.
    pub via: Via,
}

impl Principal {
    /// Whether the caller effectively holds `perm` (role AND key scope).
    pub fn has(&self, perm: &str) -> bool {
        self.perms.iter().any(|p| p == perm)
            && match &self.via {
                Via::ApiKey { scope: Some(s), .. } => s.iter().any(|p| p == perm),
                _ => true,
            }
    }

    /// 403 unless the caller holds `perm`.
    pub fn require(&self, perm: &str) -> ApiResult<()> {
        if self.has(perm) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The synthetic caller while `AUTH_ENABLED=false`: role `user`.
    pub fn anonymous() -> Self {
        Self {
            id: "anonymous".into(),
            username: "anonymous".into(),
            role: "user".into(),
            team: "Default".into(),
            must_change: false,
            perms: role_permissions("user")
                .iter()
                .map(|p| p.to_string())
                .collect(),
            analytics: None,
            via: Via::Anonymous,
        }
    }

    /// The owner id to store for rows this caller creates (`None` when anonymous).
    pub fn owner_id(&self) -> Option<String> {
        (!matches!(self.via, Via::Anonymous)).then(|| self.id.clone())
    }
}

/// The request's caller, if any (inserted by the auth middleware).
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Principal>);

impl Caller {
    /// The principal or 401.
    pub fn user(&self) -> ApiResult<&Principal> {
        self.0
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("Authentication required"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_keys_only_narrow() {
        let mut p = Principal::anonymous();
        p.via = Via::ApiKey {
            scope: Some(vec!["tools:use".into(), "users:manage".into()]),
        };
        assert!(p.has("tools:use"));
        assert!(!p.has("files:own"), "outside the scope");
        assert!(!p.has("users:manage"), "a scope never widens the role");
        assert!(role_level("admin") > role_level("editor"));
        assert_eq!(role_permissions("nobody").len(), 0);
    }
}
