//! The error envelope of DECISIONS.md 1: `{statusCode, error, message, code, details?}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An HTTP error with a stable machine code.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// The sentence for a person.
    pub message: String,
    /// Optional details and one extra top-level key, boxed to keep results small.
    more: Option<Box<More>>,
}

/// Rarely used parts of an error.
#[derive(Debug, Clone, Default)]
struct More {
    /// Details: a string or `[{path, message}]`.
    details: Option<Value>,
    /// An extra top-level key (e.g. `errors` of a failed batch).
    extra: Option<(&'static str, Value)>,
}

/// Result with [`ApiError`].
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A new error.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            message: message.into(),
            more: None,
        }
    }

    /// 400 with code `validation_error`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "validation_error", message)
    }

    /// 401 `auth_required`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "auth_required", message)
    }

    /// 403 `forbidden`.
    pub fn forbidden() -> Self {
        Self::new(403, "forbidden", "Insufficient permissions")
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "not_found", message)
    }

    /// 413 `payload_too_large`.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(413, "payload_too_large", message)
    }

    /// 500 for real bugs; the message never carries internals.
    pub fn internal(context: impl std::fmt::Display) -> Self {
        eprintln!("ashim-server: internal error: {context}");
        Self::new(500, "internal", "Internal server error")
    }

    /// Attach details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.more.get_or_insert_with(Default::default).details = Some(details);
        self
    }

    /// Attach one extra top-level key.
    pub fn with_extra(mut self, key: &'static str, value: Value) -> Self {
        self.more.get_or_insert_with(Default::default).extra = Some((key, value));
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut v = json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "code": self.code,
        });
        if let Some(more) = &self.more {
            if let Some(d) = &more.details {
                v["details"] = d.clone();
            }
            if let Some((k, x)) = &more.extra {
                v[*k] = x.clone();
            }
        }
        v
    }
}

impl From<ashim_core::Error> for ApiError {
    fn from(e: ashim_core::Error) -> Self {
        let kind = e.kind();
        if matches!(
            kind,
            ashim_core::ErrorKind::Internal | ashim_core::ErrorKind::EncodeFailed
        ) {
            eprintln!("ashim-server: core error {}: {}", kind.code(), e.message());
        }
        let mut err = ApiError::new(kind.http_status(), kind.code(), e.message());
        if !e.fields().is_empty() {
            err = err.with_details(json!(
                e.fields()
                    .iter()
                    .map(|f| json!({"path": f.path, "message": f.message}))
                    .collect::<Vec<_>>()
            ));
        }
        err
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(format!("database: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // Fixed one-minute windows: the limit resets at the next full minute.
            let reset = 60 - crate::util::now_secs().rem_euclid(60);
            let h = resp.headers_mut();
            h.insert(header::RETRY_AFTER, HeaderValue::from(reset));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            h.insert("x-ratelimit-reset", HeaderValue::from(reset));
        }
        resp
    }
}
