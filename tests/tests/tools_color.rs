//! Behaviour of the colour, sharpening, border, compositing, comparison, duplicate,
//! palette and trim tools, checked on real output pixels.

use ashim_core::{Context, ErrorKind, ImageFormat, InputFile, Outcome};
use ashim_tests::*;
use image::{DynamicImage, ImageBuffer, Rgb, RgbImage, Rgba, RgbaImage};
use serde_json::{Value, json};

fn png(img: &DynamicImage, name: &str) -> InputFile {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    InputFile::new(out.into_inner(), Some(name.into()))
}

fn jpeg(img: &DynamicImage, name: &str) -> InputFile {
    let mut out = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img.to_rgb8())
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    InputFile::new(out.into_inner(), Some(name.into()))
}

/// Run compose with a base file and a part named `overlay`.
fn compose(base: InputFile, overlay: InputFile, settings: Value) -> ashim_core::Result<Outcome> {
    use ashim_core::tool::{Input, SlotInputs};
    let meta = ashim_core::registry::get("compose").unwrap().meta();
    let parts = vec![
        ("file".to_string(), Input::File(base)),
        ("overlay".to_string(), Input::File(overlay)),
    ];
    ashim_core::run_slots(
        "compose",
        SlotInputs::assign(meta, parts),
        &settings,
        &Context::default(),
    )
}

fn compose_rgba(base: InputFile, overlay: InputFile, settings: Value) -> RgbaImage {
    match compose(base, overlay, settings) {
        Ok(Outcome::Image { encoded, .. }) => decode_independently(&encoded.data).to_rgba8(),
        other => panic!("compose: {other:?}"),
    }
}

fn rgba_out(tool: &str, inputs: Vec<InputFile>, settings: Value) -> RgbaImage {
    let (data, ..) = run_image(tool, inputs, settings);
    decode_independently(&data).to_rgba8()
}

fn json_out(tool: &str, inputs: Vec<InputFile>, settings: Value) -> Value {
    match ashim_core::run(tool, inputs, &settings, &Context::default()) {
        Ok(Outcome::Json(v)) => v,
        other => panic!("{tool}: expected JSON, got {other:?}"),
    }
}

fn mean_rgb(img: &RgbaImage) -> f64 {
    let s: u64 = img
        .pixels()
        .map(|p| u64::from(p.0[0]) + u64::from(p.0[1]) + u64::from(p.0[2]))
        .sum();
    s as f64 / (img.width() * img.height() * 3) as f64
}

/// Squares of side `n`, grey levels 60 and 190.
fn checker(n: u32) -> DynamicImage {
    RgbImage::from_fn(56, 42, |x, y| {
        let v = if (x / n + y / n).is_multiple_of(2) {
            60
        } else {
            190
        };
        Rgb([v, v, v])
    })
    .into()
}

/// Blocks of pseudo-random brightness: a rich dHash that differs per `seed`.
fn blocks(seed: u32) -> DynamicImage {
    RgbImage::from_fn(160, 120, |x, y| {
        let h =
            ((x / 20) * 7919 + (y / 20) * 104_729 + seed * 15_485_863).wrapping_mul(2_654_435_761);
        let v = (h >> 24) as u8;
        Rgb([v, v / 2 + 60, 255 - v])
    })
    .into()
}

/// A colourful 120×90 scene with alpha 200 everywhere.
fn scene() -> DynamicImage {
    RgbaImage::from_fn(120, 90, |x, y| {
        Rgba([
            (x * 2) as u8,
            (y * 2 + 40) as u8,
            ((x + y) % 200) as u8 + 30,
            200,
        ])
    })
    .into()
}

#[test]
fn brightness_moves_the_mean_the_right_way() {
    let base = mean_rgb(&decode_independently(&fixture("test-200x150.png")).to_rgba8());
    let up = mean_rgb(&rgba_out(
        "adjust-colors",
        vec![input("test-200x150.png")],
        json!({"brightness": 40}),
    ));
    let down = mean_rgb(&rgba_out(
        "adjust-colors",
        vec![input("test-200x150.png")],
        json!({"brightness": -40}),
    ));
    assert!(
        up > base + 10.0 && down < base - 10.0,
        "{down} < {base} < {up}"
    );
    let black = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"brightness": -100}),
    );
    assert!(
        black
            .pixels()
            .all(|p| p.0[..3] == [0, 0, 0] && p.0[3] == 200)
    );
}

