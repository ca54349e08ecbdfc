//! The tool catalogue: metadata plus settings schema for every registered tool.

use crate::registry;
use crate::tool::{Availability, ToolMeta};
use serde::Serialize;
use serde_json::Value;

/// One catalogue entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    /// Static metadata.
    #[serde(flatten)]
    pub meta: ToolMeta,
    /// JSON Schema of the settings.
    pub settings_schema: Value,
    /// JSON Schema of the report (JSON tools) or of the extra envelope fields, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_schema: Option<Value>,
    /// Whether it can run now.
    pub availability: Availability,
}

/// The catalogue, in registry order.
pub fn catalogue() -> Vec<ToolInfo> {
    registry::tools()
        .map(|t| ToolInfo {
            meta: *t.meta(),
            settings_schema: t.settings_schema(),
            report_schema: t.report_schema(),
            availability: t.availability(),
        })
        .collect()
}
