//! The cross-language check: one pipeline on one fixture must give byte-identical output
//! from the Rust API, Python (`tests/test_cross_language.py`) and Node
//! (`ashim-node/__test__/cross-language.test.js`). All three assert the digest below.
//!
//! This test uses only `ashim-core`, so it needs no Python library to link.

use ashim_core::{Context, InputFile, Outcome, Pipeline};
use sha2::{Digest, Sha256};

/// The pipeline, as JSON (the same text the Python and Node tests use).
const STEPS: &str = r#"{"steps": [
    {"toolId": "resize", "settings": {"width": 64}},
    {"toolId": "rotate", "settings": {"angle": 90}},
    {"toolId": "convert", "settings": {"format": "png"}}
]}"#;

/// SHA-256 of the output on `shared/fixtures/test-portrait.jpg`.
const DIGEST: &str = "ee2a4df4e2290a7eb319803fa667329124d2eb318a064d69122b3c17cdf93b1b";

#[test]
fn rust_api_gives_the_shared_digest() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/test-portrait.jpg");
    let jpeg = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let def: serde_json::Value = serde_json::from_str(STEPS).unwrap();
    let out = Pipeline::from_json(&def, 0)
        .unwrap()
        .run(InputFile::new(jpeg, None), &Context::default())
        .unwrap();
    let Outcome::Image { encoded, .. } = out else {
        panic!("an image was expected")
    };
    assert_eq!(&encoded.data[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!((encoded.width, encoded.height), (64, 64));
    let digest: String = Sha256::digest(&encoded.data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, DIGEST);
}
