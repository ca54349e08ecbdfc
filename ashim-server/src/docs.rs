//! Documentation generated from the registry: the OpenAPI 3.1 document (JSON and YAML),
//! `/llms.txt`, `/llms-full.txt` and the self-contained reference page at `/api/docs`.

use ashim_core::schema::catalogue;
use ashim_core::tool::{OutputKind, ToolMeta};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// Documents built once at startup.
pub struct Docs {
    /// OpenAPI as JSON text.
    pub openapi_json: String,
    /// OpenAPI as YAML text.
    pub openapi_yaml: String,
    /// `/llms.txt`.
    pub llms: String,
    /// `/llms-full.txt`.
    pub llms_full: String,
}

/// (method, path, tag, access, summary, body kind, success status)
type Route = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u16,
);

/// Every non-tool route. Access is `public`, `auth`, or a permission name.
const ROUTES: &[Route] = &[
    (
        "get",
        "/api/v1/health",
        "System",
        "public",
        "Health check (runs a trivial database query)",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/admin/health",
        "System",
        "system:health",
        "Detailed health",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/config/auth",
        "System",
        "public",
        "Whether authentication is enabled",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/config/analytics",
        "System",
        "public",
        "Analytics configuration (always disabled)",
        "",
        200,
    ),
    (
        "put",
        "/api/v1/user/analytics",
        "System",
        "auth",
        "Analytics consent (accepted, analytics stay disabled)",
        "json",
        200,
    ),
    (
        "post",
        "/api/auth/login",
        "Auth",
        "public",
        "Log in with username and password; returns a session token",
        "json",
        200,
    ),
    (
        "post",
        "/api/auth/logout",
        "Auth",
        "public",
        "End the current session",
        "",
        200,
    ),
    (
        "get",
        "/api/auth/session",
        "Auth",
        "public",
        "The current session's user (session tokens only)",
        "",
        200,
    ),
    (
        "post",
        "/api/auth/change-password",
        "Auth",
        "auth",
        "Change the caller's password",
        "json",
        200,
    ),
    (
        "get",
        "/api/auth/users",
        "Users",
        "users:manage",
        "List users",
        "",
        200,
    ),
    (
        "post",
        "/api/auth/register",
        "Users",
        "users:manage",
        "Create a user",
        "json",
        201,
    ),
    (
        "put",
        "/api/auth/users/{id}",
        "Users",
        "users:manage",
        "Change a user's role",
        "json",
        200,
    ),
    (
        "delete",
        "/api/auth/users/{id}",
        "Users",
        "users:manage",
        "Delete a user",
        "",
        200,
    ),
    (
        "post",
        "/api/auth/users/{id}/reset-password",
        "Users",
        "users:manage",
        "Set a new password (must be changed at next login)",
        "json",
        200,
    ),
    (
        "get",
        "/api/v1/roles",
        "Users",
        "audit:read",
        "List built-in and custom roles",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/audit-log",
        "Users",
        "audit:read",
        "Security events, newest first (query: page, limit, action, from, to)",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/teams",
        "Users",
        "teams:manage",
        "List teams with member counts",
        "",
        200,
    ),
    (
        "post",
        "/api/v1/teams",
        "Users",
        "teams:manage",
        "Create a team",
        "json",
        201,
    ),
    (
        "put",
        "/api/v1/teams/{id}",
        "Users",
        "teams:manage",
        "Rename a team",
        "json",
        200,
    ),
    (
        "delete",
        "/api/v1/teams/{id}",
        "Users",
        "teams:manage",
        "Delete an empty team",
        "",
        200,
    ),
    (
        "post",
        "/api/v1/roles",
        "Users",
        "users:manage",
        "Create a custom role",
        "json",
        201,
    ),
    (
        "put",
        "/api/v1/roles/{id}",
        "Users",
        "users:manage",
        "Change a custom role",
        "json",
        200,
    ),
    (
        "delete",
        "/api/v1/roles/{id}",
        "Users",
        "users:manage",
        "Delete a custom role (members become user)",
        "",
        200,
    ),
    (
        "post",
        "/api/v1/api-keys",
        "API keys",
        "auth",
        "Create an API key (shown once)",
        "json",
        201,
    ),
    (
        "get",
        "/api/v1/api-keys",
        "API keys",
        "auth",
        "List API keys",
        "",
        200,
    ),
    (
        "delete",
        "/api/v1/api-keys/{id}",
        "API keys",
        "auth",
        "Delete an API key",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/settings",
        "Settings",
        "auth",
        "All settings",
        "",
        200,
    ),
    (
        "put",
        "/api/v1/settings",
        "Settings",
        "settings:write",
        "Upsert settings",
        "json",
        200,
    ),
    (
        "get",
        "/api/v1/settings/logo",
        "Settings",
        "public",
        "The custom logo (PNG)",
        "",
        200,
    ),
    (
        "post",
        "/api/v1/settings/logo",
        "Settings",
        "branding:manage",
        "Upload a logo (shrunk to fit 128x128)",
        "multipart",
        200,
    ),
    (
        "delete",
        "/api/v1/settings/logo",
        "Settings",
        "branding:manage",
        "Remove the custom logo",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/settings/{key}",
        "Settings",
        "auth",
        "One setting",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/files",
        "Files",
        "auth",
        "Library: latest versions (query: search, limit, offset)",
        "",
        200,
    ),
    (
        "delete",
        "/api/v1/files",
        "Files",
        "auth",
        "Library: delete whole version chains ({ids})",
        "json",
        200,
    ),
    (
        "post",
        "/api/v1/files/upload",
        "Files",
        "auth",
        "Library: upload files as version 1",
        "multipart",
        201,
    ),
    (
        "post",
        "/api/v1/files/save-result",
        "Files",
        "auth",
        "Library: store a result as a new version (parentId, toolId)",
        "multipart",
        201,
    ),
    (
        "get",
        "/api/v1/files/{id}",
        "Files",
        "auth",
        "Library: a file and its version chain",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/files/{id}/download",
        "Files",
        "auth",
        "Library: download a file",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/files/{id}/thumbnail",
        "Files",
        "auth",
        "Library: JPEG thumbnail, 300 px wide",
        "",
        200,
    ),
    (
        "post",
        "/api/v1/upload",
        "Files",
        "auth",
        "Upload files into a new workspace job",
        "multipart",
        200,
    ),
    (
        "post",
        "/api/v1/preview",
        "Files",
        "auth",
        "WebP preview (fits 1200x1200) of an uploaded image",
        "multipart",
        200,
    ),
    (
        "get",
        "/api/v1/download/{jobId}/{filename}",
        "Files",
        "public",
        "Download a job file (the job id is the capability)",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/jobs/{jobId}/progress",
        "Jobs",
        "public",
        "Progress events of a job (Server-Sent Events)",
        "",
        200,
    ),
    (
        "post",
        "/api/v1/pipeline/execute",
        "Pipelines",
        "tools:use",
        "Run a pipeline on one image",
        "pipeline",
        200,
    ),
    (
        "post",
        "/api/v1/pipeline/batch",
        "Pipelines",
        "tools:use",
        "Run a pipeline on many images; ZIP response",
        "pipeline",
        200,
    ),
    (
        "post",
        "/api/v1/pipeline/save",
        "Pipelines",
        "auth",
        "Save a pipeline",
        "json",
        201,
    ),
    (
        "get",
        "/api/v1/pipeline/list",
        "Pipelines",
        "auth",
        "List saved pipelines",
        "",
        200,
    ),
    (
        "delete",
        "/api/v1/pipeline/{id}",
        "Pipelines",
        "auth",
        "Delete a saved pipeline",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/pipeline/tools",
        "Pipelines",
        "auth",
        "Tool ids usable as pipeline steps",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/tools",
        "Tools",
        "auth",
        "The tool catalogue: metadata, settings schema, availability",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/openapi.json",
        "Docs",
        "public",
        "This document (JSON)",
        "",
        200,
    ),
    (
        "get",
        "/api/v1/openapi.yaml",
        "Docs",
        "public",
        "This document (YAML)",
        "",
        200,
    ),
    (
        "get",
        "/api/docs",
        "Docs",
        "public",
        "Interactive API reference",
        "",
        200,
    ),
];

