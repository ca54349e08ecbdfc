//! One file per tool: settings struct, a plain function, and the [`Tool`](crate::Tool) impl.

pub mod adjust_colors;
pub mod border;
pub mod color_palette;
pub mod compare;
pub mod compose;
pub mod compress;
pub mod convert;
pub mod crop;
pub mod find_duplicates;
pub mod image_enhancement;
pub mod info;
pub mod qr_generate;
pub mod replace_color;
pub mod resize;
pub mod rotate;
pub mod sharpening;
pub mod split;
pub mod stitch;
pub mod trim;
