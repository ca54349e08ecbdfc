//! THE route table: one list that gives the router, the OpenAPI document's non-tool paths
//! and the access policy (public, signed in, a permission; exempt from the forced password
//! change). Handlers live in one file per area.

pub mod audit;
pub mod auth;
pub mod branding;
pub mod docs;
pub mod features;
pub mod files;
pub mod keys;
pub mod pipelines;
pub mod roles;
pub mod settings;
pub mod system;
pub mod teams;
pub mod users;
pub mod workspace;

use crate::http;
use crate::state::Shared;
use axum::Router;
use axum::middleware;
use axum::routing::MethodRouter;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (a valid token is still resolved).
    Public,
    /// Any signed-in caller.
    SignedIn,
    /// A caller holding this permission.
    Perm(&'static str),
}

impl Access {
    /// The OpenAPI `x-access` text: `public`, `auth` or the permission.
    pub fn label(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::SignedIn => "auth",
            Access::Perm(p) => p,
        }
    }
}

/// How the OpenAPI document shows a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    /// One operation.
    Shown,
    /// Expanded into one operation per registry tool.
    PerTool,
    /// Not in the document (aliases, text files).
    Hidden,
}

/// One route.
pub struct Route {
    /// HTTP method, lower case.
    pub method: &'static str,
    /// Path, with `{name}` parameters.
    pub path: &'static str,
    /// OpenAPI tag.
    pub tag: &'static str,
    /// Access policy.
    pub access: Access,
    /// One-line summary.
    pub summary: &'static str,
    /// Request body kind: `""`, `json`, `multipart`, `pipeline`, `tool`, `batch`.
    pub body: &'static str,
    /// Success status.
    pub status: u16,
    /// Callable while the password must be changed.
    pub exempt: bool,
    /// Presence in the OpenAPI document.
    pub doc: Doc,
    handler: fn() -> MethodRouter<Shared>,
}

macro_rules! route {
    (@m GET) => { "get" };
    (@m POST) => { "post" };
    (@m PUT) => { "put" };
    (@m DELETE) => { "delete" };
    (@f GET $h:path) => { axum::routing::get($h) };
    (@f POST $h:path) => { axum::routing::post($h) };
    (@f PUT $h:path) => { axum::routing::put($h) };
    (@f DELETE $h:path) => { axum::routing::delete($h) };
    (@x exempt) => { true };
    (@x normal) => { false };
    (@x hidden) => { false };
    (@x per_tool) => { false };
    (@d hidden) => { Doc::Hidden };
    (@d per_tool) => { Doc::PerTool };
    (@d $other:ident) => { Doc::Shown };
    ($m:ident $path:literal, $tag:literal, $access:expr, $summary:literal, $body:literal, $status:literal, $flag:ident => $h:path) => {
        Route {
            method: route!(@m $m),
            path: $path,
            tag: $tag,
            access: { use Access::*; $access },
            summary: $summary,
            body: $body,
            status: $status,
            exempt: route!(@x $flag),
            doc: route!(@d $flag),
            handler: || route!(@f $m $h),
        }
    };
}

