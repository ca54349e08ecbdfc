//! `watermark-image` (tools-creative-ai §3): place a logo (the `watermark` part) on every
//! frame of the main image, scaled to a share of its width, at a corner or the centre.

use crate::error::{Error, Result};
use crate::image::Image;
use crate::ops;
use crate::tool::{Caps, Category, Inputs, Output, SlotSpec, Tool, ToolMeta};
use image::{DynamicImage, GenericImageView};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the mark goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// Centred.
    Center,
    /// 20 px from the top and left edges.
    TopLeft,
    /// 20 px from the top and right edges.
    TopRight,
    /// 20 px from the bottom and left edges.
    BottomLeft,
    /// 20 px from the bottom and right edges.
    #[default]
    BottomRight,
}

/// Settings of [`WatermarkImage`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct WatermarkImageSettings {
    /// Where to place the mark. Default `bottom-right`.
    pub position: Position,
    /// Opacity of the mark in percent, 0–100. Default 50.
    #[schemars(range(min = 0.0, max = 100.0))]
    pub opacity: f64,
    /// Width of the mark as a percentage of the main image's width, 1–100. Default 25.
    #[schemars(range(min = 1.0, max = 100.0))]
    pub scale: f64,
}

impl Default for WatermarkImageSettings {
    fn default() -> Self {
        Self {
            position: Position::BottomRight,
            opacity: 50.0,
            scale: 25.0,
        }
    }
}

const MARGIN: i64 = 20;

impl WatermarkImageSettings {
    /// Size of the scaled mark and its top-left corner on a `w`×`h` main image, for a mark
    /// of `mw`×`mh`. A mark larger than the main image is a 422.
    pub fn plan(&self, (w, h): (u32, u32), (mw, mh): (u32, u32)) -> Result<((u32, u32), (i64, i64))> {
        let tw = ((f64::from(w) * self.scale / 100.0).round() as u32).max(1);
        let th = ((f64::from(mh) * f64::from(tw) / f64::from(mw.max(1))).round() as u32).max(1);
        if tw > w || th > h {
            return Err(Error::unprocessable(format!(
                "The watermark ({tw}x{th} after scaling) is larger than the image ({w}x{h})"
            )));
        }
        let (w, h, tw64, th64) = (i64::from(w), i64::from(h), i64::from(tw), i64::from(th));
        let far_x = (w - tw64 - MARGIN).max(0);
        let far_y = (h - th64 - MARGIN).max(0);
        let at = match self.position {
            Position::TopLeft => (MARGIN, MARGIN),
            Position::TopRight => (far_x, MARGIN),
            Position::BottomLeft => (MARGIN, far_y),
            Position::BottomRight => (far_x, far_y),
            Position::Center => (
                ((w - tw64) as f64 / 2.0).round().max(0.0) as i64,
                ((h - th64) as f64 / 2.0).round().max(0.0) as i64,
            ),
        };
        Ok(((tw, th), at))
    }
}

/// Put `mark` on every frame of `main`.
pub fn watermark_image(main: Image, mark: &DynamicImage, s: &WatermarkImageSettings) -> Result<Image> {
    let ((tw, th), (x, y)) = s.plan((main.width(), main.height()), mark.dimensions())?;
    let mut scaled = ops::resize_exact(&DynamicImage::ImageRgba8(mark.to_rgba8()), tw, th)?.to_rgba8();
    let factor = (s.opacity / 100.0).clamp(0.0, 1.0);
    if factor < 1.0 {
        for p in scaled.pixels_mut() {
            p.0[3] = (f64::from(p.0[3]) * factor).round() as u8;
        }
    }
    let scaled = DynamicImage::ImageRgba8(scaled);
    main.try_map_frames(|px| {
        let mut canvas = px.to_rgba8();
        ops::composite_onto(&mut canvas, &scaled, x, y);
        let out = DynamicImage::ImageRgba8(canvas);
        Ok(if px.color().has_alpha() {
            out
        } else {
            DynamicImage::ImageRgb8(out.to_rgb8())
        })
    })
}

static META: ToolMeta = ToolMeta {
    id: "watermark-image",
    name: "Image watermark",
    description: "Place a logo image on a photo, scaled, at a corner or the centre, with opacity.",
    category: Category::Overlay,
    slots: &[
        SlotSpec {
            description: "The main image.",
            ..SlotSpec::IMAGE
        },
        SlotSpec::named_image("watermark", "The mark to place on the main image."),
    ],
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `watermark-image` tool.
pub struct WatermarkImage;

impl Tool for WatermarkImage {
    type Settings = WatermarkImageSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &WatermarkImageSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let mark_size = {
            let h = inputs.named_header("watermark")?;
            h.oriented_size()
        };
        let main = inputs.header(0)?.oriented_size();
        settings.plan(main, mark_size)?;
        let mark = inputs.named_image("watermark")?;
        let main = inputs.image(0)?;
        Ok(Output::Image(watermark_image(main, mark.first(), settings)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_follows_the_contract() {
        let s = |position, scale| WatermarkImageSettings {
            position,
            scale,
            opacity: 50.0,
        };
        let plan = |st: WatermarkImageSettings| st.plan((200, 150), (100, 100)).unwrap();
        assert_eq!(plan(s(Position::BottomRight, 25.0)), ((50, 50), (130, 80)));
        assert_eq!(plan(s(Position::TopLeft, 25.0)), ((50, 50), (20, 20)));
        assert_eq!(plan(s(Position::Center, 25.0)), ((50, 50), (75, 50)));
        assert!(s(Position::Center, 100.0).plan((200, 150), (100, 100)).is_err());
        assert_eq!(s(Position::Center, 50.0).plan((1, 1), (100, 100)).unwrap().0, (1, 1));
    }
}
