//! Render the Python stub (`ashim-py/python/ashim/__init__.pyi`) and the TypeScript
//! declarations (`ashim-node/index.d.ts`) from the core's tool catalogue, without building
//! either native module.
//!
//! ```text
//! cargo run -p ashim-tests --bin gen-stubs            # rewrite both files
//! cargo run -p ashim-tests --bin gen-stubs -- --check # exit 1 when one is stale
//! ```
//!
//! `tests/tests/stubs.rs` runs the same rendering and fails when a checked-in file differs.

use ashim_core::ErrorKind;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Repository root (the parent of the `tests` crate).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Path of the Python stub.
pub fn pyi_path() -> PathBuf {
    root().join("ashim-py/python/ashim/__init__.pyi")
}

/// Path of the TypeScript declarations.
pub fn dts_path() -> PathBuf {
    root().join("ashim-node/index.d.ts")
}

/// The catalogue as the bindings see it (the same JSON their native modules return).
pub fn catalogue() -> Vec<Value> {
    match serde_json::to_value(ashim_core::schema::catalogue()) {
        Ok(Value::Array(tools)) => tools,
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------- shared helpers

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object().and_then(|o| o.get(key))
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    get(v, key).and_then(Value::as_str).unwrap_or("")
}

fn props(schema: &Value) -> Vec<(&String, &Value)> {
    get(schema, "properties")
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

fn required(schema: &Value) -> Vec<&str> {
    get(schema, "required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Follow a local `$ref` (`#/$defs/Name`), keeping the referring schema's other keys.
fn resolve(root: &Value, schema: &Value) -> Value {
    if let Some(name) = get(schema, "$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        let mut merged: Map<String, Value> = get(root, "$defs")
            .and_then(|d| get(d, name))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Some(o) = schema.as_object() {
            for (k, v) in o {
                if k != "$ref" {
                    merged.insert(k.clone(), v.clone());
                }
            }
        }
        return Value::Object(merged);
    }
    schema.clone()
}

fn types_of(schema: &Value) -> Vec<String> {
    match get(schema, "type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

fn subschemas(schema: &Value) -> Vec<&Value> {
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| get(schema, k).and_then(Value::as_array))
        .flatten()
        .collect()
}

fn literals(schema: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(c) = get(schema, "const") {
        out.push(c.clone());
    }
    if let Some(Value::Array(e)) = get(schema, "enum") {
        out.extend(e.iter().cloned());
    }
    out
}

fn has(schema: &Value, key: &str) -> bool {
    get(schema, key).is_some()
}

// ---------------------------------------------------------------- Python

const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Names the Python module defines itself (as `_schema.RESERVED`).
const PY_RESERVED: &[&str] = &[
    "run",
    "pipeline",
    "tools",
    "Output",
    "File",
    "AshimError",
    "to_native",
    "annotations",
];

/// `withoutEnlargement` -> `without_enlargement`; `strip-metadata/inspect` ->
/// `strip_metadata_inspect` (as `_schema.snake`).
pub fn snake(name: &str) -> String {
    let name: Vec<char> = name.replace(['-', '/'], "_").chars().collect();
    // (?<=[a-z0-9])([A-Z]) -> _\1
    let mut first = Vec::with_capacity(name.len() + 4);
    for (i, &c) in name.iter().enumerate() {
        if c.is_ascii_uppercase()
            && i > 0
            && (name[i - 1].is_ascii_lowercase() || name[i - 1].is_ascii_digit())
        {
            first.push('_');
        }
        first.push(c);
    }
    // (?<=[A-Z])([A-Z][a-z]) -> _\1
    let mut second = String::with_capacity(first.len() + 4);
    for (i, &c) in first.iter().enumerate() {
        if c.is_ascii_uppercase()
            && i > 0
            && first[i - 1].is_ascii_uppercase()
            && first.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
        {
            second.push('_');
        }
        second.push(c);
    }
    let out = second.to_lowercase();
    if PY_KEYWORDS.contains(&out.as_str()) {
        out + "_"
    } else {
        out
    }
}

/// The Python function name of a tool (as `_schema.function_name`).
pub fn py_function_name(id: &str) -> String {
    let name = snake(id);
    if PY_RESERVED.contains(&name.as_str()) {
        name + "_"
    } else {
        name
    }
}

fn py_float(f: f64) -> String {
    if f.is_finite() && f != 0.0 && (f.abs() >= 1e16 || f.abs() < 1e-4) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        let mantissa = mantissa.strip_suffix(".0").unwrap_or(mantissa);
        format!("{mantissa}e{sign}{digits:0>2}")
    } else {
        format!("{f:?}")
    }
}

fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a JSON value.
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) if n.is_f64() => py_float(n.as_f64().unwrap_or_default()),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn py_simple(t: &str) -> &'static str {
    match t {
        "integer" => "int",
        "number" => "float",
        "boolean" => "bool",
        "string" => "str",
        "null" => "None",
        _ => "Any",
    }
}

/// A Python annotation for a schema (as `_schema.annotation`).
pub fn py_annotation(root: &Value, schema: &Value) -> String {
    let schema = resolve(root, schema);
    let mut lits = literals(&schema);
    let mut members: Vec<String> = Vec::new();
    let mut nullable = false;
    for sub in subschemas(&schema) {
        let sub = resolve(root, sub);
        if get(&sub, "type").and_then(Value::as_str) == Some("null") {
            nullable = true;
        } else if (has(&sub, "const") || has(&sub, "enum"))
            && !has(&sub, "anyOf")
            && !has(&sub, "oneOf")
        {
            lits.extend(literals(&sub).into_iter().take(if has(&sub, "const") {
                1
            } else {
                usize::MAX
            }));
        } else {
            members.push(py_annotation(root, &sub));
        }
    }
    if !lits.is_empty() {
        if lits.iter().any(Value::is_null) {
            nullable = true;
        }
        let values: Vec<String> = lits.iter().filter(|v| !v.is_null()).map(py_repr).collect();
        if !values.is_empty() {
            members.insert(0, format!("Literal[{}]", values.join(", ")));
        }
    }
    if members.is_empty() {
        for t in types_of(&schema) {
            match t.as_str() {
                "null" => nullable = true,
                "array" => members.push(format!(
                    "List[{}]",
                    get(&schema, "items")
                        .map(|i| py_annotation(root, i))
                        .unwrap_or_else(|| "Any".into())
                )),
                "object" => members.push("Dict[str, Any]".into()),
                other => members.push(py_simple(other).into()),
            }
        }
    }
    if members.is_empty() {
        members.push("Any".into());
    }
    let text = if members.len() == 1 {
        members.remove(0)
    } else {
        format!("Union[{}]", members.join(", "))
    };
    if nullable && text != "Any" {
        format!("Optional[{text}]")
    } else {
        text
    }
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One setting as a Python keyword argument (as `_schema.Param`).
struct Param {
    name: String,
    wire: String,
    annotation: String,
    required: bool,
    default: Value,
    description: String,
}

fn py_params(schema: &Value) -> Vec<Param> {
    let req = required(schema);
    let mut out: Vec<Param> = props(schema)
        .into_iter()
        .map(|(wire, prop)| {
            let resolved = resolve(schema, prop);
            let is_required = req.contains(&wire.as_str());
            let mut ann = py_annotation(schema, prop);
            if !is_required && !has(prop, "default") && !ann.starts_with("Optional[") {
                ann = format!("Optional[{ann}]");
            }
            let desc = match str_of(prop, "description") {
                "" => str_of(&resolved, "description"),
                d => d,
            };
            Param {
                name: snake(wire),
                wire: wire.clone(),
                annotation: ann,
                required: is_required,
                default: get(prop, "default").cloned().unwrap_or(Value::Null),
                description: words(desc),
            }
        })
        .collect();
    out.sort_by_key(|p| !p.required);
    out
}

/// One input slot as a Python argument (as `_schema.Slot`).
struct Slot {
    name: String,
    wire: String,
    single: bool,
    optional: bool,
    named: bool,
    doc: String,
}

fn slot_counts(slot: &Value) -> String {
    let lo = get(slot, "min").and_then(Value::as_u64).unwrap_or(0);
    match get(slot, "max").and_then(Value::as_u64) {
        None => format!("at least {lo}"),
        Some(hi) if hi == lo => format!("exactly {lo}"),
        Some(hi) => format!("{lo} to {hi}"),
    }
}

fn slot_of(slot: &Value) -> Slot {
    let single = get(slot, "max").and_then(Value::as_u64) == Some(1);
    let optional = get(slot, "min").and_then(Value::as_u64) == Some(0);
    let named = get(slot, "named").and_then(Value::as_bool).unwrap_or(false);
    let wire = str_of(slot, "name").to_string();
    let accepts = get(slot, "accepts")
        .map(|a| str_of(a, "kind"))
        .unwrap_or("");
    let noun = if accepts == "anyFile" {
        "file"
    } else {
        "image"
    };
    let name = if named {
        snake(&wire)
    } else if single {
        "input".into()
    } else {
        "inputs".into()
    };
    let what = if single {
        format!("the {noun}")
    } else {
        format!("a sequence of {} {noun}s", slot_counts(slot))
    };
    let mut doc =
        format!("{name}: {what} (bytes, a path, an H×W×C uint8 array or an earlier Output)");
    if named {
        doc.push_str(&format!(", sent as ``{wire}``"));
    }
    if optional {
        doc.push_str("; optional");
    }
    doc.push_str(". ");
    doc.push_str(&words(str_of(slot, "description")));
    Slot {
        name,
        wire,
        single,
        optional,
        named,
        doc: doc.trim().to_string(),
    }
}

fn slots_of(tool: &Value) -> Vec<Slot> {
    let all: Vec<Slot> = get(tool, "slots")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(slot_of).collect())
        .unwrap_or_default();
    // The positional slot first, then the named ones in catalogue order.
    let (mut positional, named): (Vec<Slot>, Vec<Slot>) = all.into_iter().partition(|s| !s.named);
    positional.truncate(1);
    positional.extend(named);
    positional
}

fn py_returns_doc(output: &str) -> &'static str {
    match output {
        "image" => {
            "Output: the image (``.data``, ``.format``, ``.width``, ``.height``, ``.extra``, ``.save()``, ``.to_numpy()``)."
        }
        "files" | "fileSet" => {
            "Output: the files (``.files``, each with ``.name``, ``.data``, ``.mime_type``)."
        }
        "bytes" => "Output: one file (``.data``, ``.name``, ``.mime_type``).",
        "json" => "Output: the report (``.json``).",
        _ => "Output",
    }
}

/// The docstring of a tool's function (as `_schema.docstring`).
fn py_docstring(tool: &Value) -> String {
    let mut lines = vec![
        format!("{}: {}", str_of(tool, "name"), str_of(tool, "description")),
        String::new(),
        format!("Tool id ``{}``.", str_of(tool, "id")),
        String::new(),
        "Args:".into(),
    ];
    for slot in slots_of(tool) {
        lines.push(format!("    {}", slot.doc));
    }
    for p in py_params(&tool["settingsSchema"]) {
        let extra = if p.required {
            "required".to_string()
        } else if !p.default.is_null() {
            format!("default {}", py_repr(&p.default))
        } else {
            "optional".to_string()
        };
        lines.push(format!(
            "    {} ({}; {extra}; ``{}``): {}",
            p.name, p.annotation, p.wire, p.description
        ));
    }
    lines.push(String::new());
    lines.push("Returns:".into());
    lines.push(format!("    {}", py_returns_doc(str_of(tool, "output"))));
    lines.join("\n")
}

/// `strip-metadata/inspect` -> `StripMetadataInspect`.
pub fn pascal(id: &str) -> String {
    let camel = js_function_name(id);
    let mut chars = camel.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `invalid_settings` -> `InvalidSettingsError` (as the Python module names its classes).
fn py_error_class(code: &str) -> String {
    let mut name: String = code
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str("Error");
    name
}

const PY_HEADER: &str = r#"# Generated by `cargo run -p ashim-tests --bin gen-stubs` from the ashim tool catalogue. Do not edit.
import os
import pathlib
from typing import IO, Any, Dict, Iterable, List, Literal, Optional, Protocol, Sequence, Tuple, TypedDict, Union

from typing_extensions import NotRequired

__version__: str

class _ArrayLike(Protocol):
    @property
    def __array_interface__(self) -> Dict[str, Any]: ...

Input = Union[bytes, bytearray, memoryview, str, os.PathLike[str], _ArrayLike, IO[bytes], "Output", "File"]
StepLike = Union[Dict[str, Any], Tuple[str, Dict[str, Any]], str]

class AshimError(Exception):
    code: str
    message: str
    fields: List[Dict[str, str]]

class File:
    name: str
    data: bytes
    mime_type: str
    def __init__(self, name: str, data: bytes, mime_type: str) -> None: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> pathlib.Path: ...
    def to_numpy(self) -> Any: ...

class Output:
    kind: Literal["image", "files", "file", "json"]
    data: Optional[bytes]
    format: Optional[str]
    width: Optional[int]
    height: Optional[int]
    name: Optional[str]
    mime_type: Optional[str]
    files: Optional[List[File]]
    json: Any
    extra: Optional[Dict[str, Any]]
    def save(self, path: Union[str, os.PathLike[str]]) -> Union[pathlib.Path, List[pathlib.Path]]: ...
    def to_numpy(self) -> Any: ...
    def __bytes__(self) -> bytes: ...

ERRORS: Dict[str, type]
TOOL_FUNCTIONS: Dict[str, str]

def tools() -> List[Dict[str, Any]]: ...
def run(tool_id: str, input: Union[Input, Sequence[Input], None] = None, /, **settings: Any) -> Output: ...
def pipeline(steps: Iterable[StepLike], input: Input) -> Output: ...
def to_native(value: Input) -> Tuple[Any, ...]: ...
"#;

/// A `TypedDict` for a report schema, and an `Output` subclass whose `json` (JSON tools) or
/// `extra` (image tools) is that report. Returns the rendered classes and the output type.
fn py_report(tool: &Value, out: &mut String) -> Option<String> {
    let schema = get(tool, "reportSchema")?;
    let base = pascal(str_of(tool, "id"));
    let report = format!("{base}Report");
    let req = required(schema);
    let title = match str_of(schema, "description") {
        "" => format!("Report of ``{}``.", str_of(tool, "id")),
        d => words(d),
    };
    out.push_str(&format!(
        "\nclass {report}(TypedDict):\n    \"\"\"{}\"\"\"\n",
        title.replace("\"\"\"", "'''")
    ));
    for (key, prop) in props(schema) {
        let ann = py_annotation(schema, prop);
        let ann = if req.contains(&key.as_str()) {
            ann
        } else {
            format!("NotRequired[{ann}]")
        };
        out.push_str(&format!("    {key}: {ann}\n"));
    }
    let output = format!("{base}Output");
    let field = if str_of(tool, "output") == "image" {
        "extra"
    } else {
        "json"
    };
    out.push_str(&format!(
        "\nclass {output}(Output):\n    \"\"\"Output of ``{}``; ``.{field}`` is a :class:`{report}`.\"\"\"\n    {field}: {report}\n",
        str_of(tool, "id")
    ));
    Some(output)
}

/// The whole `__init__.pyi`.
pub fn render_pyi(tools: &[Value]) -> String {
    let mut out = String::from(PY_HEADER);
    for kind in ErrorKind::ALL {
        let code = kind.code();
        let bases = if matches!(kind, ErrorKind::InvalidSettings | ErrorKind::InvalidInput) {
            "AshimError, ValueError"
        } else {
            "AshimError"
        };
        out.push_str(&format!(
            "\nclass {}({bases}):\n    \"\"\"Code ``{code}``.\"\"\"\n",
            py_error_class(code)
        ));
    }
    for tool in tools {
        let ret = py_report(tool, &mut out).unwrap_or_else(|| "Output".into());
        let mut args: Vec<String> = Vec::new();
        let slots = slots_of(tool);
        for slot in slots.iter().filter(|s| !s.named) {
            let ann = if slot.single {
                "Input"
            } else {
                "Sequence[Input]"
            };
            args.push(if slot.optional {
                format!("{}: Optional[{ann}] = None", slot.name)
            } else {
                format!("{}: {ann}", slot.name)
            });
            args.push("/".into());
        }
        args.push("*".into());
        for slot in slots.iter().filter(|s| s.named) {
            let ann = if slot.single {
                "Input"
            } else {
                "Sequence[Input]"
            };
            args.push(if slot.optional {
                format!("{}: Optional[{ann}] = None", slot.name)
            } else {
                format!("{}: {ann}", slot.name)
            });
        }
        for p in py_params(&tool["settingsSchema"]) {
            let mut arg = format!("{}: {}", p.name, p.annotation);
            if !p.required {
                arg.push_str(&format!(" = {}", py_repr(&p.default)));
            }
            args.push(arg);
        }
        if args.last().map(String::as_str) == Some("*") {
            args.pop();
        }
        let doc = py_docstring(tool).replace("\"\"\"", "'''");
        let body: Vec<String> = doc
            .lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("    {l}")
                }
            })
            .collect();
        out.push_str(&format!(
            "\ndef {}({}) -> {ret}:\n    \"\"\"\n{}\n    \"\"\"\n",
            py_function_name(str_of(tool, "id")),
            args.join(", "),
            body.join("\n")
        ));
    }
    out
}

