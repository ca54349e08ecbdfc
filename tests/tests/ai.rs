//! AI tools: the manifest, the 501 state without models, classical inpainting, and (when
//! the model store exists) real runs of every model with quality figures printed.
//!
//! The store is `ASHIM_MODELS_DIR`, else `<repo>/data/models` (what `make models` fills).
//! Model-backed tests print `SKIP` and return when the store is absent; everything else
//! runs always.

use ashim_core::ErrorKind;
use ashim_core::ai::{self, faces, inpaint, ocr, rembg, upscale};
use ashim_tests::*;
use image::{DynamicImage, GrayImage, RgbImage};
use std::path::PathBuf;
use std::time::Instant;

fn store() -> Option<PathBuf> {
    let dir = std::env::var_os("ASHIM_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/models")));
    if dir.is_dir() {
        ai::set_models_dir(Some(dir.clone()));
        Some(dir)
    } else {
        None
    }
}

macro_rules! need_models {
    () => {
        match store() {
            Some(d) => d,
            None => {
                eprintln!("SKIP: no model store (run `make models` or set ASHIM_MODELS_DIR)");
                return;
            }
        }
    };
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/golden/ai")).join(name)
}

#[test]
fn the_manifest_parses_and_every_bundle_has_a_size() {
    let m = ai::manifest();
    m.validate().unwrap();
    assert_eq!(m.bundles.len(), 6);
    for b in &m.bundles {
        for t in &b.tools {
            assert_eq!(m.bundle_for_tool(t).unwrap().id, b.id);
        }
    }
    let bg = m.bundle("background-removal").unwrap();
    assert_eq!(m.bundle_size(bg), 4_574_861 + 232_589);
    assert!(m.not_checked.contains_key("colorize"));
    let list = ai::list();
    assert_eq!(list.len(), 6);
    assert_eq!(list[0].estimated_size, "4.8 MB");
}

/// Runs the checks in a child process whose store is an empty folder, so they hold whether
/// or not this machine has models.
#[test]
fn without_models_gated_operations_are_model_not_installed() {
    if std::env::var_os("ASHIM_AI_EMPTY_CHILD").is_none() {
        let empty = std::env::temp_dir().join(format!("ashim-empty-store-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "without_models_gated_operations_are_model_not_installed",
                "--nocapture",
            ])
            .env("ASHIM_AI_EMPTY_CHILD", "1")
            .env("ASHIM_MODELS_DIR", &empty)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&empty);
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed:\n{text}");
        assert!(text.contains("1 passed"), "child ran nothing:\n{text}");
        return;
    }
    let img = DynamicImage::new_rgb8(64, 64);
    let e = rembg::mask(&img).unwrap_err();
    assert_eq!(
        (e.kind(), e.kind().http_status()),
        (ErrorKind::ModelNotInstalled, 501)
    );
    assert!(
        e.message().contains("background-removal"),
        "{}",
        e.message()
    );
    assert!(e.message().contains("4.8 MB"), "{}", e.message());
    let e = faces::detect(&img, 0.6).unwrap_err();
    assert!(e.message().contains("face-detection"));
    let e = ocr::read(&img, ocr::Options::default(), &mut |_| Ok(())).unwrap_err();
    assert!(e.message().contains("ocr"));
    for b in [
        "background-removal",
        "face-detection",
        "upscale-enhance",
        "ocr",
    ] {
        assert!(!ai::store::is_installed(b), "{b}");
        assert!(!ai::runtime::bundle_ready(b), "{b}");
    }
    // Bundles without models need nothing.
    assert!(ai::runtime::bundle_ready("object-eraser-colorize"));
    assert!(ai::runtime::bundle_ready("photo-restoration"));
}

#[test]
fn erase_object_inpaints_a_photo_without_a_model() {
    let photo = decode_independently(&fixture("content/portrait-color.jpg")).to_rgb8();
    let (w, h) = photo.dimensions();
    // A thin scribble over the photo: inpainting must bring the pixels close to the original.
    let mut damaged = photo.clone();
    let mut mask = GrayImage::new(w, h);
    for x in 40..w - 40 {
        for y in 300..306 {
            damaged.put_pixel(x, y, image::Rgb([255, 0, 255]));
            mask.put_pixel(x, y, image::Luma([255]));
        }
    }
    let t = Instant::now();
    let out = inpaint::erase(&damaged, &mask);
    let (mut err, mut n) = (0f64, 0f64);
    for x in 40..w - 40 {
        for y in 300..306 {
            for c in 0..3 {
                err += (out.get_pixel(x, y).0[c] as f64 - photo.get_pixel(x, y).0[c] as f64).abs();
                n += 1.0;
            }
        }
    }
    let mae = err / n;
    println!(
        "erase-object: {w}x{h}, 6 px scribble, MAE vs original {mae:.1} (magenta was ~150), {:?}",
        t.elapsed()
    );
    assert!(mae < 20.0, "MAE {mae}");
    assert!(out.pixels().all(|p| p.0 != [255, 0, 255]));
}

