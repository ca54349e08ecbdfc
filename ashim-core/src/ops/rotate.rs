//! Rotation by any angle onto the bounding-box canvas, with bilinear sampling.

use image::{DynamicImage, RgbaImage};

/// Rotate clockwise by `degrees` about the centre onto a canvas the size of the rotated
/// bounding box; uncovered corners get `background`. Quarter turns should use the lossless
/// `rotate90`/`rotate180`/`rotate270` instead.
pub fn rotate_any(img: &DynamicImage, degrees: f64, background: [u8; 4]) -> DynamicImage {
    let src = img.to_rgba8();
    let (w, h) = (f64::from(src.width()), f64::from(src.height()));
    let rad = degrees.to_radians();
    let (sin, cos) = rad.sin_cos();
    let nw = (w * cos.abs() + h * sin.abs()).round().max(1.0);
    let nh = (w * sin.abs() + h * cos.abs()).round().max(1.0);
    let mut out = RgbaImage::from_pixel(nw as u32, nh as u32, image::Rgba(background));
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (ncx, ncy) = (nw / 2.0, nh / 2.0);
    let sample = |x: i64, y: i64| -> [f64; 4] {
        if x < 0 || y < 0 || x >= src.width() as i64 || y >= src.height() as i64 {
            background.map(f64::from)
        } else {
            src.get_pixel(x as u32, y as u32).0.map(f64::from)
        }
    };
    for (ox, oy, px) in out.enumerate_pixels_mut() {
        // Inverse mapping: rotate the destination pixel centre back into the source.
        let dx = f64::from(ox) + 0.5 - ncx;
        let dy = f64::from(oy) + 0.5 - ncy;
        let sx = dx * cos + dy * sin + cx - 0.5;
        let sy = -dx * sin + dy * cos + cy - 0.5;
        if sx < -1.0 || sy < -1.0 || sx > w || sy > h {
            continue;
        }
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (a, b, c, d) = (
            sample(x0, y0),
            sample(x0 + 1, y0),
            sample(x0, y0 + 1),
            sample(x0 + 1, y0 + 1),
        );
        for i in 0..4 {
            let top = a[i] * (1.0 - fx) + b[i] * fx;
            let bottom = c[i] * (1.0 - fx) + d[i] * fx;
            px.0[i] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
        }
    }
    if img.color().has_alpha() || background[3] != 255 {
        DynamicImage::ImageRgba8(out)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(out).to_rgb8())
    }
}
