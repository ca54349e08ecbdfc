//! Header probing and decoding: format from magic bytes, limits from the header, then pixels.

use super::{exif, jpeg, limits::Limits};
use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::{Frame, Image, Metadata};
use image::metadata::Orientation;
use image::{AnimationDecoder, DynamicImage, ImageDecoder};
use std::borrow::Cow;
use std::io::Cursor;

/// What the header says, read without decoding pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Detected format.
    pub format: ImageFormat,
    /// Stored width (EXIF orientation not applied).
    pub width: u32,
    /// Stored height (EXIF orientation not applied).
    pub height: u32,
    /// EXIF orientation 1–8 (1 when absent).
    pub orientation: u8,
}

impl Header {
    /// Size after the EXIF orientation is applied (what tools see).
    pub fn oriented_size(&self) -> (u32, u32) {
        if self.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Options for [`decode`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DecodeOptions {
    /// Size limits checked from the header first.
    pub limits: Limits,
    /// The smallest (oriented) size the caller needs. JPEGs decode at 1/2, 1/4 or 1/8 scale
    /// in the DCT domain when that still covers it ("shrink on load").
    pub min_size: Option<(u32, u32)>,
}

/// Detect the format of `bytes` or fail with a clear error.
pub fn detect(bytes: &[u8], name: Option<&str>) -> Result<ImageFormat> {
    if bytes.is_empty() {
        return Err(Error::invalid_input("File is empty"));
    }
    ImageFormat::sniff(bytes, name)
        .ok_or_else(|| Error::new(ErrorKind::UnknownFormat, "Unrecognized image format"))
}

fn require_decodable(format: ImageFormat) -> Result<()> {
    if format.can_decode() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::UnsupportedFormat,
            format!(
                "Decoding {} images is not supported by this build",
                format.name().to_uppercase()
            ),
        ))
    }
}

/// A reader of the `image` crate over `bytes`. `image` only knows the `#?RADIANCE`
/// signature of Radiance HDR; `#?RGBE` files are otherwise identical, so they are handed
/// over with that signature.
fn image_reader(
    bytes: &[u8],
    format: ImageFormat,
) -> Result<image::ImageReader<Cursor<Cow<'_, [u8]>>>> {
    let f = format
        .to_image_crate()
        .ok_or_else(|| Error::internal("format has no image-crate codec"))?;
    let data = match bytes.strip_prefix(b"#?RGBE") {
        Some(rest) if format == ImageFormat::Hdr => Cow::Owned([b"#?RADIANCE", rest].concat()),
        _ => Cow::Borrowed(bytes),
    };
    Ok(image::ImageReader::with_format(Cursor::new(data), f))
}

/// Read format, size and orientation from the header only. No pixel buffer is allocated.
pub fn probe(bytes: &[u8], name: Option<&str>) -> Result<Header> {
    let format = detect(bytes, name)?;
    require_decodable(format)?;
    if format == ImageFormat::Jpeg {
        let h = jpeg::scan_header(bytes)?;
        let orientation = h
            .metadata
            .exif
            .as_deref()
            .and_then(exif::orientation)
            .unwrap_or(1);
        return Ok(Header {
            format,
            width: h.width,
            height: h.height,
            orientation,
        });
    }
    let mut reader = image_reader(bytes, format)?;
    reader.no_limits();
    let mut dec = reader.into_decoder().map_err(Error::decode)?;
    let (width, height) = dec.dimensions();
    let orientation = dec.orientation().map(orientation_code).unwrap_or(1);
    Ok(Header {
        format,
        width,
        height,
        orientation,
    })
}

fn orientation_code(o: Orientation) -> u8 {
    match o {
        Orientation::NoTransforms => 1,
        Orientation::FlipHorizontal => 2,
        Orientation::Rotate180 => 3,
        Orientation::FlipVertical => 4,
        Orientation::Rotate90FlipH => 5,
        Orientation::Rotate90 => 6,
        Orientation::Rotate270FlipH => 7,
        Orientation::Rotate270 => 8,
    }
}

