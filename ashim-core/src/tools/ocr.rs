//! `ocr`: text read with PP-OCRv6 (detection + recognition) and the PP-OCR angle
//! classifier (tools-creative-ai §15). `fast` skips the angle classifier, `best` runs the
//! detector at a larger size; every tier reports engine `ppocr-v6`.

use crate::ai::{self, ocr};
use crate::error::Result;
use crate::tool::{Availability, Caps, Category, Inputs, Output, OutputKind, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

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
        Ok(Output::Json(json!({
            "text": text,
            "engine": "ppocr-v6",
            "lines": lines.iter().map(|l| json!({
                "text": l.text,
                "confidence": (l.confidence * 1000.0).round() / 1000.0,
                "box": {"x": l.bbox[0], "y": l.bbox[1], "w": l.bbox[2], "h": l.bbox[3]},
            })).collect::<Vec<_>>(),
        })))
    }
}
