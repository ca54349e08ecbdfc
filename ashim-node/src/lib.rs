//! Node.js bindings of the ashim image toolkit: the native addon behind `@ashim/core`.
//!
//! The addon is small and generic: it runs any registered tool by id (off the JS thread
//! through an [`AsyncTask`], or synchronously), runs pipelines and exposes the catalogue.
//! `index.js` builds one camelCase function per tool from that catalogue at load time, so
//! a tool added to the core registry appears in Node without any change here.
//!
//! Core errors are returned as data ([`NativeOutput::error`]) and thrown by `index.js` as
//! `AshimError` (an `Error` with a stable `.code` and `.fields`).

use ashim_core::tool::SlotInputs;
use ashim_core::{Context, Error, Input, InputFile, Outcome, Pipeline, Result};
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;

/// One input image: `data` (bytes) or `path` (read off the JS thread), plus an optional
/// `name` used to name the output.
#[napi(object)]
pub struct NativeInput {
    /// Encoded image bytes.
    pub data: Option<Buffer>,
    /// Path of an image file.
    pub path: Option<String>,
    /// File name for the output name (defaults to the path's file name).
    pub name: Option<String>,
    /// Named slot this input fills (`watermark`, `mask`); unset for the positional slot.
    pub slot: Option<String>,
}

/// One problem with one setting.
#[napi(object)]
pub struct NativeFieldError {
    /// Dotted path of the setting (`width`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A core error, as data.
#[napi(object)]
pub struct NativeError {
    /// Stable machine code (`invalid_settings`, ...).
    pub code: String,
    /// The sentence for a person.
    pub message: String,
    /// Field-level details for settings errors.
    pub fields: Vec<NativeFieldError>,
}

/// One output file of a files-producing tool.
#[napi(object)]
pub struct NativeFile {
    /// File name.
    pub name: String,
    /// Content.
    pub data: Buffer,
    /// MIME type.
    pub mime_type: String,
}

/// A result: `kind` is `image`, `files`, `json` or `error`; the matching fields are set.
#[napi(object)]
pub struct NativeOutput {
    /// `image`, `files`, `json` or `error`.
    pub kind: String,
    /// Encoded image (kind `image`).
    pub data: Option<Buffer>,
    /// Image format name (`jpeg`, `png`, ...).
    pub format: Option<String>,
    /// Image width in pixels.
    pub width: Option<u32>,
    /// Image height in pixels.
    pub height: Option<u32>,
    /// Suggested file name.
    pub name: Option<String>,
    /// MIME type of the image.
    pub mime_type: Option<String>,
    /// Files (kind `files`).
    pub files: Option<Vec<NativeFile>>,
    /// JSON report as text (kind `json`).
    pub json: Option<String>,
    /// Extra envelope fields of an image output (`similarity`, ...) as JSON text.
    pub extra: Option<String>,
    /// The error (kind `error`).
    pub error: Option<NativeError>,
}

impl NativeOutput {
    fn empty(kind: &str) -> Self {
        Self {
            kind: kind.into(),
            data: None,
            format: None,
            width: None,
            height: None,
            name: None,
            mime_type: None,
            files: None,
            json: None,
            extra: None,
            error: None,
        }
    }

    fn from_result(result: Result<Outcome>) -> Self {
        match result {
            Ok(Outcome::Image {
                encoded,
                name,
                extra,
            }) => Self {
                extra: Some(Value::Object(extra).to_string()),
                format: Some(encoded.format.name().into()),
                mime_type: Some(encoded.format.mime_type().into()),
                width: Some(encoded.width),
                height: Some(encoded.height),
                name: Some(name),
                data: Some(encoded.data.into()),
                ..Self::empty("image")
            },
            Ok(Outcome::Bytes(file)) => Self {
                name: Some(file.name.clone()),
                mime_type: Some(file.mime_type.into()),
                data: Some(file.data.clone().into()),
                files: Some(vec![NativeFile {
                    name: file.name,
                    data: file.data.into(),
                    mime_type: file.mime_type.into(),
                }]),
                ..Self::empty("file")
            },
            Ok(Outcome::Files(files) | Outcome::FileSet(files)) => Self {
                files: Some(
                    files
                        .into_iter()
                        .map(|f| NativeFile {
                            name: f.name,
                            data: f.data.into(),
                            mime_type: f.mime_type.into(),
                        })
                        .collect(),
                ),
                ..Self::empty("files")
            },
            Ok(Outcome::Json(value)) => Self {
                json: Some(value.to_string()),
                ..Self::empty("json")
            },
            Err(e) => Self {
                error: Some(NativeError {
                    code: e.code().into(),
                    message: e.message().into(),
                    fields: e
                        .fields()
                        .iter()
                        .map(|f| NativeFieldError {
                            path: f.path.clone(),
                            message: f.message.clone(),
                        })
                        .collect(),
                }),
                ..Self::empty("error")
            },
        }
    }
}

/// An input copied out of JS memory, so it can cross to a worker thread.
enum Source {
    Bytes(Vec<u8>, Option<String>),
    Path(String, Option<String>),
}

impl Source {
    fn from_js(input: &NativeInput) -> Result<Self> {
        match (&input.data, &input.path) {
            (Some(data), _) => Ok(Source::Bytes(data.to_vec(), input.name.clone())),
            (None, Some(path)) => Ok(Source::Path(path.clone(), input.name.clone())),
            (None, None) => Err(Error::invalid_input("an input needs data or a path")),
        }
    }

