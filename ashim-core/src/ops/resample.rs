//! Lanczos-3 resampling through fast_image_resize (SIMD, alpha-aware).

use crate::error::{Error, Result};
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::DynamicImage;

fn options() -> ResizeOptions {
    ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
}

fn run(src: &DynamicImage, w: u32, h: u32, opts: &ResizeOptions) -> Result<DynamicImage> {
    if w == 0 || h == 0 {
        return Err(Error::unprocessable(format!(
            "target size {w}x{h} has a zero side"
        )));
    }
    // fast_image_resize has no LumaA16/float kernels for every layout; widen the rare ones.
    let src = match src {
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            std::borrow::Cow::Owned(DynamicImage::ImageRgba16(src.to_rgba16()))
        }
        _ => std::borrow::Cow::Borrowed(src),
    };
    if src.width() == w && src.height() == h {
        return Ok(src.into_owned());
    }
    let mut dst = DynamicImage::new(w, h, src.color());
    Resizer::new()
        .resize(src.as_ref(), &mut dst, opts)
        .map_err(|e| Error::internal(format!("resize failed: {e}")))?;
    Ok(dst)
}

/// Resample to exactly `w`×`h` (aspect not preserved).
pub fn resize_exact(src: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage> {
    run(src, w, h, &options())
}

/// Resample the source rectangle `(left, top, width, height)` (sub-pixel) to `w`×`h`,
/// cropping and scaling in one pass.
pub fn resize_crop(
    src: &DynamicImage,
    crop: (f64, f64, f64, f64),
    w: u32,
    h: u32,
) -> Result<DynamicImage> {
    if w == 0 || h == 0 {
        return Err(Error::unprocessable(format!(
            "target size {w}x{h} has a zero side"
        )));
    }
    let mut dst = DynamicImage::new(w, h, src.color());
    let opts = options().crop(crop.0, crop.1, crop.2, crop.3);
    Resizer::new()
        .resize(src, &mut dst, &opts)
        .map_err(|e| Error::internal(format!("resize failed: {e}")))?;
    Ok(dst)
}
