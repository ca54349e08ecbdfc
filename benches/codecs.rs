//! Codec and resize benchmarks on real photos, each beside a baseline built from the plain
//! `image` crate (`image::imageops::resize` for resizing) measured in the same run.
//!
//! ```text
//! cargo bench -p ashim-benches            # criterion report + a ratio table at the end
//! ```
//!
//! W1: a 12 MP JPEG (4000×3000, made from the `sample.webp` photo) → 800 px wide JPEG q80.
//! W2: the same JPEG → WebP q80. W3: a PNG photo → PNG at maximum zlib compression.

use ashim_core::{Context, InputFile, Outcome, Pipeline};
use criterion::{Criterion, criterion_group};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::{DynamicImage, ImageEncoder};
use serde_json::json;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::LazyLock;

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A real 12-megapixel photo as JPEG q90: `sample.webp` (4275×2451) covered to 4000×3000.
static PHOTO_12MP: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let pipeline = Pipeline::from_json(
        &json!({"steps": [
            {"toolId": "resize", "settings": {"width": 4000, "height": 3000, "fit": "cover"}},
            {"toolId": "convert", "settings": {"format": "jpg", "quality": 90}}
        ]}),
        0,
    )
    .unwrap();
    match pipeline
        .run(
            InputFile::new(fixture("formats/sample.webp"), None),
            &Context::default(),
        )
        .unwrap()
    {
        Outcome::Image { encoded, .. } => encoded.data,
        _ => unreachable!(),
    }
});

static PHOTO_PNG: LazyLock<Vec<u8>> = LazyLock::new(|| fixture("formats/sample.png"));

fn ashim(tool_steps: serde_json::Value, data: &[u8]) -> usize {
    let p = Pipeline::from_json(&json!({ "steps": tool_steps }), 0).unwrap();
    match p
        .run(InputFile::new(data.to_vec(), None), &Context::default())
        .unwrap()
    {
        Outcome::Image { encoded, .. } => encoded.data.len(),
        _ => unreachable!(),
    }
}

fn baseline_w1(data: &[u8]) -> usize {
    let img = image::load_from_memory(data).unwrap();
    let h = (f64::from(img.height()) * 800.0 / f64::from(img.width())).round() as u32;
    let small = DynamicImage::ImageRgb8(image::imageops::resize(
        &img.to_rgb8(),
        800,
        h,
        FilterType::Lanczos3,
    ));
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .unwrap();
    out.len()
}

fn baseline_webp(data: &[u8]) -> usize {
    let img = image::load_from_memory(data).unwrap().to_rgb8();
    webp::Encoder::from_rgb(img.as_raw(), img.width(), img.height())
        .encode(80.0)
        .len()
}

fn baseline_png(data: &[u8]) -> usize {
    let img = image::load_from_memory(data).unwrap();
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, PngFilter::Adaptive)
        .write_image(
            img.as_bytes(),
            img.width(),
            img.height(),
            img.color().into(),
        )
        .unwrap();
    out.len()
}

fn w1_steps() -> serde_json::Value {
    json!([{"toolId": "resize", "settings": {"width": 800}}, {"toolId": "compress", "settings": {"quality": 80}}])
}

fn benches(c: &mut Criterion) {
    let photo = PHOTO_12MP.as_slice();
    let mut g = c.benchmark_group("w1_12mp_jpeg_to_800px_jpeg_q80");
    g.sample_size(10);
    g.bench_function("ashim", |b| b.iter(|| ashim(w1_steps(), black_box(photo))));
    g.bench_function("baseline_image_crate", |b| {
        b.iter(|| baseline_w1(black_box(photo)))
    });
    g.finish();

    let mut g = c.benchmark_group("w2_12mp_jpeg_to_webp_q80");
    g.sample_size(10);
    g.bench_function("ashim", |b| {
        b.iter(|| {
            ashim(
                json!([{"toolId": "convert", "settings": {"format": "webp", "quality": 80}}]),
                black_box(photo),
            )
        })
    });
    g.bench_function("baseline_image_crate", |b| {
        b.iter(|| baseline_webp(black_box(photo)))
    });
    g.finish();

    let png = PHOTO_PNG.as_slice();
    let mut g = c.benchmark_group("w3_png_to_png_max_compression");
    g.sample_size(10);
    g.bench_function("ashim", |b| {
        b.iter(|| ashim(json!([{"toolId": "convert", "settings": {"format": "png", "compressionLevel": 9}}]), black_box(png)))
    });
    g.bench_function("baseline_image_crate", |b| {
        b.iter(|| baseline_png(black_box(png)))
    });
    g.finish();
}

criterion_group!(group, benches);

/// Read criterion's point estimates and print ashim's time as a ratio of the baseline's.
fn print_ratios() {
    let root = PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target")
            .to_string_lossy()
            .into_owned()
    }))
    .join("criterion");
    let mean_ns = |group: &str, f: &str| -> Option<f64> {
        let text =
            std::fs::read_to_string(root.join(group).join(f).join("new/estimates.json")).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        v["mean"]["point_estimate"].as_f64()
    };
    println!(
        "\n{:<36} {:>12} {:>12} {:>8}",
        "workload", "ashim ms", "baseline ms", "ratio"
    );
    for g in [
        "w1_12mp_jpeg_to_800px_jpeg_q80",
        "w2_12mp_jpeg_to_webp_q80",
        "w3_png_to_png_max_compression",
    ] {
        if let (Some(a), Some(b)) = (mean_ns(g, "ashim"), mean_ns(g, "baseline_image_crate")) {
            println!("{g:<36} {:>12.1} {:>12.1} {:>8.3}", a / 1e6, b / 1e6, a / b);
        }
    }
    println!(
        "output sizes: W1 ashim {} B vs baseline {} B; W3 ashim {} B vs baseline {} B",
        ashim(w1_steps(), &PHOTO_12MP),
        baseline_w1(&PHOTO_12MP),
        ashim(
            json!([{"toolId": "convert", "settings": {"format": "png", "compressionLevel": 9}}]),
            &PHOTO_PNG
        ),
        baseline_png(&PHOTO_PNG)
    );
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    print_ratios();
}
