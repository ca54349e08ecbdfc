//! Classical photo-restoration steps (tools-creative-ai §21, no model): the grayscale test,
//! CLAHE, scratch detection by line-shaped top-hat / black-hat morphology, and the
//! binary morphology that cleans the scratch mask.

use image::{GrayImage, Luma, RgbImage};

/// Mean absolute pairwise channel difference (0–255); below 5 the photo is grey.
pub fn channel_spread(img: &RgbImage) -> f64 {
    let n = (img.width() as f64 * img.height() as f64).max(1.0);
    img.pixels()
        .map(|p| {
            let [r, g, b] = p.0.map(|v| v as i32);
            ((r - g).abs() + (g - b).abs() + (r - b).abs()) as f64 / 3.0
        })
        .sum::<f64>()
        / n
}

/// Contrast-limited adaptive histogram equalisation on an 8-bit image: `grid`×`grid` tiles,
/// histograms clipped at `clip` × the mean bin height and redistributed, mappings
/// interpolated bilinearly between tile centres (OpenCV `createCLAHE` semantics).
pub fn clahe(img: &GrayImage, clip: f32, grid: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let gx = grid.min(w).max(1);
    let gy = grid.min(h).max(1);
    let (tw, th) = (w.div_ceil(gx), h.div_ceil(gy));
    let mut maps = vec![[0u8; 256]; (gx * gy) as usize];
    for ty in 0..gy {
        for tx in 0..gx {
            let mut hist = [0u32; 256];
            let (x0, y0) = (tx * tw, ty * th);
            let (x1, y1) = ((x0 + tw).min(w), (y0 + th).min(h));
            for y in y0..y1 {
                for x in x0..x1 {
                    hist[img.get_pixel(x, y).0[0] as usize] += 1;
                }
            }
            let n = ((x1.saturating_sub(x0)) * (y1.saturating_sub(y0))).max(1);
            let limit = ((clip * n as f32 / 256.0) as u32).max(1);
            let mut excess = 0u32;
            for v in hist.iter_mut() {
                if *v > limit {
                    excess += *v - limit;
                    *v = limit;
                }
            }
            let add = excess / 256;
            let rest = (excess % 256) as usize;
            for (i, v) in hist.iter_mut().enumerate() {
                *v += add + u32::from(i < rest);
            }
            let map = &mut maps[(ty * gx + tx) as usize];
            let mut cdf = 0u32;
            for (i, v) in hist.iter().enumerate() {
                cdf += v;
                map[i] = ((cdf as f32 * 255.0 / n as f32).round()).min(255.0) as u8;
            }
        }
    }
    GrayImage::from_fn(w, h, |x, y| {
        let v = img.get_pixel(x, y).0[0] as usize;
        let fx = (x as f32 + 0.5) / tw as f32 - 0.5;
        let fy = (y as f32 + 0.5) / th as f32 - 0.5;
        let (x0, y0) = (fx.floor().max(0.0) as u32, fy.floor().max(0.0) as u32);
        let (x1, y1) = ((x0 + 1).min(gx - 1), (y0 + 1).min(gy - 1));
        let (ax, ay) = (
            (fx - x0 as f32).clamp(0.0, 1.0),
            (fy - y0 as f32).clamp(0.0, 1.0),
        );
        let m = |tx: u32, ty: u32| maps[(ty * gx + tx) as usize][v] as f32;
        let top = m(x0, y0) * (1.0 - ax) + m(x1, y0) * ax;
        let bottom = m(x0, y1) * (1.0 - ax) + m(x1, y1) * ax;
        Luma([(top * (1.0 - ay) + bottom * ay).round() as u8])
    })
}