const TAGS: &[(&str, &str)] = &[
    ("System", "Health and public configuration"),
    ("Auth", "Login, logout, session and password"),
    ("Users", "Users, roles and teams (admin)"),
    (
        "API keys",
        "Long-lived `si_` bearer keys, optionally scoped",
    ),
    ("Settings", "Instance key/value settings"),
    (
        "Files",
        "Workspace uploads and downloads, and the versioned file library",
    ),
    ("Jobs", "Progress streams"),
    (
        "Tools",
        "Image tools, one route per registry tool, plus batch routes",
    ),
    (
        "Pipelines",
        "Chains of tools, run once or over many files, saved per user",
    ),
    ("Docs", "This documentation"),
];

fn pascal(id: &str) -> String {
    id.split(['-', '_', '/'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Rewrite `#/$defs/X` refs using `map`.
fn rewrite_refs(v: &mut Value, map: &Map<String, Value>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
                && let Some(Value::String(target)) = map.get(name)
            {
                *r = format!("#/components/schemas/{target}");
            }
            for x in o.values_mut() {
                rewrite_refs(x, map);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_refs(x, map)),
        _ => {}
    }
}

/// Move a settings schema's `$defs` into `components.schemas` (renaming on conflict) and
/// return the cleaned root schema.
fn hoist(tool_id: &str, mut schema: Value, components: &mut Map<String, Value>) -> Value {
    let Some(obj) = schema.as_object_mut() else {
        return schema;
    };
    obj.remove("$schema");
    let defs = obj
        .remove("$defs")
        .and_then(|d| d.as_object().cloned())
        .unwrap_or_default();
    let mut map = Map::new();
    for (name, def) in &defs {
        let target = match components.get(name) {
            None => name.clone(),
            Some(existing) if existing == def => name.clone(),
            Some(_) => format!("{}{name}", pascal(tool_id)),
        };
        map.insert(name.clone(), json!(target));
    }
    for (name, mut def) in defs {
        rewrite_refs(&mut def, &map);
        if let Some(Value::String(t)) = map.get(&name) {
            components.insert(t.clone(), def);
        }
    }
    rewrite_refs(&mut schema, &map);
    schema
}

fn err_ref() -> Value {
    json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn operation(
    summary: &str,
    description: &str,
    tag: &str,
    access: &str,
    ok: u16,
    ok_body: Value,
) -> Value {
    let mut op = json!({
        "summary": summary,
        "description": description,
        "tags": [tag],
        "x-access": access,
        "responses": {
            ok.to_string(): ok_body,
            "400": err_ref(),
            "404": err_ref(),
        }
    });
    if access == "public" {
        op["security"] = json!([]);
    } else {
        op["responses"]["401"] = err_ref();
        op["responses"]["403"] = err_ref();
        op["responses"]["429"] = err_ref();
    }
    op
}

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|n| json!({"name": n, "in": "path", "required": true, "schema": {"type": "string", "maxLength": 500}}))
        .collect()
}

fn json_ok(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"type": "object"}}}})
}

