//! Classical denoising on 8-bit-scaled planes (values 0–255 as f32): the bilateral filter
//! and non-local means (OpenCV's `fastNlMeansDenoising` weighting, computed offset by
//! offset with integral images so a 21×21 search costs 441 passes, not 441×49 per pixel),
//! plus the Lab plane split/join the noise-removal and restore-photo tools share.

use super::redeye::{lab8_to_rgb, rgb_to_lab8};
use crate::error::Result;
use image::RgbImage;

/// One channel, row-major, values on the 0–255 scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane {
    /// Width.
    pub w: usize,
    /// Height.
    pub h: usize,
    /// Samples.
    pub data: Vec<f32>,
}

impl Plane {
    /// A plane of `w`×`h` zeros.
    pub fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            data: vec![0.0; w * h],
        }
    }

    fn at(&self, x: isize, y: isize) -> f32 {
        let x = x.clamp(0, self.w as isize - 1) as usize;
        let y = y.clamp(0, self.h as isize - 1) as usize;
        self.data[y * self.w + x]
    }
}

/// Split an RGB image into 8-bit-scaled Lab planes (L 0–255, a/b 128 = neutral).
pub fn to_lab(img: &RgbImage) -> [Plane; 3] {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut out = [Plane::new(w, h), Plane::new(w, h), Plane::new(w, h)];
    for (i, p) in img.pixels().enumerate() {
        let lab = rgb_to_lab8(p.0);
        for c in 0..3 {
            out[c].data[i] = lab[c];
        }
    }
    out
}

/// Join 8-bit-scaled Lab planes back into RGB.
pub fn from_lab(lab: &[Plane; 3]) -> RgbImage {
    let (w, h) = (lab[0].w as u32, lab[0].h as u32);
    let mut out = RgbImage::new(w, h);
    for (i, p) in out.pixels_mut().enumerate() {
        p.0 = lab8_to_rgb([lab[0].data[i], lab[1].data[i], lab[2].data[i]]);
    }
    out
}

/// Bilateral filter with a `d`×`d` window (OpenCV `bilateralFilter` semantics).
pub fn bilateral(
    p: &Plane,
    d: usize,
    sigma_color: f32,
    sigma_space: f32,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<Plane> {
    let r = (d.max(1) / 2) as isize;
    let sc = -0.5 / (sigma_color.max(1e-3) * sigma_color.max(1e-3));
    let ss = -0.5 / (sigma_space.max(1e-3) * sigma_space.max(1e-3));
    let mut spatial = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let d2 = (dx * dx + dy * dy) as f32;
            if d2 <= (r * r) as f32 {
                spatial.push((dx, dy, (d2 * ss).exp()));
            }
        }
    }
    let mut out = Plane::new(p.w, p.h);
    for y in 0..p.h {
        if y % 32 == 0 {
            tick(y as f32 / p.h as f32)?;
        }
        for x in 0..p.w {
            let c = p.data[y * p.w + x];
            let (mut acc, mut wsum) = (0f32, 0f32);
            for &(dx, dy, ws) in &spatial {
                let v = p.at(x as isize + dx, y as isize + dy);
                let wt = ws * ((v - c) * (v - c) * sc).exp();
                acc += wt * v;
                wsum += wt;
            }
            out.data[y * p.w + x] = acc / wsum;
        }
    }
    Ok(out)
}

