//! The error envelope of DECISIONS.md 1 (`{statusCode, error, message, code, details?}`)
//! and the one table of error codes ([`Code`]), published in the README.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $text:literal, $status:literal; )*) => {
        /// Every error code the server sends. The codes api.md §1.5 names are sent verbatim
        /// (`AUTH_REQUIRED`, `FORBIDDEN`, ...); the others follow the same style:
        /// SCREAMING_SNAKE_CASE, one per distinct cause a client can act on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The wire text.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$name => $text,)* }
            }

            /// The usual HTTP status of this code.
            pub const fn status(self) -> u16 {
                match self { $(Code::$name => $status,)* }
            }

            /// What the code means (the README table's text).
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$name => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    /// No or invalid credentials (api.md §1.5).
    AuthRequired = "AUTH_REQUIRED", 401;
    /// Login with a wrong user name or password.
    InvalidCredentials = "INVALID_CREDENTIALS", 401;
    /// Wrong current password on a password change (api.md §1.5).
    InvalidPassword = "INVALID_PASSWORD", 401;
    /// Missing permission (api.md §1.5).
    Forbidden = "FORBIDDEN", 403;
    /// The password must be changed first (api.md §1.5).
    MustChangePassword = "MUST_CHANGE_PASSWORD", 403;
    /// Assigning a role above the caller's own (api.md §1.5).
    EscalationDenied = "ESCALATION_DENIED", 403;
    /// `MAX_USERS` reached (api.md §1.5).
    UserLimitReached = "USER_LIMIT_REACHED", 403;
    /// Login or API keys while `AUTH_ENABLED=false`.
    AuthDisabled = "AUTH_DISABLED", 403;
    /// Malformed request: bad JSON, missing field, bad value (api.md §1.5).
    ValidationError = "VALIDATION_ERROR", 400;
    /// Tool settings failed their schema; `details` lists `{path, message}`.
    InvalidSettings = "INVALID_SETTINGS", 400;
    /// Input files are wrong for the operation (count, empty file, missing part).
    InvalidInput = "INVALID_INPUT", 400;
    /// The bytes are not an image in any format ashim recognises (DECISIONS 2: 400).
    UnknownFormat = "UNKNOWN_FORMAT", 400;
    /// The image is corrupt or truncated.
    DecodeFailed = "DECODE_FAILED", 400;
    /// A pixel, dimension, frame or page limit was exceeded (400; byte sizes are 413).
    LimitExceeded = "LIMIT_EXCEEDED", 400;
    /// More file parts than `MAX_BATCH_SIZE`.
    TooManyFiles = "TOO_MANY_FILES", 400;
    /// More pipeline steps than `MAX_PIPELINE_STEPS`.
    TooManySteps = "TOO_MANY_STEPS", 400;
    /// A path segment that is not a safe name.
    InvalidPath = "INVALID_PATH", 400;
    /// You cannot remove your own admin role (api.md §1.5).
    SelfDemote = "SELF_DEMOTE", 400;
    /// The last admin cannot be demoted or deleted (api.md §1.5).
    LastAdmin = "LAST_ADMIN", 400;
    /// You cannot delete your own account (api.md §1.5).
    SelfDelete = "SELF_DELETE", 400;
    /// Unknown resource or route; other users' files are reported as absent (api.md §1.5).
    NotFound = "NOT_FOUND", 404;
    /// Unknown or disabled tool.
    UnknownTool = "UNKNOWN_TOOL", 404;
    /// Known path, other method.
    MethodNotAllowed = "METHOD_NOT_ALLOWED", 405;
    /// Duplicate name (api.md §1.5).
    Conflict = "CONFLICT", 409;
    /// A body or file over a byte-size limit.
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", 413;
    /// A recognised format this build cannot read or write; the message names the feature.
    UnsupportedFormat = "UNSUPPORTED_FORMAT", 415;
    /// A body of a content type the route does not take.
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", 415;
    /// A valid request the tool cannot satisfy (e.g. an output canvas over `MAX_CANVAS_PIXELS`).
    Unprocessable = "UNPROCESSABLE", 422;
    /// Every file of a batch failed; `errors` lists them.
    AllFilesFailed = "ALL_FILES_FAILED", 422;
    /// The job ran past `PROCESSING_TIMEOUT_S`.
    ProcessingTimeout = "PROCESSING_TIMEOUT", 422;
    /// The work was cancelled (its client went away, or it timed out).
    Cancelled = "CANCELLED", 422;
    /// Rate limit exceeded; see `retry-after`.
    RateLimited = "RATE_LIMITED", 429;
    /// A bug; the message never carries internals.
    Internal = "INTERNAL", 500;
    /// The result could not be encoded.
    EncodeFailed = "ENCODE_FAILED", 500;
    /// An AI feature bundle or model is not installed (api.md §1.5).
    FeatureNotInstalled = "FEATURE_NOT_INSTALLED", 501;
    /// The database does not answer.
    Unavailable = "UNAVAILABLE", 503;
    /// The disk (or object store) is full.
    StorageFull = "STORAGE_FULL", 507;
}

