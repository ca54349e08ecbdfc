//! Bounding box of the content inside uniform borders (the `trim` tool).

use super::colour::{Checkpoint, Planes};
use crate::error::Result;
use image::DynamicImage;

/// A rectangle: left, top, width, height.
pub type Rect = (u32, u32, u32, u32);

/// The smallest rectangle holding every pixel that differs from `background` (RGBA, 0–1;
/// `None` = the top-left pixel) by more than `threshold` (0–255 scale) in any channel.
/// Colours are compared premultiplied, so fully transparent pixels match a transparent
/// background whatever their colour. `None` when the whole frame is background.
pub fn content_bbox(
    img: &DynamicImage,
    background: Option<[f32; 4]>,
    threshold: f32,
    cp: Checkpoint<'_>,
) -> Result<Option<Rect>> {
    let p = Planes::from_dynamic(img);
    if p.is_empty() {
        return Ok(None);
    }
    let premul = |c: [f32; 3], a: f32| [c[0] * a, c[1] * a, c[2] * a, a];
    let bg = match background {
        Some(b) => premul([b[0], b[1], b[2]], b[3]),
        None => premul(p.rgb(0), p.alpha_at(0)),
    };
    let t = threshold / 255.0;
    let (w, h) = (p.width as usize, p.height as usize);
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0usize, 0usize);
    for y in 0..h {
        cp()?;
        for x in 0..w {
            let i = y * w + x;
            let v = premul(p.rgb(i), p.alpha_at(i));
            if v.iter().zip(bg).any(|(a, b)| (a - b).abs() > t) {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    if x0 == usize::MAX {
        return Ok(None);
    }
    Ok(Some((
        x0 as u32,
        y0 as u32,
        (x1 - x0 + 1) as u32,
        (y1 - y0 + 1) as u32,
    )))
}

/// The union of two optional rectangles.
pub fn union(a: Option<Rect>, b: Option<Rect>) -> Option<Rect> {
    match (a, b) {
        (None, r) | (r, None) => r,
        (Some(a), Some(b)) => {
            let (l, t) = (a.0.min(b.0), a.1.min(b.1));
            let r = (a.0 + a.2).max(b.0 + b.2);
            let bt = (a.1 + a.3).max(b.1 + b.3);
            Some((l, t, r - l, bt - t))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::colour::no_checkpoint;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    #[test]
    fn finds_the_content_inside_a_border() {
        let img: DynamicImage = RgbImage::from_fn(40, 30, |x, y| {
            if (5..35).contains(&x) && (8..20).contains(&y) {
                Rgb([200, 10, 10])
            } else {
                Rgb([255, 255, 250])
            }
        })
        .into();
        let r = content_bbox(&img, None, 10.0, &no_checkpoint).unwrap();
        assert_eq!(r, Some((5, 8, 30, 12)));
        // A given background that matches nothing keeps everything.
        let all = content_bbox(&img, Some([0.0, 0.0, 0.0, 1.0]), 10.0, &no_checkpoint).unwrap();
        assert_eq!(all, Some((0, 0, 40, 30)));
        // The threshold absorbs near-background noise.
        let faint: DynamicImage = RgbImage::from_fn(10, 10, |x, _| {
            Rgb(if x == 9 {
                [250, 250, 250]
            } else {
                [255, 255, 255]
            })
        })
        .into();
        assert_eq!(
            content_bbox(&faint, None, 10.0, &no_checkpoint).unwrap(),
            None
        );
        assert_eq!(
            content_bbox(&faint, None, 2.0, &no_checkpoint).unwrap(),
            Some((9, 0, 1, 10))
        );
    }

    #[test]
    fn transparent_borders_of_any_colour_are_background() {
        let img: DynamicImage = RgbaImage::from_fn(10, 10, |x, y| {
            if x == 4 && y == 6 {
                Rgba([0, 0, 0, 255])
            } else {
                Rgba([(x * 20) as u8, 90, 0, 0])
            }
        })
        .into();
        assert_eq!(
            content_bbox(&img, None, 10.0, &no_checkpoint).unwrap(),
            Some((4, 6, 1, 1))
        );
        assert_eq!(
            union(Some((4, 6, 1, 1)), Some((0, 0, 2, 2))),
            Some((0, 0, 5, 7))
        );
        assert_eq!(union(None, Some((1, 1, 1, 1))), Some((1, 1, 1, 1)));
    }
}
