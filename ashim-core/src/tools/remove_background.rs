//! `remove-background`: the subject cut out with U²-Net-p (tools-creative-ai §12); the
//! contract's model names all map onto u2netp, the model that ships in a registry package.
//! Effect settings (colour, gradient, blur, image backgrounds, shadow) apply in pipelines.

use crate::ai::{self, effects::Effects, rembg};
use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`RemoveBackground`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct RemoveBackgroundSettings {
    /// Requested model (u2net, isnet-general-use, birefnet-*, ...). Every value runs
    /// u2netp, the installed model; the result reports `model: "u2netp"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Background effects (used by the pipeline form and `/effects`).
    #[serde(flatten)]
    pub effects: Effects,
}

/// Cut the subject out of `image` (first frame) and apply `effects`; always PNG.
pub fn remove_background(image: Image, effects: &Effects) -> Result<Image> {
    let px = image.first();
    let mask = rembg::mask(px)?;
    let cut = rembg::cut_out(px, &mask);
    let out = if effects.is_noop() {
        cut
    } else {
        ai::effects::apply(&cut, px, effects, None)?
    };
    let mut img = Image::from_dynamic(DynamicImage::ImageRgba8(out));
    img.metadata = image.metadata;
    img.name = image.name;
    img.source_format = image.source_format;
    img.encode = Some(EncodeSpec::new(ImageFormat::Png));
    Ok(img)
}

static META: ToolMeta = ToolMeta {
    id: "remove-background",
    name: "Remove Background",
    description: "Cut the subject out of a photo (AI, U²-Net-p); transparent PNG or a new background.",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `remove-background` tool.
pub struct RemoveBackground;

impl Tool for RemoveBackground {
    type Settings = RemoveBackgroundSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &RemoveBackgroundSettings) -> Result<()> {
        s.effects.validate()
    }

    fn availability(&self) -> Availability {
        ai::availability(rembg::BUNDLE)
    }

    fn run(&self, s: &RemoveBackgroundSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let image = inputs.image(0)?;
        ctx.progress(0.1, "segmenting");
        let out = remove_background(image, &s.effects)?;
        ctx.progress(0.95, "done");
        Output::image_with(out, &serde_json::json!({"model": rembg::MODEL}))
    }
}
