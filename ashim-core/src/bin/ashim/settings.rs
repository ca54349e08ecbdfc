//! A tool's settings as command-line flags, read from its JSON Schema (never from its id):
//! `--kebab-name VALUE`, booleans as `--flag` / `--no-flag`, enums checked by clap.

use ashim_core::settings::resolve;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

/// Long flags the command line itself uses; a setting with one of these names is offered
/// as `--set-<name>` instead.
const RESERVED: &[&str] = &[
    "output",
    "recursive",
    "jobs",
    "quiet",
    "json",
    "settings",
    "slot",
    "help",
    "version",
];

/// What kind of value a setting takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `--flag` / `--no-flag`.
    Bool,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// Free text.
    Text,
    /// One of these strings.
    Choice(Vec<String>),
    /// Anything else (objects, arrays, unions): given as JSON.
    Json,
}

/// One setting of a tool, as the command line offers it.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The JSON key (`withoutEnlargement`).
    pub key: String,
    /// The long flag without dashes (`without-enlargement`).
    pub flag: String,
    /// Value kind.
    pub kind: Kind,
    /// The schema's description.
    pub description: String,
    /// The schema's default, if it states one.
    pub default: Option<Value>,
    /// Listed in the schema's `required`.
    pub required: bool,
    /// Bounds from the schema, as text (`≥ 1`, `1–100`, `> 0`).
    pub range: Option<String>,
}

impl Spec {
    /// `<INTEGER>`, `<contain|cover|...>` and so on, for help.
    pub fn value_name(&self) -> String {
        match &self.kind {
            Kind::Bool => String::new(),
            Kind::Integer => "INTEGER".into(),
            Kind::Number => "NUMBER".into(),
            Kind::Text => "TEXT".into(),
            Kind::Choice(_) => "CHOICE".into(),
            Kind::Json => "JSON".into(),
        }
    }

    /// One help paragraph: description, allowed values, range, default.
    pub fn help(&self) -> String {
        let mut parts = Vec::new();
        if !self.description.is_empty() {
            parts.push(self.description.clone());
        }
        let mut facts = Vec::new();
        if self.kind == Kind::Json {
            facts.push("a JSON value".into());
        }
        if let Some(r) = &self.range {
            facts.push(format!("range {r}"));
        }
        if let Some(d) = &self.default {
            facts.push(format!("default {}", show(d)));
        }
        if self.required {
            facts.push("required".into());
        }
        if !facts.is_empty() {
            parts.push(format!("[{}]", facts.join("; ")));
        }
        parts.join(" ")
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `withoutEnlargement` → `without-enlargement`.
pub fn kebab(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

fn is_null_schema(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("null") || s.get("const") == Some(&Value::Null)
}

/// The string constants a schema allows, when it is a plain string enum.
fn choices(root: &Value, s: &Value) -> Option<Vec<String>> {
    let s = resolve(root, s);
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let strings: Vec<String> = values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        return (strings.len() == values.iter().filter(|v| !v.is_null()).count()
            && !strings.is_empty())
        .then_some(strings);
    }
    if let Some(c) = s.get("const").and_then(Value::as_str) {
        return Some(vec![c.to_owned()]);
    }
    let branches = s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)?;
    let mut all = Vec::new();
    for b in branches
        .iter()
        .filter(|b| !is_null_schema(resolve(root, b)))
    {
        all.extend(choices(root, b)?);
    }
    (!all.is_empty()).then_some(all)
}

/// The one non-null branch of `anyOf: [X, null]` (or the schema itself).
fn non_null<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    let s = resolve(root, s);
    if let Some(branches) = s
        .get("anyOf")
        .or_else(|| s.get("oneOf"))
        .and_then(Value::as_array)
    {
        let rest: Vec<&Value> = branches
            .iter()
            .filter(|b| !is_null_schema(resolve(root, b)))
            .collect();
        if let [one] = rest.as_slice() {
            return non_null(root, one);
        }
    }
    s
}

fn kind_of(root: &Value, s: &Value) -> Kind {
    if let Some(c) = choices(root, s) {
        return Kind::Choice(c);
    }
    let s = non_null(root, s);
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    };
    match types.as_slice() {
        ["boolean"] => Kind::Bool,
        ["integer"] => Kind::Integer,
        ["number"] => Kind::Number,
        ["string"] => Kind::Text,
        _ => Kind::Json,
    }
}

