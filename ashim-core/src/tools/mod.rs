//! One file per tool: settings struct, a plain function, and the [`Tool`](crate::Tool) impl.

pub mod blur_faces;
pub mod colorize;
pub mod compress;
pub mod convert;
pub mod crop;
pub mod erase_object;
pub mod info;
pub mod ocr;
pub mod qr_generate;
pub mod red_eye_removal;
pub mod remove_background;
pub mod resize;
pub mod rotate;
pub mod split;
pub mod stitch;
pub mod upscale;
