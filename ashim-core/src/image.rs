//! The in-memory image that tools and pipeline steps pass to each other.

use crate::format::ImageFormat;
use image::DynamicImage;

/// One frame (or page) of an image, with how long it is shown in an animation.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The pixels.
    pub pixels: DynamicImage,
    /// Display time in milliseconds (0 for stills and pages).
    pub delay_ms: u32,
}

/// Metadata blocks carried from input to output untouched (DECISIONS.md 12).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// ICC colour profile.
    pub icc: Option<Vec<u8>>,
    /// EXIF block as a TIFF structure (starting with `II*\0` or `MM\0*`), orientation reset to 1.
    pub exif: Option<Vec<u8>>,
    /// XMP packet (UTF-8 XML).
    pub xmp: Option<Vec<u8>>,
}

impl Metadata {
    /// True when no block is present.
    pub fn is_empty(&self) -> bool {
        self.icc.is_none() && self.exif.is_none() && self.xmp.is_none()
    }
}

/// How the final image should be written. Tools like `convert` and `compress` set it;
/// geometry tools leave it alone so a pipeline encodes exactly once, at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeSpec {
    /// Output format.
    pub format: ImageFormat,
    /// How hard to compress.
    pub quality: Quality,
    /// Progressive JPEG / interlaced PNG.
    pub progressive: bool,
    /// Lossless WebP.
    pub lossless: bool,
    /// PNG zlib level 0–9 (default 6), as sharp's `compressionLevel`.
    pub png_level: Option<u8>,
}

/// The quality request of an [`EncodeSpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// The encoder's default (JPEG 80, WebP 80, PNG zlib level 6 truecolour).
    Default,
    /// A quality 1–100. For PNG it means palette quantisation (fewer colours = smaller).
    Value(u8),
    /// Search the quality so the output is as close to this many bytes as possible.
    TargetBytes(u64),
}

impl EncodeSpec {
    /// A spec for `format` with the encoder's default quality.
    pub fn new(format: ImageFormat) -> Self {
        Self {
            format,
            quality: Quality::Default,
            progressive: false,
            lossless: false,
            png_level: None,
        }
    }
}

/// A decoded image: one or more frames that share a size, metadata carried along,
/// and what is known of where it came from.
#[derive(Debug, Clone)]
pub struct Image {
    /// Frames; never empty. Stills have one.
    pub frames: Vec<Frame>,
    /// Animation loop count (0 = forever); meaningless for stills.
    pub loop_count: u16,
    /// Metadata to write back on encode.
    pub metadata: Metadata,
    /// Format of the file this was decoded from, if any.
    pub source_format: Option<ImageFormat>,
    /// True when the source was a lossless WebP (so keeping WebP stays lossless).
    pub source_lossless: bool,
    /// File name of the source, if known (used to name outputs).
    pub name: Option<String>,
    /// Encoding chosen by an earlier step (`convert`, `compress`); `None` keeps the input format.
    pub encode: Option<EncodeSpec>,
}

impl Image {
    /// A single-frame image with no source.
    pub fn from_dynamic(pixels: DynamicImage) -> Self {
        Self {
            frames: vec![Frame {
                pixels,
                delay_ms: 0,
            }],
            loop_count: 0,
            metadata: Metadata::default(),
            source_format: None,
            source_lossless: false,
            name: None,
            encode: None,
        }
    }

    /// The first frame's pixels.
    pub fn first(&self) -> &DynamicImage {
        &self.frames[0].pixels
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.first().width()
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.first().height()
    }

    /// Whether the image has more than one frame.
    pub fn is_animated(&self) -> bool {
        self.frames.len() > 1
    }

    /// Apply a fallible pixel operation to every frame (DECISIONS.md 13: geometry and colour
    /// tools keep every frame and the timing).
    pub fn try_map_frames(
        mut self,
        mut f: impl FnMut(&DynamicImage) -> crate::Result<DynamicImage>,
    ) -> crate::Result<Self> {
        for frame in &mut self.frames {
            frame.pixels = f(&frame.pixels)?;
        }
        Ok(self)
    }

    /// The format a final encode will use: the chosen one, else the input format when ashim
    /// can write it, else PNG (tools-essentials 0.6).
    pub fn output_format(&self) -> ImageFormat {
        if let Some(spec) = self.encode {
            return spec.format;
        }
        keep_format(self.source_format)
    }
}

/// The "keep input format" rule: JPEG, PNG, WebP, GIF and TIFF stay; everything else
/// becomes PNG.
pub fn keep_format(source: Option<ImageFormat>) -> ImageFormat {
    match source {
        Some(
            f @ (ImageFormat::Jpeg
            | ImageFormat::Png
            | ImageFormat::Webp
            | ImageFormat::Gif
            | ImageFormat::Tiff),
        ) => f,
        _ => ImageFormat::Png,
    }
}
