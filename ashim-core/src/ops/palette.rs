//! Dominant colours as color-palette reports them (§20).

use super::resample::resize_exact;
use crate::error::Result;
use image::DynamicImage;

/// Up to `max` dominant colours: the image stretched to 50×50 with alpha dropped (not
/// flattened), channels quantised to multiples of 16 (capped at 255), colours counted and
/// sorted by count (ties keep first appearance), and kept only when their L1 distance to
/// every kept colour is at least 48.
pub fn dominant_colours(img: &DynamicImage, max: usize) -> Result<Vec<[u8; 3]>> {
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let small = resize_exact(&rgb, 50, 50)?.to_rgb8();
    let mut counts: Vec<([u8; 3], u32)> = Vec::new();
    let mut index: std::collections::HashMap<[u8; 3], usize> = std::collections::HashMap::new();
    for p in small.pixels() {
        let q =
            p.0.map(|v| ((f32::from(v) / 16.0).round() as u32 * 16).min(255) as u8);
        match index.get(&q) {
            Some(&i) => counts[i].1 += 1,
            None => {
                index.insert(q, counts.len());
                counts.push((q, 1));
            }
        }
    }
    // A stable sort keeps first appearance among equal counts.
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let mut kept: Vec<[u8; 3]> = Vec::new();
    for (c, _) in counts {
        if kept.len() >= max {
            break;
        }
        let far = kept.iter().all(|k| {
            k.iter()
                .zip(c)
                .map(|(a, b)| u32::from(a.abs_diff(b)))
                .sum::<u32>()
                >= 48
        });
        if far {
            kept.push(c);
        }
    }
    Ok(kept)
}

/// `#rrggbb`, lower case.
pub fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    #[test]
    fn solid_colours_give_one_entry() {
        let red: DynamicImage = RgbImage::from_pixel(30, 20, Rgb([255, 0, 0])).into();
        assert_eq!(dominant_colours(&red, 8).unwrap(), vec![[255, 0, 0]]);
        let grey: DynamicImage = RgbImage::from_pixel(7, 7, Rgb([130, 130, 130])).into();
        assert_eq!(hex(dominant_colours(&grey, 8).unwrap()[0]), "#808080");
    }

    #[test]
    fn most_frequent_first_and_near_colours_merged() {
        let img: DynamicImage = RgbImage::from_fn(100, 100, |x, _| {
            Rgb(if x < 60 {
                [0, 0, 255]
            } else if x < 90 {
                [255, 255, 0]
            } else {
                [10, 0, 250]
            })
        })
        .into();
        let c = dominant_colours(&img, 8).unwrap();
        assert_eq!(c[0], [0, 0, 255]);
        assert_eq!(c[1], [255, 255, 0]);
        assert!(c.iter().all(|k| *k != [16, 0, 255]), "{c:?}");
        let ramp: DynamicImage = RgbImage::from_fn(256, 4, |x, _| Rgb([x as u8, 0, 0])).into();
        let c = dominant_colours(&ramp, 8).unwrap();
        assert!((2..=8).contains(&c.len()), "{c:?}");
    }
}
