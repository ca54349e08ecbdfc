//! Registry-wide invariants: every tool has a documented schema, its defaults round-trip,
//! and it runs on a fixture producing the output shape it declares.

use ashim_core::tool::Input;
use ashim_core::tool::{Availability, Inputs, OutputKind, SlotInputs};
use ashim_core::{Context, InputFile, Outcome, registry};
use ashim_tests::*;
use serde_json::{Map, Value, json};

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => &root["$defs"][name],
        None => s,
    }
}

/// The smallest valid value for a required property, read from its schema.
fn minimal(root: &Value, prop: &Value) -> Value {
    let prop = resolve(root, prop);
    if let Some(e) = prop.get("enum").and_then(Value::as_array) {
        return e[0].clone();
    }
    if let Some(one) = prop.get("oneOf").and_then(Value::as_array) {
        return one[0]
            .get("const")
            .or_else(|| one[0].get("enum").map(|e| &e[0]))
            .cloned()
            .unwrap_or(Value::Null);
    }
    let ty = prop.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "integer" | "number" => {
            let min = prop.get("minimum").and_then(Value::as_f64);
            let excl = prop
                .get("exclusiveMinimum")
                .and_then(Value::as_f64)
                .map(|m| m + 1.0);
            json!(min.or(excl).unwrap_or(1.0).max(excl.unwrap_or(f64::MIN)) as i64)
        }
        "string" => json!("ashim"),
        "boolean" => json!(false),
        other => panic!("no minimal value for type {other:?} in {prop}"),
    }
}

/// The schema's first example when it has one, else the smallest valid settings.
fn minimal_settings(schema: &Value) -> Value {
    if let Some(example) = schema.get("examples").and_then(|e| e.get(0)) {
        return example.clone();
    }
    let mut out = Map::new();
    for r in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = r.as_str().unwrap();
        out.insert(key.into(), minimal(schema, &schema["properties"][key]));
    }
    Value::Object(out)
}

#[test]
fn every_tool_has_a_documented_object_schema() {
    let mut ids = Vec::new();
    for tool in registry::tools() {
        let meta = tool.meta();
        assert!(
            !meta.id.is_empty() && !meta.name.is_empty() && meta.description.ends_with('.'),
            "{}",
            meta.id
        );
        let schema = tool.settings_schema();
        assert_eq!(schema["type"], "object", "{}", meta.id);
        for (key, prop) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let has_doc = prop.get("description").is_some()
                || resolve(&schema, prop).get("description").is_some();
            assert!(has_doc, "{}.{key} has no description", meta.id);
            assert!(
                key.chars().next().unwrap().is_lowercase() && !key.contains('_'),
                "{}.{key} is not camelCase",
                meta.id
            );
        }
        ids.push(meta.id);
    }
    let mut dedup = ids.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), ids.len(), "tool ids are unique");
    assert_eq!(ashim_core::schema::catalogue().len(), ids.len());
    for id in [
        "resize",
        "crop",
        "rotate",
        "convert",
        "compress",
        "info",
        "split",
        "stitch",
        "qr-generate",
        "blur",
        "watermark-image",
        "strip-metadata",
        "strip-metadata/inspect",
    ] {
        assert!(ids.contains(&id), "{id} registered");
    }
}

