//! `qr-generate`: render text as a QR code PNG.

use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::settings::HexColor;
use crate::tool::{Caps, Category, Inputs, Output, OutputKind, Tool, ToolMeta};
use image::{DynamicImage, RgbImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Error-correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum ErrorCorrection {
    /// ~7 % recoverable.
    L,
    /// ~15 % recoverable.
    #[default]
    M,
    /// ~25 % recoverable.
    Q,
    /// ~30 % recoverable.
    H,
}

/// Settings of [`QrGenerate`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrSettings {
    /// The text to encode (1–2000 characters; required).
    #[schemars(length(min = 1, max = 2000))]
    pub text: String,
    /// Side of the image in pixels, 100–10000. Default 400.
    #[schemars(range(min = 100, max = 10000))]
    #[serde(default = "default_size")]
    pub size: u32,
    /// Default `M`.
    #[serde(default)]
    pub error_correction: ErrorCorrection,
    /// Dark modules. Default `#000000`.
    #[serde(default = "black")]
    pub foreground: HexColor,
    /// Light modules and quiet zone. Default `#FFFFFF`.
    #[serde(default = "white")]
    pub background: HexColor,
}

fn default_size() -> u32 {
    400
}
fn black() -> HexColor {
    HexColor::BLACK
}
fn white() -> HexColor {
    HexColor::WHITE
}

/// Render the QR code: quiet zone of 2 modules, module size `size / (modules + 4)`
/// (fractional), so the image is exactly `size` wide.
pub fn qr_generate(s: &QrSettings) -> Result<DynamicImage> {
    let ec = match s.error_correction {
        ErrorCorrection::L => qrcode::EcLevel::L,
        ErrorCorrection::M => qrcode::EcLevel::M,
        ErrorCorrection::Q => qrcode::EcLevel::Q,
        ErrorCorrection::H => qrcode::EcLevel::H,
    };
    let code = qrcode::QrCode::with_error_correction_level(s.text.as_bytes(), ec)
        .map_err(|e| Error::unprocessable(format!("QR code generation failed: {e}")))?;
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let n = modules + 4;
    let (scale, side) = if s.size < n {
        (4.0, n * 4)
    } else {
        (f64::from(s.size) / f64::from(n), s.size)
    };
    let margin = (2.0 * scale).floor();
    let (fg, bg) = (image::Rgb(s.foreground.0), image::Rgb(s.background.0));
    let img = RgbImage::from_fn(side, side, |x, y| {
        let mx = ((f64::from(x) - margin) / scale).floor();
        let my = ((f64::from(y) - margin) / scale).floor();
        if mx < 0.0 || my < 0.0 || mx >= f64::from(modules) || my >= f64::from(modules) {
            return bg;
        }
        match colors[(my as u32 * modules + mx as u32) as usize] {
            qrcode::Color::Dark => fg,
            qrcode::Color::Light => bg,
        }
    });
    Ok(DynamicImage::ImageRgb8(img))
}

static META: ToolMeta = ToolMeta {
    id: "qr-generate",
    name: "QR code",
    description: "Generate a QR code image from text.",
    category: Category::Generate,
    slots: &[],
    output: OutputKind::Image,
    caps: Caps {
        json_body: true,
        ..Caps::NONE
    },
    route: None,
    aliases: &[],
    form_fields: &[],
};

/// The `qr-generate` tool.
pub struct QrGenerate;

impl Tool for QrGenerate {
    type Settings = QrSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, s: &QrSettings, _: &mut Inputs<'_>) -> Result<Output> {
        let mut img = Image::from_dynamic(qr_generate(s)?);
        img.encode = Some(EncodeSpec::new(ImageFormat::Png));
        img.name = Some("qrcode".into());
        Ok(Output::Image(img))
    }
}
