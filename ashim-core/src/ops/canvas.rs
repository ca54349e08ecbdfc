//! Canvases, compositing and flattening.

use image::{DynamicImage, RgbImage, RgbaImage};

/// An 8-bit RGBA colour.
pub type Rgba = [u8; 4];

/// Drop alpha by blending over white (JPEG has no alpha).
pub fn flatten_rgb8(img: &DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(p.0[3]);
        for c in 0..3 {
            o.0[c] = ((u32::from(p.0[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// A `w`×`h` canvas filled with `color`.
pub fn solid_canvas(w: u32, h: u32, color: Rgba) -> RgbaImage {
    RgbaImage::from_pixel(w, h, image::Rgba(color))
}

/// Draw `top` over `canvas` at (`x`, `y`) with source-over alpha blending; parts outside
/// the canvas are clipped.
pub fn composite_onto(canvas: &mut RgbaImage, top: &DynamicImage, x: i64, y: i64) {
    let (cw, ch) = canvas.dimensions();
    let top = top.to_rgba8();
    for (tx, ty, p) in top.enumerate_pixels() {
        let (cx, cy) = (x + i64::from(tx), y + i64::from(ty));
        if cx < 0 || cy < 0 || cx >= i64::from(cw) || cy >= i64::from(ch) {
            continue;
        }
        let dst = canvas.get_pixel_mut(cx as u32, cy as u32);
        let sa = u32::from(p.0[3]);
        if sa == 255 {
            *dst = *p;
            continue;
        }
        let da = u32::from(dst.0[3]);
        let out_a = sa + da * (255 - sa) / 255;
        if out_a == 0 {
            *dst = image::Rgba([0, 0, 0, 0]);
            continue;
        }
        for c in 0..3 {
            let s = u32::from(p.0[c]) * sa;
            let d = u32::from(dst.0[c]) * da * (255 - sa) / 255;
            dst.0[c] = ((s + d) / out_a).min(255) as u8;
        }
        dst.0[3] = out_a as u8;
    }
}