fn envelope_ok() -> Value {
    json!({"description": "The result envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ToolResult"}}}})
}

fn zip_ok(desc: &str) -> Value {
    json!({
        "description": desc,
        "headers": {
            "X-Job-Id": {"schema": {"type": "string"}},
            "X-File-Results": {"description": "JSON object: input index → entry name", "schema": {"type": "string"}},
        },
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
    })
}

fn multipart_body(settings_ref: Option<&str>, files: &str, extra: &[(&str, Value)]) -> Value {
    let mut props = Map::new();
    props.insert(
        "file".into(),
        json!({"description": files, "oneOf": [
            {"type": "string", "format": "binary"},
            {"type": "array", "items": {"type": "string", "format": "binary"}}
        ]}),
    );
    if let Some(r) = settings_ref {
        props.insert(
            "settings".into(),
            json!({"type": "string", "description": format!("JSON text of a {r} object (absent = defaults)"),
                   "contentMediaType": "application/json",
                   "contentSchema": {"$ref": format!("#/components/schemas/{r}")}}),
        );
    }
    props.insert(
        "clientJobId".into(),
        json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "Names the progress stream"}),
    );
    for (k, v) in extra {
        props.insert((*k).to_string(), v.clone());
    }
    json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": props, "required": ["file"]}}}})
}

