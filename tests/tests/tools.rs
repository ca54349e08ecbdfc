//! The nine tools through the registry, with the behaviour the contract pins.

use ashim_core::{Context, ErrorKind, ImageFormat, InputFile, Outcome};
use ashim_tests::*;
use serde_json::json;

const PNG: &str = "test-200x150.png";

fn dims(tool: &str, settings: serde_json::Value) -> (u32, u32) {
    let (data, _, w, h, _) = run_image(tool, vec![input(PNG)], settings);
    let d = decode_independently(&data);
    assert_eq!((d.width(), d.height()), (w, h));
    (w, h)
}

#[test]
fn resize_fit_modes_and_sizes() {
    assert_eq!(dims("resize", json!({"width": 100})), (100, 75));
    assert_eq!(dims("resize", json!({"height": 60})), (80, 60));
    assert_eq!(
        dims("resize", json!({"width": 100, "height": 100})),
        (100, 100)
    );
    assert_eq!(
        dims(
            "resize",
            json!({"width": 100, "height": 100, "fit": "cover"})
        ),
        (100, 100)
    );
    assert_eq!(
        dims("resize", json!({"width": 50, "height": 200, "fit": "fill"})),
        (50, 200)
    );
    assert_eq!(
        dims(
            "resize",
            json!({"width": 100, "height": 100, "fit": "inside"})
        ),
        (100, 75)
    );
    assert_eq!(
        dims(
            "resize",
            json!({"width": 100, "height": 100, "fit": "outside"})
        ),
        (133, 100)
    );
    assert_eq!(dims("resize", json!({"percentage": 50})), (100, 75));
    assert_eq!(
        dims(
            "resize",
            json!({"width": 400, "height": 300, "withoutEnlargement": true})
        ),
        (200, 150)
    );
    assert_eq!(
        dims("resize", json!({"preset": "instagram-post"})),
        (1080, 1080)
    );
    let (_, _, w, h, _) = run_image(
        "resize",
        vec![input("test-1x1.png")],
        json!({"width": 10, "height": 10, "fit": "fill"}),
    );
    assert_eq!((w, h), (10, 10));
}

#[test]
fn resize_contain_pads_with_opaque_black_and_keeps_png_lossless() {
    let (data, format, ..) = run_image(
        "resize",
        vec![input("formats/sample.png")],
        json!({"width": 300, "height": 300}),
    );
    assert_eq!(format, ImageFormat::Png);
    let img = decode_independently(&data).to_rgba8();
    // Top band is padding: opaque black.
    assert_eq!(img.get_pixel(150, 2).0, [0, 0, 0, 255]);
    // Truecolour, not a palette (DECISIONS 10).
    assert!(!matches!(
        image::ImageReader::new(std::io::Cursor::new(&data))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .map(|d| image::ImageDecoder::original_color_type(&d))
            .unwrap(),
        image::ExtendedColorType::L1 | image::ExtendedColorType::L2 | image::ExtendedColorType::L4
    ));
    assert_eq!(data[25], 2, "PNG colour type 2 = truecolour");
}

#[test]
fn resize_errors_are_typed() {
    assert_eq!(
        run_err("resize", vec![input(PNG)], json!({})).kind(),
        ErrorKind::Unprocessable
    );
    let e = run_err(
        "resize",
        vec![input(PNG)],
        json!({"fit": "stretch", "width": 10}),
    );
    assert_eq!(
        (e.kind(), e.fields()[0].path.as_str()),
        (ErrorKind::InvalidSettings, "fit")
    );
    let e = run_err("resize", vec![input(PNG)], json!({"width": null}));
    assert_eq!(e.fields()[0].path, "width");
    let e = run_err("resize", vec![input(PNG)], json!({"width": 10.5}));
    assert_eq!(
        (e.kind(), e.fields()[0].path.as_str()),
        (ErrorKind::InvalidSettings, "width")
    );
    let e = run_err(
        "resize",
        vec![input(PNG)],
        json!({"width": 60000, "height": 60000, "fit": "fill"}),
    );
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
}

