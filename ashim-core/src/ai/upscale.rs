//! Super-resolution (Real-ESRGAN, converted from ncnn) and JPEG/noise clean-up (waifu2x
//! upconv_7 photo) run tile by tile, so a 12 MP input never needs its whole ×16 tensor.
//!
//! Real-ESRGAN convolutions are padded: each tile is run with a `margin` of real
//! neighbouring pixels and only its centre is kept, which hides the seams. waifu2x upconv_7
//! convolutions are unpadded and consume 7 px per side: each tile is fed with exactly 7 px
//! of (edge-replicated) context and its whole output is kept, which is seamless by
//! construction.

use super::runtime::Model;
use super::tensor::Tensor;
use crate::error::{Error, Result};
use crate::ops::resize_exact;
use image::{DynamicImage, GrayImage, RgbImage, RgbaImage};

/// The bundle upscale, enhance-faces and noise-removal need.
pub const BUNDLE: &str = "upscale-enhance";

/// How a model treats the border of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Padded convolutions: the output covers the whole input; keep the tile's centre.
    Padded,
    /// Unpadded convolutions consuming exactly `margin` px per side.
    Consumed,
}

/// A tiling plan for one model.
#[derive(Debug, Clone, Copy)]
pub struct Tiling {
    /// Output pixels per input pixel.
    pub scale: u32,
    /// Tile side in input pixels (before the margin).
    pub tile: u32,
    /// Context pixels around each tile.
    pub margin: u32,
    /// Border behaviour.
    pub border: Border,
    /// Name of the model's input.
    pub input: &'static str,
}

/// Real-ESRGAN (any of the converted ncnn models) with 16 px of context per tile.
pub const ESRGAN: fn(u32) -> Tiling = |scale| Tiling {
    scale,
    tile: 192,
    margin: 16,
    border: Border::Padded,
    input: "data",
};

/// waifu2x upconv_7 (2× output, 7 px consumed per side).
pub const WAIFU2X: Tiling = Tiling {
    scale: 2,
    tile: 256,
    margin: 7,
    border: Border::Consumed,
    input: "Input1",
};

/// Run `model` over `rgb` tile by tile; `tick(fraction)` is called after each tile and may
/// stop the run (cancellation).
pub fn run_tiled(
    model: &Model,
    rgb: &RgbImage,
    t: Tiling,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<RgbImage> {
    let (w, h) = rgb.dimensions();
    let s = t.scale;
    let mut out = RgbImage::new(w * s, h * s);
    let (cols, rows) = (w.div_ceil(t.tile), h.div_ceil(t.tile));
    let total = (cols * rows) as f32;
    for ty in 0..rows {
        for tx in 0..cols {
            let (x0, y0) = (tx * t.tile, ty * t.tile);
            let (tw, th) = (t.tile.min(w - x0), t.tile.min(h - y0));
            // Input region (may extend past the image for Consumed: edge-replicated).
            let (ix0, iy0, iw, ih) = match t.border {
                Border::Padded => {
                    let ix0 = x0.saturating_sub(t.margin);
                    let iy0 = y0.saturating_sub(t.margin);
                    let ix1 = (x0 + tw + t.margin).min(w);
                    let iy1 = (y0 + th + t.margin).min(h);
                    (ix0 as i64, iy0 as i64, ix1 - ix0, iy1 - iy0)
                }
                Border::Consumed => (
                    x0 as i64 - t.margin as i64,
                    y0 as i64 - t.margin as i64,
                    tw + 2 * t.margin,
                    th + 2 * t.margin,
                ),
            };
            let n = (iw * ih) as usize;
            let mut input = Tensor::zeros(&[1, 3, ih as usize, iw as usize]);
            for y in 0..ih {
                let sy = (iy0 + y as i64).clamp(0, h as i64 - 1) as u32;
                for x in 0..iw {
                    let sx = (ix0 + x as i64).clamp(0, w as i64 - 1) as u32;
                    let p = rgb.get_pixel(sx, sy).0;
                    let i = (y * iw + x) as usize;
                    for (c, &v) in p.iter().enumerate() {
                        input.data[c * n + i] = v as f32 / 255.0;
                    }
                }
            }
            let y = model.run_one(vec![(t.input, input)], "")?;
            let (ow, oh) = match (t.border, &y.shape[..]) {
                (_, [1, 3, oh, ow]) => (*ow as u32, *oh as u32),
                _ => {
                    return Err(Error::internal(format!(
                        "model {} returned shape {:?}",
                        model.id(),
                        y.shape
                    )));
                }
            };
            // Offset of the tile's output inside the model output.
            let (offx, offy) = match t.border {
                Border::Padded => ((x0 - ix0 as u32) * s, (y0 - iy0 as u32) * s),
                Border::Consumed => (0, 0),
            };
            if offx + tw * s > ow || offy + th * s > oh {
                return Err(Error::internal(format!(
                    "model {} output {ow}x{oh} is smaller than expected",
                    model.id()
                )));
            }
            let on = (ow * oh) as usize;
            for yy in 0..th * s {
                for xx in 0..tw * s {
                    let i = ((offy + yy) * ow + offx + xx) as usize;
                    let px = [0, 1, 2]
                        .map(|c| (y.data[c * on + i].clamp(0.0, 1.0) * 255.0).round() as u8);
                    out.put_pixel(x0 * s + xx, y0 * s + yy, image::Rgb(px));
                }
            }
            tick((ty * cols + tx + 1) as f32 / total)?;
        }
    }
    Ok(out)
}

/// Split an image into its RGB part and its alpha (when it has one).
pub fn split_alpha(img: &DynamicImage) -> (RgbImage, Option<GrayImage>) {
    if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let alpha = GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
            image::Luma([rgba.get_pixel(x, y).0[3]])
        });
        (DynamicImage::ImageRgba8(rgba).to_rgb8(), Some(alpha))
    } else {
        (img.to_rgb8(), None)
    }
}

/// Put an alpha channel (resized with Lanczos to fit) back onto an RGB result.
pub fn join_alpha(rgb: RgbImage, alpha: Option<GrayImage>) -> Result<DynamicImage> {
    let Some(a) = alpha else {
        return Ok(DynamicImage::ImageRgb8(rgb));
    };
    let (w, h) = rgb.dimensions();
    let a = resize_exact(&DynamicImage::ImageLuma8(a), w, h)?.to_luma8();
    let mut out = RgbaImage::new(w, h);
    for ((o, p), q) in out.pixels_mut().zip(rgb.pixels()).zip(a.pixels()) {
        o.0 = [p.0[0], p.0[1], p.0[2], q.0[0]];
    }
    Ok(DynamicImage::ImageRgba8(out))
}

/// 2×2 box downscale (waifu2x's 2× output back to the input size).
pub fn half(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    RgbImage::from_fn(w.max(1), h.max(1), |x, y| {
        let mut acc = [0u32; 3];
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let p = img.get_pixel(
                (2 * x + dx).min(img.width() - 1),
                (2 * y + dy).min(img.height() - 1),
            );
            for (a, &v) in acc.iter_mut().zip(&p.0) {
                *a += v as u32;
            }
        }
        image::Rgb(acc.map(|v| ((v + 2) / 4) as u8))
    })
}

/// Peak signal-to-noise ratio of two same-size RGB images, in dB (for evaluations).
pub fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    let mse = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
        .sum::<f64>()
        / a.as_raw().len().max(1) as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64.powi(2) / mse).log10()
    }
}