impl Code {
    /// The code for a core error kind.
    pub fn of_kind(kind: ashim_core::ErrorKind) -> Self {
        use ashim_core::ErrorKind as K;
        match kind {
            K::InvalidSettings => Code::InvalidSettings,
            K::InvalidInput => Code::InvalidInput,
            K::UnknownFormat => Code::UnknownFormat,
            K::UnsupportedFormat => Code::UnsupportedFormat,
            K::DecodeFailed => Code::DecodeFailed,
            K::LimitExceeded => Code::LimitExceeded,
            K::Unprocessable => Code::Unprocessable,
            K::UnknownTool => Code::UnknownTool,
            K::ModelNotInstalled => Code::FeatureNotInstalled,
            K::EncodeFailed => Code::EncodeFailed,
            K::Cancelled => Code::Cancelled,
            _ => Code::Internal,
        }
    }

    /// The markdown table of every code (kept in the README; a test checks they agree).
    pub fn markdown_table() -> String {
        let mut s = String::from("| Code | Status | Meaning |\n|---|---|---|\n");
        for c in Code::ALL {
            s.push_str(&format!(
                "| `{}` | {} | {} |\n",
                c.as_str(),
                c.status(),
                c.meaning()
            ));
        }
        s
    }
}

impl From<&'static str> for Code {
    /// A code by its wire text, case-insensitively (`"conflict"` is [`Code::Conflict`]);
    /// an unknown text is [`Code::ValidationError`].
    fn from(s: &'static str) -> Self {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .unwrap_or(Code::ValidationError)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HTTP error with a stable machine code.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code from the table.
    pub code: Code,
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
    /// Extra top-level keys (e.g. `errors` of a failed batch, the bundle fields of a 501).
    extra: Vec<(&'static str, Value)>,
}

/// Result with [`ApiError`].
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with `code`'s usual status.
    pub fn of(code: Code, message: impl Into<String>) -> Self {
        Self::new(code.status(), code, message)
    }

    /// A new error.
    pub fn new(status: u16, code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.into(),
            message: message.into(),
            more: None,
        }
    }

    /// 400 `VALIDATION_ERROR`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::of(Code::ValidationError, message)
    }

    /// 401 `AUTH_REQUIRED`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::of(Code::AuthRequired, message)
    }

    /// 403 `FORBIDDEN`.
    pub fn forbidden() -> Self {
        Self::of(Code::Forbidden, "Insufficient permissions")
    }

    /// 404 `NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::of(Code::NotFound, message)
    }

    /// 409 `CONFLICT`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::of(Code::Conflict, message)
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::of(Code::PayloadTooLarge, message)
    }

    /// 500 for real bugs; the message never carries internals.
    pub fn internal(context: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {context}");
        Self::of(Code::Internal, "Internal server error")
    }

    /// Attach details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.more.get_or_insert_with(Default::default).details = Some(details);
        self
    }

    /// Attach an extra top-level key (call again for more keys).
    pub fn with_extra(mut self, key: &'static str, value: Value) -> Self {
        self.more
            .get_or_insert_with(Default::default)
            .extra
            .push((key, value));
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut v = json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "code": self.code.as_str(),
        });
        if let Some(more) = &self.more {
            if let Some(d) = &more.details {
                v["details"] = d.clone();
            }
            for (k, x) in &more.extra {
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
            tracing::error!(code = kind.code(), "core error: {}", e.message());
        }
        let code = Code::of_kind(kind);
        let mut err = ApiError::of(code, e.message());
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
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
            return ApiError::storage_full();
        }
        ApiError::internal(format!("database: {e}"))
    }
}

impl ApiError {
    /// 507 `STORAGE_FULL`.
    pub fn storage_full() -> Self {
        Self::of(Code::StorageFull, "Insufficient storage: the disk is full")
    }

    /// A file-system error: 507 when the disk is full, else 500 (logged with `context`).
    pub fn io(context: &str, e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
            tracing::warn!("{context}: {e}");
            return Self::storage_full();
        }
        Self::internal(format!("{context}: {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_codes_are_sent_verbatim() {
        for name in [
            "AUTH_REQUIRED",
            "FORBIDDEN",
            "VALIDATION_ERROR",
            "NOT_FOUND",
            "CONFLICT",
            "ESCALATION_DENIED",
            "SELF_DEMOTE",
            "LAST_ADMIN",
            "SELF_DELETE",
            "USER_LIMIT_REACHED",
            "INVALID_PASSWORD",
            "MUST_CHANGE_PASSWORD",
            "FEATURE_NOT_INSTALLED",
        ] {
            let c = Code::ALL.iter().find(|c| c.as_str() == name);
            assert!(c.is_some(), "{name} missing from the table");
        }
        let e = ApiError::conflict("dup");
        assert_eq!(e.body()["code"], "CONFLICT");
        assert_eq!(e.body()["statusCode"], 409);
        assert_eq!(e.body()["error"], "Conflict");
    }

    #[test]
    fn statuses_follow_the_issue_rules() {
        use ashim_core::ErrorKind as K;
        let status = |k| Code::of_kind(k).status();
        assert_eq!(status(K::UnknownFormat), 400);
        assert_eq!(status(K::DecodeFailed), 400);
        assert_eq!(status(K::UnsupportedFormat), 415);
        assert_eq!(status(K::LimitExceeded), 400);
        assert_eq!(Code::PayloadTooLarge.status(), 413);
        let full = std::io::Error::from_raw_os_error(28);
        assert_eq!(ApiError::io("write", full).status.as_u16(), 507);
    }

    #[test]
    fn codes_are_unique_and_the_readme_table_is_current() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(!c.meaning().is_empty());
        }
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(&Code::markdown_table()),
            "README.md's error-code table differs from error.rs; paste:\n{}",
            Code::markdown_table()
        );
    }
}