/// One sentence on a tool's inputs, from its slots.
fn inputs_text(meta: &ToolMeta) -> String {
    if meta.takes_no_files() {
        return "No input file; the settings are the JSON body.".into();
    }
    meta.slots
        .iter()
        .map(|s| {
            let count = match (s.min, s.max) {
                (a, Some(b)) if a == b => format!("{a}"),
                (a, Some(b)) => format!("{a} to {b}"),
                (a, None) => format!("at least {a}"),
            };
            if s.named {
                format!("Part `{}` ({count}): {}", s.name, s.description)
            } else {
                format!("File parts ({count}, any part name): {}", s.description)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The multipart body of a tool: its positional file part, one part per named slot, settings.
fn slots_body(meta: &ToolMeta, schema_name: &str) -> Value {
    let async_field = (
        "async",
        json!({"type": "string", "enum": ["true", "false"]}),
    );
    let mut extra = vec![async_field];
    let mut required = Vec::new();
    for s in meta.named_slots() {
        extra.push((
            s.name,
            json!({"type": "string", "format": "binary", "description": s.description}),
        ));
        if s.min > 0 {
            required.push(s.name);
        }
    }
    let positional = meta
        .positional()
        .map_or("No positional file", |s| s.description);
    let mut body = multipart_body(Some(schema_name), positional, &extra);
    let schema = &mut body["content"]["multipart/form-data"]["schema"];
    if meta.positional().is_none_or(|s| s.min == 0) {
        schema["required"] = json!([]);
    }
    if let Some(r) = schema["required"].as_array_mut() {
        r.extend(required.into_iter().map(|n| json!(n)));
    }
    body
}

/// Build the OpenAPI document from the registry (less `disabled` tools) and the route table.
pub fn openapi(disabled: &HashSet<String>) -> Value {
    let mut components = Map::new();
    components.insert(
        "Error".into(),
        json!({"type": "object", "required": ["statusCode", "error", "message", "code"], "properties": {
            "statusCode": {"type": "integer"},
            "error": {"type": "string", "description": "HTTP reason phrase"},
            "message": {"type": "string", "description": "What is wrong, for a person"},
            "code": {"type": "string", "description": "Stable machine code"},
            "details": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object", "properties": {
                "path": {"type": "string"}, "message": {"type": "string"}}}}]}
        }}),
    );
    components.insert(
        "ToolResult".into(),
        json!({"type": "object", "required": ["jobId", "downloadUrl", "originalSize", "processedSize"], "properties": {
            "jobId": {"type": "string"},
            "downloadUrl": {"type": "string"},
            "originalSize": {"type": "integer"},
            "processedSize": {"type": "integer"},
            "previewUrl": {"type": "string", "description": "Only when the output is not browser-displayable"}
        }}),
    );
    components.insert(
        "AsyncAccepted".into(),
        json!({"type": "object", "required": ["jobId", "async"], "properties": {
            "jobId": {"type": "string"}, "async": {"const": true}}}),
    );
    let mut paths = Map::new();
    let mut add = |path: &str, method: &str, op: Value| {
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        let params = path_params(path);
        if !params.is_empty() {
            entry["parameters"] = json!(params);
        }
        entry[method] = op;
    };
    for (method, path, tag, access, summary, body, ok) in ROUTES {
        let ok_body = match *path {
            "/api/v1/pipeline/batch" => zip_ok("ZIP of the results"),
            "/api/v1/download/{jobId}/{filename}" => {
                json!({"description": "The file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})
            }
            "/api/v1/jobs/{jobId}/progress" => {
                json!({"description": "`data: <json>` events", "content": {"text/event-stream": {"schema": {"type": "string"}}}})
            }
            "/api/v1/openapi.yaml" => {
                json!({"description": "YAML", "content": {"text/yaml": {"schema": {"type": "string"}}}})
            }
            "/api/docs" => {
                json!({"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}})
            }
            _ => json_ok("OK"),
        };
        let mut op = operation(summary, summary, tag, access, *ok, ok_body);
        match *body {
            "json" => {
                op["requestBody"] =
                    json!({"content": {"application/json": {"schema": {"type": "object"}}}});
            }
            "multipart" => op["requestBody"] = multipart_body(None, "One or more files", &[]),
            "pipeline" => {
                op["requestBody"] = multipart_body(
                    None,
                    "Image file(s)",
                    &[(
                        "pipeline",
                        json!({"type": "string", "description": "JSON text: {\"steps\":[{\"toolId\":…,\"settings\":{…}}]}"}),
                    )],
                )
            }
            _ => {}
        }
        add(path, method, op);
    }
    for info in catalogue()
        .into_iter()
        .filter(|t| !disabled.contains(t.meta.id))
    {
        let meta = info.meta;
        let schema_name = format!("{}Settings", pascal(meta.id));
        let mut schema = hoist(meta.id, info.settings_schema, &mut components);
        if let Some(o) = schema.as_object_mut() {
            o.insert("title".into(), json!(schema_name));
        }
        components.insert(schema_name.clone(), schema);
        let mut ok = match meta.output {
            OutputKind::Image => envelope_ok(),
            OutputKind::Files => {
                json!({"description": "ZIP of the output files", "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}})
            }
            OutputKind::Json => json_ok("The report"),
            OutputKind::Bytes => {
                json!({"description": "The file itself", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})
            }
            OutputKind::FileSet => {
                json_ok("The stored files with their download URLs and a ZIP link")
            }
        };
        if let Some(report) = info.report_schema {
            let name = format!("{}Report", pascal(meta.id));
            let mut report = hoist(meta.id, report, &mut components);
            if let Some(o) = report.as_object_mut() {
                o.insert("title".into(), json!(name));
            }
            components.insert(name.clone(), report);
            let reference = json!({"$ref": format!("#/components/schemas/{name}")});
            if meta.output == OutputKind::Json {
                ok["content"]["application/json"]["schema"] = reference;
            } else if let Some(base) = ok["content"]["application/json"].get("schema").cloned() {
                ok["content"]["application/json"]["schema"] = json!({"allOf": [base, reference]});
            }
        }
        let desc = format!(
            "{} {} Category: {:?}.",
            meta.description,
            inputs_text(&meta),
            meta.category
        );
        let mut op = operation(meta.name, &desc, "Tools", "tools:use", 200, ok);
        op["operationId"] = json!(format!("tool{}", pascal(meta.id)));
        op["responses"]["202"] = json!({"description": "Accepted (async=true or Prefer: respond-async)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AsyncAccepted"}}}});
        op["responses"]["413"] = err_ref();
        op["responses"]["415"] = err_ref();
        op["responses"]["422"] = err_ref();
        op["parameters"] = json!([{"name": "Prefer", "in": "header", "required": false,
            "schema": {"type": "string"}, "description": "`respond-async` for a 202 and the result in the SSE stream"}]);
        op["requestBody"] = if meta.takes_no_files() {
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema_name}")}}}})
        } else {
            slots_body(&meta, &schema_name)
        };
        for alias in meta.aliases {
            let mut aop = op.clone();
            aop["operationId"] = json!(format!("tool{}", pascal(alias)));
            add(&format!("/api/v1/tools/{alias}"), "post", aop);
        }
        add(&format!("/api/v1/tools/{}", meta.id), "post", op);
        if meta.caps.batch {
            let mut bop = operation(
                &format!("{} (batch)", meta.name),
                &format!(
                    "Run {} on many images with one settings object; ZIP of the results. Failed files are left out.",
                    meta.id
                ),
                "Tools",
                "tools:use",
                200,
                zip_ok("ZIP of the results"),
            );
            bop["operationId"] = json!(format!("tool{}Batch", pascal(meta.id)));
            bop["responses"]["413"] = err_ref();
            bop["responses"]["422"] = err_ref();
            bop["requestBody"] = multipart_body(Some(&schema_name), "The images", &[]);
            add(&format!("/api/v1/tools/{}/batch", meta.id), "post", bop);
        }
    }
    let tags: Vec<Value> = TAGS
        .iter()
        .map(|(n, d)| json!({"name": n, "description": d}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ashim API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted image toolkit. Every tool of the ashim registry is a route; tools chain into pipelines.",
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"}
        },
        "servers": [{"url": "/"}],
        "tags": tags,
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A session token from POST /api/auth/login, or an API key `si_…`"}}
        }
    })
}

