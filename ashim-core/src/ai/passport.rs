//! Passport photos (tools-creative-ai §22): the 35 country specifications, face key points
//! from YuNet (eyes, nose, mouth; chin and forehead from the face box, since no Face Mesh
//! model ships in ONNX form), the crop that puts the head and eye line where the spec
//! wants them, and the print sheet.

use crate::error::{Error, Result};
use image::{Rgb, RgbImage, RgbaImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One document specification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    /// Country code (`US`).
    pub code: &'static str,
    /// Country name.
    pub name: &'static str,
    /// Region.
    pub region: &'static str,
    /// Label word (`US` → "US Passport").
    pub word: &'static str,
    /// Photo width in mm.
    pub width_mm: f64,
    /// Photo height in mm.
    pub height_mm: f64,
    /// Head height as a share of the photo height: min, max.
    pub head: (f64, f64),
    /// Eye line height from the bottom, share of the photo height.
    pub eye: f64,
    /// Default background colour.
    pub bg: &'static str,
}

const ICAO: (f64, f64, (f64, f64), f64) = (35.0, 45.0, (0.70, 0.80), 0.63);
const USS: (f64, f64, (f64, f64), f64) = (51.0, 51.0, (0.50, 0.69), 0.56);

const fn spec(
    code: &'static str,
    name: &'static str,
    region: &'static str,
    word: &'static str,
    dims: (f64, f64, (f64, f64), f64),
    bg: &'static str,
) -> Spec {
    Spec {
        code,
        name,
        region,
        word,
        width_mm: dims.0,
        height_mm: dims.1,
        head: dims.2,
        eye: dims.3,
        bg,
    }
}

const fn other(w: f64, h: f64) -> (f64, f64, (f64, f64), f64) {
    (w, h, (0.70, 0.80), 0.63)
}

/// Every country, in the contract's order.
pub static SPECS: &[Spec] = &[
    spec("US", "United States", "americas", "US", USS, "#FFFFFF"),
    spec(
        "CA",
        "Canada",
        "americas",
        "Canadian",
        (50.0, 70.0, (0.44, 0.51), 0.55),
        "#FFFFFF",
    ),
    spec(
        "BR",
        "Brazil",
        "americas",
        "Brazilian",
        (50.0, 70.0, (0.50, 0.69), 0.56),
        "#FFFFFF",
    ),
    spec("MX", "Mexico", "americas", "Mexican", ICAO, "#FFFFFF"),
    spec("GB", "United Kingdom", "europe", "UK", ICAO, "#D4D4D4"),
    spec("EU", "European Union", "europe", "EU", ICAO, "#FFFFFF"),
    spec("DE", "Germany", "europe", "German", ICAO, "#D4D4D4"),
    spec("FR", "France", "europe", "French", ICAO, "#D4D4D4"),
    spec("RU", "Russia", "europe", "Russian", ICAO, "#FFFFFF"),
    spec(
        "TR",
        "Turkey",
        "europe",
        "Turkish",
        other(50.0, 60.0),
        "#FFFFFF",
    ),
    spec("IE", "Ireland", "europe", "Irish", ICAO, "#FFFFFF"),
    spec("IT", "Italy", "europe", "Italian", ICAO, "#FFFFFF"),
    spec(
        "ES",
        "Spain",
        "europe",
        "Spanish",
        other(26.0, 32.0),
        "#FFFFFF",
    ),
    spec("NL", "Netherlands", "europe", "Dutch", ICAO, "#FFFFFF"),
    spec("PL", "Poland", "europe", "Polish", ICAO, "#FFFFFF"),
    spec("SE", "Sweden", "europe", "Swedish", ICAO, "#FFFFFF"),
    spec("IN", "India", "asia", "Indian", USS, "#FFFFFF"),
    spec(
        "CN",
        "China",
        "asia",
        "Chinese",
        other(33.0, 48.0),
        "#FFFFFF",
    ),
    spec("JP", "Japan", "asia", "Japanese", ICAO, "#FFFFFF"),
    spec("KR", "South Korea", "asia", "Korean", ICAO, "#FFFFFF"),
    spec("TH", "Thailand", "asia", "Thai", ICAO, "#FFFFFF"),
    spec("PH", "Philippines", "asia", "Philippine", ICAO, "#FFFFFF"),
    spec(
        "ID",
        "Indonesia",
        "asia",
        "Indonesian",
        other(30.0, 40.0),
        "#EF4444",
    ),
    spec("SG", "Singapore", "asia", "Singapore", ICAO, "#FFFFFF"),
    spec(
        "MY",
        "Malaysia",
        "asia",
        "Malaysian",
        other(35.0, 50.0),
        "#FFFFFF",
    ),
    spec(
        "VN",
        "Vietnam",
        "asia",
        "Vietnamese",
        other(40.0, 60.0),
        "#FFFFFF",
    ),
    spec("PK", "Pakistan", "asia", "Pakistani", ICAO, "#FFFFFF"),
    spec("BD", "Bangladesh", "asia", "Bangladeshi", ICAO, "#FFFFFF"),
    spec("AU", "Australia", "oceania", "Australian", ICAO, "#FFFFFF"),
    spec(
        "NZ",
        "New Zealand",
        "oceania",
        "New Zealand",
        ICAO,
        "#FFFFFF",
    ),
    spec(
        "SA",
        "Saudi Arabia",
        "middle-east",
        "Saudi",
        other(40.0, 60.0),
        "#FFFFFF",
    ),
    spec(
        "AE",
        "United Arab Emirates",
        "middle-east",
        "UAE",
        other(43.0, 55.0),
        "#FFFFFF",
    ),
    spec("NG", "Nigeria", "africa", "Nigerian", ICAO, "#FFFFFF"),
    spec(
        "EG",
        "Egypt",
        "africa",
        "Egyptian",
        other(40.0, 60.0),
        "#FFFFFF",
    ),
    spec(
        "ZA",
        "South Africa",
        "africa",
        "South African",
        ICAO,
        "#FFFFFF",
    ),
];

