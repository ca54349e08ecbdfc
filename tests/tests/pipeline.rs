//! The pipeline executor: validation before pixels, one decode, one encode.

use ashim_core::{Context, ErrorKind, ImageFormat, Outcome, Pipeline, PipelineDef};
use ashim_tests::*;
use serde_json::{Value, json};

fn def(steps: Value) -> PipelineDef {
    serde_json::from_value(json!({ "steps": steps })).unwrap()
}

#[test]
fn resize_rotate_convert_decodes_once_and_encodes_once() {
    let p = Pipeline::new(
        &def(json!([
            {"toolId": "resize", "settings": {"width": 320}},
            {"toolId": "rotate", "settings": {"angle": 90}},
            {"toolId": "convert", "settings": {"format": "webp", "quality": 80}},
        ])),
        0,
    )
    .unwrap();
    let ctx = Context::default();
    let Outcome::Image { encoded, name, .. } = p.run(input("formats/sample.jpg"), &ctx).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (ctx.decodes(), ctx.encodes()),
        (1, 1),
        "one decode, one encode"
    );
    assert_eq!(magic(&encoded.data), Some(ImageFormat::Webp));
    assert_eq!((encoded.width, encoded.height), (213, 320));
    assert_eq!(name, "sample.webp");
    let d = decode_independently(&encoded.data);
    assert_eq!((d.width(), d.height()), (213, 320));
}

#[test]
fn compress_after_convert_keeps_the_chosen_format() {
    let p = Pipeline::new(
        &def(json!([
            {"toolId": "convert", "settings": {"format": "jpg"}},
            {"toolId": "compress", "settings": {"quality": 30}},
        ])),
        0,
    )
    .unwrap();
    let ctx = Context::default();
    let Outcome::Image { encoded, .. } = p.run(input("formats/sample.png"), &ctx).unwrap() else {
        panic!()
    };
    assert_eq!(encoded.format, ImageFormat::Jpeg);
    assert_eq!((ctx.decodes(), ctx.encodes()), (1, 1));
}

#[test]
fn a_json_last_step_reports_on_the_pipeline_result() {
    let p = Pipeline::from_json(
        &json!({"steps": [{"toolId": "resize", "settings": {"width": 50}}, {"toolId": "info"}]}),
        0,
    )
    .unwrap();
    let Outcome::Json(v) = p
        .run(input("test-200x150.png"), &Context::default())
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(50), Some(38))
    );
}

#[test]
fn every_step_is_validated_before_any_pixel_work() {
    let err = |steps: Value| Pipeline::new(&def(steps), 0).unwrap_err();
    let e = err(json!([{"toolId": "resize", "settings": {"width": 10}}, {"toolId": "nope"}]));
    assert_eq!(
        e.message(),
        "Step 2 (nope): Tool not found or not available"
    );
    let e = err(
        json!([{"toolId": "resize", "settings": {"width": 10}}, {"toolId": "rotate", "settings": {"angle": "x"}}]),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidSettings);
    assert!(
        e.message().starts_with("Step 2 (rotate): angle:"),
        "{}",
        e.message()
    );
    assert_eq!(e.fields()[0].path, "angle");
    let e = err(json!([{"toolId": "info"}, {"toolId": "resize", "settings": {"width": 10}}]));
    assert!(
        e.message().contains("only the last step"),
        "{}",
        e.message()
    );
    let e = err(json!([{"toolId": "stitch"}]));
    assert!(
        e.message().starts_with("Step 1 (stitch)"),
        "{}",
        e.message()
    );
    assert_eq!(err(json!([])).kind(), ErrorKind::InvalidInput);
    let many = json!([{"toolId": "rotate"}, {"toolId": "rotate"}, {"toolId": "rotate"}]);
    assert_eq!(
        Pipeline::new(&def(many), 2).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    assert_eq!(
        Pipeline::from_json(&json!({"steps": "x"}), 0)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidSettings
    );
}

#[test]
fn normalized_steps_fill_in_defaults() {
    let p = Pipeline::from_json(&json!({"steps": [{"toolId": "compress"}]}), 0).unwrap();
    let steps = p.normalized_steps();
    assert_eq!(steps[0].settings, json!({"mode": "quality", "quality": 80}));
}

#[test]
fn a_failing_step_names_itself() {
    let p = Pipeline::from_json(
        &json!({"steps": [{"toolId": "rotate"}, {"toolId": "crop", "settings": {"left": 0, "top": 0, "width": 999, "height": 1}}]}),
        0,
    )
    .unwrap();
    let e = p
        .run(input("test-200x150.png"), &Context::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    assert!(
        e.message()
            .starts_with("Step 2 (crop): Crop region exceeds image width"),
        "{}",
        e.message()
    );
}

#[test]
fn a_bare_step_list_and_an_in_memory_image_are_accepted() {
    let p =
        Pipeline::from_json(&json!([{"toolId": "rotate", "settings": {"angle": 90}}]), 0).unwrap();
    let px = image::DynamicImage::ImageRgb8(image::RgbImage::new(40, 20));
    let ctx = Context::default();
    let out = p
        .run_input(ashim_core::image::Image::from_dynamic(px).into(), &ctx)
        .unwrap();
    let Outcome::Image { encoded, name, .. } = out else {
        panic!()
    };
    assert_eq!(
        (encoded.width, encoded.height, encoded.format),
        (20, 40, ImageFormat::Png)
    );
    assert_eq!(name, "image.png");
    assert_eq!(
        (ctx.decodes(), ctx.encodes()),
        (0, 1),
        "pixels in memory are not decoded"
    );
}
