//! `collage` (tools-creative-ai §5): N images into one of 23 grid templates, with gaps,
//! rounded cells, pan/zoom per cell, cover or contain fitting and a fixed canvas ratio.

use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image, Quality};
use crate::ops;
use crate::settings::HexColor;
use crate::tool::{Caps, Category, Context, Inputs, Output, SlotSpec, Tool, ToolMeta};
use image::{DynamicImage, GenericImageView, RgbaImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A collage layout: track weights and cells as inclusive 1-based track ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Template {
    /// Template id (`2-h-equal`, ...).
    pub id: &'static str,
    /// Column weights (`fr`).
    pub columns: &'static [u32],
    /// Row weights (`fr`).
    pub rows: &'static [u32],
    /// Cells as `(first column, last column, first row, last row)`, 1-based, inclusive;
    /// empty = one cell per track, row-major.
    pub cells: &'static [(u8, u8, u8, u8)],
}

impl Template {
    /// The cells, with `grid` expanded.
    pub fn cell_spans(&self) -> Vec<(u8, u8, u8, u8)> {
        if !self.cells.is_empty() {
            return self.cells.to_vec();
        }
        let mut out = Vec::new();
        for r in 1..=self.rows.len() as u8 {
            for c in 1..=self.columns.len() as u8 {
                out.push((c, c, r, r));
            }
        }
        out
    }
}

const fn t(
    id: &'static str,
    columns: &'static [u32],
    rows: &'static [u32],
    cells: &'static [(u8, u8, u8, u8)],
) -> Template {
    Template {
        id,
        columns,
        rows,
        cells,
    }
}

/// Every template of the contract, in its order (the one shared definition).
pub const TEMPLATES: [Template; 23] = [
    t("2-h-equal", &[1, 1], &[1], &[]),
    t("2-v-equal", &[1], &[1, 1], &[]),
    t("2-h-left-large", &[2, 1], &[1], &[]),
    t("2-h-right-large", &[1, 2], &[1], &[]),
    t("3-left-large", &[2, 1], &[1, 1], &[(1, 1, 1, 2), (2, 2, 1, 1), (2, 2, 2, 2)]),
    t("3-right-large", &[1, 2], &[1, 1], &[(1, 1, 1, 1), (1, 1, 2, 2), (2, 2, 1, 2)]),
    t("3-top-large", &[1, 1], &[2, 1], &[(1, 2, 1, 1), (1, 1, 2, 2), (2, 2, 2, 2)]),
    t("3-h-equal", &[1, 1, 1], &[1], &[]),
    t("3-v-equal", &[1], &[1, 1, 1], &[]),
    t("4-grid", &[1, 1], &[1, 1], &[]),
    t(
        "4-left-large",
        &[2, 1],
        &[1, 1, 1],
        &[(1, 1, 1, 3), (2, 2, 1, 1), (2, 2, 2, 2), (2, 2, 3, 3)],
    ),
    t(
        "4-top-large",
        &[1, 1, 1],
        &[2, 1],
        &[(1, 3, 1, 1), (1, 1, 2, 2), (2, 2, 2, 2), (3, 3, 2, 2)],
    ),
    t(
        "4-bottom-large",
        &[1, 1, 1],
        &[1, 2],
        &[(1, 1, 1, 1), (2, 2, 1, 1), (3, 3, 1, 1), (1, 3, 2, 2)],
    ),
    t(
        "5-top2-bottom3",
        &[1; 6],
        &[1, 1],
        &[(1, 3, 1, 1), (4, 6, 1, 1), (1, 2, 2, 2), (3, 4, 2, 2), (5, 6, 2, 2)],
    ),
    t(
        "5-top3-bottom2",
        &[1; 6],
        &[1, 1],
        &[(1, 2, 1, 1), (3, 4, 1, 1), (5, 6, 1, 1), (1, 3, 2, 2), (4, 6, 2, 2)],
    ),
    t(
        "5-left-large",
        &[2, 1],
        &[1, 1, 1, 1],
        &[(1, 1, 1, 4), (2, 2, 1, 1), (2, 2, 2, 2), (2, 2, 3, 3), (2, 2, 4, 4)],
    ),
    t(
        "5-center-large",
        &[1, 2, 1],
        &[1, 1],
        &[(1, 1, 1, 1), (2, 2, 1, 2), (3, 3, 1, 1), (1, 1, 2, 2), (3, 3, 2, 2)],
    ),
    t("6-grid-2x3", &[1, 1], &[1, 1, 1], &[]),
    t("6-grid-3x2", &[1, 1, 1], &[1, 1], &[]),
    t(
        "6-top-large",
        &[1; 5],
        &[2, 1],
        &[
            (1, 5, 1, 1),
            (1, 1, 2, 2),
            (2, 2, 2, 2),
            (3, 3, 2, 2),
            (4, 4, 2, 2),
            (5, 5, 2, 2),
        ],
    ),
    t(
        "7-mosaic",
        &[1, 1, 1],
        &[1, 1, 1],
        &[
            (1, 2, 1, 1),
            (3, 3, 1, 1),
            (1, 1, 2, 2),
            (2, 2, 2, 2),
            (3, 3, 2, 2),
            (1, 1, 3, 3),
            (2, 3, 3, 3),
        ],
    ),
    t(
        "8-mosaic",
        &[1; 4],
        &[1, 1, 1],
        &[
            (1, 2, 1, 1),
            (3, 3, 1, 1),
            (4, 4, 1, 1),
            (1, 1, 2, 2),
            (2, 2, 2, 2),
            (3, 4, 2, 2),
            (1, 2, 3, 3),
            (3, 4, 3, 3),
        ],
    ),
    t("9-grid", &[1, 1, 1], &[1, 1, 1], &[]),
];

/// The template called `id`.
pub fn template(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// How an image fills its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ObjectFit {
    /// Fill the cell, cropping the overflow (pan chooses what shows).
    #[default]
    Cover,
    /// Fit inside the cell, letterboxed on the background.
    Contain,
}

/// Per-cell settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CellSettings {
    /// Index of the image (informational: file i always fills cell i).
    #[schemars(range(min = 0))]
    pub image_index: u32,
    /// Horizontal pan, −100–100: +100 shows the left edge, −100 the right edge.
    #[serde(default)]
    #[schemars(range(min = -100.0, max = 100.0))]
    pub pan_x: f64,
    /// Vertical pan, −100–100: +100 shows the top edge, −100 the bottom edge.
    #[serde(default)]
    #[schemars(range(min = -100.0, max = 100.0))]
    pub pan_y: f64,
    /// Zoom 1–10 (cover only).
    #[serde(default = "one")]
    #[schemars(range(min = 1.0, max = 10.0))]
    pub zoom: f64,
    /// Default `cover`.
    #[serde(default)]
    pub object_fit: ObjectFit,
}

