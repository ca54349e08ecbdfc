//! Gaussian blur: separable, on every pixel depth, alpha-correct (premultiplied), parallel
//! over rows, cancellable between rows.

use super::colour::Checkpoint;
use super::samples::{Samples, from_samples_like, to_samples};
use crate::error::Result;
use crate::tool::Context;
use image::DynamicImage;
use rayon::prelude::*;

/// Above this sigma the blur runs as three box blurs (within a few percent of a true
/// Gaussian, in time independent of sigma).
const EXACT_MAX_SIGMA: f32 = 16.0;

/// Blur `px` with a Gaussian of standard deviation `sigma` pixels (edges extended).
pub fn gaussian_blur(px: &DynamicImage, sigma: f32, ctx: &Context) -> Result<DynamicImage> {
    let mut s = to_samples(px);
    if sigma <= 0.0 || s.width == 0 || s.height == 0 {
        return Ok(px.clone());
    }
    premultiply(&mut s, true);
    blur_samples(&mut s, sigma, &|| ctx.checkpoint())?;
    premultiply(&mut s, false);
    Ok(from_samples_like(px, s))
}

/// Gaussian blur of one plane of `w`×`h` values (σ in pixels, edges extended), with the
/// same kernels as [`gaussian_blur`]: shadows, masks, saliency and sharpening detail.
pub fn gaussian_plane(
    src: &[f32],
    w: usize,
    h: usize,
    sigma: f32,
    cp: Checkpoint<'_>,
) -> Result<Vec<f32>> {
    if sigma <= 0.0 || w == 0 || h == 0 {
        return Ok(src.to_vec());
    }
    let mut s = Samples {
        width: w as u32,
        height: h as u32,
        channels: 1,
        has_alpha: false,
        data: src.to_vec(),
    };
    blur_samples(&mut s, sigma, cp)?;
    Ok(s.data)
}

/// Separable Gaussian of `sigma` over interleaved samples (exact kernel up to
/// [`EXACT_MAX_SIGMA`], three box blurs beyond).
fn blur_samples(s: &mut Samples, sigma: f32, cp: Checkpoint<'_>) -> Result<()> {
    if sigma <= EXACT_MAX_SIGMA {
        let kernel = gaussian_kernel(sigma);
        horizontal(s, |row, out, ch| convolve_row(row, out, ch, &kernel), cp)?;
        vertical_kernel(s, &kernel, cp)?;
    } else {
        for r in box_radii(sigma) {
            horizontal(s, |row, out, ch| box_row(row, out, ch, r), cp)?;
            transpose_apply(s, |row, out, ch| box_row(row, out, ch, r), cp)?;
        }
    }
    Ok(())
}

/// Normalised 1-D Gaussian taps, radius ⌈3σ⌉.
pub fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let r = (sigma * 3.0).ceil().max(1.0) as i32;
    let mut k: Vec<f32> = (-r..=r)
        .map(|x| (-(x * x) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= sum);
    k
}

/// Radii of three box blurs whose sequence approximates a Gaussian of `sigma`.
fn box_radii(sigma: f32) -> [usize; 3] {
    let n = 3.0f32;
    let w_ideal = (12.0 * sigma * sigma / n + 1.0).sqrt();
    let mut wl = w_ideal.floor() as i64;
    if wl % 2 == 0 {
        wl -= 1;
    }
    let wu = wl + 2;
    let wlf = wl as f32;
    let m = ((12.0 * sigma * sigma - n * wlf * wlf - 4.0 * n * wlf - 3.0 * n) / (-4.0 * wlf - 4.0))
        .round() as i64;
    let mut out = [0usize; 3];
    for (i, o) in out.iter_mut().enumerate() {
        let w = if (i as i64) < m { wl } else { wu };
        *o = ((w - 1) / 2).max(0) as usize;
    }
    out
}

fn premultiply(s: &mut Samples, forward: bool) {
    if !s.has_alpha {
        return;
    }
    let ch = s.channels;
    s.data.par_chunks_mut(ch * 1024).for_each(|chunk| {
        for px in chunk.chunks_exact_mut(ch) {
            let a = px[ch - 1];
            for v in &mut px[..ch - 1] {
                if forward {
                    *v *= a;
                } else if a > 0.0 {
                    *v /= a;
                }
            }
        }
    });
}

/// Apply a row filter to every row, in parallel; checks for cancellation between row bands.
fn horizontal(
    s: &mut Samples,
    f: impl Fn(&[f32], &mut [f32], usize) + Sync,
    cp: Checkpoint<'_>,
) -> Result<()> {
    let (w, ch) = (s.width as usize, s.channels);
    let stride = w * ch;
    let mut out = vec![0f32; s.data.len()];
    for (band_in, band_out) in s.data.chunks(stride * 64).zip(out.chunks_mut(stride * 64)) {
        cp()?;
        band_in
            .par_chunks(stride)
            .zip(band_out.par_chunks_mut(stride))
            .for_each(|(row, o)| f(row, o, ch));
    }
    s.data = out;
    Ok(())
}

