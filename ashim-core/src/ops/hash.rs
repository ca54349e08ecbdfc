//! Perceptual hashing: the contract's 128-bit difference hash (find-duplicates, §19).

use super::resample::resize_exact;
use crate::error::Result;
use image::{DynamicImage, GrayImage};

fn grey_at(img: &DynamicImage, w: u32, h: u32) -> Result<GrayImage> {
    // Luminance grey with alpha discarded (not flattened), then a stretch to w×h.
    let grey = DynamicImage::ImageLuma8(img.to_luma8());
    Ok(resize_exact(&grey, w, h)?.to_luma8())
}

/// 128-bit dHash: 64 horizontal bits from a 9×8 grey thumbnail (pixel > right neighbour),
/// then 64 vertical bits from an 8×9 one (pixel > lower neighbour), row-major, the first
/// bit in the most significant position.
pub fn dhash128(img: &DynamicImage) -> Result<u128> {
    let mut bits: u128 = 0;
    let h = grey_at(img, 9, 8)?;
    for y in 0..8 {
        for x in 0..8 {
            let bit = h.get_pixel(x, y).0[0] > h.get_pixel(x + 1, y).0[0];
            bits = (bits << 1) | u128::from(bit);
        }
    }
    let v = grey_at(img, 8, 9)?;
    for y in 0..8 {
        for x in 0..8 {
            let bit = v.get_pixel(x, y).0[0] > v.get_pixel(x, y + 1).0[0];
            bits = (bits << 1) | u128::from(bit);
        }
    }
    Ok(bits)
}

/// Number of differing bits.
pub fn hamming(a: u128, b: u128) -> u32 {
    (a ^ b).count_ones()
}

/// Similarity of two hashes as the contract reports it: round((1 − d/128)·10000)/100.
pub fn hash_similarity(distance: u32) -> f64 {
    ((1.0 - f64::from(distance) / 128.0) * 10000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, RgbaImage};

    fn gradient(w: u32, h: u32, flip: bool) -> DynamicImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 255 / w.max(1)) ^ (y * 97 / h.max(1))) as u8;
            Rgb(if flip {
                [255 - v, 255 - v, 255 - v]
            } else {
                [v, v / 2, 255 - v]
            })
        })
        .into()
    }

    #[test]
    fn identical_and_resized_images_hash_close_and_different_ones_far() {
        let a = dhash128(&gradient(200, 150, false)).unwrap();
        assert_eq!(a, dhash128(&gradient(200, 150, false)).unwrap());
        let small = dhash128(&gradient(100, 75, false)).unwrap();
        assert!(hamming(a, small) <= 8, "{}", hamming(a, small));
        let other = dhash128(&gradient(200, 150, true)).unwrap();
        assert!(hamming(a, other) > 20, "{}", hamming(a, other));
    }

    #[test]
    fn bits_follow_the_definition() {
        // Brightness falls left to right and top to bottom: every bit is 1.
        let img: DynamicImage = image::GrayImage::from_fn(90, 90, |x, y| {
            image::Luma([255 - ((x + y) * 255 / 180) as u8])
        })
        .into();
        assert_eq!(dhash128(&img).unwrap(), u128::MAX);
        // Alpha is ignored: a transparent copy hashes the same.
        let rgba: DynamicImage = RgbaImage::from_fn(90, 90, |x, y| {
            let v = 255 - ((x + y) * 255 / 180) as u8;
            image::Rgba([v, v, v, 0])
        })
        .into();
        assert_eq!(dhash128(&rgba).unwrap(), u128::MAX);
        assert_eq!(hash_similarity(0), 100.0);
        assert_eq!(hash_similarity(3), 97.66);
    }
}
