//! `image-enhancement`: automatic exposure, contrast, white balance, saturation, sharpness
//! and denoise corrections from image statistics, and `/analyze`, which reports them.

use crate::error::Result;
use crate::image::Image;
use crate::ops::colour::{self, Checkpoint, ColourAdjust, Planes, channel_stats, grey_entropy};
use crate::ops::sharpen::{self, SharpenParams};
use crate::tool::{Caps, Category, Inputs, Output, OutputKind, SubRoute, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of picture to tune the corrections for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EnhanceMode {
    /// Balanced corrections.
    #[default]
    Auto,
    /// Gentle contrast and saturation, more denoise.
    Portrait,
    /// Punchier contrast, saturation and detail.
    Landscape,
    /// Strong brightening and denoise.
    LowLight,
    /// Warm and saturated.
    Food,
    /// High contrast, no saturation change.
    Document,
}

/// Which corrections may run (each on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Corrections {
    /// Brightness from the exposure score.
    pub exposure: bool,
    /// Contrast.
    pub contrast: bool,
    /// Temperature from the colour-cast score.
    pub white_balance: bool,
    /// Saturation.
    pub saturation: bool,
    /// Adaptive sharpening.
    pub sharpness: bool,
    /// Median denoise.
    pub denoise: bool,
}

impl Default for Corrections {
    fn default() -> Self {
        Self {
            exposure: true,
            contrast: true,
            white_balance: true,
            saturation: true,
            sharpness: true,
            denoise: true,
        }
    }
}

/// Settings of [`ImageEnhancement`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct EnhancementSettings {
    /// `auto`, `portrait`, `landscape`, `low-light`, `food` or `document`.
    pub mode: EnhanceMode,
    /// Scale of every correction in percent of the default (50); 0 changes nothing.
    #[schemars(range(min = 0, max = 100))]
    pub intensity: f64,
    /// Which corrections may run.
    pub corrections: Corrections,
}

impl Default for EnhancementSettings {
    fn default() -> Self {
        Self {
            mode: EnhanceMode::Auto,
            intensity: 50.0,
            corrections: Corrections::default(),
        }
    }
}

/// Quality scores, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    /// Mean luminance (50 ≈ balanced).
    pub exposure: i32,
    /// Luminance spread (75 at a standard deviation of 60).
    pub contrast: i32,
    /// 50 minus the channel-mean spread (low = colour cast).
    pub white_balance: i32,
    /// Colourfulness.
    pub saturation: i32,
    /// Detail estimate.
    pub sharpness: i32,
    /// 100 − 20·(entropy − 5) (low = noisy).
    pub noise: i32,
}

/// Suggested corrections before mode and intensity scale them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuggestedCorrections {
    /// Brightness, −60…60.
    pub brightness: i32,
    /// Contrast, −40…40.
    pub contrast: i32,
    /// Temperature, −30…30.
    pub temperature: i32,
    /// Saturation, −20…30.
    pub saturation: i32,
    /// Sharpness, 0…50.
    pub sharpness: i32,
    /// Denoise strength: 0, 3 or 5.
    pub denoise: i32,
}

/// The `/analyze` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Scores.
    pub scores: Scores,
    /// Unscaled corrections.
    pub corrections: SuggestedCorrections,
    /// Problems found, in a fixed order: underexposed, overexposed, low-contrast,
    /// color-cast, desaturated, soft-focus, noisy.
    pub issues: Vec<String>,
    /// `low-light`, `document` or `auto`.
    pub suggested_mode: String,
}

fn score(v: f64) -> i32 {
    v.round().clamp(0.0, 100.0) as i32
}

fn clampi(v: f64, lo: i32, hi: i32) -> i32 {
    (v.round() as i32).clamp(lo, hi)
}

