//! Behaviour of the creative tools (text, barcodes, collage, seam carving, smart crop),
//! checked on real output: ink against a blank render, decoded payloads, dimensions and
//! pixel statistics, plus golden images (`ASHIM_BLESS=1` rewrites them).

use ashim_core::ops::text::{TextMask, TextWeight, render_line};
use ashim_core::{Context, ErrorKind, ImageFormat, InputFile, Outcome};
use ashim_tests::*;
use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};
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

fn white(w: u32, h: u32) -> DynamicImage {
    RgbImage::from_pixel(w, h, Rgb([255, 255, 255])).into()
}

fn rgba_out(tool: &str, inputs: Vec<InputFile>, settings: Value) -> RgbaImage {
    let (data, ..) = run_image(tool, inputs, settings);
    decode_independently(&data).to_rgba8()
}

/// Pixels that differ from `blank` by more than 24 in some channel, inside the rectangle
/// `[x0, x1) × [y0, y1)`.
fn ink_in(img: &RgbaImage, blank: [u8; 3], (x0, y0, x1, y1): (u32, u32, u32, u32)) -> usize {
    let mut n = 0;
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let p = img.get_pixel(x, y).0;
            if (0..3).any(|c| p[c].abs_diff(blank[c]) > 24) {
                n += 1;
            }
        }
    }
    n
}

fn ink(img: &RgbaImage, blank: [u8; 3]) -> usize {
    ink_in(img, blank, (0, 0, img.width(), img.height()))
}

// ---------------------------------------------------------------- text rendering

/// 8-connected components of coverage ≥ 0.5.
fn components(m: &TextMask) -> usize {
    let (w, h) = (m.width as i64, m.height as i64);
    let mut seen = vec![false; (w * h) as usize];
    let mut n = 0;
    for start in 0..w * h {
        if seen[start as usize] || m.coverage[start as usize] < 0.5 {
            continue;
        }
        n += 1;
        let mut stack = vec![start];
        seen[start as usize] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= w || ny >= h {
                        continue;
                    }
                    let j = (ny * w + nx) as usize;
                    if !seen[j] && m.coverage[j] >= 0.5 {
                        seen[j] = true;
                        stack.push(j as i64);
                    }
                }
            }
        }
    }
    n
}

#[test]
fn latin_arabic_and_hebrew_all_render_ink() {
    for text in ["Hello ashim", "مرحبا بالعالم", "שלום עולם"] {
        let m = render_line(text, 40.0, TextWeight::Regular).unwrap();
        assert!(m.ink() > 150.0, "{text}: ink {}", m.ink());
        let blank = render_line(" ", 40.0, TextWeight::Regular).unwrap();
        assert_eq!(blank.ink(), 0.0);
    }
}

#[test]
fn arabic_letters_join() {
    // س ل ا م: seen, lam and alef join (alef never joins leftwards), meem stands alone, so
    // the shaped word has 2 pieces; ZWNJ between the letters stops the joining (4 pieces).
    let joined = render_line("سلام", 60.0, TextWeight::Regular).unwrap();
    let apart = render_line("س\u{200c}ل\u{200c}ا\u{200c}م", 60.0, TextWeight::Regular).unwrap();
    let (j, a) = (components(&joined), components(&apart));
    assert!(j <= 2 && a >= 4, "joined {j} pieces, separated {a}");
}

/// Where the ascenders are: the mean x (0 = left edge, 1 = right edge of the ink box) of
/// the ink in the top fifth of the ink box.
fn ascender_side(m: &TextMask) -> f32 {
    let rows: Vec<i64> = (0..m.height as i64)
        .filter(|&y| (0..m.width as i64).any(|x| m.at(x, y) >= 0.5))
        .collect();
    let cols: Vec<i64> = (0..m.width as i64)
        .filter(|&x| (0..m.height as i64).any(|y| m.at(x, y) >= 0.5))
        .collect();
    let (top, bottom) = (rows[0], *rows.last().unwrap());
    let (left, right) = (cols[0], *cols.last().unwrap());
    let band = top + (bottom - top) / 5;
    let (mut sum, mut n) = (0.0, 0.0);
    for y in top..=band {
        for x in left..=right {
            let c = m.at(x, y);
            sum += c * (x - left) as f32;
            n += c;
        }
    }
    sum / n / (right - left) as f32
}

