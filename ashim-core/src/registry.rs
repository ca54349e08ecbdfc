//! THE list of tools, built from the `tools!` declaration in [`crate::tools`]. The pipeline,
//! server routes, OpenAPI document, CLI and the Python and Node bindings all read it.

use crate::tool::DynTool;
use std::sync::LazyLock;

static TOOLS: LazyLock<Vec<Box<dyn DynTool>>> = LazyLock::new(crate::tools::all);

/// Every registered tool (sub-routes included), in catalogue order.
pub fn tools() -> impl Iterator<Item = &'static dyn DynTool> {
    TOOLS.iter().map(|t| t.as_ref())
}

/// The tool with this id or alias (`strip-metadata/inspect` for a sub-route).
pub fn get(id: &str) -> Option<&'static dyn DynTool> {
    tools().find(|t| t.meta().answers_to(id))
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

/// The sub-routes of tool `parent`.
pub fn sub_routes(parent: &str) -> impl Iterator<Item = &'static dyn DynTool> {
    tools().filter(move |t| t.meta().route.is_some_and(|r| r.parent == parent))
}
