//! Parsing tool settings from JSON: types checked by serde, ranges checked against the
//! JSON Schema the same struct generates, so the schema is the single source of truth.

use crate::error::{Error, FieldError, Result};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// The JSON Schema of `T` as a plain JSON value.
pub fn schema_of<T: JsonSchema>() -> Value {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let schema = settings.into_generator().into_root_schema_for::<T>();
    serde_json::to_value(schema).unwrap_or(Value::Null)
}

/// The schema of `T`, generated once per type and shared: settings are parsed on every
/// request, and the schema only changes with the code.
pub(crate) fn cached_schema<T: JsonSchema + 'static>() -> Arc<Value> {
    static CACHE: LazyLock<Mutex<HashMap<TypeId, Arc<Value>>>> = LazyLock::new(Default::default);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(TypeId::of::<T>())
        .or_insert_with(|| Arc::new(schema_of::<T>()))
        .clone()
}

/// Parse and validate settings. `null` and absent are different: a `null` value is refused
/// (tools-essentials 0.5); unknown keys are ignored; integer fields refuse decimals
/// (DECISIONS.md 14); every range in the schema is enforced. Errors name the field.
pub fn parse<T: DeserializeOwned + JsonSchema + 'static>(value: &Value) -> Result<T> {
    let empty = Value::Object(Map::new());
    let value = if value.is_null() { &empty } else { value };
    let Some(obj) = value.as_object() else {
        return Err(Error::field("", "settings must be a JSON object"));
    };
    let nulls: Vec<FieldError> = obj
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| FieldError {
            path: k.clone(),
            message: "must not be null (leave it out for the default)".into(),
        })
        .collect();
    if !nulls.is_empty() {
        return Err(Error::invalid_settings(nulls));
    }
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let (path, message) = match inner.strip_prefix("missing field `") {
            Some(rest) => {
                let field = rest.split('`').next().unwrap_or_default();
                let full = if path == "." {
                    field.to_string()
                } else {
                    format!("{path}.{field}")
                };
                (full, "is required".to_string())
            }
            None => (if path == "." { String::new() } else { path }, inner),
        };
        Error::field(path, message)
    })?;
    let schema = cached_schema::<T>();
    let mut errors = Vec::new();
    check_bounds(&schema, &schema, value, "", &mut errors);
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(Error::invalid_settings(errors))
    }
}

/// `schema` with a local `{"$ref": "#/$defs/Name"}` followed (through chains of refs) into `root`'s
/// `$defs`; any other schema, or a ref that does not resolve, is returned as it is.
pub fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => root
            .get("$defs")
            .and_then(|d| d.get(name))
            .map(|s| resolve(root, s))
            .unwrap_or(schema),
        None => schema,
    }
}

fn check_bounds(
    root: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    let schema = resolve(root, schema);
    let mut fail = |message: String| {
        errors.push(FieldError {
            path: path.to_string(),
            message,
        })
    };
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            fail(format!("must be at least {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            fail(format!("must be at most {max}"));
        }
        if let Some(min) = schema.get("exclusiveMinimum").and_then(Value::as_f64)
            && n <= min
        {
            fail(format!("must be greater than {min}"));
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            fail(format!("must be at least {min} characters long"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            fail(format!("must be at most {max} characters long"));
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (key, v) in obj {
            if let Some(sub) = props.get(key) {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                check_bounds(root, sub, v, &p, errors);
            }
        }
    }
}

/// A colour written `#RRGGBB` (case-insensitive) on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexColor(pub [u8; 3]);

impl HexColor {
    /// Black.
    pub const BLACK: Self = Self([0, 0, 0]);
    /// White.
    pub const WHITE: Self = Self([255, 255, 255]);

    /// Opaque RGBA.
    pub fn rgba(self) -> [u8; 4] {
        [self.0[0], self.0[1], self.0[2], 255]
    }

    /// Parse `#RRGGBB`.
    pub fn parse(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self([c(0)?, c(2)?, c(4)?]))
    }
}

impl Serialize for HexColor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!(
            "#{:02X}{:02X}{:02X}",
            self.0[0], self.0[1], self.0[2]
        ))
    }
}

impl<'de> Deserialize<'de> for HexColor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a colour like #RRGGBB")))
    }
}

impl JsonSchema for HexColor {
    fn schema_name() -> Cow<'static, str> {
        "HexColor".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^#[0-9A-Fa-f]{6}$",
            "description": "A colour as #RRGGBB."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, Serialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    struct S {
        #[schemars(range(min = 1, max = 100))]
        quality: Option<u8>,
        #[schemars(extend("exclusiveMinimum" = 0))]
        width: Option<u32>,
        #[schemars(length(min = 1, max = 5))]
        text: Option<String>,
        #[serde(default = "white")]
        color: HexColor,
        left: f64,
    }

    fn white() -> HexColor {
        HexColor::WHITE
    }

    fn err(v: Value) -> Error {
        parse::<S>(&v).unwrap_err()
    }

    #[test]
    fn names_fields_in_errors() {
        assert_eq!(
            err(json!({"left": 0, "quality": 0})).fields()[0].path,
            "quality"
        );
        assert_eq!(
            err(json!({"left": 0, "quality": 101})).fields()[0].path,
            "quality"
        );
        assert_eq!(
            err(json!({"left": 0, "width": 0})).fields()[0].path,
            "width"
        );
        assert_eq!(
            err(json!({"left": 0, "width": 1.5})).fields()[0].path,
            "width"
        );
        assert_eq!(
            err(json!({"left": 0, "width": null})).fields()[0].path,
            "width"
        );
        assert_eq!(err(json!({"left": 0, "text": ""})).fields()[0].path, "text");
        assert_eq!(
            err(json!({"left": 0, "color": "red"})).fields()[0].path,
            "color"
        );
        let missing = err(json!({}));
        assert_eq!(missing.fields()[0].path, "left");
        assert_eq!(missing.kind(), crate::ErrorKind::InvalidSettings);
        assert_eq!(err(json!([1])).kind(), crate::ErrorKind::InvalidSettings);
    }

    #[test]
    fn accepts_valid_and_ignores_unknown_keys() {
        let s: S = parse(
            &json!({"left": 2.5, "quality": 100, "width": 1, "extra": true, "color": "#00ff7F"}),
        )
        .unwrap();
        assert_eq!(s.quality, Some(100));
        assert_eq!(s.color, HexColor([0, 255, 127]));
    }
}
