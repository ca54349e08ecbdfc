//! Size limits, checked from the file header before any pixel buffer is allocated.

use crate::error::{Error, ErrorKind, Result};

/// Limits applied when decoding. The defaults follow sharp's `limitInputPixels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most pixels (width × height) one frame may have. Default 268 402 689 (16383²), as sharp.
    /// `0` means no limit.
    pub max_pixels: u64,
    /// Largest width or height in pixels. Default 65 535. `0` means no limit.
    pub max_dimension: u32,
    /// Most frames or pages decoded from one file. Default 1000. `0` means no limit.
    pub max_frames: u32,
    /// Most bytes all decoded frames together may take. Default 2 GiB. `0` means no limit.
    pub max_decoded_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 268_402_689,
            max_dimension: 65_535,
            max_frames: 1000,
            max_decoded_bytes: 2 << 30,
        }
    }
}

impl Limits {
    /// No limits at all (for trusted input only).
    pub fn none() -> Self {
        Self {
            max_pixels: 0,
            max_dimension: 0,
            max_frames: 0,
            max_decoded_bytes: 0,
        }
    }

    /// Limits with `max_pixels` set from a megapixel figure (the server's `MAX_MEGAPIXELS`).
    pub fn with_max_megapixels(mut self, megapixels: f64) -> Self {
        self.max_pixels = if megapixels > 0.0 {
            (megapixels * 1e6) as u64
        } else {
            0
        };
        self
    }

    /// Refuse a `width`×`height` frame that breaks a limit, naming the limit.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::decode(format!(
                "image has a zero dimension ({width}x{height})"
            )));
        }
        if self.max_dimension > 0 && (width > self.max_dimension || height > self.max_dimension) {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "Image dimensions {width}x{height} exceed the limit of {} pixels per side",
                    self.max_dimension
                ),
            ));
        }
        let pixels = u64::from(width) * u64::from(height);
        if self.max_pixels > 0 && pixels > self.max_pixels {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!(
                    "Image exceeds maximum size: {:.1}MP (limit: {:.1}MP)",
                    pixels as f64 / 1e6,
                    self.max_pixels as f64 / 1e6
                ),
            ));
        }
        Ok(())
    }

    /// The allocation budget handed to the `image` crate's decoders.
    pub(crate) fn to_image_limits(self) -> image::Limits {
        let mut l = image::Limits::no_limits();
        if self.max_dimension > 0 {
            l.max_image_width = Some(self.max_dimension);
            l.max_image_height = Some(self.max_dimension);
        }
        if self.max_decoded_bytes > 0 {
            l.max_alloc = Some(self.max_decoded_bytes);
        }
        l
    }
}