#[test]
fn hebrew_runs_right_to_left() {
    // Lamed (the one Hebrew letter with an ascender) then four nuns: right to left, the
    // ascender is at the right end. The same test on Latin finds it on the left.
    let he = render_line("לננננ", 60.0, TextWeight::Regular).unwrap();
    let side = ascender_side(&he);
    assert!(side > 0.75, "Hebrew ascender at {side}");
    let en = render_line("lnnnn", 60.0, TextWeight::Regular).unwrap();
    let side = ascender_side(&en);
    assert!(side < 0.25, "Latin ascender at {side}");
}

#[test]
fn watermark_text_draws_where_the_position_says() {
    let quad = |img: &RgbaImage, qx: u32, qy: u32| {
        let (w, h) = (img.width() / 2, img.height() / 2);
        ink_in(img, [255; 3], (qx * w, qy * h, (qx + 1) * w, (qy + 1) * h))
    };
    let base = |pos: &str| {
        rgba_out(
            "watermark-text",
            vec![png(&white(400, 300), "w.png")],
            json!({"text": "ashim", "fontSize": 32, "opacity": 100, "position": pos}),
        )
    };
    let tl = base("top-left");
    assert_eq!(tl.dimensions(), (400, 300));
    assert!(quad(&tl, 0, 0) > 200 && quad(&tl, 1, 1) == 0 && quad(&tl, 1, 0) == 0);
    let br = base("bottom-right");
    assert!(quad(&br, 1, 1) > 200 && quad(&br, 0, 0) == 0 && quad(&br, 0, 1) == 0);
    let c = base("center");
    let (left, right) = (
        quad(&c, 0, 0) + quad(&c, 0, 1),
        quad(&c, 1, 0) + quad(&c, 1, 1),
    );
    assert!(left > 100 && right > 100, "centred: {left} {right}");
    let tiled = base("tiled");
    for (qx, qy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        assert!(quad(&tiled, qx, qy) > 100, "tiled quadrant {qx},{qy}");
    }
    // Opacity 0 leaves the image alone; 50 % black on white is mid grey.
    let none = rgba_out(
        "watermark-text",
        vec![png(&white(200, 150), "w.png")],
        json!({"text": "ashim", "opacity": 0}),
    );
    assert_eq!(ink(&none, [255; 3]), 0);
    let half = rgba_out(
        "watermark-text",
        vec![png(&white(200, 150), "w.png")],
        json!({"text": "█", "fontSize": 60}),
    );
    let darkest = half.pixels().map(|p| p.0[0]).min().unwrap();
    assert!(
        (120..=136).contains(&darkest),
        "50% black on white: {darkest}"
    );
}

#[test]
fn watermark_text_keeps_format_size_and_frames() {
    let (data, format, w, h, _) = run_image(
        "watermark-text",
        vec![jpeg(&white(200, 150), "p.jpg")],
        json!({"text": "& < > \" '", "color": "#FF0000", "opacity": 100, "rotation": 45}),
    );
    assert_eq!((format, w, h), (ImageFormat::Jpeg, 200, 150));
    let out = decode_independently(&data).to_rgba8();
    let red = out
        .pixels()
        .filter(|p| p.0[0] > 200 && p.0[1] < 80 && p.0[2] < 80)
        .count();
    assert!(red > 100, "red ink {red}");
    let gif = input("animated.gif");
    let frames_in = ashim_core::io::decode(&gif.data, None, &Default::default())
        .unwrap()
        .frames
        .len();
    let (data, format, ..) = run_image("watermark-text", vec![gif], json!({"text": "hi"}));
    assert_eq!(format, ImageFormat::Gif);
    let frames_out = ashim_core::io::decode(&data, None, &Default::default())
        .unwrap()
        .frames
        .len();
    assert!(frames_in > 1);
    assert_eq!(frames_out, frames_in);
}

#[test]
fn text_settings_are_validated() {
    let img = || vec![png(&white(50, 50), "w.png")];
    for (tool, s) in [
        ("watermark-text", json!({})),
        ("watermark-text", json!({"text": ""})),
        ("watermark-text", json!({"text": "x".repeat(501)})),
        ("watermark-text", json!({"text": "x", "color": "red"})),
        ("watermark-text", json!({"text": "x", "opacity": 101})),
        ("watermark-text", json!({"text": "x", "rotation": 361})),
        ("watermark-text", json!({"text": "x", "position": "middle"})),
        ("text-overlay", json!({"text": "x", "fontSize": 201})),
        ("text-overlay", json!({"text": "x", "fontSize": 7})),
        (
            "text-overlay",
            json!({"text": "x", "backgroundColor": "#12345"}),
        ),
        ("text-overlay", json!({})),
    ] {
        let e = run_err(tool, img(), s.clone());
        assert_eq!(e.kind(), ErrorKind::InvalidSettings, "{tool} {s}");
    }
    for fs in [8, 200] {
        run_image("text-overlay", img(), json!({"text": "x", "fontSize": fs}));
    }
    // A tiny font tiled over a large image is fine.
    run_image(
        "watermark-text",
        vec![png(&white(3000, 2000), "big.png")],
        json!({"text": "tile", "fontSize": 8, "position": "tiled"}),
    );
}

