//! Shared pixel primitives used by several tools: resampling, flattening, canvases, rotation,
//! blur and depth-preserving sample access.

mod blur;
mod canvas;
mod resample;
mod rotate;
mod samples;

pub use blur::{gaussian_blur, gaussian_kernel};
pub use canvas::{Rgba, composite_onto, flatten_rgb8, solid_canvas};
pub use resample::{resize_crop, resize_exact};
pub use rotate::rotate_any;
pub use samples::{Samples, from_samples_like, to_samples};
