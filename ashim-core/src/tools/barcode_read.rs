//! `barcode-read` (tools-essentials §22): find every QR, EAN/UPC, Code 128/39/93, Codabar,
//! ITF, DataBar, DataMatrix, PDF417, Aztec and MaxiCode symbol in an image (rxing, the Rust
//! port of ZXing), report each payload with its corners, and draw an annotated preview.

use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::naming;
use crate::ops::colour::{Checkpoint, Planes};
use crate::ops::text::{Placement, TextWeight, over_pixel, paint_mask, render_line};
use crate::tool::{Caps, Category, Inputs, Output, Tool, ToolMeta};
use image::{DynamicImage, GrayImage};
use rxing::{BarcodeFormat, DecodeHints, Exceptions, RXingResult};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`BarcodeRead`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct BarcodeReadSettings {
    /// Spend more time looking (rotated and low-contrast codes). Default true.
    pub try_harder: bool,
}

impl Default for BarcodeReadSettings {
    fn default() -> Self {
        Self { try_harder: true }
    }
}

/// A point in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct Point {
    /// Pixels from the left edge.
    pub x: f32,
    /// Pixels from the top edge.
    pub y: f32,
}

/// The four corners of a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Top-left corner.
    pub top_left: Point,
    /// Top-right corner.
    pub top_right: Point,
    /// Bottom-left corner.
    pub bottom_left: Point,
    /// Bottom-right corner.
    pub bottom_right: Point,
}

/// One decoded symbol.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Barcode {
    /// Symbology in ZXing's names: `QRCode`, `EAN-13`, `Code128`, `DataMatrix`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The decoded payload.
    pub text: String,
    /// Where the symbol is.
    pub position: Position,
}

/// What `barcode-read` adds to its envelope (the image is the annotated preview).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BarcodeReport {
    /// Name of the input file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Every symbol found, in reading order of the detector; empty when none.
    pub barcodes: Vec<Barcode>,
}

/// At most this many symbols are reported.
const MAX_SYMBOLS: usize = 255;

/// ZXing's name of a symbology.
pub fn format_name(f: &BarcodeFormat) -> &'static str {
    match f {
        BarcodeFormat::AZTEC => "Aztec",
        BarcodeFormat::CODABAR => "Codabar",
        BarcodeFormat::CODE_39 => "Code39",
        BarcodeFormat::CODE_93 => "Code93",
        BarcodeFormat::CODE_128 => "Code128",
        BarcodeFormat::DATA_MATRIX => "DataMatrix",
        BarcodeFormat::EAN_8 => "EAN-8",
        BarcodeFormat::EAN_13 => "EAN-13",
        BarcodeFormat::ITF => "ITF",
        BarcodeFormat::MAXICODE => "MaxiCode",
        BarcodeFormat::PDF_417 => "PDF417",
        BarcodeFormat::QR_CODE => "QRCode",
        BarcodeFormat::MICRO_QR_CODE => "MicroQRCode",
        BarcodeFormat::RECTANGULAR_MICRO_QR_CODE => "rMQRCode",
        BarcodeFormat::RSS_14 => "DataBar",
        BarcodeFormat::RSS_EXPANDED => "DataBarExpanded",
        BarcodeFormat::UPC_A => "UPC-A",
        BarcodeFormat::UPC_E => "UPC-E",
        BarcodeFormat::UPC_EAN_EXTENSION => "UPC-EAN-Extension",
        BarcodeFormat::DXFilmEdge => "DXFilmEdge",
        BarcodeFormat::TELEPEN => "Telepen",
        _ => "Unknown",
    }
}

fn p(x: f32, y: f32) -> Point {
    Point { x, y }
}

