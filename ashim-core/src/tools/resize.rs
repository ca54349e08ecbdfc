//! `resize`: scale to a box with five fit modes, by percentage or to a social-media preset.

use crate::error::{Error, Result};
use crate::image::Image;
use crate::ops;
use crate::settings::HexColor;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the image fits the target box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Keep the aspect ratio, fit inside the box, pad the rest with `background`.
    #[default]
    Contain,
    /// Keep the aspect ratio, cover the box, crop the overflow (centred).
    Cover,
    /// Stretch to exactly the box.
    Fill,
    /// Keep the aspect ratio, largest size within the box, no padding.
    Inside,
    /// Keep the aspect ratio, smallest size covering the box, no cropping.
    Outside,
}

/// Social-media sizes (width × height, cropped to cover unless `fit` says otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Preset {
    InstagramPost,
    InstagramStory,
    InstagramProfile,
    InstagramLandscape,
    InstagramPortrait,
    TwitterPost,
    TwitterHeader,
    TwitterProfile,
    FacebookPost,
    FacebookCover,
    FacebookProfile,
    FacebookEvent,
    YoutubeThumbnail,
    YoutubeBanner,
    YoutubeProfile,
    LinkedinPost,
    LinkedinBanner,
    LinkedinProfile,
    TiktokCover,
    TiktokProfile,
    WhatsappProfile,
    PinterestPin,
    ThreadsPost,
}

impl Preset {
    /// Width and height in pixels.
    pub const fn size(self) -> (u32, u32) {
        use Preset::*;
        match self {
            InstagramPost | ThreadsPost => (1080, 1080),
            InstagramStory | TiktokCover => (1080, 1920),
            InstagramProfile => (320, 320),
            InstagramLandscape => (1080, 566),
            InstagramPortrait => (1080, 1350),
            TwitterPost => (1200, 675),
            TwitterHeader => (1500, 500),
            TwitterProfile | LinkedinProfile => (400, 400),
            FacebookPost => (1200, 630),
            FacebookCover => (820, 312),
            FacebookProfile => (170, 170),
            FacebookEvent => (1920, 1005),
            YoutubeThumbnail => (1280, 720),
            YoutubeBanner => (2560, 1440),
            YoutubeProfile => (800, 800),
            LinkedinPost => (1200, 627),
            LinkedinBanner => (1584, 396),
            TiktokProfile => (200, 200),
            WhatsappProfile => (500, 500),
            PinterestPin => (1000, 1500),
        }
    }
}

/// Settings of [`Resize`]. At least one of width, height, percentage or preset is needed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
#[schemars(example = serde_json::json!({"width": 800}))]
pub struct ResizeSettings {
    /// Target width in pixels. With only one of width/height the other follows the aspect ratio.
    #[schemars(range(min = 1))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Target height in pixels.
    #[schemars(range(min = 1))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Fit mode when both sides are given. Default `contain` (`cover` with a preset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fit>,
    /// Never make the image larger than it is. Default false.
    pub without_enlargement: bool,
    /// Scale both sides by this percentage; wins over width, height and preset.
    #[schemars(extend("exclusiveMinimum" = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
    /// A named social-media size; wins over width and height.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
    /// Padding colour for `contain`. Default `#000000` (opaque, as sharp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<HexColor>,
}

/// The geometry a resize will produce, computed from the source size alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Size the image is scaled to (before cropping or padding).
    pub scaled: (u32, u32),
    /// Final canvas size.
    pub canvas: (u32, u32),
    /// Cover: crop the scaled image to the canvas. Contain: pad it.
    pub mode: Fit,
}

fn round_dim(v: f64) -> u32 {
    (v.round() as u32).max(1)
}