fn composite_with_known_alpha() -> (DynamicImage, GrayImage) {
    // Subject: the portrait's face region as an ellipse over a smooth, dull backdrop.
    let photo = decode_independently(&fixture("content/portrait-color.jpg")).to_rgb8();
    let (w, h) = (480u32, 480u32);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(150 + x / 12) as u8, (160 + y / 16) as u8, 170])
    });
    let mut alpha = GrayImage::new(w, h);
    let (cx, cy, rx, ry) = (240.0f32, 250.0f32, 130.0f32, 175.0f32);
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f32 - cx) / rx).powi(2) + ((y as f32 - cy) / ry).powi(2);
            if d <= 1.0 {
                let sx = (x as f32 - cx + 286.0) as u32;
                let sy = (y as f32 - cy + 330.0) as u32;
                img.put_pixel(x, y, *photo.get_pixel(sx.min(571), sy.min(1023)));
                alpha.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
    (DynamicImage::ImageRgb8(img), alpha)
}

#[test]
fn remove_background_mask_matches_known_alpha() {
    need_models!();
    let (img, truth) = composite_with_known_alpha();
    let t = Instant::now();
    let mask = rembg::mask(&img).unwrap();
    let first = t.elapsed();
    let t = Instant::now();
    let mask2 = rembg::mask(&img).unwrap();
    let warm = t.elapsed();
    assert_eq!(mask, mask2, "same input, same mask");
    let iou = rembg::mask_iou(&mask, &truth);
    println!(
        "remove-background u2netp: IoU {iou:.3} on a 480x480 composite; first {first:?} (incl. load), warm {warm:?}"
    );
    assert!(iou > 0.85, "IoU {iou}");
    let cut = rembg::cut_out(&img, &mask);
    assert_eq!(cut.get_pixel(5, 5).0[3], 0, "corner is background");
    assert_eq!(cut.get_pixel(240, 250).0[3], 255, "centre is subject");
}

#[test]
fn faces_are_found_on_the_fixtures() {
    need_models!();
    for (name, want) in [
        ("content/multi-face.webp", 10),
        ("content/portrait-color.jpg", 1),
        ("content/red-eye.jpg", 0),
    ] {
        let img = decode_independently(&fixture(name));
        let t = Instant::now();
        let found = faces::detect(&img, 0.6).unwrap();
        println!(
            "faces: {name}: {} found (want {}), {:?}",
            found.len(),
            if want == 0 {
                "≥1".into()
            } else {
                want.to_string()
            },
            t.elapsed()
        );
        if want == 0 {
            assert!(!found.is_empty());
        } else {
            assert_eq!(found.len(), want, "{name}: {found:?}");
        }
        for f in &found {
            assert!(f.x >= 0.0 && f.y >= 0.0 && f.x + f.w <= img.width() as f32 + 0.5);
            assert!(f.eye_distance() > 0.15 * f.w, "eyes apart: {f:?}");
            // Eyes inside the box, nose below the eyes.
            assert!(f.landmarks[2].1 > f.landmarks[0].1.min(f.landmarks[1].1));
        }
    }
    // Blurring changes the face region and nothing far from it.
    let img = decode_independently(&fixture("content/portrait-color.jpg"));
    let found = faces::detect(&img, 0.6).unwrap();
    let out = faces::blur_regions(&img, &found, 30.0).to_rgb8();
    let f = found[0];
    let c = ((f.x + f.w / 2.0) as u32, (f.y + f.h / 2.0) as u32);
    let orig = img.to_rgb8();
    let diff: u32 = (0..20)
        .map(|i| {
            let (p, q) = (
                out.get_pixel(c.0 - 10 + i, c.1).0,
                orig.get_pixel(c.0 - 10 + i, c.1).0,
            );
            (0..3)
                .map(|k| (p[k] as i32 - q[k] as i32).unsigned_abs())
                .sum::<u32>()
        })
        .sum();
    assert!(diff > 20, "face region blurred");
    assert_eq!(
        out.get_pixel(0, img.height() - 1),
        orig.get_pixel(0, img.height() - 1)
    );
}