#[test]
fn grayscale_channels_are_equal_and_invert_keeps_alpha() {
    let g = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"effect": "grayscale"}),
    );
    assert!(
        g.pixels()
            .all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2] && p.0[3] == 200)
    );
    let inv = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"effect": "invert"}),
    );
    let src = scene().to_rgba8();
    for (a, b) in inv.pixels().zip(src.pixels()) {
        assert_eq!(a.0, [255 - b.0[0], 255 - b.0[1], 255 - b.0[2], 200]);
    }
}

#[test]
fn saturation_temperature_channels_and_sepia_act_on_the_right_channels() {
    let grey = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"saturation": -100}),
    );
    assert!(
        grey.pixels()
            .all(|p| p.0[0].abs_diff(p.0[1]) <= 2 && p.0[1].abs_diff(p.0[2]) <= 2)
    );
    let warm = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"temperature": 100}),
    );
    let src = scene().to_rgba8();
    let (r0, b0) = (src.get_pixel(60, 40).0[0], src.get_pixel(60, 40).0[2]);
    let p = warm.get_pixel(60, 40).0;
    assert!(p[0] > r0 && p[2] < b0, "{p:?}");
    let red = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"red": 0, "blue": 200}),
    );
    assert!(red.pixels().all(|p| p.0[0] == 0));
    let sepia = rgba_out(
        "adjust-colors",
        vec![png(&scene(), "s.png")],
        json!({"effect": "sepia"}),
    );
    assert!(sepia.pixels().all(|p| p.0[0] >= p.0[1] && p.0[1] >= p.0[2]));
}

#[test]
fn adjust_colors_rejects_out_of_range_values_naming_the_field() {
    for (k, v) in [
        ("brightness", json!(101)),
        ("hue", json!(-181)),
        ("red", json!(201)),
        ("effect", json!("blur")),
    ] {
        let e = run_err(
            "adjust-colors",
            vec![input("test-1x1.png")],
            json!({ k: v }),
        );
        assert_eq!(e.kind(), ErrorKind::InvalidSettings);
        assert_eq!(e.fields()[0].path, k);
    }
}

#[test]
fn sixteen_bit_stays_sixteen_bit_and_animations_keep_every_frame() {
    let deep: DynamicImage = ImageBuffer::<Rgb<u16>, Vec<u16>>::from_fn(16, 8, |x, _| {
        Rgb([x as u16 * 4000, 30_000, 1000])
    })
    .into();
    let (data, fmt, ..) = run_image(
        "adjust-colors",
        vec![png(&deep, "deep.png")],
        json!({"contrast": 30}),
    );
    assert_eq!(fmt, ImageFormat::Png);
    assert_eq!(decode_independently(&data).color(), image::ColorType::Rgb16);
    let (data, fmt, ..) = run_image(
        "adjust-colors",
        vec![input("animated.gif")],
        json!({"effect": "invert"}),
    );
    assert_eq!(fmt, ImageFormat::Gif);
    use image::AnimationDecoder;
    let frames = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(data))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 3);
}

#[test]
fn every_sharpening_method_changes_edges_and_keeps_the_size() {
    let src = checker(7).to_rgba8();
    for s in [
        json!({}),
        json!({"method": "unsharp-mask", "amount": 300, "radius": 2}),
        json!({"method": "high-pass", "strength": 80, "kernelSize": 5}),
        json!({"method": "adaptive", "denoise": "medium"}),
    ] {
        let out = rgba_out("sharpening", vec![png(&checker(7), "c.png")], s.clone());
        assert_eq!(out.dimensions(), src.dimensions());
        let changed = out
            .pixels()
            .zip(src.pixels())
            .filter(|(a, b)| a != b)
            .count();
        assert!(changed > 100, "{s}: {changed} pixels changed");
        // Sharpening pushes the two sides of an edge apart.
        let (dark, light) = (out.get_pixel(6, 3).0[0], out.get_pixel(7, 3).0[0]);
        assert!(dark <= 60 && light >= 190, "{s}: {dark} {light}");
    }
    let e = run_err(
        "sharpening",
        vec![input("test-1x1.png")],
        json!({"kernelSize": 4}),
    );
    assert_eq!(
        (e.kind(), e.fields()[0].path.as_str()),
        (ErrorKind::InvalidSettings, "kernelSize")
    );
    let e = run_err(
        "sharpening",
        vec![input("test-1x1.png")],
        json!({"sigma": 11}),
    );
    assert_eq!(e.fields()[0].path, "sigma");
}