/// Analyse one frame (tools-essentials §15).
pub fn analyze(img: &DynamicImage) -> Analysis {
    let stats = channel_stats(img);
    let n = stats.len();
    let ch = |i: usize| stats[i.min(n - 1)];
    let (r, g, b) = (ch(0), ch(1), ch(2));
    let grey = n == 1;
    let mean_lum = 0.299 * r.mean + 0.587 * g.mean + 0.114 * b.mean;
    let stdev_lum = 0.299 * r.stdev + 0.587 * g.stdev + 0.114 * b.stdev;
    let means = [r.mean, g.mean, b.mean];
    let spread = means.iter().cloned().fold(f64::MIN, f64::max)
        - means.iter().cloned().fold(f64::MAX, f64::min);
    let entropy = grey_entropy(img);
    let scores = Scores {
        exposure: score(mean_lum / 255.0 * 100.0),
        contrast: score((1.0 - (stdev_lum - 60.0).abs() / 60.0) * 50.0 + 25.0),
        white_balance: if grey { 50 } else { score(50.0 - 0.8 * spread) },
        saturation: if grey { 50 } else { score(1.2 * spread + 20.0) },
        sharpness: score(0.8 * stdev_lum + 10.0),
        noise: score(100.0 - 20.0 * (entropy - 5.0)),
    };
    let s = scores;
    let f = f64::from;
    let corrections = SuggestedCorrections {
        brightness: clampi(1.2 * (50.0 - f(s.exposure)), -60, 60),
        contrast: clampi(0.8 * (50.0 - f(s.contrast)), -40, 40),
        temperature: clampi(0.5 * (50.0 - f(s.white_balance)), -30, 30),
        saturation: if s.saturation < 40 {
            clampi(0.6 * (40.0 - f(s.saturation)), 0, 30)
        } else if s.saturation > 60 {
            clampi(0.4 * (60.0 - f(s.saturation)), -20, 0)
        } else {
            0
        },
        sharpness: if s.sharpness < 40 {
            clampi(40.0 - f(s.sharpness), 0, 50)
        } else {
            0
        },
        denoise: if s.noise < 25 {
            5
        } else if s.noise < 35 {
            3
        } else {
            0
        },
    };
    let mut issues = Vec::new();
    let mut issue = |cond: bool, name: &str| {
        if cond {
            issues.push(name.to_string());
        }
    };
    issue(s.exposure < 35, "underexposed");
    issue(s.exposure > 70, "overexposed");
    issue(s.contrast < 35, "low-contrast");
    issue(s.white_balance < 35, "color-cast");
    issue(s.saturation < 30, "desaturated");
    issue(s.sharpness < 35, "soft-focus");
    issue(s.noise < 30, "noisy");
    let suggested_mode = if s.exposure < 30 {
        "low-light"
    } else if s.contrast > 60 && s.saturation < 30 {
        "document"
    } else {
        "auto"
    };
    Analysis {
        scores,
        corrections,
        issues,
        suggested_mode: suggested_mode.into(),
    }
}

