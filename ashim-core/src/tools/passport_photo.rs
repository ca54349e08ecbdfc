//! `passport-photo` (tools-creative-ai §22): `/analyze` finds the face (YuNet) and cuts the
//! person out (U²-Net-p), `/generate` crops the cut-out to a country's specification over a
//! solid background (JPEG; plus a print sheet when asked), and the base route does both in
//! one step (the pipeline form).

use crate::ai::passport::{self, Geometry, Landmarks};
use crate::ai::{self, effects::parse_hex, faces, rembg};
use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image, Quality};
use crate::io::encode_frame;
use crate::naming::stem;
use crate::ops::resize_exact;
use crate::tool::{
    Availability, Caps, Category, Inputs, Output, OutputFile, SlotSpec, SubRoute, Tool, ToolMeta,
};
use image::{DynamicImage, RgbImage, RgbaImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Face key points and the cut-out of a photo.
pub fn analyze(img: &DynamicImage) -> Result<(Landmarks, RgbaImage)> {
    let found = faces::detect(img, 0.5)?;
    let Some(face) = found
        .iter()
        .max_by(|a, b| (a.w * a.h).total_cmp(&(b.w * b.h)))
    else {
        return Err(Error::unprocessable(
            "No face detected: use a clear, front-facing photo with good lighting.",
        ));
    };
    let lm = passport::landmarks(face, img.width(), img.height());
    let mask = rembg::mask(img)?;
    Ok((lm, rembg::cut_out(img, &mask)))
}

/// What `/analyze` reports besides the cut-out image.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeReport {
    /// The cut-out's file name in this job (pass it to `/generate`).
    pub filename: String,
    /// The cut-out scaled to at most 800 px wide, PNG, base64 (no `data:` prefix).
    pub preview: String,
    /// Preview width.
    pub preview_width: u32,
    /// Preview height.
    pub preview_height: u32,
    /// Face key points, normalised 0–1.
    pub landmarks: Landmarks,
    /// Input width.
    pub image_width: u32,
    /// Input height.
    pub image_height: u32,
}

/// Settings of [`PassportPhotoAnalyze`] (none).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct AnalyzeSettings {}

static ANALYZE_META: ToolMeta = ToolMeta {
    id: "passport-photo/analyze",
    name: "Passport Photo: analyze",
    description: "Find the face and its key points and cut the person out, for /generate.",
    category: Category::Ai,
    caps: Caps::NONE,
    route: Some(SubRoute {
        parent: "passport-photo",
        path: "analyze",
    }),
    ..ToolMeta::ONE_IMAGE
};

/// `passport-photo/analyze`.
pub struct PassportPhotoAnalyze;

impl Tool for PassportPhotoAnalyze {
    type Settings = AnalyzeSettings;

    fn meta(&self) -> &'static ToolMeta {
        &ANALYZE_META
    }

    fn availability(&self) -> Availability {
        ai::availability(rembg::BUNDLE)
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<AnalyzeReport>())
    }

    fn run(&self, _: &AnalyzeSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        ctx.progress(0.05, "finding the face");
        let px = image.first();
        let (w, h) = (px.width(), px.height());
        let (landmarks, cut) = analyze(px)?;
        ctx.progress(0.95, "preview");
        let pw = w.min(800);
        let ph = ((h as f64 * pw as f64 / w as f64).round() as u32).max(1);
        let preview = resize_exact(&DynamicImage::ImageRgba8(cut.clone()), pw, ph)?;
        let png = encode_frame(preview, ImageFormat::Png, None)?;
        let base = image.name.as_deref().map(stem).unwrap_or("image").to_string();
        let filename = format!("{base}_nobg.png");
        let mut out = Image::from_dynamic(DynamicImage::ImageRgba8(cut));
        out.name = Some(filename.clone());
        out.encode = Some(EncodeSpec::new(ImageFormat::Png));
        let report = AnalyzeReport {
            filename,
            preview: passport::base64(&png),
            preview_width: pw,
            preview_height: ph,
            landmarks,
            image_width: w,
            image_height: h,
        };
        Output::image_with(out, &report)
    }
}

/// Settings of [`PassportPhotoGenerate`] (a JSON body).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(example = serde_json::json!({
    "jobId": "00000000-0000-4000-8000-000000000000", "filename": "photo_nobg.png",
    "countryCode": "GB", "imageWidth": 200, "imageHeight": 150,
    "landmarks": {"leftEye": {"x": 0.4, "y": 0.4}, "rightEye": {"x": 0.6, "y": 0.4},
        "eyeCenter": {"x": 0.5, "y": 0.4}, "chin": {"x": 0.5, "y": 0.75},
        "forehead": {"x": 0.5, "y": 0.2}, "nose": {"x": 0.5, "y": 0.55},
        "crown": {"x": 0.5, "y": 0.1475}, "faceCenterX": 0.5}}))]
