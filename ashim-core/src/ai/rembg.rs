//! Background removal with U²-Net-p (salient-object segmentation), as rembg does it:
//! RGB resized to 320×320 (Lanczos), divided by the image's maximum, ImageNet-normalised;
//! the fused output map min–max normalised, scaled back to the image size and used as alpha.

use super::runtime;
use super::tensor::Tensor;
use crate::error::Result;
use crate::ops::resize_exact;
use image::{DynamicImage, GrayImage, RgbaImage};

/// Model input side.
pub const SIZE: u32 = 320;
/// The bundle that holds the model.
pub const BUNDLE: &str = "background-removal";
/// Model id in the manifest.
pub const MODEL: &str = "u2netp";

/// Long side the model input is taken from: `MAX_REMBG_PX`, default 2048.
pub fn max_px() -> u32 {
    std::env::var("MAX_REMBG_PX")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n: &u32| n >= SIZE)
        .unwrap_or(2048)
}

/// The model input tensor for an image.
pub fn preprocess(img: &DynamicImage) -> Result<Tensor> {
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let small = resize_exact(&rgb, SIZE, SIZE)?.to_rgb8();
    let max = small.as_raw().iter().copied().max().unwrap_or(0).max(1) as f32;
    let mean = [0.485f32, 0.456, 0.406];
    let std = [0.229f32, 0.224, 0.225];
    let n = (SIZE * SIZE) as usize;
    let mut t = Tensor::zeros(&[1, 3, SIZE as usize, SIZE as usize]);
    for (i, p) in small.pixels().enumerate() {
        for c in 0..3 {
            t.data[c * n + i] = (p.0[c] as f32 / max - mean[c]) / std[c];
        }
    }
    Ok(t)
}

/// The model's map (`[1,1,320,320]`) as an 8-bit mask of the image's size.
pub fn postprocess(map: &Tensor, width: u32, height: u32) -> Result<GrayImage> {
    let (lo, hi) = map
        .data
        .iter()
        .fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    let range = (hi - lo).max(1e-6);
    let side = (map.len() as f64).sqrt() as u32;
    let small = GrayImage::from_fn(side, side, |x, y| {
        let v = map.data[(y * side + x) as usize];
        image::Luma([(((v - lo) / range) * 255.0).round().clamp(0.0, 255.0) as u8])
    });
    Ok(resize_exact(&DynamicImage::ImageLuma8(small), width, height)?.to_luma8())
}

/// The salient-object mask of `img` (255 = subject), at the image's size.
pub fn mask(img: &DynamicImage) -> Result<GrayImage> {
    let model = runtime::model(MODEL, BUNDLE)?;
    let (w, h) = (img.width(), img.height());
    let cap = max_px();
    let input = if w.max(h) > cap {
        let s = cap as f64 / w.max(h) as f64;
        let (nw, nh) = (
            ((w as f64 * s).round() as u32).max(1),
            ((h as f64 * s).round() as u32).max(1),
        );
        preprocess(&resize_exact(img, nw, nh)?)?
    } else {
        preprocess(img)?
    };
    let map = model.run_one(vec![("input.1", input)], "")?;
    postprocess(&map, w, h)
}

/// The cut-out: the original pixels with the mask as alpha.
pub fn cut_out(img: &DynamicImage, mask: &GrayImage) -> RgbaImage {
    let mut out = img.to_rgba8();
    for (p, m) in out.pixels_mut().zip(mask.pixels()) {
        p.0[3] = ((p.0[3] as u16 * m.0[0] as u16 + 127) / 255) as u8;
    }
    out
}

/// Intersection over union of two masks thresholded at 128 (for evaluations).
pub fn mask_iou(a: &GrayImage, b: &GrayImage) -> f64 {
    let (mut inter, mut union) = (0u64, 0u64);
    for (p, q) in a.pixels().zip(b.pixels()) {
        let (x, y) = (p.0[0] >= 128, q.0[0] >= 128);
        inter += (x && y) as u64;
        union += (x || y) as u64;
    }
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}
