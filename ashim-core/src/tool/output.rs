//! What a tool returns before the final encode.

use crate::error::{Error, Result};
use crate::image::Image;
use serde::Serialize;
use serde_json::{Map, Value};

/// A tool's result before the final encode.
#[derive(Debug, Clone)]
pub enum Output {
    /// A decoded image; encoded once by the caller.
    Image(Image),
    /// A decoded image plus extra envelope fields (`similarity`, `facesDetected`).
    ImageWith(Image, Map<String, Value>),
    /// Named files, already encoded, delivered as a ZIP.
    Files(Vec<OutputFile>),
    /// Named files stored one by one, listed with a ZIP link.
    FileSet(Vec<OutputFile>),
    /// A JSON report (see [`Output::report`]).
    Json(Value),
    /// Raw bytes sent as the body with their MIME type.
    Bytes(OutputFile),
}

impl Output {
    /// A typed report as JSON output.
    pub fn report<T: Serialize>(report: &T) -> Result<Self> {
        serde_json::to_value(report)
            .map(Output::Json)
            .map_err(|e| Error::internal(format!("report did not serialise: {e}")))
    }

    /// An image with extra envelope fields taken from a typed value (an object).
    pub fn image_with<T: Serialize>(image: Image, extra: &T) -> Result<Self> {
        match serde_json::to_value(extra) {
            Ok(Value::Object(map)) => Ok(Output::ImageWith(image, map)),
            Ok(_) => Err(Error::internal("envelope extras must be an object")),
            Err(e) => Err(Error::internal(format!("extras did not serialise: {e}"))),
        }
    }
}

/// A named, encoded output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name (no directories).
    pub name: String,
    /// Content.
    pub data: Vec<u8>,
    /// MIME type.
    pub mime_type: &'static str,
}