fn convolve_row(row: &[f32], out: &mut [f32], ch: usize, k: &[f32]) {
    let w = row.len() / ch;
    let r = (k.len() / 2) as isize;
    for x in 0..w {
        for c in 0..ch {
            let mut acc = 0f32;
            for (i, &kv) in k.iter().enumerate() {
                let sx = (x as isize + i as isize - r).clamp(0, w as isize - 1) as usize;
                acc += kv * row[sx * ch + c];
            }
            out[x * ch + c] = acc;
        }
    }
}

/// Box blur of radius `r` along a row with edge extension (running sums).
fn box_row(row: &[f32], out: &mut [f32], ch: usize, r: usize) {
    let w = row.len() / ch;
    if r == 0 || w == 0 {
        out.copy_from_slice(row);
        return;
    }
    let norm = 1.0 / (2 * r + 1) as f32;
    for c in 0..ch {
        let at = |x: isize| row[(x.clamp(0, w as isize - 1) as usize) * ch + c];
        let mut acc: f32 = (-(r as isize)..=r as isize).map(at).sum();
        for x in 0..w {
            out[x * ch + c] = acc * norm;
            acc += at(x as isize + r as isize + 1) - at(x as isize - r as isize);
        }
    }
}

/// Vertical Gaussian: each output row is a weighted sum of whole input rows (vectorisable).
fn vertical_kernel(s: &mut Samples, k: &[f32], cp: Checkpoint<'_>) -> Result<()> {
    let (w, h, ch) = (s.width as usize, s.height as usize, s.channels);
    let stride = w * ch;
    let r = (k.len() / 2) as isize;
    let src = &s.data;
    let mut out = vec![0f32; src.len()];
    for (band, chunk) in out.chunks_mut(stride * 64).enumerate() {
        cp()?;
        chunk.par_chunks_mut(stride).enumerate().for_each(|(i, o)| {
            let y = (band * 64 + i) as isize;
            for (j, &kv) in k.iter().enumerate() {
                let sy = (y + j as isize - r).clamp(0, h as isize - 1) as usize;
                let row = &src[sy * stride..(sy + 1) * stride];
                for (ov, &iv) in o.iter_mut().zip(row) {
                    *ov += kv * iv;
                }
            }
        });
    }
    s.data = out;
    Ok(())
}

/// Apply a row filter to the columns (transpose, filter rows, transpose back).
fn transpose_apply(
    s: &mut Samples,
    f: impl Fn(&[f32], &mut [f32], usize) + Sync,
    cp: Checkpoint<'_>,
) -> Result<()> {
    let mut t = transpose(s);
    horizontal(&mut t, f, cp)?;
    *s = transpose(&t);
    Ok(())
}

fn transpose(s: &Samples) -> Samples {
    let (w, h, ch) = (s.width as usize, s.height as usize, s.channels);
    let mut data = vec![0f32; s.data.len()];
    data.par_chunks_mut(h * ch)
        .enumerate()
        .for_each(|(x, col)| {
            for y in 0..h {
                col[y * ch..(y + 1) * ch]
                    .copy_from_slice(&s.data[(y * w + x) * ch..(y * w + x + 1) * ch]);
            }
        });
    Samples {
        width: s.height,
        height: s.width,
        channels: ch,
        has_alpha: s.has_alpha,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    fn impulse(n: u32) -> DynamicImage {
        let mut g = GrayImage::new(n, n);
        g.put_pixel(n / 2, n / 2, Luma([255]));
        DynamicImage::ImageLuma16(DynamicImage::ImageLuma8(g).to_luma16())
    }

    #[test]
    fn kernel_is_normalised_and_symmetric() {
        let k = gaussian_kernel(2.0);
        assert_eq!(k.len(), 13);
        assert!((k.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(k[0], k[12]);
    }

    #[test]
    fn blur_spreads_an_impulse_and_keeps_its_energy_and_depth() {
        let ctx = Context::default();
        for (sigma, n) in [(2.0, 41), (20.0, 241)] {
            let src = impulse(n);
            let c = n / 2;
            let out = gaussian_blur(&src, sigma, &ctx).unwrap();
            let DynamicImage::ImageLuma16(b) = &out else {
                panic!("16-bit kept")
            };
            let total: f64 = b.as_raw().iter().map(|&v| f64::from(v)).sum();
            assert!(
                (total / 65535.0 - 1.0).abs() < 0.05,
                "sigma {sigma}: {total}"
            );
            assert!(b.get_pixel(c, c).0[0] < 65535 / 4);
            assert!(b.get_pixel(c + 2, c).0[0] > 0);
            assert!(b.get_pixel(c + 2, c).0[0] <= b.get_pixel(c, c).0[0]);
        }
    }

    #[test]
    fn a_cancelled_context_stops() {
        let token = crate::tool::CancelToken::new();
        let ctx = Context::default().with_cancel(token.clone());
        token.cancel();
        let e = gaussian_blur(&impulse(8), 1.0, &ctx).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Cancelled);
    }
}
