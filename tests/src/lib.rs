//! Shared helpers for the integration tests: fixture loading and output inspection.

use ashim_core::{Context, ImageFormat, InputFile, Outcome};
use std::path::PathBuf;

/// Absolute path of a file under `../shared/fixtures` (beside the repository).
pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(rel)
}

/// Bytes of a fixture.
pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

/// A fixture as a named input.
pub fn input(rel: &str) -> InputFile {
    let name = rel.rsplit('/').next().map(str::to_owned);
    InputFile::new(fixture(rel), name)
}

/// Run a tool and expect an encoded image back: `(bytes, format, width, height, name)`.
pub fn run_image(
    tool: &str,
    inputs: Vec<InputFile>,
    settings: serde_json::Value,
) -> (Vec<u8>, ImageFormat, u32, u32, String) {
    match ashim_core::run(tool, inputs, &settings, &Context::default()) {
        Ok(Outcome::Image { encoded, name, .. }) => (
            encoded.data,
            encoded.format,
            encoded.width,
            encoded.height,
            name,
        ),
        Ok(other) => panic!("{tool}: expected an image, got {other:?}"),
        Err(e) => panic!("{tool} {settings}: {e} ({})", e.code()),
    }
}

/// Run a tool and expect an error; returns its stable code.
pub fn run_err(
    tool: &str,
    inputs: Vec<InputFile>,
    settings: serde_json::Value,
) -> ashim_core::Error {
    match ashim_core::run(tool, inputs, &settings, &Context::default()) {
        Ok(_) => panic!("{tool} {settings}: expected an error"),
        Err(e) => e,
    }
}

/// Decode bytes with the `image` crate independently of ashim, for checking outputs.
pub fn decode_independently(data: &[u8]) -> image::DynamicImage {
    image::load_from_memory(data).expect("output decodes with the image crate")
}

/// The format the magic bytes say.
pub fn magic(data: &[u8]) -> Option<ImageFormat> {
    ImageFormat::sniff(data, None)
}

/// Compare `got` with `tests/golden/<tool>/<case>.png` (mean absolute difference per
/// channel at most `tol`); `ASHIM_BLESS=1` rewrites the reference.
pub fn golden(tool: &str, case: &str, got: &image::RgbaImage, tol: f64) {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(tool);
    let path = dir.join(format!("{case}.png"));
    if std::env::var_os("ASHIM_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        got.save(&path).unwrap();
        return;
    }
    let want = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with ASHIM_BLESS=1)", path.display()))
        .to_rgba8();
    assert_eq!(got.dimensions(), want.dimensions(), "{tool}/{case} size");
    let sum: u64 = got
        .as_raw()
        .iter()
        .zip(want.as_raw())
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = sum as f64 / got.as_raw().len() as f64;
    assert!(
        mean <= tol,
        "{tool}/{case}: mean abs diff {mean:.3} > {tol}"
    );
}