/// Mode multipliers: brightness, contrast, temperature, saturation, sharpness, denoise.
fn multipliers(mode: EnhanceMode) -> [f64; 6] {
    match mode {
        EnhanceMode::Auto => [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        EnhanceMode::Portrait => [0.8, 0.7, 1.2, 0.6, 0.5, 1.5],
        EnhanceMode::Landscape => [1.0, 1.3, 1.0, 1.4, 1.5, 0.5],
        EnhanceMode::LowLight => [1.8, 1.5, 1.0, 0.8, 1.2, 2.0],
        EnhanceMode::Food => [0.8, 1.1, 1.3, 1.3, 1.2, 0.5],
        EnhanceMode::Document => [1.5, 2.0, 1.0, 0.0, 2.0, 2.0],
    }
}

/// The operations the settings derive from an analysis: the colour pass, the sharpen
/// and the median window (0 = none).
pub fn plan(a: &Analysis, s: &EnhancementSettings) -> (ColourAdjust, Option<SharpenParams>, u32) {
    let k = s.intensity / 50.0;
    let m = multipliers(s.mode);
    let c = &a.corrections;
    let on = &s.corrections;
    let adj = |enabled: bool, v: i32, mult: f64| {
        if enabled {
            f64::from(v) * mult * k
        } else {
            0.0
        }
    };
    let bright = adj(on.exposure, c.brightness, m[0]);
    let contrast = adj(on.contrast, c.contrast, m[1]);
    let temp = adj(on.white_balance, c.temperature, m[2]);
    let sat = adj(on.saturation, c.saturation, m[3]);
    let sharp = adj(on.sharpness, c.sharpness, m[4]);
    let denoise = adj(on.denoise, c.denoise, m[5]);
    let mut ca = ColourAdjust::default();
    if bright.abs() > 2.0 {
        ca.brightness = (((1.0 + bright / 100.0).clamp(0.2, 3.0) - 1.0) * 100.0) as f32;
    }
    if contrast.abs() > 2.0 {
        ca.contrast = contrast as f32;
    }
    if temp.abs() > 2.0 {
        ca.temperature = temp as f32;
    }
    if sat.abs() > 2.0 {
        ca.saturation = sat as f32;
    }
    let sharpen = (sharp > 2.0).then(|| SharpenParams::library((0.5 + 4.0 * sharp / 100.0) as f32));
    let window = if denoise >= 4.0 {
        5
    } else if denoise >= 2.0 {
        3
    } else {
        0
    };
    (ca, sharpen, window)
}

/// Enhance every frame with the corrections the first frame's analysis suggests.
pub fn enhance(image: Image, s: &EnhancementSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let analysis = analyze(image.first());
    let (adj, sharpen, window) = plan(&analysis, s);
    image.try_map_frames(|px| {
        let denoised;
        let px = if window > 0 {
            let mut p = Planes::from_dynamic(px);
            sharpen::median(&mut p, window, cp)?;
            denoised = p.into_dynamic();
            &denoised
        } else {
            px
        };
        colour::adjust_colours(px, &adj, sharpen.as_ref(), cp)
    })
}

static META: ToolMeta = ToolMeta {
    id: "image-enhancement",
    name: "Image enhancement",
    description: "Automatic exposure, contrast, white balance, saturation, sharpness and denoise.",
    category: Category::Adjust,
    ..ToolMeta::ONE_IMAGE
};

/// The `image-enhancement` tool.
pub struct ImageEnhancement;

impl Tool for ImageEnhancement {
    type Settings = EnhancementSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &EnhancementSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(enhance(
            image,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}

/// `/analyze` has no settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct AnalyzeSettings {}

static ANALYZE_META: ToolMeta = ToolMeta {
    id: "image-enhancement/analyze",
    name: "Image enhancement analysis",
    description: "Scores, suggested corrections and issues of an image, without changing it.",
    category: Category::Analysis,
    output: OutputKind::Json,
    caps: Caps::NONE,
    route: Some(SubRoute {
        parent: "image-enhancement",
        path: "analyze",
    }),
    ..ToolMeta::ONE_IMAGE
};

/// The `image-enhancement/analyze` sub-route.
pub struct ImageEnhancementAnalyze;

impl Tool for ImageEnhancementAnalyze {
    type Settings = AnalyzeSettings;

    fn meta(&self) -> &'static ToolMeta {
        &ANALYZE_META
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<Analysis>())
    }

    fn run(&self, _: &AnalyzeSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let image = inputs.image(0)?;
        Output::report(&analyze(image.first()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn dark() -> DynamicImage {
        RgbImage::from_fn(80, 60, |x, y| {
            Rgb([(x / 2) as u8 + 10, (y / 2) as u8 + 10, 25])
        })
        .into()
    }

    #[test]
    fn a_dark_image_gets_brighter_and_intensity_scales_the_plan() {
        let a = analyze(&dark());
        assert_eq!(a.suggested_mode, "low-light");
        assert_eq!(a.scores.exposure, 10);
        assert_eq!(a.corrections.brightness, 48);
        // Contrast about mid-grey darkens a dark image, so measure brightness alone.
        let s = EnhancementSettings {
            corrections: Corrections {
                contrast: false,
                ..Corrections::default()
            },
            ..EnhancementSettings::default()
        };
        let (adj, sharpen, window) = plan(&a, &s);
        assert_eq!((adj.brightness, adj.contrast, window), (48.0, 0.0, 0));
        assert!(sharpen.is_some());
        let out = enhance(Image::from_dynamic(dark()), &s, &colour::no_checkpoint).unwrap();
        let mean = |i: &DynamicImage| {
            i.to_rgb8()
                .as_raw()
                .iter()
                .map(|&v| f64::from(v))
                .sum::<f64>()
                / (80.0 * 60.0 * 3.0)
        };
        assert!(mean(out.first()) > mean(&dark()) + 5.0);
        let double = EnhancementSettings {
            intensity: 100.0,
            mode: EnhanceMode::LowLight,
            ..s
        };
        // 48 × 1.8 (low-light) × 2 (intensity 100).
        assert!((plan(&a, &double).0.brightness - 172.8).abs() < 1e-3);
    }
}
