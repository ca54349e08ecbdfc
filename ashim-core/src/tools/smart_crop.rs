//! `smart-crop` (tools-creative-ai §17): crop to a size around what matters.
//!
//! - `subject`: cover-resize, then place the window by `attention` (a saliency map of
//!   luminance edges, skin tones and saturated colour, blurred, on a reduced copy; the
//!   window is centred on its peak) or `entropy` (shave whichever edge slice carries less
//!   grey-level entropy until the window fits).
//! - `face`: frame the detected faces by a preset head-height multiplier; when the face
//!   models are not installed or no face is found it falls back to `subject` + attention
//!   (so the tool never answers 501).
//! - `trim`: cut uniform borders, optionally letterboxed into a square.

use crate::ai::{self, faces};
use crate::error::{Error, Result};
use crate::image::{EncodeSpec, Image, Quality, keep_format};
use crate::naming;
use crate::ops;
use crate::ops::colour::Checkpoint;
use crate::ops::gaussian_plane;
use crate::ops::trim::content_bbox;
use crate::settings::HexColor;
use crate::tool::{Availability, Category, Context, Inputs, Output, Tool, ToolMeta};
use image::{DynamicImage, GenericImageView};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What to crop around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CropMode {
    /// The most interesting region (see `strategy`).
    #[default]
    #[serde(alias = "attention")]
    Subject,
    /// The detected faces (falls back to `subject` without the face models).
    Face,
    /// Remove uniform borders.
    #[serde(alias = "content")]
    Trim,
}

/// How `subject` finds the interesting region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Saliency: edges, skin tones and saturated colour.
    #[default]
    Attention,
    /// Keep the part with the most grey-level entropy.
    Entropy,
}

/// How much of the body `face` mode frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FacePreset {
    /// 1.8 head heights.
    Closeup,
    /// 2.8 head heights.
    #[default]
    HeadShoulders,
    /// 4.5 head heights.
    UpperBody,
    /// 7 head heights.
    HalfBody,
}

impl FacePreset {
    fn multiplier(self) -> f32 {
        match self {
            FacePreset::Closeup => 1.8,
            FacePreset::HeadShoulders => 2.8,
            FacePreset::UpperBody => 4.5,
            FacePreset::HalfBody => 7.0,
        }
    }
}

/// Settings of [`SmartCrop`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SmartCropSettings {
    /// Default `subject` (aliases: `attention` = subject, `content` = trim).
    pub mode: CropMode,
    /// Default `attention`.
    pub strategy: Strategy,
    /// Output width (subject and face modes); default 1080 when only the height is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub width: Option<u32>,
    /// Output height (subject and face modes); default 1080 when only the width is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub height: Option<u32>,
    /// Zoom in by this many percent around the chosen region, 0–50.
    #[schemars(range(min = 0, max = 50))]
    pub padding: u32,
    /// Default `head-shoulders`.
    pub face_preset: FacePreset,
    /// Face detection sensitivity 0–1. Default 0.5.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sensitivity: f64,
    /// Trim: largest difference (0–255) from the top-left colour that counts as border.
    #[schemars(range(min = 0, max = 255))]
    pub threshold: u32,
    /// Trim: letterbox the result into a square.
    pub pad_to_square: bool,
    /// Trim: colour of the letterbox. Default `#FFFFFF`.
    pub pad_color: HexColor,
    /// Trim: side of the square (default: the longer trimmed side).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub target_size: Option<u32>,
    /// Output quality 1–100 for lossy formats (default 95).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub quality: Option<u8>,
}

impl Default for SmartCropSettings {
    fn default() -> Self {
        Self {
            mode: CropMode::Subject,
            strategy: Strategy::Attention,
            width: None,
            height: None,
            padding: 0,
            face_preset: FacePreset::HeadShoulders,
            sensitivity: 0.5,
            threshold: 30,
            pad_to_square: false,
            pad_color: HexColor::WHITE,
            target_size: None,
            quality: None,
        }
    }
}

/// A source rectangle (left, top, width, height) in pixels, sub-pixel.
type Window = (f64, f64, f64, f64);

/// Longest side of the copy the strategies analyse.
const ANALYSIS_SIDE: u32 = 256;

fn analysis_copy(px: &DynamicImage) -> Result<(DynamicImage, f64)> {
    let (w, h) = px.dimensions();
    let long = w.max(h);
    if long <= ANALYSIS_SIDE {
        return Ok((px.clone(), 1.0));
    }
    let a = f64::from(ANALYSIS_SIDE) / f64::from(long);
    let (aw, ah) = (
        ((f64::from(w) * a).round() as u32).max(1),
        ((f64::from(h) * a).round() as u32).max(1),
    );
    let small = ops::resize_exact(&DynamicImage::ImageRgb8(px.to_rgb8()), aw, ah)?;
    Ok((small, f64::from(aw) / f64::from(w)))
}

