//! Classical inpainting (no model): Telea's fast-marching method (2004), as OpenCV's
//! `INPAINT_TELEA`. Pixels under the mask are filled from the boundary inwards in order of
//! their distance `T` to the known region; each is a weighted mean of the known pixels within
//! `radius`, weighted by direction (along ∇T), geometric distance and level-set distance.
//! [`erase`] adds the contract's feathered paste (tools-creative-ai §14).

use image::{GrayImage, RgbImage};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

const KNOWN: u8 = 0;
const BAND: u8 = 1;
const INSIDE: u8 = 2;

#[derive(PartialEq)]
struct Item(f32, u32, u32);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0)
    }
}

/// Fill the pixels where `mask` > 127 from their surroundings. `radius` is the neighbourhood
/// (3–10 px is usual). Pixels outside the mask are returned unchanged.
pub fn telea(img: &RgbImage, mask: &GrayImage, radius: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (wi, hi) = (w as i64, h as i64);
    let idx = |x: i64, y: i64| (y * wi + x) as usize;
    let mut flag = vec![KNOWN; (w * h) as usize];
    let mut t = vec![0f32; (w * h) as usize];
    let mut px: Vec<[f32; 3]> = img.pixels().map(|p| p.0.map(|v| v as f32)).collect();
    for (i, m) in mask.pixels().enumerate() {
        if m.0[0] > 127 {
            flag[i] = INSIDE;
            t[i] = 1e6;
        }
    }
    // The band: known pixels with an inside 4-neighbour.
    let mut heap = BinaryHeap::new();
    for y in 0..hi {
        for x in 0..wi {
            if flag[idx(x, y)] != KNOWN {
                continue;
            }
            let near_inside = [(0, -1), (-1, 0), (1, 0), (0, 1)].iter().any(|&(dx, dy)| {
                let (nx, ny) = (x + dx, y + dy);
                nx >= 0 && ny >= 0 && nx < wi && ny < hi && flag[idx(nx, ny)] == INSIDE
            });
            if near_inside {
                flag[idx(x, y)] = BAND;
                heap.push(Item(0.0, x as u32, y as u32));
            }
        }
    }
    let solve = |t: &[f32], flag: &[u8], x1: i64, y1: i64, x2: i64, y2: i64| -> f32 {
        let ok = |x: i64, y: i64| x >= 0 && y >= 0 && x < wi && y < hi && flag[idx(x, y)] != INSIDE;
        let (k1, k2) = (ok(x1, y1), ok(x2, y2));
        match (k1, k2) {
            (true, true) => {
                let (t1, t2) = (t[idx(x1, y1)], t[idx(x2, y2)]);
                let d = 2.0 - (t1 - t2) * (t1 - t2);
                if d > 0.0 {
                    let r = d.sqrt();
                    let s = (t1 + t2 - r) / 2.0;
                    if s >= t1 && s >= t2 {
                        return s;
                    }
                    let s = s + r;
                    if s >= t1 && s >= t2 {
                        return s;
                    }
                }
                1.0 + t1.min(t2)
            }
            (true, false) => 1.0 + t[idx(x1, y1)],
            (false, true) => 1.0 + t[idx(x2, y2)],
            _ => 1e6,
        }
    };
    let r = radius.max(1) as i64;
    while let Some(Item(_, bx, by)) = heap.pop() {
        let (bx, by) = (bx as i64, by as i64);
        if flag[idx(bx, by)] == KNOWN {
            continue;
        }
        flag[idx(bx, by)] = KNOWN;
        for (dx, dy) in [(0, -1), (-1, 0), (1, 0), (0, 1)] {
            let (x, y) = (bx + dx, by + dy);
            if x < 0 || y < 0 || x >= wi || y >= hi || flag[idx(x, y)] != INSIDE {
                continue;
            }
            let tv = solve(&t, &flag, x, y - 1, x - 1, y)
                .min(solve(&t, &flag, x, y + 1, x - 1, y))
                .min(solve(&t, &flag, x, y - 1, x + 1, y))
                .min(solve(&t, &flag, x, y + 1, x + 1, y));
            t[idx(x, y)] = tv;
            // ∇T at (x, y) from the neighbours that are not inside.
            let known =
                |x: i64, y: i64| x >= 0 && y >= 0 && x < wi && y < hi && flag[idx(x, y)] != INSIDE;
            let grad = |a: (i64, i64), b: (i64, i64)| -> f32 {
                match (known(a.0, a.1), known(b.0, b.1)) {
                    (true, true) => (t[idx(b.0, b.1)] - t[idx(a.0, a.1)]) * 0.5,
                    (true, false) => tv - t[idx(a.0, a.1)],
                    (false, true) => t[idx(b.0, b.1)] - tv,
                    _ => 0.0,
                }
            };
            let gx = grad((x - 1, y), (x + 1, y));
            let gy = grad((x, y - 1), (x, y + 1));
            let mut acc = [0f32; 3];
            let mut wsum = 0f32;
            for qy in (y - r).max(0)..=(y + r).min(hi - 1) {
                for qx in (x - r).max(0)..=(x + r).min(wi - 1) {
                    let qi = idx(qx, qy);
                    if flag[qi] == INSIDE {
                        continue;
                    }
                    let (rx, ry) = ((x - qx) as f32, (y - qy) as f32);
                    let d2 = rx * rx + ry * ry;
                    if d2 > (r * r) as f32 || d2 == 0.0 {
                        continue;
                    }
                    let len = d2.sqrt();
                    let dir = ((rx * gx + ry * gy) / len).abs().max(1e-6);
                    let dst = 1.0 / (d2 * len);
                    let lev = 1.0 / (1.0 + (t[qi] - tv).abs());
                    let wgt = dir * dst * lev;
                    for c in 0..3 {
                        acc[c] += wgt * px[qi][c];
                    }
                    wsum += wgt;
                }
            }
            if wsum > 0.0 {
                px[idx(x, y)] = acc.map(|v| v / wsum);
            }
            flag[idx(x, y)] = BAND;
            heap.push(Item(tv, x as u32, y as u32));
        }
    }
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb(px[idx(x as i64, y as i64)].map(|v| v.round().clamp(0.0, 255.0) as u8))
    })
}