#[test]
fn text_overlay_band_shadow_and_position() {
    let out = rgba_out(
        "text-overlay",
        vec![png(&white(300, 200), "w.png")],
        json!({"text": "Caption", "fontSize": 30, "position": "bottom",
               "backgroundBox": true, "backgroundColor": "#0000FF", "shadow": false}),
    );
    // The band spans the full width from y = 170 - 27 to 170 + 27 at 70 % blue.
    let band = out.get_pixel(3, 170).0;
    assert_eq!(band[2], 255);
    assert!((70..=82).contains(&band[0]), "band {band:?}");
    assert_eq!(out.get_pixel(3, 100).0, [255, 255, 255, 255]);
    // White text on the band: bright pixels inside it.
    let text = (140..200)
        .flat_map(|y| (0..300).map(move |x| (x, y)))
        .filter(|&(x, y)| out.get_pixel(x, y).0[0] > 200)
        .count();
    assert!(text > 100, "text pixels {text}");
    // Shadow: dark ink appears under white text on a white image.
    let shadowed = rgba_out(
        "text-overlay",
        vec![png(&white(300, 200), "w.png")],
        json!({"text": "Caption", "fontSize": 30, "position": "top"}),
    );
    assert!(ink_in(&shadowed, [255; 3], (0, 0, 300, 100)) > 200);
    assert_eq!(ink_in(&shadowed, [255; 3], (0, 120, 300, 200)), 0);
    let plain = rgba_out(
        "text-overlay",
        vec![png(&white(300, 200), "w.png")],
        json!({"text": "Caption", "fontSize": 30, "shadow": false}),
    );
    assert_eq!(ink(&plain, [255; 3]), 0, "white on white without a shadow");
}

#[test]
fn golden_text_latin_arabic_hebrew() {
    let scene: DynamicImage = RgbaImage::from_fn(320, 160, |x, y| {
        Rgba([(x * 3 / 5 + 40) as u8, 200 - (y / 2) as u8, 180, 255])
    })
    .into();
    let cases = [
        (
            "watermark-text",
            "latin-rotated",
            json!({"text": "Hello, ashim!", "fontSize": 36, "color": "#102030",
                   "opacity": 80, "rotation": -20}),
        ),
        (
            "watermark-text",
            "hebrew-top-right",
            json!({"text": "שלום עולם", "fontSize": 28, "color": "#800000",
                   "opacity": 100, "position": "top-right"}),
        ),
        (
            "text-overlay",
            "arabic-band-shadow",
            json!({"text": "مرحبا بالعالم", "fontSize": 32, "backgroundBox": true,
                   "backgroundColor": "#203040"}),
        ),
        (
            "watermark-text",
            "latin-tiled",
            json!({"text": "© ashim", "fontSize": 14, "color": "#FFFFFF",
                   "position": "tiled", "rotation": 30}),
        ),
    ];
    for (tool, case, s) in cases {
        let out = rgba_out(tool, vec![png(&scene, "scene.png")], s);
        golden("text", case, &out, 0.5);
    }
}

// ---------------------------------------------------------------- barcode-read

/// Run a tool and return its image, name and envelope extras.
fn image_extra(tool: &str, inputs: Vec<InputFile>, settings: Value) -> (RgbaImage, String, Value) {
    match ashim_core::run(tool, inputs, &settings, &Context::default()) {
        Ok(Outcome::Image {
            encoded,
            name,
            extra,
        }) => {
            assert_eq!(encoded.format, ImageFormat::Png, "{tool} writes PNG");
            (
                decode_independently(&encoded.data).to_rgba8(),
                name,
                Value::Object(extra),
            )
        }
        other => panic!("{tool}: {other:?}"),
    }
}

fn qr(text: &str, size: u32) -> DynamicImage {
    let (data, ..) = run_image("qr-generate", vec![], json!({"text": text, "size": size}));
    decode_independently(&data)
}

