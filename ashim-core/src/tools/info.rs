//! `info`: a JSON report on a file: format, size, channels, metadata present, histogram.

use crate::error::Result;
use crate::format::ImageFormat;
use crate::io::{self, jpeg};
use crate::tool::{Category, Inputs, Output, OutputKind, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The report `info` returns.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InfoReport {
    /// File name, `image` when unknown.
    pub filename: String,
    /// File size in bytes.
    pub file_size: usize,
    /// Width in pixels (as stored, before EXIF orientation).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Format name (`jpeg`, `png`, ...).
    pub format: &'static str,
    /// Channels (4 for CMYK JPEGs).
    pub channels: u8,
    /// Whether there is an alpha channel.
    pub has_alpha: bool,
    /// `srgb`, `b-w`, `grey16`, `rgb16`, `scrgb` or `cmyk`.
    pub color_space: &'static str,
    /// Density in DPI, when the file says.
    pub density: Option<f64>,
    /// Progressive JPEG or interlaced PNG.
    pub is_progressive: bool,
    /// EXIF orientation 1–8, when present.
    pub orientation: Option<u8>,
    /// Whether an ICC profile is embedded.
    pub has_profile: bool,
    /// Whether EXIF is present.
    pub has_exif: bool,
    /// Whether an ICC profile is present.
    pub has_icc: bool,
    /// Whether XMP is present.
    pub has_xmp: bool,
    /// Sample type: `uchar`, `ushort` or `float`.
    pub bit_depth: &'static str,
    /// Frames or pages.
    pub pages: usize,
    /// Per-band statistics of the first frame.
    pub histogram: Vec<BandStats>,
}

/// `info` has no settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct InfoSettings {}

/// Statistics of one band.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BandStats {
    /// `red`, `green`, `blue`, `alpha`, then `channel-<i>`, by index.
    pub channel: String,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Mean, two decimals.
    pub mean: f64,
    /// Standard deviation, two decimals.
    pub stdev: f64,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Per-band min/max/mean/stdev of an image.
pub fn histogram(px: &DynamicImage) -> Vec<BandStats> {
    let n = usize::from(px.color().channel_count());
    let mut min = vec![f64::MAX; n];
    let mut max = vec![f64::MIN; n];
    let mut sum = vec![0f64; n];
    let mut sq = vec![0f64; n];
    let mut visit = |i: usize, v: f64| {
        min[i] = min[i].min(v);
        max[i] = max[i].max(v);
        sum[i] += v;
        sq[i] += v * v;
    };
    let mut visit_all = |raw: &mut dyn Iterator<Item = f64>| {
        for (k, v) in raw.enumerate() {
            visit(k % n, v);
        }
    };
    match px {
        DynamicImage::ImageLuma16(b) => visit_all(&mut b.as_raw().iter().map(|&v| f64::from(v))),
        DynamicImage::ImageLumaA16(b) => visit_all(&mut b.as_raw().iter().map(|&v| f64::from(v))),
        DynamicImage::ImageRgb16(b) => visit_all(&mut b.as_raw().iter().map(|&v| f64::from(v))),
        DynamicImage::ImageRgba16(b) => visit_all(&mut b.as_raw().iter().map(|&v| f64::from(v))),
        _ => visit_all(&mut px.as_bytes().iter().map(|&v| f64::from(v))),
    }
    let count = f64::from(px.width()) * f64::from(px.height());
    (0..n)
        .map(|i| {
            let mean = sum[i] / count;
            let var = (sq[i] / count - mean * mean).max(0.0);
            BandStats {
                channel: ["red", "green", "blue", "alpha"]
                    .get(i)
                    .map_or(format!("channel-{i}"), |s| s.to_string()),
                min: min[i],
                max: max[i],
                mean: round2(mean),
                stdev: round2(var.sqrt()),
            }
        })
        .collect()
}

fn color_space(px: &DynamicImage, cmyk: bool) -> &'static str {
    use DynamicImage::*;
    if cmyk {
        return "cmyk";
    }
    match px {
        ImageLuma8(_) | ImageLumaA8(_) => "b-w",
        ImageLuma16(_) | ImageLumaA16(_) => "grey16",
        ImageRgb16(_) | ImageRgba16(_) => "rgb16",
        ImageRgb32F(_) | ImageRgba32F(_) => "scrgb",
        _ => "srgb",
    }
}

