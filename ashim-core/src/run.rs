//! Running one tool end to end: decode lazily, run, encode once.

use crate::error::Result;
use crate::io::Encoded;
use crate::naming;
use crate::registry;
use crate::tool::{Context, Input, InputFile, Inputs, Output, OutputFile};
use serde_json::Value;

/// The finished result of a tool or pipeline.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// One encoded image and a suggested file name (`<input stem>.<format extension>`).
    Image {
        /// The encoded image.
        encoded: Encoded,
        /// Suggested file name.
        name: String,
    },
    /// Several files.
    Files(Vec<OutputFile>),
    /// A JSON report.
    Json(Value),
}

impl Outcome {
    /// Finish a tool output: encode an image output once.
    pub fn from_output(output: Output, ctx: &Context) -> Result<Self> {
        Ok(match output {
            Output::Image(img) => {
                let encoded = ctx.encode(&img)?;
                let name =
                    naming::with_extension(img.name.as_deref().unwrap_or("image"), encoded.format);
                Outcome::Image { encoded, name }
            }
            Output::Files(f) => Outcome::Files(f),
            Output::Json(v) => Outcome::Json(v),
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
/// let Outcome::Image { encoded, name } = out else { panic!() };
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
    let tool = registry::require(tool_id)?;
    let prepared = tool.prepare(settings)?;
    let mut inputs = Inputs::new(ctx, inputs);
    let output = tool.run_prepared(&prepared, &mut inputs)?;
    Outcome::from_output(output, ctx)
}
