//! Red-eye correction on YuNet's eye landmarks (tools-creative-ai §20): per eye a circle of
//! radius 1.3·r with r = 0.09 × the inter-ocular distance; inside it the red pupil mask is
//! Lab a\* (8-bit, 128 neutral) above 170 − 0.5·sensitivity, 50 < L < 220 and HSV
//! saturation above 60, cleaned by a 3×3 close then open; regions under 3 px are skipped.
//! Correction: L times (1 − 0.7·strength/100) with a = b = 128, blended through the mask
//! blurred (σ 1.5).

use super::faces::Face;
use image::{GrayImage, RgbImage};

fn srgb_to_linear(v: f32) -> f32 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(v: f32) -> f32 {
    if v <= 0.003_130_8 {
        12.92 * v
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

const WHITE: [f32; 3] = [0.950_456, 1.0, 1.088_754];

fn f(t: f32) -> f32 {
    if t > 0.008_856 {
        t.cbrt()
    } else {
        7.787 * t + 16.0 / 116.0
    }
}

fn finv(t: f32) -> f32 {
    if t > 0.206_893 {
        t * t * t
    } else {
        (t - 16.0 / 116.0) / 7.787
    }
}

/// 8-bit RGB → Lab in OpenCV's 8-bit scaling (L·255/100, a + 128, b + 128).
pub fn rgb_to_lab8(p: [u8; 3]) -> [f32; 3] {
    let [r, g, b] = p.map(|v| srgb_to_linear(v as f32 / 255.0));
    let x = (0.412_453 * r + 0.357_580 * g + 0.180_423 * b) / WHITE[0];
    let y = 0.212_671 * r + 0.715_160 * g + 0.072_169 * b;
    let z = (0.019_334 * r + 0.119_193 * g + 0.950_227 * b) / WHITE[2];
    let l = if y > 0.008_856 {
        116.0 * y.cbrt() - 16.0
    } else {
        903.3 * y
    };
    let a = 500.0 * (f(x) - f(y)) + 128.0;
    let bb = 200.0 * (f(y) - f(z)) + 128.0;
    [l * 255.0 / 100.0, a, bb]
}

/// The inverse of [`rgb_to_lab8`].
pub fn lab8_to_rgb(lab: [f32; 3]) -> [u8; 3] {
    let l = lab[0] * 100.0 / 255.0;
    let fy = (l + 16.0) / 116.0;
    let fx = fy + (lab[1] - 128.0) / 500.0;
    let fz = fy - (lab[2] - 128.0) / 200.0;
    let (x, y, z) = (finv(fx) * WHITE[0], finv(fy), finv(fz) * WHITE[2]);
    let r = 3.240_479 * x - 1.537_15 * y - 0.498_535 * z;
    let g = -0.969_256 * x + 1.875_992 * y + 0.041_556 * z;
    let b = 0.055_648 * x - 0.204_043 * y + 1.057_311 * z;
    [r, g, b].map(|v| {
        (linear_to_srgb(v.clamp(0.0, 1.0)) * 255.0)
            .round()
            .clamp(0.0, 255.0) as u8
    })
}

fn saturation(p: [u8; 3]) -> f32 {
    let mx = p.iter().copied().max().unwrap_or(0) as f32;
    let mn = p.iter().copied().min().unwrap_or(0) as f32;
    if mx == 0.0 {
        0.0
    } else {
        (mx - mn) / mx * 255.0
    }
}

fn morph(m: &GrayImage, dilate: bool) -> GrayImage {
    let (w, h) = m.dimensions();
    GrayImage::from_fn(w, h, |x, y| {
        let mut v = if dilate { 0 } else { 255 };
        for dy in -1i64..=1 {
            for dx in -1i64..=1 {
                if dx != 0 && dy != 0 {
                    continue; // 3×3 ellipse = a cross
                }
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                let p = if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                    0
                } else {
                    m.get_pixel(nx as u32, ny as u32).0[0]
                };
                v = if dilate { v.max(p) } else { v.min(p) };
            }
        }
        image::Luma([v])
    })
}

/// Correct red eyes of `faces` in place; returns how many eyes were corrected.
pub fn correct(img: &mut RgbImage, faces: &[Face], sensitivity: f32, strength: f32) -> usize {
    let (iw, ih) = img.dimensions();
    let mut corrected = 0;
    for face in faces {
        let r = 0.09 * face.eye_distance();
        for &(ex, ey) in &face.landmarks[..2] {
            let rr = 1.3 * r;
            let x0 = (ex - rr).floor().max(0.0) as u32;
            let y0 = (ey - rr).floor().max(0.0) as u32;
            let x1 = ((ex + rr).ceil() as u32).min(iw);
            let y1 = ((ey + rr).ceil() as u32).min(ih);
            if x1 <= x0 + 1 || y1 <= y0 + 1 {
                continue;
            }
            let (w, h) = (x1 - x0, y1 - y0);
            let mut mask = GrayImage::new(w, h);
            for y in 0..h {
                for x in 0..w {
                    let (px, py) = (x0 + x, y0 + y);
                    let d2 = (px as f32 + 0.5 - ex).powi(2) + (py as f32 + 0.5 - ey).powi(2);
                    if d2 > rr * rr {
                        continue;
                    }
                    let p = img.get_pixel(px, py).0;
                    let lab = rgb_to_lab8(p);
                    if lab[1] > 170.0 - 0.5 * sensitivity
                        && lab[0] > 50.0
                        && lab[0] < 220.0
                        && saturation(p) > 60.0
                    {
                        mask.put_pixel(x, y, image::Luma([255]));
                    }
                }
            }
            let mask = morph(&morph(&mask, true), false); // close
            let mask = morph(&morph(&mask, false), true); // open
            if mask.pixels().filter(|p| p.0[0] > 127).count() < 3 {
                continue;
            }
            let soft = image::imageops::blur(&mask, 1.5);
            for y in 0..h {
                for x in 0..w {
                    let a = soft.get_pixel(x, y).0[0] as f32 / 255.0;
                    if a <= 0.0 {
                        continue;
                    }
                    let p = img.get_pixel(x0 + x, y0 + y).0;
                    let lab = rgb_to_lab8(p);
                    let fixed =
                        lab8_to_rgb([lab[0] * (1.0 - 0.7 * strength / 100.0), 128.0, 128.0]);
                    let out = [0, 1, 2]
                        .map(|c| (p[c] as f32 * (1.0 - a) + fixed[c] as f32 * a).round() as u8);
                    img.put_pixel(x0 + x, y0 + y, image::Rgb(out));
                }
            }
            corrected += 1;
        }
    }
    corrected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_round_trips() {
        for p in [
            [255, 0, 0],
            [12, 200, 90],
            [128, 128, 128],
            [0, 0, 0],
            [255, 255, 255],
        ] {
            let q = lab8_to_rgb(rgb_to_lab8(p));
            for c in 0..3 {
                assert!((p[c] as i32 - q[c] as i32).abs() <= 1, "{p:?} -> {q:?}");
            }
        }
        assert!(rgb_to_lab8([200, 20, 20])[1] > 170.0);
    }

    #[test]
    fn a_red_pupil_turns_dark() {
        let mut img = RgbImage::from_pixel(100, 60, image::Rgb([200, 170, 150]));
        for (cx, cy) in [(30.0f32, 30.0f32), (70.0, 30.0)] {
            for y in 0..60 {
                for x in 0..100 {
                    if (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) <= 9.0 {
                        img.put_pixel(x, y, image::Rgb([210, 20, 30]));
                    }
                }
            }
        }
        let face = Face {
            x: 10.0,
            y: 5.0,
            w: 80.0,
            h: 50.0,
            score: 0.9,
            landmarks: [
                (30.0, 30.0),
                (70.0, 30.0),
                (50.0, 40.0),
                (40.0, 50.0),
                (60.0, 50.0),
            ],
        };
        assert_eq!(correct(&mut img, &[face], 50.0, 70.0), 2);
        let p = img.get_pixel(30, 30).0;
        assert!(p[0] < 100, "{p:?}");
        assert_eq!(img.get_pixel(5, 5).0, [200, 170, 150]);
    }
}
