//! One file per tool: settings struct, a plain function, and the [`Tool`](crate::Tool) impl.

pub mod compress;
pub mod convert;
pub mod crop;
pub mod info;
pub mod qr_generate;
pub mod resize;
pub mod rotate;
pub mod split;
pub mod stitch;
