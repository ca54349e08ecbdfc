//! `watermark-text` (tools-creative-ai §1): draw shaped text over every frame, at a corner,
//! the centre or tiled, with colour, opacity and rotation. The face is the bundled DejaVu
//! Sans (see [`ops::text`](crate::ops::text)).

use crate::error::Result;
use crate::image::Image;
use crate::ops::colour::{Checkpoint, Planes};
use crate::ops::text::{Placement, TextMask, TextWeight, paint_mask, render_line};
use crate::settings::HexColor;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TextPosition {
    /// Centred on the image.
    #[default]
    Center,
    /// Top-left corner.
    TopLeft,
    /// Top-right corner.
    TopRight,
    /// Bottom-left corner.
    BottomLeft,
    /// Bottom-right corner.
    BottomRight,
    /// Repeated on a grid over the whole image.
    Tiled,
}

/// Settings of [`WatermarkText`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WatermarkTextSettings {
    /// The text (1–500 characters; required).
    #[schemars(length(min = 1, max = 500))]
    pub text: String,
    /// Font size in pixels, 8–1000. Default 48.
    #[serde(default = "default_size")]
    #[schemars(range(min = 8.0, max = 1000.0))]
    pub font_size: f64,
    /// Text colour. Default `#000000`.
    #[serde(default = "black")]
    pub color: HexColor,
    /// Opacity in percent, 0–100. Default 50.
    #[serde(default = "half")]
    #[schemars(range(min = 0.0, max = 100.0))]
    pub opacity: f64,
    /// Placement. Default `center`.
    #[serde(default)]
    pub position: TextPosition,
    /// Clockwise rotation in degrees about the anchor, −360–360. Default 0.
    #[serde(default)]
    #[schemars(range(min = -360.0, max = 360.0))]
    pub rotation: f64,
}

fn default_size() -> f64 {
    48.0
}
fn black() -> HexColor {
    HexColor::BLACK
}
fn half() -> f64 {
    50.0
}

/// Horizontal alignment of a line at its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Centre,
    Right,
}

/// At most this many tiled copies.
const MAX_TILES: usize = 500;

/// The baseline anchors of the text on a `w`×`h` image, with their alignment
/// (tools-creative-ai §1).
fn anchors(s: &WatermarkTextSettings, w: f32, h: f32) -> Vec<((f32, f32), Align)> {
    let fs = s.font_size as f32;
    let pad = fs;
    match s.position {
        TextPosition::TopLeft => vec![((pad, 2.0 * fs), Align::Left)],
        TextPosition::TopRight => vec![((w - pad, 2.0 * fs), Align::Right)],
        TextPosition::BottomLeft => vec![((pad, h - pad), Align::Left)],
        TextPosition::BottomRight => vec![((w - pad, h - pad), Align::Right)],
        TextPosition::Center => vec![((w / 2.0, h / 2.0), Align::Centre)],
        TextPosition::Tiled => {
            let (sx, sy) = (6.0 * fs, 4.0 * fs);
            let mut out = Vec::new();
            let mut y = 0.0;
            'rows: while y < h + sy {
                let mut x = 0.0;
                while x < w + sx {
                    if out.len() == MAX_TILES {
                        break 'rows;
                    }
                    out.push(((x, y), Align::Left));
                    x += sx;
                }
                y += sy;
            }
            out
        }
    }
}

fn place(mask: &TextMask, anchor: (f32, f32), align: Align, rotation: f32) -> Placement {
    let dx = match align {
        Align::Left => 0.0,
        Align::Centre => mask.advance / 2.0,
        Align::Right => mask.advance,
    };
    Placement {
        origin: (anchor.0 - dx, anchor.1),
        rotation,
        pivot: anchor,
    }
}

fn unit(c: HexColor) -> [f32; 3] {
    c.0.map(|v| f32::from(v) / 255.0)
}

/// Draw the watermark on every frame of `image`.
pub fn watermark_text(image: Image, s: &WatermarkTextSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let mask = render_line(&s.text, s.font_size as f32, TextWeight::Regular)?;
    let alpha = (s.opacity / 100.0).clamp(0.0, 1.0) as f32;
    let colour = unit(s.color);
    image.try_map_frames(|px| {
        let mut p = Planes::from_dynamic(px);
        let spots = anchors(s, p.width as f32, p.height as f32);
        for (anchor, align) in spots {
            let at = place(&mask, anchor, align, s.rotation as f32);
            paint_mask(&mut p, &mask, at, colour, alpha, cp)?;
        }
        Ok(p.into_dynamic())
    })
}

static META: ToolMeta = ToolMeta {
    id: "watermark-text",
    name: "Text watermark",
    description: "Draw text over an image at a corner, the centre or tiled, with opacity and rotation.",
    category: Category::Overlay,
    ..ToolMeta::ONE_IMAGE
};

/// The `watermark-text` tool.
pub struct WatermarkText;

impl Tool for WatermarkText {
    type Settings = WatermarkTextSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &WatermarkTextSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        Ok(Output::Image(watermark_text(image, settings, &|| {
            ctx.checkpoint()
        })?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(position: TextPosition) -> WatermarkTextSettings {
        WatermarkTextSettings {
            text: "x".into(),
            font_size: 10.0,
            color: HexColor::BLACK,
            opacity: 50.0,
            position,
            rotation: 0.0,
        }
    }

    #[test]
    fn anchors_follow_the_contract() {
        let a = |p| anchors(&settings(p), 200.0, 150.0);
        assert_eq!(a(TextPosition::TopLeft), vec![((10.0, 20.0), Align::Left)]);
        assert_eq!(a(TextPosition::BottomRight), vec![((190.0, 140.0), Align::Right)]);
        assert_eq!(a(TextPosition::Center), vec![((100.0, 75.0), Align::Centre)]);
        // Grid: x = 0, 60, ..., 240 (5 columns), y = 0, 40, ..., 160 (5 rows).
        assert_eq!(a(TextPosition::Tiled).len(), 25);
        let many = anchors(&settings(TextPosition::Tiled), 10000.0, 10000.0);
        assert_eq!(many.len(), MAX_TILES);
    }
}
