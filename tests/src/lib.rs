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
