//! Pipelines: every step validated before any pixel work, one decode, images passed between
//! steps in memory, one encode at the end.

use crate::error::{Error, Result};
use crate::registry;
use crate::run::Outcome;
use crate::tool::{
    Context, DynTool, Input, InputFile, Inputs, Output, OutputKind, PreparedSettings,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One step as written on the wire: `{"toolId": "resize", "settings": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Registry id of the tool.
    pub tool_id: String,
    /// The tool's settings (default `{}`).
    #[serde(default = "empty_object")]
    pub settings: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// A pipeline definition: `{"steps": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PipelineDef {
    /// Steps, run in order.
    pub steps: Vec<Step>,
}

/// A validated pipeline, ready to run on many inputs.
pub struct Pipeline {
    steps: Vec<(&'static dyn DynTool, PreparedSettings)>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.steps
                    .iter()
                    .map(|(t, s)| (t.meta().id, s.normalized())),
            )
            .finish()
    }
}

impl Pipeline {
    /// Validate every step: the tool exists, is a pipeline step, only the last step returns
    /// files or JSON, and the settings parse. `max_steps` 0 means unlimited.
    /// Errors read `Step <n> (<toolId>): <problem>`.
    pub fn new(def: &PipelineDef, max_steps: usize) -> Result<Self> {
        if def.steps.is_empty() {
            return Err(Error::invalid_input("A pipeline needs at least one step"));
        }
        if max_steps > 0 && def.steps.len() > max_steps {
            return Err(Error::new(
                crate::ErrorKind::LimitExceeded,
                format!(
                    "Pipeline has {} steps; the limit is {max_steps}",
                    def.steps.len()
                ),
            ));
        }
        let last = def.steps.len() - 1;
        let mut steps = Vec::with_capacity(def.steps.len());
        for (i, step) in def.steps.iter().enumerate() {
            let label = format!("Step {} ({})", i + 1, step.tool_id);
            let tool = registry::get(&step.tool_id).ok_or_else(|| {
                Error::invalid_input(format!("{label}: Tool not found or not available"))
            })?;
            let meta = tool.meta();
            if !meta.caps.pipeline {
                return Err(Error::invalid_input(format!(
                    "{label}: this tool cannot be a pipeline step"
                )));
            }
            if i < last && meta.output != OutputKind::Image {
                return Err(Error::invalid_input(format!(
                    "{label}: only the last step may produce files or JSON"
                )));
            }
            let prepared = tool
                .prepare(&step.settings)
                .map_err(|e| e.context(&label))?;
            steps.push((tool, prepared));
        }
        Ok(Self { steps })
    }

    /// Parse a JSON definition (`{"steps": [...]}`, or the bare list of steps) and validate it.
    pub fn from_json(def: &Value, max_steps: usize) -> Result<Self> {
        let wrapped;
        let def = if def.is_array() {
            wrapped = serde_json::json!({ "steps": def });
            &wrapped
        } else {
            def
        };
        let def: PipelineDef = serde_path_to_error::deserialize(def)
            .map_err(|e| Error::field(e.path().to_string(), e.into_inner().to_string()))?;
        Self::new(&def, max_steps)
    }

    /// The steps' settings with defaults filled in.
    pub fn normalized_steps(&self) -> Vec<Step> {
        self.steps
            .iter()
            .map(|(t, s)| Step {
                tool_id: t.meta().id.to_string(),
                settings: s.normalized().clone(),
            })
            .collect()
    }

    /// Run on one input: decoded once (lazily, so the first step can shrink on load),
    /// passed between steps in memory, encoded once.
    pub fn run(&self, input: InputFile, ctx: &Context) -> Result<Outcome> {
        self.run_input(Input::File(input), ctx)
    }

    /// [`Pipeline::run`] on a file or on an image already in memory (not decoded again).
    pub fn run_input(&self, input: Input, ctx: &Context) -> Result<Outcome> {
        let total = self.steps.len();
        let mut inputs = Inputs::new(ctx, [input]);
        for (i, (tool, settings)) in self.steps.iter().enumerate() {
            let label = format!("Step {} ({})", i + 1, tool.meta().id);
            ctx.progress(i as f32 / total as f32, &label);
            ctx.checkpoint()?;
            let output = tool
                .run_prepared(settings, &mut inputs)
                .map_err(|e| e.context(&label))?;
            match output {
                Output::Image(img) | Output::ImageWith(img, _) if i + 1 < total => {
                    inputs = Inputs::new(ctx, [Input::Image(img)])
                }
                other => {
                    let out = Outcome::from_output(other, ctx)?;
                    ctx.progress(1.0, "done");
                    return Ok(out);
                }
            }
        }
        Err(Error::internal("pipeline ended without output"))
    }
}
