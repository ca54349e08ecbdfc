//! Request bodies of the OpenAPI document: the JSON bodies of the non-tool routes and the
//! multipart forms (files, `settings`, the tool's named slots).

use ashim_core::tool::ToolMeta;
use serde_json::{Map, Value, json};

/// Text without an HTML tag: no `<` followed by a letter, `/`, `!` or `?` with a `>` later
/// (api.md: settings refuse HTML-tag-like sequences).
const NO_HTML: &str = "^(?:[^<]|<+[^<A-Za-z/!?])*<*(?:[A-Za-z/!?][^>]*)?$";

/// The JSON request body of a route: the fields it reads and which are required.
pub(super) fn json_body_schema(method: &str, path: &str) -> Value {
    let name =
        |max: u32| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "\\S"});
    let password = json!({"type": "string", "minLength": 8, "maxLength": 128,
        "pattern": "^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])",
        "description": "At least 8 characters with upper case, lower case and a digit"});
    let obj = |props: Value, required: &[&str]| json!({"type": "object", "properties": props, "required": required});
    let perms = json!({"type": "array", "minItems": 1, "uniqueItems": true,
        "items": {"type": "string", "enum": crate::auth::PERMISSIONS}});
    match (method, path) {
        ("post", "/api/auth/login") => obj(
            json!({"username": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 1}}),
            &["username", "password"],
        ),
        ("post", "/api/auth/register") => obj(
            json!({"username": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{3,50}$"},
                   "password": password, "role": {"type": "string"}, "team": {"type": "string"}}),
            &["username", "password"],
        ),
        ("post", "/api/auth/change-password") => obj(
            json!({"currentPassword": {"type": "string", "minLength": 1}, "newPassword": password}),
            &["currentPassword", "newPassword"],
        ),
        ("post", "/api/auth/users/{id}/reset-password") => {
            obj(json!({"newPassword": password}), &["newPassword"])
        }
        ("put", "/api/auth/users/{id}") => obj(
            json!({"role": {"type": "string"}, "team": {"type": "string"}}),
            &[],
        ),
        ("post", "/api/v1/roles") => obj(
            json!({"name": {"type": "string", "pattern": "^[a-z0-9_-]{2,30}$"},
                   "description": {"type": ["string", "null"], "maxLength": 500}, "permissions": perms}),
            &["name", "permissions"],
        ),
        ("put", "/api/v1/roles/{id}") => obj(
            json!({"name": {"type": "string", "pattern": "^[a-z0-9_-]{2,30}$"},
                   "description": {"type": ["string", "null"], "maxLength": 500}, "permissions": perms}),
            &[],
        ),
        ("post" | "put", "/api/v1/teams" | "/api/v1/teams/{id}") => {
            obj(json!({"name": name(50)}), &["name"])
        }
        ("post", "/api/v1/api-keys") => obj(
            json!({"name": {"type": ["string", "null"], "maxLength": 100},
                   "permissions": {"type": ["array", "null"], "items": {"type": "string", "enum": crate::auth::PERMISSIONS}},
                   "expiresAt": {"type": ["string", "null"], "format": "date-time"}}),
            &[],
        ),
        ("put", "/api/v1/user/analytics") => obj(
            json!({"enabled": {"type": ["boolean", "null"]}, "remindLater": {"type": ["boolean", "null"]}}),
            &[],
        ),
        ("put", "/api/v1/settings") => json!({"type": "object",
            "description": "Keys and values must not hold an HTML tag (`<` and a letter, `/`, `!` or `?`, then `>`)",
            "additionalProperties": {"type": ["string", "number", "boolean", "array"], "pattern": NO_HTML,
                "items": {"type": ["string", "number", "boolean"], "pattern": NO_HTML}},
            "propertyNames": {"pattern": NO_HTML}}),
        ("delete", "/api/v1/files") => obj(
            json!({"ids": {"type": "array", "minItems": 1, "items": {"type": "string"}}}),
            &["ids"],
        ),
        ("post", "/api/v1/pipeline/save") => obj(
            json!({"name": name(100), "description": {"type": ["string", "null"], "maxLength": 500},
                   "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/PipelineStep"}}}),
            &["name", "steps"],
        ),
        _ => json!({"type": "object"}),
    }
}

/// The file part of a form: one file, or (`max` not 1) an array of file parts.
pub(super) fn file_part(description: &str, min: u32, max: Option<u32>) -> Value {
    // Empty file parts are skipped (a form's unused file input), so they are not refused.
    let one = json!({"type": "string", "format": "binary"});
    if max == Some(1) {
        let mut v = one;
        v["description"] = json!(description);
        return v;
    }
    let mut v =
        json!({"type": "array", "items": one, "minItems": min.max(1), "description": description});
    if let Some(m) = max {
        v["maxItems"] = json!(m);
    }
    v
}

/// A multipart form: `file` (required when `file_required`), text fields, and JSON parts
/// (`settings`, `pipeline`: objects sent as `application/json` parts, or JSON text).
pub(super) struct FormDoc<'a> {
    /// The positional file part, if the route takes one.
    pub file: Option<Value>,
    /// Whether `file` must be there.
    pub file_required: bool,
    /// More parts: (name, schema, required).
    pub parts: Vec<(&'a str, Value, bool)>,
    /// Whether the route reports on a progress stream named by `clientJobId`.
    pub progress: bool,
}