    fn load(self) -> Result<InputFile> {
        match self {
            Source::Bytes(data, name) => Ok(InputFile::new(data, name)),
            Source::Path(path, name) => {
                let data = std::fs::read(&path)
                    .map_err(|e| Error::invalid_input(format!("cannot read {path}: {e}")))?;
                let name = name.or_else(|| {
                    std::path::Path::new(&path)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                });
                Ok(InputFile::new(data, name))
            }
        }
    }
}

fn parse_json(text: &str, what: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| Error::field("", format!("{what} are not valid JSON: {e}")))
}

/// A tool run, prepared on the JS thread and computed on the libuv pool.
pub struct RunTask {
    tool_id: String,
    sources: Option<Vec<(Option<String>, Source)>>,
    settings_json: String,
}

impl RunTask {
    fn new(tool_id: String, inputs: &[NativeInput], settings_json: String) -> Result<Self> {
        let sources = inputs
            .iter()
            .map(|i| Ok((i.slot.clone(), Source::from_js(i)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            tool_id,
            sources: Some(sources),
            settings_json,
        })
    }

    fn execute(&mut self) -> Result<Outcome> {
        let settings = parse_json(&self.settings_json, "settings")?;
        let mut slots = SlotInputs::default();
        for (slot, source) in self.sources.take().unwrap_or_default() {
            let input = Input::File(source.load()?);
            match slot {
                Some(name) => slots.named.push((name, input)),
                None => slots.positional.push(input),
            }
        }
        ashim_core::run_slots(&self.tool_id, slots, &settings, &Context::default())
    }
}

impl Task for RunTask {
    type Output = Result<Outcome>;
    type JsValue = NativeOutput;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.execute())
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(NativeOutput::from_result(output))
    }
}

/// A pipeline run, prepared on the JS thread and computed on the libuv pool.
pub struct PipelineTask {
    steps_json: String,
    source: Option<Source>,
}

impl PipelineTask {
    fn execute(&mut self) -> Result<Outcome> {
        let steps = parse_json(&self.steps_json, "pipeline steps")?;
        let pipeline = Pipeline::from_json(&steps, 0)?;
        let file = self
            .source
            .take()
            .ok_or_else(|| Error::internal("pipeline input already used"))?
            .load()?;
        pipeline.run(file, &Context::default())
    }
}

impl Task for PipelineTask {
    type Output = Result<Outcome>;
    type JsValue = NativeOutput;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.execute())
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(NativeOutput::from_result(output))
    }
}

fn invalid(e: Error) -> napi::Error {
    napi::Error::from_reason(format!("{}: {}", e.code(), e.message()))
}

/// Run a tool off the JS thread. Resolves to a [`NativeOutput`] (errors as data).
#[napi]
pub fn run(
    tool_id: String,
    inputs: Vec<NativeInput>,
    settings_json: String,
) -> napi::Result<AsyncTask<RunTask>> {
    Ok(AsyncTask::new(
        RunTask::new(tool_id, &inputs, settings_json).map_err(invalid)?,
    ))
}

/// Run a tool on the calling (JS) thread.
#[napi]
pub fn run_sync(
    tool_id: String,
    inputs: Vec<NativeInput>,
    settings_json: String,
) -> napi::Result<NativeOutput> {
    let mut task = RunTask::new(tool_id, &inputs, settings_json).map_err(invalid)?;
    Ok(NativeOutput::from_result(task.execute()))
}

/// Run a pipeline (JSON: a list of `{toolId, settings}` or `{"steps": [...]}`) off the
/// JS thread.
#[napi]
pub fn pipeline(steps_json: String, input: NativeInput) -> napi::Result<AsyncTask<PipelineTask>> {
    let source = Source::from_js(&input).map_err(invalid)?;
    Ok(AsyncTask::new(PipelineTask {
        steps_json,
        source: Some(source),
    }))
}

/// Run a pipeline on the calling (JS) thread.
#[napi]
pub fn pipeline_sync(steps_json: String, input: NativeInput) -> napi::Result<NativeOutput> {
    let source = Source::from_js(&input).map_err(invalid)?;
    Ok(NativeOutput::from_result(
        PipelineTask {
            steps_json,
            source: Some(source),
        }
        .execute(),
    ))
}

/// The catalogue of every registered tool (metadata, settings schema, availability) as JSON.
#[napi]
pub fn catalogue_json() -> String {
    serde_json::to_string(&ashim_core::schema::catalogue()).unwrap_or_else(|_| "[]".into())
}

/// Every stable error code.
#[napi]
pub fn error_codes() -> Vec<String> {
    ashim_core::ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_string())
        .collect()
}
