//! Reading and writing image files: format sniffing, header limits, decode, encode, metadata.

mod decode;
mod encode;
pub(crate) mod exif;
pub(crate) mod jpeg;
mod limits;
mod png_palette;
mod tiff_pages;

pub use decode::{DecodeOptions, Header, decode, detect, probe};
pub use encode::{Encoded, encode, encode_frame, preview};
pub use limits::Limits;
