//! `blur`: Gaussian blur by `sigma`, on every frame, at the image's own depth (as sharp's
//! `blur` and libvips' `gaussblur`; beyond the contract).

use crate::error::Result;
use crate::image::Image;
use crate::ops;
use crate::tool::{Category, Context, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`Blur`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct BlurSettings {
    /// Standard deviation of the Gaussian in pixels, 0.3–1000. Default 2.
    #[schemars(range(min = 0.3, max = 1000.0))]
    pub sigma: f32,
}

impl Default for BlurSettings {
    fn default() -> Self {
        Self { sigma: 2.0 }
    }
}

/// Blur every frame of `image` with a Gaussian of `settings.sigma`.
pub fn blur(image: Image, settings: &BlurSettings, ctx: &Context) -> Result<Image> {
    let frames = image.frames.len();
    let mut done = 0usize;
    image.try_map_frames(|px| {
        let out = ops::gaussian_blur(px, settings.sigma, ctx);
        done += 1;
        ctx.progress(done as f32 / frames as f32, "blur");
        out
    })
}

static META: ToolMeta = ToolMeta {
    id: "blur",
    name: "Blur",
    description: "Gaussian blur by sigma, keeping every frame and the bit depth.",
    category: Category::Adjust,
    ..ToolMeta::ONE_IMAGE
};

/// The `blur` tool.
pub struct Blur;

impl Tool for Blur {
    type Settings = BlurSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &BlurSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        Ok(Output::Image(blur(inputs.image(0)?, settings, ctx)?))
    }
}
