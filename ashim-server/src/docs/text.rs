//! Text renderings of the OpenAPI document: block YAML, `/llms.txt` and `/llms-full.txt`.

use super::TAGS;
use super::openapi::path_params;
use ashim_core::schema::catalogue;
use serde_json::{Map, Value};
use std::collections::HashSet;

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

pub(super) fn llms(doc: &Value, disabled: &HashSet<String>) -> String {
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

pub(super) fn llms_full(doc: &Value) -> String {
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
