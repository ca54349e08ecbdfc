//! Running one tool end to end: decode lazily, run, encode once.

use crate::error::Result;
use crate::io::Encoded;
use crate::naming;
use crate::registry;
use crate::tool::{Context, Input, InputFile, Inputs, Output, OutputFile, SlotInputs};
use serde_json::{Map, Value};

/// The finished result of a tool or pipeline.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// One encoded image and a suggested file name (`<input stem>.<format extension>`).
    Image {
        /// The encoded image.
        encoded: Encoded,
        /// Suggested file name.
        name: String,
        /// Extra envelope fields the tool reported (`similarity`, ...); usually empty.
        extra: Map<String, Value>,
    },
    /// Several files, delivered as a ZIP.
    Files(Vec<OutputFile>),
    /// Several files, stored one by one and listed with a ZIP link.
    FileSet(Vec<OutputFile>),
    /// A JSON report.
    Json(Value),
    /// Raw bytes with their MIME type.
    Bytes(OutputFile),
}

impl Outcome {
    /// Finish a tool output: encode an image output once.
    pub fn from_output(output: Output, ctx: &Context) -> Result<Self> {
        Ok(match output {
            Output::Image(img) => Self::image(img, Map::new(), ctx)?,
            Output::ImageWith(img, extra) => Self::image(img, extra, ctx)?,
            Output::Files(f) => Outcome::Files(f),
            Output::FileSet(f) => Outcome::FileSet(f),
            Output::Json(v) => Outcome::Json(v),
            Output::Bytes(b) => Outcome::Bytes(b),
        })
    }
}

impl Outcome {
    fn image(img: crate::image::Image, extra: Map<String, Value>, ctx: &Context) -> Result<Self> {
        let encoded = ctx.encode(&img)?;
        let name = naming::with_extension(img.name.as_deref().unwrap_or("image"), encoded.format);
        Ok(Outcome::Image {
            encoded,
            name,
            extra,
        })
    }
}

/// Run the tool `tool_id` on `inputs` with JSON `settings` (`{}` or `null` for defaults).
///
/// ```
/// use ashim_core::{Context, InputFile, Outcome, run};
/// let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/test-200x150.png")).unwrap();
/// let out = run("resize", vec![InputFile::new(png, Some("photo.png".into()))],
///               &serde_json::json!({"width": 100}), &Context::default()).unwrap();
/// let Outcome::Image { encoded, name, .. } = out else { panic!() };
/// assert_eq!((encoded.width, encoded.height, name.as_str()), (100, 75, "photo.png"));
/// ```
pub fn run(
    tool_id: &str,
    inputs: Vec<InputFile>,
    settings: &Value,
    ctx: &Context,
) -> Result<Outcome> {
    run_inputs(
        tool_id,
        inputs.into_iter().map(Input::File).collect(),
        settings,
        ctx,
    )
}

/// [`run`] on any mix of files and images already in memory (which are not decoded again).
pub fn run_inputs(
    tool_id: &str,
    inputs: Vec<Input>,
    settings: &Value,
    ctx: &Context,
) -> Result<Outcome> {
    run_slots(tool_id, SlotInputs::positional(inputs), settings, ctx)
}

/// [`run_inputs`] with inputs for named slots too (`watermark`, `mask`, ...).
///
/// ```
/// use ashim_core::tool::{Input, SlotInputs};
/// use ashim_core::{Context, InputFile, Outcome, run_slots};
/// let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/test-200x150.png")).unwrap();
/// let logo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/test-50x50.webp")).unwrap();
/// let slots = SlotInputs {
///     positional: vec![Input::File(InputFile::new(png, None))],
///     named: vec![("watermark".into(), Input::File(InputFile::new(logo, None)))],
/// };
/// let out = run_slots("watermark-image", slots, &serde_json::json!({}), &Context::default()).unwrap();
/// let Outcome::Image { encoded, .. } = out else { panic!() };
/// assert_eq!((encoded.width, encoded.height), (200, 150));
/// ```
pub fn run_slots(
    tool_id: &str,
    inputs: SlotInputs,
    settings: &Value,
    ctx: &Context,
) -> Result<Outcome> {
    let tool = registry::require(tool_id)?;
    let prepared = tool.prepare(settings)?;
    let mut inputs = Inputs::from_slots(ctx, inputs);
    let output = tool.run_prepared(&prepared, &mut inputs)?;
    Outcome::from_output(output, ctx)
}
