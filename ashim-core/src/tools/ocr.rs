//! `ocr`: text read with PP-OCRv6 (detection + recognition) and the PP-OCR angle
//! classifier (tools-creative-ai §15). `fast` skips the angle classifier, `best` runs the
//! detector at a larger size; every tier reports engine `ppocr-v6`.

use crate::ai::{self, ocr};
use crate::error::Result;
use crate::tool::{Availability, Caps, Category, Inputs, Output, OutputKind, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Speed/accuracy tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OcrQuality {
    /// No angle classifier.
    Fast,
    /// Detection at 736 px, angle classifier on.
    #[default]
    Balanced,
    /// Detection at 960 px, angle classifier on.
    Best,
}

/// Language hint (PP-OCRv6 reads Chinese, Japanese, English and Latin scripts with one model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OcrLanguage {
    /// Any.
    #[default]
    Auto,
    /// English.
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Chinese.
    Zh,
    /// Japanese.
    Ja,
    /// Korean.
    Ko,
}

/// Settings of [`Ocr`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct OcrSettings {
    /// Tier. Default balanced.
    pub quality: OcrQuality,
    /// Language hint. Default auto.
    pub language: OcrLanguage,
}

/// A line's box in image pixels.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OcrBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// One recognised line.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OcrLine {
    /// The text.
    pub text: String,
    /// Mean character confidence 0–1, to three decimals.
    pub confidence: f64,
    /// Where it is.
    #[serde(rename = "box")]
    pub bbox: OcrBox,
}

/// The report of [`Ocr`].
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OcrReport {
    /// Every line, joined with newlines.
    pub text: String,
    /// The engine that read it (`ppocr-v6`).
    pub engine: String,
    /// The lines, top to bottom.
    pub lines: Vec<OcrLine>,
}

static META: ToolMeta = ToolMeta {
    id: "ocr",
    name: "OCR",
    description: "Read the text in an image (AI, PP-OCRv6): text, lines with boxes and confidences.",
    category: Category::Ai,
    output: OutputKind::Json,
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `ocr` tool.
pub struct Ocr;

impl Tool for Ocr {
    type Settings = OcrSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        ai::availability(ocr::BUNDLE)
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<OcrReport>())
    }

    fn run(&self, s: &OcrSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        let opts = ocr::Options {
            use_angle_cls: s.quality != OcrQuality::Fast,
            det_side: if s.quality == OcrQuality::Best {
                960
            } else {
                736
            },
        };
        let mut tick = ai::ticker(ctx, "reading text", 0.05, 0.95);
        let lines = ocr::read(image.first(), opts, &mut tick)?;
        let text = lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        Output::report(&OcrReport {
            text,
            engine: "ppocr-v6".into(),
            lines: lines
                .iter()
                .map(|l| OcrLine {
                    text: l.text.clone(),
                    confidence: (f64::from(l.confidence) * 1000.0).round() / 1000.0,
                    bbox: OcrBox { x: l.bbox[0], y: l.bbox[1], w: l.bbox[2], h: l.bbox[3] },
                })
                .collect(),
        })
    }
}
