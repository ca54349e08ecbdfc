//! `compare`: the first image against the second: a difference map and a similarity.

use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::ops::diff;
use crate::tool::{Caps, Category, Inputs, Output, SlotSpec, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `compare` has no settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct CompareSettings {}

/// Size of the compared (and diff) images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Dimensions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The figures `compare` adds to its envelope.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompareReport {
    /// 0–100, two decimals; 100 for identical pixels.
    pub similarity: f64,
    /// Mean structural similarity of the grey images, 0–1 (1 = identical).
    pub ssim: f64,
    /// Size both images were compared at (the larger width and height).
    pub dimensions: Dimensions,
}

/// Compare the first frames of `a` and `b`: the diff map as a PNG image and the report.
pub fn compare(a: &Image, b: &Image) -> Result<(Image, CompareReport)> {
    let c = diff::compare(a.first(), b.first())?;
    let report = CompareReport {
        similarity: c.similarity,
        ssim: c.ssim,
        dimensions: Dimensions {
            width: c.diff.width(),
            height: c.diff.height(),
        },
    };
    let mut img = Image::from_dynamic(c.diff.into());
    img.name = Some("diff.png".into());
    img.encode = Some(EncodeSpec::new(ImageFormat::Png));
    Ok((img, report))
}

static META: ToolMeta = ToolMeta {
    id: "compare",
    name: "Compare",
    description: "Compare two images: a difference map and a 0–100 similarity.",
    category: Category::Analysis,
    slots: &[SlotSpec::images(2, "The first image, then the one it is compared with.")],
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `compare` tool.
pub struct Compare;

impl Tool for Compare {
    type Settings = CompareSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, _: &CompareSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let a = inputs.image(0)?;
        let b = inputs.image(inputs.len() - 1)?;
        let (diff, report) = compare(&a, &b)?;
        Output::image_with(diff, &report)
    }
}
