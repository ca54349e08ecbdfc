//! Multipart form parsing with the upload limits (413 over `MAX_UPLOAD_SIZE_MB`).

use crate::error::{ApiError, ApiResult};
use crate::util::sanitize_filename;
use axum::extract::Request;
use axum::http::header;
use std::collections::HashMap;

/// One uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Name of the form part (`file`, `watermark`, ...), which decides its slot.
    pub part: String,
    /// Sanitised file name.
    pub name: String,
    /// Bytes as received.
    pub data: Vec<u8>,
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
pub fn is_multipart(req: &Request) -> bool {
    req.headers()
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

/// Parse a multipart request. `max_file` limits each part; `max_files` (0 = unlimited) the
/// number of file parts.
pub async fn parse(req: Request, max_file: Option<u64>, max_files: usize) -> ApiResult<Form> {
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
            .with_details(serde_json::Value::String(other.to_string())),
    };
    while let Some(field) = mp.next_field().await.map_err(map_err)? {
        let file_name = field.file_name().map(str::to_string);
        let field_name = field.name().unwrap_or_default().to_string();
        let data = field.bytes().await.map_err(map_err)?;
        match file_name {
            Some(fname) => {
                if data.is_empty() {
                    continue;
                }
                form.files.push(Upload {
                    part: field_name,
                    name: sanitize_filename(&fname),
                    data: data.to_vec(),
                });
                if max_files > 0 && form.files.len() > max_files {
                    return Err(ApiError::new(
                        400,
                        "too_many_files",
                        format!("Too many files. Maximum batch size is {max_files}"),
                    ));
                }
            }
            None => {
                let text = String::from_utf8(data.to_vec()).map_err(|_| {
                    ApiError::bad_request(format!("Field \"{field_name}\" is not valid UTF-8"))
                })?;
                form.fields.insert(field_name, text);
            }
        }
    }
    Ok(form)
}