/// Decode `bytes` into an upright [`Image`]: limits are checked from the header before any
/// pixel buffer exists, the EXIF orientation is applied and reset to 1, and ICC/EXIF/XMP are
/// kept for the encoder.
pub fn decode(bytes: &[u8], name: Option<&str>, opts: &DecodeOptions) -> Result<Image> {
    let format = detect(bytes, name)?;
    require_decodable(format)?;
    // JPEG: one marker scan gives size, orientation and metadata.
    let jpeg_header = if format == ImageFormat::Jpeg {
        Some(jpeg::scan_header(bytes)?)
    } else {
        None
    };
    let header = match &jpeg_header {
        Some(h) => Header {
            format,
            width: h.width,
            height: h.height,
            orientation: h
                .metadata
                .exif
                .as_deref()
                .and_then(exif::orientation)
                .unwrap_or(1),
        },
        None => probe(bytes, name)?,
    };
    opts.limits.check_dimensions(header.width, header.height)?;
    let (frames, loop_count, mut metadata, lossless) = match (header.format, jpeg_header) {
        (ImageFormat::Jpeg, Some(h)) => {
            let denom = match opts.min_size {
                Some((mw, mh)) => {
                    let (mw, mh) = if header.orientation >= 5 {
                        (mh, mw)
                    } else {
                        (mw, mh)
                    };
                    jpeg::shrink_denominator(h.width, h.height, mw, mh)
                }
                None => 1,
            };
            let pixels = jpeg::decode(bytes, denom)?;
            (
                vec![Frame {
                    pixels,
                    delay_ms: 0,
                }],
                0,
                h.metadata,
                false,
            )
        }
        (ImageFormat::Gif, _) => decode_gif(bytes, &opts.limits)?,
        (ImageFormat::Webp, _) => decode_webp(bytes, &opts.limits)?,
        (ImageFormat::Tiff, _) => decode_tiff(bytes, &opts.limits)?,
        (format, _) => {
            let (pixels, metadata) = decode_still(bytes, format, &opts.limits)?;
            (
                vec![Frame {
                    pixels,
                    delay_ms: 0,
                }],
                0,
                metadata,
                false,
            )
        }
    };
    if let Some(e) = metadata.exif.as_mut() {
        let stripped = exif::strip_exif_header(e).to_vec();
        *e = stripped;
        exif::reset_orientation(e);
    }
    let mut image = Image {
        frames,
        loop_count,
        metadata,
        source_format: Some(header.format),
        source_lossless: lossless,
        name: name.map(str::to_owned),
        encode: None,
    };
    if header.orientation > 1 {
        let o = Orientation::from_exif(header.orientation).unwrap_or(Orientation::NoTransforms);
        for f in &mut image.frames {
            f.pixels.apply_orientation(o);
        }
    }
    for f in &mut image.frames {
        normalise_float(&mut f.pixels);
    }
    Ok(image)
}

/// HDR/EXR come in as 32-bit float; tools and encoders work on 8/16-bit, so clamp to 8-bit.
fn normalise_float(p: &mut DynamicImage) {
    match p {
        DynamicImage::ImageRgb32F(_) => *p = DynamicImage::ImageRgb8(p.to_rgb8()),
        DynamicImage::ImageRgba32F(_) => *p = DynamicImage::ImageRgba8(p.to_rgba8()),
        _ => {}
    }
}

fn read_metadata(dec: &mut dyn ImageDecoder) -> Metadata {
    Metadata {
        icc: dec.icc_profile().ok().flatten(),
        exif: dec.exif_metadata().ok().flatten(),
        xmp: dec.xmp_metadata().ok().flatten(),
    }
}