#[test]
fn defaults_round_trip_and_every_tool_runs_on_a_fixture() {
    for tool in registry::tools() {
        let meta = tool.meta();
        let schema = tool.settings_schema();
        let settings = minimal_settings(&schema);
        let prepared = tool
            .prepare(&settings)
            .unwrap_or_else(|e| panic!("{}: {settings} -> {e}", meta.id));
        let again = tool.prepare(prepared.normalized()).unwrap();
        assert_eq!(
            again.normalized(),
            prepared.normalized(),
            "{}: defaults round-trip",
            meta.id
        );

        let n = meta.positional().map_or(0, |s| s.min as usize);
        // Tools that refuse a photo without a face (422) get one.
        let fixture =
            if meta.id.starts_with("passport-photo") && meta.id != "passport-photo/generate" {
                "content/portrait-color.jpg"
            } else {
                "test-200x150.png"
            };
        let files: Vec<InputFile> = (0..n).map(|_| input(fixture)).collect();
        let ctx = Context::default();
        let named = || {
            meta.named_slots()
                .filter(|s| s.min > 0)
                .map(|s| (s.name.to_string(), Input::File(input("test-50x50.webp"))))
                .collect::<Vec<_>>()
        };
        let mut inputs = Inputs::from_slots(
            &ctx,
            SlotInputs {
                positional: files.into_iter().map(Input::File).collect(),
                named: named(),
            },
        );
        if let Availability::ModelNotInstalled { .. } = tool.availability() {
            // A model-backed tool without its models answers 501, never a panic.
            let e = tool.run_prepared(&prepared, &mut inputs).unwrap_err();
            assert_eq!(e.kind().http_status(), 501, "{}", meta.id);
            continue;
        }
        let output = tool
            .run_prepared(&prepared, &mut inputs)
            .unwrap_or_else(|e| panic!("{}: {e}", meta.id));
        match Outcome::from_output(output, &ctx).unwrap() {
            Outcome::Image { encoded, .. } => {
                assert_eq!(meta.output, OutputKind::Image, "{}", meta.id);
                assert_eq!(magic(&encoded.data), Some(encoded.format), "{}", meta.id);
                let d = decode_independently(&encoded.data);
                assert_eq!(
                    (d.width(), d.height()),
                    (encoded.width, encoded.height),
                    "{}",
                    meta.id
                );
            }
            Outcome::Files(files) | Outcome::FileSet(files) => {
                assert!(
                    matches!(meta.output, OutputKind::Files | OutputKind::FileSet),
                    "{}",
                    meta.id
                );
                assert!(
                    !files.is_empty()
                        && files
                            .iter()
                            .all(|f| !f.data.is_empty() && !f.name.contains('/')),
                    "{}",
                    meta.id
                );
            }
            Outcome::Json(v) => {
                assert_eq!(meta.output, OutputKind::Json, "{}", meta.id);
                assert!(v.is_object(), "{}", meta.id);
            }
            Outcome::Bytes(f) => {
                assert_eq!(meta.output, OutputKind::Bytes, "{}", meta.id);
                assert!(!f.data.is_empty(), "{}", meta.id);
            }
        }
        // The wrong number of inputs is a clear error, not a panic.
        let wrong = match meta.positional() {
            Some(s) if s.max.is_none() => n - 1,
            _ => n + 1,
        };
        let mut inputs = Inputs::from_slots(
            &ctx,
            SlotInputs {
                positional: (0..wrong)
                    .map(|_| Input::File(input("test-1x1.png")))
                    .collect(),
                named: named(),
            },
        );
        let e = tool.run_prepared(&prepared, &mut inputs).unwrap_err();
        assert_eq!(e.kind(), ashim_core::ErrorKind::InvalidInput, "{}", meta.id);
    }
}

#[test]
fn unknown_tools_are_a_typed_error() {
    let e = ashim_core::run("nope", vec![], &json!({}), &Context::default()).unwrap_err();
    assert_eq!(
        (e.kind(), e.code(), e.kind().http_status()),
        (ashim_core::ErrorKind::UnknownTool, "unknown_tool", 404)
    );
}

