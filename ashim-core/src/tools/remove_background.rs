//! `remove-background`: the subject cut out with U²-Net-p (tools-creative-ai §12); the
//! contract's model names all map onto u2netp, the model that ships in a registry package.
//! Effect settings (colour, gradient, blur, image backgrounds, shadow) apply in pipelines.

use crate::ai::{self, effects::Effects, rembg};
use crate::error::{Error, Result};
use crate::naming::stem;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::tool::{
    Availability, Caps, Category, Inputs, Output, SlotSpec, SubRoute, Tool, ToolMeta,
};
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
        let mut out = remove_background(image, &s.effects)?;
        ctx.progress(0.95, "done");
        // The cut-out is `<stem>_mask.png` (contract §12); `/effects` takes that name back.
        let base = out.name.as_deref().map(stem).unwrap_or("image").to_string();
        let name = format!("{base}_mask.png");
        out.name = Some(name.clone());
        Output::image_with(
            out,
            &serde_json::json!({"model": rembg::MODEL, "filename": name}),
        )
    }
}

/// Settings of [`RemoveBackgroundEffects`]: the earlier job's cut-out and the effects.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectsSettings {
    /// The remove-background job whose cut-out gets the effects.
    pub job_id: String,
    /// The cut-out's file name in that job (its result's `filename`).
    pub filename: String,
    /// The effects.
    #[serde(flatten)]
    pub effects: Effects,
}

static EFFECTS_META: ToolMeta = ToolMeta {
    id: "remove-background/effects",
    name: "Background Effects",
    description: "Put a colour, gradient, blurred or image background and a shadow under an earlier cut-out.",
    category: Category::Ai,
    slots: &[
        SlotSpec::IMAGE,
        SlotSpec {
            min: 0,
            ..SlotSpec::named_image("backgroundImage", "Image for backgroundType `image`.")
        },
    ],
    caps: Caps {
        from_job: true,
        ..Caps::NONE
    },
    route: Some(SubRoute {
        parent: "remove-background",
        path: "effects",
    }),
    ..ToolMeta::ONE_IMAGE
};

/// `remove-background/effects`: effects on the cut-out of an earlier remove-background job
/// (not gated: no model runs). Writes `<stem>_nobg.png`.
pub struct RemoveBackgroundEffects;

impl Tool for RemoveBackgroundEffects {
    type Settings = EffectsSettings;

    fn meta(&self) -> &'static ToolMeta {
        &EFFECTS_META
    }

    fn validate(&self, s: &EffectsSettings) -> Result<()> {
        if s.job_id.trim().is_empty() {
            return Err(Error::field("jobId", "must not be empty"));
        }
        if s.filename.trim().is_empty() {
            return Err(Error::field("filename", "must not be empty"));
        }
        s.effects.validate()
    }

    fn run(&self, s: &EffectsSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let cut = inputs.image(0)?;
        let background = if inputs.has_named("backgroundImage") {
            Some(inputs.named_image("backgroundImage")?)
        } else {
            None
        };
        let cutout = cut.first().to_rgba8();
        let mut original = cutout.clone();
        for p in original.pixels_mut() {
            p.0[3] = 255;
        }
        let out = ai::effects::apply(
            &cutout,
            &DynamicImage::ImageRgba8(original),
            &s.effects,
            background.as_ref().map(|b| b.first()),
        )?;
        let base = stem(&s.filename).trim_end_matches("_mask").to_string();
        let mut img = Image::from_dynamic(DynamicImage::ImageRgba8(out));
        img.name = Some(format!("{base}_nobg.png"));
        img.encode = Some(EncodeSpec::new(ImageFormat::Png));
        Ok(Output::Image(img))
    }
}
