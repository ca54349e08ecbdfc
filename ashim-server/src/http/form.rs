//! THE multipart form extractor: every route that takes files (tools, batches, pipelines,
//! the workspace, the library, the logo) reads its body through [`Form`], with the upload
//! limits (413 over `MAX_UPLOAD_SIZE_MB`) and one rule for what a file part is. The tool
//! routes sort the parts into the tool's slots with [`Form::slots`], the core's
//! [`SlotInputs::assign`].

use crate::error::{ApiError, ApiResult, Code};
use crate::state::Shared;
use crate::util::{sanitize_filename, valid_client_job_id};
use ashim_core::InputFile;
use ashim_core::tool::{Input, SlotInputs, ToolMeta};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Name of the form part (`file`, `watermark`, ...), which decides its slot.
    pub part: String,
    /// Sanitised file name (`upload` when the part had none).
    pub name: String,
    /// Bytes as received.
    pub data: Vec<u8>,
}

impl Upload {
    /// The upload as a tool input.
    pub fn input(&self) -> Input {
        Input::File(InputFile::new(self.data.clone(), Some(self.name.clone())))
    }

    /// The upload as a core input file.
    pub fn file(&self) -> InputFile {
        InputFile::new(self.data.clone(), Some(self.name.clone()))
    }

    /// Read the image header and check it against the server's pixel limits, or the
    /// 400/415 that says why this file is not an image it takes.
    pub fn probe(&self, state: &Shared) -> ApiResult<ashim_core::io::Header> {
        ashim_core::io::probe(&self.data, Some(&self.name))
            .and_then(|h| {
                crate::jobs::limits(state).check_dimensions(h.width, h.height)?;
                Ok(h)
            })
            .map_err(|e| {
                let mut err = ApiError::from(e.clone());
                err.message = format!("Invalid file \"{}\": {}", self.name, e.message());
                err
            })
    }
}

/// A parsed form: file parts (in order) and text fields.
#[derive(Debug, Default)]
pub struct Form {
    /// Non-empty file parts.
    pub files: Vec<Upload>,
    /// Text fields (last value wins).
    pub fields: HashMap<String, String>,
}

/// Whether the request carries a multipart body.
pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

fn limit_error(max_file: Option<u64>) -> ApiError {
    let mb = max_file.map(|b| b as f64 / 1024.0 / 1024.0).unwrap_or(0.0);
    ApiError::too_large(format!(
        "File exceeds the upload limit of {mb} MB (MAX_UPLOAD_SIZE_MB)"
    ))
}

/// Whether a part is a file: it has a file name, or it is the `file` part or one of the
/// route's named file parts (clients may send those without a file name).
fn is_file_part(name: &str, file_name: Option<&str>, file_parts: &[&str]) -> bool {
    file_name.is_some() || name == "file" || file_parts.contains(&name)
}

/// The parts a route reads besides its files: a text part of any other name is a 400, as
/// the OpenAPI document's `additionalProperties: false` says. File parts (with a file name)
/// may have any name: they fill the positional slot.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    /// Text fields the route reads.
    pub text: &'a [&'a str],
    /// Named file parts (a tool's named slots), files even without a file name.
    pub files: &'a [&'a str],
}