/// The corners of a symbol from the detector's points. 2-D readers give the corners or
/// the finder-pattern centres (QR: bottom-left, top-left, top-right, ...); 1-D readers
/// give the two ends of the scan line, which become a band around it.
fn position(points: &[(f32, f32)]) -> Position {
    match points {
        [] => Position {
            top_left: p(0.0, 0.0),
            top_right: p(0.0, 0.0),
            bottom_left: p(0.0, 0.0),
            bottom_right: p(0.0, 0.0),
        },
        [a] => Position {
            top_left: p(a.0, a.1),
            top_right: p(a.0, a.1),
            bottom_left: p(a.0, a.1),
            bottom_right: p(a.0, a.1),
        },
        [a, b] => {
            let (l, r) = if a.0 <= b.0 { (a, b) } else { (b, a) };
            let half = ((r.0 - l.0).abs() * 0.15).max(4.0);
            Position {
                top_left: p(l.0, l.1 - half),
                top_right: p(r.0, r.1 - half),
                bottom_left: p(l.0, l.1 + half),
                bottom_right: p(r.0, r.1 + half),
            }
        }
        [bl, tl, tr] => Position {
            top_left: p(tl.0, tl.1),
            top_right: p(tr.0, tr.1),
            bottom_left: p(bl.0, bl.1),
            bottom_right: p(tr.0 + bl.0 - tl.0, tr.1 + bl.1 - tl.1),
        },
        more => {
            // Four or more: the detector's quadrilateral (or finder centres plus an
            // alignment pattern): take the points closest to the bounding box's corners.
            let pick = |fx: fn(f32, f32) -> f32| {
                let best = more
                    .iter()
                    .copied()
                    .fold(None::<(f32, f32)>, |acc, q| match acc {
                        Some(b) if fx(b.0, b.1) >= fx(q.0, q.1) => Some(b),
                        _ => Some(q),
                    })
                    .unwrap_or((0.0, 0.0));
                p(best.0, best.1)
            };
            Position {
                top_left: pick(|x, y| -x - y),
                top_right: pick(|x, y| x - y),
                bottom_left: pick(|x, y| -x + y),
                bottom_right: pick(|x, y| x + y),
            }
        }
    }
}

fn is_not_found(e: &Exceptions) -> bool {
    matches!(
        e,
        Exceptions::NotFoundException(_)
            | Exceptions::ChecksumException(_)
            | Exceptions::FormatException(_)
            | Exceptions::ReedSolomonException(_)
    )
}

fn to_barcode(r: &RXingResult, luma: &GrayImage) -> Barcode {
    let points: Vec<(f32, f32)> = r.getPoints().iter().map(|q| (q.x, q.y)).collect();
    let mut pos = position(&points);
    if *r.getBarcodeFormat() == BarcodeFormat::QR_CODE && points.len() >= 3 {
        pos = qr_outline(pos, luma);
    }
    Barcode {
        kind: format_name(r.getBarcodeFormat()).to_string(),
        text: r.getText().to_string(),
        position: pos,
    }
}

fn unit(a: Point, b: Point) -> (f32, f32) {
    let (dx, dy) = (a.x - b.x, a.y - b.y);
    let l = (dx * dx + dy * dy).sqrt().max(1e-6);
    (dx / l, dy / l)
}