fn range_of(root: &Value, s: &Value) -> Option<String> {
    let s = non_null(root, s);
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let fmt = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    };
    let low = num("minimum")
        .map(|v| (v, false))
        .or_else(|| num("exclusiveMinimum").map(|v| (v, true)));
    let high = num("maximum")
        .map(|v| (v, false))
        .or_else(|| num("exclusiveMaximum").map(|v| (v, true)));
    let len = |k: &str| s.get(k).and_then(Value::as_u64);
    match (low, high) {
        (Some((l, false)), Some((h, false))) => Some(format!("{}–{}", fmt(l), fmt(h))),
        (Some((l, lx)), Some((h, hx))) => Some(format!(
            "{} {}, {} {}",
            if lx { ">" } else { "≥" },
            fmt(l),
            if hx { "<" } else { "≤" },
            fmt(h)
        )),
        (Some((l, lx)), None) => Some(format!("{} {}", if lx { ">" } else { "≥" }, fmt(l))),
        (None, Some((h, hx))) => Some(format!("{} {}", if hx { "<" } else { "≤" }, fmt(h))),
        (None, None) => match (len("minLength"), len("maxLength")) {
            (Some(a), Some(b)) => Some(format!("{a}–{b} characters")),
            (Some(a), None) => Some(format!("at least {a} characters")),
            (None, Some(b)) => Some(format!("at most {b} characters")),
            (None, None) => None,
        },
    }
}

/// Every top-level property of a settings schema, in schema order.
pub fn specs(schema: &Value) -> Vec<Spec> {
    let root = schema;
    let required: Vec<&str> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = root.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(key, prop)| {
            let mut flag = kebab(key);
            if RESERVED.contains(&flag.as_str()) {
                flag = format!("set-{flag}");
            }
            let description = prop
                .get("description")
                .or_else(|| resolve(root, prop).get("description"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Spec {
                key: key.clone(),
                flag,
                kind: kind_of(root, prop),
                description,
                default: prop.get("default").cloned(),
                required: required.contains(&key.as_str()),
                range: range_of(root, prop),
            }
        })
        .collect()
}

fn arg_id(spec: &Spec) -> String {
    format!("setting:{}", spec.key)
}

fn no_id(spec: &Spec) -> String {
    format!("setting-no:{}", spec.key)
}

fn parse_integer(s: &str) -> Result<Value, String> {
    s.trim()
        .parse::<i64>()
        .map(Value::from)
        .map_err(|_| format!("expected a whole number, got '{s}'"))
}

fn parse_number(s: &str) -> Result<Value, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => {
            if v.fract() == 0.0 && v.abs() < 9e15 {
                Ok(Value::from(v as i64))
            } else {
                Ok(Value::from(v))
            }
        }
        _ => Err(format!("expected a number, got '{s}'")),
    }
}

fn parse_json(s: &str) -> Result<Value, String> {
    Ok(serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_owned())))
}

/// Add one clap argument per setting (two for a boolean).
pub fn add_args(mut cmd: Command, specs: &[Spec]) -> Command {
    for spec in specs {
        let help = spec.help();
        match &spec.kind {
            Kind::Bool => {
                cmd = cmd
                    .arg(
                        Arg::new(arg_id(spec))
                            .long(spec.flag.clone())
                            .action(ArgAction::SetTrue)
                            .overrides_with(no_id(spec))
                            .help(help)
                            .help_heading("Settings"),
                    )
                    .arg(
                        Arg::new(no_id(spec))
                            .long(format!("no-{}", spec.flag))
                            .action(ArgAction::SetTrue)
                            .overrides_with(arg_id(spec))
                            .help(format!("Turn --{} off", spec.flag))
                            .help_heading("Settings"),
                    );
            }
            kind => {
                let arg = Arg::new(arg_id(spec))
                    .long(spec.flag.clone())
                    .value_name(spec.value_name())
                    .action(ArgAction::Set)
                    .help(help)
                    .help_heading("Settings");
                let arg = match kind {
                    Kind::Integer => arg.value_parser(parse_integer),
                    Kind::Number => arg.value_parser(parse_number),
                    Kind::Text => arg.value_parser(|s: &str| {
                        Ok::<Value, std::convert::Infallible>(Value::String(s.to_owned()))
                    }),
                    Kind::Choice(values) => arg
                        .value_name(values.join("|"))
                        .hide_possible_values(true)
                        .value_parser(PossibleValuesParser::new(values.clone()).map(Value::String)),
                    Kind::Json | Kind::Bool => arg.value_parser(parse_json),
                };
                cmd = cmd.arg(arg);
            }
        }
    }
    cmd
}

