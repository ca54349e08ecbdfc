//! Image formats, detected from magic bytes (never from a file extension).

use serde::{Deserialize, Serialize};

/// Every format ashim can recognise. Whether it can be decoded or encoded is asked with
/// [`ImageFormat::can_decode`] and [`ImageFormat::can_encode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// Portable Network Graphics.
    Png,
    /// WebP, lossy or lossless, still or animated.
    Webp,
    /// GIF, still or animated.
    Gif,
    /// Windows bitmap.
    Bmp,
    /// TIFF, one page or many.
    Tiff,
    /// Windows icon.
    Ico,
    /// AV1 image file.
    Avif,
    /// HEIF/HEIC.
    Heif,
    /// JPEG XL.
    Jxl,
    /// Photoshop document.
    Psd,
    /// OpenEXR.
    Exr,
    /// Radiance HDR.
    Hdr,
    /// Truevision TGA (no signature; only detected from a `.tga` name).
    Tga,
    /// Quite OK Image format.
    Qoi,
    /// Scalable Vector Graphics.
    Svg,
}

impl ImageFormat {
    /// Detect the format from the first bytes of a file. `name` is consulted only for TGA,
    /// which has no signature.
    pub fn sniff(bytes: &[u8], name: Option<&str>) -> Option<Self> {
        let b = bytes;
        let at =
            |off: usize, sig: &[u8]| b.len() >= off + sig.len() && &b[off..off + sig.len()] == sig;
        if at(0, &[0xFF, 0xD8, 0xFF]) {
            return Some(Self::Jpeg);
        }
        if at(0, &[0x89, b'P', b'N', b'G']) {
            return Some(Self::Png);
        }
        if at(0, b"RIFF") && at(8, b"WEBP") {
            return Some(Self::Webp);
        }
        if at(0, b"GIF8") {
            return Some(Self::Gif);
        }
        if at(0, b"BM") && b.len() >= 26 {
            return Some(Self::Bmp);
        }
        if at(0, b"II*\0") || at(0, b"MM\0*") {
            return Some(Self::Tiff);
        }
        if at(4, b"ftyp") {
            let brand = b.get(8..12).unwrap_or_default();
            match brand {
                b"avif" | b"avis" => return Some(Self::Avif),
                b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" | b"hevx" => {
                    return Some(Self::Heif);
                }
                _ => {}
            }
        }
        if at(0, &[0, 0, 0, 0x0C, b'J', b'X', b'L', b' ']) || at(0, &[0xFF, 0x0A]) {
            return Some(Self::Jxl);
        }
        if at(0, &[0, 0, 1, 0]) {
            return Some(Self::Ico);
        }
        if at(0, b"8BPS") {
            return Some(Self::Psd);
        }
        if at(0, &[0x76, 0x2F, 0x31, 0x01]) {
            return Some(Self::Exr);
        }
        if at(0, b"qoif") {
            return Some(Self::Qoi);
        }
        if at(0, b"#?RADIANCE") || at(0, b"#?RGBE") {
            return Some(Self::Hdr);
        }
        if looks_like_svg(b) {
            return Some(Self::Svg);
        }
        if let Some(name) = name
            && name.to_ascii_lowercase().ends_with(".tga")
        {
            return Some(Self::Tga);
        }
        None
    }

    /// Lower-case name used on the wire (`jpeg`, `png`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Bmp => "bmp",
            Self::Tiff => "tiff",
            Self::Ico => "ico",
            Self::Avif => "avif",
            Self::Heif => "heif",
            Self::Jxl => "jxl",
            Self::Psd => "psd",
            Self::Exr => "exr",
            Self::Hdr => "hdr",
            Self::Tga => "tga",
            Self::Qoi => "qoi",
            Self::Svg => "svg",
        }
    }

    /// The file extension ashim gives outputs of this format (without the dot).
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            other => other.name(),
        }
    }

    /// The MIME type.
    pub const fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Bmp => "image/bmp",
            Self::Tiff => "image/tiff",
            Self::Ico => "image/x-icon",
            Self::Avif => "image/avif",
            Self::Heif => "image/heif",
            Self::Jxl => "image/jxl",
            Self::Psd => "image/vnd.adobe.photoshop",
            Self::Exr => "image/x-exr",
            Self::Hdr => "image/vnd.radiance",
            Self::Tga => "image/x-tga",
            Self::Qoi => "image/qoi",
            Self::Svg => "image/svg+xml",
        }
    }

    /// Whether ashim can decode this format in this build.
    pub const fn can_decode(self) -> bool {
        matches!(
            self,
            Self::Jpeg
                | Self::Png
                | Self::Webp
                | Self::Gif
                | Self::Bmp
                | Self::Tiff
                | Self::Ico
                | Self::Exr
                | Self::Hdr
                | Self::Tga
                | Self::Qoi
        )
    }

    /// Whether ashim can encode this format in this build.
    pub const fn can_encode(self) -> bool {
        matches!(
            self,
            Self::Jpeg | Self::Png | Self::Webp | Self::Gif | Self::Bmp | Self::Tiff | Self::Ico
        )
    }

    /// Whether browsers display this format directly (servers add a preview otherwise).
    pub const fn is_browser_friendly(self) -> bool {
        matches!(
            self,
            Self::Jpeg | Self::Png | Self::Webp | Self::Gif | Self::Svg | Self::Bmp | Self::Avif
        )
    }

    /// Parse a user-facing name or extension (`jpg`, `jpeg`, `tif`, ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Self::Jpeg,
            "png" => Self::Png,
            "webp" => Self::Webp,
            "gif" => Self::Gif,
            "bmp" => Self::Bmp,
            "tif" | "tiff" => Self::Tiff,
            "ico" => Self::Ico,
            "avif" => Self::Avif,
            "heif" | "heic" => Self::Heif,
            "jxl" => Self::Jxl,
            "psd" => Self::Psd,
            "exr" => Self::Exr,
            "hdr" => Self::Hdr,
            "tga" => Self::Tga,
            "qoi" => Self::Qoi,
            "svg" => Self::Svg,
            _ => return None,
        })
    }

    pub(crate) fn to_image_crate(self) -> Option<image::ImageFormat> {
        Some(match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
            Self::Webp => image::ImageFormat::WebP,
            Self::Gif => image::ImageFormat::Gif,
            Self::Bmp => image::ImageFormat::Bmp,
            Self::Tiff => image::ImageFormat::Tiff,
            Self::Ico => image::ImageFormat::Ico,
            Self::Exr => image::ImageFormat::OpenExr,
            Self::Hdr => image::ImageFormat::Hdr,
            Self::Tga => image::ImageFormat::Tga,
            Self::Qoi => image::ImageFormat::Qoi,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn looks_like_svg(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    let Ok(text) =
        std::str::from_utf8(head).or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]))
    else {
        return false;
    };
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<svg") || (t.starts_with("<?xml") && t.contains("<svg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_signatures_not_names() {
        assert_eq!(
            ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0], Some("x.png")),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\n", None),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 ", None),
            Some(ImageFormat::Webp)
        );
        assert_eq!(
            ImageFormat::sniff(b"<?xml version=\"1.0\"?><svg/>", None),
            Some(ImageFormat::Svg)
        );
        assert_eq!(
            ImageFormat::sniff(b"\0\0\0\x1cftypavif", None),
            Some(ImageFormat::Avif)
        );
        assert_eq!(
            ImageFormat::sniff(b"\0\0\0\x1cftypheic", None),
            Some(ImageFormat::Heif)
        );
        assert_eq!(
            ImageFormat::sniff(b"hello", Some("a.tga")),
            Some(ImageFormat::Tga)
        );
        assert_eq!(ImageFormat::sniff(b"hello", Some("a.png")), None);
        assert_eq!(ImageFormat::sniff(b"", None), None);
    }
}
