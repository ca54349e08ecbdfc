//! Sharpening and denoising on [`Planes`]: the libvips-style adaptive sharpen on Lab
//! lightness, high-pass kernels and median filters.

use super::blur::gaussian_plane;
use super::colour::{Checkpoint, Depth, Planes, lab_to_srgb, srgb_to_lab};
use crate::error::Result;

/// Parameters of the adaptive sharpen (libvips `sharpen`, tools-essentials §13).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharpenParams {
    /// Gaussian σ of the blur the detail is measured against.
    pub sigma: f32,
    /// Slope for small details (|d| ≤ x1).
    pub m1: f32,
    /// Slope for larger details.
    pub m2: f32,
    /// Threshold between "flat" and "jaggy" detail, in L units (0–100).
    pub x1: f32,
    /// Largest brightening, in L units.
    pub y2: f32,
    /// Largest darkening, in L units.
    pub y3: f32,
}

impl SharpenParams {
    /// The library defaults with a given σ (m1 1, m2 2, x1 2, y2 10, y3 20), as adjust-colors
    /// `sharpness` and image-enhancement use them.
    pub fn library(sigma: f32) -> Self {
        Self {
            sigma,
            m1: 1.0,
            m2: 2.0,
            x1: 2.0,
            y2: 10.0,
            y3: 20.0,
        }
    }

    /// The unsharp-mask mapping of §13: σ = radius, m1 = m2 = amount/100,
    /// x1 = threshold/255·10, y2 = 15, y3 = 25.
    pub fn unsharp(amount: f32, radius: f32, threshold: f32) -> Self {
        Self {
            sigma: radius,
            m1: amount / 100.0,
            m2: amount / 100.0,
            x1: threshold / 255.0 * 10.0,
            y2: 15.0,
            y3: 25.0,
        }
    }

    /// The correction for a detail `d` (L units): slope m1 up to x1 and m2 beyond
    /// (continuous, as libvips builds its lookup table), clamped to [−y3, y2].
    pub fn curve(&self, d: f32) -> f32 {
        let a = d.abs();
        let y = if a <= self.x1 {
            self.m1 * a
        } else {
            self.m1 * self.x1 + self.m2 * (a - self.x1)
        };
        y.copysign(d).clamp(-self.y3, self.y2)
    }
}

/// Adaptive sharpen on the Lab lightness: L += curve(L − gaussian_σ(L)). Chroma, alpha,
/// depth and the grey/colour layout are kept.
pub fn adaptive_sharpen(p: &mut Planes, s: &SharpenParams, cp: Checkpoint<'_>) -> Result<()> {
    let (w, h) = (p.width as usize, p.height as usize);
    if p.is_empty() {
        return Ok(());
    }
    let n = p.len();
    let (mut l, mut a, mut b) = (vec![0.0f32; n], vec![0.0f32; n], vec![0.0f32; n]);
    for i in 0..n {
        if i % w == 0 {
            cp()?;
        }
        let lab = srgb_to_lab(p.rgb(i));
        (l[i], a[i], b[i]) = (lab[0], lab[1], lab[2]);
    }
    let blurred = gaussian_plane(&l, w, h, s.sigma, cp)?;
    let clamp = p.clamps();
    for i in 0..n {
        if i % w == 0 {
            cp()?;
        }
        let nl = l[i] + s.curve(l[i] - blurred[i]);
        let mut c = lab_to_srgb([nl, a[i], b[i]]);
        if clamp {
            c = c.map(|v| v.clamp(0.0, 1.0));
        }
        p.set_rgb(i, c);
    }
    Ok(())
}

/// High-pass sharpening kernel of §13 for strength `s` (0–1), 3×3 or 5×5, normalised by
/// its sum.
pub fn high_pass_kernel(size: u32, s: f32) -> Vec<Vec<f32>> {
    let k: Vec<Vec<f32>> = if size == 5 {
        vec![
            vec![0.0, -s, -s, -s, 0.0],
            vec![-s, s, 2.0 * s, s, -s],
            vec![-s, 2.0 * s, 1.0 + 8.0 * s, 2.0 * s, -s],
            vec![-s, s, 2.0 * s, s, -s],
            vec![0.0, -s, -s, -s, 0.0],
        ]
    } else {
        vec![
            vec![0.0, -s, 0.0],
            vec![-s, 1.0 + 4.0 * s, -s],
            vec![0.0, -s, 0.0],
        ]
    };
    let sum: f32 = k.iter().flatten().sum();
    let div = sum.max(1.0);
    k.into_iter()
        .map(|r| r.into_iter().map(|v| v / div).collect())
        .collect()
}