/// Mean absolute Laplacian of the luma: how much fine detail there is.
fn sharpness(img: &RgbImage) -> f64 {
    let g = DynamicImage::ImageRgb8(img.clone()).to_luma8();
    let (w, h) = g.dimensions();
    let v = |x: u32, y: u32| g.get_pixel(x, y).0[0] as f64;
    let mut acc = 0.0;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            acc += (4.0 * v(x, y) - v(x - 1, y) - v(x + 1, y) - v(x, y - 1) - v(x, y + 1)).abs();
        }
    }
    acc / ((w - 2) * (h - 2)) as f64
}

#[test]
fn upscale_beats_bicubic_and_tiles_seamlessly() {
    need_models!();
    let photo = decode_independently(&fixture("content/portrait-color.jpg")).to_rgb8();
    let hr = image::imageops::crop_imm(&photo, 86, 200, 400, 400).to_image();
    let lr = image::imageops::resize(&hr, 100, 100, image::imageops::FilterType::Triangle);
    let model = ai::runtime::model("realesr-animevideov3-x4", upscale::BUNDLE).unwrap();
    let t = Instant::now();
    let sr = upscale::run_tiled(&model, &lr, upscale::ESRGAN(4), &mut |_| Ok(())).unwrap();
    let el = t.elapsed();
    assert_eq!(sr.dimensions(), (400, 400));
    let bicubic = image::imageops::resize(&lr, 400, 400, image::imageops::FilterType::CatmullRom);
    let (p_sr, p_bi) = (upscale::psnr(&sr, &hr), upscale::psnr(&bicubic, &hr));
    println!(
        "upscale animevideov3 x4: PSNR {p_sr:.2} dB vs bicubic {p_bi:.2} dB (100x100 -> 400x400, {el:?})"
    );
    // A GAN upscaler trades PSNR for sharpness: close to bicubic in PSNR, clearly sharper.
    let (s_sr, s_bi, s_hr) = (sharpness(&sr), sharpness(&bicubic), sharpness(&hr));
    println!(
        "upscale sharpness (mean |Laplacian|): SR {s_sr:.2}, bicubic {s_bi:.2}, original {s_hr:.2}"
    );
    assert!(p_sr > p_bi - 2.0, "SR {p_sr} vs bicubic {p_bi}");
    assert!(s_sr > 1.2 * s_bi, "SR sharpness {s_sr} vs bicubic {s_bi}");
    // Tiles of 40 px give the same picture as one tile, up to rounding near the seams.
    let small = upscale::Tiling {
        tile: 40,
        ..upscale::ESRGAN(4)
    };
    let tiled = upscale::run_tiled(&model, &lr, small, &mut |_| Ok(())).unwrap();
    assert!(
        upscale::psnr(&tiled, &sr) > 40.0,
        "seams: {}",
        upscale::psnr(&tiled, &sr)
    );
    // waifu2x denoise: exact tiling (7 px consumed per side), result at 2x.
    let w2x = ai::runtime::model("waifu2x-noise1", upscale::BUNDLE).unwrap();
    let a = upscale::run_tiled(&w2x, &lr, upscale::WAIFU2X, &mut |_| Ok(())).unwrap();
    let b = upscale::run_tiled(
        &w2x,
        &lr,
        upscale::Tiling {
            tile: 32,
            ..upscale::WAIFU2X
        },
        &mut |_| Ok(()),
    )
    .unwrap();
    assert_eq!(a.dimensions(), (200, 200));
    assert!(upscale::psnr(&a, &b) > 50.0);
    assert_eq!(upscale::half(&a).dimensions(), (100, 100));
}

#[test]
fn ocr_reads_rendered_text_and_the_fixtures() {
    need_models!();
    let want = std::fs::read_to_string(golden("ocr-english.txt")).unwrap();
    let img = image::open(golden("ocr-english.png")).unwrap();
    let t = Instant::now();
    let lines = ocr::read(&img, ocr::Options::default(), &mut |_| Ok(())).unwrap();
    let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let got = text.join("\n");
    let cer = ocr::cer(&got, want.trim());
    println!("ocr english: CER {cer:.3} ({:?}): {got:?}", t.elapsed());
    assert!(cer < 0.05, "{got:?}");
    let jp = decode_independently(&fixture("content/ocr-japanese.png"));
    let want_jp = "日本語の表記においては，漢字や仮名だけで\nなく，ローマ字やアラビア数字，さらに句読\n点や括弧類などの記述記号を用いる。これら\nを組み合わせて表す日本語の文書では，表記\n上における種々の問題がある。";
    let t = Instant::now();
    let lines = ocr::read(&jp, ocr::Options::default(), &mut |_| Ok(())).unwrap();
    let got: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let got = got.join("\n");
    let cer_jp = ocr::cer(&got, want_jp);
    println!("ocr japanese: CER {cer_jp:.3} ({:?}): {got:?}", t.elapsed());
    assert!(cer_jp < 0.15, "{got:?}");
    assert_eq!(lines.len(), 5);
}