fn bit_depth(px: &DynamicImage) -> &'static str {
    match px.color().bytes_per_pixel() / px.color().channel_count() {
        1 => "uchar",
        2 => "ushort",
        _ => "float",
    }
}

/// PNG facts from the raw chunks: interlaced, density (from pHYs, in DPI).
fn png_facts(b: &[u8]) -> (bool, Option<f64>) {
    let interlaced = b.get(28).is_some_and(|&v| v == 1);
    let mut pos = 8;
    while pos + 8 <= b.len() {
        let len = u32::from_be_bytes([b[pos], b[pos + 1], b[pos + 2], b[pos + 3]]) as usize;
        let kind = &b[pos + 4..pos + 8];
        if kind == b"IDAT" {
            break;
        }
        if kind == b"pHYs" && len >= 9 && pos + 8 + 9 <= b.len() {
            let d = &b[pos + 8..];
            let ppm = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
            if d[8] == 1 {
                return (interlaced, Some((f64::from(ppm) * 0.0254).round()));
            }
        }
        pos += 12 + len;
    }
    (interlaced, None)
}

/// Build the report for `data` (named `name`).
pub fn info(data: &[u8], name: Option<&str>, ctx: &crate::Context) -> Result<InfoReport> {
    let header = io::probe(data, name)?;
    let image = ctx.decode(data, name, None)?;
    let px = image.first();
    let (mut progressive, mut density, mut cmyk, mut meta) =
        (false, None, false, image.metadata.clone());
    match header.format {
        ImageFormat::Jpeg => {
            let h = jpeg::scan_header(data)?;
            progressive = h.progressive;
            density = h.density;
            cmyk = h.components == 4;
            meta = h.metadata;
        }
        ImageFormat::Png => (progressive, density) = png_facts(data),
        _ => {}
    }
    let orientation = meta
        .exif
        .as_deref()
        .map(io::exif::strip_exif_header)
        .and_then(io::exif::orientation);
    let channels = if cmyk { 4 } else { px.color().channel_count() };
    Ok(InfoReport {
        filename: name.unwrap_or("image").to_string(),
        file_size: data.len(),
        width: header.width,
        height: header.height,
        format: header.format.name(),
        channels,
        has_alpha: px.color().has_alpha(),
        color_space: color_space(px, cmyk),
        density,
        is_progressive: progressive,
        orientation,
        has_profile: meta.icc.is_some(),
        has_exif: meta.exif.is_some(),
        has_icc: meta.icc.is_some(),
        has_xmp: meta.xmp.is_some(),
        bit_depth: bit_depth(px),
        pages: image.frames.len(),
        histogram: histogram(px),
    })
}

static META: ToolMeta = ToolMeta {
    id: "info",
    name: "Image info",
    description: "Report format, size, channels, metadata and per-channel statistics as JSON.",
    category: Category::Analysis,
    output: OutputKind::Json,
    ..ToolMeta::ONE_IMAGE
};

/// The `info` tool.
pub struct Info;

impl Tool for Info {
    type Settings = InfoSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<InfoReport>())
    }

    fn run(&self, _: &InfoSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        if let Some(file) = inputs.file(0) {
            return Output::report(&info(&file.data, file.name.as_deref(), ctx)?);
        }
        // After pipeline steps: report on the file those steps would produce.
        let image = inputs.image(0)?;
        let encoded = ctx.encode(&image)?;
        let name = image
            .name
            .as_deref()
            .map(|n| crate::naming::with_extension(n, encoded.format));
        Output::report(&info(&encoded.data, name.as_deref(), ctx)?)
    }
}
