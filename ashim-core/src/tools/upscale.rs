//! `upscale`: Real-ESRGAN (animevideov3 for `auto`, x4plus for `realesrgan`) run in tiles,
//! then resized to the exact requested scale; `lanczos` is a plain resize
//! (tools-creative-ai §13). Alpha is upscaled separately.

use crate::ai::{self, runtime, upscale as sr};
use crate::error::{Error, ErrorKind, Result};
use crate::image::Image;
use crate::ops::resize_exact;
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which upscaler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UpscaleModel {
    /// Real-ESRGAN animevideov3 (small, fast).
    #[default]
    Auto,
    /// Real-ESRGAN x4plus (66.9 MB, slow, sharpest; optional model).
    Realesrgan,
    /// Lanczos-3 resize (no model).
    Lanczos,
}

/// Settings of [`Upscale`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct UpscaleSettings {
    /// Scale factor 1–8 (rounded to 2 decimals). Default 2.
    #[schemars(range(min = 1, max = 8))]
    pub scale: f64,
    /// Upscaler. Default auto.
    pub model: UpscaleModel,
}

impl Default for UpscaleSettings {
    fn default() -> Self {
        Self {
            scale: 2.0,
            model: UpscaleModel::Auto,
        }
    }
}

/// Upscale the first frame by `s.scale`; `tick` gets the fraction done after each tile.
pub fn upscale(
    mut image: Image,
    s: &UpscaleSettings,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<Image> {
    let scale = (s.scale * 100.0).round() / 100.0;
    let px = image.first();
    let (w, h) = (px.width(), px.height());
    let (tw, th) = (
        ((w as f64 * scale).round() as u32).max(1),
        ((h as f64 * scale).round() as u32).max(1),
    );
    let out = match s.model {
        UpscaleModel::Lanczos => resize_exact(px, tw, th)?,
        m => {
            let (id, native) = match m {
                UpscaleModel::Realesrgan => ("realesrgan-x4plus", 4),
                _ if scale <= 2.0 => ("realesr-animevideov3-x2", 2),
                _ => ("realesr-animevideov3-x4", 4),
            };
            let model = runtime::model(id, sr::BUNDLE).map_err(|e| {
                if id == "realesrgan-x4plus" && e.kind() == ErrorKind::ModelNotInstalled {
                    Error::new(
                        ErrorKind::ModelNotInstalled,
                        "Requested model 'realesrgan' is not installed: run `ashim-server models install realesrgan-x4plus` (66.9 MB)",
                    )
                } else {
                    e
                }
            })?;
            let (rgb, alpha) = sr::split_alpha(px);
            let big = sr::run_tiled(&model, &rgb, sr::ESRGAN(native), tick)?;
            let big = sr::join_alpha(big, alpha)?;
            if big.width() == tw && big.height() == th {
                big
            } else {
                resize_exact(&big, tw, th)?
            }
        }
    };
    image.frames.truncate(1);
    image.frames[0].pixels = out;
    Ok(image)
}

static META: ToolMeta = ToolMeta {
    id: "upscale",
    name: "Upscale",
    description: "Enlarge an image 1–8× with AI super-resolution (Real-ESRGAN) or Lanczos.",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `upscale` tool.
pub struct Upscale;

impl Tool for Upscale {
    type Settings = UpscaleSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        ai::availability(sr::BUNDLE)
    }

    fn run(&self, s: &UpscaleSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        // Refuse an output over MAX_CANVAS_PIXELS before loading a model or any pixel work.
        let h = inputs.header(0)?;
        let scaled = |v: u32| (f64::from(v) * s.scale).round().min(f64::from(u32::MAX)) as u32;
        ctx.check_canvas(scaled(h.width), scaled(h.height))?;
        let image = inputs.image(0)?;
        let mut tick = ai::ticker(ctx, "upscaling", 0.05, 0.95);
        let out = upscale(image, s, &mut tick)?;
        let method = if s.model == UpscaleModel::Lanczos { "lanczos" } else { "realesrgan" };
        let extra = serde_json::json!({"width": out.width(), "height": out.height(), "method": method});
        Output::image_with(out, &extra)
    }
}