fn luma(px: &DynamicImage) -> (Vec<f32>, usize, usize) {
    let g = px.to_luma8();
    let (w, h) = (g.width() as usize, g.height() as usize);
    (g.into_raw().into_iter().map(f32::from).collect(), w, h)
}

/// Shannon entropy (bits) of the grey histogram of the rows or columns `range`.
fn entropy(grey: &[f32], w: usize, h: usize, range: std::ops::Range<usize>, columns: bool) -> f64 {
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    let (xs, ys) = if columns { (range, 0..h) } else { (0..w, range) };
    for y in ys {
        for x in xs.clone() {
            hist[grey[y * w + x] as usize] += 1;
            n += 1;
        }
    }
    if n == 0 {
        return 0.0;
    }
    hist.iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / f64::from(n);
            -p * p.log2()
        })
        .sum()
}

/// Start of a window of `len` (analysis pixels) along an axis of `full` by shaving the
/// lower-entropy edge slice, ≈ 1/8 of the remaining excess at a time.
fn entropy_start(grey: &[f32], w: usize, h: usize, len: usize, columns: bool) -> usize {
    let full = if columns { w } else { h };
    let (mut lo, mut hi) = (0usize, full);
    while hi - lo > len {
        let excess = hi - lo - len;
        let slice = excess.div_ceil(8).max(1).min(excess);
        let a = entropy(grey, w, h, lo..lo + slice, columns);
        let b = entropy(grey, w, h, hi - slice..hi, columns);
        if a < b {
            lo += slice;
        } else {
            hi -= slice;
        }
    }
    lo
}

/// The saliency map of the analysis copy: Sobel edges of luminance, skin tones and
/// saturated colour, blurred.
fn saliency(px: &DynamicImage, cp: Checkpoint<'_>) -> Result<(Vec<f32>, usize, usize)> {
    let (grey, w, h) = luma(px);
    let rgb = px.to_rgb8();
    let g = |x: isize, y: isize| {
        grey[(y.clamp(0, h as isize - 1) as usize) * w + x.clamp(0, w as isize - 1) as usize]
    };
    let mut map = vec![0.0f32; w * h];
    for y in 0..h {
        cp()?;
        for x in 0..w {
            let (xi, yi) = (x as isize, y as isize);
            let gx = g(xi + 1, yi - 1) + 2.0 * g(xi + 1, yi) + g(xi + 1, yi + 1)
                - g(xi - 1, yi - 1)
                - 2.0 * g(xi - 1, yi)
                - g(xi - 1, yi + 1);
            let gy = g(xi - 1, yi + 1) + 2.0 * g(xi, yi + 1) + g(xi + 1, yi + 1)
                - g(xi - 1, yi - 1)
                - 2.0 * g(xi, yi - 1)
                - g(xi + 1, yi - 1);
            let edge = ((gx * gx + gy * gy).sqrt() / 1020.0).min(1.0);
            let [r, gg, b] = rgb.get_pixel(x as u32, y as u32).0.map(f32::from);
            let (mx, mn) = (r.max(gg).max(b), r.min(gg).min(b));
            let skin = r > 95.0
                && gg > 40.0
                && b > 20.0
                && r > gg
                && r > b
                && mx - mn > 15.0
                && (r - gg).abs() > 15.0;
            let sat = if mx > 0.0 { (mx - mn) / mx } else { 0.0 };
            let saturated = sat > 0.5 && mx > 64.0;
            map[y * w + x] = edge + if skin { 0.5 } else { 0.0 } + if saturated { 0.3 } else { 0.0 };
        }
    }
    let sigma = (w.max(h) as f32 / 24.0).max(1.0);
    Ok((gaussian_plane(&map, w, h, sigma, cp)?, w, h))
}

