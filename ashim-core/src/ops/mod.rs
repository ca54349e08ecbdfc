//! Shared pixel primitives used by several tools: resampling, flattening, canvases, rotation.

mod canvas;
mod resample;
mod rotate;

pub use canvas::{Rgba, composite_onto, flatten_rgb8, solid_canvas};
pub use resample::{resize_crop, resize_exact};
pub use rotate::rotate_any;