/// Every route of the server.
pub static TABLE: &[Route] = &[
    route!(GET "/api/v1/health", "System", Public, "Health check (runs a trivial database query)", "", 200, normal => system::health),
    route!(GET "/api/v1/admin/health", "System", Perm("system:health"), "Detailed health", "", 200, normal => system::admin_health),
    route!(GET "/api/v1/config/auth", "System", Public, "Whether authentication is enabled", "", 200, exempt => auth::config_auth),
    route!(GET "/api/v1/config/analytics", "System", Public, "Analytics configuration (always disabled)", "", 200, exempt => system::analytics_config),
    route!(PUT "/api/v1/user/analytics", "System", SignedIn, "Analytics consent (accepted, analytics stay disabled)", "json", 200, normal => system::analytics_consent),
    route!(POST "/api/auth/login", "Auth", Public, "Log in with username and password; returns a session token", "json", 200, normal => auth::login),
    route!(POST "/api/auth/logout", "Auth", Public, "End the current session", "", 200, exempt => auth::logout),
    route!(GET "/api/auth/session", "Auth", Public, "The current session's user (session tokens only)", "", 200, exempt => auth::session),
    route!(POST "/api/auth/change-password", "Auth", SignedIn, "Change the caller's password", "json", 200, exempt => auth::change_password),
    route!(GET "/api/auth/users", "Users", Perm("users:manage"), "List users", "", 200, normal => users::list),
    route!(POST "/api/auth/register", "Users", Perm("users:manage"), "Create a user", "json", 201, normal => users::register),
    route!(PUT "/api/auth/users/{id}", "Users", Perm("users:manage"), "Change a user's role", "json", 200, normal => users::update),
    route!(DELETE "/api/auth/users/{id}", "Users", Perm("users:manage"), "Delete a user", "", 200, normal => users::delete),
    route!(POST "/api/auth/users/{id}/reset-password", "Users", Perm("users:manage"), "Set a new password (must be changed at next login)", "json", 200, normal => users::reset_password),
    route!(GET "/api/v1/roles", "Users", Perm("audit:read"), "List built-in and custom roles", "", 200, normal => roles::list),
    route!(GET "/api/v1/audit-log", "Users", Perm("audit:read"), "Security events, newest first (query: page, limit, action, from, to)", "", 200, normal => audit::list),
    route!(GET "/api/v1/teams", "Users", Perm("teams:manage"), "List teams with member counts", "", 200, normal => teams::list),
    route!(POST "/api/v1/teams", "Users", Perm("teams:manage"), "Create a team", "json", 201, normal => teams::create),
    route!(PUT "/api/v1/teams/{id}", "Users", Perm("teams:manage"), "Rename a team", "json", 200, normal => teams::update),
    route!(DELETE "/api/v1/teams/{id}", "Users", Perm("teams:manage"), "Delete an empty team", "", 200, normal => teams::delete),
    route!(POST "/api/v1/roles", "Users", Perm("users:manage"), "Create a custom role", "json", 201, normal => roles::create),
    route!(PUT "/api/v1/roles/{id}", "Users", Perm("users:manage"), "Change a custom role", "json", 200, normal => roles::update),
    route!(DELETE "/api/v1/roles/{id}", "Users", Perm("users:manage"), "Delete a custom role (members become user)", "", 200, normal => roles::delete),
    route!(POST "/api/v1/api-keys", "API keys", SignedIn, "Create an API key (shown once)", "json", 201, normal => keys::create),
    route!(GET "/api/v1/api-keys", "API keys", SignedIn, "List API keys", "", 200, normal => keys::list),
    route!(DELETE "/api/v1/api-keys/{id}", "API keys", SignedIn, "Delete an API key", "", 200, normal => keys::delete),
    route!(GET "/api/v1/settings", "Settings", SignedIn, "All settings", "", 200, normal => settings::all),
    route!(PUT "/api/v1/settings", "Settings", Perm("settings:write"), "Upsert settings", "json", 200, normal => settings::put),
    route!(GET "/api/v1/settings/logo", "Settings", Public, "The custom logo (PNG)", "", 200, normal => branding::get),
    route!(POST "/api/v1/settings/logo", "Settings", Perm("branding:manage"), "Upload a logo (shrunk to fit 128x128)", "multipart", 200, normal => branding::upload),
    route!(DELETE "/api/v1/settings/logo", "Settings", Perm("branding:manage"), "Remove the custom logo", "", 200, normal => branding::delete),
    route!(GET "/api/v1/settings/{key}", "Settings", SignedIn, "One setting", "", 200, normal => settings::one),
    route!(GET "/api/v1/files", "Files", SignedIn, "Library: latest versions (query: search, limit, offset)", "", 200, normal => files::list),
    route!(DELETE "/api/v1/files", "Files", SignedIn, "Library: delete whole version chains ({ids})", "json", 200, normal => files::delete),
    route!(POST "/api/v1/files/upload", "Files", SignedIn, "Library: upload files as version 1", "multipart", 201, normal => files::upload),
    route!(POST "/api/v1/files/save-result", "Files", SignedIn, "Library: store a result as a new version (parentId, toolId)", "multipart", 201, normal => files::save_result),
    route!(GET "/api/v1/files/{id}", "Files", SignedIn, "Library: a file and its version chain", "", 200, normal => files::get),
    route!(GET "/api/v1/files/{id}/download", "Files", SignedIn, "Library: download a file", "", 200, normal => files::download),
    route!(GET "/api/v1/files/{id}/thumbnail", "Files", SignedIn, "Library: JPEG thumbnail, 300 px wide", "", 200, normal => files::thumbnail),
    route!(POST "/api/v1/upload", "Files", SignedIn, "Upload files into a new workspace job", "multipart", 200, normal => workspace::upload),
    route!(POST "/api/v1/preview", "Files", SignedIn, "WebP preview (fits 1200x1200) of an uploaded image", "multipart", 200, normal => workspace::preview),
    route!(GET "/api/v1/download/{jobId}/{filename}", "Files", Public, "Download a job file (the job id is the capability)", "", 200, normal => crate::jobs::download),
    route!(GET "/api/v1/jobs/{jobId}/progress", "Jobs", Public, "Progress events of a job (Server-Sent Events)", "", 200, normal => crate::jobs::progress),
    route!(POST "/api/v1/pipeline/execute", "Pipelines", Perm("tools:use"), "Run a pipeline on one image", "pipeline", 200, normal => crate::pipelines::execute),
    route!(POST "/api/v1/pipeline/batch", "Pipelines", Perm("tools:use"), "Run a pipeline on many images; ZIP response", "pipeline", 200, normal => crate::pipelines::batch),
    route!(POST "/api/v1/pipeline/save", "Pipelines", SignedIn, "Save a pipeline", "json", 201, normal => pipelines::save),
    route!(GET "/api/v1/pipeline/list", "Pipelines", SignedIn, "List saved pipelines", "", 200, normal => pipelines::list),
    route!(DELETE "/api/v1/pipeline/{id}", "Pipelines", SignedIn, "Delete a saved pipeline", "", 200, normal => pipelines::delete),
    route!(GET "/api/v1/pipeline/tools", "Pipelines", SignedIn, "Tool ids usable as pipeline steps", "", 200, normal => pipelines::tools),
    route!(GET "/api/v1/features", "Features", SignedIn, "AI feature bundles with their installed state", "", 200, normal => features::list),
    route!(POST "/api/v1/admin/features/{bundleId}/install", "Features", Perm("features:manage"), "Install an AI feature bundle (202; progress on the job stream)", "", 202, normal => features::install),
    route!(POST "/api/v1/admin/features/{bundleId}/uninstall", "Features", Perm("features:manage"), "Remove an AI feature bundle's model files", "", 200, normal => features::uninstall),
    route!(GET "/api/v1/admin/features/disk-usage", "Features", Perm("features:manage"), "Bytes used by the model store", "", 200, normal => features::disk_usage),
    route!(GET "/api/v1/tools", "Tools", SignedIn, "The tool catalogue: metadata, settings schema, availability", "", 200, normal => system::catalogue),
    route!(GET "/api/v1/openapi.json", "Docs", Public, "This document (JSON)", "", 200, normal => docs::openapi_json),
    route!(GET "/api/v1/openapi.yaml", "Docs", Public, "This document (YAML)", "", 200, normal => docs::openapi_yaml),
    route!(GET "/api/docs", "Docs", Public, "Interactive API reference", "", 200, normal => docs::docs_page),
    route!(GET "/api/docs/", "Docs", Public, "Interactive API reference", "", 200, hidden => docs::docs_page),
    route!(GET "/llms.txt", "Docs", Public, "LLM-oriented summary of this API", "", 200, hidden => docs::llms),
    route!(GET "/llms-full.txt", "Docs", Public, "LLM-oriented full reference of this API", "", 200, hidden => docs::llms_full),
    route!(POST "/api/v1/tools/{toolId}", "Tools", Perm("tools:use"), "Run a tool on one image (one documented path per tool)", "tool", 200, per_tool => crate::tools::run_single),
    route!(POST "/api/v1/tools/{toolId}/batch", "Tools", Perm("tools:use"), "Run a tool on many images; ZIP response", "batch", 200, normal => crate::tools::batch::run_tool_batch),
    route!(POST "/api/v1/tools/{toolId}/{sub}", "Tools", Perm("tools:use"), "Run a sub-route of a tool (one documented path per sub-route)", "tool", 200, per_tool => crate::tools::run_sub_route),
];