/// The source window of aspect `ow`:`oh` chosen by `strategy` (cover-resize semantics:
/// the window spans the whole image along one axis).
fn subject_window(
    px: &DynamicImage,
    (ow, oh): (u32, u32),
    strategy: Strategy,
    cp: Checkpoint<'_>,
) -> Result<Window> {
    let (w, h) = (f64::from(px.width()), f64::from(px.height()));
    let scale = (f64::from(ow) / w).max(f64::from(oh) / h);
    let (cw, ch) = (f64::from(ow) / scale, f64::from(oh) / scale);
    let (small, a) = analysis_copy(px)?;
    let columns = cw < w - 1e-9; // the window is narrower than the image: slide along x
    if !(columns || ch < h - 1e-9) {
        return Ok((0.0, 0.0, cw.min(w), ch.min(h)));
    }
    let start = match strategy {
        Strategy::Entropy => {
            let (grey, sw, sh) = luma(&small);
            let len = if columns { cw * a } else { ch * a };
            let s = entropy_start(&grey, sw, sh, len.round() as usize, columns);
            s as f64 / a
        }
        Strategy::Attention => {
            let (map, sw, sh) = saliency(&small, cp)?;
            let peak = (0..map.len())
                .max_by(|&i, &j| map[i].total_cmp(&map[j]))
                .unwrap_or(0);
            let (px_, py_) = ((peak % sw) as f64 + 0.5, (peak / sw) as f64 + 0.5);
            let _ = sh;
            if columns {
                px_ / a - cw / 2.0
            } else {
                py_ / a - ch / 2.0
            }
        }
    };
    Ok(if columns {
        (start.clamp(0.0, w - cw), 0.0, cw, h.min(ch))
    } else {
        (0.0, start.clamp(0.0, h - ch), w.min(cw), ch)
    })
}

/// The padded window's centred `w`×`h` part (zoom in by `padding` %).
fn zoom_in(win: Window, padding: u32) -> Window {
    let f = 1.0 + f64::from(padding) / 100.0;
    let (nw, nh) = (win.2 / f, win.3 / f);
    (win.0 + (win.2 - nw) / 2.0, win.1 + (win.3 - nh) / 2.0, nw, nh)
}

/// The face-mode window, or `None` when no face is found.
fn face_window(px: &DynamicImage, s: &SmartCropSettings, (tw, th): (u32, u32)) -> Result<Option<Window>> {
    let found = faces::detect(px, crate::tools::blur_faces::threshold(s.sensitivity))?;
    if found.is_empty() {
        return Ok(None);
    }
    let x0 = found.iter().map(|f| f.x).fold(f32::MAX, f32::min);
    let y0 = found.iter().map(|f| f.y).fold(f32::MAX, f32::min);
    let x1 = found.iter().map(|f| f.x + f.w).fold(f32::MIN, f32::max);
    let y1 = found.iter().map(|f| f.y + f.h).fold(f32::MIN, f32::max);
    let (cx, cy) = (f64::from(x0 + x1) / 2.0, f64::from(y0 + y1) / 2.0);
    let mut ch = f64::from((y1 - y0) * s.face_preset.multiplier()) * (1.0 + f64::from(s.padding) / 100.0);
    let mut cw = ch * f64::from(tw) / f64::from(th);
    let (w, h) = (f64::from(px.width()), f64::from(px.height()));
    let fit = (w / cw).min(h / ch).min(1.0);
    cw *= fit;
    ch *= fit;
    let left = (cx - cw / 2.0).clamp(0.0, w - cw);
    let top = (cy - ch / 2.0).clamp(0.0, h - ch);
    Ok(Some((left, top, cw, ch)))
}

/// A 422 when a `w`×`h` output would break the run's limits (decode limits and the
/// creation limit `MAX_CANVAS_PIXELS`).
fn check_canvas(ctx: &Context, w: u32, h: u32) -> Result<()> {
    let px = u64::from(w) * u64::from(h);
    let lim = &ctx.limits;
    if (lim.max_pixels > 0 && px > lim.max_pixels)
        || (lim.max_dimension > 0 && w.max(h) > lim.max_dimension)
        || ctx.env.max_canvas_pixels.is_some_and(|m| px > m)
    {
        return Err(Error::unprocessable(format!(
            "The output size {w}x{h} is larger than this server allows"
        )));
    }
    Ok(())
}

fn quality_spec(image: &Image, q: Option<u8>) -> Option<EncodeSpec> {
    let q = q?;
    let format = keep_format(image.source_format);
    matches!(format, crate::format::ImageFormat::Jpeg | crate::format::ImageFormat::Webp).then(|| {
        EncodeSpec {
            quality: Quality::Value(q),
            ..EncodeSpec::new(format)
        }
    })
}