/// 20×10: left half pure red, x = 10 near-red (250, 10, 10), the rest blue.
fn red_blue() -> DynamicImage {
    RgbImage::from_fn(20, 10, |x, _| {
        Rgb(match x {
            0..10 => [255, 0, 0],
            10 => [250, 10, 10],
            _ => [0, 0, 255],
        })
    })
    .into()
}

#[test]
fn replace_color_hits_exactly_the_pixels_it_should() {
    let out = rgba_out(
        "replace-color",
        vec![png(&red_blue(), "rb.png")],
        json!({"tolerance": 0, "targetColor": "#00FF00"}),
    );
    for (x, _, p) in out.enumerate_pixels() {
        let want = match x {
            0..10 => [0, 255, 0, 255],
            10 => [250, 10, 10, 255],
            _ => [0, 0, 255, 255],
        };
        assert_eq!(p.0, want, "x = {x}");
    }
    // With a tolerance the near-red pixel blends part of the way, blue stays.
    let out = rgba_out(
        "replace-color",
        vec![png(&red_blue(), "rb.png")],
        json!({"tolerance": 30}),
    );
    let near = out.get_pixel(10, 0).0;
    assert!(near[1] > 100 && near[1] < 255 && near[0] < 250, "{near:?}");
    assert_eq!(out.get_pixel(15, 0).0, [0, 0, 255, 255]);
    // Transparent: a JPEG becomes PNG with alpha 0 exactly where red was.
    let (data, fmt, ..) = run_image(
        "replace-color",
        vec![png(&red_blue(), "rb.png")],
        json!({"makeTransparent": true, "tolerance": 0}),
    );
    assert_eq!(fmt, ImageFormat::Png);
    let t = decode_independently(&data).to_rgba8();
    assert!(
        t.enumerate_pixels()
            .all(|(x, _, p)| (p.0[3] == 0) == (x < 10))
    );
    let (_, fmt, ..) = run_image(
        "replace-color",
        vec![jpeg(&red_blue(), "rb.jpg")],
        json!({"makeTransparent": true}),
    );
    assert_eq!(fmt, ImageFormat::Png);
    let e = run_err(
        "replace-color",
        vec![input("test-1x1.png")],
        json!({"sourceColor": "#FFF"}),
    );
    assert_eq!(e.fields()[0].path, "sourceColor");
}

