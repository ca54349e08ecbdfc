//! Multi-page TIFF: reading further pages and writing every frame as a page.

use crate::error::{Error, Result};
use crate::image::Frame;
use image::{DynamicImage, ImageBuffer};
use std::io::{Cursor, Read, Seek};
use tiff::ColorType;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::encoder::{Compression, DeflateLevel, TiffEncoder, colortype};

/// Read the current page of `dec` as 8- or 16-bit pixels; `None` for layouts ashim does not map.
pub(crate) fn read_page<R: Read + Seek>(
    dec: &mut Decoder<R>,
    w: u32,
    h: u32,
) -> Option<DynamicImage> {
    let ct = dec.colortype().ok()?;
    let data = dec.read_image().ok()?;
    Some(match (ct, data) {
        (ColorType::Gray(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageLuma8(ImageBuffer::from_raw(w, h, v)?)
        }
        (ColorType::GrayA(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageLumaA8(ImageBuffer::from_raw(w, h, v)?)
        }
        (ColorType::RGB(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageRgb8(ImageBuffer::from_raw(w, h, v)?)
        }
        (ColorType::RGBA(8), DecodingResult::U8(v)) => {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(w, h, v)?)
        }
        (ColorType::Gray(16), DecodingResult::U16(v)) => {
            DynamicImage::ImageLuma16(ImageBuffer::from_raw(w, h, v)?)
        }
        (ColorType::RGB(16), DecodingResult::U16(v)) => {
            DynamicImage::ImageRgb16(ImageBuffer::from_raw(w, h, v)?)
        }
        (ColorType::RGBA(16), DecodingResult::U16(v)) => {
            DynamicImage::ImageRgba16(ImageBuffer::from_raw(w, h, v)?)
        }
        _ => return None,
    })
}

/// Write every frame as a page, deflate-compressed (lossless, DECISIONS.md 10).
pub(crate) fn encode(frames: &[Frame]) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut out)
        .map_err(Error::encode)?
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    for f in frames {
        let p = &f.pixels;
        let (w, h) = (p.width(), p.height());
        let r = match p {
            DynamicImage::ImageLuma8(b) => enc.write_image::<colortype::Gray8>(w, h, b.as_raw()),
            DynamicImage::ImageRgb8(b) => enc.write_image::<colortype::RGB8>(w, h, b.as_raw()),
            DynamicImage::ImageRgba8(b) => enc.write_image::<colortype::RGBA8>(w, h, b.as_raw()),
            DynamicImage::ImageLuma16(b) => enc.write_image::<colortype::Gray16>(w, h, b.as_raw()),
            DynamicImage::ImageRgb16(b) => enc.write_image::<colortype::RGB16>(w, h, b.as_raw()),
            DynamicImage::ImageRgba16(b) => enc.write_image::<colortype::RGBA16>(w, h, b.as_raw()),
            other if other.color().has_alpha() => {
                enc.write_image::<colortype::RGBA8>(w, h, other.to_rgba8().as_raw())
            }
            other => enc.write_image::<colortype::RGB8>(w, h, other.to_rgb8().as_raw()),
        };
        r.map_err(Error::encode)?;
    }
    Ok(out.into_inner())
}
