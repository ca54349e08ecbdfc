//! THE list of tools. Adding a tool is one file in `tools/` and one line here; the pipeline,
//! server routes, OpenAPI document and the Python and Node bindings all read this list.

use crate::tool::DynTool;
use crate::tools;
use std::sync::LazyLock;

static TOOLS: LazyLock<Vec<Box<dyn DynTool>>> = LazyLock::new(|| {
    vec![
        Box::new(tools::resize::Resize),
        Box::new(tools::crop::Crop),
        Box::new(tools::rotate::Rotate),
        Box::new(tools::convert::Convert),
        Box::new(tools::compress::Compress),
        Box::new(tools::info::Info),
        Box::new(tools::split::Split),
        Box::new(tools::stitch::Stitch),
        Box::new(tools::qr_generate::QrGenerate),
        Box::new(tools::adjust_colors::AdjustColors),
        Box::new(tools::sharpening::Sharpening),
        Box::new(tools::replace_color::ReplaceColor),
        Box::new(tools::image_enhancement::ImageEnhancement),
        Box::new(tools::image_enhancement::ImageEnhancementAnalyze),
        Box::new(tools::border::Border),
        Box::new(tools::compose::Compose),
        Box::new(tools::compare::Compare),
        Box::new(tools::find_duplicates::FindDuplicates),
        Box::new(tools::color_palette::ColorPalette),
        Box::new(tools::trim::Trim),
    ]
});

/// Every registered tool, in catalogue order.
pub fn tools() -> impl Iterator<Item = &'static dyn DynTool> {
    TOOLS.iter().map(|t| t.as_ref())
}

/// The tool with this id.
pub fn get(id: &str) -> Option<&'static dyn DynTool> {
    tools().find(|t| t.meta().id == id)
}

/// The tool with this id, or an `unknown_tool` error.
pub fn require(id: &str) -> crate::Result<&'static dyn DynTool> {
    get(id).ok_or_else(|| {
        crate::Error::new(
            crate::ErrorKind::UnknownTool,
            format!("Tool \"{id}\" not found"),
        )
    })
}