fn yaml_scalar(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn yaml_into(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, x) in o {
                out.push_str(&format!("{pad}{}:", yaml_scalar(k)));
                match x {
                    Value::Object(i) if !i.is_empty() => {
                        out.push('\n');
                        yaml_into(x, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        yaml_into(x, indent, out);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&inline(x));
                        out.push('\n');
                    }
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for x in a {
                out.push_str(&format!("{pad}-"));
                match x {
                    Value::Object(i) if !i.is_empty() => {
                        out.push('\n');
                        yaml_into(x, indent + 2, out);
                    }
                    Value::Array(i) if !i.is_empty() => {
                        out.push('\n');
                        yaml_into(x, indent + 2, out);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&inline(x));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::String(s) => yaml_scalar(s),
        other => other.to_string(),
    }
}

/// Serialise JSON as block YAML (strings double-quoted, so every value round-trips).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    if let Some(o) = v.as_object() {
        // The version line first and greppable: `openapi: 3.1.0`.
        if let Some(s) = o.get("openapi").and_then(Value::as_str) {
            out.push_str(&format!("openapi: {s}\n"));
        }
        for (k, x) in o {
            if k == "openapi" {
                continue;
            }
            let mut one = Map::new();
            one.insert(k.clone(), x.clone());
            yaml_into(&Value::Object(one), 0, &mut out);
        }
        return out;
    }
    yaml_into(v, 0, &mut out);
    out
}

fn ops(doc: &Value) -> Vec<(String, String, Value)> {
    let mut v = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (p, item) in paths {
            if let Some(item) = item.as_object() {
                for (m, op) in item {
                    if m != "parameters" {
                        v.push((m.to_uppercase(), p.clone(), op.clone()));
                    }
                }
            }
        }
    }
    v
}