/// Grow a binary mask (> 127) by `r` px with a round structuring element.
pub fn dilate(mask: &GrayImage, r: u32) -> GrayImage {
    let (w, h) = mask.dimensions();
    let r = r as i64;
    let offsets: Vec<(i64, i64)> = (-r..=r)
        .flat_map(|dy| (-r..=r).map(move |dx| (dx, dy)))
        .filter(|(dx, dy)| dx * dx + dy * dy <= r * r)
        .collect();
    let mut out = GrayImage::new(w, h);
    for (x, y, p) in mask.enumerate_pixels() {
        if p.0[0] > 127 {
            for &(dx, dy) in &offsets {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx >= 0 && ny >= 0 && nx < w as i64 && ny < h as i64 {
                    out.put_pixel(nx as u32, ny as u32, image::Luma([255]));
                }
            }
        }
    }
    out
}

/// Erase the masked region (> 127): Telea inpainting of the mask grown by 2 px, pasted back
/// through a feathered alpha (the mask dilated by r = max(3, min(W,H)/200), then Gaussian-
/// blurred), so the seam is invisible.
pub fn erase(img: &RgbImage, mask: &GrayImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let fill = telea(img, &dilate(mask, 2), 5);
    let r = (w.min(h) / 200).max(3);
    let soft = image::imageops::blur(&dilate(mask, r), r as f32 / 2.0);
    RgbImage::from_fn(w, h, |x, y| {
        let a = soft.get_pixel(x, y).0[0] as f32 / 255.0;
        let (o, f) = (img.get_pixel(x, y).0, fill.get_pixel(x, y).0);
        image::Rgb([0, 1, 2].map(|c| (o[c] as f32 * (1.0 - a) + f[c] as f32 * a).round() as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_on_a_gradient_is_filled_from_its_surroundings() {
        let img = RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 100])
        });
        let mut damaged = img.clone();
        let mut mask = GrayImage::new(64, 48);
        for y in 16..32 {
            for x in 24..40 {
                damaged.put_pixel(x, y, image::Rgb([255, 0, 255]));
                mask.put_pixel(x, y, image::Luma([255]));
            }
        }
        let out = erase(&damaged, &mask);
        let mut max_err = 0i32;
        for y in 16..32 {
            for x in 24..40 {
                for c in 0..3 {
                    let e =
                        (out.get_pixel(x, y).0[c] as i32 - img.get_pixel(x, y).0[c] as i32).abs();
                    max_err = max_err.max(e);
                }
            }
        }
        assert!(max_err < 45, "max error {max_err}");
        // Far from the mask nothing changes.
        assert_eq!(out.get_pixel(2, 2), img.get_pixel(2, 2));
    }
}