impl Form {
    /// Parse a multipart request. `max_file` limits each part; `max_files` (0 = unlimited)
    /// the number of file parts. A body that is not multipart is 400.
    pub async fn parse(
        req: Request,
        max_file: Option<u64>,
        max_files: usize,
        parts: Parts<'_>,
    ) -> ApiResult<Form> {
        if !is_multipart(req.headers()) {
            return Err(ApiError::bad_request("Expected a multipart/form-data body"));
        }
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let boundary = multer::parse_boundary(&ct).map_err(|_| {
            ApiError::bad_request("Expected a multipart/form-data body with a boundary")
        })?;
        let mut limits = multer::SizeLimit::new();
        if let Some(m) = max_file {
            limits = limits.per_field(m);
            let parts = if max_files == 0 {
                1000
            } else {
                max_files as u64 + 8
            };
            limits = limits.whole_stream(m.saturating_mul(parts).saturating_add(1 << 20));
            if let Some(len) = req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                && max_files <= 1
                && len > m.saturating_add(1 << 20)
            {
                return Err(limit_error(max_file));
            }
        }
        let constraints = multer::Constraints::new().size_limit(limits);
        let stream = req.into_body().into_data_stream();
        let mut mp = multer::Multipart::with_constraints(stream, boundary, constraints);
        let mut form = Form::default();
        let map_err = |e: multer::Error| match e {
            multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
                limit_error(max_file)
            }
            other => ApiError::bad_request("Failed to parse multipart request")
                .with_details(Value::String(other.to_string())),
        };
        while let Some(field) = mp.next_field().await.map_err(map_err)? {
            let file_name = field.file_name().map(str::to_string);
            let field_name = field.name().unwrap_or_default().to_string();
            let data = field.bytes().await.map_err(map_err)?;
            if is_file_part(&field_name, file_name.as_deref(), parts.files) {
                if data.is_empty() {
                    continue;
                }
                form.files.push(Upload {
                    part: field_name,
                    name: sanitize_filename(file_name.as_deref().unwrap_or("upload")),
                    data: data.to_vec(),
                });
                if max_files > 0 && form.files.len() > max_files {
                    return Err(ApiError::of(
                        Code::TooManyFiles,
                        format!("Too many files. Maximum batch size is {max_files}"),
                    ));
                }
            } else {
                if !parts.text.contains(&field_name.as_str()) {
                    let reads = if parts.text.is_empty() {
                        "files only".to_string()
                    } else {
                        parts.text.join(", ")
                    };
                    return Err(ApiError::bad_request(format!(
                        "Unknown form field {field_name:?} (this route reads: {reads})"
                    )));
                }
                let text = String::from_utf8(data.to_vec()).map_err(|_| {
                    ApiError::bad_request(format!("Field \"{field_name}\" is not valid UTF-8"))
                })?;
                form.fields.insert(field_name, text);
            }
        }
        Ok(form)
    }

    /// A form from a JSON object body (tools without input files): `clientJobId` and `async`
    /// become fields, the rest is returned as the settings.
    pub fn from_json(mut body: Value) -> (Value, Form) {
        let mut fields = HashMap::new();
        if let Some(o) = body.as_object_mut() {
            for key in ["clientJobId", "async"] {
                if let Some(v) = o.remove(key) {
                    fields.insert(
                        key.to_string(),
                        v.as_str().map(str::to_string).unwrap_or(v.to_string()),
                    );
                }
            }
        }
        (
            body,
            Form {
                files: Vec::new(),
                fields,
            },
        )
    }

    /// A text field, trimmed; `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The `settings` field as a JSON object: absent or blank is `{}`; JSON that is not an
    /// object (null, array, number) or not JSON at all is 400.
    pub fn settings(&self) -> ApiResult<Value> {
        parse_settings(self.text("settings"))
    }

    /// The validated `clientJobId`, if given (an empty field is none).
    pub fn client_job_id(&self) -> ApiResult<Option<String>> {
        match self.fields.get("clientJobId").map(String::as_str) {
            None | Some("") => Ok(None),
            Some(id) if valid_client_job_id(id) => Ok(Some(id.to_string())),
            Some(_) => Err(ApiError::bad_request(
                "clientJobId must match [A-Za-z0-9_-]{1,64}",
            )),
        }
    }

    /// Whether the caller asked for a 202 and the result on the progress stream
    /// (`async=true` or `Prefer: respond-async`).
    /// `async` is `true`, `false` or empty; anything else is 400.
    pub fn wants_async(&self, headers: &HeaderMap) -> ApiResult<bool> {
        let field = match self.fields.get("async").map(String::as_str) {
            None | Some("" | "false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ApiError::bad_request("async must be \"true\" or \"false\""));
            }
        };
        Ok(field
            || headers
                .get("prefer")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().contains("respond-async")))
    }

    /// Whether `u` fills `meta`'s positional slot (its part names no named slot).
    pub fn is_positional(meta: &ToolMeta, u: &Upload) -> bool {
        !meta.named_slots().any(|s| s.name == u.part)
    }

    /// The uploads that fill `meta`'s positional slot, in order.
    pub fn positional<'a>(&'a self, meta: &'a ToolMeta) -> impl Iterator<Item = &'a Upload> {
        self.files.iter().filter(|u| Self::is_positional(meta, u))
    }

    /// Every upload sorted into `meta`'s slots.
    pub fn slots(&self, meta: &ToolMeta) -> SlotInputs {
        SlotInputs::assign(meta, self.files.iter().map(|u| (u.part.clone(), u.input())))
    }

    /// The named-slot uploads with one positional upload `one` (one run of a batch).
    pub fn slots_with(&self, meta: &ToolMeta, one: &Upload) -> SlotInputs {
        SlotInputs::assign(
            meta,
            self.files
                .iter()
                .filter(|u| !Self::is_positional(meta, u))
                .chain(std::iter::once(one))
                .map(|u| (u.part.clone(), u.input())),
        )
    }
}

