//! Palette PNG (quantised, for `compress` with a quality) and XMP chunks.

use crate::error::{Error, Result};
use image::DynamicImage;

/// Quantise to a palette whose size follows `quality` (100 → 256 colours, 1 → 4) with
/// NeuQuant, then write an indexed PNG at the highest zlib level.
pub(crate) fn encode(p: &DynamicImage, quality: u8, out: &mut Vec<u8>) -> Result<()> {
    let rgba = p.to_rgba8();
    let colors = (4 + (usize::from(quality.clamp(1, 100)) * 252) / 100).min(256);
    let nq = color_quant::NeuQuant::new(10, colors, rgba.as_raw());
    let indices: Vec<u8> = rgba.pixels().map(|px| nq.index_of(&px.0) as u8).collect();
    let map = nq.color_map_rgba();
    let n = map.len() / 4;
    let palette: Vec<u8> = map
        .chunks_exact(4)
        .flat_map(|c| [c[0], c[1], c[2]])
        .collect();
    let trns: Vec<u8> = map.chunks_exact(4).map(|c| c[3]).collect();
    let mut enc = png::Encoder::new(&mut *out, p.width(), p.height());
    enc.set_color(png::ColorType::Indexed);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_palette(palette);
    if trns.iter().any(|&a| a != 255) {
        enc.set_trns(trns);
    }
    enc.set_compression(png::Compression::High);
    let mut w = enc.write_header().map_err(Error::encode)?;
    w.write_image_data(&indices).map_err(Error::encode)?;
    w.finish().map_err(Error::encode)?;
    debug_assert!(n <= 256);
    Ok(())
}

/// Insert an `iTXt` chunk with keyword `XML:com.adobe.xmp` right after IHDR.
pub(crate) fn insert_xmp(png: Vec<u8>, xmp: &[u8]) -> Vec<u8> {
    const IHDR_END: usize = 8 + 8 + 13 + 4;
    if png.len() < IHDR_END {
        return png;
    }
    let mut data = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    data.extend_from_slice(xmp);
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = b"iTXt".to_vec();
    body.extend_from_slice(&data);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..IHDR_END]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[IHDR_END..]);
    out
}
