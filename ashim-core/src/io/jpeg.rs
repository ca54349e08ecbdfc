//! JPEG through libjpeg-turbo/mozjpeg: header scan, DCT-domain shrink on load, encode.

use crate::error::{Error, Result};
use crate::image::Metadata;
use image::{DynamicImage, GrayImage, RgbImage};
use std::panic::{AssertUnwindSafe, catch_unwind};

const XMP_NS: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const ICC_SIG: &[u8] = b"ICC_PROFILE\0";

/// What the markers before the first scan tell about a JPEG.
#[derive(Debug, Default, Clone)]
pub(crate) struct JpegHeader {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub progressive: bool,
    pub density: Option<f64>,
    pub metadata: Metadata,
}

/// Walk the marker segments up to the first SOS without decoding anything.
pub(crate) fn scan_header(b: &[u8]) -> Result<JpegHeader> {
    let mut h = JpegHeader::default();
    let mut icc_chunks: Vec<(u8, &[u8])> = Vec::new();
    let mut pos = 2;
    loop {
        // Skip fill bytes.
        while b.get(pos) == Some(&0xFF) && b.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (b.get(pos), b.get(pos + 1)) else {
            return Err(Error::decode("JPEG header is truncated or corrupt"));
        };
        pos += 2;
        if matches!(marker, 0xD0..=0xD7 | 0x01) {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            break;
        }
        let len = b
            .get(pos..pos + 2)
            .map(|s| u16::from_be_bytes([s[0], s[1]]) as usize);
        let Some(len) = len.filter(|&l| l >= 2 && pos + l <= b.len()) else {
            return Err(Error::decode("JPEG header is truncated or corrupt"));
        };
        let seg = &b[pos + 2..pos + len];
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if seg.len() < 6 {
                    return Err(Error::decode("JPEG frame header is truncated"));
                }
                h.height = u16::from_be_bytes([seg[1], seg[2]]).into();
                h.width = u16::from_be_bytes([seg[3], seg[4]]).into();
                h.components = seg[5];
                h.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            }
            0xE0 if seg.starts_with(b"JFIF\0") && seg.len() >= 12 => {
                let unit = seg[7];
                let x = u16::from_be_bytes([seg[8], seg[9]]) as f64;
                h.density = match unit {
                    1 => Some(x),
                    2 => Some(x * 2.54),
                    _ => None,
                };
            }
            0xE1 if seg.starts_with(b"Exif\0\0") && h.metadata.exif.is_none() => {
                h.metadata.exif = Some(seg[6..].to_vec());
            }
            0xE1 if seg.starts_with(XMP_NS) && h.metadata.xmp.is_none() => {
                h.metadata.xmp = Some(seg[XMP_NS.len()..].to_vec());
            }
            0xE2 if seg.starts_with(ICC_SIG) && seg.len() > 14 => {
                icc_chunks.push((seg[12], &seg[14..]));
            }
            _ => {}
        }
        pos += len;
    }
    if h.width == 0 || h.height == 0 {
        return Err(Error::decode("JPEG has no frame header"));
    }
    if !icc_chunks.is_empty() {
        icc_chunks.sort_by_key(|c| c.0);
        h.metadata.icc = Some(
            icc_chunks
                .iter()
                .flat_map(|c| c.1.iter().copied())
                .collect(),
        );
    }
    Ok(h)
}

/// libjpeg reports fatal errors by unwinding (mozjpeg's error manager resumes an unwind
/// without running the panic hook); turn any that escape into a decode error.
fn guarded<T>(what: &str, f: impl FnOnce() -> std::io::Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Error::decode(format!("{what}: {e}"))),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "libjpeg error".into());
            Err(Error::decode(format!("{what}: {msg}")))
        }
    }
}

/// Decode at `8/denominator` scale (denominator 1, 2, 4 or 8) into RGB or grey pixels.
pub(crate) fn decode(bytes: &[u8], denominator: u8) -> Result<DynamicImage> {
    guarded("JPEG", || {
        let mut d = mozjpeg::Decompress::builder().from_mem(bytes)?;
        d.scale(8 / denominator.clamp(1, 8));
        match d.image()? {
            mozjpeg::decompress::Format::Gray(mut s) => {
                let (w, h) = (s.width() as u32, s.height() as u32);
                let px = s.read_scanlines::<u8>()?;
                s.finish()?;
                Ok(DynamicImage::ImageLuma8(
                    GrayImage::from_raw(w, h, px).ok_or(std::io::ErrorKind::InvalidData)?,
                ))
            }
            mozjpeg::decompress::Format::RGB(mut s) => {
                let (w, h) = (s.width() as u32, s.height() as u32);
                let px = s.read_scanlines::<u8>()?;
                s.finish()?;
                Ok(DynamicImage::ImageRgb8(
                    RgbImage::from_raw(w, h, px).ok_or(std::io::ErrorKind::InvalidData)?,
                ))
            }
            mozjpeg::decompress::Format::CMYK(mut s) => {
                let (w, h) = (s.width() as u32, s.height() as u32);
                let cmyk = s.read_scanlines::<u8>()?;
                s.finish()?;
                // Adobe writes inverted CMYK: each stored value is 255 - ink.
                let rgb: Vec<u8> = cmyk
                    .chunks_exact(4)
                    .flat_map(|p| {
                        let k = p[3] as u16;
                        [
                            (p[0] as u16 * k / 255) as u8,
                            (p[1] as u16 * k / 255) as u8,
                            (p[2] as u16 * k / 255) as u8,
                        ]
                    })
                    .collect();
                Ok(DynamicImage::ImageRgb8(
                    RgbImage::from_raw(w, h, rgb).ok_or(std::io::ErrorKind::InvalidData)?,
                ))
            }
        }
    })
}