/// A part holding a JSON object (`settings`, `pipeline`).
pub(super) fn json_part(schema: Value, description: &str) -> Value {
    let mut v = schema;
    if let Some(o) = v.as_object_mut() {
        o.insert("description".into(), json!(description));
    }
    v
}

impl FormDoc<'_> {
    /// The request body object.
    pub(super) fn body(self) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        if let Some(f) = self.file {
            props.insert("file".into(), f);
            if self.file_required {
                required.push("file".to_string());
            }
        }
        if self.progress {
            props.insert(
                "clientJobId".into(),
                json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{0,64}$",
                       "description": "Names the progress stream (empty: none)"}),
            );
        }
        for (name, schema, req) in self.parts {
            let structured = schema.get("$ref").is_some() || schema["type"] == "object";
            if structured {
                encoding.insert(name.into(), json!({"contentType": "application/json"}));
            }
            props.insert(name.into(), schema);
            if req {
                required.push(name.to_string());
            }
        }
        // The form extractor answers 400 to a text part the route does not read; file parts
        // with a file name may have any name (they fill the positional slot).
        let mut media = json!({"schema": {"type": "object", "properties": props, "required": required,
                                          "additionalProperties": false}});
        if !encoding.is_empty() {
            media["encoding"] = Value::Object(encoding);
        }
        json!({"required": true, "content": {"multipart/form-data": media}})
    }
}

/// The multipart body of a non-tool route that takes files.
pub(super) fn form_body(method: &str, path: &str) -> Value {
    let text = |d: &str| json!({"type": "string", "minLength": 1, "description": d});
    let progress = path.starts_with("/api/v1/pipeline/") || path.starts_with("/api/v1/tools/");
    let pipeline = || {
        let def = json!({"$ref": "#/components/schemas/PipelineDefinition"});
        ("pipeline", json_part(def, "The pipeline"), true)
    };
    let (file, parts) = match (method, path) {
        ("post", "/api/v1/files/save-result") => (
            file_part("The new version", 1, Some(1)),
            vec![
                (
                    "parentId",
                    text("The library file this is a new version of"),
                    true,
                ),
                (
                    "toolId",
                    json!({"type": "string", "description": "The tool that made it"}),
                    false,
                ),
            ],
        ),
        ("post", "/api/v1/settings/logo") => (file_part("The logo image", 1, Some(1)), vec![]),
        ("post", "/api/v1/preview") => (file_part("The image", 1, Some(1)), vec![]),
        ("post", "/api/v1/pipeline/execute") => {
            (file_part("The image", 1, Some(1)), vec![pipeline()])
        }
        ("post", "/api/v1/pipeline/batch") => (file_part("The images", 1, None), vec![pipeline()]),
        ("post", "/api/v1/tools/{toolId}/batch") => (
            file_part("The images", 1, None),
            vec![(
                "settings",
                json_part(
                    json!({"type": "object"}),
                    "The tool's settings (absent = defaults)",
                ),
                false,
            )],
        ),
        _ => (file_part("The files", 1, None), vec![]),
    };
    FormDoc {
        file: Some(file),
        file_required: true,
        parts,
        progress,
    }
    .body()
}

/// One sentence on a tool's inputs, from its slots.
pub(super) fn inputs_text(meta: &ToolMeta) -> String {
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

/// The multipart body of a tool: its positional file part, one part per named slot, its
/// own form fields, the settings object and the run options.
/// `settings_required`: the settings schema has required fields, so the part must be sent.
/// `settings` is the tool's settings schema: a form field takes its property's schema.
pub(super) fn slots_body(
    meta: &ToolMeta,
    schema_name: &str,
    settings: &Value,
    settings_required: bool,
) -> Value {
    let mut parts = vec![
        (
            "async",
            json!({"type": "string", "enum": ["true", "false"], "description": "`true`: answer 202 and report on the progress stream"}),
            false,
        ),
        (
            "settings",
            json_part(
                json!({"$ref": format!("#/components/schemas/{schema_name}")}),
                "The settings (absent = defaults)",
            ),
            settings_required,
        ),
        (
            "fileId",
            json!({"type": "string", "description": "Also store the result as a new version of this library file"}),
            false,
        ),
    ];
    for s in meta.named_slots() {
        let mut one = file_part(s.description, s.min, s.max);
        if s.max != Some(1) {
            one["description"] = json!(s.description);
        }
        parts.push((s.name, one, s.min > 0));
    }
    for f in meta.form_fields {
        // The field's text is read as JSON (a number, `true`), else as a string.
        let mut schema = settings["properties"][*f].clone();
        if !schema.is_object() {
            schema = json!({"type": "string"});
        }
        schema["description"] = json!("The setting of the same name, as a form field");
        parts.push((f, schema, false));
    }
    if meta.caps.from_job {
        parts.push(("jobId", json!({"type": "string", "description": "With `filename`: use an earlier job's result as the input"}), false));
        parts.push(("filename", json!({"type": "string"}), false));
    }
    let positional = meta.positional();
    FormDoc {
        file: positional.map(|s| file_part(s.description, s.min, s.max)),
        file_required: positional.is_some_and(|s| s.min > 0),
        parts,
        progress: true,
    }
    .body()
}
