//! Encoding an [`Image`] once, at the end: per-format options, metadata written back,
//! and the target-size search of `compress`.

use super::{jpeg, tiff_pages};
use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Frame, Image, Metadata, Quality};
use image::{DynamicImage, ImageEncoder};

/// An encoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The bytes.
    pub data: Vec<u8>,
    /// Their format.
    pub format: ImageFormat,
    /// Width of the (first) frame.
    pub width: u32,
    /// Height of the (first) frame.
    pub height: u32,
}

/// Quality used when a tool keeps the input format (tools-essentials 0.6).
const KEEP_FORMAT_QUALITY: u8 = 95;
/// Encoder default quality for JPEG and WebP when a format is chosen without a quality.
const DEFAULT_QUALITY: u8 = 80;

/// Encode `img` as its [`EncodeSpec`] says, or in its input format at quality 95 when no
/// step chose one. Metadata is written back where the format can hold it.
pub fn encode(img: &Image) -> Result<Encoded> {
    let spec = img.encode.unwrap_or_else(|| EncodeSpec {
        format: img.output_format(),
        // PNG keeps lossless truecolour (DECISIONS.md 10): quality would mean a palette.
        quality: match img.output_format() {
            ImageFormat::Jpeg | ImageFormat::Webp => Quality::Value(KEEP_FORMAT_QUALITY),
            _ => Quality::Default,
        },
        progressive: false,
        lossless: img.source_lossless && img.source_format == Some(ImageFormat::Webp),
        png_level: None,
    });
    if !spec.format.can_encode() {
        return Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "Encoding {} images is not supported by this build",
                spec.format.name().to_uppercase()
            ),
        ));
    }
    let data = match spec.quality {
        Quality::TargetBytes(target) => search_target(img, spec, target)?,
        Quality::Value(q) => encode_at(img, spec, Some(q))?,
        Quality::Default => encode_at(img, spec, None)?,
    };
    Ok(Encoded {
        data,
        format: spec.format,
        width: img.width(),
        height: img.height(),
    })
}

/// Encode a single still in `format` at `quality` (None = encoder default), no metadata.
pub fn encode_frame(
    pixels: DynamicImage,
    format: ImageFormat,
    quality: Option<u8>,
) -> Result<Vec<u8>> {
    encode_at(
        &Image::from_dynamic(pixels),
        EncodeSpec::new(format),
        quality,
    )
}

/// Encode a preview of `pixels` fitted inside `max_w`×`max_h` (Lanczos-3, aspect kept,
/// never enlarged): thumbnails, library previews, `previewUrl`s.
pub fn preview(
    pixels: &DynamicImage,
    max_w: u32,
    max_h: u32,
    format: ImageFormat,
    quality: Option<u8>,
) -> Result<Vec<u8>> {
    let (w, h) = (pixels.width(), pixels.height());
    let s = (f64::from(max_w) / f64::from(w)).min(f64::from(max_h) / f64::from(h));
    let small = if s < 1.0 {
        let tw = ((f64::from(w) * s).round() as u32).max(1);
        let th = ((f64::from(h) * s).round() as u32).max(1);
        crate::ops::resize_exact(pixels, tw, th)?
    } else {
        pixels.clone()
    };
    encode_frame(small, format, quality)
}

fn uses_quality(format: ImageFormat) -> bool {
    matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Webp | ImageFormat::Png
    )
}

/// Binary search on quality for the size closest to `target` bytes (tools-essentials §5):
/// at most 8 probes, accept within 5 %, else the best probe under the target, else quality 1.
fn search_target(img: &Image, spec: EncodeSpec, target: u64) -> Result<Vec<u8>> {
    if !uses_quality(spec.format) {
        return encode_at(img, spec, None);
    }
    let (mut lo, mut hi) = (1i32, 100i32);
    let mut best: Option<Vec<u8>> = None;
    for _ in 0..8 {
        if lo > hi {
            break;
        }
        let q = ((lo + hi) as f64 / 2.0).round().clamp(1.0, 100.0) as u8;
        let data = encode_at(img, spec, Some(q))?;
        let size = data.len() as u64;
        if (size as f64 - target as f64).abs() / target as f64 <= 0.05 {
            return Ok(data);
        }
        if size > target {
            hi = i32::from(q) - 1;
        } else {
            lo = i32::from(q) + 1;
            best = Some(data);
        }
    }
    match best {
        Some(b) => Ok(b),
        None => encode_at(img, spec, Some(1)),
    }
}