/// QR readers report the centres of the finder patterns; the symbol's corners lie 3.5
/// modules further out. The distance is measured on the image: from the top-left centre
/// outwards, the third dark/light transition is the finder's outer edge.
fn qr_outline(pos: Position, luma: &GrayImage) -> Position {
    let (tl, tr, bl, br) = (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right);
    let out = unit(tl, tr);
    let span = ((tl.x - tr.x).powi(2) + (tl.y - tr.y).powi(2)).sqrt();
    let dark = |x: f32, y: f32| {
        let (xi, yi) = (x.round() as i64, y.round() as i64);
        if xi < 0 || yi < 0 || xi >= i64::from(luma.width()) || yi >= i64::from(luma.height()) {
            return false;
        }
        luma.get_pixel(xi as u32, yi as u32).0[0] < 128
    };
    let mut transitions = 0;
    let mut was_dark = dark(tl.x, tl.y);
    let mut edge = None;
    let mut d = 0.0f32;
    while d < span / 2.0 {
        d += 0.5;
        let now = dark(tl.x + out.0 * d, tl.y + out.1 * d);
        if now != was_dark {
            transitions += 1;
            was_dark = now;
            if transitions == 3 {
                edge = Some(d);
                break;
            }
        }
    }
    let Some(d) = edge else {
        return pos;
    };
    let push = |p: Point, a: Point, b: Point| {
        let (u, v) = (unit(p, a), unit(p, b));
        Point {
            x: p.x + d * (u.0 + v.0),
            y: p.y + d * (u.1 + v.1),
        }
    };
    Position {
        top_left: push(tl, tr, bl),
        top_right: push(tr, tl, br),
        bottom_left: push(bl, br, tl),
        bottom_right: push(br, bl, tr),
    }
}

/// Decode every symbol in `px` (its luma).
pub fn read_barcodes(px: &DynamicImage, try_harder: bool) -> Result<Vec<Barcode>> {
    let luma = px.to_luma8();
    let (w, h) = luma.dimensions();
    let keep = luma.clone();
    if w == 0 || h == 0 {
        return Err(Error::unprocessable("Could not determine image dimensions"));
    }
    let mut hints = DecodeHints {
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    };
    let found = match rxing::helpers::detect_multiple_in_luma_with_hints(
        luma.into_raw(),
        w,
        h,
        &mut hints,
    ) {
        Ok(found) => found,
        Err(e) if is_not_found(&e) => Vec::new(),
        Err(e) => return Err(Error::unprocessable(format!("Barcode reading failed: {e}"))),
    };
    let mut out: Vec<Barcode> = Vec::new();
    for r in &found {
        let b = to_barcode(r, &keep);
        if b.text.is_empty() {
            continue;
        }
        let c = |q: &Barcode| {
            let pos = q.position;
            (
                (pos.top_left.x + pos.bottom_right.x) / 2.0,
                (pos.top_left.y + pos.bottom_right.y) / 2.0,
            )
        };
        let dup = out.iter().any(|o| {
            let (a, bb) = (c(o), c(&b));
            o.kind == b.kind
                && o.text == b.text
                && (a.0 - bb.0).abs() < 8.0
                && (a.1 - bb.1).abs() < 8.0
        });
        if !dup {
            out.push(b);
        }
        if out.len() == MAX_SYMBOLS {
            break;
        }
    }
    Ok(out)
}

const COLOURS: [[u8; 3]; 6] = [
    [59, 130, 246],
    [34, 197, 94],
    [245, 158, 11],
    [239, 68, 68],
    [168, 85, 247],
    [236, 72, 153],
];

fn inside(poly: &[(f32, f32); 4], x: f32, y: f32) -> bool {
    let mut c = false;
    let mut j = 3;
    for i in 0..4 {
        let (xi, yi) = poly[i];
        let (xj, yj) = poly[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            c = !c;
        }
        j = i;
    }
    c
}