/// The spec of a country code (case-insensitive).
pub fn spec_for(code: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.code.eq_ignore_ascii_case(code))
}

impl Spec {
    /// `spec.documentLabel`.
    pub fn label(&self) -> String {
        if self.code == "EU" {
            "EU Passport (ICAO)".into()
        } else {
            format!("{} Passport", self.word)
        }
    }
}

/// A point, normalised 0–1 to the image size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// x / width.
    pub x: f64,
    /// y / height.
    pub y: f64,
}

/// The face key points of `/analyze` (all eight keys are required by `/generate`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Landmarks {
    /// Eye on the image's left.
    pub left_eye: Point,
    /// Eye on the image's right.
    pub right_eye: Point,
    /// Midpoint of the eyes.
    pub eye_center: Point,
    /// Bottom of the chin.
    pub chin: Point,
    /// Top of the face.
    pub forehead: Point,
    /// Nose tip.
    pub nose: Point,
    /// Top of the head (forehead raised by 15 % of the face height).
    pub crown: Point,
    /// Horizontal face centre (nose and eye centre averaged).
    pub face_center_x: f64,
}

fn r6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Key points of the largest YuNet face, normalised to the image size: eyes and nose from
/// the landmarks; chin = the box's bottom below the mouth centre; forehead = the box's top
/// above the eye centre.
pub fn landmarks(face: &super::faces::Face, w: u32, h: u32) -> Landmarks {
    let (w, h) = (w as f64, h as f64);
    let p = |x: f32, y: f32| Point {
        x: r6(x as f64 / w),
        y: r6(y as f64 / h),
    };
    let l = face.landmarks;
    let left = p(l[0].0, l[0].1);
    let right = p(l[1].0, l[1].1);
    let eye_center = Point {
        x: r6((left.x + right.x) / 2.0),
        y: r6((left.y + right.y) / 2.0),
    };
    let mouth_x = (l[3].0 + l[4].0) / 2.0;
    let chin = p(mouth_x, face.y + face.h);
    let forehead = p((l[0].0 + l[1].0) / 2.0, face.y);
    let nose = p(l[2].0, l[2].1);
    let crown = Point {
        x: forehead.x,
        y: r6(forehead.y - 0.15 * (chin.y - forehead.y)),
    };
    Landmarks {
        left_eye: left,
        right_eye: right,
        eye_center,
        chin,
        forehead,
        nose,
        crown,
        face_center_x: r6((nose.x + eye_center.x) / 2.0),
    }
}

/// Geometry of one photo: size in mm and the head / eye-line rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Width in mm.
    pub width_mm: f64,
    /// Height in mm.
    pub height_mm: f64,
    /// Head height share (min, max).
    pub head: (f64, f64),
    /// Eye line from the bottom, share.
    pub eye: f64,
}