/// Min (`erode`) or max filter along a line of `len` px through each pixel, at 0°, 45°,
/// 90° or 135° (`dir` = (dx, dy) of one step).
fn line_filter(img: &GrayImage, len: u32, dir: (i64, i64), erode: bool) -> GrayImage {
    let (w, h) = img.dimensions();
    let r = (len / 2) as i64;
    GrayImage::from_fn(w, h, |x, y| {
        let mut acc = if erode { 255u8 } else { 0u8 };
        for k in -r..=r {
            let nx = (x as i64 + k * dir.0).clamp(0, w as i64 - 1) as u32;
            let ny = (y as i64 + k * dir.1).clamp(0, h as i64 - 1) as u32;
            let v = img.get_pixel(nx, ny).0[0];
            acc = if erode { acc.min(v) } else { acc.max(v) };
        }
        Luma([acc])
    })
}

/// The scratch mask of an 8-bit grey photo (255 = scratch). For line elements of
/// max(25, min side / 30) px at four angles, the openings (bright scratches) and closings
/// (dark ones) are taken; a pixel is a scratch where the structure survives along one
/// direction but not across it (max − min over the directions ≥ `threshold`), so long thin
/// lines respond and texture or large shapes do not. Then opened 3×3, closed 5×5, regions
/// thicker than 9 px dropped, components shorter than 2 × 9 px dropped, dilated 3×3.
///
/// Unlike the reference this works on the photo itself, not on a CLAHE-equalised copy, and
/// with the longest line length only: on the fixture portraits CLAHE and the short lengths
/// marked 15–60 % of the photo as scratches (hair, fabric, JPEG grain).
pub fn scratch_mask(
    gray: &GrayImage,
    threshold: u8,
    cancel: &mut dyn FnMut(f32) -> crate::Result<()>,
) -> crate::Result<GrayImage> {
    let eq = gray;
    let (w, h) = eq.dimensions();
    let m = w.min(h);
    let odd = |v: u32| v | 1;
    let lengths = [odd((m / 30).max(25))];
    let dirs = [(1, 0), (1, 1), (0, 1), (1, -1)];
    let mut mask = GrayImage::new(w, h);
    let total = (lengths.len() * dirs.len()) as f32;
    let mut done = 0.0;
    let n = (w * h) as usize;
    for &len in &lengths {
        let (mut open_max, mut open_min) = (vec![0u8; n], vec![255u8; n]);
        let (mut close_max, mut close_min) = (vec![0u8; n], vec![255u8; n]);
        for &d in &dirs {
            cancel(done / total)?;
            done += 1.0;
            let open = line_filter(&line_filter(eq, len, d, true), len, d, false);
            let close = line_filter(&line_filter(eq, len, d, false), len, d, true);
            for i in 0..n {
                let (o, c) = (open.as_raw()[i], close.as_raw()[i]);
                open_max[i] = open_max[i].max(o);
                open_min[i] = open_min[i].min(o);
                close_max[i] = close_max[i].max(c);
                close_min[i] = close_min[i].min(c);
            }
        }
        for (i, p) in mask.pixels_mut().enumerate() {
            let bright = open_max[i] - open_min[i];
            let dark = close_max[i] - close_min[i];
            if bright.max(dark) >= threshold {
                p.0[0] = 255;
            }
        }
    }
    let mask = box_morph(&box_morph(&mask, 1, true), 1, false);
    let mask = box_morph(&box_morph(&mask, 2, false), 2, true);
    // Thick regions (anything surviving a 9×9 opening: hair, dense texture) are not
    // scratches; of what is left, keep the long components.
    let thick = box_morph(&box_morph(&mask, 4, true), 4, false);
    let mut thin = mask.clone();
    for (p, t) in thin.pixels_mut().zip(thick.pixels()) {
        if t.0[0] > 127 {
            p.0[0] = 0;
        }
    }
    let mask = keep_thin_lines(&thin, 18, 10.0);
    Ok(box_morph(&mask, 1, false))
}