fn one() -> f64 {
    1.0
}

/// Output encoding of a collage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CollageFormat {
    /// Lossless PNG.
    #[default]
    Png,
    /// JPEG at `quality`.
    Jpeg,
    /// WebP at `quality`.
    Webp,
    /// AVIF at `quality` (needs a build with an AVIF encoder).
    Avif,
}

/// Settings of [`Collage`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(example = serde_json::json!({"templateId": "2-h-equal"}))]
pub struct CollageSettings {
    /// One of the 23 template ids (`2-h-equal` ... `9-grid`); required.
    pub template_id: String,
    /// Per-cell pan, zoom and fit, in cell order.
    #[serde(default)]
    pub cells: Vec<CellSettings>,
    /// Gap between cells and along the outer edge, 0–500 px. Default 8.
    #[serde(default = "default_gap")]
    #[schemars(range(min = 0.0, max = 500.0))]
    pub gap: f64,
    /// Radius of each cell's rounded corners, 0–500 px. Default 0.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 500.0))]
    pub corner_radius: f64,
    /// `#RRGGBB` or `transparent`. Default `#FFFFFF`.
    #[serde(default = "default_background")]
    pub background_color: String,
    /// 1:1, 4:3, 3:2, 16:9, 9:16, 4:5; anything else is the free 2400×1800 canvas.
    #[serde(default = "default_ratio")]
    pub aspect_ratio: String,
    /// Default `png`.
    #[serde(default)]
    pub output_format: CollageFormat,
    /// Quality 1–100 for JPEG, WebP and AVIF. Default 90.
    #[serde(default = "default_quality")]
    #[schemars(range(min = 1, max = 100))]
    pub quality: u8,
}

fn default_gap() -> f64 {
    8.0
}
fn default_background() -> String {
    "#FFFFFF".into()
}
fn default_ratio() -> String {
    "free".into()
}
fn default_quality() -> u8 {
    90
}

impl CollageSettings {
    /// `None` for a transparent background.
    fn background(&self) -> Result<Option<HexColor>> {
        if self.background_color.eq_ignore_ascii_case("transparent") {
            return Ok(None);
        }
        HexColor::parse(&self.background_color)
            .map(Some)
            .ok_or_else(|| {
                Error::field(
                    "backgroundColor",
                    format!(
                        "`{}` is not a colour like #RRGGBB or `transparent`",
                        self.background_color
                    ),
                )
            })
    }
}