/// Crop the cut-out (composited over `bg`) so the head fills the spec, then stretch to
/// `out_w`×`out_h`. Areas outside the image are `bg` (never clamped).
#[allow(clippy::too_many_arguments)]
pub fn crop(
    cutout: &RgbaImage,
    lm: &Landmarks,
    g: &Geometry,
    bg: [u8; 3],
    zoom: f64,
    adjust: (f64, f64),
    out_w: u32,
    out_h: u32,
) -> Result<RgbImage> {
    let (w, h) = (cutout.width() as f64, cutout.height() as f64);
    let crown_y = (lm.crown.y + adjust.1) * h;
    let chin_y = (lm.chin.y + adjust.1) * h;
    let eye_y = (lm.eye_center.y + adjust.1) * h;
    let cx = (lm.face_center_x + adjust.0) * w;
    if chin_y <= crown_y {
        return Err(Error::unprocessable(
            "The face landmarks are inconsistent: the chin is above the crown",
        ));
    }
    let mut photo_h = (chin_y - crown_y) / ((g.head.0 + g.head.1) / 2.0);
    let mut photo_w = photo_h * g.width_mm / g.height_mm;
    let mut top = eye_y - photo_h * (1.0 - g.eye);
    let mut left = cx - photo_w / 2.0;
    if zoom != 1.0 {
        let (mx, my) = (left + photo_w / 2.0, top + photo_h / 2.0);
        photo_w /= zoom;
        photo_h /= zoom;
        left = mx - photo_w / 2.0;
        top = my - photo_h / 2.0;
    }
    // Sample the region with bilinear interpolation straight into the output size.
    let sx = photo_w / out_w as f64;
    let sy = photo_h / out_h as f64;
    let px = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= cutout.width() as i64 || y >= cutout.height() as i64 {
            return bg.map(|v| v as f32);
        }
        let p = cutout.get_pixel(x as u32, y as u32).0;
        let a = p[3] as f32 / 255.0;
        [0, 1, 2].map(|c| p[c] as f32 * a + bg[c] as f32 * (1.0 - a))
    };
    Ok(RgbImage::from_fn(out_w, out_h, |ox, oy| {
        let fx = left + (ox as f64 + 0.5) * sx - 0.5;
        let fy = top + (oy as f64 + 0.5) * sy - 0.5;
        let (x0, y0) = (fx.floor() as i64, fy.floor() as i64);
        let (ax, ay) = ((fx - x0 as f64) as f32, (fy - y0 as f64) as f32);
        let (a, b, c, d) = (
            px(x0, y0),
            px(x0 + 1, y0),
            px(x0, y0 + 1),
            px(x0 + 1, y0 + 1),
        );
        Rgb([0, 1, 2].map(|k| {
            let top = a[k] * (1.0 - ax) + b[k] * ax;
            let bot = c[k] * (1.0 - ax) + d[k] * ax;
            (top * (1.0 - ay) + bot * ay).round().clamp(0.0, 255.0) as u8
        }))
    }))
}

/// Pixels of `mm` at `dpi`.
pub fn mm_to_px(mm: f64, dpi: f64) -> u32 {
    ((mm / 25.4 * dpi).round() as u32).max(1)
}

/// The print sheet: `photo` (resized to its mm size at 300 dpi) tiled on white paper of
/// `paper_mm` with 2 mm gutters, the grid centred. Returns the sheet and (cols, rows).
pub fn sheet(
    photo: &RgbImage,
    photo_mm: (f64, f64),
    paper_mm: (f64, f64),
) -> Result<(RgbImage, u32, u32)> {
    let (pw, ph) = (mm_to_px(paper_mm.0, 300.0), mm_to_px(paper_mm.1, 300.0));
    let (w, h) = (mm_to_px(photo_mm.0, 300.0), mm_to_px(photo_mm.1, 300.0));
    let g = mm_to_px(2.0, 300.0);
    let cols = (pw + g) / (w + g);
    let rows = (ph + g) / (h + g);
    if cols == 0 || rows == 0 {
        return Err(Error::unprocessable("The photo is larger than the paper"));
    }
    let small =
        crate::ops::resize_exact(&image::DynamicImage::ImageRgb8(photo.clone()), w, h)?.to_rgb8();
    let mut out = RgbImage::from_pixel(pw, ph, Rgb([255, 255, 255]));
    let gw = cols * w + (cols - 1) * g;
    let gh = rows * h + (rows - 1) * g;
    let (ox, oy) = ((pw - gw) / 2, (ph - gh) / 2);
    for r in 0..rows {
        for c in 0..cols {
            image::imageops::replace(
                &mut out,
                &small,
                (ox + c * (w + g)) as i64,
                (oy + r * (h + g)) as i64,
            );
        }
    }
    Ok((out, cols, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_35_countries_and_the_4x6_sheet_fits_six_icao_photos() {
        assert_eq!(SPECS.len(), 35);
        assert_eq!(spec_for("gb").unwrap().bg, "#D4D4D4");
        assert_eq!(spec_for("EU").unwrap().label(), "EU Passport (ICAO)");
        assert_eq!(spec_for("US").unwrap().label(), "US Passport");
        let photo = RgbImage::from_pixel(413, 531, Rgb([10, 20, 30]));
        let (s, cols, rows) = sheet(&photo, (35.0, 45.0), (102.0, 152.0)).unwrap();
        assert_eq!((s.width(), s.height(), cols, rows), (1205, 1795, 2, 3));
    }
}

/// Standard base64 (with padding) of `data`, for the analyze preview.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod b64 {
    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(super::base64(b"foob"), "Zm9vYg==");
        assert_eq!(super::base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
