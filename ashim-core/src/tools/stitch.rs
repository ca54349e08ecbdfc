//! `stitch`: join several images side by side, stacked, or in a grid.

use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image, Quality};
use crate::ops;
use crate::settings::HexColor;
use crate::tool::{Caps, SlotSpec, Category, Inputs, Output, OutputKind, Tool, ToolMeta};
use image::{DynamicImage, RgbaImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Layout direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Direction {
    #[default]
    Horizontal,
    Vertical,
    Grid,
}

/// How images of different sizes are made to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResizeMode {
    /// Scale to the smallest height (horizontal) / width (vertical), keeping aspect.
    #[default]
    Fit,
    /// Keep every image as it is.
    Original,
    /// Stretch to the common size.
    Stretch,
    /// Cover-resize and centre-crop to the common size.
    Crop,
}

/// Placement inside a row, column or cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Alignment {
    Start,
    #[default]
    Center,
    End,
}

/// Output format of the stitched image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum StitchFormat {
    #[default]
    Png,
    #[serde(alias = "jpg")]
    Jpeg,
    Webp,
    Avif,
}

/// Settings of [`Stitch`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct StitchSettings {
    /// Default `horizontal`.
    pub direction: Direction,
    /// Columns for `grid`, 2–100. Default 2.
    #[schemars(range(min = 2, max = 100))]
    pub grid_columns: u32,
    /// Default `fit`.
    pub resize_mode: ResizeMode,
    /// Default `center`.
    pub alignment: Alignment,
    /// Space between images, 0–1000 px. Default 0.
    #[schemars(range(min = 0, max = 1000))]
    pub gap: u32,
    /// Margin around everything, 0–500 px. Default 0.
    #[schemars(range(min = 0, max = 500))]
    pub border: u32,
    /// Rounded corners of the result, 0–500 px. Default 0.
    #[schemars(range(min = 0, max = 500))]
    pub corner_radius: u32,
    /// Canvas colour. Default `#FFFFFF`.
    pub background_color: HexColor,
    /// Default `png`.
    pub format: StitchFormat,
    /// 1–100 for jpeg/webp. Default 90.
    #[schemars(range(min = 1, max = 100))]
    pub quality: u8,
}

impl Default for StitchSettings {
    fn default() -> Self {
        Self {
            direction: Direction::Horizontal,
            grid_columns: 2,
            resize_mode: ResizeMode::Fit,
            alignment: Alignment::Center,
            gap: 0,
            border: 0,
            corner_radius: 0,
            background_color: HexColor::WHITE,
            format: StitchFormat::Png,
            quality: 90,
        }
    }
}

fn median(mut v: Vec<u32>) -> u32 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        ((f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0).round() as u32
    }
}

