//! Image comparison as the compare tool reports it (§18): a per-pixel difference map and a
//! 0–100 similarity, plus an SSIM from the `image-compare` crate.

use super::resample::resize_exact;
use crate::error::{Error, Result};
use image::{DynamicImage, RgbaImage};

/// The result of comparing two images.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// 100 − mean absolute RGB difference in percent of 255, two decimals; 100 = identical.
    pub similarity: f64,
    /// Structural similarity (mean SSIM of the grey images, 0–1), four decimals.
    pub ssim: f64,
    /// The difference map: changed pixels red (alpha by amount), others A at half alpha.
    pub diff: RgbaImage,
}

/// Compare `a` with `b`: both are stretched to the larger width and height, then per pixel
/// p = (|ΔR| + |ΔG| + |ΔB|)/3 (alpha ignored). Where p > 10 the map is red with alpha
/// min(255, round(3p)); elsewhere it is A's colour at alpha 128.
pub fn compare(a: &DynamicImage, b: &DynamicImage) -> Result<Comparison> {
    let (w, h) = (a.width().max(b.width()), a.height().max(b.height()));
    if w == 0 || h == 0 {
        return Err(Error::unprocessable("cannot compare an empty image"));
    }
    let fit = |img: &DynamicImage| -> Result<RgbaImage> {
        let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
        Ok(resize_exact(&rgba, w, h)?.to_rgba8())
    };
    let (ra, rb) = (fit(a)?, fit(b)?);
    let mut diff = RgbaImage::new(w, h);
    let mut total = 0.0f64;
    for ((pa, pb), d) in ra.pixels().zip(rb.pixels()).zip(diff.pixels_mut()) {
        let p = (0..3)
            .map(|c| f64::from(pa.0[c].abs_diff(pb.0[c])))
            .sum::<f64>()
            / 3.0;
        total += p;
        d.0 = if p > 10.0 {
            [255, 0, 0, (3.0 * p).round().min(255.0) as u8]
        } else {
            [pa.0[0], pa.0[1], pa.0[2], 128]
        };
    }
    let mean = total / (f64::from(w) * f64::from(h) * 255.0);
    let similarity = ((100.0 - mean * 100.0).max(0.0) * 100.0).round() / 100.0;
    let ga = DynamicImage::ImageRgba8(ra).to_luma8();
    let gb = DynamicImage::ImageRgba8(rb).to_luma8();
    let ssim = if ga.as_raw() == gb.as_raw() {
        1.0
    } else {
        image_compare::gray_similarity_structure(&image_compare::Algorithm::MSSIMSimple, &ga, &gb)
            .map_err(|e| Error::internal(format!("ssim: {e}")))?
            .score
    };
    Ok(Comparison {
        similarity,
        ssim: (ssim * 10000.0).round() / 10000.0,
        diff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn scene(shift: u8) -> DynamicImage {
        RgbImage::from_fn(64, 48, |x, y| {
            Rgb([
                (x * 4) as u8,
                (y * 5) as u8,
                if x > 40 { 200 - shift } else { 30 },
            ])
        })
        .into()
    }

    #[test]
    fn identical_is_100_and_changes_lower_it() {
        let same = compare(&scene(0), &scene(0)).unwrap();
        assert_eq!((same.similarity, same.ssim), (100.0, 1.0));
        assert!(same.diff.pixels().all(|p| p.0[3] == 128));
        let changed = compare(&scene(0), &scene(150)).unwrap();
        assert!(changed.similarity < 100.0 && changed.similarity > 50.0);
        assert!(changed.ssim < 1.0);
        let red = changed.diff.get_pixel(50, 10).0;
        assert_eq!(red, [255, 0, 0, 150]);
        assert_eq!(changed.diff.get_pixel(5, 10).0[3], 128);
    }

    #[test]
    fn sizes_differ_the_larger_one_wins() {
        let small: DynamicImage = RgbImage::from_pixel(10, 40, Rgb([0, 0, 0])).into();
        let wide: DynamicImage = RgbImage::from_pixel(30, 20, Rgb([255, 255, 255])).into();
        let c = compare(&small, &wide).unwrap();
        assert_eq!(c.diff.dimensions(), (30, 40));
        assert_eq!(c.similarity, 0.0);
    }
}
