//! `compose`: draw an overlay image onto a base image with a blend mode and opacity.

use crate::error::{Error, Result};
use crate::image::Image;
use crate::ops::blend::{BlendMode, blend_onto};
use crate::ops::colour::{Checkpoint, Planes};
use crate::tool::{Caps, Category, Inputs, Output, SlotSpec, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};


/// Settings of [`Compose`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ComposeSettings {
    /// Left edge of the overlay on the base, in pixels (rounded).
    #[schemars(range(min = 0))]
    pub x: f64,
    /// Top edge of the overlay on the base, in pixels (rounded).
    #[schemars(range(min = 0))]
    pub y: f64,
    /// Overlay opacity in percent.
    #[schemars(range(min = 0, max = 100))]
    pub opacity: f64,
    /// How overlay colours combine with the base.
    pub blend_mode: BlendMode,
}

impl Default for ComposeSettings {
    fn default() -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            opacity: 100.0,
            blend_mode: BlendMode::Over,
        }
    }
}

/// Compose `overlay` (its first frame) onto every frame of `base`. The overlay must fit
/// inside the base (422 otherwise); parts pushed past the edge by x/y are clipped.
pub fn compose(
    base: Image,
    overlay: &Image,
    s: &ComposeSettings,
    cp: Checkpoint<'_>,
) -> Result<Image> {
    if overlay.width() > base.width() || overlay.height() > base.height() {
        return Err(Error::unprocessable(format!(
            "Overlay ({}x{}) is larger than the base image ({}x{})",
            overlay.width(),
            overlay.height(),
            base.width(),
            base.height()
        )));
    }
    let top = Planes::from_dynamic(overlay.first());
    let (x, y) = (s.x.round() as i64, s.y.round() as i64);
    let mode = s.blend_mode;
    let opacity = (s.opacity / 100.0) as f32;
    base.try_map_frames(|px| {
        let mut p = Planes::from_dynamic(px);
        blend_onto(&mut p, &top, x, y, mode, opacity, cp)?;
        Ok(p.into_dynamic())
    })
}

static META: ToolMeta = ToolMeta {
    id: "compose",
    name: "Compose",
    description: "Place an overlay image on a base image with a blend mode and opacity.",
    category: Category::Overlay,
    slots: &[
        SlotSpec {
            description: "The base image.",
            ..SlotSpec::IMAGE
        },
        SlotSpec::named_image("overlay", "The image drawn on top of the base."),
    ],
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `compose` tool.
pub struct Compose;

impl Tool for Compose {
    type Settings = ComposeSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &ComposeSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let base = inputs.image(0)?;
        let overlay = inputs.named_image("overlay")?;
        Ok(Output::Image(compose(
            base,
            &overlay,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}