#[test]
fn every_tool_declares_slots_capabilities_and_output() {
    for tool in registry::tools() {
        let meta = tool.meta();
        let positional = meta.slots.iter().filter(|s| !s.named).count();
        assert!(positional <= 1, "{}: at most one positional slot", meta.id);
        for s in meta.slots {
            assert!(
                !s.name.is_empty() && s.description.ends_with('.'),
                "{}",
                meta.id
            );
            assert!(
                s.max.is_none_or(|m| m >= s.min && m > 0),
                "{}.{}",
                meta.id,
                s.name
            );
        }
        let mut names: Vec<_> = meta.named_slots().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), meta.named_slots().count(), "{}", meta.id);
        if meta.caps.pipeline || meta.caps.batch {
            assert!(
                meta.one_file(),
                "{}: steps and batch tools take one file",
                meta.id
            );
        }
        if meta.caps.json_body {
            // ...unless their one file is an earlier job's result named in the body.
            assert!(
                meta.takes_no_files() || (meta.caps.from_job && meta.one_file()),
                "{}: JSON-body tools take no file",
                meta.id
            );
        }
        if meta.output == OutputKind::Json {
            let schema = tool
                .report_schema()
                .unwrap_or_else(|| panic!("{}: a JSON tool has a typed report", meta.id));
            assert_eq!(schema["type"], "object", "{}", meta.id);
            assert!(schema["properties"].is_object(), "{}", meta.id);
        }
        if let Some(route) = meta.route {
            assert_eq!(meta.id, format!("{}/{}", route.parent, route.path));
            let parent = registry::get(route.parent)
                .unwrap_or_else(|| panic!("{}: parent registered", meta.id));
            assert!(parent.meta().route.is_none(), "{}", meta.id);
            assert!(!meta.caps.pipeline && !meta.caps.batch, "{}", meta.id);
        } else {
            assert!(!meta.id.contains('/'), "{}", meta.id);
        }
        for alias in meta.aliases {
            assert!(
                registry::get(alias).is_some_and(|t| t.meta().id == meta.id),
                "{alias}"
            );
        }
    }
    assert!(
        registry::sub_routes("strip-metadata").any(|t| t.meta().id == "strip-metadata/inspect")
    );
}

#[test]
fn a_required_named_slot_left_out_is_an_error_naming_it() {
    let mut checked = 0;
    for tool in registry::tools() {
        let meta = tool.meta();
        for slot in meta.named_slots().filter(|s| s.min > 0) {
            let prepared = tool.prepare(&json!({})).unwrap();
            let ctx = Context::default();
            let positional = meta.positional().map_or(0, |s| s.min as usize);
            let mut inputs = Inputs::new(
                &ctx,
                (0..positional).map(|_| Input::File(input("test-200x150.png"))),
            );
            let e = tool.run_prepared(&prepared, &mut inputs).unwrap_err();
            assert_eq!(e.kind(), ashim_core::ErrorKind::InvalidInput, "{}", meta.id);
            assert!(
                e.message().contains(slot.name),
                "{}: {}",
                meta.id,
                e.message()
            );
            checked += 1;
        }
    }
    assert!(checked >= 1, "watermark-image has a required named slot");
}

#[test]
fn parts_are_sorted_into_slots_by_name() {
    let meta = registry::get("watermark-image").unwrap().meta();
    let parts = vec![
        ("file".to_string(), Input::File(input("test-200x150.png"))),
        (
            "watermark".to_string(),
            Input::File(input("test-50x50.webp")),
        ),
    ];
    let slots = SlotInputs::assign(meta, parts);
    assert_eq!((slots.positional.len(), slots.named.len()), (1, 1));
    assert!(slots.check(meta).is_ok());
    let only_main = SlotInputs::assign(
        meta,
        vec![(
            "anything".to_string(),
            Input::File(input("test-200x150.png")),
        )],
    );
    let e = only_main.check(meta).unwrap_err();
    assert!(e.to_string().contains("watermark"), "{e}");
}

#[test]
fn a_cancelled_run_stops_with_a_typed_error() {
    let token = ashim_core::tool::CancelToken::new();
    let ctx = Context::default().with_cancel(token.clone());
    token.cancel();
    let e = ashim_core::run(
        "blur",
        vec![input("test-200x150.png")],
        &json!({"sigma": 3}),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ashim_core::ErrorKind::Cancelled, "cancelled")
    );
}
