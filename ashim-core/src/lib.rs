//! # ashim-core
//!
//! Every ashim image tool and the pipeline executor, as plain Rust functions. The server,
//! the Python and the Node bindings are thin layers over this crate's [`registry`].
//!
//! ```
//! use ashim_core::{Context, InputFile, Outcome, PipelineDef, Pipeline};
//! let jpeg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/test-portrait.jpg"))?;
//! let def: PipelineDef = serde_json::from_value(serde_json::json!({"steps": [
//!     {"toolId": "resize", "settings": {"width": 64}},
//!     {"toolId": "rotate", "settings": {"angle": 90}},
//!     {"toolId": "convert", "settings": {"format": "webp", "quality": 80}},
//! ]}))?;
//! let ctx = Context::default();
//! let Outcome::Image { encoded, .. } = Pipeline::new(&def, 0)?.run(InputFile::new(jpeg, None), &ctx)? else {
//!     unreachable!()
//! };
//! assert_eq!(&encoded.data[8..12], b"WEBP");
//! assert_eq!((ctx.decodes(), ctx.encodes()), (1, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod format;
pub mod image;
pub mod io;
pub mod naming;
pub mod ops;
pub mod pipeline;
pub mod registry;
mod run;
pub mod schema;
pub mod settings;
pub mod tool;
pub mod tools;

pub use error::{Error, ErrorKind, FieldError, Result};
pub use format::ImageFormat;
pub use io::{Encoded, Limits};
pub use pipeline::{Pipeline, PipelineDef, Step};
pub use run::{Outcome, run, run_inputs, run_slots};
pub use tool::{Context, Input, InputFile, Output, OutputFile, Tool};

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
