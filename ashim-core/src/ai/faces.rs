//! Face detection with YuNet (2023mar): boxes, confidence and five landmarks (right eye,
//! left eye, nose tip, right and left mouth corners, as seen in the image: the first eye is
//! the one on the image's left).
//!
//! The model takes a fixed 640×640 BGR input with raw 0–255 values. The image is scaled so
//! its long side is 640 (never enlarged past 640), placed top-left on a black canvas, and
//! the detections of the three strides (8, 16, 32) are decoded as OpenCV's
//! `FaceDetectorYN` does: score = √(cls·obj), centre = (cell + offset)·stride, size =
//! exp(log-size)·stride; then greedy NMS at IoU 0.3.

use super::runtime;
use super::tensor::Tensor;
use crate::error::Result;
use crate::ops::resize_exact;
use image::DynamicImage;
use serde::Serialize;

/// Model input side.
pub const SIZE: usize = 640;
/// The bundle blur-faces, red-eye-removal and smart-crop need.
pub const BUNDLE: &str = "face-detection";
/// Model id in the manifest.
pub const MODEL: &str = "yunet";

/// One detected face, in pixels of the image given to [`detect`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Face {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
    /// Confidence 0–1.
    pub score: f32,
    /// Eye on the image's left, eye on the right, nose, mouth left, mouth right: (x, y).
    pub landmarks: [(f32, f32); 5],
}

impl Face {
    /// Intersection over union with another face box.
    pub fn iou(&self, o: &Face) -> f32 {
        let ix = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let iy = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.w * self.h + o.w * o.h - inter)
    }

    /// Distance between the two eye landmarks.
    pub fn eye_distance(&self) -> f32 {
        let (a, b) = (self.landmarks[0], self.landmarks[1]);
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }
}

/// The model input for `img` and the scale from model pixels back to image pixels.
pub fn preprocess(img: &DynamicImage) -> Result<(Tensor, f32)> {
    let (w, h) = (img.width(), img.height());
    let s = (SIZE as f32 / w.max(h) as f32).min(1.0);
    let (nw, nh) = (
        ((w as f32 * s).round() as u32).clamp(1, SIZE as u32),
        ((h as f32 * s).round() as u32).clamp(1, SIZE as u32),
    );
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let small = resize_exact(&rgb, nw, nh)?.to_rgb8();
    let mut t = Tensor::zeros(&[1, 3, SIZE, SIZE]);
    let n = SIZE * SIZE;
    for (x, y, p) in small.enumerate_pixels() {
        let i = y as usize * SIZE + x as usize;
        t.data[i] = p.0[2] as f32;
        t.data[n + i] = p.0[1] as f32;
        t.data[2 * n + i] = p.0[0] as f32;
    }
    Ok((t, 1.0 / s))
}

/// Decode the twelve outputs (`cls_8 … kps_32`) into faces with score ≥ `threshold`,
/// in model pixels, after NMS.
pub fn decode(outputs: &[(String, Tensor)], threshold: f32) -> Vec<Face> {
    let get = |name: &str| {
        outputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| &t.data)
    };
    let mut faces = Vec::new();
    for stride in [8usize, 16, 32] {
        let (Some(cls), Some(obj), Some(bbox), Some(kps)) = (
            get(&format!("cls_{stride}")),
            get(&format!("obj_{stride}")),
            get(&format!("bbox_{stride}")),
            get(&format!("kps_{stride}")),
        ) else {
            continue;
        };
        let cols = SIZE / stride;
        for idx in 0..cls.len().min(obj.len()) {
            let score = (cls[idx].clamp(0.0, 1.0) * obj[idx].clamp(0.0, 1.0)).sqrt();
            if score < threshold || bbox.len() < idx * 4 + 4 || kps.len() < idx * 10 + 10 {
                continue;
            }
            let (r, c) = ((idx / cols) as f32, (idx % cols) as f32);
            let s = stride as f32;
            let b = &bbox[idx * 4..idx * 4 + 4];
            let (cx, cy) = ((c + b[0]) * s, (r + b[1]) * s);
            let (w, h) = (b[2].exp() * s, b[3].exp() * s);
            let k = &kps[idx * 10..idx * 10 + 10];
            let mut landmarks = [(0.0, 0.0); 5];
            for (j, l) in landmarks.iter_mut().enumerate() {
                *l = ((k[2 * j] + c) * s, (k[2 * j + 1] + r) * s);
            }
            faces.push(Face {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                w,
                h,
                score,
                landmarks,
            });
        }
    }
    nms(faces, 0.3)
}

