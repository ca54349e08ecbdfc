//! `red-eye-removal`: YuNet eye landmarks, then the contract's Lab/HSV red-pupil mask and
//! darkening (tools-creative-ai §20).

use crate::ai::{self, faces, redeye};
use crate::error::Result;
use crate::image::Image;
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`RedEyeRemoval`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct RedEyeRemovalSettings {
    /// How red a pixel must be to count, 0–100 (higher catches more). Default 50.
    #[schemars(range(min = 0, max = 100))]
    pub sensitivity: f64,
    /// How much the pupil is darkened, 0–100. Default 70.
    #[schemars(range(min = 0, max = 100))]
    pub strength: f64,
}

impl Default for RedEyeRemovalSettings {
    fn default() -> Self {
        Self {
            sensitivity: 50.0,
            strength: 70.0,
        }
    }
}

/// Fix red eyes on the first frame; returns (image, faces detected, eyes corrected).
pub fn red_eye_removal(
    mut image: Image,
    s: &RedEyeRemovalSettings,
) -> Result<(Image, usize, usize)> {
    let found = faces::detect(image.first(), 0.5)?;
    let had_alpha = image.first().color().has_alpha();
    let alpha = had_alpha.then(|| image.first().to_rgba8());
    let mut rgb = image.first().to_rgb8();
    let eyes = redeye::correct(&mut rgb, &found, s.sensitivity as f32, s.strength as f32);
    let out = match alpha {
        Some(a) => {
            let mut o = a;
            for (p, q) in o.pixels_mut().zip(rgb.pixels()) {
                p.0[..3].copy_from_slice(&q.0);
            }
            DynamicImage::ImageRgba8(o)
        }
        None => DynamicImage::ImageRgb8(rgb),
    };
    image.frames.truncate(1);
    image.frames[0].pixels = out;
    Ok((image, found.len(), eyes))
}

static META: ToolMeta = ToolMeta {
    id: "red-eye-removal",
    name: "Red-Eye Removal",
    description: "Find eyes (AI, YuNet) and remove the red flash reflection from the pupils.",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `red-eye-removal` tool.
pub struct RedEyeRemoval;

impl Tool for RedEyeRemoval {
    type Settings = RedEyeRemovalSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        ai::availability(faces::BUNDLE)
    }

    fn run(&self, s: &RedEyeRemovalSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let image = inputs.image(0)?;
        let (out, faces, eyes) = red_eye_removal(image, s)?;
        Output::image_with(out, &serde_json::json!({"facesDetected": faces, "eyesCorrected": eyes}))
    }
}
