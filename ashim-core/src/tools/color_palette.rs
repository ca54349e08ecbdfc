//! `color-palette`: up to eight dominant colours as `#rrggbb`.

use crate::error::Result;
use crate::ops::palette::{dominant_colours, hex};
use crate::tool::{Caps, Category, Inputs, Output, OutputKind, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `color-palette` has no settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ColorPaletteSettings {}

/// The report of [`ColorPalette`].
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaletteReport {
    /// Name of the input file.
    pub filename: String,
    /// Dominant colours, most frequent first, `#rrggbb` lower case.
    pub colors: Vec<String>,
    /// Number of colours.
    pub count: usize,
}

/// The palette report of one image.
pub fn color_palette(img: &image::DynamicImage, filename: &str) -> Result<PaletteReport> {
    let colors: Vec<String> = dominant_colours(img, 8)?.into_iter().map(hex).collect();
    Ok(PaletteReport {
        filename: filename.to_string(),
        count: colors.len(),
        colors,
    })
}

static META: ToolMeta = ToolMeta {
    id: "color-palette",
    name: "Color palette",
    description: "Extract up to eight dominant colours of an image.",
    category: Category::Analysis,
    output: OutputKind::Json,
    caps: Caps::NONE,
    ..ToolMeta::ONE_IMAGE
};

/// The `color-palette` tool.
pub struct ColorPalette;

impl Tool for ColorPalette {
    type Settings = ColorPaletteSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<PaletteReport>())
    }

    fn run(&self, _: &ColorPaletteSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let name = inputs.name(0).unwrap_or("image").to_string();
        let image = inputs.image(0)?;
        Output::report(&color_palette(image.first(), &name)?)
    }
}
