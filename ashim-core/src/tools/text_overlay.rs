//! `text-overlay` (tools-creative-ai §2): one line of shaped text centred at the top, the
//! centre or the bottom, with an optional background band and a soft drop shadow.

use crate::error::Result;
use crate::image::Image;
use crate::ops::colour::{Checkpoint, Planes};
use crate::ops::gaussian_plane;
use crate::ops::text::{Placement, TextMask, TextWeight, over_pixel, paint_mask, render_line};
use crate::settings::HexColor;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Vertical position of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OverlayPosition {
    /// Centred on y = 2·fontSize.
    Top,
    /// Centred on the middle of the image.
    Center,
    /// Centred on y = height − fontSize.
    #[default]
    Bottom,
}

/// Settings of [`TextOverlay`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TextOverlaySettings {
    /// The text (1–500 characters; required).
    #[schemars(length(min = 1, max = 500))]
    pub text: String,
    /// Font size in pixels, 8–200. Default 48.
    #[serde(default = "default_size")]
    #[schemars(range(min = 8.0, max = 200.0))]
    pub font_size: f64,
    /// Text colour. Default `#FFFFFF`.
    #[serde(default = "white")]
    pub color: HexColor,
    /// Vertical position. Default `bottom`.
    #[serde(default)]
    pub position: OverlayPosition,
    /// Draw a full-width band behind the text. Default false.
    #[serde(default)]
    pub background_box: bool,
    /// Colour of the band (drawn at 70 % opacity). Default `#000000`.
    #[serde(default = "black")]
    pub background_color: HexColor,
    /// Soft black shadow offset by (+2, +2) px. Default true.
    #[serde(default = "yes")]
    pub shadow: bool,
}

fn default_size() -> f64 {
    48.0
}
fn white() -> HexColor {
    HexColor::WHITE
}
fn black() -> HexColor {
    HexColor::BLACK
}
fn yes() -> bool {
    true
}

const SHADOW_SIGMA: f32 = 3.0;
const SHADOW_OFFSET: f32 = 2.0;
const SHADOW_ALPHA: f32 = 0.7;
const BAND_ALPHA: f32 = 0.7;

fn unit(c: HexColor) -> [f32; 3] {
    c.0.map(|v| f32::from(v) / 255.0)
}

fn centre_y(s: &TextOverlaySettings, h: f32) -> f32 {
    let fs = s.font_size as f32;
    match s.position {
        OverlayPosition::Top => 2.0 * fs,
        OverlayPosition::Center => h / 2.0,
        OverlayPosition::Bottom => h - fs,
    }
}

/// The shadow: the text mask padded by 3σ and blurred.
fn shadow_mask(mask: &TextMask, cp: Checkpoint<'_>) -> Result<TextMask> {
    let mut m = mask.padded((3.0 * SHADOW_SIGMA).ceil() as u32);
    m.coverage = gaussian_plane(
        &m.coverage,
        m.width as usize,
        m.height as usize,
        SHADOW_SIGMA,
        cp,
    )?;
    Ok(m)
}

/// Draw the overlay on every frame of `image`.
pub fn text_overlay(image: Image, s: &TextOverlaySettings, cp: Checkpoint<'_>) -> Result<Image> {
    let fs = s.font_size as f32;
    let mask = render_line(&s.text, fs, TextWeight::Regular)?;
    let shadow = if s.shadow {
        Some(shadow_mask(&mask, cp)?)
    } else {
        None
    };
    image.try_map_frames(|px| {
        let mut p = Planes::from_dynamic(px);
        let (w, h) = (p.width as f32, p.height as f32);
        let cy = centre_y(s, h);
        if s.background_box {
            let colour = unit(s.background_color);
            let c = colour;
            if p.is_grey() && !(c[0] == c[1] && c[1] == c[2]) {
                p.promote_to_rgb();
            }
            let top = (cy - 0.9 * fs).round().max(0.0) as usize;
            let bottom = ((cy - 0.9 * fs + 1.8 * fs).round().max(0.0) as usize).min(p.height as usize);
            let width = p.width as usize;
            for y in top..bottom {
                cp()?;
                for x in 0..width {
                    over_pixel(&mut p, y * width + x, colour, BAND_ALPHA);
                }
            }
        }
        // Baseline so that the line's x-height box is centred on `cy`.
        let origin = (w / 2.0 - mask.advance / 2.0, cy + 0.36 * fs);
        if let Some(sh) = &shadow {
            let at = Placement {
                origin: (origin.0 + SHADOW_OFFSET, origin.1 + SHADOW_OFFSET),
                rotation: 0.0,
                pivot: origin,
            };
            paint_mask(&mut p, sh, at, [0.0; 3], SHADOW_ALPHA, cp)?;
        }
        let at = Placement {
            origin,
            rotation: 0.0,
            pivot: origin,
        };
        paint_mask(&mut p, &mask, at, unit(s.color), 1.0, cp)?;
        Ok(p.into_dynamic())
    })
}

static META: ToolMeta = ToolMeta {
    id: "text-overlay",
    name: "Text overlay",
    description: "Put one line of text at the top, centre or bottom, with a band and a shadow.",
    category: Category::Overlay,
    ..ToolMeta::ONE_IMAGE
};

/// The `text-overlay` tool.
pub struct TextOverlay;

impl Tool for TextOverlay {
    type Settings = TextOverlaySettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &TextOverlaySettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(text_overlay(image, settings, &|| {
            ctx.checkpoint()
        })?))
    }
}
