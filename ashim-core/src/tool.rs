//! The tool abstraction: typed settings + metadata + `run`, and the object-safe [`DynTool`]
//! that registries, pipelines and bindings use.

use crate::error::{Error, ErrorKind, Result};
use crate::image::Image;
use crate::io::{self, DecodeOptions, Header, Limits};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
}

/// How many images a tool takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Arity {
    /// No input image: the tool makes one from its settings.
    None,
    /// Exactly one image.
    One,
    /// At least `min` images.
    Many {
        /// Fewest images accepted.
        min: usize,
    },
}

/// What a tool produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum OutputKind {
    /// One image (encoded once, at the end of a pipeline).
    Image,
    /// Several named files (e.g. tiles), usually delivered as a ZIP.
    Files,
    /// A JSON report.
    Json,
}

/// Static facts about a tool.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ToolMeta {
    /// Stable id used in URLs and pipelines (`resize`, `qr-generate`).
    pub id: &'static str,
    /// Human name.
    pub name: &'static str,
    /// One-sentence description.
    pub description: &'static str,
    /// Catalogue group.
    pub category: Category,
    /// Inputs taken.
    pub inputs: Arity,
    /// Output produced.
    pub output: OutputKind,
}

impl ToolMeta {
    /// Whether the tool can be a pipeline step (one image in). Only the last step may
    /// produce files or JSON.
    pub fn pipeline_capable(&self) -> bool {
        self.inputs == Arity::One
    }
}

/// Whether a tool can run right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Availability {
    /// Ready to run.
    Ready,
    /// A model or native library is missing; the tool answers `model_not_installed`.
    ModelNotInstalled {
        /// What is missing and how to install it.
        hint: String,
    },
}

/// A typed tool. Implement this, add one line to the registry, and every front end
/// (pipeline, server, Python, Node, OpenAPI) picks it up.
pub trait Tool: Send + Sync + 'static {
    /// Typed settings; their JSON Schema is the wire contract.
    type Settings: DeserializeOwned + Serialize + JsonSchema + Send + Sync + 'static;

    /// Static metadata.
    fn meta(&self) -> &'static ToolMeta;

    /// Cross-field checks that a schema cannot express; errors name the field.
    fn validate(&self, _settings: &Self::Settings) -> Result<()> {
        Ok(())
    }

    /// Whether the tool can run now (model-backed tools override this).
    fn availability(&self) -> Availability {
        Availability::Ready
    }

    /// Do the work. Inputs decode lazily so a tool can ask for shrink-on-load.
    fn run(&self, settings: &Self::Settings, inputs: &mut Inputs<'_>) -> Result<Output>;
}

/// A tool's result before the final encode.
#[derive(Debug, Clone)]
pub enum Output {
    /// A decoded image; encoded once by the caller.
    Image(Image),
    /// Named files, already encoded.
    Files(Vec<OutputFile>),
    /// A JSON report.
    Json(Value),
}

/// A named, encoded output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name (no directories).
    pub name: String,
    /// Content.
    pub data: Vec<u8>,
    /// MIME type.
    pub mime_type: &'static str,
}

/// Progress report: fraction done 0–1 and a short stage name.
pub type ProgressFn = dyn Fn(f32, &str) + Send + Sync;

