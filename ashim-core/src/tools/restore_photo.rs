//! `restore-photo` (tools-creative-ai §21): the contract's classical steps, no model, so
//! not gated. 1. grayscale test; 2. scratches found by line-shaped opening/closing
//! morphology and filled by Telea inpainting (the contract's fallback for LaMa); 3. face
//! enhancement and 5. colorize need models no registry package ships (CodeFormer, DDColor)
//! and are reported as skipped; 4. non-local-means denoise on Lab L (a/b at half strength).

use crate::ai::denoise;
use crate::ai::{self, inpaint, restore};
use crate::error::{Error, Result};
use crate::image::{EncodeSpec, Image, Quality, keep_format};
use crate::naming::stem;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RestoreMode {
    /// Scratch threshold 130.
    #[default]
    Auto,
    /// Scratch threshold 170, denoise strength at most 30.
    Light,
    /// Scratch threshold 90, denoise strength at least 60.
    Heavy,
}

/// Settings of [`RestorePhoto`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct RestorePhotoSettings {
    /// Preset. Default auto.
    pub mode: RestoreMode,
    /// Find and fill scratches. Default true.
    pub scratch_removal: bool,
    /// Enhance faces (needs a face-restoration model; none ships, so it is skipped).
    pub face_enhancement: bool,
    /// Face-restoration fidelity 0–1. Default 0.7.
    #[schemars(range(min = 0, max = 1))]
    pub fidelity: f64,
    /// Denoise. Default true.
    pub denoise: bool,
    /// Denoise strength 0–100. Default 40.
    #[schemars(range(min = 0, max = 100))]
    pub denoise_strength: f64,
    /// Colorize grey photos (needs a colorization model; none ships, so it is skipped).
    pub colorize: bool,
}

impl Default for RestorePhotoSettings {
    fn default() -> Self {
        Self {
            mode: RestoreMode::Auto,
            scratch_removal: true,
            face_enhancement: true,
            fidelity: 0.7,
            denoise: true,
            denoise_strength: 40.0,
            colorize: false,
        }
    }
}

/// One skipped step and why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Skipped {
    /// Step name.
    pub step: &'static str,
    /// Why it did not run.
    pub reason: &'static str,
}

/// What restore-photo did (the envelope's extra fields).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// Steps that ran, in order.
    pub steps: Vec<&'static str>,
    /// Steps asked for that did not run.
    pub skipped: Vec<Skipped>,
    /// Share of the photo found scratched, percent (2 decimals).
    pub scratch_coverage: f64,
    /// Faces enhanced (0: no face model).
    pub faces_enhanced: u32,
    /// The photo is grey.
    pub is_grayscale: bool,
    /// Colour was added (never: no colorization model).
    pub colorized: bool,
}

const NO_FACE_MODEL: &str =
    "no face-restoration model (CodeFormer, GFPGAN) ships in a registry package";
const NO_COLOR_MODEL: &str = "no colorization model (DDColor) ships in a registry package";

/// Restore the first frame of `image`.
pub fn restore_photo(
    mut image: Image,
    s: &RestorePhotoSettings,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<(Image, RestoreReport)> {
    let (threshold, strength) = match s.mode {
        RestoreMode::Auto => (130u8, s.denoise_strength),
        RestoreMode::Light => (170, s.denoise_strength.min(30.0)),
        RestoreMode::Heavy => (90, s.denoise_strength.max(60.0)),
    };
    let px = image.first();
    let grey_input = !px.color().has_color();
    let (mut rgb, alpha) = ai::upscale::split_alpha(px);
    let is_grayscale = restore::channel_spread(&rgb) < 5.0;
    let mut steps = vec!["grayscale_check"];
    let mut skipped = Vec::new();
    let mut coverage = 0.0;
    if s.scratch_removal {
        let gray = DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
        let mask = restore::scratch_mask(&gray, threshold, &mut |f| tick(0.4 * f))?;
        coverage = restore::coverage(&mask);
        if coverage > 0.001 {
            rgb = inpaint::erase(&rgb, &mask);
            steps.push("scratch_removal");
        }
    }
    if s.face_enhancement {
        skipped.push(Skipped {
            step: "face_enhancement",
            reason: NO_FACE_MODEL,
        });
    }
    if s.denoise && strength > 0.0 {
        let mut lab = denoise::to_lab(&rgb);
        let h = 3.0 + 12.0 * strength as f32 / 100.0;
        lab[0] = denoise::nlm(&lab[0], h, 7, 21, &mut |f| tick(0.45 + 0.35 * f))?;
        if h / 2.0 > 1.0 {
            for plane in lab.iter_mut().skip(1) {
                *plane = denoise::nlm(plane, h / 2.0, 7, 21, &mut |f| tick(0.8 + 0.08 * f))?;
            }
        }
        rgb = denoise::from_lab(&lab);
        steps.push("denoise");
    }
    if s.colorize && is_grayscale {
        skipped.push(Skipped {
            step: "colorize",
            reason: NO_COLOR_MODEL,
        });
    }
    let joined = ai::upscale::join_alpha(rgb, alpha)?;
    let out = match (grey_input, joined.color().has_alpha()) {
        (true, true) => DynamicImage::ImageLumaA8(joined.to_luma_alpha8()),
        (true, false) => DynamicImage::ImageLuma8(joined.to_luma8()),
        (false, _) => joined,
    };
    let report = RestoreReport {
        width: out.width(),
        height: out.height(),
        steps,
        skipped,
        scratch_coverage: (coverage * 10000.0).round() / 100.0,
        faces_enhanced: 0,
        is_grayscale,
        colorized: false,
    };
    image.frames.truncate(1);
    image.frames[0].pixels = out;
    let format = keep_format(image.source_format);
    let mut spec = EncodeSpec::new(format);
    spec.quality = Quality::Value(95);
    image.encode = Some(spec);
    let base = image.name.as_deref().map(stem).unwrap_or("image").to_string();
    image.name = Some(format!("{base}_restored.{}", format.extension()));
    Ok((image, report))
}

static META: ToolMeta = ToolMeta {
    id: "restore-photo",
    name: "Restore Photo",
    description: "Repair old photos: find and fill scratches, reduce noise (classical, no model needed).",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `restore-photo` tool.
pub struct RestorePhoto;

impl Tool for RestorePhoto {
    type Settings = RestorePhotoSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &RestorePhotoSettings) -> Result<()> {
        if !(0.0..=1.0).contains(&s.fidelity) {
            return Err(Error::field("fidelity", "must be between 0 and 1"));
        }
        if !(0.0..=100.0).contains(&s.denoise_strength) {
            return Err(Error::field("denoiseStrength", "must be between 0 and 100"));
        }
        Ok(())
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<RestoreReport>())
    }

    fn run(&self, s: &RestorePhotoSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        let mut tick = ai::ticker(ctx, "restoring", 0.05, 0.95);
        let (out, report) = restore_photo(image, s, &mut tick)?;
        Output::image_with(out, &report)
    }
}
