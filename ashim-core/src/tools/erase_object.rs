//! `erase-object`: the region painted white in the `mask` image is filled from its
//! surroundings by classical inpainting (Telea fast marching, feathered paste;
//! tools-creative-ai §14). No model is needed, so the tool is never gated.

use crate::ai::inpaint;
use crate::error::Result;
use crate::image::Image;
use crate::tool::{Caps, Category, Inputs, Output, SlotSpec, Tool, ToolMeta};
use image::{DynamicImage, GrayImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`EraseObject`] (the contract's form fields are taken as settings).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct EraseObjectSettings {}

/// The mask as a binary image of `w`×`h` (resized nearest-neighbour when its size differs).
pub fn prepare_mask(mask: &DynamicImage, w: u32, h: u32) -> GrayImage {
    let g = mask.to_luma8();
    if g.dimensions() == (w, h) {
        g
    } else {
        image::imageops::resize(&g, w, h, image::imageops::FilterType::Nearest)
    }
}

/// Erase the masked region of the first frame (alpha dropped); an empty mask changes nothing.
pub fn erase_object(mut image: Image, mask: &DynamicImage) -> Result<Image> {
    let px = image.first();
    let m = prepare_mask(mask, px.width(), px.height());
    if !m.pixels().any(|p| p.0[0] > 127) {
        // Nothing painted: nothing to erase.
        image.frames.truncate(1);
        return Ok(image);
    }
    let out = inpaint::erase(&px.to_rgb8(), &m);
    image.frames.truncate(1);
    image.frames[0].pixels = DynamicImage::ImageRgb8(out);
    Ok(image)
}

static META: ToolMeta = ToolMeta {
    id: "erase-object",
    name: "Erase Object",
    description: "Remove the object painted in a mask and fill the hole from its surroundings.",
    category: Category::Ai,
    slots: &[
        SlotSpec {
            description: "The photo.",
            ..SlotSpec::IMAGE
        },
        SlotSpec::named_image("mask", "White (> 127) where the object to erase is, black elsewhere."),
    ],
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `erase-object` tool: input 1 is the image, input 2 the mask.
pub struct EraseObject;

impl Tool for EraseObject {
    type Settings = EraseObjectSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, _: &EraseObjectSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let image = inputs.image(0)?;
        let mask = inputs.named_image("mask")?;
        Ok(Output::Image(erase_object(image, mask.first())?))
    }
}