#[test]
fn resize_jpeg_shrinks_on_load_and_stays_sharp() {
    // A 3775x5662 JPEG resized to 300 wide decodes at 1/8 scale (472x708) first.
    let data = fixture("content/portrait-bw.jpeg");
    let header = ashim_core::io::probe(&data, None).unwrap();
    assert_eq!(
        (header.width, header.height, header.oriented_size()),
        (3775, 5662, (3775, 5662))
    );
    let opts = ashim_core::io::DecodeOptions {
        min_size: Some((300, 450)),
        ..Default::default()
    };
    let small = ashim_core::io::decode(&data, None, &opts).unwrap();
    assert_eq!((small.width(), small.height()), (472, 708));
    let (out, format, w, h, _) = run_image(
        "resize",
        vec![InputFile::new(data, None)],
        json!({"width": 300}),
    );
    assert_eq!((format, w, h), (ImageFormat::Jpeg, 300, 450));
    // The result is not blurred into flatness: it still has contrast.
    let g = decode_independently(&out).to_luma8();
    let (min, max) = g
        .pixels()
        .fold((255u8, 0u8), |(lo, hi), p| (lo.min(p.0[0]), hi.max(p.0[0])));
    assert!(max - min > 100, "contrast {min}..{max}");
}

#[test]
fn crop_in_px_and_percent() {
    assert_eq!(
        dims(
            "crop",
            json!({"left": 0, "top": 0, "width": 100, "height": 75})
        ),
        (100, 75)
    );
    assert_eq!(
        dims(
            "crop",
            json!({"left": 0, "top": 0, "width": 200, "height": 150})
        ),
        (200, 150)
    );
    assert_eq!(
        dims(
            "crop",
            json!({"left": 10, "top": 20, "width": 1, "height": 130})
        ),
        (1, 130)
    );
    assert_eq!(
        dims(
            "crop",
            json!({"left": 25, "top": 25, "width": 50, "height": 50, "unit": "percent"})
        ),
        (100, 75)
    );
    let e = run_err(
        "crop",
        vec![input("test-1x1.png")],
        json!({"left": 5, "top": 5, "width": 1, "height": 1}),
    );
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    for bad in [
        json!({"left": 0, "top": 0, "width": 10}),
        json!({"left": -1, "top": 0, "width": 10, "height": 10}),
        json!({"left": 0, "top": 0, "width": 0, "height": 10}),
        json!({"left": 0, "top": 0, "width": 10, "height": 10, "unit": "em"}),
    ] {
        assert_eq!(
            run_err("crop", vec![input(PNG)], bad.clone()).kind(),
            ErrorKind::InvalidSettings,
            "{bad}"
        );
    }
}

#[test]
fn crop_takes_the_right_pixels() {
    let src = decode_independently(&fixture("formats/sample.png")).to_rgb8();
    let (data, ..) = run_image(
        "crop",
        vec![input("formats/sample.png")],
        json!({"left": 100, "top": 50, "width": 40, "height": 30}),
    );
    let out = decode_independently(&data).to_rgb8();
    assert_eq!(out.get_pixel(0, 0), src.get_pixel(100, 50));
    assert_eq!(out.get_pixel(39, 29), src.get_pixel(139, 79));
}

#[test]
fn rotate_quarter_turns_and_free_angles() {
    assert_eq!(dims("rotate", json!({"angle": 90})), (150, 200));
    assert_eq!(dims("rotate", json!({"angle": 270})), (150, 200));
    assert_eq!(dims("rotate", json!({"angle": -90})), (150, 200));
    assert_eq!(dims("rotate", json!({"angle": 180})), (200, 150));
    assert_eq!(dims("rotate", json!({})), (200, 150));
    assert_eq!(
        dims("rotate", json!({"horizontal": true, "vertical": true})),
        (200, 150)
    );
    let (w, h) = dims("rotate", json!({"angle": 45}));
    assert_eq!((w, h), (247, 247));
    for a in [1, 45, 359] {
        let (_, _, w, h, _) = run_image("rotate", vec![input("test-1x1.png")], json!({"angle": a}));
        assert!(w >= 1 && h >= 1);
    }
    // 90° clockwise moves the top-left pixel to the top-right.
    let src = decode_independently(&fixture("formats/sample.png")).to_rgb8();
    let (data, ..) = run_image(
        "rotate",
        vec![input("formats/sample.png")],
        json!({"angle": 90}),
    );
    let out = decode_independently(&data).to_rgb8();
    assert_eq!(out.get_pixel(out.width() - 1, 0), src.get_pixel(0, 0));
    // Mirror left-right.
    let (data, ..) = run_image(
        "rotate",
        vec![input("formats/sample.png")],
        json!({"horizontal": true}),
    );
    assert_eq!(
        decode_independently(&data).to_rgb8().get_pixel(639, 0),
        src.get_pixel(0, 0)
    );
}

