//! Static facts about a tool: its input slots, capabilities, output kind and route.

use crate::format::ImageFormat;
use schemars::JsonSchema;
use serde::Serialize;

/// Groups used to organise the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Category {
    /// Resize, crop, rotate.
    Geometry,
    /// Format conversion and compression.
    Format,
    /// Several images into one, or one into several.
    Layout,
    /// Read-only reports about images.
    Analysis,
    /// Images made from data (QR codes, ...).
    Generate,
    /// Colour, tone, sharpness and blur.
    Adjust,
    /// Watermarks, text, borders and compositing.
    Overlay,
    /// EXIF, ICC, XMP and IPTC.
    Metadata,
    /// Model-backed tools.
    Ai,
    /// Files of any kind (renaming, encoding).
    Utility,
}

/// What a slot accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "kind", content = "formats")]
pub enum Accepts {
    /// Any image format this build reads.
    Image,
    /// Only these formats (e.g. SVG, PDF).
    Formats(&'static [ImageFormat]),
    /// Any file at all; nothing is decoded.
    AnyFile,
}

/// One input slot of a tool.
///
/// A *positional* slot takes every file part that is not named after a named slot, in order,
/// whatever its part name (`file`, `files`, ...). A *named* slot takes the part of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotSpec {
    /// Part name of a named slot; `file` for the positional slot.
    pub name: &'static str,
    /// Whether the slot is filled by a part of its own name.
    pub named: bool,
    /// Fewest files; 0 makes the slot optional.
    pub min: u32,
    /// Most files; `None` is unbounded.
    pub max: Option<u32>,
    /// What it accepts.
    pub accepts: Accepts,
    /// One sentence for catalogues and binding docs.
    pub description: &'static str,
}

impl SlotSpec {
    /// Exactly one image, positional.
    pub const IMAGE: SlotSpec = SlotSpec {
        name: "file",
        named: false,
        min: 1,
        max: Some(1),
        accepts: Accepts::Image,
        description: "The image to process.",
    };

    /// `min` or more images, positional.
    pub const fn images(min: u32, description: &'static str) -> SlotSpec {
        SlotSpec {
            name: "file",
            named: false,
            min,
            max: None,
            accepts: Accepts::Image,
            description,
        }
    }

    /// One required image in a part called `name`.
    pub const fn named_image(name: &'static str, description: &'static str) -> SlotSpec {
        SlotSpec {
            name,
            named: true,
            min: 1,
            max: Some(1),
            accepts: Accepts::Image,
            description,
        }
    }

    /// Whether `n` files fit this slot.
    pub fn admits(&self, n: usize) -> bool {
        n >= self.min as usize && self.max.is_none_or(|m| n <= m as usize)
    }
}

/// What a tool can be used for, as the contract lists it per tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Caps {
    /// It can be a pipeline step (one image in; only the last step may return non-images).
    pub pipeline: bool,
    /// It runs through `/api/v1/tools/{id}/batch`, one file at a time.
    pub batch: bool,
    /// Its request may be a JSON body instead of a multipart form (no input files).
    pub json_body: bool,
    /// It has a batch route of its own, served by the tool itself.
    pub own_batch: bool,
    /// Its positional input may be a file of an earlier job's result (`jobId` + `filename`).
    pub from_job: bool,
}

impl Caps {
    /// Pipeline step and `/batch`.
    pub const STANDARD: Caps = Caps {
        pipeline: true,
        batch: true,
        json_body: false,
        own_batch: false,
        from_job: false,
    };
    /// Only its own route.
    pub const NONE: Caps = Caps {
        pipeline: false,
        batch: false,
        json_body: false,
        own_batch: false,
        from_job: false,
    };
}

/// A sub-route of another tool (`strip-metadata/inspect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubRoute {
    /// Id of the tool this route belongs to.
    pub parent: &'static str,
    /// Last path segment (`inspect`, `info`, `preview`, `analyze`, `effects`, `generate`).
    pub path: &'static str,
}

/// What a tool produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum OutputKind {
    /// One image (encoded once, at the end of a pipeline), possibly with extra envelope fields.
    Image,
    /// Several named files, delivered as a ZIP.
    Files,
    /// A typed JSON report.
    Json,
    /// Raw bytes with their MIME type, sent as the body (a preview).
    Bytes,
    /// Several files stored as results, listed with their URLs plus a ZIP link.
    FileSet,
}

/// Static facts about a tool.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ToolMeta {
    /// Stable id used in URLs and pipelines (`resize`, `qr-generate`); a sub-route's id is
    /// `<parent>/<path>`.
    pub id: &'static str,
    /// Human name.
    pub name: &'static str,
    /// One-sentence description.
    pub description: &'static str,
    /// Catalogue group.
    pub category: Category,
    /// Input slots: at most one positional slot, any number of named ones.
    pub slots: &'static [SlotSpec],
    /// Output produced.
    pub output: OutputKind,
    /// Declared capabilities.
    pub caps: Caps,
    /// Set when this entry is a sub-route of another tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<SubRoute>,
    /// Other ids served by the same implementation and settings.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub aliases: &'static [&'static str],
    /// Settings a multipart request may send as form fields of their own (`format`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub form_fields: &'static [&'static str],
}

impl ToolMeta {
    /// The common shape: one image in, an image out, a pipeline step and a batch tool.
    /// Start a tool's `META` from it with `..ToolMeta::ONE_IMAGE`.
    pub const ONE_IMAGE: ToolMeta = ToolMeta {
        id: "",
        name: "",
        description: "",
        category: Category::Geometry,
        slots: &[SlotSpec::IMAGE],
        output: OutputKind::Image,
        caps: Caps::STANDARD,
        route: None,
        aliases: &[],
        form_fields: &[],
    };

    /// Whether the tool can be a pipeline step.
    pub fn pipeline_capable(&self) -> bool {
        self.caps.pipeline
    }

    /// The positional slot, if the tool has one.
    pub fn positional(&self) -> Option<&'static SlotSpec> {
        self.slots.iter().find(|s| !s.named)
    }

    /// The named slots.
    pub fn named_slots(&self) -> impl Iterator<Item = &'static SlotSpec> {
        self.slots.iter().filter(|s| s.named)
    }

    /// Whether the tool takes no input file at all.
    pub fn takes_no_files(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether the positional slot takes exactly one file (the shape `/batch` fans out).
    pub fn one_file(&self) -> bool {
        self.positional().is_some_and(|s| s.max == Some(1))
    }

    /// The id this entry is known by everywhere, also when reached through an alias.
    pub fn answers_to(&self, id: &str) -> bool {
        self.id == id || self.aliases.contains(&id)
    }
}
