//! `adjust-colors` (and its aliases brightness-contrast, saturation, color-channels,
//! color-effects): brightness, contrast, exposure, saturation, temperature, tint, hue,
//! sharpness, channel gains and an effect, in one pass over every frame.

use crate::error::Result;
use crate::image::Image;
use crate::ops::colour::{self, Checkpoint, ColourAdjust, Effect};
use crate::ops::sharpen::SharpenParams;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The effect applied last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ColorEffect {
    /// No effect.
    #[default]
    None,
    /// Luminance grey, three equal channels.
    Grayscale,
    /// Warm brown tones.
    Sepia,
    /// Invert the colour channels (alpha is kept).
    Invert,
}

/// Settings of [`AdjustColors`]; every field is optional and neutral by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct AdjustColorsSettings {
    /// Lightness in percent: LCh L × (1 + b/100); −100 is black.
    #[schemars(range(min = -100, max = 100))]
    pub brightness: f64,
    /// Contrast about mid-grey: k = 1 + c/100.
    #[schemars(range(min = -100, max = 100))]
    pub contrast: f64,
    /// Gamma: below 0 darkens, above 0 brightens (g = 1 + 2|e|/100).
    #[schemars(range(min = -100, max = 100))]
    pub exposure: f64,
    /// Chroma in percent: LCh C × (1 + s/100); −100 is grey.
    #[schemars(range(min = -100, max = 100))]
    pub saturation: f64,
    /// Warmer (positive) or cooler (negative).
    #[schemars(range(min = -100, max = 100))]
    pub temperature: f64,
    /// Magenta (positive) or green (negative).
    #[schemars(range(min = -100, max = 100))]
    pub tint: f64,
    /// Degrees added to the LCh hue.
    #[schemars(range(min = -180, max = 180))]
    pub hue: f64,
    /// Adaptive sharpening strength (σ = 0.5 + 9.5·v/100); 0 is off.
    #[schemars(range(min = 0, max = 100))]
    pub sharpness: f64,
    /// Red gain in percent (100 = unchanged).
    #[schemars(range(min = 0, max = 200))]
    pub red: f64,
    /// Green gain in percent (100 = unchanged).
    #[schemars(range(min = 0, max = 200))]
    pub green: f64,
    /// Blue gain in percent (100 = unchanged).
    #[schemars(range(min = 0, max = 200))]
    pub blue: f64,
    /// `none`, `grayscale`, `sepia` or `invert`.
    pub effect: ColorEffect,
}

impl Default for AdjustColorsSettings {
    fn default() -> Self {
        Self {
            brightness: 0.0,
            contrast: 0.0,
            exposure: 0.0,
            saturation: 0.0,
            temperature: 0.0,
            tint: 0.0,
            hue: 0.0,
            sharpness: 0.0,
            red: 100.0,
            green: 100.0,
            blue: 100.0,
            effect: ColorEffect::None,
        }
    }
}

impl AdjustColorsSettings {
    /// The colour pass these settings ask for.
    pub fn colour_adjust(&self) -> ColourAdjust {
        ColourAdjust {
            brightness: self.brightness as f32,
            contrast: self.contrast as f32,
            exposure: self.exposure as f32,
            saturation: self.saturation as f32,
            temperature: self.temperature as f32,
            tint: self.tint as f32,
            hue: self.hue as f32,
            red: self.red as f32,
            green: self.green as f32,
            blue: self.blue as f32,
            effect: match self.effect {
                ColorEffect::None => Effect::None,
                ColorEffect::Grayscale => Effect::Grayscale,
                ColorEffect::Sepia => Effect::Sepia,
                ColorEffect::Invert => Effect::Invert,
            },
        }
    }

    /// The adaptive sharpen of `sharpness`, when it is on.
    pub fn sharpen(&self) -> Option<SharpenParams> {
        (self.sharpness > 0.0)
            .then(|| SharpenParams::library((0.5 + 9.5 * self.sharpness / 100.0) as f32))
    }
}

/// Apply the settings to every frame, keeping depth, alpha and timing.
pub fn adjust_colors(image: Image, s: &AdjustColorsSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let adj = s.colour_adjust();
    let sharpen = s.sharpen();
    image.try_map_frames(|px| colour::adjust_colours(px, &adj, sharpen.as_ref(), cp))
}

static META: ToolMeta = ToolMeta {
    id: "adjust-colors",
    name: "Adjust colors",
    description: "Brightness, contrast, exposure, saturation, temperature, hue, channels and effects.",
    category: Category::Adjust,
    aliases: &["brightness-contrast", "saturation", "color-channels", "color-effects"],
    ..ToolMeta::ONE_IMAGE
};

/// The `adjust-colors` tool.
pub struct AdjustColors;

impl Tool for AdjustColors {
    type Settings = AdjustColorsSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &AdjustColorsSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(adjust_colors(
            image,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}
