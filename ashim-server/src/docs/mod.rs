//! Documentation generated from the registry and the route table: the OpenAPI 3.1
//! document ([`openapi`], request bodies in [`bodies`]), and its text renderings ([`text`]:
//! YAML, `/llms.txt`, `/llms-full.txt`), plus the self-contained reference page at `/api/docs`.

pub mod bodies;
pub mod openapi;
pub mod text;

pub use openapi::openapi;
use std::collections::HashSet;
pub use text::to_yaml;

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

/// The document's tags with their descriptions, in order.
pub const TAGS: &[(&str, &str)] = &[
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

/// `remove-background` → `RemoveBackground` (schema and operation names).
pub fn pascal(id: &str) -> String {
    id.split(['-', '_', '/'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

impl Docs {
    /// Build every document.
    pub fn build(disabled: &HashSet<String>) -> Self {
        let doc = openapi(disabled);
        Self {
            openapi_json: serde_json::to_string_pretty(&doc).unwrap_or_default(),
            openapi_yaml: to_yaml(&doc),
            llms: text::llms(&doc, disabled),
            llms_full: text::llms_full(&doc),
        }
    }
}

/// The reference page: plain HTML + CSS + JS, no external resources.
pub const DOCS_HTML: &str = include_str!("docs.html");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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