/// Convolve every colour plane with a square kernel (edges clamped); alpha untouched.
pub fn convolve(p: &mut Planes, kernel: &[Vec<f32>], cp: Checkpoint<'_>) -> Result<()> {
    let (w, h) = (p.width as usize, p.height as usize);
    let r = (kernel.len() / 2) as i64;
    let clamp = p.clamps();
    for plane in &mut p.colour {
        let src = plane.clone();
        for y in 0..h {
            cp()?;
            for x in 0..w {
                let mut acc = 0.0;
                for (ky, row) in kernel.iter().enumerate() {
                    let sy = (y as i64 + ky as i64 - r).clamp(0, h as i64 - 1) as usize;
                    for (kx, kv) in row.iter().enumerate() {
                        if *kv == 0.0 {
                            continue;
                        }
                        let sx = (x as i64 + kx as i64 - r).clamp(0, w as i64 - 1) as usize;
                        acc += kv * src[sy * w + sx];
                    }
                }
                plane[y * w + x] = if clamp { acc.clamp(0.0, 1.0) } else { acc };
            }
        }
    }
    Ok(())
}

/// Median filter with a `window`×`window` square (odd) on every colour plane; alpha
/// untouched. 8-bit frames use Huang's sliding histogram, others a selection per pixel.
pub fn median(p: &mut Planes, window: u32, cp: Checkpoint<'_>) -> Result<()> {
    if window < 2 || p.is_empty() {
        return Ok(());
    }
    let (w, h) = (p.width as usize, p.height as usize);
    let r = (window / 2) as i64;
    let depth = p.depth;
    for plane in &mut p.colour {
        let src = plane.clone();
        if depth == Depth::U8 {
            median_u8(&src, plane, w, h, r, cp)?;
        } else {
            median_sort(&src, plane, w, h, r, cp)?;
        }
    }
    Ok(())
}

fn clamp_idx(v: i64, n: usize) -> usize {
    v.clamp(0, n as i64 - 1) as usize
}

fn median_u8(
    src: &[f32],
    dst: &mut [f32],
    w: usize,
    h: usize,
    r: i64,
    cp: Checkpoint<'_>,
) -> Result<()> {
    let q: Vec<u8> = src
        .iter()
        .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect();
    let side = (2 * r + 1) as usize;
    let half = (side * side / 2) as u32;
    for y in 0..h {
        cp()?;
        let rows: Vec<usize> = (-r..=r).map(|d| clamp_idx(y as i64 + d, h)).collect();
        let mut hist = [0u32; 256];
        for &ry in &rows {
            for dx in -r..=r {
                hist[usize::from(q[ry * w + clamp_idx(dx, w)])] += 1;
            }
        }
        // Huang: keep the median `med` and the count of values below it.
        let (mut med, mut lt) = (0usize, 0u32);
        let settle = |hist: &[u32; 256], med: &mut usize, lt: &mut u32| {
            while *lt > half {
                *med -= 1;
                *lt -= hist[*med];
            }
            while *lt + hist[*med] <= half {
                *lt += hist[*med];
                *med += 1;
            }
        };
        settle(&hist, &mut med, &mut lt);
        for x in 0..w {
            if x > 0 {
                let out_x = clamp_idx(x as i64 - r - 1, w);
                let in_x = clamp_idx(x as i64 + r, w);
                for &ry in &rows {
                    let o = usize::from(q[ry * w + out_x]);
                    hist[o] -= 1;
                    if o < med {
                        lt -= 1;
                    }
                    let i = usize::from(q[ry * w + in_x]);
                    hist[i] += 1;
                    if i < med {
                        lt += 1;
                    }
                }
                settle(&hist, &mut med, &mut lt);
            }
            dst[y * w + x] = med as f32 / 255.0;
        }
    }
    Ok(())
}

