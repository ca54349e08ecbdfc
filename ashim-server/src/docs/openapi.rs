//! The OpenAPI document: the route table's operations, one per registry tool (and its
//! batch route), the settings and report schemas hoisted into `components`.

use super::bodies::{
    FormDoc, file_part, form_body, inputs_text, json_body_schema, json_part, slots_body,
};
use super::{TAGS, pascal};
use ashim_core::schema::catalogue;
use ashim_core::tool::OutputKind;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

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

/// Settings refuse `null` (absent means the default; tools-essentials 0.5), so the document
/// drops the `null` the schema generator adds to optional fields: `type: [T, "null"]` is
/// `T`, a `{type: null}` branch of `anyOf`/`oneOf` goes, and so does a `null` default.
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(types)) = o.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    o.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(branches)) = o.get_mut(key) {
                    branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
                    if branches.len() == 1 {
                        let only = branches.remove(0);
                        o.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, x) in inner {
                                o.entry(k).or_insert(x);
                            }
                        }
                    }
                }
            }
            if let Some(Value::Array(e)) = o.get_mut("enum") {
                e.retain(|x| !x.is_null());
            }
            if o.get("default").is_some_and(Value::is_null) {
                o.remove("default");
            }
            // Unsigned integer formats carry their real range (serde refuses the rest).
            let max = match o.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                _ => None,
            };
            if let Some(m) = max
                && !o.contains_key("maximum")
            {
                o.insert("maximum".into(), json!(m));
            }
            o.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
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
            "401": err_ref(),
            "404": err_ref(),
            "413": err_ref(),
            "415": err_ref(),
            "422": err_ref(),
            "507": err_ref(),
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

pub(super) fn path_params(path: &str) -> Vec<Value> {
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
    for r in crate::routes::TABLE
        .iter()
        .filter(|r| r.doc == crate::routes::Doc::Shown)
    {
        let (method, path, tag, access, summary, body, ok) = (
            r.method,
            &r.path,
            r.tag,
            r.access.label(),
            r.summary,
            &r.body,
            &r.status,
        );
        let ok_body = match *path {
            "/api/v1/tools/{toolId}/batch" => zip_ok("ZIP of the results"),
            "/api/v1/pipeline/batch" => zip_ok("ZIP of the results"),
            "/api/v1/download/{jobId}/{filename}" => {
                json!({"description": "The file, with the media type of its format", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}})
            }
            "/api/v1/jobs/{jobId}/progress" => {
                json!({"description": "`data: <json>` events", "content": {"text/event-stream": {"schema": {
                    "type": "object", "required": ["data"], "properties": {
                        "data": {"type": "string", "contentMediaType": "application/json",
                                 "description": "The event: `type` single or batch, with its phase or counts"},
                        "event": {"type": "string"}, "id": {"type": "string"}}}}}})
            }
            "/api/v1/preview" => {
                json!({"description": "The WebP preview", "content": {"image/webp": {"schema": {"type": "string", "format": "binary"}}}})
            }
            "/api/v1/settings/logo" if method == "get" => {
                json!({"description": "The logo", "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}})
            }
            "/api/v1/openapi.yaml" => {
                json!({"description": "The same document as YAML", "content": {"text/yaml": {"schema": {}}}})
            }
            "/api/docs" => {
                json!({"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}})
            }
            _ => json_ok("OK"),
        };
        let mut op = operation(summary, summary, tag, access, *ok, ok_body);
        match *body {
            "json" => {
                // An empty body is `{}` (api.md §1.6): required only where fields are.
                let schema = json_body_schema(method, path);
                let required = schema["required"].as_array().is_some_and(|r| !r.is_empty());
                op["requestBody"] = json!({"required": required, "content": {"application/json": {
                    "schema": schema}}});
                if method != "delete" {
                    // A name or key that is taken.
                    op["responses"]["409"] = err_ref();
                }
            }
            "multipart" | "batch" | "pipeline" => {
                op["requestBody"] = form_body(method, path);
                if *body != "multipart" {
                    // A step or tool whose AI bundle is not installed.
                    op["responses"]["501"] = err_ref();
                }
            }
            _ => {}
        }
        add(path, method, op);
    }
    let mut step_variants = Vec::new();
    for info in catalogue()
        .into_iter()
        .filter(|t| !disabled.contains(t.meta.id))
    {
        let meta = info.meta;
        let schema_name = format!("{}Settings", pascal(meta.id));
        let mut settings = info.settings_schema;
        drop_nulls(&mut settings);
        if let Some(o) = settings.as_object_mut()
            && !o.contains_key("additionalProperties")
        {
            // Unknown keys are ignored, but a `null` is refused whatever the key.
            o.insert(
                "additionalProperties".into(),
                json!({"type": ["string", "number", "boolean", "array", "object"]}),
            );
        }
        let mut schema = hoist(meta.id, settings, &mut components);
        if let Some(o) = schema.as_object_mut() {
            o.insert("title".into(), json!(schema_name));
        }
        let settings_required = schema["required"].as_array().is_some_and(|r| !r.is_empty());
        components.insert(schema_name.clone(), schema);
        if meta.pipeline_capable() {
            let reference = json!({"$ref": format!("#/components/schemas/{schema_name}")});
            // Settings with required fields must be there; others may be null or absent.
            let (settings, required) = if settings_required {
                (reference, json!(["toolId", "settings"]))
            } else {
                (
                    json!({"anyOf": [reference, {"type": "null"}]}),
                    json!(["toolId"]),
                )
            };
            step_variants.push(
                json!({"type": "object", "required": required, "properties": {
                "toolId": {"const": meta.id}, "settings": settings}}),
            );
        }
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
        if meta.category == ashim_core::tool::Category::Ai {
            op["responses"]["501"] = err_ref();
        }
        op["parameters"] = json!([{"name": "Prefer", "in": "header", "required": false,
            "schema": {"type": "string"}, "description": "`respond-async` for a 202 and the result in the SSE stream"}]);
        op["requestBody"] = if meta.takes_no_files() {
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema_name}")}}}})
        } else {
            slots_body(
                &meta,
                &schema_name,
                &components[&schema_name],
                settings_required,
            )
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
            let mut parts = vec![(
                "settings",
                json_part(
                    json!({"$ref": format!("#/components/schemas/{schema_name}")}),
                    "The settings of every run (absent = defaults)",
                ),
                settings_required,
            )];
            // Named-slot files (a watermark, a logo) go with every run.
            for s in meta.named_slots() {
                parts.push((s.name, file_part(s.description, s.min, s.max), s.min > 0));
            }
            bop["requestBody"] = FormDoc {
                file: Some(file_part("The images, one run each", 1, None)),
                file_required: true,
                parts,
                progress: true,
            }
            .body();
            if meta.category == ashim_core::tool::Category::Ai {
                bop["responses"]["501"] = err_ref();
            }
            add(&format!("/api/v1/tools/{}/batch", meta.id), "post", bop);
        }
    }
    let tags: Vec<Value> = TAGS
        .iter()
        .map(|(n, d)| json!({"name": n, "description": d}))
        .collect();
    components.insert(
        "PipelineDefinition".into(),
        json!({"type": "object", "required": ["steps"], "properties": {
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/PipelineStep"}}}}),
    );
    components.insert(
        "PipelineStep".into(),
        json!({"description": "One step: a pipeline-capable tool and its settings", "oneOf": step_variants}),
    );
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