fn decode_still(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<(DynamicImage, Metadata)> {
    let mut reader = image_reader(bytes, format)?;
    reader.limits(limits.to_image_limits());
    let mut dec = reader.into_decoder().map_err(Error::decode)?;
    let meta = read_metadata(&mut dec);
    let px = DynamicImage::from_decoder(dec).map_err(map_decode_err)?;
    Ok((px, meta))
}

fn map_decode_err(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(_) => Error::from(e),
        other => Error::decode(other),
    }
}

type Decoded = (Vec<Frame>, u16, Metadata, bool);

fn collect_frames(frames: image::Frames<'_>, limits: &Limits) -> Result<Vec<Frame>> {
    let mut out = Vec::new();
    let mut bytes = 0u64;
    for f in frames {
        let f = f.map_err(map_decode_err)?;
        let (n, d) = f.delay().numer_denom_ms();
        let delay_ms = n.checked_div(d).unwrap_or(0);
        let buf = f.into_buffer();
        bytes += buf.as_raw().len() as u64;
        if limits.max_frames > 0 && out.len() as u32 >= limits.max_frames {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("Animation has more than {} frames", limits.max_frames),
            ));
        }
        if limits.max_decoded_bytes > 0 && bytes > limits.max_decoded_bytes {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                "Decoded animation exceeds the memory limit",
            ));
        }
        out.push(Frame {
            pixels: DynamicImage::ImageRgba8(buf),
            delay_ms,
        });
    }
    if out.is_empty() {
        return Err(Error::decode("animation has no frames"));
    }
    Ok(out)
}

fn decode_gif(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let mut dec = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(Error::decode)?;
    dec.set_limits(limits.to_image_limits())
        .map_err(map_decode_err)?;
    let meta = read_metadata(&mut dec);
    let frames = collect_frames(dec.into_frames(), limits)?;
    Ok((frames, 0, meta, false))
}

fn webp_is_lossless(bytes: &[u8]) -> bool {
    match bytes.get(12..16) {
        Some(b"VP8L") => true,
        Some(b"VP8X") => {
            let body = &bytes[16..];
            body.windows(4).any(|w| w == b"VP8L") && !body.windows(4).any(|w| w == b"VP8 ")
        }
        _ => false,
    }
}

fn decode_webp(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    let mut dec =
        image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).map_err(Error::decode)?;
    dec.set_limits(limits.to_image_limits())
        .map_err(map_decode_err)?;
    let meta = read_metadata(&mut dec);
    let lossless = webp_is_lossless(bytes);
    if dec.has_animation() {
        let frames = collect_frames(dec.into_frames(), limits)?;
        return Ok((frames, 0, meta, lossless));
    }
    let px = DynamicImage::from_decoder(dec).map_err(map_decode_err)?;
    Ok((
        vec![Frame {
            pixels: px,
            delay_ms: 0,
        }],
        0,
        meta,
        lossless,
    ))
}

fn decode_tiff(bytes: &[u8], limits: &Limits) -> Result<Decoded> {
    // The first page through `image` (widest colour-type support), further pages through `tiff`.
    let (first, meta) = decode_still(bytes, ImageFormat::Tiff, limits)?;
    let mut frames = vec![Frame {
        pixels: first,
        delay_ms: 0,
    }];
    let Ok(mut dec) = tiff::decoder::Decoder::new(Cursor::new(bytes)) else {
        return Ok((frames, 0, meta, false));
    };
    while dec.more_images() {
        if limits.max_frames > 0 && frames.len() as u32 >= limits.max_frames {
            break;
        }
        if dec.next_image().is_err() {
            break;
        }
        let Ok((w, h)) = dec.dimensions() else { break };
        limits.check_dimensions(w, h)?;
        match super::tiff_pages::read_page(&mut dec, w, h) {
            Some(px) => frames.push(Frame {
                pixels: px,
                delay_ms: 0,
            }),
            None => break,
        }
    }
    Ok((frames, 0, meta, false))
}