/// End-to-end speed of remove-background (decode, mask, cut-out, PNG encode), for the
/// comparison with the Python route: `ASHIM_BENCH_IMAGE=path cargo test -p ashim-tests
/// --test ai -- --ignored --nocapture speed_`.
#[test]
#[ignore = "benchmark; run on demand"]
fn speed_remove_background_end_to_end() {
    need_models!();
    let path = std::env::var("ASHIM_BENCH_IMAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| fixture_path("content/portrait-color.jpg"));
    let n: usize = std::env::var("ASHIM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let bytes = std::fs::read(&path).unwrap();
    let ctx = ashim_core::Context::default();
    let t = Instant::now();
    drop(ai::runtime::model(rembg::MODEL, rembg::BUNDLE).unwrap());
    let load = t.elapsed();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..n {
        let t = Instant::now();
        let img = ctx.decode(&bytes, None, None).unwrap();
        let mask = rembg::mask(img.first()).unwrap();
        let mut out = ashim_core::image::Image::from_dynamic(DynamicImage::ImageRgba8(
            rembg::cut_out(img.first(), &mask),
        ));
        out.encode = Some(ashim_core::image::EncodeSpec::new(
            ashim_core::ImageFormat::Png,
        ));
        size = ashim_core::io::encode(&out).unwrap().data.len();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "ashim remove-background {}: load {:.3}s per-image median {:.3}s min {:.3}s ({} bytes PNG)",
        path.display(),
        load.as_secs_f64(),
        times[times.len() / 2],
        times[0],
        size
    );
}

/// Upscale speed and memory on a large photo (`ASHIM_BENCH_IMAGE`), ×2 with animevideov3.
#[test]
#[ignore = "benchmark; run on demand"]
fn speed_upscale_large() {
    need_models!();
    let path = std::env::var("ASHIM_BENCH_IMAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| fixture_path("content/portrait-color.jpg"));
    let img = image::open(&path).unwrap().to_rgb8();
    let model = ai::runtime::model("realesr-animevideov3-x2", upscale::BUNDLE).unwrap();
    let t = Instant::now();
    let out = upscale::run_tiled(&model, &img, upscale::ESRGAN(2), &mut |_| Ok(())).unwrap();
    println!(
        "ashim upscale x2 {}x{} -> {}x{}: {:.1}s",
        img.width(),
        img.height(),
        out.width(),
        out.height(),
        t.elapsed().as_secs_f64()
    );
}

#[test]
fn red_eye_fixture_loses_its_red_pupils() {
    need_models!();
    use ashim_core::tools::red_eye_removal::{RedEyeRemovalSettings, red_eye_removal};
    let ctx = ashim_core::Context::default();
    let img = ctx
        .decode(&fixture("content/red-eye.jpg"), None, None)
        .unwrap();
    let before = img.first().to_rgb8();
    let (out, faces, eyes) = red_eye_removal(img, &RedEyeRemovalSettings::default()).unwrap();
    let after = out.first().to_rgb8();
    let found = faces::detect(&DynamicImage::ImageRgb8(before.clone()), 0.5).unwrap();
    let near_eye = |x: u32, y: u32| {
        found.iter().any(|f| {
            let r = 0.2 * f.eye_distance();
            f.landmarks[..2]
                .iter()
                .any(|&(ex, ey)| (x as f32 - ex).powi(2) + (y as f32 - ey).powi(2) <= r * r)
        })
    };
    let red = |im: &RgbImage| {
        im.enumerate_pixels()
            .filter(|(x, y, p)| near_eye(*x, *y) && ai::redeye::rgb_to_lab8(p.0)[1] > 160.0)
            .count()
    };
    let (rb, ra) = (red(&before), red(&after));
    println!("red-eye: {faces} face(s), {eyes} eye(s) corrected, strongly red pixels {rb} -> {ra}");
    assert!(faces >= 1 && eyes >= 1);
    assert!(ra * 2 < rb, "red pixels {rb} -> {ra}");
}

#[test]
fn ai_tools_run_through_the_registry() {
    need_models!();
    use ashim_core::{Context, InputFile, Outcome};
    use serde_json::json;
    let ctx = Context::default();
    let run = |tool: &str, files: Vec<InputFile>, settings: serde_json::Value| {
        ashim_core::run(tool, files, &settings, &ctx).unwrap_or_else(|e| panic!("{tool}: {e}"))
    };
    // blur-faces: same-as-input JPEG, faces in the envelope.
    let Outcome::Image { encoded, extra, .. } = run(
        "blur-faces",
        vec![input("content/multi-face.webp")],
        json!({}),
    ) else {
        panic!("blur-faces: not an image")
    };
    assert_eq!(magic(&encoded.data), Some(ashim_core::ImageFormat::Webp));
    assert_eq!(extra["facesDetected"], 10);
    assert_eq!(extra["faces"].as_array().unwrap().len(), 10);
    // remove-background: RGBA PNG with a transparent corner.
    let Outcome::Image { encoded, extra, .. } = run(
        "remove-background",
        vec![input("content/portrait-color.jpg")],
        json!({"model": "birefnet-general-lite"}),
    ) else {
        panic!("remove-background: not an image")
    };
    assert_eq!(magic(&encoded.data), Some(ashim_core::ImageFormat::Png));
    assert_eq!(extra["model"], "u2netp");
    let cut = decode_independently(&encoded.data).to_rgba8();
    assert_eq!((cut.width(), cut.height()), (572, 1024));
    assert!(cut.get_pixel(2, 2).0[3] < 30, "corner transparent");
    // upscale ×2 (animevideov3 x2) and ×3 (x4 then Lanczos) to exact sizes.
    for (scale, w) in [(2.0, 400), (3.0, 600)] {
        let Outcome::Image { encoded, extra, .. } = run(
            "upscale",
            vec![input("test-200x150.png")],
            json!({"scale": scale}),
        ) else {
            panic!("upscale: not an image")
        };
        assert_eq!(
            (encoded.width, extra["method"].as_str().unwrap()),
            (w, "realesrgan")
        );
    }
    // ocr: JSON with text and lines.
    let Outcome::Json(v) = run(
        "ocr",
        vec![InputFile::new(
            std::fs::read(golden("ocr-english.png")).unwrap(),
            None,
        )],
        json!({"quality": "fast"}),
    ) else {
        panic!("ocr: not JSON")
    };
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("Invoice total: 42.50 EUR"),
        "{v}"
    );
    assert_eq!(v["lines"].as_array().unwrap().len(), 3);
    // colorize: always 501, saying why.
    let e = ashim_core::run(
        "colorize",
        vec![input("test-200x150.png")],
        &json!({}),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(e.kind().http_status(), 501);
    assert!(e.message().contains("No colorization model"));
}

fn run_full(
    tool: &str,
    inputs: Vec<ashim_core::InputFile>,
    settings: serde_json::Value,
) -> (
    DynamicImage,
    ashim_core::ImageFormat,
    String,
    serde_json::Map<String, serde_json::Value>,
) {
    match ashim_core::run(tool, inputs, &settings, &ashim_core::Context::default()) {
        Ok(ashim_core::Outcome::Image {
            encoded,
            name,
            extra,
        }) => (
            decode_independently(&encoded.data),
            encoded.format,
            name,
            extra,
        ),
        Ok(other) => panic!("{tool}: expected an image, got {other:?}"),
        Err(e) => panic!("{tool} {settings}: {e} ({})", e.code()),
    }
}

fn png_input(img: &DynamicImage, name: &str) -> ashim_core::InputFile {
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png).unwrap();
    ashim_core::InputFile::new(buf.into_inner(), Some(name.to_string()))
}

/// A small crop of the colour portrait plus seeded Gaussian-ish noise (σ ≈ 14).
fn noisy_portrait() -> (RgbImage, RgbImage) {
    let photo = decode_independently(&fixture("content/portrait-color.jpg"));
    let clean = photo
        .resize_exact(320, 400, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let mut noisy = clean.clone();
    let mut s = 7u32;
    for p in noisy.pixels_mut() {
        for c in 0..3 {
            let mut n = 0i32;
            for _ in 0..4 {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                n += ((s >> 16) % 25) as i32 - 12;
            }
            p.0[c] = (p.0[c] as i32 + n).clamp(0, 255) as u8;
        }
    }
    (clean, noisy)
}

#[test]
fn noise_removal_every_tier_brings_a_noisy_photo_closer_to_the_clean_one() {
    need_models!();
    let (clean, noisy) = noisy_portrait();
    let before = upscale::psnr(&clean, &noisy);
    let input = png_input(&DynamicImage::ImageRgb8(noisy), "noisy.png");
    let mut gains = Vec::new();
    for tier in ["quick", "balanced", "quality", "maximum"] {
        let t = Instant::now();
        let (out, fmt, _, extra) = run_full(
            "noise-removal",
            vec![input.clone()],
            serde_json::json!({"tier": tier, "strength": 80, "detailPreservation": 20, "colorNoise": 100}),
        );
        assert_eq!(
            fmt,
            ashim_core::ImageFormat::Png,
            "original = same as input"
        );
        assert_eq!((out.width(), out.height()), (320, 400));
        assert_eq!(extra["tier"], tier);
        let after = upscale::psnr(&clean, &out.to_rgb8());
        println!(
            "noise-removal {tier}: PSNR {before:.2} -> {after:.2} dB in {:?}",
            t.elapsed()
        );
        gains.push((tier, after - before));
    }
    assert!(gains.iter().all(|(_, g)| *g > 0.5), "PSNR gains {gains:?}");
    // Format and bad settings.
    let (_, fmt, _, _) = run_full(
        "noise-removal",
        vec![input.clone()],
        serde_json::json!({"tier": "quick", "format": "jpeg", "quality": 80}),
    );
    assert_eq!(fmt, ashim_core::ImageFormat::Jpeg);
    for bad in [
        serde_json::json!({"tier": "nope"}),
        serde_json::json!({"format": "bmp"}),
    ] {
        let e = run_err("noise-removal", vec![input.clone()], bad);
        assert_eq!(e.kind(), ErrorKind::InvalidSettings);
    }
}

#[test]
fn restore_photo_finds_and_fills_a_scratch_and_denoises_without_a_model() {
    let photo = decode_independently(&fixture("content/portrait-bw.jpeg"));
    let clean = photo
        .resize_exact(240, 300, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let mut damaged = clean.clone();
    for x in 30..210 {
        for y in 150..154 {
            damaged.put_pixel(x, y, image::Rgb([252, 252, 252]));
        }
    }
    let t = Instant::now();
    let (out, _, name, extra) = run_full(
        "restore-photo",
        vec![png_input(
            &DynamicImage::ImageRgb8(damaged.clone()),
            "old.png",
        )],
        serde_json::json!({"mode": "auto"}),
    );
    println!("restore-photo: {extra:?} in {:?}", t.elapsed());
    assert_eq!(name, "old_restored.png");
    let steps: Vec<&str> = extra["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(steps, ["grayscale_check", "scratch_removal", "denoise"]);
    assert_eq!(extra["isGrayscale"], true);
    let cov = extra["scratchCoverage"].as_f64().unwrap();
    assert!(cov > 0.5 && cov < 5.0, "coverage {cov}%");
    assert_eq!(extra["skipped"][0]["step"], "face_enhancement");
    let out = out.to_rgb8();
    let err = |img: &RgbImage| {
        let mut e = 0f64;
        for x in 30..210 {
            for y in 150..154 {
                e += (img.get_pixel(x, y).0[0] as f64 - clean.get_pixel(x, y).0[0] as f64).abs();
            }
        }
        e / (180.0 * 4.0)
    };
    let (before, after) = (err(&damaged), err(&out));
    assert!(
        after < before / 2.0,
        "scratch MAE {before:.1} -> {after:.1}"
    );
    // Settings out of range are 400s naming the field.
    for bad in [
        serde_json::json!({"mode": "extreme"}),
        serde_json::json!({"fidelity": 1.1}),
        serde_json::json!({"denoiseStrength": 101}),
    ] {
        let e = run_err(
            "restore-photo",
            vec![png_input(&DynamicImage::ImageRgb8(clean.clone()), "a.png")],
            bad,
        );
        assert_eq!(e.kind(), ErrorKind::InvalidSettings);
    }
    // The undamaged photo: far less is taken for scratches (hair strands may be), and
    // with denoise off only what was found changes.
    let (same, _, _, extra) = run_full(
        "restore-photo",
        vec![png_input(&DynamicImage::ImageRgb8(clean.clone()), "a.png")],
        serde_json::json!({"denoise": false}),
    );
    let clean_cov = extra["scratchCoverage"].as_f64().unwrap();
    println!("restore-photo on the undamaged photo: coverage {clean_cov}%");
    assert!(
        clean_cov < 1.0 && clean_cov < cov / 2.0,
        "{clean_cov}% vs {cov}%"
    );
    let same = same.to_rgb8();
    let unchanged = same
        .pixels()
        .zip(clean.pixels())
        .filter(|(a, b)| a == b)
        .count();
    assert!(
        unchanged as f64 > 0.8 * (240.0 * 300.0),
        "{unchanged} px unchanged"
    );
}

#[test]
fn enhance_faces_changes_the_faces_and_leaves_the_rest() {
    need_models!();
    let input = ashim_tests::input("content/multi-face.webp");
    let orig = decode_independently(&fixture("content/multi-face.webp")).to_rgb8();
    let t = Instant::now();
    let (out, fmt, name, extra) = run_full("enhance-faces", vec![input], serde_json::json!({}));
    println!(
        "enhance-faces: {} faces in {:?}",
        extra["facesDetected"],
        t.elapsed()
    );
    assert_eq!(fmt, ashim_core::ImageFormat::Png);
    assert!(name.ends_with("_enhanced.png"), "{name}");
    let n = extra["facesDetected"].as_u64().unwrap();
    assert!(n >= 5, "{n} faces");
    assert_eq!(extra["model"], "realesr-animevideov3-x2");
    let out = out.to_rgb8();
    assert_eq!(out.dimensions(), orig.dimensions());
    let f = &extra["faces"][0];
    let (x, y, w, h) = (
        f["x"].as_u64().unwrap() as u32,
        f["y"].as_u64().unwrap() as u32,
        f["w"].as_u64().unwrap() as u32,
        f["h"].as_u64().unwrap() as u32,
    );
    let changed = (y..y + h)
        .flat_map(|yy| (x..x + w).map(move |xx| (xx, yy)))
        .filter(|&(xx, yy)| out.get_pixel(xx, yy) != orig.get_pixel(xx, yy))
        .count();
    assert!(
        changed as f64 > 0.3 * (w * h) as f64,
        "{changed} of {} changed",
        w * h
    );
    let e = run_err(
        "enhance-faces",
        vec![ashim_tests::input("content/multi-face.webp")],
        serde_json::json!({"strength": 1.1}),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidSettings);
}

#[test]
fn background_effects_put_a_colour_or_gradient_under_an_earlier_cut_out() {
    // A cut-out: a red disc, transparent around it (RGB kept under the alpha, as remove-
    // background writes it).
    let cut = image::RgbaImage::from_fn(80, 60, |x, y| {
        let d = ((x as f32 - 40.0).powi(2) + (y as f32 - 30.0).powi(2)).sqrt();
        image::Rgba([200, 30, 30, if d < 20.0 { 255 } else { 0 }])
    });
    let input = png_input(&DynamicImage::ImageRgba8(cut), "photo_mask.png");
    let (out, fmt, name, _) = run_full(
        "remove-background/effects",
        vec![input.clone()],
        serde_json::json!({"jobId": "job", "filename": "photo_mask.png",
                           "backgroundType": "color", "backgroundColor": "#00ff00"}),
    );
    assert_eq!(
        (fmt, name.as_str()),
        (ashim_core::ImageFormat::Png, "photo_nobg.png")
    );
    let out = out.to_rgba8();
    assert_eq!(out.get_pixel(2, 2).0, [0, 255, 0, 255]);
    assert_eq!(out.get_pixel(40, 30).0, [200, 30, 30, 255]);
    let (g, _, _, _) = run_full(
        "remove-background/effects",
        vec![input.clone()],
        serde_json::json!({"jobId": "job", "filename": "photo_mask.png", "backgroundType": "gradient",
                           "gradientColor1": "#000000", "gradientColor2": "#ffffff", "gradientAngle": 180}),
    );
    let g = g.to_rgba8();
    // Angle 180: colour 1 at the bottom, colour 2 at the top.
    assert!(
        g.get_pixel(2, 1).0[0] > 200 && g.get_pixel(2, 58).0[0] < 55,
        "{:?} {:?}",
        g.get_pixel(2, 1),
        g.get_pixel(2, 58)
    );
    for bad in [
        serde_json::json!({"filename": "photo_mask.png"}),
        serde_json::json!({"jobId": "job", "filename": "photo_mask.png", "blurIntensity": 101}),
        serde_json::json!({"jobId": "job", "filename": "photo_mask.png", "backgroundType": "stars"}),
    ] {
        let e = run_err("remove-background/effects", vec![input.clone()], bad);
        assert_eq!(e.kind(), ErrorKind::InvalidSettings);
    }
}

#[test]
fn passport_photo_analyze_then_generate_to_a_country_spec() {
    need_models!();
    let input = ashim_tests::input("content/portrait-color.jpg");
    let t = Instant::now();
    let (cut, fmt, name, rep) = run_full(
        "passport-photo/analyze",
        vec![input.clone()],
        serde_json::json!({}),
    );
    println!(
        "passport analyze in {:?}: {}",
        t.elapsed(),
        rep["landmarks"]
    );
    assert_eq!(fmt, ashim_core::ImageFormat::Png);
    assert_eq!(name, "portrait-color_nobg.png");
    assert_eq!(rep["filename"], "portrait-color_nobg.png");
    assert!(cut.color().has_alpha());
    let lm = &rep["landmarks"];
    let y = |k: &str| lm[k]["y"].as_f64().unwrap();
    assert!(y("crown") < y("forehead") && y("forehead") < y("eyeCenter"));
    assert!(y("eyeCenter") < y("nose") && y("nose") < y("chin") && y("chin") <= 1.0);
    assert!(
        rep["preview"].as_str().unwrap().starts_with("iVBORw0KGgo"),
        "PNG base64"
    );
    assert!(rep["previewWidth"].as_u64().unwrap() <= 800);

    let cut_input = png_input(&cut, "portrait-color_nobg.png");
    let settings = serde_json::json!({"jobId": "j", "filename": "portrait-color_nobg.png",
        "countryCode": "GB", "landmarks": lm, "imageWidth": rep["imageWidth"], "imageHeight": rep["imageHeight"]});
    let (photo, fmt, name, extra) = run_full(
        "passport-photo/generate",
        vec![cut_input.clone()],
        settings.clone(),
    );
    assert_eq!(fmt, ashim_core::ImageFormat::Jpeg);
    assert_eq!(name, "portrait-color_passport.jpg");
    assert_eq!((photo.width(), photo.height()), (413, 531));
    assert_eq!(extra["spec"]["documentLabel"], "UK Passport");
    assert_eq!(extra["dimensions"]["widthPx"], 413);
    let px = photo.to_rgb8();
    let corner = px.get_pixel(3, 3).0;
    assert!(
        corner.iter().all(|&v| (v as i32 - 0xD4).abs() < 12),
        "GB grey background, got {corner:?}"
    );
    // The face sits in the middle third horizontally.
    let mid = px.get_pixel(206, 265).0;
    assert!(
        mid.iter().any(|&v| (v as i32 - 0xD4).abs() > 20),
        "the centre is the person, got {mid:?}"
    );
    let mut bad = settings.clone();
    bad["countryCode"] = "XX".into();
    assert_eq!(
        run_err("passport-photo/generate", vec![cut_input.clone()], bad).kind(),
        ErrorKind::InvalidInput
    );
    let mut bad = settings.clone();
    bad["dpi"] = 50.into();
    assert_eq!(
        run_err("passport-photo/generate", vec![cut_input.clone()], bad).kind(),
        ErrorKind::InvalidSettings
    );
    let mut bad = settings.clone();
    bad["landmarks"].as_object_mut().unwrap().remove("chin");
    assert_eq!(
        run_err("passport-photo/generate", vec![cut_input.clone()], bad).kind(),
        ErrorKind::InvalidSettings
    );
    // Print sheet: the photo and a 4x6 sheet.
    let mut sheet = settings.clone();
    sheet["printLayout"] = "4x6".into();
    match ashim_core::run(
        "passport-photo/generate",
        vec![cut_input],
        &sheet,
        &ashim_core::Context::default(),
    )
    .unwrap()
    {
        ashim_core::Outcome::FileSet(files) => {
            assert_eq!(files.len(), 2);
            let s = decode_independently(&files[1].data);
            assert_eq!((s.width(), s.height()), (1205, 1795));
        }
        other => panic!("expected photo + sheet, got {other:?}"),
    }
    // The base route: both steps in one (pipeline form).
    let (us, _, _, _) = run_full(
        "passport-photo",
        vec![input],
        serde_json::json!({"countryCode": "US"}),
    );
    assert_eq!((us.width(), us.height()), (602, 602));
}
