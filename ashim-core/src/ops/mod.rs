//! Shared pixel primitives used by several tools: resampling, flattening, canvases, rotation,
//! blur and depth-preserving sample access.

pub mod blend;
mod blur;
mod canvas;
pub mod colour;
pub mod diff;
pub mod hash;
pub mod palette;
mod resample;
mod rotate;
mod samples;
pub mod sharpen;
pub mod text;
pub mod trim;

pub use blur::{gaussian_blur, gaussian_kernel, gaussian_plane};
pub use canvas::{Rgba, composite_onto, flatten_rgb8, solid_canvas};
pub use resample::{resize_crop, resize_exact};
pub use rotate::rotate_any;
pub use samples::{Samples, from_samples_like, to_samples};