#[test]
fn convert_quality_orders_sizes() {
    let (lo, ..) = run_image(
        "convert",
        vec![input("formats/sample.png")],
        json!({"format": "jpg", "quality": 10}),
    );
    let (hi, ..) = run_image(
        "convert",
        vec![input("formats/sample.png")],
        json!({"format": "jpg", "quality": 95}),
    );
    assert!(lo.len() < hi.len());
    let (webp_lossy, ..) = run_image(
        "convert",
        vec![input("formats/sample.png")],
        json!({"format": "webp"}),
    );
    let (webp_lossless, ..) = run_image(
        "convert",
        vec![input("formats/sample.png")],
        json!({"format": "webp", "lossless": true}),
    );
    assert_eq!(&webp_lossless[12..16], b"VP8L");
    assert!(webp_lossy.len() < webp_lossless.len());
    // Lossless really is lossless.
    let src = decode_independently(&fixture("formats/sample.png")).to_rgb8();
    assert_eq!(decode_independently(&webp_lossless).to_rgb8(), src);
    let (name_data, _, _, _, name) = run_image(
        "convert",
        vec![input("formats/sample.png")],
        json!({"format": "tiff"}),
    );
    assert_eq!(name, "sample.tiff");
    assert_eq!(
        decode_independently(&name_data).to_rgb8(),
        src,
        "TIFF stays lossless"
    );
    assert_eq!(
        run_err("convert", vec![input(PNG)], json!({})).fields()[0].path,
        "format"
    );
}

#[test]
fn compress_by_quality_and_target_size() {
    let original = fixture("formats/sample.jpg");
    let (q50, f, w, h, _) = run_image(
        "compress",
        vec![input("formats/sample.jpg")],
        json!({"quality": 50}),
    );
    let (q10, ..) = run_image(
        "compress",
        vec![input("formats/sample.jpg")],
        json!({"quality": 10}),
    );
    assert_eq!((f, w, h), (ImageFormat::Jpeg, 640, 426));
    assert!(
        q10.len() < q50.len() && q50.len() < original.len(),
        "{} {} {}",
        q10.len(),
        q50.len(),
        original.len()
    );
    let (t, ..) = run_image(
        "compress",
        vec![input("formats/sample.jpg")],
        json!({"mode": "targetSize", "targetSizeKb": 20}),
    );
    assert!(
        t.len() as f64 <= 20.0 * 1024.0 * 1.05,
        "target 20 KiB, got {}",
        t.len()
    );
    assert!(
        t.len() > 8 * 1024,
        "search should land near the target, got {}",
        t.len()
    );
    let (tiny, ..) = run_image(
        "compress",
        vec![input("formats/sample.jpg")],
        json!({"mode": "targetSize", "targetSizeKb": 5}),
    );
    assert_eq!(magic(&tiny), Some(ImageFormat::Jpeg));
    let (png, f, ..) = run_image(
        "compress",
        vec![input("formats/sample.png")],
        json!({"quality": 50}),
    );
    assert_eq!(f, ImageFormat::Png);
    assert!(png.len() < fixture("formats/sample.png").len());
    for bad in [
        json!({"quality": 0}),
        json!({"quality": 101}),
        json!({"mode": "supercompress"}),
        json!({"targetSizeKb": -10}),
    ] {
        assert_eq!(
            run_err("compress", vec![input(PNG)], bad.clone()).kind(),
            ErrorKind::InvalidSettings,
            "{bad}"
        );
    }
}