/// Keep the 8-connected components that look like scratches: at least `min_len` px long
/// (bounding-box diagonal) and at most `max_width` px thick on average (area / length).
/// Blobs, hair masses and textured areas are dropped.
pub fn keep_thin_lines(mask: &GrayImage, min_len: u32, max_width: f64) -> GrayImage {
    let (w, h) = mask.dimensions();
    let (wi, hi) = (w as i64, h as i64);
    let mut seen = vec![false; (w * h) as usize];
    let mut out = GrayImage::new(w, h);
    let on = |x: i64, y: i64| mask.get_pixel(x as u32, y as u32).0[0] > 127;
    for sy in 0..hi {
        for sx in 0..wi {
            let si = (sy * wi + sx) as usize;
            if seen[si] || !on(sx, sy) {
                continue;
            }
            seen[si] = true;
            let mut stack = vec![(sx, sy)];
            let mut pixels = Vec::new();
            let (mut x0, mut y0, mut x1, mut y1) = (sx, sy, sx, sy);
            while let Some((x, y)) = stack.pop() {
                pixels.push((x, y));
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        let (nx, ny) = (x + dx, y + dy);
                        if nx < 0 || ny < 0 || nx >= wi || ny >= hi {
                            continue;
                        }
                        let ni = (ny * wi + nx) as usize;
                        if !seen[ni] && on(nx, ny) {
                            seen[ni] = true;
                            stack.push((nx, ny));
                        }
                    }
                }
            }
            let len = (((x1 - x0 + 1).pow(2) + (y1 - y0 + 1).pow(2)) as f64).sqrt();
            let width = pixels.len() as f64 / len.max(1.0);
            if len >= min_len as f64 && width <= max_width {
                for (x, y) in pixels {
                    out.put_pixel(x as u32, y as u32, Luma([255]));
                }
            }
        }
    }
    out
}

/// Binary erosion (`erode`) or dilation with a (2r+1)² ellipse (the full square for r = 1,
/// the corners dropped for r = 2).
fn box_morph(mask: &GrayImage, r: i64, erode: bool) -> GrayImage {
    let (w, h) = mask.dimensions();
    GrayImage::from_fn(w, h, |x, y| {
        let mut hit = erode;
        'outer: for dy in -r..=r {
            for dx in -r..=r {
                if dx * dx + dy * dy > r * r + r {
                    continue;
                }
                let nx = (x as i64 + dx).clamp(0, w as i64 - 1) as u32;
                let ny = (y as i64 + dy).clamp(0, h as i64 - 1) as u32;
                let on = mask.get_pixel(nx, ny).0[0] > 127;
                if erode && !on {
                    hit = false;
                    break 'outer;
                }
                if !erode && on {
                    hit = true;
                    break 'outer;
                }
            }
        }
        Luma([if hit { 255 } else { 0 }])
    })
}

/// Share of mask pixels that are set, 0–1.
pub fn coverage(mask: &GrayImage) -> f64 {
    let on = mask.pixels().filter(|p| p.0[0] > 127).count();
    on as f64 / (mask.width() as f64 * mask.height() as f64).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bright_line_on_a_smooth_photo_is_found_and_nothing_else() {
        let mut g = GrayImage::from_fn(160, 120, |x, y| Luma([(60 + x / 4 + y / 4) as u8]));
        let clean = scratch_mask(&g, 130, &mut |_| Ok(())).unwrap();
        assert_eq!(coverage(&clean), 0.0);
        for x in 20..140 {
            for y in 60..64 {
                g.put_pixel(x, y, Luma([250]));
            }
        }
        let m = scratch_mask(&g, 130, &mut |_| Ok(())).unwrap();
        assert!(m.get_pixel(80, 61).0[0] == 255);
        assert!(m.get_pixel(80, 20).0[0] == 0);
        let c = coverage(&m);
        assert!(c > 0.02 && c < 0.12, "coverage {c}");
    }

    #[test]
    fn clahe_stretches_a_flat_low_contrast_image() {
        let g = GrayImage::from_fn(64, 64, |x, y| Luma([(100 + (x + y) % 8) as u8]));
        let e = clahe(&g, 3.0, 8);
        let (lo, hi) = e
            .pixels()
            .fold((255u8, 0u8), |(l, h), p| (l.min(p.0[0]), h.max(p.0[0])));
        assert!(hi - lo > 7 + 10, "{lo}..{hi}");
    }
}
