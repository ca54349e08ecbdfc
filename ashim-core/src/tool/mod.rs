//! The tool abstraction: typed settings + metadata + `run`, and the object-safe [`DynTool`]
//! that registries, pipelines and bindings use.

mod context;
mod inputs;
mod meta;
mod output;

pub use context::{CancelToken, Context, Env, ProgressFn};
pub use inputs::{Input, InputFile, Inputs, SlotError, SlotInputs, check_slots};
pub use meta::{Accepts, Caps, Category, OutputKind, SlotSpec, SubRoute, ToolMeta};
pub use output::{Output, OutputFile};

use crate::error::{Error, ErrorKind, Result};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::any::Any;

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

    /// JSON Schema of the report, for tools whose output is [`OutputKind::Json`] (and of the
    /// extra envelope fields of an image tool that adds some): `Some(report_schema::<R>())`.
    fn report_schema(&self) -> Option<Value> {
        None
    }

    /// Do the work. Inputs decode lazily so a tool can ask for shrink-on-load.
    fn run(&self, settings: &Self::Settings, inputs: &mut Inputs<'_>) -> Result<Output>;
}

/// The JSON Schema of a report type, generated once per type.
pub fn report_schema<T: JsonSchema + 'static>() -> Value {
    crate::settings::cached_schema::<T>().as_ref().clone()
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
    /// JSON Schema of the report or of the extra envelope fields, if any.
    fn report_schema(&self) -> Option<Value>;
    /// Parse and validate settings (errors name the field).
    fn prepare(&self, settings: &Value) -> Result<PreparedSettings>;
    /// Run with prepared settings. Checks availability and the inputs against the slots first.
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

    fn report_schema(&self) -> Option<Value> {
        Tool::report_schema(self)
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
        // The run's model store (`Env::models_dir`) applies to the check and the run.
        let env = inputs.ctx().env.clone();
        crate::ai::store::scoped(env.models_dir.as_deref(), || {
            if let Availability::ModelNotInstalled { hint } = Tool::availability(self) {
                return Err(Error::new(ErrorKind::ModelNotInstalled, hint));
            }
            check_slots(Tool::meta(self), inputs)?;
            let typed = settings
                .value
                .downcast_ref::<T::Settings>()
                .ok_or_else(|| Error::internal("settings prepared for another tool"))?;
            Tool::run(self, typed, inputs)
        })
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
        output: OutputKind::Json,
        ..ToolMeta::ONE_IMAGE
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
