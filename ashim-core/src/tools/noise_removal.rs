//! `noise-removal` (tools-creative-ai §19): four tiers. `quick` = bilateral on Lab L (and
//! a/b for colour noise), `balanced` = non-local means on L (and a/b), `quality` and
//! `maximum` = the waifu2x upconv_7 photo denoiser (noise level from the strength;
//! `maximum` one level stronger), blended with the original by strength, detail added
//! back, colour noise cleaned with NLM on a/b. Alpha is split off and put back; grey
//! inputs stay grey. Animated inputs: first frame.

use crate::ai::denoise::{self, Plane};
use crate::ai::{self, runtime, upscale as sr};
use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image, Quality, keep_format};
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use image::{DynamicImage, RgbImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Denoising tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Bilateral filter (fast).
    Quick,
    /// Non-local means.
    #[default]
    Balanced,
    /// waifu2x photo denoiser (AI).
    Quality,
    /// waifu2x photo denoiser one level stronger (AI).
    Maximum,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DenoiseFormat {
    /// Same as the input.
    #[default]
    Original,
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
    /// AVIF.
    Avif,
}

/// Settings of [`NoiseRemoval`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct NoiseRemovalSettings {
    /// Tier. Default balanced.
    pub tier: Tier,
    /// Strength 0–100. Default 50.
    #[schemars(range(min = 0, max = 100))]
    pub strength: f64,
    /// How much fine detail is kept, 0–100. Default 50.
    #[schemars(range(min = 0, max = 100))]
    pub detail_preservation: f64,
    /// Colour-noise clean-up 0–100. Default 30.
    #[schemars(range(min = 0, max = 100))]
    pub color_noise: f64,
    /// Output format. Default original (same as input).
    pub format: DenoiseFormat,
    /// Quality 1–100 for lossy formats. Default 90.
    #[schemars(range(min = 1, max = 100))]
    pub quality: u8,
}

impl Default for NoiseRemovalSettings {
    fn default() -> Self {
        Self {
            tier: Tier::Balanced,
            strength: 50.0,
            detail_preservation: 50.0,
            color_noise: 30.0,
            format: DenoiseFormat::Original,
            quality: 90,
        }
    }
}

/// The waifu2x noise level (0–3) a tier and strength ask for.
pub fn waifu2x_level(tier: Tier, strength: f64) -> u32 {
    let base = ((strength / 25.0).floor() as u32).min(3);
    match tier {
        Tier::Maximum => (base + 1).min(3),
        _ => base,
    }
}

fn nlm_ab(lab: &mut [Plane; 3], h: f32, tick: &mut dyn FnMut(f32) -> Result<()>) -> Result<()> {
    if h > 1.0 {
        for plane in lab.iter_mut().skip(1) {
            *plane = denoise::nlm(plane, h, 7, 21, tick)?;
        }
    }
    Ok(())
}

/// Denoise an RGB image with the settings' tier; `tick` reports progress and may cancel.
pub fn denoise_rgb(
    rgb: &RgbImage,
    s: &NoiseRemovalSettings,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<RgbImage> {
    let (st, detail, colour) = (
        s.strength as f32 / 100.0,
        s.detail_preservation as f32 / 100.0,
        s.color_noise as f32 / 100.0,
    );
    match s.tier {
        Tier::Quick => {
            let mut lab = denoise::to_lab(rgb);
            let d = (3.0 + 12.0 * st) as usize;
            let sigma = (20.0 + 130.0 * st) * (1.0 - 0.7 * detail);
            lab[0] = denoise::bilateral(&lab[0], d, sigma, sigma, tick)?;
            if colour > 0.0 {
                let d2 = ((0.7 * d as f32) as usize).max(3);
                for plane in lab.iter_mut().skip(1) {
                    *plane =
                        denoise::bilateral(plane, d2, sigma * colour * 0.7, sigma * 0.5, tick)?;
                }
            }
            Ok(denoise::from_lab(&lab))
        }
        Tier::Balanced => {
            let mut lab = denoise::to_lab(rgb);
            let h = 3.0 + 17.0 * st;
            let search = 21 - (10.0 * detail) as usize;
            let search = search | 1;
            lab[0] = denoise::nlm(&lab[0], h, 7, search, tick)?;
            nlm_ab(&mut lab, h * colour * 0.6, tick)?;
            Ok(denoise::from_lab(&lab))
        }
        Tier::Quality | Tier::Maximum => {
            let level = waifu2x_level(s.tier, s.strength);
            let model = runtime::model(&format!("waifu2x-noise{level}"), sr::BUNDLE)?;
            let big = sr::run_tiled(&model, rgb, sr::WAIFU2X, tick)?;
            let net = sr::half(&big);
            // Blend by strength, add detail back, clean colour noise.
            let orig = denoise::to_lab(rgb);
            let mut lab = denoise::to_lab(&net);
            let blurred = denoise::blur5(&orig[0]);
            for c in 0..3 {
                for i in 0..lab[c].data.len() {
                    let o = orig[c].data[i];
                    let mut v = o * (1.0 - st) + lab[c].data[i] * st;
                    if c == 0 {
                        v += (o - blurred.data[i]) * detail;
                    }
                    lab[c].data[i] = v.clamp(0.0, 255.0);
                }
            }
            if colour > 0.0 {
                nlm_ab(&mut lab, 3.0 + 12.0 * colour, tick)?;
            }
            Ok(denoise::from_lab(&lab))
        }
    }
}

/// Denoise the first frame of `image` (alpha kept, grey stays grey) and set the format.
pub fn noise_removal(
    mut image: Image,
    s: &NoiseRemovalSettings,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<Image> {
    let px = image.first();
    let grey = !px.color().has_color();
    let (rgb, alpha) = sr::split_alpha(px);
    let out = denoise_rgb(&rgb, s, tick)?;
    let joined = sr::join_alpha(out, alpha)?;
    let pixels = match (grey, joined.color().has_alpha()) {
        (true, true) => DynamicImage::ImageLumaA8(joined.to_luma_alpha8()),
        (true, false) => DynamicImage::ImageLuma8(joined.to_luma8()),
        (false, _) => joined,
    };
    image.frames.truncate(1);
    image.frames[0].pixels = pixels;
    let format = match s.format {
        DenoiseFormat::Original => keep_format(image.source_format),
        DenoiseFormat::Png => ImageFormat::Png,
        DenoiseFormat::Jpeg => ImageFormat::Jpeg,
        DenoiseFormat::Webp => ImageFormat::Webp,
        DenoiseFormat::Avif => ImageFormat::Avif,
    };
    let mut spec = EncodeSpec::new(format);
    if format != ImageFormat::Png {
        spec.quality = Quality::Value(s.quality);
    }
    image.encode = Some(spec);
    Ok(image)
}

static META: ToolMeta = ToolMeta {
    id: "noise-removal",
    name: "Noise Removal",
    description: "Remove noise and JPEG artefacts: bilateral, non-local means or the waifu2x AI denoiser.",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `noise-removal` tool.
pub struct NoiseRemoval;

impl Tool for NoiseRemoval {
    type Settings = NoiseRemovalSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        ai::availability(sr::BUNDLE)
    }

    fn run(&self, s: &NoiseRemovalSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        let mut tick = ai::ticker(ctx, "denoising", 0.05, 0.95);
        let out = noise_removal(image, s, &mut tick)?;
        Output::image_with(out, &serde_json::json!({"tier": s.tier}))
    }
}
