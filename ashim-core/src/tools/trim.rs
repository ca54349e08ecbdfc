//! `trim`: remove uniform borders, as sharp's `trim` (beyond the contract).

use crate::error::Result;
use crate::image::Image;
use crate::ops::colour::Checkpoint;
use crate::ops::trim::{content_bbox, union};
use crate::settings::HexColor;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`Trim`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct TrimSettings {
    /// Largest per-channel difference (0–255) from the background that still counts as
    /// border.
    #[schemars(range(min = 0, max = 255))]
    pub threshold: f64,
    /// Border colour `#RRGGBB`; absent = the colour of the top-left pixel (alpha included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<HexColor>,
}

impl Default for TrimSettings {
    fn default() -> Self {
        Self {
            threshold: 10.0,
            background: None,
        }
    }
}

/// Crop every frame to the union of the frames' content boxes. An image that is all
/// border is returned unchanged.
pub fn trim(image: Image, s: &TrimSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let bg = s
        .background
        .map(|c| [c.0[0], c.0[1], c.0[2], 255].map(|v| f32::from(v) / 255.0));
    let mut rect = None;
    for f in &image.frames {
        rect = union(rect, content_bbox(&f.pixels, bg, s.threshold as f32, cp)?);
    }
    let Some((x, y, w, h)) = rect else {
        return Ok(image);
    };
    if (x, y, w, h) == (0, 0, image.width(), image.height()) {
        return Ok(image);
    }
    image.try_map_frames(|px| Ok(px.crop_imm(x, y, w, h)))
}

static META: ToolMeta = ToolMeta {
    id: "trim",
    name: "Trim",
    description: "Remove uniform borders around the content.",
    category: Category::Geometry,
    ..ToolMeta::ONE_IMAGE
};

/// The `trim` tool.
pub struct Trim;

impl Tool for Trim {
    type Settings = TrimSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &TrimSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(trim(
            image,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}