/// Crop every frame of `image` as `s` says.
pub fn smart_crop(image: Image, s: &SmartCropSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let first = image.first().clone();
    let (w, h) = first.dimensions();
    if w == 0 || h == 0 {
        return Ok(image);
    }
    if s.mode == CropMode::Trim {
        return trim_mode(image, s, cp);
    }
    let tw = s.width.unwrap_or(1080);
    let th = s.height.unwrap_or(1080);
    let face = if s.mode == CropMode::Face && ai::availability(faces::BUNDLE) == Availability::Ready {
        face_window(&first, s, (tw, th))?
    } else {
        None
    };
    let win = match face {
        Some(win) => win,
        None => {
            let strategy = if s.mode == CropMode::Face {
                Strategy::Attention
            } else {
                s.strategy
            };
            let f = 1.0 + f64::from(s.padding) / 100.0;
            let padded = (
                (f64::from(tw) * f).round() as u32,
                (f64::from(th) * f).round() as u32,
            );
            zoom_in(subject_window(&first, padded, strategy, cp)?, s.padding)
        }
    };
    image.try_map_frames(|px| ops::resize_crop(px, win, tw, th))
}

fn trim_mode(image: Image, s: &SmartCropSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let Some((x, y, w, h)) = content_bbox(image.first(), None, s.threshold as f32, cp)? else {
        return Ok(image);
    };
    let image = image.try_map_frames(|px| Ok(px.crop_imm(x, y, w, h)))?;
    if !(s.pad_to_square || s.target_size.is_some()) {
        return Ok(image);
    }
    let side = s.target_size.unwrap_or(w.max(h));
    let f = f64::from(side) / f64::from(w.max(h));
    let (rw, rh) = (
        ((f64::from(w) * f).round() as u32).clamp(1, side),
        ((f64::from(h) * f).round() as u32).clamp(1, side),
    );
    let fill = s.pad_color.rgba();
    image.try_map_frames(|px| {
        let scaled = ops::resize_exact(px, rw, rh)?;
        let mut canvas = ops::solid_canvas(side, side, fill);
        ops::composite_onto(
            &mut canvas,
            &scaled,
            i64::from((side - rw) / 2),
            i64::from((side - rh) / 2),
        );
        Ok(if px.color().has_alpha() {
            DynamicImage::ImageRgba8(canvas)
        } else {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(canvas).to_rgb8())
        })
    })
}

static META: ToolMeta = ToolMeta {
    id: "smart-crop",
    name: "Smart crop",
    description: "Crop to a size around the subject (saliency or entropy), the faces, or the content inside uniform borders.",
    category: Category::Geometry,
    ..ToolMeta::ONE_IMAGE
};

/// The `smart-crop` tool.
pub struct SmartCrop;

impl Tool for SmartCrop {
    type Settings = SmartCropSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, s: &SmartCropSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        match s.mode {
            CropMode::Trim => {
                if let Some(side) = s.target_size {
                    check_canvas(ctx, side, side)?;
                }
            }
            _ => check_canvas(ctx, s.width.unwrap_or(1080), s.height.unwrap_or(1080))?,
        }
        let name = inputs.name(0).map(str::to_owned);
        let image = inputs.image(0)?;
        let spec = quality_spec(&image, s.quality);
        let mut out = smart_crop(image, s, &|| ctx.checkpoint())?;
        let base = name.as_deref().unwrap_or("image");
        let ext = naming::extension(base).unwrap_or(".png");
        out.name = Some(format!("{}_smartcrop{ext}", naming::stem(base)));
        if spec.is_some() {
            out.encode = spec;
        }
        Ok(Output::Image(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    #[test]
    fn entropy_keeps_the_busy_side() {
        // Flat left half, noisy right half: a half-width window lands on the right.
        let img = RgbImage::from_fn(200, 50, |x, y| {
            let v = if x < 100 { 90 } else { ((x * 131 + y * 71) % 251) as u8 };
            Rgb([v, v, v])
        });
        let win = subject_window(&DynamicImage::ImageRgb8(img), (50, 25), Strategy::Entropy, &|| Ok(()))
            .unwrap();
        assert!(win.0 >= 95.0, "{win:?}");
        assert!((win.2 - 100.0).abs() < 1e-6 && (win.3 - 50.0).abs() < 1e-6);
    }

    #[test]
    fn attention_finds_the_saturated_spot() {
        let img = RgbImage::from_fn(300, 100, |x, y| {
            if (230..260).contains(&x) && (30..70).contains(&y) {
                Rgb([230, 20, 30])
            } else {
                Rgb([128, 128, 128])
            }
        });
        let win = subject_window(&DynamicImage::ImageRgb8(img), (100, 100), Strategy::Attention, &|| Ok(()))
            .unwrap();
        assert!(win.0 <= 230.0 && win.0 + win.2 >= 260.0, "{win:?}");
    }
}