// ---------------------------------------------------------------- TypeScript

const JS_RESERVED: &[&str] = &[
    "run",
    "runSync",
    "pipeline",
    "pipelineSync",
    "tools",
    "AshimError",
    "Output",
    "OutputFile",
];

/// `qr-generate` -> `qrGenerate`; `strip-metadata/inspect` -> `stripMetadataInspect`
/// (as `functionName` in index.js).
pub fn js_function_name(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '-' | '_' | '/') {
            let mut j = i;
            while j < chars.len() && matches!(chars[j], '-' | '_' | '/') {
                j += 1;
            }
            match chars.get(j) {
                Some(n) if n.is_ascii_lowercase() || n.is_ascii_digit() => {
                    out.push(n.to_ascii_uppercase());
                    i = j + 1;
                }
                _ => {
                    out.extend(&chars[i..j]);
                    i = j;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn js_tool_function(id: &str) -> String {
    let name = js_function_name(id);
    if JS_RESERVED.contains(&name.as_str()) {
        name + "Tool"
    } else {
        name
    }
}

/// `JSON.stringify` of a value.
fn js_json(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            if f.fract() == 0.0 && f.abs() < 1e21 {
                format!("{f:.0}")
            } else {
                n.to_string()
            }
        }
        Value::Array(a) => format!("[{}]", a.iter().map(js_json).collect::<Vec<_>>().join(",")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), js_json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

fn ts_simple(t: &str) -> &'static str {
    match t {
        "integer" | "number" => "number",
        "boolean" => "boolean",
        "string" => "string",
        "null" => "null",
        _ => "unknown",
    }
}

/// A TypeScript type for a schema (as `tsType` in the old gen-dts.js).
pub fn ts_type(root: &Value, schema: &Value) -> String {
    let s = resolve(root, schema);
    let mut members: Vec<String> = literals(&s).iter().map(js_json).collect();
    for sub in subschemas(&s) {
        members.push(ts_type(root, sub));
    }
    if members.is_empty() {
        for t in types_of(&s) {
            match t.as_str() {
                "array" => members.push(format!(
                    "Array<{}>",
                    get(&s, "items")
                        .map(|i| ts_type(root, i))
                        .unwrap_or_else(|| "unknown".into())
                )),
                "object" => members.push("Record<string, unknown>".into()),
                other => members.push(ts_simple(other).into()),
            }
        }
    }
    if members.is_empty() {
        return "unknown".into();
    }
    let mut seen = Vec::new();
    for m in members {
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    seen.join(" | ")
}

fn ts_doc(lines: &[String], indent: &str) -> String {
    let text: Vec<String> = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.replace("*/", "*\\/"))
        .collect();
    if text.is_empty() {
        return String::new();
    }
    let body: Vec<String> = text.iter().map(|l| format!("{indent} * {l}")).collect();
    format!("{indent}/**\n{}\n{indent} */\n", body.join("\n"))
}

/// Members of an interface from an object schema, with their docs.
fn ts_members(schema: &Value, out: &mut String) {
    let req = required(schema);
    for (key, prop) in props(schema) {
        let r = resolve(schema, prop);
        let desc = match str_of(prop, "description") {
            "" => str_of(&r, "description"),
            d => d,
        };
        let dflt = get(prop, "default")
            .map(|d| format!("@default {}", js_json(d)))
            .unwrap_or_default();
        out.push_str(&ts_doc(&[desc.to_string(), dflt], "  "));
        let opt = if req.contains(&key.as_str()) { "" } else { "?" };
        out.push_str(&format!("  {key}{opt}: {}\n", ts_type(schema, prop)));
    }
}

fn dts_header() -> String {
    let codes: Vec<String> = ErrorKind::ALL
        .iter()
        .map(|k| Value::String(k.code().into()).to_string())
        .collect();
    DTS_HEADER.replace("@ERROR_CODES@", &codes.join(" | "))
}

const DTS_HEADER: &str = r#"// Generated by `cargo run -p ashim-tests --bin gen-stubs` from the ashim tool catalogue. Do not edit.
/// <reference types="node" />

/** An input file: encoded bytes, a file path (string or file: URL) or an earlier output. */
export type Input = Buffer | Uint8Array | ArrayBuffer | string | URL | Output | OutputFile

/** Every stable error code. */
export type ErrorCode = @ERROR_CODES@

/** An ashim error: an `Error` with a stable `.code` and, for settings errors, `.fields`. */
export class AshimError extends Error {
  readonly code: ErrorCode
  readonly fields: Array<{ path: string; message: string }>
}

export const ERROR_CODES: ReadonlyArray<ErrorCode>

/** One output file of a tool that produces several. */
export class OutputFile {
  readonly name: string
  readonly data: Buffer
  readonly mimeType: string
  /** Write to `target` (a directory gets `name` inside it); resolves to the path. */
  save(target: string): Promise<string>
}

/** The result of a tool or pipeline. */
export class Output {
  readonly kind: 'image' | 'files' | 'file' | 'json'
  readonly data: Buffer | null
  readonly format: string | null
  readonly width: number | null
  readonly height: number | null
  readonly name: string | null
  readonly mimeType: string | null
  readonly files: OutputFile[] | null
  readonly json: unknown
  /** Extra envelope fields of an image result (`similarity`, ...); `{}` when none. */
  readonly extra: Record<string, unknown> | null
  /** Write the image, the files (into a directory) or the JSON report. */
  save(target: string): Promise<string | string[]>
}

/** An image result; `extra` holds the extra envelope fields the tool reports. */
export interface ImageOutput<E extends Record<string, unknown> = Record<string, unknown>> extends Output {
  readonly kind: 'image'
  readonly data: Buffer
  readonly format: string
  readonly width: number
  readonly height: number
  readonly name: string
  readonly mimeType: string
  readonly files: null
  readonly extra: E
  save(target: string): Promise<string>
}

/** A several-files result (a ZIP's files, or a file set). */
export interface FilesOutput extends Output {
  readonly kind: 'files'
  readonly data: null
  readonly files: OutputFile[]
  save(target: string): Promise<string[]>
}

/** A single-file result (raw bytes with their MIME type, such as a preview). */
export interface FileOutput extends Output {
  readonly kind: 'file'
  readonly data: Buffer
  readonly name: string
  readonly mimeType: string
  readonly files: OutputFile[]
  save(target: string): Promise<string>
}

/** A JSON report. */
export interface JsonOutput<R = Record<string, unknown>> extends Output {
  readonly kind: 'json'
  readonly data: null
  readonly json: R
  save(target: string): Promise<string>
}

/** One input slot of a tool. */
export interface SlotInfo {
  /** Part name of a named slot; `file` for the positional slot. */
  name: string
  /** Whether the slot is filled by a file of its own name (an option of that name here). */
  named: boolean
  min: number
  max: number | null
  accepts: { kind: 'image' } | { kind: 'formats'; formats: string[] } | { kind: 'anyFile' }
  description: string
}

/** One catalogue entry. */
export interface ToolInfo {
  id: string
  name: string
  description: string
  category: string
  slots: SlotInfo[]
  output: 'image' | 'files' | 'json' | 'bytes' | 'fileSet'
  caps: { pipeline: boolean; batch: boolean; jsonBody: boolean; ownBatch: boolean; fromJob: boolean }
  route?: { parent: string; path: string }
  aliases?: string[]
  formFields?: string[]
  settingsSchema: Record<string, unknown>
  reportSchema?: Record<string, unknown>
  availability: { state: 'ready' } | { state: 'modelNotInstalled'; hint: string }
}

/** The catalogue of every registered tool. */
export function tools(): ToolInfo[]

/** Function name -> tool id of every generated tool function. */
export const toolFunctions: Record<string, string>

/** `qr-generate` -> `qrGenerate`; `strip-metadata/inspect` -> `stripMetadataInspect`. */
export function functionName(toolId: string): string
"#;

/// The whole `index.d.ts`.
pub fn render_dts(tools: &[Value]) -> String {
    let mut out = dts_header();
    let mut settings_map = String::new();
    let mut options_map = String::new();
    let mut output_map = String::new();
    for tool in tools {
        let id = str_of(tool, "id");
        let schema = &tool["settingsSchema"];
        let base = pascal(id);
        let iface = format!("{base}Settings");
        let req_settings = !required(schema).is_empty();
        out.push_str(&format!(
            "\n{}export interface {iface} {{\n",
            ts_doc(
                &[format!("Settings of `{id}` ({}).", str_of(tool, "name"))],
                ""
            )
        ));
        ts_members(schema, &mut out);
        out.push_str("}\n");

        let slots = slots_of(tool);
        let named: Vec<&Slot> = slots.iter().filter(|s| s.named).collect();
        let mut options = iface.clone();
        let mut req_slots = false;
        if !named.is_empty() {
            let slots_iface = format!("{base}Files");
            out.push_str(&format!(
                "\n{}export interface {slots_iface} {{\n",
                ts_doc(&[format!("Files of the named slots of `{id}`.")], "")
            ));
            for s in &named {
                let desc = get(tool, "slots")
                    .and_then(Value::as_array)
                    .and_then(|a| a.iter().find(|v| str_of(v, "name") == s.wire))
                    .map(|v| str_of(v, "description"))
                    .unwrap_or("");
                out.push_str(&ts_doc(&[desc.to_string()], "  "));
                let ty = if s.single { "Input" } else { "Input[]" };
                let opt = if s.optional { "?" } else { "" };
                req_slots |= !s.optional;
                out.push_str(&format!("  {}{opt}: {ty}\n", s.wire));
            }
            out.push_str("}\n");
            options = format!("{iface} & {slots_iface}");
        }

        let ret = match (str_of(tool, "output"), get(tool, "reportSchema")) {
            (kind @ ("image" | "json"), Some(report)) => {
                let name = format!("{base}Report");
                let title = match str_of(report, "description") {
                    "" => format!("Report of `{id}`."),
                    d => d.to_string(),
                };
                // A type alias, not an interface, so a report is also a `Record<string, unknown>`.
                out.push_str(&format!(
                    "\n{}export type {name} = {{\n",
                    ts_doc(&[title], "")
                ));
                ts_members(report, &mut out);
                out.push_str("}\n");
                if kind == "image" {
                    format!("ImageOutput<{name}>")
                } else {
                    format!("JsonOutput<{name}>")
                }
            }
            ("image", None) => "ImageOutput".into(),
            ("json", None) => "JsonOutput".into(),
            ("files" | "fileSet", _) => "FilesOutput".into(),
            ("bytes", _) => "FileOutput".into(),
            _ => "Output".into(),
        };

        let mut args: Vec<String> = Vec::new();
        if let Some(p) = slots.iter().find(|s| !s.named) {
            let ty = if p.single { "Input" } else { "Input[]" };
            let opt = if p.optional { "?" } else { "" };
            args.push(format!("{}{opt}: {ty}", p.name));
        }
        let opt = if req_settings || req_slots { "" } else { "?" };
        args.push(format!("settings{opt}: {options}"));
        let name = js_tool_function(id);
        let d = ts_doc(
            &[
                format!("{}: {}", str_of(tool, "name"), str_of(tool, "description")),
                format!("Tool id `{id}`; runs off the JS thread."),
            ],
            "",
        );
        out.push_str(&format!(
            "{d}export function {name}({}): Promise<{ret}>\n",
            args.join(", ")
        ));
        out.push_str(&format!(
            "{}export function {name}Sync({}): {ret}\n",
            ts_doc(&[format!("`{name}` on the calling thread.")], ""),
            args.join(", ")
        ));
        let key = Value::String(id.into()).to_string();
        settings_map.push_str(&format!("  {key}: {iface}\n"));
        options_map.push_str(&format!("  {key}: {options}\n"));
        output_map.push_str(&format!("  {key}: {ret}\n"));
    }
    out.push_str(&format!(
        "\n/** Settings type of every tool, by id. */\nexport interface ToolSettings {{\n{settings_map}}}\n"
    ));
    out.push_str(&format!(
        "\n/** Settings plus named-slot files of every tool, by id. */\nexport interface ToolOptions {{\n{options_map}}}\n"
    ));
    out.push_str(&format!(
        "\n/** Output type of every tool, by id. */\nexport interface ToolOutputs {{\n{output_map}}}\n"
    ));
    out.push_str(DTS_FOOTER);
    out
}

const DTS_FOOTER: &str = r#"
/** Every tool id. */
export type ToolId = keyof ToolSettings

/** A pipeline step: a tool id, or `{ toolId, settings }`. */
export type Step = ToolId | { [K in ToolId]: { toolId: K; settings?: ToolSettings[K] } }[ToolId]

/**
 * Run a tool off the JS thread: `input` is one image, an array, or undefined for tools that
 * take none; files of named slots are properties of `settings` (`{ watermark: 'logo.png' }`).
 */
export function run<K extends ToolId>(toolId: K, input?: Input | Input[], settings?: ToolOptions[K]): Promise<ToolOutputs[K]>
/** Run a tool on the calling thread. */
export function runSync<K extends ToolId>(toolId: K, input?: Input | Input[], settings?: ToolOptions[K]): ToolOutputs[K]
/** Run steps on one image off the JS thread (decoded once, encoded once). */
export function pipeline(steps: Step[], input: Input): Promise<Output>
/** `pipeline` on the calling thread. */
export function pipelineSync(steps: Step[], input: Input): Output
"#;

// ---------------------------------------------------------------- main

/// Both files as `(path, rendered text)`.
pub fn rendered() -> Vec<(PathBuf, String)> {
    let tools = catalogue();
    vec![
        (pyi_path(), render_pyi(&tools)),
        (dts_path(), render_dts(&tools)),
    ]
}

#[allow(dead_code)]
fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let mut stale = false;
    for (path, text) in rendered() {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if check {
            if current != text {
                eprintln!(
                    "{} is stale: run `cargo run -p ashim-tests --bin gen-stubs`",
                    path.display()
                );
                stale = true;
            } else {
                println!("{} is up to date", path.display());
            }
        } else if current != text {
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("cannot write {}: {e}", path.display());
                std::process::exit(2);
            }
            println!("wrote {}", path.display());
        } else {
            println!("{} unchanged", path.display());
        }
    }
    if stale {
        std::process::exit(1);
    }
}