#[test]
fn image_enhancement_brightens_a_dark_image_and_analyze_reports_it() {
    let dark: DynamicImage = RgbImage::from_fn(80, 60, |x, y| {
        Rgb([(x / 2) as u8 + 10, (y / 2) as u8 + 10, 25])
    })
    .into();
    let a = json_out(
        "image-enhancement/analyze",
        vec![png(&dark, "dark.png")],
        json!({}),
    );
    assert!(a["scores"]["exposure"].as_i64().unwrap() < 30, "{a}");
    assert!(a["corrections"]["brightness"].as_i64().unwrap() > 0);
    assert_eq!(a["suggestedMode"], "low-light");
    assert!(
        a["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == "underexposed")
    );
    let before = mean_rgb(&dark.to_rgba8());
    let after = mean_rgb(&rgba_out(
        "image-enhancement",
        vec![png(&dark, "dark.png")],
        json!({"mode": "low-light", "corrections": {"contrast": false}}),
    ));
    assert!(after > before + 5.0, "{before} -> {after}");
    let same = rgba_out(
        "image-enhancement",
        vec![png(&dark, "dark.png")],
        json!({"intensity": 0}),
    );
    assert_eq!(same.as_raw(), dark.to_rgba8().as_raw());
}

#[test]
fn border_sizes_corners_and_shadow() {
    let (_, _, w, h, _) = run_image(
        "border",
        vec![input("test-200x150.png")],
        json!({"borderWidth": 20}),
    );
    assert_eq!((w, h), (240, 190));
    let (_, _, w, h, _) = run_image(
        "border",
        vec![input("test-200x150.png")],
        json!({"borderWidth": 5, "padding": 10}),
    );
    assert_eq!((w, h), (230, 180));
    let out = rgba_out(
        "border",
        vec![input("test-200x150.png")],
        json!({"borderWidth": 20, "borderColor": "#FF0000"}),
    );
    assert_eq!(out.get_pixel(3, 100).0, [255, 0, 0, 255]);
    let (data, fmt, ..) = run_image(
        "border",
        vec![input("test-100x100.jpg")],
        json!({"cornerRadius": 30}),
    );
    assert_eq!(fmt, ImageFormat::Png);
    let r = decode_independently(&data).to_rgba8();
    assert_eq!((r.get_pixel(0, 0).0[3], r.get_pixel(60, 60).0[3]), (0, 255));
    let (data, _, w, h, _) = run_image(
        "border",
        vec![input("test-200x150.png")],
        json!({"shadow": true}),
    );
    assert!(w > 230 && h > 180, "{w}x{h}");
    let s = decode_independently(&data).to_rgba8();
    // Below the image the shadow is a soft, partly transparent black.
    let below = s.get_pixel(w / 2, h - 30).0;
    assert!(below[3] > 0 && below[3] < 255 && below[0] < 10, "{below:?}");
    assert_eq!(s.get_pixel(0, 0).0[3], 0);
    let e = run_err(
        "border",
        vec![input("test-1x1.png")],
        json!({"borderWidth": 2001}),
    );
    assert_eq!(e.fields()[0].path, "borderWidth");
}

#[test]
fn compose_blends_and_refuses_an_overlay_larger_than_the_base() {
    let base: DynamicImage = RgbImage::from_pixel(40, 30, Rgb([200, 100, 50])).into();
    let top: DynamicImage = RgbImage::from_pixel(10, 10, Rgb([128, 255, 0])).into();
    let out = compose_rgba(
        png(&base, "base.png"),
        png(&top, "top.png"),
        json!({"x": 5, "y": 5, "blendMode": "multiply"}),
    );
    assert_eq!(out.get_pixel(7, 7).0, [100, 100, 0, 255]);
    assert_eq!(out.get_pixel(20, 20).0, [200, 100, 50, 255]);
    let half = compose_rgba(
        png(&base, "base.png"),
        png(&top, "top.png"),
        json!({"opacity": 50}),
    );
    let p = half.get_pixel(2, 2).0;
    let want = [164u8, 178, 25, 255];
    assert!(p.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= 1), "{p:?}");
    let e = compose(png(&top, "top.png"), png(&base, "base.png"), json!({})).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    let e = compose(
        png(&base, "b.png"),
        png(&top, "t.png"),
        json!({"blendMode": "burn"}),
    )
    .unwrap_err();
    assert_eq!(e.fields()[0].path, "blendMode");
}

#[test]
fn compare_gives_100_for_identical_and_less_for_changed() {
    let run = |b: InputFile| match ashim_core::run(
        "compare",
        vec![input("test-200x150.png"), b],
        &json!({}),
        &Context::default(),
    ) {
        Ok(Outcome::Image { encoded, extra, .. }) => (encoded, Value::Object(extra)),
        other => panic!("compare: {other:?}"),
    };
    let (diff, same) = run(input("test-200x150.png"));
    assert_eq!(
        (same["similarity"].as_f64(), same["ssim"].as_f64()),
        (Some(100.0), Some(1.0))
    );
    assert_eq!(
        (diff.format, diff.width, diff.height),
        (ImageFormat::Png, 200, 150)
    );
    let (diff, changed) = run(png(&scene(), "s.png"));
    let s = changed["similarity"].as_f64().unwrap();
    assert!(s < 100.0 && s > 0.0, "{changed}");
    assert_eq!(changed["dimensions"], json!({"width": 200, "height": 150}));
    // Every pixel differs a lot from the solid fixture: the diff map is red.
    let map = decode_independently(&diff.data).to_rgba8();
    assert_eq!(map.get_pixel(100, 75).0[..3], [255, 0, 0]);
}

#[test]
fn find_duplicates_groups_copies_and_leaves_distinct_images_alone() {
    let a = png(&blocks(1), "a.png");
    let small = png(&blocks(1).thumbnail(80, 60), "a-small.png");
    let other = png(&blocks(2), "other.png");
    let r = json_out("find-duplicates", vec![a, other, small], json!({}));
    assert_eq!(r["totalImages"], 3);
    let groups = r["duplicateGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{r}");
    let files = groups[0]["files"].as_array().unwrap();
    let names: Vec<&str> = files
        .iter()
        .map(|f| f["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.png", "a-small.png"]);
    assert_eq!(files[0]["similarity"], 100.0);
    assert_eq!(
        (files[0]["isBest"].as_bool(), files[1]["isBest"].as_bool()),
        (Some(true), Some(false))
    );
    assert!(
        files[0]["thumbnail"]
            .as_str()
            .unwrap()
            .starts_with("data:image/jpeg;base64,/9j/")
    );
    assert_eq!(r["uniqueImages"], 1);
    assert_eq!(r["spaceSaveable"], files[1]["fileSize"]);
    let distinct = json_out(
        "find-duplicates",
        vec![png(&blocks(3), "a.png"), png(&blocks(4), "b.png")],
        json!({}),
    );
    assert_eq!(
        (
            distinct["duplicateGroups"].as_array().unwrap().len(),
            &distinct["uniqueImages"]
        ),
        (0, &json!(2))
    );
    let e = run_err(
        "find-duplicates",
        vec![input("test-1x1.png"), input("test-1x1.png")],
        json!({"threshold": 25}),
    );
    assert_eq!(e.fields()[0].path, "threshold");
}

