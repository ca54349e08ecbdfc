//! Shared pixel primitives used by several tools: resampling, flattening, canvases, rotation.

pub mod blend;
mod canvas;
pub mod colour;
pub mod diff;
pub mod hash;
pub mod palette;
mod resample;
mod rotate;
pub mod sharpen;
pub mod trim;

pub use canvas::{Rgba, composite_onto, flatten_rgb8, solid_canvas};
pub use resample::{resize_crop, resize_exact};
pub use rotate::rotate_any;