/// Canvas size for an aspect ratio (long side 2400).
pub fn canvas_size(ratio: &str) -> (u32, u32) {
    match ratio {
        "1:1" => (2400, 2400),
        "4:3" => (2400, 1800),
        "3:2" => (2400, 1600),
        "16:9" => (2400, 1350),
        "9:16" => (1350, 2400),
        "4:5" => (1920, 2400),
        _ => (2400, 1800),
    }
}

/// Start and size of each track along an axis of `len` pixels.
fn tracks(weights: &[u32], len: u32, gap: f64) -> Result<Vec<(i64, i64)>> {
    let n = weights.len() as f64;
    let avail = f64::from(len) - (n + 1.0) * gap;
    if avail < n {
        return Err(Error::unprocessable(format!(
            "Collage creation failed: a gap of {gap} px leaves no room for the cells"
        )));
    }
    let total: u32 = weights.iter().sum();
    let mut out = Vec::with_capacity(weights.len());
    let mut pos = gap;
    for &w in weights {
        let size = (f64::from(w) / f64::from(total) * avail).round();
        out.push((pos.round() as i64, size as i64));
        pos += size + gap;
    }
    Ok(out)
}

/// The cell rectangles `(x, y, w, h)` of `t` on a `w`×`h` canvas.
pub fn cell_rects(t: &Template, w: u32, h: u32, gap: f64) -> Result<Vec<(i64, i64, u32, u32)>> {
    let cols = tracks(t.columns, w, gap)?;
    let rows = tracks(t.rows, h, gap)?;
    Ok(t
        .cell_spans()
        .into_iter()
        .map(|(c0, c1, r0, r1)| {
            let (a, b) = (cols[c0 as usize - 1], cols[c1 as usize - 1]);
            let (c, d) = (rows[r0 as usize - 1], rows[r1 as usize - 1]);
            (
                a.0,
                c.0,
                (b.0 + b.1 - a.0).max(1) as u32,
                (d.0 + d.1 - c.0).max(1) as u32,
            )
        })
        .collect())
}

/// Fill a `cw`×`ch` cell with `img` (RGBA; contain leaves the letterbox transparent).
fn fill_cell(img: &DynamicImage, cw: u32, ch: u32, cell: &CellSettings) -> Result<RgbaImage> {
    let (iw, ih) = img.dimensions();
    let (iwf, ihf, cwf, chf) = (f64::from(iw), f64::from(ih), f64::from(cw), f64::from(ch));
    let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
    match cell.object_fit {
        ObjectFit::Cover => {
            let s = (cwf / iwf).max(chf / ihf) * cell.zoom;
            let (rw, rh) = ((iwf * s).round().max(cwf), (ihf * s).round().max(chf));
            let (ox, oy) = (rw - cwf, rh - chf);
            let left = (ox / 2.0 - cell.pan_x / 100.0 * ox / 2.0).round().clamp(0.0, ox);
            let top = (oy / 2.0 - cell.pan_y / 100.0 * oy / 2.0).round().clamp(0.0, oy);
            // The visible window of the scaled image, mapped back to source pixels.
            let (sx, sy) = (rw / iwf, rh / ihf);
            let (cx, cy) = (left / sx, top / sy);
            let crop = (cx, cy, (cwf / sx).min(iwf - cx), (chf / sy).min(ihf - cy));
            Ok(ops::resize_crop(&rgba, crop, cw, ch)?.to_rgba8())
        }
        ObjectFit::Contain => {
            let s = (cwf / iwf).min(chf / ihf);
            let (rw, rh) = (
                ((iwf * s).round() as u32).clamp(1, cw),
                ((ihf * s).round() as u32).clamp(1, ch),
            );
            let scaled = ops::resize_exact(&rgba, rw, rh)?;
            let mut out = RgbaImage::new(cw, ch);
            ops::composite_onto(
                &mut out,
                &scaled,
                i64::from((cw - rw) / 2),
                i64::from((ch - rh) / 2),
            );
            Ok(out)
        }
    }
}

/// Coverage of pixel (x, y) by a `w`×`h` rounded rectangle of radius `r`, anti-aliased.
fn rounded(x: u32, y: u32, w: u32, h: u32, r: f64) -> f64 {
    let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
    let (wf, hf) = (f64::from(w), f64::from(h));
    let cx = px.clamp(r, wf - r);
    let cy = py.clamp(r, hf - r);
    let d = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt();
    (r - d + 0.5).clamp(0.0, 1.0)
}