fn encode_at(img: &Image, spec: EncodeSpec, quality: Option<u8>) -> Result<Vec<u8>> {
    let first = img.first();
    let meta = &img.metadata;
    match spec.format {
        ImageFormat::Jpeg => jpeg::encode(
            first,
            quality.unwrap_or(DEFAULT_QUALITY),
            spec.progressive,
            meta,
        ),
        ImageFormat::Png => encode_png(first, quality, spec.png_level.unwrap_or(6), meta),
        ImageFormat::Webp => encode_webp(img, quality.unwrap_or(DEFAULT_QUALITY), spec.lossless),
        ImageFormat::Gif => encode_gif(img),
        ImageFormat::Tiff => tiff_pages::encode(&img.frames),
        ImageFormat::Bmp => {
            let mut out = Vec::new();
            let px = bmp_compatible(first);
            image::codecs::bmp::BmpEncoder::new(&mut out)
                .write_image(px.as_bytes(), px.width(), px.height(), px.color().into())
                .map_err(Error::encode)?;
            Ok(out)
        }
        ImageFormat::Ico => encode_ico(first),
        other => Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "Encoding {} images is not supported by this build",
                other.name().to_uppercase()
            ),
        )),
    }
}

fn bmp_compatible(p: &DynamicImage) -> DynamicImage {
    match p {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) | DynamicImage::ImageLuma8(_) => {
            p.clone()
        }
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

fn encode_png(
    p: &DynamicImage,
    quality: Option<u8>,
    level: u8,
    meta: &Metadata,
) -> Result<Vec<u8>> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = Vec::new();
    match quality {
        // A quality asks for palette quantisation (fewer colours, smaller file).
        Some(q) if q < 100 => super::png_palette::encode(p, q, &mut out)?,
        _ => {
            let mut enc = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Level(level.min(9)),
                FilterType::Adaptive,
            );
            if let Some(icc) = &meta.icc {
                let _ = enc.set_icc_profile(icc.clone());
            }
            if let Some(exif) = &meta.exif {
                let _ = enc.set_exif_metadata(exif.clone());
            }
            let p = png_compatible(p);
            enc.write_image(p.as_bytes(), p.width(), p.height(), p.color().into())
                .map_err(Error::encode)?;
        }
    }
    if let Some(xmp) = &meta.xmp {
        out = super::png_palette::insert_xmp(out, xmp);
    }
    Ok(out)
}

fn png_compatible(p: &DynamicImage) -> std::borrow::Cow<'_, DynamicImage> {
    match p {
        DynamicImage::ImageRgb32F(_) => {
            std::borrow::Cow::Owned(DynamicImage::ImageRgb16(p.to_rgb16()))
        }
        DynamicImage::ImageRgba32F(_) => {
            std::borrow::Cow::Owned(DynamicImage::ImageRgba16(p.to_rgba16()))
        }
        _ => std::borrow::Cow::Borrowed(p),
    }
}

fn rgb_or_rgba8(p: &DynamicImage) -> (Vec<u8>, bool) {
    match p {
        DynamicImage::ImageRgb8(b) => (b.as_raw().clone(), false),
        DynamicImage::ImageRgba8(b) => (b.as_raw().clone(), true),
        other if other.color().has_alpha() => (other.to_rgba8().into_raw(), true),
        other => (other.to_rgb8().into_raw(), false),
    }
}