fn matches(template: &str, path: &str) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts.starts_with('{') => {
                if ps.is_empty() {
                    return false;
                }
            }
            (Some(ts), Some(ps)) if ts == ps => {}
            _ => return false,
        }
    }
}

/// The table entry serving `method` on `path` (literal segments win over parameters, as in
/// the router); `None` for an unknown route.
pub fn policy(method: &str, path: &str) -> Option<&'static Route> {
    let method = method.to_ascii_lowercase();
    let method = if method == "head" {
        "get".to_string()
    } else {
        method
    };
    let mut best: Option<&'static Route> = None;
    for r in TABLE
        .iter()
        .filter(|r| r.method == method && matches(r.path, path))
    {
        let literal = |r: &Route| r.path.split('/').filter(|s| !s.starts_with('{')).count();
        if best.is_none_or(|b| literal(r) > literal(b)) {
            best = Some(r);
        }
    }
    best
}

/// The longest path parameter the OpenAPI document allows (`maxLength`).
pub const MAX_PARAM_LEN: usize = 500;

impl Route {
    /// Whether a path parameter of `path` (which matches this route) is over
    /// [`MAX_PARAM_LEN`] bytes.
    pub fn param_too_long(&self, path: &str) -> bool {
        self.path
            .split('/')
            .zip(path.split('/'))
            .any(|(t, p)| t.starts_with('{') && p.len() > MAX_PARAM_LEN)
    }
}

