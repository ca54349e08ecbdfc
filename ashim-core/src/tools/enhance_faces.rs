//! `enhance-faces` (tools-creative-ai §24). No face-restoration model (GFPGAN, CodeFormer)
//! ships in a registry package, so ashim does what models.md §9 names as the nearest
//! substitute: faces found by YuNet, each face region (box grown by 25 %) super-resolved
//! 2× with Real-ESRGAN animevideov3 and brought back to its size (which removes blur and
//! JPEG artefacts and firms up edges), then blended into the photo through a feathered
//! ellipse at `strength`. Every `model` value runs this; the result says which model ran.

use crate::ai::{self, faces, runtime, upscale as sr};
use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::EncodeSpec;
use crate::naming::stem;
use crate::ops::resize_exact;
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use image::{DynamicImage, RgbImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Requested restoration model (all run the packaged substitute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FaceModel {
    /// The default.
    #[default]
    Auto,
    /// GFPGAN (not packaged; runs the substitute).
    Gfpgan,
    /// CodeFormer (not packaged; runs the substitute).
    Codeformer,
}

/// Settings of [`EnhanceFaces`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct EnhanceFacesSettings {
    /// Requested model. Default auto.
    pub model: FaceModel,
    /// Blend of the enhanced face over the original, 0–1. Default 0.8.
    #[schemars(range(min = 0, max = 1))]
    pub strength: f64,
    /// Enhance only the face nearest the centre. Default false.
    pub only_center_face: bool,
    /// Detection sensitivity 0–1 (higher finds more, less certain faces). Default 0.5.
    #[schemars(range(min = 0, max = 1))]
    pub sensitivity: f64,
}

impl Default for EnhanceFacesSettings {
    fn default() -> Self {
        Self {
            model: FaceModel::Auto,
            strength: 0.8,
            only_center_face: false,
            sensitivity: 0.5,
        }
    }
}

/// The model that enhances faces.
pub const MODEL: &str = "realesr-animevideov3-x2";

/// The YuNet score threshold for a sensitivity (0.5 → 0.6, 1 → 0.3, 0 → 0.9).
pub fn threshold(sensitivity: f64) -> f32 {
    (0.9 - 0.6 * sensitivity.clamp(0.0, 1.0)) as f32
}

/// Enhance each face of `rgb` in place.
pub fn enhance(
    rgb: &mut RgbImage,
    found: &[faces::Face],
    strength: f32,
    tick: &mut dyn FnMut(f32) -> Result<()>,
) -> Result<()> {
    let model = runtime::model(MODEL, sr::BUNDLE)?;
    let (iw, ih) = rgb.dimensions();
    for (i, f) in found.iter().enumerate() {
        tick(i as f32 / found.len().max(1) as f32)?;
        let g = 0.25 * f.w.max(f.h);
        let x0 = (f.x - g).max(0.0).floor() as u32;
        let y0 = (f.y - g).max(0.0).floor() as u32;
        let x1 = ((f.x + f.w + g).ceil() as u32).min(iw);
        let y1 = ((f.y + f.h + g).ceil() as u32).min(ih);
        if x1 <= x0 + 4 || y1 <= y0 + 4 {
            continue;
        }
        let (cw, ch) = (x1 - x0, y1 - y0);
        let crop = image::imageops::crop_imm(rgb, x0, y0, cw, ch).to_image();
        let big = sr::run_tiled(&model, &crop, sr::ESRGAN(2), &mut |_| Ok(()))?;
        let back = resize_exact(&DynamicImage::ImageRgb8(big), cw, ch)?.to_rgb8();
        // Feathered ellipse: 1 inside 70 % of the semi-axes, falling to 0 at the edge.
        let (cx, cy) = (cw as f32 / 2.0, ch as f32 / 2.0);
        for y in 0..ch {
            for x in 0..cw {
                let dx = (x as f32 + 0.5 - cx) / cx;
                let dy = (y as f32 + 0.5 - cy) / cy;
                let r = (dx * dx + dy * dy).sqrt();
                let a = (((1.0 - r) / 0.3).clamp(0.0, 1.0)) * strength;
                if a <= 0.0 {
                    continue;
                }
                let o = rgb.get_pixel_mut(x0 + x, y0 + y);
                let e = back.get_pixel(x, y);
                for c in 0..3 {
                    o.0[c] = (o.0[c] as f32 * (1.0 - a) + e.0[c] as f32 * a).round() as u8;
                }
            }
        }
    }
    Ok(())
}

/// Faces found and enhanced (the envelope's extra fields).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnhanceReport {
    /// Faces detected.
    pub faces_detected: usize,
    /// Their boxes.
    pub faces: Vec<faces::FaceBox>,
    /// The model that ran (`none` when no face was found).
    pub model: String,
}

static META: ToolMeta = ToolMeta {
    id: "enhance-faces",
    name: "Enhance Faces",
    description: "Find faces (YuNet) and sharpen and clean them with AI super-resolution, blended back into the photo.",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `enhance-faces` tool.
pub struct EnhanceFaces;

impl Tool for EnhanceFaces {
    type Settings = EnhanceFacesSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        ai::availability(sr::BUNDLE)
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<EnhanceReport>())
    }

    fn run(&self, s: &EnhanceFacesSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let mut image = inputs.image(0)?;
        ctx.progress(0.05, "detecting faces");
        let mut found = faces::detect(image.first(), threshold(s.sensitivity))?;
        if s.only_center_face && found.len() > 1 {
            let (cx, cy) = (image.width() as f32 / 2.0, image.height() as f32 / 2.0);
            let d = |f: &faces::Face| (f.x + f.w / 2.0 - cx).powi(2) + (f.y + f.h / 2.0 - cy).powi(2);
            found.sort_by(|a, b| d(a).total_cmp(&d(b)));
            found.truncate(1);
        }
        let mut rgb = image.first().to_rgb8();
        let mut tick = ai::ticker(ctx, "enhancing faces", 0.1, 0.95);
        enhance(&mut rgb, &found, s.strength as f32, &mut tick)?;
        let report = EnhanceReport {
            faces_detected: found.len(),
            faces: found.iter().map(faces::FaceBox::from).collect(),
            model: if found.is_empty() { "none".into() } else { MODEL.into() },
        };
        image.frames.truncate(1);
        image.frames[0].pixels = DynamicImage::ImageRgb8(rgb);
        image.encode = Some(EncodeSpec::new(ImageFormat::Png));
        let base = image.name.as_deref().map(stem).unwrap_or("image").to_string();
        image.name = Some(format!("{base}_enhanced.png"));
        Output::image_with(image, &report)
    }
}