fn encode_webp(img: &Image, quality: u8, lossless: bool) -> Result<Vec<u8>> {
    let first = img.first();
    let (w, h) = (first.width(), first.height());
    if w > 16383 || h > 16383 {
        return Err(Error::unprocessable(format!(
            "WebP images are at most 16383x16383; this one is {w}x{h}"
        )));
    }
    let mut config = webp::WebPConfig::new().map_err(|_| Error::encode("libwebp config"))?;
    config.quality = if lossless {
        100.0
    } else {
        f32::from(quality.clamp(1, 100))
    };
    config.lossless = i32::from(lossless);
    config.method = 4;
    let data: Vec<u8> = if img.is_animated() {
        let pixels: Vec<Vec<u8>> = img
            .frames
            .iter()
            .map(|f| f.pixels.to_rgba8().into_raw())
            .collect();
        let mut enc = webp::AnimEncoder::new(w, h, &config);
        enc.set_loop_count(i32::from(img.loop_count));
        let mut t = 0i32;
        for (f, px) in img.frames.iter().zip(&pixels) {
            enc.add_frame(webp::AnimFrame::from_rgba(px, w, h, t));
            t = t.saturating_add(f.delay_ms.max(1) as i32);
        }
        enc.try_encode()
            .map_err(|e| Error::encode(format!("{e:?}")))?
            .to_vec()
    } else {
        let (px, alpha) = rgb_or_rgba8(first);
        let enc = if alpha {
            webp::Encoder::from_rgba(&px, w, h)
        } else {
            webp::Encoder::from_rgb(&px, w, h)
        };
        enc.encode_advanced(&config)
            .map_err(|e| Error::encode(format!("{e:?}")))?
            .to_vec()
    };
    attach_webp_metadata(data, &img.metadata)
}

fn attach_webp_metadata(data: Vec<u8>, meta: &Metadata) -> Result<Vec<u8>> {
    use img_parts::{
        ImageEXIF, ImageICC,
        riff::{RiffChunk, RiffContent},
    };
    if meta.is_empty() {
        return Ok(data);
    }
    let mut webp = img_parts::webp::WebP::from_bytes(data.into()).map_err(Error::encode)?;
    if let Some(xmp) = &meta.xmp {
        webp.chunks_mut().push(RiffChunk::new(
            *b"XMP ",
            RiffContent::Data(xmp.clone().into()),
        ));
    }
    webp.set_exif(meta.exif.clone().map(Into::into));
    webp.set_icc_profile(meta.icc.clone().map(Into::into));
    let mut out = Vec::new();
    webp.encoder().write_to(&mut out).map_err(Error::encode)?;
    Ok(out)
}

fn encode_gif(img: &Image) -> Result<Vec<u8>> {
    use image::codecs::gif::{GifEncoder, Repeat};
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 10);
        if img.is_animated() {
            let repeat = if img.loop_count == 0 {
                Repeat::Infinite
            } else {
                Repeat::Finite(img.loop_count)
            };
            enc.set_repeat(repeat).map_err(Error::encode)?;
        }
        let frames = img.frames.iter().map(|f: &Frame| {
            image::Frame::from_parts(
                f.pixels.to_rgba8(),
                0,
                0,
                image::Delay::from_numer_denom_ms(f.delay_ms, 1),
            )
        });
        enc.encode_frames(frames).map_err(Error::encode)?;
    }
    Ok(out)
}

fn encode_ico(p: &DynamicImage) -> Result<Vec<u8>> {
    // ICO entries are at most 256×256: larger images are fitted inside, keeping the aspect.
    let p = if p.width() > 256 || p.height() > 256 {
        let s = 256.0 / f64::from(p.width().max(p.height()));
        let w = ((f64::from(p.width()) * s).round() as u32).max(1);
        let h = ((f64::from(p.height()) * s).round() as u32).max(1);
        crate::ops::resize_exact(p, w, h)?
    } else {
        p.clone()
    };
    let p = DynamicImage::ImageRgba8(p.to_rgba8());
    let mut out = Vec::new();
    image::codecs::ico::IcoEncoder::new(&mut out)
        .write_image(p.as_bytes(), p.width(), p.height(), p.color().into())
        .map_err(Error::encode)?;
    Ok(out)
}
