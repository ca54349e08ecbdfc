//! OCR with PP-OCRv6 (small det + rec) and the PP-OCR v2 mobile angle classifier, as
//! RapidOCR runs them (its `config.yaml` values):
//!
//! - detection (DB): short side scaled up to 736, long side capped at 2000, both rounded
//!   to multiples of 32; BGR `(v/255 − 0.5)/0.5`; probability map thresholded at 0.3 and
//!   dilated 2×2; connected regions whose mean probability ≥ 0.5 become boxes, expanded by
//!   the unclip offset `area·1.6/perimeter` (axis-aligned boxes: rotated lines are read in
//!   their bounding box).
//! - angle: each crop resized into 48×192; turned 180° when the classifier says so (> 0.9).
//! - recognition (CTC): crop resized to height 48 keeping its aspect, padded to at least
//!   320 wide; greedy decoding with the dictionary stored in the model's metadata
//!   (`character`; class 0 = blank, last class = space). Lines scoring < 0.5 are dropped.

use super::runtime::{self, Model};
use super::tensor::Tensor;
use crate::error::{Error, Result};
use crate::ops::resize_exact;
use image::{DynamicImage, RgbImage};
use serde::Serialize;

/// The bundle OCR needs.
pub const BUNDLE: &str = "ocr";

/// One recognised line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// The text.
    pub text: String,
    /// Mean character confidence 0–1.
    pub confidence: f32,
    /// Box in image pixels: x, y, width, height.
    pub bbox: [u32; 4],
}

/// Options of one OCR run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Run the 0/180° classifier on each line.
    pub use_angle_cls: bool,
    /// Short side the detector works at (736 = RapidOCR's default).
    pub det_side: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            use_angle_cls: true,
            det_side: 736,
        }
    }
}

fn normalise_bgr(img: &RgbImage, t: &mut Tensor, width: usize) {
    let (w, h) = img.dimensions();
    let n = t.shape[2] * t.shape[3];
    for y in 0..h as usize {
        for x in 0..w as usize {
            let p = img.get_pixel(x as u32, y as u32).0;
            let i = y * width + x;
            for (c, &v) in [p[2], p[1], p[0]].iter().enumerate() {
                t.data[c * n + i] = (v as f32 / 255.0 - 0.5) / 0.5;
            }
        }
    }
}

fn det_size(w: u32, h: u32, side: u32) -> (u32, u32) {
    let mut ratio = if w.min(h) < side {
        side as f64 / w.min(h) as f64
    } else {
        1.0
    };
    if w.max(h) as f64 * ratio > 2000.0 {
        ratio = 2000.0 / w.max(h) as f64;
    }
    let r32 = |v: f64| (((v / 32.0).round() as u32) * 32).max(32);
    (r32(w as f64 * ratio), r32(h as f64 * ratio))
}