/// Non-local means with filter strength `h`, a `template`×`template` patch and a
/// `search`×`search` window (both odd; OpenCV's defaults are 7 and 21).
pub fn nlm(
    p: &Plane,
    h: f32,
    template: usize,
    search: usize,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<Plane> {
    let (w, hh) = (p.w, p.h);
    let tr = (template / 2) as isize;
    let sr = (search.max(1) / 2) as isize;
    let inv_h2 = 1.0 / (h.max(1e-3) * h.max(1e-3));
    let mut acc = vec![0f32; w * hh];
    let mut wsum = vec![0f32; w * hh];
    let mut integral = vec![0f64; (w + 1) * (hh + 1)];
    let total = ((2 * sr + 1) * (2 * sr + 1)) as f32;
    let mut done = 0f32;
    for dy in -sr..=sr {
        for dx in -sr..=sr {
            tick(done / total)?;
            done += 1.0;
            // Integral image of the squared difference to the shifted plane.
            for y in 0..hh {
                let mut row = 0f64;
                for x in 0..w {
                    let a = p.data[y * w + x];
                    let b = p.at(x as isize + dx, y as isize + dy);
                    row += ((a - b) * (a - b)) as f64;
                    integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
                }
            }
            for y in 0..hh {
                let y0 = (y as isize - tr).max(0) as usize;
                let y1 = ((y as isize + tr) as usize).min(hh - 1) + 1;
                for x in 0..w {
                    let x0 = (x as isize - tr).max(0) as usize;
                    let x1 = ((x as isize + tr) as usize).min(w - 1) + 1;
                    let s = integral[y1 * (w + 1) + x1]
                        - integral[y0 * (w + 1) + x1]
                        - integral[y1 * (w + 1) + x0]
                        + integral[y0 * (w + 1) + x0];
                    let n = ((y1 - y0) * (x1 - x0)) as f64;
                    let dist = (s / n) as f32;
                    let wt = (-dist * inv_h2).exp();
                    let i = y * w + x;
                    acc[i] += wt * p.at(x as isize + dx, y as isize + dy);
                    wsum[i] += wt;
                }
            }
        }
    }
    Ok(Plane {
        w,
        h: hh,
        data: acc.iter().zip(&wsum).map(|(a, s)| a / s).collect(),
    })
}

/// 5×5 binomial blur (the "5×5 Gaussian" of the detail-restoring step).
pub fn blur5(p: &Plane) -> Plane {
    const K: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];
    let mut tmp = Plane::new(p.w, p.h);
    for y in 0..p.h {
        for x in 0..p.w {
            tmp.data[y * p.w + x] = (0..5)
                .map(|k| K[k] * p.at(x as isize + k as isize - 2, y as isize))
                .sum();
        }
    }
    let mut out = Plane::new(p.w, p.h);
    for y in 0..p.h {
        for x in 0..p.w {
            out.data[y * p.w + x] = (0..5)
                .map(|k| K[k] * tmp.at(x as isize, y as isize + k as isize - 2))
                .sum();
        }
    }
    out
}

/// Standard deviation of `a − blur5(a)`: a rough noise level (for tests and reports).
pub fn noise_sigma(p: &Plane) -> f64 {
    let b = blur5(p);
    let n = p.data.len().max(1) as f64;
    let diffs: Vec<f64> = p
        .data
        .iter()
        .zip(&b.data)
        .map(|(a, b)| (a - b) as f64)
        .collect();
    let mean = diffs.iter().sum::<f64>() / n;
    (diffs.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(w: usize, h: usize) -> Plane {
        let mut p = Plane::new(w, h);
        let mut s = 12345u32;
        for (i, v) in p.data.iter_mut().enumerate() {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = ((s >> 16) % 41) as f32 - 20.0;
            let base = if (i % w) < w / 2 { 60.0 } else { 190.0 };
            *v = base + noise;
        }
        p
    }

    #[test]
    fn both_filters_cut_noise_and_keep_the_edge() {
        let p = noisy(48, 32);
        let mut tick = |_| Ok(());
        let before = noise_sigma(&p);
        for out in [
            bilateral(&p, 9, 60.0, 60.0, &mut tick).unwrap(),
            nlm(&p, 20.0, 7, 11, &mut tick).unwrap(),
        ] {
            let after = noise_sigma(&out);
            assert!(after < before * 0.7, "{after} vs {before}");
            // The step edge survives: left and right halves stay far apart.
            let left = out.data[16 * 48 + 5];
            let right = out.data[16 * 48 + 42];
            assert!(right - left > 100.0, "{left} {right}");
        }
    }
}
