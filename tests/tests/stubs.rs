//! The checked-in `ashim-py/python/ashim/__init__.pyi` and `ashim-node/index.d.ts` are what
//! the generator renders from the catalogue now (`ASHIM_BLESS=1` rewrites them), and the
//! rendering shows slots, sub-routes and typed reports.

#[allow(dead_code)]
#[path = "../src/bin/gen-stubs.rs"]
mod gen_stubs;

use serde_json::Value;

#[test]
fn checked_in_stubs_match_the_catalogue() {
    let bless = std::env::var_os("ASHIM_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, text) in gen_stubs::rendered() {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if bless {
            std::fs::write(&path, text.as_bytes()).unwrap();
        } else {
            let line = current
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(current.lines().count().min(text.lines().count()));
            stale.push(format!(
                "{} (first difference at line {})",
                path.display(),
                line + 1
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "stale stubs, run `ASHIM_BLESS=1 cargo test -p ashim-tests --test stubs` or \
         `cargo run -p ashim-tests --bin gen-stubs`: {stale:?}"
    );
}

fn tool(id: &str) -> Value {
    gen_stubs::catalogue()
        .into_iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the catalogue"))
}

#[test]
fn names_follow_the_bindings() {
    assert_eq!(
        gen_stubs::snake("withoutEnlargement"),
        "without_enlargement"
    );
    assert_eq!(gen_stubs::snake("backgroundImage"), "background_image");
    assert_eq!(gen_stubs::snake("HTTPServer"), "http_server");
    assert_eq!(gen_stubs::snake("from"), "from_");
    assert_eq!(
        gen_stubs::py_function_name("strip-metadata/inspect"),
        "strip_metadata_inspect"
    );
    assert_eq!(gen_stubs::py_function_name("run"), "run_");
    assert_eq!(
        gen_stubs::js_function_name("strip-metadata/inspect"),
        "stripMetadataInspect"
    );
    assert_eq!(gen_stubs::js_function_name("qr-generate"), "qrGenerate");
}

#[test]
fn python_repr_of_defaults() {
    use serde_json::json;
    let r = |v: Value| gen_stubs::py_repr(&v);
    assert_eq!(r(json!(null)), "None");
    assert_eq!(r(json!(false)), "False");
    assert_eq!(r(json!(2.0)), "2.0");
    assert_eq!(r(json!(0.5)), "0.5");
    assert_eq!(r(json!(1e-7)), "1e-07");
    assert_eq!(r(json!(3)), "3");
    assert_eq!(r(json!("it's")), "\"it's\"");
    assert_eq!(r(json!(["a", 1])), "['a', 1]");
}

#[test]
fn stubs_show_named_slots_sub_routes_and_reports() {
    let tools = gen_stubs::catalogue();
    let pyi = gen_stubs::render_pyi(&tools);
    let dts = gen_stubs::render_dts(&tools);

    // watermark-image: positional image plus a required keyword / option `watermark`.
    assert!(
        tool("watermark-image")["slots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "watermark" && s["named"] == true)
    );
    let py_fn = pyi
        .lines()
        .find(|l| l.starts_with("def watermark_image("))
        .expect("watermark_image in the .pyi");
    assert!(py_fn.starts_with("def watermark_image(input: Input, /, *, watermark: Input"));
    assert!(dts.contains("export interface WatermarkImageFiles {\n"));
    assert!(dts.contains("  watermark: Input\n"));
    assert!(dts.contains(
        "export function watermarkImage(input: Input, settings: WatermarkImageSettings & WatermarkImageFiles): Promise<ImageOutput>"
    ));

    // The sub-route is a function with its typed report in both.
    let inspect = tool("strip-metadata/inspect");
    let report = &inspect["reportSchema"];
    let keys: Vec<&String> = report["properties"].as_object().unwrap().keys().collect();
    assert!(keys.iter().any(|k| *k == "filename"), "{keys:?}");
    assert!(pyi.contains("\nclass StripMetadataInspectReport(TypedDict):\n"));
    assert!(pyi.contains("    filename: str\n"));
    assert!(pyi.contains("\nclass StripMetadataInspectOutput(Output):\n"));
    assert!(pyi.contains("def strip_metadata_inspect(input: Input"));
    assert!(pyi.contains(") -> StripMetadataInspectOutput:\n"));
    assert!(dts.contains("export type StripMetadataInspectReport = {\n"));
    assert!(dts.contains("  filename: string\n"));
    assert!(dts.contains(
        "export function stripMetadataInspect(input: Input, settings?: StripMetadataInspectSettings): Promise<JsonOutput<StripMetadataInspectReport>>"
    ));

    // Every tool is a function in both, and every report reaches both.
    for t in &tools {
        let id = t["id"].as_str().unwrap();
        let py = format!("\ndef {}(", gen_stubs::py_function_name(id));
        assert!(pyi.contains(&py), "{id} missing from the .pyi");
        let js = gen_stubs::js_function_name(id);
        assert!(
            dts.contains(&format!("export function {js}("))
                || dts.contains(&format!("export function {js}Tool(")),
            "{id} missing from the .d.ts"
        );
        if t.get("reportSchema").is_some() {
            let report = format!("{}Report", gen_stubs::pascal(id));
            assert!(
                pyi.contains(&format!("\nclass {report}(TypedDict):\n")),
                "{id}"
            );
            assert!(
                dts.contains(&format!("\nexport type {report} = {{\n")),
                "{id}"
            );
            assert!(dts.contains(&format!("<{report}>")), "{id}");
        }
    }
}