#[test]
fn color_palette_of_solid_and_mixed_images() {
    let red: DynamicImage = RgbImage::from_pixel(30, 30, Rgb([255, 0, 0])).into();
    let r = json_out("color-palette", vec![png(&red, "red.png")], json!({}));
    assert_eq!(
        r,
        json!({"filename": "red.png", "colors": ["#ff0000"], "count": 1})
    );
    let r = json_out("color-palette", vec![input("test-200x150.png")], json!({}));
    let n = r["count"].as_u64().unwrap();
    assert!((1..=8).contains(&n));
    assert!(r["colors"].as_array().unwrap().iter().all(|c| {
        let c = c.as_str().unwrap();
        c.len() == 7
            && c.starts_with('#')
            && c[1..]
                .chars()
                .all(|h| h.is_ascii_hexdigit() && !h.is_ascii_uppercase())
    }));
}

#[test]
fn trim_removes_a_known_border() {
    let framed: DynamicImage = RgbImage::from_fn(100, 80, |x, y| {
        if (12..70).contains(&x) && (9..61).contains(&y) {
            Rgb([(x * 3) as u8, 20, (y * 3) as u8])
        } else {
            Rgb([250, 250, 250])
        }
    })
    .into();
    let out = rgba_out("trim", vec![png(&framed, "f.png")], json!({}));
    assert_eq!(out.dimensions(), (58, 52));
    assert_eq!(out.get_pixel(0, 0).0, [36, 20, 27, 255]);
    // A given background that is not the border keeps the whole image.
    let (_, _, w, h, _) = run_image(
        "trim",
        vec![png(&framed, "f.png")],
        json!({"background": "#000000"}),
    );
    assert_eq!((w, h), (100, 80));
    // Transparent borders are trimmed whatever colour their pixels carry.
    let clear: DynamicImage = RgbaImage::from_fn(50, 40, |x, y| {
        if (20..30).contains(&x) && (5..15).contains(&y) {
            Rgba([0, 0, 0, 255])
        } else {
            Rgba([(x * 5) as u8, (y * 6) as u8, 9, 0])
        }
    })
    .into();
    let out = rgba_out("trim", vec![png(&clear, "c.png")], json!({}));
    assert_eq!(out.dimensions(), (10, 10));
}

#[test]
fn golden_border_with_padding_corners_and_shadow() {
    let out = rgba_out(
        "border",
        vec![png(&blocks(5), "b.png")],
        json!({"borderWidth": 6, "borderColor": "#203040", "padding": 4, "cornerRadius": 18,
               "shadow": true, "shadowBlur": 8, "shadowOffsetX": 6, "shadowOffsetY": -4,
               "shadowColor": "#102080", "shadowOpacity": 60}),
    );
    golden("border", "padding-corners-shadow", &out, 0.5);
    let plain = rgba_out(
        "border",
        vec![input("test-100x100.jpg")],
        json!({"borderWidth": 12, "borderColor": "#FFCC00"}),
    );
    golden("border", "jpeg-border", &plain, 1.5);
}

#[test]
fn golden_compose_blend_modes() {
    let overlay: DynamicImage = RgbaImage::from_fn(60, 40, |x, y| {
        Rgba([
            (x * 4) as u8,
            255 - (y * 6) as u8,
            128,
            if x < 30 { 255 } else { 160 },
        ])
    })
    .into();
    for mode in ["multiply", "screen", "overlay", "soft-light", "difference"] {
        let out = compose_rgba(
            png(&blocks(6), "base.png"),
            png(&overlay, "overlay.png"),
            json!({"x": 30, "y": 25, "opacity": 80, "blendMode": mode}),
        );
        golden("compose", mode, &out, 0.5);
    }
}