/// Per-run context: limits, instrumentation counters and an optional progress callback.
#[derive(Default)]
pub struct Context {
    /// Decode limits.
    pub limits: Limits,
    decodes: AtomicUsize,
    encodes: AtomicUsize,
    progress: Option<Arc<ProgressFn>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("limits", &self.limits)
            .field("decodes", &self.decodes())
            .field("encodes", &self.encodes())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// A context with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Attach a progress callback.
    pub fn on_progress(mut self, f: impl Fn(f32, &str) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Report progress (no-op without a callback).
    pub fn progress(&self, fraction: f32, stage: &str) {
        if let Some(p) = &self.progress {
            p(fraction.clamp(0.0, 1.0), stage);
        }
    }

    /// Images decoded through this context so far.
    pub fn decodes(&self) -> usize {
        self.decodes.load(Ordering::Relaxed)
    }

    /// Images encoded through this context so far.
    pub fn encodes(&self) -> usize {
        self.encodes.load(Ordering::Relaxed)
    }

    /// Decode, counting it.
    pub fn decode(
        &self,
        bytes: &[u8],
        name: Option<&str>,
        min_size: Option<(u32, u32)>,
    ) -> Result<Image> {
        self.decodes.fetch_add(1, Ordering::Relaxed);
        io::decode(
            bytes,
            name,
            &DecodeOptions {
                limits: self.limits,
                min_size,
            },
        )
    }

    /// Encode, counting it.
    pub fn encode(&self, image: &Image) -> Result<io::Encoded> {
        self.encodes.fetch_add(1, Ordering::Relaxed);
        io::encode(image)
    }

    /// Count an encode done by a tool itself (tiles, previews).
    pub fn count_encode(&self) {
        self.encodes.fetch_add(1, Ordering::Relaxed);
    }
}

/// An input file: bytes plus an optional name (the name never decides the format).
#[derive(Debug, Clone)]
pub struct InputFile {
    /// File content (cheap to clone; a `Vec<u8>` converts without copying).
    pub data: bytes::Bytes,
    /// Original file name, if known.
    pub name: Option<String>,
}

impl InputFile {
    /// An input from bytes and an optional name.
    pub fn new(data: impl Into<bytes::Bytes>, name: Option<String>) -> Self {
        Self {
            data: data.into(),
            name,
        }
    }
}

/// One input of a tool run: an encoded file (decoded lazily, so a tool can shrink on load)
/// or an image already in memory (e.g. pixels handed over by a binding).
#[derive(Debug, Clone)]
pub enum Input {
    /// Encoded bytes.
    File(InputFile),
    /// Decoded pixels.
    Image(Image),
}

impl From<InputFile> for Input {
    fn from(f: InputFile) -> Self {
        Self::File(f)
    }
}

impl From<Image> for Input {
    fn from(i: Image) -> Self {
        Self::Image(i)
    }
}

enum Slot {
    Encoded(InputFile),
    Decoded(Image),
    Taken,
}

/// The inputs of one tool run. Images are decoded on first use (once), so a tool can
/// read the header first and ask for a smaller decode.
pub struct Inputs<'c> {
    ctx: &'c Context,
    slots: Vec<Slot>,
}

impl<'c> Inputs<'c> {
    /// Inputs from files and/or decoded images; files are decoded lazily.
    pub fn new(ctx: &'c Context, inputs: impl IntoIterator<Item = Input>) -> Self {
        let slots = inputs
            .into_iter()
            .map(|i| match i {
                Input::File(f) => Slot::Encoded(f),
                Input::Image(img) => Slot::Decoded(img),
            })
            .collect();
        Self { ctx, slots }
    }

    /// Inputs from files, decoded lazily.
    pub fn from_files(ctx: &'c Context, files: Vec<InputFile>) -> Self {
        Self::new(ctx, files.into_iter().map(Input::File))
    }

    /// The run context.
    pub fn ctx(&self) -> &'c Context {
        self.ctx
    }

    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there are no inputs.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn slot(&self, i: usize) -> Result<&Slot> {
        self.slots
            .get(i)
            .ok_or_else(|| Error::invalid_input(format!("input {} is missing", i + 1)))
    }

    /// Name of input `i`, if known.
    pub fn name(&self, i: usize) -> Option<&str> {
        match self.slots.get(i)? {
            Slot::Encoded(f) => f.name.as_deref(),
            Slot::Decoded(img) => img.name.as_deref(),
            Slot::Taken => None,
        }
    }

    /// Header facts of input `i` (size after EXIF orientation via [`Header::oriented_size`]),
    /// without decoding.
    pub fn header(&self, i: usize) -> Result<Header> {
        match self.slot(i)? {
            Slot::Encoded(f) => io::probe(&f.data, f.name.as_deref()),
            Slot::Decoded(img) => Ok(Header {
                format: img.output_format(),
                width: img.width(),
                height: img.height(),
                orientation: 1,
            }),
            Slot::Taken => Err(Error::internal("input already taken")),
        }
    }

    /// The raw file of input `i`, when it has not been decoded yet.
    pub fn file(&self, i: usize) -> Option<&InputFile> {
        match self.slots.get(i)? {
            Slot::Encoded(f) => Some(f),
            _ => None,
        }
    }

    /// Take input `i` as a decoded image (decoding it at full size if needed).
    pub fn image(&mut self, i: usize) -> Result<Image> {
        self.image_at_least(i, None)
    }

    /// Take input `i`, decoded at no less than `min_size` (oriented). JPEGs may then be
    /// decoded at 1/2, 1/4 or 1/8 scale in the DCT domain.
    pub fn image_at_least(&mut self, i: usize, min_size: Option<(u32, u32)>) -> Result<Image> {
        self.slot(i)?;
        match std::mem::replace(&mut self.slots[i], Slot::Taken) {
            Slot::Encoded(f) => self.ctx.decode(&f.data, f.name.as_deref(), min_size),
            Slot::Decoded(img) => Ok(img),
            Slot::Taken => Err(Error::internal("input already taken")),
        }
    }

    /// Take every input as decoded images.
    pub fn all_images(&mut self) -> Result<Vec<Image>> {
        (0..self.len()).map(|i| self.image(i)).collect()
    }
}