impl ResizeSettings {
    /// Work out the output geometry for a `sw`×`sh` source.
    pub fn plan(&self, sw: u32, sh: u32) -> Result<Plan> {
        let (fsw, fsh) = (f64::from(sw), f64::from(sh));
        let mut fit = self.fit.unwrap_or(Fit::Contain);
        let (mut tw, mut th) = (self.width, self.height);
        if let Some(p) = self.percentage {
            tw = Some(round_dim(fsw * p / 100.0));
            th = Some(round_dim(fsh * p / 100.0));
            fit = Fit::Fill;
        } else if let Some(preset) = self.preset {
            let (w, h) = preset.size();
            tw = Some(w);
            th = Some(h);
            fit = self.fit.unwrap_or(Fit::Cover);
        }
        if self.without_enlargement {
            tw = tw.map(|w| w.min(sw));
            th = th.map(|h| h.min(sh));
        }
        let cap = |s: f64| {
            if self.without_enlargement {
                s.min(1.0)
            } else {
                s
            }
        };
        let plan = match (tw, th) {
            (None, None) => {
                return Err(Error::unprocessable(
                    "Resize requires width, height, or percentage",
                ));
            }
            (Some(w), None) => {
                let s = cap(f64::from(w) / fsw);
                let d = (round_dim(fsw * s), round_dim(fsh * s));
                Plan {
                    scaled: d,
                    canvas: d,
                    mode: Fit::Fill,
                }
            }
            (None, Some(h)) => {
                let s = cap(f64::from(h) / fsh);
                let d = (round_dim(fsw * s), round_dim(fsh * s));
                Plan {
                    scaled: d,
                    canvas: d,
                    mode: Fit::Fill,
                }
            }
            (Some(w), Some(h)) => {
                let (sx, sy) = (f64::from(w) / fsw, f64::from(h) / fsh);
                match fit {
                    Fit::Fill => {
                        let d = (round_dim(fsw * cap(sx)), round_dim(fsh * cap(sy)));
                        Plan {
                            scaled: d,
                            canvas: d,
                            mode: Fit::Fill,
                        }
                    }
                    Fit::Inside | Fit::Contain => {
                        let s = cap(sx.min(sy));
                        let d = (
                            round_dim(fsw * s).min(w.max(1)),
                            round_dim(fsh * s).min(h.max(1)),
                        );
                        let canvas = if fit == Fit::Contain { (w, h) } else { d };
                        Plan {
                            scaled: d,
                            canvas,
                            mode: fit,
                        }
                    }
                    Fit::Outside => {
                        let s = cap(sx.max(sy));
                        let d = (round_dim(fsw * s), round_dim(fsh * s));
                        Plan {
                            scaled: d,
                            canvas: d,
                            mode: Fit::Fill,
                        }
                    }
                    Fit::Cover => {
                        let s = cap(sx.max(sy));
                        let d = (round_dim(fsw * s).max(1), round_dim(fsh * s).max(1));
                        Plan {
                            scaled: d,
                            canvas: (w.min(d.0), h.min(d.1)),
                            mode: Fit::Cover,
                        }
                    }
                }
            }
        };
        Ok(plan)
    }
}

fn apply(px: &DynamicImage, plan: &Plan, background: [u8; 4]) -> Result<DynamicImage> {
    let (dw, dh) = (f64::from(px.width()), f64::from(px.height()));
    match plan.mode {
        Fit::Cover => {
            // Crop and scale in one pass: map the centred canvas window back to the source.
            let (sw, sh) = (f64::from(plan.scaled.0), f64::from(plan.scaled.1));
            let (cw, ch) = (f64::from(plan.canvas.0), f64::from(plan.canvas.1));
            let (kx, ky) = (dw / sw, dh / sh);
            let left = ((sw - cw) / 2.0).floor() * kx;
            let top = ((sh - ch) / 2.0).floor() * ky;
            ops::resize_crop(
                px,
                (left, top, cw * kx, ch * ky),
                plan.canvas.0,
                plan.canvas.1,
            )
        }
        Fit::Contain if plan.canvas != plan.scaled => {
            let inner = ops::resize_exact(px, plan.scaled.0, plan.scaled.1)?;
            let mut canvas = ops::solid_canvas(plan.canvas.0, plan.canvas.1, background);
            let x = (i64::from(plan.canvas.0) - i64::from(plan.scaled.0)) / 2;
            let y = (i64::from(plan.canvas.1) - i64::from(plan.scaled.1)) / 2;
            ops::composite_onto(&mut canvas, &inner, x, y);
            let out = DynamicImage::ImageRgba8(canvas);
            Ok(if px.color().has_alpha() {
                out
            } else {
                DynamicImage::ImageRgb8(out.to_rgb8())
            })
        }
        _ => ops::resize_exact(px, plan.scaled.0, plan.scaled.1),
    }
}

