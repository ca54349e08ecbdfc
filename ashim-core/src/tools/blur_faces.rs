//! `blur-faces`: faces found by YuNet, each box grown by 10 % and Gaussian-blurred
//! (tools-creative-ai §16).

use crate::ai::{self, faces};
use crate::error::Result;
use crate::image::Image;
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`BlurFaces`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct BlurFacesSettings {
    /// Blur radius in pixels, 1–100. Default 30.
    #[schemars(range(min = 1, max = 100))]
    pub blur_radius: f64,
    /// Detection sensitivity 0–1 (higher finds more, less certain faces). Default 0.5.
    #[schemars(range(min = 0, max = 1))]
    pub sensitivity: f64,
}

impl Default for BlurFacesSettings {
    fn default() -> Self {
        Self {
            blur_radius: 30.0,
            sensitivity: 0.5,
        }
    }
}

/// Detection threshold for a sensitivity: max(0.1, 1 − sensitivity).
pub fn threshold(sensitivity: f64) -> f32 {
    (1.0 - sensitivity).max(0.1) as f32
}

/// Blur every face of the first frame; returns the image and the face boxes.
pub fn blur_faces(mut image: Image, s: &BlurFacesSettings) -> Result<(Image, Vec<faces::FaceBox>)> {
    let found = faces::detect(image.first(), threshold(s.sensitivity))?;
    let out = faces::blur_regions(image.first(), &found, s.blur_radius as f32);
    image.frames.truncate(1);
    image.frames[0].pixels = out;
    Ok((image, found.iter().map(faces::FaceBox::from).collect()))
}

static META: ToolMeta = ToolMeta {
    id: "blur-faces",
    name: "Blur Faces",
    description: "Find faces (AI, YuNet) and blur them for privacy.",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `blur-faces` tool.
pub struct BlurFaces;

impl Tool for BlurFaces {
    type Settings = BlurFacesSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        ai::availability(faces::BUNDLE)
    }

    fn run(&self, s: &BlurFacesSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        ctx.progress(0.1, "detecting faces");
        let (out, faces) = blur_faces(image, s)?;
        let mut extra = serde_json::json!({"facesDetected": faces.len(), "faces": faces});
        if faces.is_empty() {
            extra["warning"] = "No faces detected in this image. Try increasing detection sensitivity.".into();
        }
        Output::image_with(out, &extra)
    }
}
