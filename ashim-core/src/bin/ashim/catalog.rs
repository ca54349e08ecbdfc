//! `ashim tools`, `ashim help TOOL` and `ashim formats`, all read from the registry and
//! the schemas.

use crate::runner;
use crate::settings::{self, Kind};
use ashim_core::tool::{Availability, DynTool, OutputKind};
use ashim_core::{ImageFormat, registry};
use serde_json::Value;
use std::fmt::Write;

fn category(tool: &dyn DynTool) -> String {
    serde_json::to_value(tool.meta().category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One line per tool: id, category, description.
pub fn tools_text() -> String {
    let tools: Vec<&dyn DynTool> = registry::tools().collect();
    let w = tools.iter().map(|t| t.meta().id.len()).max().unwrap_or(0);
    let cw = tools.iter().map(|t| category(*t).len()).max().unwrap_or(0);
    let mut out = String::new();
    for t in tools {
        let m = t.meta();
        let state = match t.availability() {
            Availability::Ready => String::new(),
            Availability::ModelNotInstalled { .. } => "  (not installed)".into(),
        };
        let _ = writeln!(
            out,
            "{:w$}  {:cw$}  {}{state}",
            m.id,
            category(t),
            m.description
        );
    }
    out.push_str("\nRun `ashim help TOOL` for a tool's settings.\n");
    out
}

fn output_words(kind: OutputKind) -> &'static str {
    match kind {
        OutputKind::Image => "an image (-o FILE for one input, -o DIR for several, - for stdout)",
        OutputKind::Files => "several files (-o DIR, or -o NAME.zip / - for a ZIP)",
        OutputKind::Json => "a JSON report, printed (or written with -o)",
        OutputKind::Bytes => "one file (-o FILE, -o DIR, or - for stdout)",
        OutputKind::FileSet => "several files (-o DIR, or -o NAME.zip / - for a ZIP)",
    }
}

/// A tool's help: what it does, its inputs and output, every setting with type, range,
/// allowed values and default.
pub fn tool_help(tool: &dyn DynTool) -> String {
    let m = tool.meta();
    let specs = settings::specs(&tool.settings_schema());
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", m.id, m.name, category(tool));
    let _ = writeln!(out, "{}\n", m.description);
    let _ = writeln!(out, "Usage: ashim {} [SETTINGS] [INPUT...] [-o OUT]", m.id);
    out.push_str("Inputs:\n");
    for line in runner::inputs_lines(m) {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "Output: {}", output_words(runner::output_kind(m)));
    if let Availability::ModelNotInstalled { hint } = tool.availability() {
        let _ = writeln!(out, "Not installed: {hint}");
    }
    if specs.is_empty() {
        out.push_str("\nNo settings.\n");
    } else {
        out.push_str("\nSettings:\n");
        for s in &specs {
            let head = match &s.kind {
                Kind::Bool => format!("--{0}, --no-{0}", s.flag),
                Kind::Choice(values) => format!("--{} <{}>", s.flag, values.join("|")),
                _ => format!("--{} <{}>", s.flag, s.value_name()),
            };
            let _ = writeln!(out, "  {head}");
            let _ = writeln!(out, "      {}", s.help());
        }
    }
    out.push_str(
        "\nAlso: --settings JSON (flags win over it), -o OUT, -r, -j N, -q, --json[=pretty|compact].\n",
    );
    out
}

/// Every format the core knows, with what this build can do with it.
pub fn formats_text() -> String {
    let schema = ashim_core::settings::schema_of::<ImageFormat>();
    let names: Vec<String> = match schema.get("enum").and_then(Value::as_array) {
        Some(values) => values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        None => schema
            .get("oneOf")
            .and_then(Value::as_array)
            .map(|bs| {
                bs.iter()
                    .filter_map(|b| b.get("const").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut out = format!(
        "{:6}  {:4}  {:6}  {:6}  {}\n",
        "format", "ext", "decode", "encode", "MIME type"
    );
    for f in names.iter().filter_map(|n| ImageFormat::from_name(n)) {
        let yes = |b: bool| if b { "yes" } else { "-" };
        let _ = writeln!(
            out,
            "{:6}  {:4}  {:6}  {:6}  {}",
            f.name(),
            f.extension(),
            yes(f.can_decode()),
            yes(f.can_encode()),
            f.mime_type()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_comes_from_the_registry() {
        let t = tools_text();
        for tool in registry::tools() {
            assert!(t.contains(tool.meta().id));
        }
        let f = formats_text();
        assert!(
            f.lines()
                .any(|l| l.starts_with("jpeg") && l.contains("image/jpeg"))
        );
        assert!(f.lines().count() > 8);
    }

    #[test]
    fn help_lists_every_setting_as_a_flag() {
        for tool in registry::tools() {
            let h = tool_help(tool);
            for s in settings::specs(&tool.settings_schema()) {
                assert!(
                    h.contains(&format!("--{}", s.flag)),
                    "{}: {}",
                    tool.meta().id,
                    s.flag
                );
            }
        }
    }
}