/// The settings given on the command line, over a `--settings` JSON object.
pub fn collect(matches: &ArgMatches, specs: &[Spec], base: Map<String, Value>) -> Value {
    let mut out = base;
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    for spec in specs {
        match spec.kind {
            Kind::Bool => {
                if given(&arg_id(spec)) {
                    out.insert(spec.key.clone(), Value::Bool(true));
                } else if given(&no_id(spec)) {
                    out.insert(spec.key.clone(), Value::Bool(false));
                }
            }
            _ => {
                if let Some(v) = matches.get_one::<Value>(&arg_id(spec)) {
                    out.insert(spec.key.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(out)
}

/// A settings error from the core, with JSON field paths shown as the flags that set them.
pub fn describe_error(e: &ashim_core::Error, specs: &[Spec]) -> String {
    if e.fields().is_empty() {
        return e.message().to_owned();
    }
    e.fields()
        .iter()
        .map(|f| {
            let top = f.path.split(['.', '[']).next().unwrap_or_default();
            match specs.iter().find(|s| s.key == top) {
                Some(s) => format!("invalid value for --{}: {}", s.flag, f.message),
                None if f.path.is_empty() => f.message.clone(),
                None => format!("{}: {}", f.path, f.message),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kebab_case() {
        assert_eq!(kebab("withoutEnlargement"), "without-enlargement");
        assert_eq!(kebab("width"), "width");
        assert_eq!(kebab("tile_width"), "tile-width");
    }

    #[test]
    fn kinds_from_schema_shapes() {
        let schema = json!({
            "$defs": {"Fit": {"oneOf": [
                {"type": "string", "const": "contain"}, {"type": "string", "const": "cover"}]}},
            "properties": {
                "width": {"type": ["integer", "null"], "minimum": 1},
                "fit": {"anyOf": [{"$ref": "#/$defs/Fit"}, {"type": "null"}]},
                "flag": {"type": "boolean", "default": false},
                "q": {"type": "integer", "minimum": 1, "maximum": 100, "default": 90},
                "p": {"type": ["number", "null"], "exclusiveMinimum": 0},
                "output": {"type": "string", "minLength": 1},
                "pts": {"type": "array", "items": {"type": "integer"}}
            },
            "required": ["output"]
        });
        let s = specs(&schema);
        let by = |k: &str| s.iter().find(|x| x.key == k).unwrap().clone();
        assert_eq!(by("width").kind, Kind::Integer);
        assert_eq!(by("width").range.as_deref(), Some("≥ 1"));
        assert_eq!(
            by("fit").kind,
            Kind::Choice(vec!["contain".into(), "cover".into()])
        );
        assert_eq!(by("flag").kind, Kind::Bool);
        assert_eq!(by("q").range.as_deref(), Some("1–100"));
        assert_eq!(by("q").default, Some(json!(90)));
        assert_eq!(by("p").range.as_deref(), Some("> 0"));
        assert_eq!(by("output").flag, "set-output");
        assert!(by("output").required);
        assert_eq!(by("pts").kind, Kind::Json);
    }

    #[test]
    fn flags_become_settings() {
        let schema = json!({"properties": {
            "width": {"type": ["integer", "null"]},
            "fit": {"enum": ["contain", "cover"]},
            "keep": {"type": "boolean", "default": true}
        }});
        let s = specs(&schema);
        let cmd = add_args(Command::new("t"), &s);
        let m = cmd
            .clone()
            .try_get_matches_from(["t", "--width", "80", "--fit", "cover", "--no-keep"])
            .unwrap();
        assert_eq!(
            collect(&m, &s, Map::new()),
            json!({"width": 80, "fit": "cover", "keep": false})
        );
        let e = cmd
            .clone()
            .try_get_matches_from(["t", "--fit", "bogus"])
            .unwrap_err();
        assert!(e.to_string().contains("--fit"), "{e}");
        let e = cmd.try_get_matches_from(["t", "--width", "x"]).unwrap_err();
        assert!(e.to_string().contains("--width"), "{e}");
    }
}