/// Settings parsed and validated for one tool, ready to run many times.
pub struct PreparedSettings {
    value: Box<dyn Any + Send + Sync>,
    normalized: Value,
}

impl PreparedSettings {
    /// The settings with every default filled in, as JSON.
    pub fn normalized(&self) -> &Value {
        &self.normalized
    }
}

impl std::fmt::Debug for PreparedSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedSettings")
            .field("normalized", &self.normalized)
            .finish()
    }
}

/// Object-safe view of a [`Tool`]; every `Tool` is one through a blanket impl.
pub trait DynTool: Send + Sync {
    /// Static metadata.
    fn meta(&self) -> &'static ToolMeta;
    /// JSON Schema (draft 2020-12) of the settings.
    fn settings_schema(&self) -> Value;
    /// Whether the tool can run now.
    fn availability(&self) -> Availability;
    /// Parse and validate settings (errors name the field).
    fn prepare(&self, settings: &Value) -> Result<PreparedSettings>;
    /// Run with prepared settings. Checks the input count and availability first.
    fn run_prepared(&self, settings: &PreparedSettings, inputs: &mut Inputs<'_>) -> Result<Output>;
}

impl<T: Tool> DynTool for T {
    fn meta(&self) -> &'static ToolMeta {
        Tool::meta(self)
    }

    fn settings_schema(&self) -> Value {
        crate::settings::cached_schema::<T::Settings>()
            .as_ref()
            .clone()
    }

    fn availability(&self) -> Availability {
        Tool::availability(self)
    }

    fn prepare(&self, settings: &Value) -> Result<PreparedSettings> {
        let typed: T::Settings = crate::settings::parse(settings)?;
        self.validate(&typed)?;
        let normalized =
            serde_json::to_value(&typed).map_err(|e| Error::internal(e.to_string()))?;
        Ok(PreparedSettings {
            value: Box::new(typed),
            normalized,
        })
    }

    fn run_prepared(&self, settings: &PreparedSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        if let Availability::ModelNotInstalled { hint } = Tool::availability(self) {
            return Err(Error::new(ErrorKind::ModelNotInstalled, hint));
        }
        let meta = Tool::meta(self);
        let n = inputs.len();
        let ok = match meta.inputs {
            Arity::None => n == 0,
            Arity::One => n == 1,
            Arity::Many { min } => n >= min,
        };
        if !ok {
            let want = match meta.inputs {
                Arity::None => "no input image".to_string(),
                Arity::One => "exactly one image".to_string(),
                Arity::Many { min } => format!("at least {min} images"),
            };
            return Err(Error::invalid_input(format!(
                "{} takes {want}, got {n}",
                meta.id
            )));
        }
        let typed = settings
            .value
            .downcast_ref::<T::Settings>()
            .ok_or_else(|| Error::internal("settings prepared for another tool"))?;
        Tool::run(self, typed, inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Serialize, serde::Deserialize, JsonSchema)]
    struct NoSettings {}

    struct NeedsModel;

    static META: ToolMeta = ToolMeta {
        id: "needs-model",
        name: "Needs a model",
        description: "A model-backed tool whose model is absent.",
        category: Category::Analysis,
        inputs: Arity::One,
        output: OutputKind::Json,
    };

    impl Tool for NeedsModel {
        type Settings = NoSettings;

        fn meta(&self) -> &'static ToolMeta {
            &META
        }

        fn availability(&self) -> Availability {
            Availability::ModelNotInstalled {
                hint: "install u2net.onnx into ASHIM_MODELS_DIR".into(),
            }
        }

        fn run(&self, _: &NoSettings, _: &mut Inputs<'_>) -> Result<Output> {
            Ok(Output::Json(Value::Null))
        }
    }

    #[test]
    fn a_missing_model_is_a_state_and_a_typed_error() {
        let tool: &dyn DynTool = &NeedsModel;
        assert!(matches!(
            tool.availability(),
            Availability::ModelNotInstalled { .. }
        ));
        let prepared = tool.prepare(&Value::Null).unwrap();
        let ctx = Context::default();
        let mut inputs = Inputs::from_files(&ctx, vec![InputFile::new(vec![1u8], None)]);
        let e = tool.run_prepared(&prepared, &mut inputs).unwrap_err();
        assert_eq!(
            (e.kind(), e.kind().http_status()),
            (ErrorKind::ModelNotInstalled, 501)
        );
        assert!(e.message().contains("u2net"));
    }
}
