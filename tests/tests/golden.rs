//! Golden images: outputs compared pixel by pixel with committed references, with a
//! tolerance for lossy codecs. `ASHIM_BLESS=1 cargo test -p ashim-tests --test golden`
//! rewrites the references after a deliberate change (look at them before committing).

use ashim_tests::*;
use image::RgbaImage;
use serde_json::json;
use std::path::PathBuf;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name)
}

/// Mean absolute difference per channel (0–255) and the largest single difference.
fn diff(a: &RgbaImage, b: &RgbaImage) -> (f64, u8) {
    assert_eq!(a.dimensions(), b.dimensions(), "golden size");
    let (mut sum, mut max) = (0u64, 0u8);
    for (p, q) in a.as_raw().iter().zip(b.as_raw()) {
        let d = p.abs_diff(*q);
        sum += u64::from(d);
        max = max.max(d);
    }
    (sum as f64 / a.as_raw().len() as f64, max)
}

fn check(name: &str, tool: &str, src: &str, settings: serde_json::Value, mean_tol: f64) {
    let (data, ..) = run_image(tool, vec![input(src)], settings);
    let got = decode_independently(&data).to_rgba8();
    let path = golden_path(name);
    if std::env::var_os("ASHIM_BLESS").is_some() {
        got.save(&path).unwrap();
        return;
    }
    let want = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with ASHIM_BLESS=1)", path.display()))
        .to_rgba8();
    let (mean, max) = diff(&got, &want);
    assert!(
        mean <= mean_tol,
        "{name}: mean abs diff {mean:.3} > {mean_tol} (max {max})"
    );
}

#[test]
fn resize_cover_png_is_stable() {
    check(
        "resize-cover-160x120.png",
        "resize",
        "formats/sample.png",
        json!({"width": 160, "height": 120, "fit": "cover"}),
        0.0,
    );
}

#[test]
fn rotate_free_angle_is_stable() {
    check(
        "rotate-30.png",
        "rotate",
        "test-200x150.png",
        json!({"angle": 30}),
        0.0,
    );
}

#[test]
fn resize_jpeg_with_shrink_on_load_stays_close() {
    // Lossy path: JPEG decode at reduced DCT scale, Lanczos-3, JPEG q95 encode.
    check(
        "resize-jpeg-200.png",
        "resize",
        "content/portrait-color.jpg",
        json!({"width": 200}),
        1.5,
    );
}

#[test]
fn stitch_grid_with_corners_is_stable() {
    let (data, ..) = run_image(
        "stitch",
        vec![
            input("test-100x100.jpg"),
            input("test-200x150.png"),
            input("test-portrait.jpg"),
        ],
        json!({"direction": "grid", "gap": 4, "cornerRadius": 12, "backgroundColor": "#336699"}),
    );
    let got = decode_independently(&data).to_rgba8();
    let path = golden_path("stitch-grid.png");
    if std::env::var_os("ASHIM_BLESS").is_some() {
        got.save(&path).unwrap();
        return;
    }
    let want = image::open(&path).unwrap().to_rgba8();
    let (mean, max) = diff(&got, &want);
    assert!(
        mean <= 0.5,
        "stitch grid: mean abs diff {mean:.3} (max {max})"
    );
}