pub struct GenerateSettings {
    /// The `/analyze` job.
    pub job_id: String,
    /// The cut-out's name from `/analyze` (`<stem>_nobg.png`).
    pub filename: String,
    /// Country code (`US`, `GB`, ...; see the contract's list).
    pub country_code: String,
    /// Document type. Default passport.
    #[serde(default = "passport_doc")]
    pub document_type: String,
    /// Background `#rrggbb`. Default: the country's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bg_color: Option<String>,
    /// Print sheet: `4x6`, `a4` or `none` (anything else: none). Default none.
    #[serde(default = "none_layout")]
    pub print_layout: String,
    /// Largest JPEG size in KB (0 = no limit).
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub max_file_size_kb: f64,
    /// Output resolution, 72–1200 dpi. Default 300.
    #[serde(default = "dpi300")]
    #[schemars(range(min = 72, max = 1200))]
    pub dpi: f64,
    /// Custom width in mm (overrides the country's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_width_mm: Option<f64>,
    /// Custom height in mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_height_mm: Option<f64>,
    /// Zoom 0.5–3 (keeps the centre). Default 1.
    #[serde(default = "one")]
    #[schemars(range(min = 0.5, max = 3))]
    pub zoom: f64,
    /// Horizontal offset added to the landmarks (normalised).
    #[serde(default)]
    pub adjust_x: f64,
    /// Vertical offset added to the landmarks (normalised).
    #[serde(default)]
    pub adjust_y: f64,
    /// The key points `/analyze` returned.
    pub landmarks: Landmarks,
    /// Width of the analysed image.
    pub image_width: u32,
    /// Height of the analysed image.
    pub image_height: u32,
}

fn passport_doc() -> String {
    "passport".into()
}
fn none_layout() -> String {
    "none".into()
}
fn dpi300() -> f64 {
    300.0
}
fn one() -> f64 {
    1.0
}

/// Size and rules for a request, and its `spec` report.
fn resolve(
    code: &str,
    document: &str,
    w_mm: Option<f64>,
    h_mm: Option<f64>,
) -> Result<(Geometry, serde_json::Value, &'static str)> {
    match passport::spec_for(code) {
        Some(s) => {
            let g = Geometry {
                width_mm: w_mm.unwrap_or(s.width_mm),
                height_mm: h_mm.unwrap_or(s.height_mm),
                head: s.head,
                eye: s.eye,
            };
            let spec = serde_json::json!({"country": s.name, "countryCode": s.code,
                "documentType": document, "documentLabel": s.label()});
            Ok((g, spec, s.bg))
        }
        None if w_mm.is_some() => Ok((
            Geometry {
                width_mm: w_mm.unwrap_or(35.0),
                height_mm: h_mm.unwrap_or(45.0),
                head: (0.70, 0.80),
                eye: 0.63,
            },
            serde_json::json!({"country": "Custom", "countryCode": "CUSTOM",
                "documentType": document, "documentLabel": "Custom"}),
            "#FFFFFF",
        )),
        None => Err(Error::new(
            ErrorKind::InvalidInput,
            format!("Unknown country code: {code}"),
        )),
    }
}