/// Lay `images` out on `settings.template_id`.
pub fn collage(images: &[Image], s: &CollageSettings, ctx: &Context) -> Result<Image> {
    let t = template(&s.template_id).ok_or_else(|| {
        Error::field("templateId", format!("Unknown template: {}", s.template_id))
    })?;
    let bg = s.background()?;
    let (w, h) = canvas_size(&s.aspect_ratio);
    let rects = cell_rects(t, w, h, s.gap)?;
    let fill = bg.map_or([0, 0, 0, 0], HexColor::rgba);
    let mut canvas = ops::solid_canvas(w, h, fill);
    let default_cell = CellSettings {
        image_index: 0,
        pan_x: 0.0,
        pan_y: 0.0,
        zoom: 1.0,
        object_fit: ObjectFit::Cover,
    };
    for (i, (img, &(x, y, cw, ch))) in images.iter().zip(&rects).enumerate() {
        ctx.checkpoint()?;
        ctx.progress(i as f32 / rects.len() as f32, "collage");
        let cell = s.cells.get(i).unwrap_or(&default_cell);
        let mut tile = fill_cell(img.first(), cw, ch, cell)?;
        let r = s.corner_radius.min(f64::from(cw.min(ch)) / 2.0);
        if r > 0.0 {
            for (px, py, p) in tile.enumerate_pixels_mut() {
                let cov = rounded(px, py, cw, ch, r);
                if cov < 1.0 {
                    p.0[3] = (f64::from(p.0[3]) * cov).round() as u8;
                }
            }
        }
        ops::composite_onto(&mut canvas, &DynamicImage::ImageRgba8(tile), x, y);
    }
    let px = match bg {
        None => DynamicImage::ImageRgba8(canvas),
        Some(_) => DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(canvas).to_rgb8()),
    };
    let mut out = Image::from_dynamic(px);
    let (format, quality) = match s.output_format {
        CollageFormat::Png => (ImageFormat::Png, Quality::Default),
        CollageFormat::Jpeg => (ImageFormat::Jpeg, Quality::Value(s.quality)),
        CollageFormat::Webp => (ImageFormat::Webp, Quality::Value(s.quality)),
        CollageFormat::Avif => (ImageFormat::Avif, Quality::Value(s.quality)),
    };
    out.name = Some(format!("collage.{}", format.extension()));
    out.encode = Some(EncodeSpec {
        quality,
        ..EncodeSpec::new(format)
    });
    Ok(out)
}

static META: ToolMeta = ToolMeta {
    id: "collage",
    name: "Collage",
    description: "Arrange images in one of 23 grid templates, with gaps, rounded cells and pan/zoom.",
    category: Category::Layout,
    slots: &[SlotSpec::images(1, "The images, in cell order.")],
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `collage` tool.
pub struct Collage;

impl Tool for Collage {
    type Settings = CollageSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &CollageSettings) -> Result<()> {
        if template(&s.template_id).is_none() {
            return Err(Error::field(
                "templateId",
                format!("Unknown template: {}", s.template_id),
            ));
        }
        s.background().map(|_| ())
    }

    fn run(&self, settings: &CollageSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let count = template(&settings.template_id)
            .map_or(0, |t| t.cell_spans().len())
            .min(inputs.len());
        // Files beyond the template's cells are dropped without being decoded.
        let images = (0..count)
            .map(|i| inputs.image(i))
            .collect::<Result<Vec<_>>>()?;
        Ok(Output::Image(collage(&images, settings, ctx)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_tiles_its_canvas() {
        assert_eq!(TEMPLATES.len(), 23);
        for t in &TEMPLATES {
            let n: usize = t.id.split('-').next().unwrap().parse().unwrap();
            assert_eq!(t.cell_spans().len(), n, "{}", t.id);
            // With no gap the cells cover the canvas exactly once.
            let rects = cell_rects(t, 2400, 1800, 0.0).unwrap();
            let area: u64 = rects.iter().map(|r| u64::from(r.2) * u64::from(r.3)).sum();
            assert_eq!(area, 2400 * 1800, "{}", t.id);
        }
    }

    #[test]
    fn tracks_follow_the_contract() {
        // 2 1 over 2400 with gap 8: avail 2376 -> 1584 and 792.
        assert_eq!(tracks(&[2, 1], 2400, 8.0).unwrap(), vec![(8, 1584), (1600, 792)]);
        assert!(tracks(&[1, 1, 1], 1350, 500.0).is_err());
    }
}