fn llms(doc: &Value, disabled: &HashSet<String>) -> String {
    let all = ops(doc);
    let mut s = String::from(
        "# ashim API\n\n> Self-hosted image toolkit: every image tool is a REST route; tools chain into pipelines.\n\n",
    );
    s.push_str("- API reference: /api/docs\n- OpenAPI (YAML): /api/v1/openapi.yaml\n- OpenAPI (JSON): /api/v1/openapi.json\n- Full text: /llms-full.txt\n\n## Endpoints\n\n");
    for (tag, desc) in TAGS {
        let n = all
            .iter()
            .filter(|(_, _, op)| op["tags"][0] == *tag)
            .count();
        s.push_str(&format!("- {tag} ({n} endpoints): {desc}\n"));
    }
    s.push_str("\n## Tools\n\n");
    for info in catalogue()
        .into_iter()
        .filter(|t| !disabled.contains(t.meta.id))
    {
        s.push_str(&format!(
            "- {}: {} (POST /api/v1/tools/{})\n",
            info.meta.id, info.meta.description, info.meta.id
        ));
    }
    s.push_str(AUTH_TEXT);
    s
}

const AUTH_TEXT: &str = "\n## Authentication\n\nSend `Authorization: Bearer <token>`. Two token kinds work: a session token from `POST /api/auth/login` (UUID, expires after SESSION_DURATION_HOURS), or an API key `si_` + 96 hex characters from `POST /api/v1/api-keys` (shown once, optionally scoped and expiring). The first-run admin is admin/admin and must change the password first.\n";