fn segment_distance(a: (f32, f32), b: (f32, f32), q: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((q.0 - a.0) * dx + (q.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (px, py) = (a.0 + t * dx - q.0, a.1 + t * dy - q.1);
    (px * px + py * py).sqrt()
}

/// The annotated preview: each symbol's outline (filled at 18 %, stroked at 90 %) and its
/// number, in six rotating colours.
pub fn annotate(px: &DynamicImage, codes: &[Barcode], cp: Checkpoint<'_>) -> Result<DynamicImage> {
    let mut planes = Planes::from_dynamic(&DynamicImage::ImageRgba8(px.to_rgba8()));
    let (w, h) = (planes.width as i64, planes.height as i64);
    let short = w.min(h) as f32;
    let stroke = (short / 200.0).round().max(2.0);
    let font = (short / 40.0).round().max(14.0);
    let pad = (0.4 * font).round();
    for (i, code) in codes.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()].map(|v| f32::from(v) / 255.0);
        let pos = code.position;
        let poly = [
            (pos.top_left.x, pos.top_left.y),
            (pos.top_right.x, pos.top_right.y),
            (pos.bottom_right.x, pos.bottom_right.y),
            (pos.bottom_left.x, pos.bottom_left.y),
        ];
        let margin = stroke as i64 + 1;
        let x0 = (poly.iter().map(|q| q.0).fold(f32::MAX, f32::min) as i64 - margin).max(0);
        let x1 = (poly.iter().map(|q| q.0).fold(f32::MIN, f32::max) as i64 + margin + 1).min(w);
        let y0 = (poly.iter().map(|q| q.1).fold(f32::MAX, f32::min) as i64 - margin).max(0);
        let y1 = (poly.iter().map(|q| q.1).fold(f32::MIN, f32::max) as i64 + margin + 1).min(h);
        for y in y0..y1 {
            cp()?;
            for x in x0..x1 {
                let q = (x as f32 + 0.5, y as f32 + 0.5);
                let edge = (0..4)
                    .map(|k| segment_distance(poly[k], poly[(k + 1) % 4], q))
                    .fold(f32::MAX, f32::min);
                let idx = (y * w + x) as usize;
                if edge <= stroke / 2.0 {
                    over_pixel(&mut planes, idx, colour, 0.9);
                } else if inside(&poly, q.0, q.1) {
                    over_pixel(&mut planes, idx, colour, 0.18);
                }
            }
        }
        let label = render_line(&(i + 1).to_string(), font, TextWeight::Bold)?;
        let origin = (pos.top_left.x, (pos.top_left.y - pad).max(font + pad));
        let at = Placement {
            origin,
            rotation: 0.0,
            pivot: origin,
        };
        paint_mask(&mut planes, &label, at, colour, 1.0, cp)?;
    }
    Ok(planes.into_dynamic())
}

static META: ToolMeta = ToolMeta {
    id: "barcode-read",
    name: "Barcode reader",
    description: "Read every QR code and barcode in an image, with positions and an annotated preview.",
    category: Category::Analysis,
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `barcode-read` tool: the output image is the annotated preview (`annotated-<stem>.png`,
/// the input unchanged when nothing was found) and the envelope carries the report.
pub struct BarcodeRead;

impl Tool for BarcodeRead {
    type Settings = BarcodeReadSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<BarcodeReport>())
    }

    fn run(&self, settings: &BarcodeReadSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let filename = inputs.name(0).map(str::to_owned);
        let image = inputs.image(0)?;
        let codes = read_barcodes(image.first(), settings.try_harder)?;
        let annotated = annotate(image.first(), &codes, &|| ctx.checkpoint())?;
        let mut out = Image::from_dynamic(annotated);
        let stem = naming::stem(filename.as_deref().unwrap_or("image")).to_string();
        out.name = Some(format!("annotated-{stem}.png"));
        out.encode = Some(EncodeSpec::new(ImageFormat::Png));
        Output::image_with(
            out,
            &BarcodeReport {
                filename,
                barcodes: codes,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_from_detector_points() {
        let qr = position(&[(10.0, 90.0), (10.0, 10.0), (90.0, 10.0)]);
        assert_eq!(qr.bottom_right, p(90.0, 90.0));
        let line = position(&[(80.0, 50.0), (20.0, 50.0)]);
        assert_eq!((line.top_left.x, line.top_right.x), (20.0, 80.0));
        assert!(line.top_left.y < 50.0 && line.bottom_left.y > 50.0);
        let quad = position(&[(11.0, 9.0), (90.0, 12.0), (92.0, 88.0), (8.0, 91.0)]);
        assert_eq!(quad.top_left, p(11.0, 9.0));
        assert_eq!(quad.bottom_right, p(92.0, 88.0));
    }
}