/// Text boxes of an image (x, y, w, h in image pixels), top to bottom, left to right.
pub fn detect(det: &Model, img: &RgbImage, side: u32) -> Result<Vec<[u32; 4]>> {
    let (w, h) = img.dimensions();
    let (dw, dh) = det_size(w, h, side);
    let small = resize_exact(&DynamicImage::ImageRgb8(img.clone()), dw, dh)?.to_rgb8();
    let mut t = Tensor::zeros(&[1, 3, dh as usize, dw as usize]);
    normalise_bgr(&small, &mut t, dw as usize);
    let prob = det.run_one(vec![("x", t)], "")?;
    let (ph, pw) = match &prob.shape[..] {
        [1, 1, ph, pw] => (*ph, *pw),
        s => {
            return Err(Error::internal(format!(
                "text detector returned shape {s:?}"
            )));
        }
    };
    let p = &prob.data;
    // Threshold, then a 2×2 dilation.
    let mut bin = vec![false; pw * ph];
    for y in 0..ph {
        for x in 0..pw {
            bin[y * pw + x] = [(0, 0), (1, 0), (0, 1), (1, 1)]
                .iter()
                .any(|&(dx, dy)| x >= dx && y >= dy && p[(y - dy) * pw + x - dx] > 0.3);
        }
    }
    let mut seen = vec![false; pw * ph];
    let mut boxes = Vec::new();
    let (sx, sy) = (w as f64 / pw as f64, h as f64 / ph as f64);
    for start in 0..pw * ph {
        if !bin[start] || seen[start] {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let (mut sum, mut count) = (0f64, 0usize);
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % pw, i / pw);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            sum += p[i] as f64;
            count += 1;
            for (dx, dy) in [
                (-1i64, -1i64),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= pw as i64 || ny >= ph as i64 {
                    continue;
                }
                let j = ny as usize * pw + nx as usize;
                if bin[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f64, (y1 - y0 + 1) as f64);
        if bw.min(bh) < 3.0 || sum / (count as f64) < 0.5 {
            continue;
        }
        let d = bw * bh * 1.6 / (2.0 * (bw + bh));
        if bw.min(bh) + 2.0 * d < 5.0 {
            continue;
        }
        let fx0 = ((x0 as f64 - d) * sx).max(0.0);
        let fy0 = ((y0 as f64 - d) * sy).max(0.0);
        let fx1 = ((x1 as f64 + 1.0 + d) * sx).min(w as f64);
        let fy1 = ((y1 as f64 + 1.0 + d) * sy).min(h as f64);
        let b = [
            fx0.floor() as u32,
            fy0.floor() as u32,
            (fx1.ceil() - fx0.floor()).max(1.0) as u32,
            (fy1.ceil() - fy0.floor()).max(1.0) as u32,
        ];
        boxes.push(b);
    }
    // Reading order: by top edge, then left to right within ~10 px rows.
    boxes.sort_by_key(|b| (b[1], b[0]));
    for i in 0..boxes.len() {
        for j in (0..i).rev() {
            let (a, b) = (boxes[j], boxes[j + 1]);
            if (b[1] as i64 - a[1] as i64).abs() < 10 && b[0] < a[0] {
                boxes.swap(j, j + 1);
            } else {
                break;
            }
        }
    }
    Ok(boxes)
}

fn to_height(img: &RgbImage, h: u32, max_w: Option<u32>) -> Result<RgbImage> {
    let ratio = img.width() as f64 / img.height().max(1) as f64;
    let mut w = ((h as f64 * ratio).ceil() as u32).max(1);
    if let Some(m) = max_w {
        w = w.min(m);
    }
    Ok(resize_exact(&DynamicImage::ImageRgb8(img.clone()), w, h)?.to_rgb8())
}

/// Whether the classifier says the line is upside down.
pub fn upside_down(cls: &Model, crop: &RgbImage) -> Result<bool> {
    let r = to_height(crop, 48, Some(192))?;
    let mut t = Tensor::zeros(&[1, 3, 48, 192]);
    normalise_bgr(&r, &mut t, 192);
    let y = cls.run_one(vec![("x", t)], "")?;
    Ok(y.data.len() >= 2 && y.data[1] > y.data[0] && y.data[1] > 0.9)
}

/// The recognition dictionary of a rec model (metadata `character`, plus the final space).
pub fn dictionary(rec: &Model) -> Result<Vec<String>> {
    let raw = rec
        .metadata("character")
        .ok_or_else(|| Error::internal("the text recogniser has no `character` metadata"))?;
    let mut d: Vec<String> = raw.lines().map(str::to_string).collect();
    d.push(" ".into());
    Ok(d)
}

/// Read one text line (CTC greedy decoding).
pub fn recognise(rec: &Model, dict: &[String], crop: &RgbImage) -> Result<(String, f32)> {
    let r = to_height(crop, 48, Some(48 * 40))?;
    let width = r.width().max(320) as usize;
    let mut t = Tensor::zeros(&[1, 3, 48, width]);
    normalise_bgr(&r, &mut t, width);
    let y = rec.run_one(vec![("x", t)], "")?;
    let (steps, classes) = match &y.shape[..] {
        [1, s, c] => (*s, *c),
        s => {
            return Err(Error::internal(format!(
                "text recogniser returned shape {s:?}"
            )));
        }
    };
    let (mut text, mut confs, mut prev) = (String::new(), Vec::new(), 0usize);
    for s in 0..steps {
        let row = &y.data[s * classes..(s + 1) * classes];
        let (best, p) =
            row.iter().enumerate().fold(
                (0, f32::MIN),
                |acc, (i, &v)| if v > acc.1 { (i, v) } else { acc },
            );
        if best != 0
            && best != prev
            && let Some(ch) = dict.get(best - 1)
        {
            text.push_str(ch);
            confs.push(p);
        }
        prev = best;
    }
    let conf = if confs.is_empty() {
        0.0
    } else {
        confs.iter().sum::<f32>() / confs.len() as f32
    };
    Ok((text.trim().to_string(), conf))
}

/// Read every text line of an image. `tick(fraction)` is called per line and may stop the
/// run (cancellation).
pub fn read(
    img: &DynamicImage,
    opts: Options,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<Vec<Line>> {
    let det = runtime::model("ppocr-det", BUNDLE)?;
    let rec = runtime::model("ppocr-rec", BUNDLE)?;
    let cls = if opts.use_angle_cls {
        Some(runtime::model("ppocr-cls", BUNDLE)?)
    } else {
        None
    };
    let dict = dictionary(&rec)?;
    let rgb = img.to_rgb8();
    let boxes = detect(&det, &rgb, opts.det_side)?;
    tick(0.2)?;
    let mut lines = Vec::new();
    for (i, b) in boxes.iter().enumerate() {
        let mut crop = image::imageops::crop_imm(&rgb, b[0], b[1], b[2], b[3]).to_image();
        if crop.height() as f32 >= 1.5 * crop.width() as f32 {
            crop = image::imageops::rotate270(&crop);
        }
        if let Some(cls) = &cls
            && upside_down(cls, &crop)?
        {
            crop = image::imageops::rotate180(&crop);
        }
        let (text, confidence) = recognise(&rec, &dict, &crop)?;
        if confidence >= 0.5 && !text.is_empty() {
            lines.push(Line {
                text,
                confidence,
                bbox: *b,
            });
        }
        tick(0.2 + 0.8 * (i + 1) as f32 / boxes.len() as f32)?;
    }
    Ok(lines)
}

/// Character error rate: edit distance between `got` and `want` divided by `want`'s length.
pub fn cer(got: &str, want: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (got.chars().collect(), want.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] as f64 / b.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detector_sizes_follow_rapidocr() {
        assert_eq!(det_size(1440, 3120, 736), (928, 2016));
        assert_eq!(det_size(100, 50, 736), (1472, 736));
        assert_eq!(det_size(4000, 1000, 736), (2016, 512));
    }

    #[test]
    fn cer_counts_edits() {
        assert_eq!(cer("hello", "hello"), 0.0);
        assert!((cer("helo", "hello") - 0.2).abs() < 1e-9);
    }
}
