//! `rotate`: quarter turns losslessly, any other angle onto the bounding box; mirroring.

use crate::error::Result;
use crate::image::Image;
use crate::ops;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`Rotate`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct RotateSettings {
    /// Clockwise angle in degrees. Multiples of 90 are lossless. Default 0.
    pub angle: f64,
    /// Mirror left↔right (applied before rotating). Default false.
    pub horizontal: bool,
    /// Mirror top↔bottom (applied before rotating). Default false.
    pub vertical: bool,
}

fn rotate_frame(px: &DynamicImage, s: &RotateSettings) -> DynamicImage {
    let mut p = std::borrow::Cow::Borrowed(px);
    if s.horizontal {
        p = std::borrow::Cow::Owned(p.fliph());
    }
    if s.vertical {
        p = std::borrow::Cow::Owned(p.flipv());
    }
    let a = s.angle.rem_euclid(360.0);
    if a == 0.0 {
        p.into_owned()
    } else if a == 90.0 {
        p.rotate90()
    } else if a == 180.0 {
        p.rotate180()
    } else if a == 270.0 {
        p.rotate270()
    } else {
        // Uncovered corners are opaque black, as sharp does.
        ops::rotate_any(&p, a, [0, 0, 0, 255])
    }
}

/// Mirror, then rotate every frame.
pub fn rotate(image: Image, settings: &RotateSettings) -> Result<Image> {
    image.try_map_frames(|px| Ok(rotate_frame(px, settings)))
}

static META: ToolMeta = ToolMeta {
    id: "rotate",
    name: "Rotate",
    description: "Rotate by any angle and mirror horizontally or vertically.",
    category: Category::Geometry,
    ..ToolMeta::ONE_IMAGE
};

/// The `rotate` tool.
pub struct Rotate;

impl Tool for Rotate {
    type Settings = RotateSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &RotateSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let image = inputs.image(0)?;
        if !settings.angle.is_finite() {
            return Err(crate::Error::field("angle", "must be a finite number"));
        }
        Ok(Output::Image(rotate(image, settings)?))
    }
}