/// The application router built from [`TABLE`], with the middleware stack.
pub fn router(state: Shared) -> Router {
    let mut r = Router::new();
    for route in TABLE {
        r = r.route(route.path, (route.handler)());
    }
    r.fallback(crate::web::serve)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::middleware,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::security_headers,
        ))
        .layer(middleware::from_fn(http::request_id))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_prefers_literal_segments() {
        assert_eq!(
            policy("GET", "/api/v1/settings/logo").unwrap().access,
            Access::Public
        );
        assert_eq!(
            policy("GET", "/api/v1/settings/theme").unwrap().access,
            Access::SignedIn
        );
        assert_eq!(
            policy("POST", "/api/v1/tools/resize/batch").unwrap().path,
            "/api/v1/tools/{toolId}/batch"
        );
        assert!(policy("GET", "/api/v1/nope").is_none());
        assert!(policy("POST", "/api/auth/change-password").unwrap().exempt);
        assert!(!policy("GET", "/api/v1/files").unwrap().exempt);
        let r = policy("GET", "/api/v1/files/x").unwrap();
        assert!(!r.param_too_long("/api/v1/files/x"));
        assert!(r.param_too_long(&format!("/api/v1/files/{}", "a".repeat(501))));
    }

    #[test]
    fn every_method_and_path_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for r in TABLE {
            assert!(
                seen.insert((r.method, r.path)),
                "{} {} twice",
                r.method,
                r.path
            );
        }
    }
}
