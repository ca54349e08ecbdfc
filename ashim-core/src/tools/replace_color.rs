//! `replace-color`: replace (or make transparent) every pixel near a source colour.

use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::ops::colour::{Checkpoint, Planes};
use crate::settings::HexColor;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`ReplaceColor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplaceColorSettings {
    /// The colour to find, `#RRGGBB`.
    pub source_color: HexColor,
    /// The colour to put in its place, `#RRGGBB`.
    pub target_color: HexColor,
    /// Make matching pixels transparent instead of recolouring them.
    pub make_transparent: bool,
    /// Largest RGB distance (scaled by 1.73) that still matches; 0 = exact matches only.
    #[schemars(range(min = 0, max = 255))]
    pub tolerance: f64,
}

impl Default for ReplaceColorSettings {
    fn default() -> Self {
        Self {
            source_color: HexColor([255, 0, 0]),
            target_color: HexColor([0, 255, 0]),
            make_transparent: false,
            tolerance: 30.0,
        }
    }
}

/// Replace colours in one frame. d = RGB distance to the source (0–255 scale),
/// D = tolerance·1.73; where d ≤ D the pixel blends towards the target with weight
/// 1 − d/D (an exact match, including with D = 0, becomes the target: DECISIONS 11), or
/// becomes transparent.
pub fn replace_frame(
    px: &image::DynamicImage,
    s: &ReplaceColorSettings,
    cp: Checkpoint<'_>,
) -> Result<image::DynamicImage> {
    let mut p = Planes::from_dynamic(px);
    p.promote_to_rgb();
    if s.make_transparent {
        p.ensure_alpha();
    }
    let src = s.source_color.0.map(f32::from);
    let target = s.target_color.0.map(|v| f32::from(v) / 255.0);
    let limit = (s.tolerance * 1.73) as f32;
    let w = p.width as usize;
    for i in 0..p.len() {
        if i % w == 0 {
            cp()?;
        }
        let c = p.rgb(i);
        let d = c
            .iter()
            .zip(src)
            .map(|(v, s)| (v * 255.0 - s).powi(2))
            .sum::<f32>()
            .sqrt();
        // 8-bit samples are exact after the ×255; allow float noise for exact matches.
        let exact = d < 1e-3;
        if !exact && d > limit {
            continue;
        }
        if s.make_transparent {
            if let Some(a) = p.alpha.as_mut() {
                a[i] = 0.0;
            }
            continue;
        }
        let wgt = if exact { 1.0 } else { 1.0 - d / limit };
        let mut out = [0.0f32; 3];
        for k in 0..3 {
            out[k] = c[k] * (1.0 - wgt) + target[k] * wgt;
        }
        p.set_rgb(i, out);
    }
    Ok(p.into_dynamic())
}

/// Replace colours in every frame. Transparent results in a JPEG or GIF become PNG.
pub fn replace_color(image: Image, s: &ReplaceColorSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let mut out = image.try_map_frames(|px| replace_frame(px, s, cp))?;
    if s.make_transparent && matches!(out.output_format(), ImageFormat::Jpeg | ImageFormat::Gif) {
        out.encode = Some(EncodeSpec::new(ImageFormat::Png));
    }
    Ok(out)
}

static META: ToolMeta = ToolMeta {
    id: "replace-color",
    name: "Replace color",
    description: "Replace a colour (within a tolerance) by another, or make it transparent.",
    category: Category::Adjust,
    ..ToolMeta::ONE_IMAGE
};

/// The `replace-color` tool.
pub struct ReplaceColor;

impl Tool for ReplaceColor {
    type Settings = ReplaceColorSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &ReplaceColorSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(replace_color(
            image,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}