/// Resize images (Lanczos-3) with contain/cover/fill/inside/outside, percentages and presets.
pub fn resize(image: Image, settings: &ResizeSettings) -> Result<Image> {
    let plan = settings.plan(image.width(), image.height())?;
    resize_planned(image, settings, &plan)
}

fn resize_planned(image: Image, settings: &ResizeSettings, plan: &Plan) -> Result<Image> {
    let bg = settings.background.unwrap_or(HexColor::BLACK).rgba();
    image.try_map_frames(|px| apply(px, plan, bg))
}

static META: ToolMeta = ToolMeta {
    id: "resize",
    name: "Resize",
    description: "Scale an image to a size, a percentage or a social-media preset.",
    category: Category::Geometry,
    ..ToolMeta::ONE_IMAGE
};

/// The `resize` tool.
pub struct Resize;

impl Tool for Resize {
    type Settings = ResizeSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &ResizeSettings) -> Result<()> {
        if s.width.is_none() && s.height.is_none() && s.percentage.is_none() && s.preset.is_none() {
            return Err(Error::unprocessable(
                "Resize requires width, height, or percentage",
            ));
        }
        Ok(())
    }

    fn run(&self, settings: &ResizeSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let header = inputs.header(0)?;
        let (sw, sh) = header.oriented_size();
        let plan = settings.plan(sw, sh)?;
        inputs.ctx().check_canvas(plan.canvas.0, plan.canvas.1)?;
        inputs
            .ctx()
            .limits
            .check_dimensions(plan.canvas.0, plan.canvas.1)?;
        // Shrink on load: the decoder may go down to the scaled size, never below it.
        let image = inputs.image_at_least(0, Some(plan.scaled))?;
        Ok(Output::Image(resize_planned(image, settings, &plan)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(json: serde_json::Value) -> (u32, u32) {
        let s: ResizeSettings = crate::settings::parse(&json).unwrap();
        s.plan(200, 150).unwrap().canvas
    }

    #[test]
    fn geometry_matches_the_contract() {
        use serde_json::json;
        assert_eq!(plan(json!({"width": 100})), (100, 75));
        assert_eq!(plan(json!({"height": 60})), (80, 60));
        assert_eq!(plan(json!({"width": 100, "height": 100})), (100, 100));
        assert_eq!(
            plan(json!({"width": 100, "height": 100, "fit": "cover"})),
            (100, 100)
        );
        assert_eq!(
            plan(json!({"width": 50, "height": 200, "fit": "fill"})),
            (50, 200)
        );
        assert_eq!(
            plan(json!({"width": 100, "height": 100, "fit": "inside"})),
            (100, 75)
        );
        assert_eq!(
            plan(json!({"width": 100, "height": 100, "fit": "outside"})),
            (133, 100)
        );
        assert_eq!(plan(json!({"percentage": 50})), (100, 75));
        assert_eq!(
            plan(json!({"width": 400, "height": 300, "withoutEnlargement": true})),
            (200, 150)
        );
        assert_eq!(plan(json!({"preset": "youtube-thumbnail"})), (1280, 720));
    }
}
