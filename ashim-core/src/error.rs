//! One error type for the whole library, with a stable machine code per kind.
//!
//! Front ends map [`ErrorKind`] once: to an HTTP status and JSON envelope in the server,
//! to exception subclasses in Python and to `Error.code` in Node.

use std::fmt;

/// What went wrong, as a small `Copy` value with a stable code and HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Settings failed to parse or validate (bad type, out of range, unknown enum value).
    InvalidSettings,
    /// The request is malformed in some other way (wrong number of inputs, empty file, bad JSON).
    InvalidInput,
    /// The bytes are not an image in any format ashim recognises.
    UnknownFormat,
    /// The format was recognised but is not supported for this operation (e.g. encoding HEIC).
    UnsupportedFormat,
    /// The file claims to be an image but could not be decoded (corrupt or truncated).
    DecodeFailed,
    /// A size limit was exceeded (pixels, dimensions, bytes, frames); checked before decoding.
    LimitExceeded,
    /// The request is valid but this tool cannot satisfy it (crop outside the image, ...).
    Unprocessable,
    /// The named tool does not exist in the registry.
    UnknownTool,
    /// The tool needs a model or native library that is not installed.
    ModelNotInstalled,
    /// Encoding the result failed.
    EncodeFailed,
    /// The run was cancelled (its client went away, or it ran past its time limit).
    Cancelled,
    /// A bug: an invariant was broken. Never caused by user input.
    Internal,
}

impl ErrorKind {
    /// Stable snake_case code, part of the public contract of every front end.
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidSettings => "invalid_settings",
            Self::InvalidInput => "invalid_input",
            Self::UnknownFormat => "unknown_format",
            Self::UnsupportedFormat => "unsupported_format",
            Self::DecodeFailed => "decode_failed",
            Self::LimitExceeded => "limit_exceeded",
            Self::Unprocessable => "unprocessable",
            Self::UnknownTool => "unknown_tool",
            Self::ModelNotInstalled => "model_not_installed",
            Self::EncodeFailed => "encode_failed",
            Self::Cancelled => "cancelled",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status this kind maps to (DECISIONS.md 2).
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidSettings | Self::InvalidInput | Self::DecodeFailed => 400,
            Self::UnknownFormat | Self::UnsupportedFormat => 415,
            Self::LimitExceeded => 413,
            Self::Unprocessable | Self::Cancelled => 422,
            Self::UnknownTool => 404,
            Self::ModelNotInstalled => 501,
            Self::EncodeFailed | Self::Internal => 500,
        }
    }

    /// Every kind, for front ends that build one exception class per kind.
    pub const ALL: [ErrorKind; 12] = [
        Self::InvalidSettings,
        Self::InvalidInput,
        Self::UnknownFormat,
        Self::UnsupportedFormat,
        Self::DecodeFailed,
        Self::LimitExceeded,
        Self::Unprocessable,
        Self::UnknownTool,
        Self::ModelNotInstalled,
        Self::EncodeFailed,
        Self::Cancelled,
        Self::Internal,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem with one field of a settings object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path to the field (`width`, `steps.2.settings.quality`); empty for the root.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// The error type of every fallible function in `ashim-core`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    fields: Vec<FieldError>,
}

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message for a person.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// Settings errors naming the offending fields.
    pub fn invalid_settings(fields: Vec<FieldError>) -> Self {
        let message = fields
            .iter()
            .map(|f| {
                if f.path.is_empty() {
                    f.message.clone()
                } else {
                    format!("{}: {}", f.path, f.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            kind: ErrorKind::InvalidSettings,
            message,
            fields,
        }
    }

    /// Shorthand for one invalid field.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid_settings(vec![FieldError {
            path: path.into(),
            message: message.into(),
        }])
    }

    /// Shorthand for [`ErrorKind::Unprocessable`].
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, message)
    }

    /// Shorthand for [`ErrorKind::InvalidInput`].
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for [`ErrorKind::DecodeFailed`].
    pub fn decode(message: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::DecodeFailed,
            format!("Failed to decode image: {message}"),
        )
    }

    /// Shorthand for [`ErrorKind::EncodeFailed`].
    pub fn encode(message: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::EncodeFailed,
            format!("Failed to encode image: {message}"),
        )
    }

    /// Shorthand for [`ErrorKind::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// The kind, with its stable code and status.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable machine code (same as `self.kind().code()`).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The sentence for a person.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Field-level details, when the error is about settings.
    pub fn fields(&self) -> &[FieldError] {
        &self.fields
    }

    /// The same error with `prefix: ` in front of its message, and field paths prefixed too
    /// when `path_prefix` is given. Used by the pipeline to name the step.
    pub fn context(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

impl From<image::ImageError> for Error {
    fn from(e: image::ImageError) -> Self {
        use image::ImageError as E;
        match e {
            E::Limits(l) => Error::new(
                ErrorKind::LimitExceeded,
                format!("Image exceeds limits: {l}"),
            ),
            E::Unsupported(u) => Error::new(ErrorKind::UnsupportedFormat, u.to_string()),
            E::Encoding(en) => Error::encode(en),
            E::Parameter(p) => Error::unprocessable(p.to_string()),
            other => Error::decode(other),
        }
    }
}
