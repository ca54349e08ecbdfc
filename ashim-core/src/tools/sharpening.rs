//! `sharpening`: adaptive sharpen, unsharp mask or a high-pass kernel, with an optional
//! median denoise first.

use crate::error::{Error, Result};
use crate::image::Image;
use crate::ops::colour::{Checkpoint, Planes};
use crate::ops::sharpen::{self, SharpenParams};
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How to sharpen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SharpenMethod {
    /// libvips-style adaptive sharpen of the Lab lightness (`sigma`, `m1`, `m2`, `x1`, `y2`, `y3`).
    #[default]
    Adaptive,
    /// Classic unsharp mask (`amount`, `radius`, `threshold`).
    UnsharpMask,
    /// A 3×3 or 5×5 high-pass kernel (`strength`, `kernelSize`).
    HighPass,
}

/// Median denoise applied before sharpening.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Denoise {
    /// No denoise.
    #[default]
    Off,
    /// 3×3 median.
    Light,
    /// 5×5 median.
    Medium,
    /// 7×7 median.
    Strong,
}

impl Denoise {
    /// Median window side (0 = off).
    pub fn window(self) -> u32 {
        match self {
            Self::Off => 0,
            Self::Light => 3,
            Self::Medium => 5,
            Self::Strong => 7,
        }
    }
}

/// Settings of [`Sharpening`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SharpeningSettings {
    /// `adaptive` (default), `unsharp-mask` or `high-pass`.
    pub method: SharpenMethod,
    /// Adaptive: Gaussian σ in pixels.
    #[schemars(range(min = 0.5, max = 10))]
    pub sigma: f64,
    /// Adaptive: slope for flat areas.
    #[schemars(range(min = 0, max = 10))]
    pub m1: f64,
    /// Adaptive: slope for jaggy areas.
    #[schemars(range(min = 0, max = 20))]
    pub m2: f64,
    /// Adaptive: flat/jaggy threshold (L units).
    #[schemars(range(min = 0, max = 10))]
    pub x1: f64,
    /// Adaptive: largest brightening (L units).
    #[schemars(range(min = 0, max = 50))]
    pub y2: f64,
    /// Adaptive: largest darkening (L units).
    #[schemars(range(min = 0, max = 50))]
    pub y3: f64,
    /// Unsharp mask: strength in percent.
    #[schemars(range(min = 0, max = 1000))]
    pub amount: f64,
    /// Unsharp mask: blur radius (σ) in pixels.
    #[schemars(range(min = 0.1, max = 5))]
    pub radius: f64,
    /// Unsharp mask: details smaller than this (0–255) are left alone.
    #[schemars(range(min = 0, max = 255))]
    pub threshold: f64,
    /// High-pass: strength in percent.
    #[schemars(range(min = 0, max = 100))]
    pub strength: f64,
    /// High-pass: kernel side, 3 or 5.
    #[schemars(extend("enum" = [3, 5]))]
    pub kernel_size: u32,
    /// Median denoise first: `off`, `light`, `medium` or `strong`.
    pub denoise: Denoise,
}

impl Default for SharpeningSettings {
    fn default() -> Self {
        Self {
            method: SharpenMethod::Adaptive,
            sigma: 1.0,
            m1: 1.0,
            m2: 3.0,
            x1: 2.0,
            y2: 12.0,
            y3: 20.0,
            amount: 100.0,
            radius: 1.0,
            threshold: 0.0,
            strength: 50.0,
            kernel_size: 3,
            denoise: Denoise::Off,
        }
    }
}

/// Sharpen one frame.
pub fn sharpen_frame(
    px: &image::DynamicImage,
    s: &SharpeningSettings,
    cp: Checkpoint<'_>,
) -> Result<image::DynamicImage> {
    let mut p = Planes::from_dynamic(px);
    sharpen::median(&mut p, s.denoise.window(), cp)?;
    match s.method {
        SharpenMethod::Adaptive => {
            let params = SharpenParams {
                sigma: s.sigma as f32,
                m1: s.m1 as f32,
                m2: s.m2 as f32,
                x1: s.x1 as f32,
                y2: s.y2 as f32,
                y3: s.y3 as f32,
            };
            sharpen::adaptive_sharpen(&mut p, &params, cp)?;
        }
        SharpenMethod::UnsharpMask => {
            let params =
                SharpenParams::unsharp(s.amount as f32, s.radius as f32, s.threshold as f32);
            sharpen::adaptive_sharpen(&mut p, &params, cp)?;
        }
        SharpenMethod::HighPass => {
            let k = sharpen::high_pass_kernel(s.kernel_size, (s.strength / 100.0) as f32);
            sharpen::convolve(&mut p, &k, cp)?;
        }
    }
    Ok(p.into_dynamic())
}

/// Sharpen every frame.
pub fn sharpening(image: Image, s: &SharpeningSettings, cp: Checkpoint<'_>) -> Result<Image> {
    image.try_map_frames(|px| sharpen_frame(px, s, cp))
}

static META: ToolMeta = ToolMeta {
    id: "sharpening",
    name: "Sharpening",
    description: "Sharpen with an adaptive sharpen, an unsharp mask or a high-pass kernel.",
    category: Category::Adjust,
    ..ToolMeta::ONE_IMAGE
};

/// The `sharpening` tool.
pub struct Sharpening;

impl Tool for Sharpening {
    type Settings = SharpeningSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &SharpeningSettings) -> Result<()> {
        if s.kernel_size != 3 && s.kernel_size != 5 {
            return Err(Error::field("kernelSize", "must be 3 or 5"));
        }
        Ok(())
    }

    fn run(&self, settings: &SharpeningSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(sharpening(
            image,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}