/// Encode 8-bit RGB or grey pixels. Baseline 4:2:0 with optimised Huffman tables unless
/// `progressive`, like sharp's defaults.
pub(crate) fn encode(
    img: &DynamicImage,
    quality: u8,
    progressive: bool,
    meta: &Metadata,
) -> Result<Vec<u8>> {
    let (color, px): (mozjpeg::ColorSpace, std::borrow::Cow<'_, [u8]>) = match img {
        DynamicImage::ImageLuma8(g) => (mozjpeg::ColorSpace::JCS_GRAYSCALE, g.as_raw().into()),
        DynamicImage::ImageRgb8(rgb) => (mozjpeg::ColorSpace::JCS_RGB, rgb.as_raw().into()),
        other if !other.color().has_color() && !other.color().has_alpha() => (
            mozjpeg::ColorSpace::JCS_GRAYSCALE,
            other.to_luma8().into_raw().into(),
        ),
        other => (
            mozjpeg::ColorSpace::JCS_RGB,
            crate::ops::flatten_rgb8(other).into_raw().into(),
        ),
    };
    let (w, h) = (img.width() as usize, img.height() as usize);
    let result = catch_unwind(AssertUnwindSafe(|| -> std::io::Result<Vec<u8>> {
        let mut c = mozjpeg::Compress::new(color);
        c.set_fastest_defaults();
        c.set_size(w, h);
        c.set_quality(quality.clamp(1, 100) as f32);
        c.set_optimize_coding(true);
        if progressive {
            c.set_progressive_mode();
        }
        if color == mozjpeg::ColorSpace::JCS_RGB {
            c.set_chroma_sampling_pixel_sizes((2, 2), (2, 2));
        }
        let mut s = c.start_compress(Vec::with_capacity(w * h / 4 + 1024))?;
        if let Some(exif) = &meta.exif {
            let mut seg = b"Exif\0\0".to_vec();
            seg.extend_from_slice(exif);
            if seg.len() <= 65533 {
                s.write_marker(mozjpeg::Marker::APP(1), &seg);
            }
        }
        if let Some(xmp) = &meta.xmp {
            let mut seg = XMP_NS.to_vec();
            seg.extend_from_slice(xmp);
            if seg.len() <= 65533 {
                s.write_marker(mozjpeg::Marker::APP(1), &seg);
            }
        }
        if let Some(icc) = &meta.icc {
            s.write_icc_profile(icc);
        }
        s.write_scanlines(&px)?;
        s.finish()
    }));
    match result {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Error::encode(e)),
        Err(_) => Err(Error::encode("libjpeg failed")),
    }
}

/// The DCT scale denominator (1, 2, 4, 8) so that the decoded size stays at or above
/// `min_w`×`min_h`: the largest shrink that still leaves the exact resize something to do.
pub(crate) fn shrink_denominator(width: u32, height: u32, min_w: u32, min_h: u32) -> u8 {
    let mut best = 1;
    for d in [2u32, 4, 8] {
        let (sw, sh) = (width.div_ceil(d), height.div_ceil(d));
        if sw >= min_w.max(1) && sh >= min_h.max(1) {
            best = d as u8;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrink_keeps_at_least_target() {
        assert_eq!(shrink_denominator(4000, 3000, 800, 600), 4);
        assert_eq!(shrink_denominator(4000, 3000, 2000, 1500), 2);
        assert_eq!(shrink_denominator(4000, 3000, 2001, 1), 1);
        assert_eq!(shrink_denominator(4000, 3000, 100, 75), 8);
    }

    #[test]
    fn garbage_is_a_decode_error_not_a_panic() {
        let e = decode(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 1, 2, 3], 1).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::DecodeFailed);
        assert!(scan_header(&[0xFF, 0xD8, 0xFF]).is_err());
    }
}