/// The passport photo (and print sheet) from a cut-out.
fn generate(cut: &RgbaImage, s: &GenerateSettings) -> Result<Output> {
    if s.job_id.trim().is_empty() || s.filename.trim().is_empty() {
        return Err(Error::field("jobId", "jobId and filename must not be empty"));
    }
    for (name, v) in [("customWidthMm", s.custom_width_mm), ("customHeightMm", s.custom_height_mm)] {
        if let Some(v) = v
            && !(v > 0.0 && v <= 300.0)
        {
            return Err(Error::field(name, "must be between 0 and 300 mm"));
        }
    }
    let (g, spec, default_bg) = resolve(
        &s.country_code,
        &s.document_type,
        s.custom_width_mm,
        s.custom_height_mm,
    )?;
    let bg = parse_hex("bgColor", s.bg_color.as_deref().unwrap_or(default_bg))?;
    let (ow, oh) = (
        passport::mm_to_px(g.width_mm, s.dpi),
        passport::mm_to_px(g.height_mm, s.dpi),
    );
    // The landmarks are normalised, so they apply to the cut-out whatever its size.
    let photo = passport::crop(cut, &s.landmarks, &g, bg, s.zoom, (s.adjust_x, s.adjust_y), ow, oh)?;
    let mut q = 95u8;
    if s.max_file_size_kb > 0.0 {
        let limit = (s.max_file_size_kb * 1024.0) as usize;
        while q > 10
            && encode_frame(DynamicImage::ImageRgb8(photo.clone()), ImageFormat::Jpeg, Some(q))?.len()
                > limit
        {
            q -= 5;
        }
    }
    let base = stem(&s.filename).trim_end_matches("_nobg").to_string();
    let name = format!("{base}_passport.jpg");
    let dims = serde_json::json!({"widthMm": g.width_mm, "heightMm": g.height_mm,
        "widthPx": ow, "heightPx": oh, "dpi": s.dpi});
    let paper = match s.print_layout.as_str() {
        "4x6" => Some((102.0, 152.0)),
        "a4" => Some((210.0, 297.0)),
        _ => None,
    };
    if let Some(paper) = paper {
        let (sheet, _, _) = sheet_of(&photo, &g, paper)?;
        return Ok(Output::FileSet(vec![
            OutputFile {
                name,
                data: encode_frame(DynamicImage::ImageRgb8(photo), ImageFormat::Jpeg, Some(q))?,
                mime_type: "image/jpeg",
            },
            OutputFile {
                name: format!("{base}_print_{}.jpg", s.print_layout),
                data: encode_frame(DynamicImage::ImageRgb8(sheet), ImageFormat::Jpeg, Some(95))?,
                mime_type: "image/jpeg",
            },
        ]));
    }
    let mut img = Image::from_dynamic(DynamicImage::ImageRgb8(photo));
    img.name = Some(name);
    let mut enc = EncodeSpec::new(ImageFormat::Jpeg);
    enc.quality = Quality::Value(q);
    img.encode = Some(enc);
    Output::image_with(img, &serde_json::json!({"dimensions": dims, "spec": spec}))
}

fn sheet_of(photo: &RgbImage, g: &Geometry, paper: (f64, f64)) -> Result<(RgbImage, u32, u32)> {
    passport::sheet(photo, (g.width_mm, g.height_mm), paper)
}

static GENERATE_META: ToolMeta = ToolMeta {
    id: "passport-photo/generate",
    name: "Passport Photo: generate",
    description: "Crop an analysed cut-out to a country's passport specification over a solid background.",
    category: Category::Ai,
    slots: &[SlotSpec::IMAGE],
    caps: Caps {
        json_body: true,
        from_job: true,
        ..Caps::NONE
    },
    route: Some(SubRoute {
        parent: "passport-photo",
        path: "generate",
    }),
    ..ToolMeta::ONE_IMAGE
};

/// `passport-photo/generate` (not gated: no model runs).
pub struct PassportPhotoGenerate;

impl Tool for PassportPhotoGenerate {
    type Settings = GenerateSettings;

    fn meta(&self) -> &'static ToolMeta {
        &GENERATE_META
    }

    fn run(&self, s: &GenerateSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let cut = inputs.image(0)?;
        generate(&cut.first().to_rgba8(), s)
    }
}

/// Settings of [`PassportPhoto`] (analyze + generate in one step).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(example = serde_json::json!({"countryCode": "US"}))]
pub struct PassportSettings {
    /// Country code.
    pub country_code: String,
    /// Document type. Default passport.
    #[serde(default = "passport_doc")]
    pub document_type: String,
    /// Background `#rrggbb`. Default: the country's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bg_color: Option<String>,
    /// Horizontal offset (normalised).
    #[serde(default)]
    pub adjust_x: f64,
    /// Vertical offset (normalised).
    #[serde(default)]
    pub adjust_y: f64,
}

static META: ToolMeta = ToolMeta {
    id: "passport-photo",
    name: "Passport Photo",
    description: "Make a passport photo to a country's specification (AI face detection and background removal).",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// `passport-photo`: analyze + generate in one step (the pipeline form).
pub struct PassportPhoto;

impl Tool for PassportPhoto {
    type Settings = PassportSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &PassportSettings) -> Result<()> {
        resolve(&s.country_code, &s.document_type, None, None).map(|_| ())
    }

    fn availability(&self) -> Availability {
        ai::availability(rembg::BUNDLE)
    }

    fn run(&self, s: &PassportSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        ctx.progress(0.05, "analysing");
        let px = image.first();
        let (landmarks, cut) = analyze(px)?;
        ctx.progress(0.9, "cropping");
        let g = GenerateSettings {
            job_id: "pipeline".into(),
            filename: image.name.clone().unwrap_or_else(|| "image.png".into()),
            country_code: s.country_code.clone(),
            document_type: s.document_type.clone(),
            bg_color: s.bg_color.clone(),
            print_layout: none_layout(),
            max_file_size_kb: 0.0,
            dpi: 300.0,
            custom_width_mm: None,
            custom_height_mm: None,
            zoom: 1.0,
            adjust_x: s.adjust_x,
            adjust_y: s.adjust_y,
            landmarks,
            image_width: px.width(),
            image_height: px.height(),
        };
        generate(&cut, &g)
    }
}