fn median_sort(
    src: &[f32],
    dst: &mut [f32],
    w: usize,
    h: usize,
    r: i64,
    cp: Checkpoint<'_>,
) -> Result<()> {
    let mut buf = Vec::with_capacity(((2 * r + 1) * (2 * r + 1)) as usize);
    for y in 0..h {
        cp()?;
        for x in 0..w {
            buf.clear();
            for dy in -r..=r {
                let sy = clamp_idx(y as i64 + dy, h);
                for dx in -r..=r {
                    buf.push(src[sy * w + clamp_idx(x as i64 + dx, w)]);
                }
            }
            let mid = buf.len() / 2;
            let (_, m, _) = buf.select_nth_unstable_by(mid, f32::total_cmp);
            dst[y * w + x] = *m;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::colour::no_checkpoint;
    use image::{DynamicImage, GrayImage, Luma};

    fn edge() -> DynamicImage {
        GrayImage::from_fn(20, 10, |x, _| Luma([if x < 10 { 80 } else { 170 }])).into()
    }

    #[test]
    fn curve_is_piecewise_and_clamped() {
        let s = SharpenParams::library(1.0);
        assert_eq!(s.curve(1.0), 1.0);
        assert_eq!(s.curve(-1.5), -1.5);
        assert_eq!(s.curve(4.0), 2.0 + 2.0 * 2.0);
        assert_eq!(s.curve(50.0), 10.0);
        assert_eq!(s.curve(-50.0), -20.0);
    }

    #[test]
    fn adaptive_sharpen_raises_edge_contrast_only_near_the_edge() {
        let mut p = Planes::from_dynamic(&edge());
        adaptive_sharpen(&mut p, &SharpenParams::library(1.5), &no_checkpoint).unwrap();
        let out = p.into_dynamic().to_luma8();
        let row: Vec<u8> = (0..20).map(|x| out.get_pixel(x, 5).0[0]).collect();
        assert!(row[9] < 80 && row[10] > 170, "{row:?}");
        assert_eq!((row[0], row[19]), (80, 170), "{row:?}");
    }

    #[test]
    fn high_pass_kernels_sum_to_one() {
        for size in [3, 5] {
            for s in [0.0, 0.5, 1.0] {
                let sum: f32 = high_pass_kernel(size, s).iter().flatten().sum();
                assert!((sum - 1.0).abs() < 1e-5, "{size} {s} {sum}");
            }
        }
        let mut p = Planes::from_dynamic(&edge());
        convolve(&mut p, &high_pass_kernel(3, 0.5), &no_checkpoint).unwrap();
        let out = p.into_dynamic().to_luma8();
        assert!(out.get_pixel(9, 5).0[0] < 80 && out.get_pixel(10, 5).0[0] > 170);
        assert_eq!(out.get_pixel(2, 5).0[0], 80);
    }

    #[test]
    fn median_removes_salt_and_both_paths_agree() {
        let mut img = GrayImage::from_pixel(9, 9, Luma([100]));
        img.put_pixel(4, 4, Luma([255]));
        img.put_pixel(0, 0, Luma([0]));
        let noisy: DynamicImage = img.into();
        for window in [3, 5, 7] {
            let mut p8 = Planes::from_dynamic(&noisy);
            median(&mut p8, window, &no_checkpoint).unwrap();
            assert!(
                p8.colour[0]
                    .iter()
                    .all(|&v| (v - 100.0 / 255.0).abs() < 1e-6)
            );
            let mut p16 = Planes::from_dynamic(&noisy.to_luma16().into());
            median(&mut p16, window, &no_checkpoint).unwrap();
            let back = p16.into_dynamic().to_luma8();
            assert!(back.pixels().all(|p| p.0[0] == 100));
        }
        // A ramp survives a median unchanged inside the frame.
        let ramp: DynamicImage = GrayImage::from_fn(16, 4, |x, _| Luma([x as u8 * 10])).into();
        let mut p = Planes::from_dynamic(&ramp);
        median(&mut p, 3, &no_checkpoint).unwrap();
        assert_eq!(p.into_dynamic().to_luma8().get_pixel(7, 2).0[0], 70);
    }

    #[test]
    fn the_shared_plane_blur_keeps_energy() {
        let n = 101;
        let mut spike = vec![0.0f32; n * n];
        spike[50 * n + 50] = 1.0;
        let out = gaussian_plane(&spike, n, n, 6.0, &no_checkpoint).unwrap();
        let sum: f32 = out.iter().sum();
        assert!((sum - 1.0).abs() < 1e-3);
        // Symmetric and peaked at the centre.
        assert!(
            out[50 * n + 50] > out[50 * n + 56]
                && (out[50 * n + 44] - out[50 * n + 56]).abs() < 1e-6
        );
    }

    #[test]
    fn gaussian_preserves_flat_planes_and_mean() {
        let flat = vec![0.25f32; 64];
        let out = gaussian_plane(&flat, 8, 8, 2.0, &no_checkpoint).unwrap();
        assert!(out.iter().all(|v| (v - 0.25).abs() < 1e-6));
        let mut spike = vec![0.0f32; 21 * 21];
        spike[10 * 21 + 10] = 1.0;
        let out = gaussian_plane(&spike, 21, 21, 1.0, &no_checkpoint).unwrap();
        let sum: f32 = out.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4 && out[10 * 21 + 10] < 0.2);
    }
}
