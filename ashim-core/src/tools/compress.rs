//! `compress`: keep the format, trade quality for size, or search for a target size.

use crate::error::Result;
use crate::image::{EncodeSpec, Image, Quality};
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How to compress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// One encode at `quality`.
    #[default]
    Quality,
    /// Search the quality whose output is closest to `targetSizeKb` (within 5 %).
    TargetSize,
}

/// Settings of [`Compress`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct CompressSettings {
    /// `quality` (default) or `targetSize`.
    pub mode: Mode,
    /// 1–100. Default 80. For PNG it sets the palette size (quantisation).
    #[schemars(range(min = 1, max = 100))]
    pub quality: u8,
    /// Target size in KiB for `targetSize` mode.
    #[schemars(extend("exclusiveMinimum" = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_size_kb: Option<f64>,
}

impl Default for CompressSettings {
    fn default() -> Self {
        Self {
            mode: Mode::Quality,
            quality: 80,
            target_size_kb: None,
        }
    }
}

/// Choose the compression of the final encode, keeping the output format.
pub fn compress(mut image: Image, s: &CompressSettings) -> Image {
    let format = image.output_format();
    let quality = match (s.mode, s.target_size_kb) {
        (Mode::TargetSize, Some(kb)) => Quality::TargetBytes((kb * 1024.0).round().max(1.0) as u64),
        _ => Quality::Value(s.quality),
    };
    let progressive = image.encode.is_some_and(|e| e.progressive);
    image.encode = Some(EncodeSpec {
        format,
        quality,
        progressive,
        lossless: false,
        png_level: None,
    });
    image
}

static META: ToolMeta = ToolMeta {
    id: "compress",
    name: "Compress",
    description: "Make an image smaller by quality or to a target file size, keeping its format.",
    category: Category::Format,
    ..ToolMeta::ONE_IMAGE
};

/// The `compress` tool.
pub struct Compress;

impl Tool for Compress {
    type Settings = CompressSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &CompressSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        Ok(Output::Image(compress(inputs.image(0)?, settings)))
    }
}