fn scale(px: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage> {
    ops::resize_exact(px, w.max(1), h.max(1))
}

fn cover(px: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage> {
    let (sw, sh) = (f64::from(px.width()), f64::from(px.height()));
    let s = (f64::from(w) / sw).max(f64::from(h) / sh);
    let (cw, ch) = (f64::from(w) / s, f64::from(h) / s);
    ops::resize_crop(px, ((sw - cw) / 2.0, (sh - ch) / 2.0, cw, ch), w, h)
}

fn prepare(images: &[DynamicImage], s: &StitchSettings) -> Result<Vec<DynamicImage>> {
    let dims: Vec<(u32, u32)> = images.iter().map(|p| (p.width(), p.height())).collect();
    let mode = s.resize_mode;
    if mode == ResizeMode::Original {
        return Ok(images.to_vec());
    }
    let out = match s.direction {
        Direction::Horizontal | Direction::Vertical => {
            // A row shares its height, a column its width: `(shared, along)` per image.
            let vertical = s.direction == Direction::Vertical;
            let sides = |p: &DynamicImage| {
                if vertical {
                    (p.width(), p.height())
                } else {
                    (p.height(), p.width())
                }
            };
            let m = images.iter().map(|p| sides(p).0).min().unwrap_or(1);
            images
                .iter()
                .map(|p| {
                    let (shared, along) = sides(p);
                    let along = match mode {
                        ResizeMode::Stretch => along,
                        _ if shared == m => return Ok(p.clone()),
                        _ => (f64::from(along) * f64::from(m) / f64::from(shared)).round() as u32,
                    };
                    if vertical {
                        scale(p, m, along)
                    } else {
                        scale(p, along, m)
                    }
                })
                .collect::<Result<Vec<_>>>()?
        }
        Direction::Grid => {
            let mw = median(dims.iter().map(|d| d.0).collect());
            let mh = median(dims.iter().map(|d| d.1).collect());
            images
                .iter()
                .map(|p| {
                    let (w, h) = (f64::from(p.width()), f64::from(p.height()));
                    match mode {
                        ResizeMode::Stretch => scale(p, mw, mh),
                        ResizeMode::Crop => cover(p, mw, mh),
                        _ => {
                            let k = (f64::from(mw) / w).min(f64::from(mh) / h);
                            if k < 1.0 {
                                scale(p, (w * k).round() as u32, (h * k).round() as u32)
                            } else {
                                Ok(p.clone())
                            }
                        }
                    }
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    Ok(out)
}

fn align(space: u32, size: u32, a: Alignment) -> i64 {
    let free = i64::from(space) - i64::from(size);
    match a {
        Alignment::Start => 0,
        Alignment::End => free,
        Alignment::Center => (free as f64 / 2.0).round() as i64,
    }
}

/// Lay the images out on one canvas.
pub fn stitch(
    images: &[DynamicImage],
    s: &StitchSettings,
    limits: &crate::Limits,
) -> Result<DynamicImage> {
    let parts = prepare(images, s)?;
    let n = parts.len() as u64;
    let (gap, b) = (u64::from(s.gap), u64::from(s.border));
    let sizes: Vec<(u64, u64)> = parts
        .iter()
        .map(|p| (u64::from(p.width()), u64::from(p.height())))
        .collect();
    let (w, h, cols) = match s.direction {
        Direction::Horizontal => (
            sizes.iter().map(|d| d.0).sum::<u64>() + (n - 1) * gap + 2 * b,
            sizes.iter().map(|d| d.1).max().unwrap_or(1) + 2 * b,
            n,
        ),
        Direction::Vertical => (
            sizes.iter().map(|d| d.0).max().unwrap_or(1) + 2 * b,
            sizes.iter().map(|d| d.1).sum::<u64>() + (n - 1) * gap + 2 * b,
            1,
        ),
        Direction::Grid => {
            let cols = u64::from(s.grid_columns).min(n);
            let rows = n.div_ceil(cols);
            let cw = sizes.iter().map(|d| d.0).max().unwrap_or(1);
            let ch = sizes.iter().map(|d| d.1).max().unwrap_or(1);
            (
                cols * cw + (cols - 1) * gap + 2 * b,
                rows * ch + (rows - 1) * gap + 2 * b,
                cols,
            )
        }
    };
    if w > u64::from(u32::MAX) || h > u64::from(u32::MAX) {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!("Canvas too large: {w}x{h}"),
        ));
    }
    let (w, h) = (w as u32, h as u32);
    limits.check_dimensions(w, h).map_err(|e| {
        Error::new(
            e.kind(),
            format!("Canvas too large: {w}x{h}. {}", e.message()),
        )
    })?;
    let mut canvas = ops::solid_canvas(w, h, s.background_color.rgba());
    let (mut x, mut y) = (b as i64, b as i64);
    let max_w = sizes.iter().map(|d| d.0).max().unwrap_or(0) as u32;
    let max_h = sizes.iter().map(|d| d.1).max().unwrap_or(0) as u32;
    for (i, p) in parts.iter().enumerate() {
        match s.direction {
            Direction::Horizontal => {
                ops::composite_onto(
                    &mut canvas,
                    p,
                    x,
                    b as i64 + align(max_h, p.height(), s.alignment),
                );
                x += i64::from(p.width()) + gap as i64;
            }
            Direction::Vertical => {
                ops::composite_onto(
                    &mut canvas,
                    p,
                    b as i64 + align(max_w, p.width(), s.alignment),
                    y,
                );
                y += i64::from(p.height()) + gap as i64;
            }
            Direction::Grid => {
                let (c, r) = (i as u64 % cols, i as u64 / cols);
                let cx = b as i64
                    + (c * (u64::from(max_w) + gap)) as i64
                    + align(max_w, p.width(), s.alignment);
                let cy = b as i64
                    + (r * (u64::from(max_h) + gap)) as i64
                    + align(max_h, p.height(), s.alignment);
                ops::composite_onto(&mut canvas, p, cx, cy);
            }
        }
    }
    if s.corner_radius > 0 {
        round_corners(&mut canvas, s.corner_radius.min(w.min(h) / 2));
        return Ok(DynamicImage::ImageRgba8(canvas));
    }
    Ok(DynamicImage::ImageRgb8(
        DynamicImage::ImageRgba8(canvas).to_rgb8(),
    ))
}

/// Make everything outside a rounded rectangle of radius `r` transparent (anti-aliased).
fn round_corners(img: &mut RgbaImage, r: u32) {
    if r == 0 {
        return;
    }
    let (w, h) = img.dimensions();
    let rf = f64::from(r);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let cx = if x < r {
            rf
        } else if x >= w - r {
            f64::from(w) - rf
        } else {
            continue;
        };
        let cy = if y < r {
            rf
        } else if y >= h - r {
            f64::from(h) - rf
        } else {
            continue;
        };
        let d = ((f64::from(x) + 0.5 - cx).powi(2) + (f64::from(y) + 0.5 - cy).powi(2)).sqrt();
        let cover = (rf - d + 0.5).clamp(0.0, 1.0);
        p.0[3] = (f64::from(p.0[3]) * cover).round() as u8;
    }
}

static META: ToolMeta = ToolMeta {
    id: "stitch",
    name: "Stitch",
    description: "Join images side by side, stacked or in a grid.",
    category: Category::Layout,
    slots: &[SlotSpec::images(2, "The images to join, in order.")],
    output: OutputKind::Image,
    caps: Caps::NONE,
    route: None,
    aliases: &[],
    form_fields: &[],
};

/// The `stitch` tool.
pub struct Stitch;

impl Tool for Stitch {
    type Settings = StitchSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &StitchSettings) -> Result<()> {
        if s.format == StitchFormat::Avif {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                "format: writing AVIF is not supported by this build",
            ));
        }
        Ok(())
    }

    fn run(&self, s: &StitchSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let images = inputs.all_images()?;
        let firsts: Vec<DynamicImage> = images
            .into_iter()
            .map(|i| i.frames.into_iter().next().map(|f| f.pixels))
            .collect::<Option<_>>()
            .ok_or_else(|| Error::internal("image without frames"))?;
        let px = stitch(&firsts, s, &ctx.limits)?;
        let mut out = Image::from_dynamic(px);
        let format = match s.format {
            StitchFormat::Jpeg => ImageFormat::Jpeg,
            StitchFormat::Webp => ImageFormat::Webp,
            _ => ImageFormat::Png,
        };
        let quality = if format == ImageFormat::Png {
            Quality::Default
        } else {
            Quality::Value(s.quality)
        };
        out.encode = Some(EncodeSpec {
            format,
            quality,
            progressive: false,
            lossless: false,
            png_level: None,
        });
        out.name = Some("stitch".into());
        Ok(Output::Image(out))
    }
}