fn llms_full(doc: &Value) -> String {
    let all = ops(doc);
    let mut s = format!(
        "# ashim API\n\nVersion: {}\n\n{}\n",
        doc["info"]["version"].as_str().unwrap_or(""),
        doc["info"]["description"].as_str().unwrap_or("")
    );
    s.push_str(AUTH_TEXT);
    for (tag, desc) in TAGS {
        s.push_str(&format!("\n## {tag}\n\n{desc}\n"));
        for (m, p, op) in all.iter().filter(|(_, _, op)| op["tags"][0] == *tag) {
            let access = op["x-access"].as_str().unwrap_or("auth");
            let label = if access == "public" {
                "public".to_string()
            } else if access == "auth" {
                "auth required".to_string()
            } else {
                format!("auth required, permission {access}")
            };
            s.push_str(&format!(
                "\n### {m} {p} ({label})\n\n{}\n",
                op["summary"].as_str().unwrap_or("")
            ));
            if op["description"] != op["summary"] {
                s.push_str(&format!("\n{}\n", op["description"].as_str().unwrap_or("")));
            }
            let params = path_params(p);
            if !params.is_empty() {
                s.push_str("\nParameters:\n");
                for q in params {
                    s.push_str(&format!(
                        "- {} (path, required)\n",
                        q["name"].as_str().unwrap_or("")
                    ));
                }
            }
            if let Some(props) = settings_props(doc, op) {
                s.push_str("\nRequest fields (settings):\n");
                s.push_str(&props);
            }
            if let Some(r) = op["responses"].as_object() {
                let codes: Vec<&str> = r.keys().map(String::as_str).collect();
                s.push_str(&format!("\nResponses: {}\n", codes.join(", ")));
            }
        }
    }
    s
}

fn settings_props(doc: &Value, op: &Value) -> Option<String> {
    let content = &op["requestBody"]["content"];
    let r =
        content["multipart/form-data"]["schema"]["properties"]["settings"]["contentSchema"]["$ref"]
            .as_str()
            .or_else(|| content["application/json"]["schema"]["$ref"].as_str())?;
    let name = r.strip_prefix("#/components/schemas/")?;
    let schema = &doc["components"]["schemas"][name];
    let props = schema["properties"].as_object()?;
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut s = String::new();
    for (k, v) in props {
        let ty = v["type"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                v["$ref"]
                    .as_str()
                    .map(|r| r.rsplit('/').next().unwrap_or("").to_string())
            })
            .unwrap_or_else(|| "value".into());
        let req = if required.contains(&k.as_str()) {
            ", required"
        } else {
            ""
        };
        let desc = v["description"].as_str().unwrap_or("");
        s.push_str(&format!("- {k} ({ty}{req}): {desc}\n"));
    }
    Some(s)
}

impl Docs {
    /// Build every document.
    pub fn build(disabled: &HashSet<String>) -> Self {
        let doc = openapi(disabled);
        Self {
            openapi_json: serde_json::to_string_pretty(&doc).unwrap_or_default(),
            openapi_yaml: to_yaml(&doc),
            llms: llms(&doc, disabled),
            llms_full: llms_full(&doc),
        }
    }
}

/// The reference page: plain HTML + CSS + JS, no external resources.
pub const DOCS_HTML: &str = include_str!("docs.html");

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get("$ref") {
                    out.push(r.clone());
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn every_tool_has_a_route_and_refs_resolve() {
        let doc = openapi(&HashSet::new());
        for t in ashim_core::registry::tools() {
            let p = format!("/api/v1/tools/{}", t.meta().id);
            assert!(doc["paths"][&p]["post"].is_object(), "{p} missing");
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("bad ref {r}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling {r}"
            );
        }
        assert!(!doc.to_string().contains("$defs"));
    }

    #[test]
    fn yaml_is_block_style() {
        let y = to_yaml(&json!({"openapi": "3.1.0", "a": {"b": [1, "x"], "c": {}}}));
        assert!(y.starts_with("openapi: 3.1.0\n"));
        assert!(
            y.contains("\"a\":\n  \"b\":\n  - 1\n  - \"x\"\n  \"c\": {}\n"),
            "{y}"
        );
    }
}
