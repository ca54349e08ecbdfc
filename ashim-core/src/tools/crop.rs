//! `crop`: cut a rectangle out of the image, in pixels or percent.

use crate::error::{Error, Result};
use crate::image::Image;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Unit of the crop rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Pixels (rounded to the nearest integer).
    #[default]
    Px,
    /// Percent of the image width (left, width) or height (top, height).
    Percent,
}

/// Settings of [`Crop`]. All four edges are required.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CropSettings {
    /// Left edge.
    #[schemars(range(min = 0))]
    pub left: f64,
    /// Top edge.
    #[schemars(range(min = 0))]
    pub top: f64,
    /// Width of the rectangle.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub width: f64,
    /// Height of the rectangle.
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub height: f64,
    /// `px` (default) or `percent`.
    #[serde(default)]
    pub unit: Unit,
}

impl CropSettings {
    /// The pixel rectangle `(x, y, w, h)` for a `w`×`h` image, or why it does not fit.
    pub fn rect(&self, iw: u32, ih: u32) -> Result<(u32, u32, u32, u32)> {
        let (l, t, w, h) = match self.unit {
            Unit::Px => (self.left, self.top, self.width, self.height),
            Unit::Percent => (
                self.left / 100.0 * f64::from(iw),
                self.top / 100.0 * f64::from(ih),
                self.width / 100.0 * f64::from(iw),
                self.height / 100.0 * f64::from(ih),
            ),
        };
        let r = |v: f64| v.round().clamp(0.0, f64::from(u32::MAX)) as u64;
        let (l, t, w, h) = (r(l), r(t), r(w), r(h));
        if w == 0 || h == 0 {
            return Err(Error::unprocessable(
                "Crop width and height must be at least 1 pixel",
            ));
        }
        if l + w > u64::from(iw) {
            return Err(Error::unprocessable(format!(
                "Crop region exceeds image width: left {l} + width {w} > {iw}"
            )));
        }
        if t + h > u64::from(ih) {
            return Err(Error::unprocessable(format!(
                "Crop region exceeds image height: top {t} + height {h} > {ih}"
            )));
        }
        Ok((l as u32, t as u32, w as u32, h as u32))
    }
}

/// Crop every frame to the rectangle.
pub fn crop(image: Image, settings: &CropSettings) -> Result<Image> {
    let (x, y, w, h) = settings.rect(image.width(), image.height())?;
    image.try_map_frames(|px| Ok(px.crop_imm(x, y, w, h)))
}

static META: ToolMeta = ToolMeta {
    id: "crop",
    name: "Crop",
    description: "Cut a rectangle out of an image, in pixels or percent.",
    category: Category::Geometry,
    ..ToolMeta::ONE_IMAGE
};

/// The `crop` tool.
pub struct Crop;

impl Tool for Crop {
    type Settings = CropSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &CropSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let (w, h) = inputs.header(0)?.oriented_size();
        settings.rect(w, h)?;
        Ok(Output::Image(crop(inputs.image(0)?, settings)?))
    }
}