/// A symbol drawn with rxing's encoder at about `w`×`h` pixels, scaled up to at least 120
/// pixels on its short side, with a 20 px quiet zone.
fn symbol(text: &str, format: rxing::BarcodeFormat, w: i32, h: i32) -> DynamicImage {
    use rxing::Writer;
    let m = rxing::MultiFormatWriter
        .encode(text, &format, w, h)
        .unwrap_or_else(|e| panic!("encode {format:?}: {e}"));
    let (mw, mh) = (m.width(), m.height());
    let scale = 120u32.div_ceil(mw.min(mh)).max(1);
    let pad = 20;
    RgbImage::from_fn(mw * scale + 2 * pad, mh * scale + 2 * pad, |x, y| {
        let inside = x >= pad && y >= pad && x < pad + mw * scale && y < pad + mh * scale;
        if inside && m.get((x - pad) / scale, (y - pad) / scale) {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    })
    .into()
}

fn codes(v: &Value) -> Vec<(String, String)> {
    v["barcodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["type"].as_str().unwrap().to_string(),
                b["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn barcode_read_decodes_a_generated_qr_and_annotates_it() {
    let text = "https://ashim.example/größe?x=1&y=2";
    let code = qr(text, 300);
    let (img, name, extra) = image_extra("barcode-read", vec![png(&code, "ticket.png")], json!({}));
    assert_eq!(
        codes(&extra),
        vec![("QRCode".to_string(), text.to_string())]
    );
    assert_eq!(extra["filename"], "ticket.png");
    assert_eq!(name, "annotated-ticket.png");
    assert_eq!(img.dimensions(), (300, 300));
    let pos = &extra["barcodes"][0]["position"];
    for corner in ["topLeft", "topRight", "bottomLeft", "bottomRight"] {
        for axis in ["x", "y"] {
            let v = pos[corner][axis].as_f64().unwrap();
            assert!((0.0..=300.0).contains(&v), "{corner}.{axis} = {v}");
        }
    }
    assert!(pos["topLeft"]["x"].as_f64() < pos["topRight"]["x"].as_f64());
    // The corners are the symbol's (version 3, 29 modules of 300/33 px after a 2-module
    // quiet zone: edges at 18.2 and 281.8), not the finder-pattern centres (at 50 and 250).
    for (corner, want) in [("topLeft", 18.2), ("bottomRight", 281.8)] {
        for axis in ["x", "y"] {
            let v = pos[corner][axis].as_f64().unwrap();
            assert!((v - want).abs() < 4.0, "{corner}.{axis} = {v}, want {want}");
        }
    }
    assert!(pos["topLeft"]["y"].as_f64() < pos["bottomLeft"]["y"].as_f64());
    // The outline is drawn in the first colour (blue).
    let blue = img
        .pixels()
        .filter(|p| p.0[2] > 200 && p.0[0] < 120 && p.0[1] > 90 && p.0[1] < 170)
        .count();
    assert!(blue > 200, "blue outline pixels {blue}");
    // JPEG input and tryHarder false still read it.
    let (_, _, extra) = image_extra(
        "barcode-read",
        vec![jpeg(&code, "t.jpg")],
        json!({"tryHarder": false}),
    );
    assert_eq!(codes(&extra)[0].1, text);
}

#[test]
fn barcode_read_names_every_symbology() {
    use rxing::BarcodeFormat as F;
    for (format, text, want, w, h) in [
        (F::CODE_128, "ashim-128", "Code128", 400, 80),
        (F::CODE_39, "ASHIM39", "Code39", 400, 80),
        (F::EAN_13, "5901234123457", "EAN-13", 400, 80),
        (F::UPC_A, "036000291452", "UPC-A", 400, 80),
        (F::DATA_MATRIX, "ashim datamatrix", "DataMatrix", 200, 200),
        (F::PDF_417, "ashim pdf417", "PDF417", 400, 150),
        (F::AZTEC, "ashim aztec", "Aztec", 200, 200),
    ] {
        let img = symbol(text, format, w, h);
        let (_, _, extra) = image_extra("barcode-read", vec![png(&img, "c.png")], json!({}));
        let found = codes(&extra);
        assert!(
            found.contains(&(want.to_string(), text.to_string())),
            "{want}: found {found:?}"
        );
    }
}

#[test]
fn barcode_read_finds_several_codes() {
    let mut canvas = RgbaImage::from_pixel(1250, 420, Rgba([255, 255, 255, 255]));
    image::imageops::overlay(&mut canvas, &qr("first code", 260).to_rgba8(), 20, 20);
    image::imageops::overlay(&mut canvas, &qr("second code", 260).to_rgba8(), 320, 140);
    let line = symbol("LINE-128", rxing::BarcodeFormat::CODE_128, 260, 80);
    image::imageops::overlay(&mut canvas, &line.to_rgba8(), 640, 40);
    let (img, _, extra) = image_extra(
        "barcode-read",
        vec![png(&canvas.into(), "many.png")],
        json!({}),
    );
    let mut found = codes(&extra);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("Code128".to_string(), "LINE-128".to_string()),
            ("QRCode".to_string(), "first code".to_string()),
            ("QRCode".to_string(), "second code".to_string()),
        ]
    );
    assert_eq!(img.dimensions(), (1250, 420));
}

#[test]
fn barcode_read_on_a_blank_image_finds_nothing() {
    let blank = white(120, 80);
    let (img, _, extra) = image_extra("barcode-read", vec![png(&blank, "b.png")], json!({}));
    assert_eq!(extra["barcodes"], json!([]));
    assert_eq!(ink(&img, [255; 3]), 0);
    let e = run_err(
        "barcode-read",
        vec![png(&blank, "b.png")],
        json!({"tryHarder": "yes"}),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidSettings);
}

// ---------------------------------------------------------------- collage

fn solid(w: u32, h: u32, c: [u8; 3]) -> DynamicImage {
    RgbImage::from_pixel(w, h, Rgb(c)).into()
}

const PALETTE: [[u8; 3]; 9] = [
    [220, 30, 30],
    [30, 200, 40],
    [30, 60, 220],
    [240, 200, 20],
    [200, 40, 200],
    [20, 200, 200],
    [120, 70, 20],
    [250, 140, 0],
    [90, 90, 90],
];

fn collage_out(files: Vec<InputFile>, settings: Value) -> (RgbaImage, ImageFormat) {
    let (data, format, ..) = run_image("collage", files, settings);
    (decode_independently(&data).to_rgba8(), format)
}

#[test]
fn collage_every_template_puts_each_image_in_its_cell() {
    use ashim_core::tools::collage::{TEMPLATES, canvas_size, cell_rects};
    for t in &TEMPLATES {
        let n = t.cell_spans().len();
        let files: Vec<InputFile> = (0..n)
            .map(|i| {
                png(
                    &solid(40 + 7 * i as u32, 30 + 5 * i as u32, PALETTE[i]),
                    "c.png",
                )
            })
            .collect();
        let (img, _) = collage_out(files, json!({"templateId": t.id, "gap": 10}));
        assert_eq!(img.dimensions(), canvas_size("free"), "{}", t.id);
        let rects = cell_rects(t, 2400, 1800, 10.0).unwrap();
        for (i, &(x, y, w, h)) in rects.iter().enumerate() {
            let centre = img.get_pixel(x as u32 + w / 2, y as u32 + h / 2).0;
            for c in 0..3 {
                assert!(
                    centre[c].abs_diff(PALETTE[i][c]) <= 2,
                    "{} cell {i}: {centre:?} vs {:?}",
                    t.id,
                    PALETTE[i]
                );
            }
        }
        // The gap along the outer edge shows the background.
        assert_eq!(img.get_pixel(4, 4).0, [255, 255, 255, 255], "{}", t.id);
    }
}

#[test]
fn collage_ratios_backgrounds_fits_and_errors() {
    let two = || {
        vec![
            png(&solid(300, 200, PALETTE[0]), "a.png"),
            png(&solid(200, 300, PALETTE[1]), "b.png"),
        ]
    };
    for (ratio, size) in [
        ("1:1", (2400, 2400)),
        ("16:9", (2400, 1350)),
        ("4:3", (2400, 1800)),
        ("3:2", (2400, 1600)),
        ("9:16", (1350, 2400)),
        ("4:5", (1920, 2400)),
        ("whatever", (2400, 1800)),
    ] {
        let (img, _) = collage_out(
            two(),
            json!({"templateId": "2-h-equal", "aspectRatio": ratio}),
        );
        assert_eq!(img.dimensions(), size, "{ratio}");
    }
    // Transparent background: 4 channels and clear gaps; rounded corners clear the corner.
    let (img, _) = collage_out(
        two(),
        json!({"templateId": "2-h-equal", "backgroundColor": "transparent", "cornerRadius": 60}),
    );
    assert_eq!(img.get_pixel(2, 2).0[3], 0);
    assert_eq!(
        img.get_pixel(9, 9).0[3],
        0,
        "rounded corner of the first cell"
    );
    assert_eq!(img.get_pixel(600, 900).0, [220, 30, 30, 255]);
    // Contain letterboxes a tall image on the background colour.
    let (img, format) = collage_out(
        vec![
            png(&solid(300, 200, PALETTE[0]), "a.png"),
            png(&solid(100, 300, PALETTE[1]), "b.png"),
        ],
        json!({"templateId": "2-h-equal", "backgroundColor": "#000000", "outputFormat": "jpeg",
               "cells": [{"imageIndex": 0}, {"imageIndex": 1, "objectFit": "contain"}]}),
    );
    assert_eq!(format, ImageFormat::Jpeg);
    let right = 1200 + 8 + 1188 / 2; // second cell centre x
    assert!(img.get_pixel(right, 900).0[1] > 180, "image in the middle");
    assert!(img.get_pixel(1230, 900).0[1] < 30, "letterbox at the side");
    // One image in a two-cell template leaves the second cell empty.
    let (img, _) = collage_out(
        vec![png(&solid(50, 50, PALETTE[2]), "a.png")],
        json!({"templateId": "2-h-equal"}),
    );
    assert_eq!(img.get_pixel(1800, 900).0, [255, 255, 255, 255]);
    for bad in [
        json!({}),
        json!({"templateId": "nope"}),
        json!({"templateId": "2-h-equal", "gap": 501}),
        json!({"templateId": "2-h-equal", "cornerRadius": 501}),
        json!({"templateId": "2-h-equal", "quality": 0}),
        json!({"templateId": "2-h-equal", "outputFormat": "bmp"}),
        json!({"templateId": "2-h-equal", "backgroundColor": "blue"}),
    ] {
        assert_eq!(
            run_err("collage", two(), bad.clone()).kind(),
            ErrorKind::InvalidSettings,
            "{bad}"
        );
    }
}

#[test]
fn collage_pan_chooses_the_visible_part() {
    // A wide image, left half red and right half blue, into a square cell.
    let wide: DynamicImage = RgbImage::from_fn(400, 100, |x, _| {
        if x < 200 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
    .into();
    let cell = |pan: i32| {
        let (img, _) = collage_out(
            vec![png(&wide, "w.png"), png(&wide, "w.png")],
            json!({"templateId": "2-v-equal", "aspectRatio": "1:1", "gap": 0,
                   "cells": [{"imageIndex": 0, "panX": pan}, {"imageIndex": 1}]}),
        );
        img.get_pixel(1200, 600).0
    };
    // Cell 2400x1200 from a 4:1 image: cover scales it to 4800x1200, centre = the seam.
    assert_eq!(cell(100)[0], 255, "panX +100 shows the left edge");
    assert_eq!(cell(-100)[2], 255, "panX -100 shows the right edge");
}

#[test]
fn golden_collage_layouts() {
    let files = |n: usize| -> Vec<InputFile> {
        (0..n)
            .map(|i| {
                let img: DynamicImage = RgbImage::from_fn(120 + 20 * i as u32, 90, |x, y| {
                    let c = PALETTE[i];
                    let f = if (x / 15 + y / 15) % 2 == 0 { 1.0 } else { 0.6 };
                    Rgb(c.map(|v| (f32::from(v) * f) as u8))
                })
                .into();
                png(&img, "c.png")
            })
            .collect()
    };
    for (id, extra) in [
        (
            "5-center-large",
            json!({"gap": 24, "cornerRadius": 40, "backgroundColor": "#223344"}),
        ),
        (
            "7-mosaic",
            json!({"gap": 12, "aspectRatio": "4:5",
                            "cells": [{"imageIndex": 0, "zoom": 2.5, "panX": 50}]}),
        ),
    ] {
        let mut s = extra;
        s["templateId"] = json!(id);
        let n = ashim_core::tools::collage::template(id)
            .unwrap()
            .cell_spans()
            .len();
        let (img, _) = collage_out(files(n), s);
        let small = image::imageops::resize(
            &img,
            img.width() / 8,
            img.height() / 8,
            image::imageops::FilterType::Triangle,
        );
        golden("collage", id, &small, 0.5);
    }
}

// ---------------------------------------------------------------- content-aware-resize

/// Flat grey on the left 100 columns, fine texture on the right 100.
fn half_textured() -> DynamicImage {
    RgbImage::from_fn(200, 150, |x, y| {
        if x < 100 {
            Rgb([128, 128, 128])
        } else {
            let v = if (x / 3 + y / 3) % 2 == 0 { 30 } else { 230 };
            Rgb([v, 255 - v, v / 2])
        }
    })
    .into()
}

/// Columns whose pixels vary (texture) in the middle row band.
fn textured_columns(img: &RgbaImage) -> u32 {
    (0..img.width())
        .filter(|&x| {
            let vals: Vec<u8> = (40..110).map(|y| img.get_pixel(x, y).0[0]).collect();
            vals.iter().max().unwrap() - vals.iter().min().unwrap() > 60
        })
        .count() as u32
}

#[test]
fn content_aware_resize_removes_flat_seams_first() {
    let src = half_textured();
    let before = textured_columns(&src.to_rgba8());
    let (img, name, extra) = image_extra(
        "content-aware-resize",
        vec![png(&src, "scene.png")],
        json!({"width": 150}),
    );
    assert_eq!(img.dimensions(), (150, 150));
    assert_eq!(name, "scene_seam.png");
    assert_eq!(
        (extra["width"].as_u64(), extra["height"].as_u64()),
        (Some(150), Some(150))
    );
    let after = textured_columns(&img);
    assert!(
        after + 3 >= before,
        "texture kept: {before} -> {after} columns"
    );
    // The flat region lost the 50 columns.
    let flat = (0..150)
        .filter(|&x| img.get_pixel(x, 75).0 == [128, 128, 128, 255])
        .count();
    assert!((45..=55).contains(&flat), "flat columns left: {flat}");
}

#[test]
fn content_aware_resize_sizes_and_errors() {
    let f = || vec![input("test-200x150.png")];
    for (s, size) in [
        (json!({"width": 150}), (150, 150)),
        (json!({"height": 120}), (200, 120)),
        (json!({"width": 300}), (300, 150)),
        (json!({"width": 120, "height": 100}), (120, 100)),
        (json!({"square": true}), (150, 150)),
    ] {
        let (_, _, w, h, _) = run_image("content-aware-resize", f(), s.clone());
        assert_eq!((w, h), size, "{s}");
    }
    for bad in [
        json!({}),
        json!({"blurRadius": 21, "width": 100}),
        json!({"sobelThreshold": 0, "width": 100}),
        json!({"sobelThreshold": 21, "width": 100}),
        json!({"width": 0}),
        json!({"height": -5}),
        json!({"width": 100.5}),
    ] {
        let e = run_err("content-aware-resize", f(), bad.clone());
        assert_eq!(e.kind(), ErrorKind::InvalidSettings, "{bad}");
    }
    let e = run_err("content-aware-resize", f(), json!({"width": 40}));
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    let garbage = InputFile::new(b"not an image at all".to_vec(), Some("x.png".into()));
    assert!(
        ashim_core::run(
            "content-aware-resize",
            vec![garbage],
            &json!({"width": 100}),
            &Context::default()
        )
        .is_err()
    );
}

#[test]
fn content_aware_resize_can_be_cancelled() {
    let ctx = Context::default();
    ctx.cancel_token().cancel();
    let e = ashim_core::run(
        "content-aware-resize",
        vec![png(&half_textured(), "s.png")],
        &json!({"width": 120}),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
}

// ---------------------------------------------------------------- smart-crop

#[test]
fn smart_crop_subject_keeps_the_interesting_part() {
    // Grey wide image with a saturated red block near the right edge.
    let src: DynamicImage = RgbImage::from_fn(400, 100, |x, y| {
        if (320..370).contains(&x) && (25..75).contains(&y) {
            Rgb([230, 20, 30])
        } else {
            Rgb([128, 128, 128])
        }
    })
    .into();
    for strategy in ["attention", "entropy"] {
        let (data, format, w, h, name) = run_image(
            "smart-crop",
            vec![png(&src, "wide.png")],
            json!({"width": 100, "height": 100, "strategy": strategy}),
        );
        assert_eq!((format, w, h), (ImageFormat::Png, 100, 100));
        assert_eq!(name, "wide_smartcrop.png");
        let img = decode_independently(&data).to_rgba8();
        let red = img.pixels().filter(|p| p.0[0] > 200 && p.0[1] < 60).count();
        assert!(red > 1500, "{strategy}: red pixels {red}");
    }
    // Padding zooms in but keeps the size; 51 is refused.
    let (_, _, w, h, _) = run_image(
        "smart-crop",
        vec![input("test-200x150.png")],
        json!({"width": 80, "height": 80, "padding": 20}),
    );
    assert_eq!((w, h), (80, 80));
    let e = run_err(
        "smart-crop",
        vec![input("test-200x150.png")],
        json!({"padding": 51}),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidSettings);
}

#[test]
fn smart_crop_trim_and_square() {
    let mut img = RgbImage::from_pixel(300, 200, Rgb([255, 255, 255]));
    for y in 50..110 {
        for x in 100..220 {
            img.put_pixel(x, y, Rgb([10, 40, 200]));
        }
    }
    let src = DynamicImage::ImageRgb8(img);
    let (_, _, w, h, _) = run_image(
        "smart-crop",
        vec![png(&src, "t.png")],
        json!({"mode": "trim"}),
    );
    assert_eq!((w, h), (120, 60));
    let (data, _, w, h, _) = run_image(
        "smart-crop",
        vec![png(&src, "t.png")],
        json!({"mode": "content", "padToSquare": true, "targetSize": 256, "padColor": "#ff0000"}),
    );
    assert_eq!((w, h), (256, 256));
    let out = decode_independently(&data).to_rgba8();
    assert_eq!(
        out.get_pixel(128, 5).0,
        [255, 0, 0, 255],
        "letterbox colour"
    );
    assert!(out.get_pixel(128, 128).0[2] > 190, "content centred");
    let uniform = solid(50, 40, [9, 9, 9]);
    let (_, _, w, h, _) = run_image(
        "smart-crop",
        vec![png(&uniform, "u.png")],
        json!({"mode": "trim"}),
    );
    assert_eq!((w, h), (50, 40));
}

#[test]
fn smart_crop_face_mode_never_fails() {
    // With or without the face models installed, face mode answers with the asked size.
    let (_, format, w, h, _) = run_image(
        "smart-crop",
        vec![input("test-portrait.jpg")],
        json!({"mode": "face", "width": 120, "height": 160, "quality": 80}),
    );
    assert_eq!((format, w, h), (ImageFormat::Jpeg, 120, 160));
}

/// Point the AI module at the model store; false (and a SKIP line) without one or without
/// the face-detection bundle.
fn face_models() -> bool {
    use ashim_core::ai::{self, faces};
    let dir = std::env::var_os("ASHIM_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/models"))
        });
    if !dir.is_dir() {
        eprintln!("SKIP: no model store (run `make models` or set ASHIM_MODELS_DIR)");
        return false;
    }
    ai::set_models_dir(Some(dir));
    if ai::availability(faces::BUNDLE) != ashim_core::tool::Availability::Ready {
        eprintln!("SKIP: the face-detection bundle is not installed");
        return false;
    }
    true
}

#[test]
fn content_aware_resize_protects_faces_with_the_models() {
    use ashim_core::ai::faces;
    if !face_models() {
        return;
    }
    let src = decode_independently(&fixture("content/multi-face.webp"));
    let widths = |img: &DynamicImage| {
        let mut w: Vec<f32> = faces::detect(img, 0.6)
            .unwrap()
            .iter()
            .map(|f| f.w)
            .collect();
        w.sort_by(f32::total_cmp);
        w
    };
    let before = widths(&src);
    assert!(!before.is_empty());
    let (img, ..) = image_extra(
        "content-aware-resize",
        vec![input("content/multi-face.webp")],
        json!({"width": 330, "protectFaces": true}),
    );
    assert_eq!(img.width(), 330);
    let after = widths(&DynamicImage::ImageRgba8(img));
    assert_eq!(after.len(), before.len(), "faces {before:?} -> {after:?}");
    for (a, b) in before.iter().zip(&after) {
        assert!((a - b).abs() / a < 0.12, "face width {a} -> {b}");
    }
}

#[test]
fn smart_crop_face_mode_frames_the_face_with_the_models() {
    use ashim_core::ai::faces;
    if !face_models() {
        return;
    }
    let (data, _, w, h, _) = run_image(
        "smart-crop",
        vec![input("content/portrait-color.jpg")],
        json!({"mode": "face", "width": 300, "height": 400, "facePreset": "head-shoulders"}),
    );
    assert_eq!((w, h), (300, 400));
    let out = decode_independently(&data);
    let found = faces::detect(&out, 0.5).unwrap();
    assert_eq!(found.len(), 1, "one face in the crop: {found:?}");
    let f = found[0];
    let (cx, cy) = (f.x + f.w / 2.0, f.y + f.h / 2.0);
    // Centred on the face (unless clamped by the image edge) and about 400 / 2.8 tall.
    assert!((cx - 150.0).abs() < 45.0, "face centre x {cx}");
    assert!((cy - 200.0).abs() < 90.0, "face centre y {cy}");
    assert!((f.h - 400.0 / 2.8).abs() < 60.0, "face height {}", f.h);
}
