//! `convert`: choose the output format (and quality) of the final encode.

use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image, Quality};
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Formats `convert` accepts on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum TargetFormat {
    #[serde(alias = "jpeg")]
    Jpg,
    Png,
    Webp,
    Avif,
    #[serde(alias = "tif")]
    Tiff,
    Gif,
    Heic,
    Heif,
    Bmp,
    Ico,
}

impl TargetFormat {
    /// The image format written.
    pub fn format(self) -> ImageFormat {
        match self {
            Self::Jpg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::Webp,
            Self::Avif => ImageFormat::Avif,
            Self::Tiff => ImageFormat::Tiff,
            Self::Gif => ImageFormat::Gif,
            Self::Heic | Self::Heif => ImageFormat::Heif,
            Self::Bmp => ImageFormat::Bmp,
            Self::Ico => ImageFormat::Ico,
        }
    }
}

/// Settings of [`Convert`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConvertSettings {
    /// Output format (required).
    pub format: TargetFormat,
    /// 1–100. Default: the encoder's (JPEG 80, WebP 80; PNG stays lossless truecolour).
    #[schemars(range(min = 1, max = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<u8>,
    /// Progressive JPEG. Default false.
    #[serde(default)]
    pub progressive: bool,
    /// Lossless WebP. Default false.
    #[serde(default)]
    pub lossless: bool,
    /// PNG zlib level 0–9 (9 = smallest, slowest). Default 6.
    #[schemars(range(min = 0, max = 9))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_level: Option<u8>,
}

/// Set the encode spec; pixels are untouched, so a pipeline still encodes once.
pub fn convert(mut image: Image, s: &ConvertSettings) -> Image {
    image.encode = Some(EncodeSpec {
        format: s.format.format(),
        quality: s.quality.map_or(Quality::Default, Quality::Value),
        progressive: s.progressive,
        lossless: s.lossless,
        png_level: s.compression_level,
    });
    image
}

static META: ToolMeta = ToolMeta {
    id: "convert",
    name: "Convert",
    description: "Convert an image to JPEG, PNG, WebP, GIF, TIFF, BMP or ICO.",
    category: Category::Format,
    ..ToolMeta::ONE_IMAGE
};

/// The `convert` tool.
pub struct Convert;

impl Tool for Convert {
    type Settings = ConvertSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &ConvertSettings) -> Result<()> {
        let f = s.format.format();
        if !f.can_encode() {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                format!(
                    "format: writing {} is not supported by this build",
                    f.name().to_uppercase()
                ),
            ));
        }
        Ok(())
    }

    fn run(&self, settings: &ConvertSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        Ok(Output::Image(convert(inputs.image(0)?, settings)))
    }
}