/// Parse a `settings` text: absent → `{}`; it must be a JSON object.
pub fn parse_settings(raw: Option<&str>) -> ApiResult<Value> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Value::Object(Map::new()));
    };
    let mut v: Value = serde_json::from_str(s).map_err(|e| {
        ApiError::of(
            Code::InvalidSettings,
            format!("Settings must be valid JSON: {e}"),
        )
    })?;
    crate::util::integral_numbers(&mut v);
    if !v.is_object() {
        return Err(ApiError::of(
            Code::InvalidSettings,
            "Settings must be a JSON object",
        ));
    }
    Ok(v)
}

impl Form {
    /// Parse a form of up to `MAX_BATCH_SIZE` files with the server's upload limits.
    pub async fn read(req: Request, state: &Shared, parts: Parts<'_>) -> ApiResult<Form> {
        let (max_file, max_files) = (state.cfg.max_file_bytes(), state.cfg.max_batch_size);
        Form::parse(req, max_file, max_files, parts).await
    }
}

/// What a route's form holds, for [`FormOf`].
pub trait FormSpec {
    /// The text fields it reads.
    const TEXT: &'static [&'static str];
    /// At most one file (the logo, a saved result).
    const ONE_FILE: bool = false;
}

/// The multipart form of a route described by `S`, parsed with the upload limits.
#[derive(Debug)]
pub struct FormOf<S>(pub Form, pub std::marker::PhantomData<S>);

impl<S: FormSpec> FromRequest<Shared> for FormOf<S> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Shared) -> ApiResult<Self> {
        let parts = Parts {
            text: S::TEXT,
            files: &[],
        };
        let max_files = if S::ONE_FILE {
            1
        } else {
            state.cfg.max_batch_size
        };
        let form = Form::parse(req, state.cfg.max_file_bytes(), max_files, parts).await?;
        Ok(FormOf(form, std::marker::PhantomData))
    }
}

/// Files only (workspace upload, preview, library upload).
#[derive(Debug)]
pub struct Files;
impl FormSpec for Files {
    const TEXT: &'static [&'static str] = &[];
}

/// One file (the logo).
#[derive(Debug)]
pub struct OneFile;
impl FormSpec for OneFile {
    const TEXT: &'static [&'static str] = &[];
    const ONE_FILE: bool = true;
}

/// A library result: one file, `parentId`, `toolId`.
#[derive(Debug)]
pub struct SavedResult;
impl FormSpec for SavedResult {
    const TEXT: &'static [&'static str] = &["parentId", "toolId"];
    const ONE_FILE: bool = true;
}

/// A pipeline run: files, `pipeline`, `clientJobId`.
#[derive(Debug)]
pub struct PipelineRun;
impl FormSpec for PipelineRun {
    const TEXT: &'static [&'static str] = &["pipeline", "clientJobId"];
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_field() {
        assert_eq!(parse_settings(None).unwrap(), json!({}));
        assert_eq!(parse_settings(Some(" ")).unwrap(), json!({}));
        assert_eq!(parse_settings(Some("{\"width\":5}")).unwrap()["width"], 5);
        let e = parse_settings(Some("{bad")).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert!(e.message.contains("JSON"));
        for bad in ["null", "[1]", "3", "\"x\""] {
            let e = parse_settings(Some(bad)).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{bad}");
            assert_eq!(e.code, Code::InvalidSettings);
        }
    }

    #[test]
    fn file_parts_without_a_file_name() {
        assert!(is_file_part("file", Some("a.png"), &[]));
        assert!(is_file_part("files", Some(""), &[]));
        assert!(is_file_part("file", None, &[]));
        assert!(is_file_part("watermark", None, &["watermark"]));
        assert!(!is_file_part("quality", None, &["watermark"]));
        assert!(!is_file_part("settings", None, &[]));
    }

    #[test]
    fn client_job_ids_are_checked_as_sent() {
        let form = |v: &str| Form {
            files: Vec::new(),
            fields: HashMap::from([("clientJobId".to_string(), v.to_string())]),
        };
        assert_eq!(form("").client_job_id().unwrap(), None);
        assert_eq!(
            form("job-1").client_job_id().unwrap().as_deref(),
            Some("job-1")
        );
        assert!(form(" job-1").client_job_id().is_err());
        assert!(form("a b").client_job_id().is_err());
    }
}