fn json_of(tool: &str, inputs: Vec<InputFile>, settings: serde_json::Value) -> serde_json::Value {
    match ashim_core::run(tool, inputs, &settings, &Context::default()).unwrap() {
        Outcome::Json(v) => v,
        other => panic!("expected JSON, got {other:?}"),
    }
}

#[test]
fn info_reports_the_file() {
    let v = json_of("info", vec![input(PNG)], json!({}));
    assert_eq!(
        (
            v["width"].as_u64(),
            v["height"].as_u64(),
            v["format"].as_str()
        ),
        (Some(200), Some(150), Some("png"))
    );
    assert_eq!(v["pages"], 1);
    assert_eq!(v["hasAlpha"], true);
    assert_eq!(v["filename"], PNG);
    let hist = v["histogram"].as_array().unwrap();
    assert_eq!(hist.len(), 4);
    for band in hist {
        assert!(band["min"].as_f64().unwrap() >= 0.0 && band["max"].as_f64().unwrap() <= 255.0);
    }
    let exif = json_of("info", vec![input("test-with-exif.jpg")], json!({}));
    assert_eq!(exif["hasExif"], true);
    assert_eq!(exif["format"], "jpeg");
    let gif = json_of("info", vec![input("animated.gif")], json!({}));
    assert!(gif["pages"].as_u64().unwrap() > 1);
    let tiff = json_of("info", vec![input("formats/multipage.tiff")], json!({}));
    assert!(tiff["pages"].as_u64().unwrap() > 1);
    let prog = json_of("info", vec![input("content/ocr-chat.jpeg")], json!({}));
    assert_eq!(prog["isProgressive"], true);
    let keys = [
        "filename",
        "fileSize",
        "width",
        "height",
        "format",
        "channels",
        "hasAlpha",
        "colorSpace",
        "density",
        "isProgressive",
        "orientation",
        "hasProfile",
        "hasExif",
        "hasIcc",
        "hasXmp",
        "bitDepth",
        "pages",
        "histogram",
    ];
    for k in keys {
        assert!(v.get(k).is_some(), "info lacks {k}");
    }
}

#[test]
fn split_names_and_sizes_tiles() {
    let Outcome::Files(files) = ashim_core::run(
        "split",
        vec![input(PNG)],
        &json!({"columns": 2, "rows": 2}),
        &Context::default(),
    )
    .unwrap() else {
        panic!()
    };
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "test-200x150_r1_c1.png",
            "test-200x150_r1_c2.png",
            "test-200x150_r2_c1.png",
            "test-200x150_r2_c2.png"
        ]
    );
    for f in &files {
        let d = decode_independently(&f.data);
        assert_eq!((d.width(), d.height()), (100, 75));
    }
    let Outcome::Files(files) = ashim_core::run(
        "split",
        vec![input("formats/sample.jpg")],
        &json!({"outputFormat": "webp"}),
        &Context::default(),
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(files.len(), 9);
    assert!(
        files
            .iter()
            .all(|f| f.name.ends_with(".webp") && magic(&f.data) == Some(ImageFormat::Webp))
    );
    for bad in [
        json!({"columns": 0}),
        json!({"columns": 101}),
        json!({"tileHeight": 9}),
        json!({"outputFormat": "bmp"}),
    ] {
        assert_eq!(
            run_err("split", vec![input(PNG)], bad.clone()).kind(),
            ErrorKind::InvalidSettings,
            "{bad}"
        );
    }
}