/// Greedy non-maximum suppression: keep the best box, drop those overlapping it by ≥ `iou`.
pub fn nms(mut faces: Vec<Face>, iou: f32) -> Vec<Face> {
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut keep: Vec<Face> = Vec::new();
    for f in faces {
        if keep.iter().all(|k| k.iou(&f) < iou) {
            keep.push(f);
        }
    }
    keep
}

/// Faces in `img` with confidence ≥ `threshold` (0.6 is YuNet's usual value), in image
/// pixels, best first. Boxes are clipped to the image.
pub fn detect(img: &DynamicImage, threshold: f32) -> Result<Vec<Face>> {
    let model = runtime::model(MODEL, BUNDLE)?;
    let (input, scale) = preprocess(img)?;
    let outputs = model.run(vec![("input", input)])?;
    let (iw, ih) = (img.width() as f32, img.height() as f32);
    Ok(decode(&outputs, threshold)
        .into_iter()
        .filter_map(|f| {
            let x0 = (f.x * scale).clamp(0.0, iw);
            let y0 = (f.y * scale).clamp(0.0, ih);
            let x1 = ((f.x + f.w) * scale).clamp(0.0, iw);
            let y1 = ((f.y + f.h) * scale).clamp(0.0, ih);
            (x1 - x0 >= 2.0 && y1 - y0 >= 2.0).then(|| Face {
                x: x0,
                y: y0,
                w: x1 - x0,
                h: y1 - y0,
                score: f.score,
                landmarks: f.landmarks.map(|(x, y)| (x * scale, y * scale)),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, score: f32) -> Face {
        Face {
            x,
            y: 0.0,
            w: 10.0,
            h: 10.0,
            score,
            landmarks: [(0.0, 0.0); 5],
        }
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes() {
        let kept = nms(vec![face(0.0, 0.7), face(1.0, 0.9), face(50.0, 0.8)], 0.3);
        assert_eq!(kept.len(), 2);
        assert_eq!((kept[0].x, kept[1].x), (1.0, 50.0));
    }

    #[test]
    fn decode_reads_one_anchor() {
        let mut outs = Vec::new();
        for s in [8usize, 16, 32] {
            let n = (SIZE / s).pow(2);
            let mut cls = Tensor::zeros(&[1, n, 1]);
            let mut obj = Tensor::zeros(&[1, n, 1]);
            let bbox = Tensor::zeros(&[1, n, 4]);
            let kps = Tensor::zeros(&[1, n, 10]);
            if s == 32 {
                // cell (row 2, col 3): centre (3*32, 2*32), size exp(0)*32
                cls.data[2 * 20 + 3] = 0.81;
                obj.data[2 * 20 + 3] = 1.0;
            }
            outs.push((format!("cls_{s}"), cls));
            outs.push((format!("obj_{s}"), obj));
            outs.push((format!("bbox_{s}"), bbox));
            outs.push((format!("kps_{s}"), kps));
        }
        let f = decode(&outs, 0.5);
        assert_eq!(f.len(), 1);
        assert!((f[0].score - 0.9).abs() < 1e-5);
        assert_eq!((f[0].x, f[0].y, f[0].w), (96.0 - 16.0, 64.0 - 16.0, 32.0));
    }
}

/// Integer face box `{x, y, w, h}` of the contract's reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FaceBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl From<&Face> for FaceBox {
    fn from(f: &Face) -> Self {
        Self {
            x: f.x.round() as u32,
            y: f.y.round() as u32,
            w: f.w.round().max(1.0) as u32,
            h: f.h.round().max(1.0) as u32,
        }
    }
}

/// Blur each face: its box grown by 10 % of max(w, h) on every side (clamped to the image)
/// is replaced by its own Gaussian blur of `radius` px (σ = radius / 2).
pub fn blur_regions(img: &DynamicImage, faces: &[Face], radius: f32) -> DynamicImage {
    let mut out = img.to_rgba8();
    let (iw, ih) = out.dimensions();
    for f in faces {
        let g = 0.1 * f.w.max(f.h);
        let x0 = (f.x - g).max(0.0).floor() as u32;
        let y0 = (f.y - g).max(0.0).floor() as u32;
        let x1 = ((f.x + f.w + g).ceil() as u32).min(iw);
        let y1 = ((f.y + f.h + g).ceil() as u32).min(ih);
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let region = image::imageops::crop_imm(&out, x0, y0, x1 - x0, y1 - y0).to_image();
        let blurred = image::imageops::blur(&region, (radius / 2.0).max(0.5));
        image::imageops::replace(&mut out, &blurred, x0 as i64, y0 as i64);
    }
    if img.color().has_alpha() {
        DynamicImage::ImageRgba8(out)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(out).to_rgb8())
    }
}
