//! File-name helpers shared by tools and front ends.

use crate::format::ImageFormat;

/// The name without its last extension (`photo.v2.png` → `photo.v2`; `.png` stays).
pub fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// The last extension with its dot (`.png`), if any.
pub fn extension(name: &str) -> Option<&str> {
    match name.rfind('.') {
        Some(i) if i > 0 => Some(&name[i..]),
        _ => None,
    }
}

/// `name` with its extension replaced by the format's (`a.jpeg` + PNG → `a.png`).
pub fn with_extension(name: &str, format: ImageFormat) -> String {
    format!("{}.{}", stem(name), format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_extensions() {
        assert_eq!(stem("photo.v2.png"), "photo.v2");
        assert_eq!(stem(".png"), ".png");
        assert_eq!(stem("noext"), "noext");
        assert_eq!(extension("a.JPG"), Some(".JPG"));
        assert_eq!(with_extension("a.jpeg", ImageFormat::Png), "a.png");
    }
}