#[test]
fn stitch_layouts_match_the_contract() {
    let st = |s: serde_json::Value| {
        let (data, f, w, h, name) =
            run_image("stitch", vec![input(PNG), input("test-100x100.jpg")], s);
        assert_eq!(magic(&data), Some(f));
        (w, h, name)
    };
    assert_eq!(st(json!({})), (233, 100, "stitch.png".to_string()));
    assert_eq!(st(json!({"direction": "vertical"})).0, 100);
    assert_eq!(st(json!({"direction": "vertical"})).1, 175);
    assert_eq!(st(json!({"resizeMode": "original"})).0, 300);
    assert_eq!(st(json!({"resizeMode": "original"})).1, 150);
    assert_eq!(
        st(json!({"direction": "vertical", "resizeMode": "original"})).1,
        250
    );
    assert_eq!(
        st(json!({"gap": 10, "resizeMode": "stretch"})).0,
        200 + 100 + 10
    );
    assert_eq!(st(json!({"border": 7})).1, 100 + 14);
    assert_eq!(st(json!({"format": "jpeg"})).2, "stitch.jpg");
    let grid = |s| {
        let (_, _, w, h, _) = run_image(
            "stitch",
            vec![input("test-100x100.jpg"), input("test-portrait.jpg")],
            s,
        );
        (w, h)
    };
    assert_eq!(
        grid(json!({"direction": "grid", "gap": 6, "border": 4})),
        (214, 108)
    );
    let five = (0..5).map(|_| input("test-100x100.jpg")).collect();
    let (_, _, w, _, _) = run_image("stitch", five, json!({"gap": 50, "resizeMode": "original"}));
    assert_eq!(w, 700);
    let (data, ..) = run_image(
        "stitch",
        vec![input(PNG), input("test-100x100.jpg")],
        json!({"cornerRadius": 20}),
    );
    let img = decode_independently(&data).to_rgba8();
    assert_eq!(img.get_pixel(0, 0).0[3], 0, "corner is transparent");
    assert_eq!(img.get_pixel(116, 50).0[3], 255);
    assert_eq!(
        run_err("stitch", vec![input(PNG)], json!({})).kind(),
        ErrorKind::InvalidInput
    );
    for bad in [
        json!({"direction": "diagonal"}),
        json!({"gap": 1001}),
        json!({"border": 501}),
        json!({"backgroundColor": "white"}),
    ] {
        assert_eq!(
            run_err("stitch", vec![input(PNG), input(PNG)], bad.clone()).kind(),
            ErrorKind::InvalidSettings,
            "{bad}"
        );
    }
}

#[test]
fn qr_generate_renders_modules_at_the_requested_size() {
    for (size, want) in [(400, 400), (800, 800), (100, 100)] {
        let (data, f, w, h, name) = run_image(
            "qr-generate",
            vec![],
            json!({"text": "https://ashim.example/a?b=c", "size": size}),
        );
        assert_eq!(
            (f, w, h, name.as_str()),
            (ImageFormat::Png, want, want, "qrcode.png")
        );
        let img = decode_independently(&data).to_rgb8();
        assert_eq!(img.get_pixel(0, 0).0, [255, 255, 255], "quiet zone");
        // The top-left finder pattern starts right after the 2-module quiet zone.
        let module = want as f64 / (25.0 + 4.0);
        let p = (2.0 * module).floor() as u32 + 1;
        assert_eq!(img.get_pixel(p, p).0, [0, 0, 0], "finder pattern");
    }
    let (data, ..) = run_image(
        "qr-generate",
        vec![],
        json!({"text": "x", "foreground": "#FF0000", "background": "#0000ff", "errorCorrection": "H"}),
    );
    let img = decode_independently(&data).to_rgb8();
    assert_eq!(img.get_pixel(0, 0).0, [0, 0, 255]);
    assert!(img.pixels().any(|p| p.0 == [255, 0, 0]));
    for bad in [
        json!({}),
        json!({"text": ""}),
        json!({"text": "a", "size": 50}),
        json!({"text": "a", "size": 20000}),
        json!({"text": "a", "errorCorrection": "X"}),
        json!({"text": "a", "foreground": "black"}),
    ] {
        assert_eq!(
            run_err("qr-generate", vec![], bad.clone()).kind(),
            ErrorKind::InvalidSettings,
            "{bad}"
        );
    }
    let huge = "x".repeat(2000);
    assert_eq!(
        run_err(
            "qr-generate",
            vec![],
            json!({"text": huge, "errorCorrection": "H"})
        )
        .kind(),
        ErrorKind::Unprocessable
    );
}
