//! Interleaved `f32` views of any pixel layout, for maths that must keep 8-bit, 16-bit and
//! float images in their own depth.

use image::{DynamicImage, ImageBuffer};

/// Interleaved samples scaled to 0–1 (float images keep their range), with the channel count.
#[derive(Debug, Clone)]
pub struct Samples {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Channels per pixel (1–4); the last is alpha when `has_alpha`.
    pub channels: usize,
    /// Whether the last channel is alpha.
    pub has_alpha: bool,
    /// `width × height × channels` values, row by row.
    pub data: Vec<f32>,
}

/// Read any image as interleaved `f32` samples in 0–1.
pub fn to_samples(px: &DynamicImage) -> Samples {
    let channels = usize::from(px.color().channel_count());
    let data: Vec<f32> = match px {
        DynamicImage::ImageLuma16(b) => {
            b.as_raw().iter().map(|&v| f32::from(v) / 65535.0).collect()
        }
        DynamicImage::ImageLumaA16(b) => {
            b.as_raw().iter().map(|&v| f32::from(v) / 65535.0).collect()
        }
        DynamicImage::ImageRgb16(b) => b.as_raw().iter().map(|&v| f32::from(v) / 65535.0).collect(),
        DynamicImage::ImageRgba16(b) => {
            b.as_raw().iter().map(|&v| f32::from(v) / 65535.0).collect()
        }
        DynamicImage::ImageRgb32F(b) => b.as_raw().clone(),
        DynamicImage::ImageRgba32F(b) => b.as_raw().clone(),
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_) => px
            .as_bytes()
            .iter()
            .map(|&v| f32::from(v) / 255.0)
            .collect(),
        other => {
            let rgba = other.to_rgba32f();
            return Samples {
                width: rgba.width(),
                height: rgba.height(),
                channels: 4,
                has_alpha: true,
                data: rgba.into_raw(),
            };
        }
    };
    Samples {
        width: px.width(),
        height: px.height(),
        channels,
        has_alpha: px.color().has_alpha(),
        data,
    }
}

fn q8(v: f32) -> u8 {
    (v * 255.0).round().clamp(0.0, 255.0) as u8
}

fn q16(v: f32) -> u16 {
    (v * 65535.0).round().clamp(0.0, 65535.0) as u16
}

/// Write samples back in the layout of `like` (same depth and channels).
pub fn from_samples_like(like: &DynamicImage, s: Samples) -> DynamicImage {
    let (w, h) = (s.width, s.height);
    let d8 = || s.data.iter().map(|&v| q8(v)).collect::<Vec<u8>>();
    let d16 = || s.data.iter().map(|&v| q16(v)).collect::<Vec<u16>>();
    let built = match (like, s.channels) {
        (DynamicImage::ImageLuma8(_), 1) => {
            ImageBuffer::from_raw(w, h, d8()).map(DynamicImage::ImageLuma8)
        }
        (DynamicImage::ImageLumaA8(_), 2) => {
            ImageBuffer::from_raw(w, h, d8()).map(DynamicImage::ImageLumaA8)
        }
        (DynamicImage::ImageRgb8(_), 3) => {
            ImageBuffer::from_raw(w, h, d8()).map(DynamicImage::ImageRgb8)
        }
        (DynamicImage::ImageRgba8(_), 4) => {
            ImageBuffer::from_raw(w, h, d8()).map(DynamicImage::ImageRgba8)
        }
        (DynamicImage::ImageLuma16(_), 1) => {
            ImageBuffer::from_raw(w, h, d16()).map(DynamicImage::ImageLuma16)
        }
        (DynamicImage::ImageLumaA16(_), 2) => {
            ImageBuffer::from_raw(w, h, d16()).map(DynamicImage::ImageLumaA16)
        }
        (DynamicImage::ImageRgb16(_), 3) => {
            ImageBuffer::from_raw(w, h, d16()).map(DynamicImage::ImageRgb16)
        }
        (DynamicImage::ImageRgba16(_), 4) => {
            ImageBuffer::from_raw(w, h, d16()).map(DynamicImage::ImageRgba16)
        }
        (DynamicImage::ImageRgb32F(_), 3) => {
            ImageBuffer::from_raw(w, h, s.data.clone()).map(DynamicImage::ImageRgb32F)
        }
        _ => None,
    };
    built.unwrap_or_else(|| {
        let data = if s.channels == 4 {
            s.data
        } else {
            expand_to_rgba(&s)
        };
        DynamicImage::ImageRgba32F(
            ImageBuffer::from_raw(w, h, data).expect("4 channels of w×h samples"),
        )
    })
}

fn expand_to_rgba(s: &Samples) -> Vec<f32> {
    let mut out = Vec::with_capacity(s.data.len() / s.channels * 4);
    for px in s.data.chunks_exact(s.channels) {
        let (g, a) = match (s.channels, s.has_alpha) {
            (1, _) => ([px[0]; 3], 1.0),
            (2, _) => ([px[0]; 3], px[1]),
            (3, _) => ([px[0], px[1], px[2]], 1.0),
            _ => ([px[0], px[1], px[2]], px[3]),
        };
        out.extend_from_slice(&[g[0], g[1], g[2], a]);
    }
    out
}
