//! Separable W3C/PDF blend modes and source-over compositing on un-premultiplied colour.

use super::colour::{Checkpoint, Planes};
use crate::error::Result;

/// A separable blend mode (W3C Compositing and Blending Level 1); on the wire in kebab-case.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum BlendMode {
    /// Plain source-over.
    #[default]
    Over,
    /// Cb · Cs.
    Multiply,
    /// Cb + Cs − Cb · Cs.
    Screen,
    /// Hard-light with the layers swapped.
    Overlay,
    /// min(Cb, Cs).
    Darken,
    /// max(Cb, Cs).
    Lighten,
    /// Multiply or screen depending on the source.
    HardLight,
    /// The W3C soft-light formula.
    SoftLight,
    /// |Cb − Cs|.
    Difference,
    /// Cb + Cs − 2 · Cb · Cs.
    Exclusion,
}

impl BlendMode {
    /// B(Cb, Cs) for one channel (values 0–1).
    pub fn blend(self, cb: f32, cs: f32) -> f32 {
        fn hard_light(cb: f32, cs: f32) -> f32 {
            if cs <= 0.5 {
                cb * 2.0 * cs
            } else {
                let s = 2.0 * cs - 1.0;
                cb + s - cb * s
            }
        }
        match self {
            Self::Over => cs,
            Self::Multiply => cb * cs,
            Self::Screen => cb + cs - cb * cs,
            Self::Overlay => hard_light(cs, cb),
            Self::Darken => cb.min(cs),
            Self::Lighten => cb.max(cs),
            Self::HardLight => hard_light(cb, cs),
            Self::SoftLight => {
                if cs <= 0.5 {
                    cb - (1.0 - 2.0 * cs) * cb * (1.0 - cb)
                } else {
                    let d = if cb <= 0.25 {
                        ((16.0 * cb - 12.0) * cb + 4.0) * cb
                    } else {
                        cb.sqrt()
                    };
                    cb + (2.0 * cs - 1.0) * (d - cb)
                }
            }
            Self::Difference => (cb - cs).abs(),
            Self::Exclusion => cb + cs - 2.0 * cb * cs,
        }
    }
}

/// Draw `top` over `base` with its top-left at (`x`, `y`) (clipped to the base), blending
/// with `mode` and scaling the top's alpha by `opacity` (0–1). The base keeps its size and
/// depth; a grey base becomes colour when the top is colour, and gains alpha only if it had
/// one.
pub fn blend_onto(
    base: &mut Planes,
    top: &Planes,
    x: i64,
    y: i64,
    mode: BlendMode,
    opacity: f32,
    cp: Checkpoint<'_>,
) -> Result<()> {
    if !top.is_grey() {
        base.promote_to_rgb();
    }
    let (bw, bh) = (i64::from(base.width), i64::from(base.height));
    let tw = i64::from(top.width);
    let clamp = base.clamps();
    for ty in 0..i64::from(top.height) {
        let by = y + ty;
        if by < 0 || by >= bh {
            continue;
        }
        cp()?;
        for tx in 0..tw {
            let bx = x + tx;
            if bx < 0 || bx >= bw {
                continue;
            }
            let ti = (ty * tw + tx) as usize;
            let bi = (by * bw + bx) as usize;
            let a_s = top.alpha_at(ti) * opacity;
            if a_s <= 0.0 {
                continue;
            }
            let a_b = base.alpha_at(bi);
            let cs = top.rgb(ti);
            let cb = base.rgb(bi);
            let a_o = a_s + a_b * (1.0 - a_s);
            let mut out = [0.0f32; 3];
            for c in 0..3 {
                let mixed = (1.0 - a_b) * cs[c] + a_b * mode.blend(cb[c], cs[c]);
                let v = (a_s * mixed + a_b * cb[c] * (1.0 - a_s)) / a_o;
                out[c] = if clamp { v.clamp(0.0, 1.0) } else { v };
            }
            base.set_rgb(bi, out);
            if let Some(a) = base.alpha.as_mut() {
                a[bi] = a_o;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::colour::no_checkpoint;
    use image::{DynamicImage, RgbImage, RgbaImage};

    const ALL: [BlendMode; 10] = [
        BlendMode::Over,
        BlendMode::Multiply,
        BlendMode::Screen,
        BlendMode::Overlay,
        BlendMode::Darken,
        BlendMode::Lighten,
        BlendMode::HardLight,
        BlendMode::SoftLight,
        BlendMode::Difference,
        BlendMode::Exclusion,
    ];

    #[test]
    fn modes_match_their_formulas() {
        let (cb, cs) = (0.6f32, 0.3f32);
        let want = [
            0.3,
            0.18,
            0.72,
            1.0 - 2.0 * (1.0 - 0.6) * (1.0 - 0.3), // overlay: cb > .5 → screen(2cb−1)
            0.3,
            0.6,
            0.36,
            0.6 - 0.4 * 0.6 * 0.4,
            0.3,
            0.54,
        ];
        for (m, w) in ALL.iter().zip(want) {
            assert!((m.blend(cb, cs) - w).abs() < 1e-6, "{m:?}");
        }
        for m in ALL {
            for v in [0.0f32, 0.25, 0.5, 1.0] {
                let b = m.blend(v, 0.7);
                assert!((0.0..=1.0).contains(&b), "{m:?} {v}");
            }
        }
        // White is neutral for multiply, black for screen.
        assert_eq!(BlendMode::Multiply.blend(0.4, 1.0), 0.4);
        assert_eq!(BlendMode::Screen.blend(0.4, 0.0), 0.4);
    }

    #[test]
    fn over_with_opacity_and_clipping() {
        let mut base =
            Planes::from_dynamic(&RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 0])).into());
        let top =
            Planes::from_dynamic(&RgbImage::from_pixel(3, 3, image::Rgb([255, 255, 255])).into());
        blend_onto(&mut base, &top, 2, 2, BlendMode::Over, 0.5, &no_checkpoint).unwrap();
        let out = base.into_dynamic();
        assert_eq!(out.color(), image::ColorType::Rgb8);
        let out = out.to_rgb8();
        assert_eq!(out.get_pixel(3, 3).0, [128, 128, 128]);
        assert_eq!(out.get_pixel(1, 3).0, [0, 0, 0]);
    }

    #[test]
    fn transparent_base_takes_the_source_colour() {
        let mut base: Planes =
            Planes::from_dynamic(&RgbaImage::from_pixel(2, 2, image::Rgba([0, 0, 0, 0])).into());
        let top: DynamicImage =
            RgbaImage::from_pixel(2, 2, image::Rgba([200, 100, 50, 255])).into();
        blend_onto(
            &mut base,
            &Planes::from_dynamic(&top),
            0,
            0,
            BlendMode::Multiply,
            1.0,
            &no_checkpoint,
        )
        .unwrap();
        assert_eq!(
            base.into_dynamic().to_rgba8().get_pixel(0, 0).0,
            [200, 100, 50, 255]
        );
    }
}
