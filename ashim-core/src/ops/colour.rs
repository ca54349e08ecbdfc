//! Colour maths shared by the colour tools: sRGB gamma, CIE Lab/LCh, HSL, channel
//! matrices, the adjust-colors pass, and [`Planes`], a float view of a frame that keeps
//! its bit depth and its alpha.

use crate::error::Result;
use image::{DynamicImage, ImageBuffer, Luma, LumaA, Rgb, Rgba};

/// A cancellation checkpoint: long loops call it (per row) and stop on `Err`.
pub type Checkpoint<'a> = &'a dyn Fn() -> Result<()>;

/// A checkpoint that never cancels (for callers without a run context).
pub fn no_checkpoint() -> Result<()> {
    Ok(())
}

/// Sample depth of a frame, kept from input to output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// 8 bits per sample.
    U8,
    /// 16 bits per sample.
    U16,
    /// 32-bit float samples (range not clamped).
    F32,
}

/// A frame split into planar float samples normalised to 0–1 (8- and 16-bit) or as stored
/// (float). Colour planes are one (grey) or three (R, G, B); alpha is separate so colour
/// maths never touches it.
#[derive(Debug, Clone, PartialEq)]
pub struct Planes {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// One plane (grey) or three (R, G, B), row-major.
    pub colour: Vec<Vec<f32>>,
    /// Alpha plane, when the frame has one.
    pub alpha: Option<Vec<f32>>,
    /// Depth the frame is written back at.
    pub depth: Depth,
}

fn split<T: Copy>(raw: &[T], n: usize, f: impl Fn(T) -> f32) -> Vec<Vec<f32>> {
    let len = raw.len() / n;
    let mut planes: Vec<Vec<f32>> = (0..n).map(|_| Vec::with_capacity(len)).collect();
    for px in raw.chunks_exact(n) {
        for (p, &v) in planes.iter_mut().zip(px) {
            p.push(f(v));
        }
    }
    planes
}

fn join<T: Copy>(planes: &[&[f32]], f: impl Fn(f32) -> T) -> Vec<T> {
    let len = planes.first().map_or(0, |p| p.len());
    let mut out = Vec::with_capacity(len * planes.len());
    for i in 0..len {
        for p in planes {
            out.push(f(p[i]));
        }
    }
    out
}

fn from8(v: u8) -> f32 {
    f32::from(v) / 255.0
}

fn from16(v: u16) -> f32 {
    f32::from(v) / 65535.0
}

fn to8(v: f32) -> u8 {
    (v * 255.0).round().clamp(0.0, 255.0) as u8
}

fn to16(v: f32) -> u16 {
    (v * 65535.0).round().clamp(0.0, 65535.0) as u16
}

impl Planes {
    /// Split a frame into planes, keeping its depth and alpha.
    pub fn from_dynamic(img: &DynamicImage) -> Self {
        let (width, height) = (img.width(), img.height());
        let (mut planes, alpha, depth) = match img {
            DynamicImage::ImageLuma8(b) => (split(b.as_raw(), 1, from8), false, Depth::U8),
            DynamicImage::ImageLumaA8(b) => (split(b.as_raw(), 2, from8), true, Depth::U8),
            DynamicImage::ImageRgb8(b) => (split(b.as_raw(), 3, from8), false, Depth::U8),
            DynamicImage::ImageRgba8(b) => (split(b.as_raw(), 4, from8), true, Depth::U8),
            DynamicImage::ImageLuma16(b) => (split(b.as_raw(), 1, from16), false, Depth::U16),
            DynamicImage::ImageLumaA16(b) => (split(b.as_raw(), 2, from16), true, Depth::U16),
            DynamicImage::ImageRgb16(b) => (split(b.as_raw(), 3, from16), false, Depth::U16),
            DynamicImage::ImageRgba16(b) => (split(b.as_raw(), 4, from16), true, Depth::U16),
            DynamicImage::ImageRgb32F(b) => (split(b.as_raw(), 3, |v| v), false, Depth::F32),
            DynamicImage::ImageRgba32F(b) => (split(b.as_raw(), 4, |v| v), true, Depth::F32),
            other => (
                split(other.to_rgba32f().as_raw(), 4, |v| v),
                true,
                Depth::F32,
            ),
        };
        let alpha = if alpha { planes.pop() } else { None };
        Self {
            width,
            height,
            colour: planes,
            alpha,
            depth,
        }
    }

    /// Pixel count.
    pub fn len(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// True for a zero-sized frame.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the frame has a single grey colour plane.
    pub fn is_grey(&self) -> bool {
        self.colour.len() == 1
    }

    /// Turn a grey frame into R, G, B planes (no-op for colour frames).
    pub fn promote_to_rgb(&mut self) {
        if self.is_grey() {
            let g = self.colour[0].clone();
            self.colour = vec![g.clone(), g.clone(), g];
        }
    }

    /// Add an opaque alpha plane if there is none.
    pub fn ensure_alpha(&mut self) {
        if self.alpha.is_none() {
            self.alpha = Some(vec![1.0; self.len()]);
        }
    }

    /// The colour of pixel `i` as R, G, B (grey repeated).
    pub fn rgb(&self, i: usize) -> [f32; 3] {
        if self.is_grey() {
            let v = self.colour[0][i];
            [v, v, v]
        } else {
            [self.colour[0][i], self.colour[1][i], self.colour[2][i]]
        }
    }

    /// Alpha of pixel `i` (1 without an alpha plane).
    pub fn alpha_at(&self, i: usize) -> f32 {
        self.alpha.as_ref().map_or(1.0, |a| a[i])
    }

    /// Set the colour of pixel `i`; a grey frame stores the mean of the three.
    pub fn set_rgb(&mut self, i: usize, c: [f32; 3]) {
        if self.is_grey() {
            self.colour[0][i] = (c[0] + c[1] + c[2]) / 3.0;
        } else {
            for (p, v) in self.colour.iter_mut().zip(c) {
                p[i] = v;
            }
        }
    }

    /// Apply `f` to every pixel's colour (alpha untouched), checking for cancellation
    /// once per row. Grey frames pass `[v, v, v]` and keep the mean, so callers that can
    /// produce colour must [`promote_to_rgb`](Self::promote_to_rgb) first.
    pub fn map_rgb(&mut self, cp: Checkpoint<'_>, mut f: impl FnMut(&mut [f32; 3])) -> Result<()> {
        let w = self.width as usize;
        for i in 0..self.len() {
            if w > 0 && i % w == 0 {
                cp()?;
            }
            let mut c = self.rgb(i);
            f(&mut c);
            self.set_rgb(i, c);
        }
        Ok(())
    }

    /// Values are clamped to 0–1 on the way back for integer depths only.
    pub fn clamps(&self) -> bool {
        self.depth != Depth::F32
    }

    /// Join the planes back into a frame of the original depth.
    pub fn into_dynamic(self) -> DynamicImage {
        let (w, h) = (self.width, self.height);
        let mut refs: Vec<&[f32]> = self.colour.iter().map(Vec::as_slice).collect();
        if let Some(a) = &self.alpha {
            refs.push(a);
        }
        let n = refs.len();
        macro_rules! buf {
            ($px:ident, $conv:expr) => {
                ImageBuffer::<$px<_>, _>::from_raw(w, h, join(&refs, $conv))
                    .expect("plane lengths match the frame size")
            };
        }
        match (self.depth, n) {
            (Depth::U8, 1) => DynamicImage::ImageLuma8(buf!(Luma, to8)),
            (Depth::U8, 2) => DynamicImage::ImageLumaA8(buf!(LumaA, to8)),
            (Depth::U8, 3) => DynamicImage::ImageRgb8(buf!(Rgb, to8)),
            (Depth::U8, _) => DynamicImage::ImageRgba8(buf!(Rgba, to8)),
            (Depth::U16, 1) => DynamicImage::ImageLuma16(buf!(Luma, to16)),
            (Depth::U16, 2) => DynamicImage::ImageLumaA16(buf!(LumaA, to16)),
            (Depth::U16, 3) => DynamicImage::ImageRgb16(buf!(Rgb, to16)),
            (Depth::U16, _) => DynamicImage::ImageRgba16(buf!(Rgba, to16)),
            (Depth::F32, 1 | 3) => {
                let mut p = self;
                p.promote_to_rgb();
                let refs: Vec<&[f32]> = p.colour.iter().map(Vec::as_slice).collect();
                DynamicImage::ImageRgb32F(
                    ImageBuffer::from_raw(w, h, join(&refs, |v| v))
                        .expect("plane lengths match the frame size"),
                )
            }
            (Depth::F32, _) => {
                let mut p = self;
                p.promote_to_rgb();
                let mut refs: Vec<&[f32]> = p.colour.iter().map(Vec::as_slice).collect();
                if let Some(a) = &p.alpha {
                    refs.push(a);
                }
                DynamicImage::ImageRgba32F(
                    ImageBuffer::from_raw(w, h, join(&refs, |v| v))
                        .expect("plane lengths match the frame size"),
                )
            }
        }
    }
}

// ---- sRGB transfer ------------------------------------------------------------------

/// sRGB-encoded value (0–1) to linear light; sign-symmetric for out-of-range floats.
pub fn srgb_to_linear(v: f32) -> f32 {
    let a = v.abs();
    let l = if a <= 0.040_45 {
        a / 12.92
    } else {
        ((a + 0.055) / 1.055).powf(2.4)
    };
    l.copysign(v)
}

/// Linear light (0–1) to sRGB encoding; sign-symmetric for out-of-range floats.
pub fn linear_to_srgb(v: f32) -> f32 {
    let a = v.abs();
    let s = if a <= 0.003_130_8 {
        a * 12.92
    } else {
        1.055 * a.powf(1.0 / 2.4) - 0.055
    };
    s.copysign(v)
}

/// Relative luminance (linear Y, Rec. 709 primaries) of an sRGB colour.
pub fn luminance(c: [f32; 3]) -> f32 {
    0.2126 * srgb_to_linear(c[0]) + 0.7152 * srgb_to_linear(c[1]) + 0.0722 * srgb_to_linear(c[2])
}

// ---- CIE Lab / LCh (D65) --------------------------------------------------------------

const WHITE: [f32; 3] = [0.950_47, 1.0, 1.088_83];
const EPS: f32 = 216.0 / 24389.0; // (6/29)^3
const KAPPA: f32 = 24389.0 / 27.0;

fn lab_f(t: f32) -> f32 {
    if t > EPS {
        t.cbrt()
    } else {
        (KAPPA * t + 16.0) / 116.0
    }
}

fn lab_finv(t: f32) -> f32 {
    let t3 = t * t * t;
    if t3 > EPS {
        t3
    } else {
        (116.0 * t - 16.0) / KAPPA
    }
}

/// sRGB (0–1) to CIE L\*a\*b\* (L 0–100), D65 white.
pub fn srgb_to_lab(c: [f32; 3]) -> [f32; 3] {
    let [r, g, b] = c.map(srgb_to_linear);
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = 0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b;
    let (fx, fy, fz) = (
        lab_f(x / WHITE[0]),
        lab_f(y / WHITE[1]),
        lab_f(z / WHITE[2]),
    );
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIE L\*a\*b\* back to sRGB (0–1, not clamped).
pub fn lab_to_srgb(lab: [f32; 3]) -> [f32; 3] {
    let fy = (lab[0] + 16.0) / 116.0;
    let fx = fy + lab[1] / 500.0;
    let fz = fy - lab[2] / 200.0;
    let (x, y, z) = (
        lab_finv(fx) * WHITE[0],
        lab_finv(fy) * WHITE[1],
        lab_finv(fz) * WHITE[2],
    );
    let r = 3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z;
    let g = -0.969_266 * x + 1.876_010_8 * y + 0.041_556 * z;
    let b = 0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z;
    [r, g, b].map(linear_to_srgb)
}

/// Lab to LCh (hue in degrees, 0–360).
pub fn lab_to_lch(lab: [f32; 3]) -> [f32; 3] {
    let c = lab[1].hypot(lab[2]);
    let h = lab[2].atan2(lab[1]).to_degrees().rem_euclid(360.0);
    [lab[0], c, h]
}

/// LCh (hue in degrees) to Lab.
pub fn lch_to_lab(lch: [f32; 3]) -> [f32; 3] {
    let (s, c) = lch[2].to_radians().sin_cos();
    [lch[0], lch[1] * c, lch[1] * s]
}

// ---- HSL ---------------------------------------------------------------------------

/// sRGB (0–1) to HSL: hue in degrees 0–360, saturation and lightness 0–1.
pub fn rgb_to_hsl(c: [f32; 3]) -> [f32; 3] {
    let [r, g, b] = c;
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let l = (max + min) / 2.0;
    let d = max - min;
    if d <= f32::EPSILON {
        return [0.0, 0.0, l];
    }
    let s = d / (1.0 - (2.0 * l - 1.0).abs());
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    [h * 60.0, s, l]
}

/// HSL (hue in degrees) to sRGB (0–1).
pub fn hsl_to_rgb(hsl: [f32; 3]) -> [f32; 3] {
    let [h, s, l] = hsl;
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h.rem_euclid(360.0) / 60.0;
    let x = c * (1.0 - (hp.rem_euclid(2.0) - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r + m, g + m, b + m]
}

// ---- channel matrices ----------------------------------------------------------------

/// A 3×3 matrix applied to (R, G, B) column vectors.
pub type Matrix3 = [[f32; 3]; 3];

/// The identity matrix.
pub const IDENTITY: Matrix3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// The classic sepia matrix (tools-essentials §12).
pub const SEPIA: Matrix3 = [
    [0.393, 0.769, 0.189],
    [0.349, 0.686, 0.168],
    [0.272, 0.534, 0.131],
];

/// Per-channel gains as a diagonal matrix.
pub fn gains(r: f32, g: f32, b: f32) -> Matrix3 {
    [[r, 0.0, 0.0], [0.0, g, 0.0], [0.0, 0.0, b]]
}

/// The temperature/tint gains of §12 (t, n in −100…100).
pub fn temperature_tint(t: f32, n: f32) -> Matrix3 {
    let (t, n) = (t / 100.0, n / 100.0);
    gains(
        1.0 + 0.15 * t + 0.1 * n,
        1.0 + 0.05 * t - 0.15 * n,
        1.0 - 0.15 * t + 0.1 * n,
    )
}

/// Matrix product `a · b` (apply `b` first, then `a`).
pub fn mat_mul(a: &Matrix3, b: &Matrix3) -> Matrix3 {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

/// Apply a matrix to one colour.
pub fn mat_apply(m: &Matrix3, c: [f32; 3]) -> [f32; 3] {
    [0, 1, 2].map(|i| m[i][0] * c[0] + m[i][1] * c[1] + m[i][2] * c[2])
}

// ---- the adjust-colors pass -------------------------------------------------------------

/// Effects of adjust-colors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Effect {
    /// No effect.
    #[default]
    None,
    /// Luminance grey (three equal channels for colour input).
    Grayscale,
    /// The sepia matrix.
    Sepia,
    /// Invert colour channels (alpha kept: DECISIONS 11).
    Invert,
}

/// Every colour adjustment of adjust-colors (§12), in its units (mostly −100…100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColourAdjust {
    /// LCh lightness × (1 + b/100) (chroma too when darkening, so −100 is black).
    pub brightness: f32,
    /// Linear contrast about mid-grey, k = 1 + c/100.
    pub contrast: f32,
    /// Gamma: g = 1 + 2|e|/100, darkening below 0, brightening above.
    pub exposure: f32,
    /// LCh chroma × (1 + s/100).
    pub saturation: f32,
    /// Warm/cool gains.
    pub temperature: f32,
    /// Green/magenta gains.
    pub tint: f32,
    /// Degrees added to the LCh hue.
    pub hue: f32,
    /// Red gain in percent (100 = unchanged).
    pub red: f32,
    /// Green gain in percent.
    pub green: f32,
    /// Blue gain in percent.
    pub blue: f32,
    /// Effect applied.
    pub effect: Effect,
}

impl Default for ColourAdjust {
    fn default() -> Self {
        Self {
            brightness: 0.0,
            contrast: 0.0,
            exposure: 0.0,
            saturation: 0.0,
            temperature: 0.0,
            tint: 0.0,
            hue: 0.0,
            red: 100.0,
            green: 100.0,
            blue: 100.0,
            effect: Effect::None,
        }
    }
}

impl ColourAdjust {
    /// The combined channel matrix: sepia first, then temperature/tint, then channel gains
    /// (the reference applies only one of them; ashim applies all it is asked for).
    pub fn matrix(&self) -> Option<Matrix3> {
        let mut m = IDENTITY;
        let mut any = false;
        if self.effect == Effect::Sepia {
            m = SEPIA;
            any = true;
        }
        if self.temperature != 0.0 || self.tint != 0.0 {
            m = mat_mul(&temperature_tint(self.temperature, self.tint), &m);
            any = true;
        }
        if self.red != 100.0 || self.green != 100.0 || self.blue != 100.0 {
            m = mat_mul(
                &gains(self.red / 100.0, self.green / 100.0, self.blue / 100.0),
                &m,
            );
            any = true;
        }
        any.then_some(m)
    }

    /// True when the pass can turn grey pixels into coloured ones.
    pub fn makes_colour(&self) -> bool {
        match self.matrix() {
            Some(m) => {
                // Grey stays grey when every row sums to the same value.
                let sums = m.map(|r| r[0] + r[1] + r[2]);
                (sums[0] - sums[1]).abs() > 1e-6 || (sums[1] - sums[2]).abs() > 1e-6
            }
            None => false,
        }
    }

    /// True when the pass changes nothing.
    pub fn is_identity(&self) -> bool {
        *self == Self::default()
    }

    /// The stages before sharpening: darkening gamma, grayscale, matrix, LCh modulate.
    pub fn pre_sharpen(&self) -> impl Fn(&mut [f32; 3]) + use<> {
        let darken = (self.exposure < 0.0).then(|| 1.0 + 2.0 * self.exposure.abs() / 100.0);
        let grey = self.effect == Effect::Grayscale;
        let matrix = self.matrix();
        let l = 1.0 + self.brightness / 100.0;
        // Darkening also scales chroma by the same factor, so −100 reaches black instead
        // of an out-of-gamut colour at L = 0.
        let c = (1.0 + self.saturation / 100.0) * l.min(1.0);
        let h = self.hue;
        let modulate = self.brightness != 0.0 || self.saturation != 0.0 || self.hue != 0.0;
        move |px: &mut [f32; 3]| {
            if let Some(g) = darken {
                *px = px.map(|v| v.max(0.0).powf(g));
            }
            if grey {
                let y = linear_to_srgb(luminance(*px));
                *px = [y, y, y];
            }
            if let Some(m) = &matrix {
                *px = mat_apply(m, *px).map(|v| v.max(0.0));
            }
            if modulate {
                let lch = lab_to_lch(srgb_to_lab(*px));
                let out = lab_to_srgb(lch_to_lab([lch[0] * l, lch[1] * c, lch[2] + h]));
                *px = out.map(|v| v.max(0.0));
            }
        }
    }

    /// The stages after sharpening: brightening gamma, contrast, invert.
    pub fn post_sharpen(&self) -> impl Fn(&mut [f32; 3]) + use<> {
        let brighten = (self.exposure > 0.0).then(|| 1.0 / (1.0 + 2.0 * self.exposure / 100.0));
        let k = 1.0 + self.contrast / 100.0;
        let contrast = self.contrast != 0.0;
        let mid = 128.0 / 255.0;
        let invert = self.effect == Effect::Invert;
        move |px: &mut [f32; 3]| {
            if let Some(g) = brighten {
                *px = px.map(|v| v.max(0.0).powf(g));
            }
            if contrast {
                *px = px.map(|v| (k * v + mid * (1.0 - k)).max(0.0));
            }
            if invert {
                *px = px.map(|v| 1.0 - v);
            }
        }
    }
}

/// Apply a [`ColourAdjust`] to one frame, with an optional adaptive sharpen between the
/// stages (the library's order). Depth and alpha are kept; grey frames stay grey unless a
/// channel matrix colours them.
pub fn adjust_colours(
    img: &DynamicImage,
    adj: &ColourAdjust,
    sharpen: Option<&super::sharpen::SharpenParams>,
    cp: Checkpoint<'_>,
) -> Result<DynamicImage> {
    if adj.is_identity() && sharpen.is_none() {
        return Ok(img.clone());
    }
    let mut p = Planes::from_dynamic(img);
    if adj.makes_colour() {
        p.promote_to_rgb();
    }
    let clamp = p.clamps();
    let pre = adj.pre_sharpen();
    let post = adj.post_sharpen();
    let finish = |px: &mut [f32; 3]| {
        if clamp {
            *px = px.map(|v| v.clamp(0.0, 1.0));
        }
    };
    match sharpen {
        None => p.map_rgb(cp, |px| {
            pre(px);
            finish(px);
            post(px);
            finish(px);
        })?,
        Some(s) => {
            p.map_rgb(cp, |px| {
                pre(px);
                finish(px);
            })?;
            super::sharpen::adaptive_sharpen(&mut p, s, cp)?;
            p.map_rgb(cp, |px| {
                post(px);
                finish(px);
            })?;
        }
    }
    Ok(p.into_dynamic())
}

// ---- statistics ----------------------------------------------------------------------

/// Mean and sample standard deviation of one channel, on the 0–255 scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelStats {
    /// Mean value.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub stdev: f64,
}

/// Statistics of every channel of a frame (colour planes then alpha), 0–255 scale.
pub fn channel_stats(img: &DynamicImage) -> Vec<ChannelStats> {
    let p = Planes::from_dynamic(img);
    let n = p.len() as f64;
    p.colour
        .iter()
        .chain(p.alpha.iter())
        .map(|plane| {
            let (mut s, mut s2) = (0.0f64, 0.0f64);
            for &v in plane {
                let v = f64::from(v) * 255.0;
                s += v;
                s2 += v * v;
            }
            let mean = if n > 0.0 { s / n } else { 0.0 };
            let var = if n > 1.0 {
                ((s2 - s * s / n) / (n - 1.0)).max(0.0)
            } else {
                0.0
            };
            ChannelStats {
                mean,
                stdev: var.sqrt(),
            }
        })
        .collect()
}

/// Shannon entropy (bits) of the 8-bit grey histogram.
pub fn grey_entropy(img: &DynamicImage) -> f64 {
    let grey = img.to_luma8();
    let mut hist = [0u64; 256];
    for &v in grey.as_raw() {
        hist[usize::from(v)] += 1;
    }
    let n = grey.as_raw().len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    hist.iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, RgbImage, RgbaImage};
    type Rgb16Image = ImageBuffer<Rgb<u16>, Vec<u16>>;

    fn close(a: [f32; 3], b: [f32; 3], tol: f32) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn gamma_round_trips_and_hits_known_points() {
        for i in 0..=255u8 {
            let v = f32::from(i) / 255.0;
            assert!((linear_to_srgb(srgb_to_linear(v)) - v).abs() < 1e-5);
        }
        assert!((srgb_to_linear(0.5) - 0.214_041).abs() < 1e-5);
        assert_eq!(srgb_to_linear(1.0), 1.0);
    }

    #[test]
    fn lab_of_known_colours() {
        let white = srgb_to_lab([1.0, 1.0, 1.0]);
        assert!(close(white, [100.0, 0.0, 0.0], 0.01), "{white:?}");
        let red = srgb_to_lab([1.0, 0.0, 0.0]);
        assert!(close(red, [53.24, 80.09, 67.20], 0.05), "{red:?}");
        for c in [[0.2, 0.4, 0.6], [0.9, 0.1, 0.3], [0.0, 0.0, 0.0]] {
            let back = lab_to_srgb(lch_to_lab(lab_to_lch(srgb_to_lab(c))));
            assert!(close(back, c, 1e-4), "{c:?} -> {back:?}");
        }
    }

    #[test]
    fn hsl_round_trips() {
        assert!(close(rgb_to_hsl([1.0, 0.0, 0.0]), [0.0, 1.0, 0.5], 1e-6));
        assert!(close(rgb_to_hsl([0.0, 0.0, 1.0]), [240.0, 1.0, 0.5], 1e-4));
        for c in [[0.2, 0.4, 0.6], [0.9, 0.1, 0.3], [0.5, 0.5, 0.5]] {
            assert!(close(hsl_to_rgb(rgb_to_hsl(c)), c, 1e-5));
        }
    }

    #[test]
    fn matrices_compose_in_order() {
        let m = mat_mul(&gains(2.0, 1.0, 1.0), &SEPIA);
        assert!((m[0][0] - 0.786).abs() < 1e-6 && (m[1][1] - 0.686).abs() < 1e-6);
        let warm = mat_apply(&temperature_tint(100.0, 0.0), [0.5, 0.5, 0.5]);
        assert!(warm[0] > 0.5 && warm[2] < 0.5);
    }

    #[test]
    fn planes_round_trip_every_layout() {
        let rgba = RgbaImage::from_fn(5, 3, |x, y| {
            image::Rgba([x as u8 * 40, y as u8 * 60, 7, 99])
        });
        for img in [
            DynamicImage::ImageRgba8(rgba.clone()),
            DynamicImage::ImageRgba8(rgba.clone()).to_luma8().into(),
            DynamicImage::ImageRgba8(rgba.clone())
                .to_luma_alpha8()
                .into(),
            DynamicImage::ImageRgba8(rgba.clone()).to_rgb16().into(),
            DynamicImage::ImageRgba8(rgba.clone()).to_rgba16().into(),
            DynamicImage::ImageRgba8(rgba.clone()).to_rgb32f().into(),
        ] {
            let back = Planes::from_dynamic(&img).into_dynamic();
            assert_eq!(back.color(), img.color());
            assert_eq!(back.as_bytes(), img.as_bytes());
        }
    }

    #[test]
    fn brightness_moves_lightness_and_keeps_alpha() {
        let img: DynamicImage =
            RgbaImage::from_pixel(4, 4, image::Rgba([100, 120, 140, 77])).into();
        let adj = ColourAdjust {
            brightness: 30.0,
            ..Default::default()
        };
        let out = adjust_colours(&img, &adj, None, &no_checkpoint)
            .unwrap()
            .to_rgba8();
        let p = out.get_pixel(1, 1).0;
        assert!(p[0] > 100 && p[1] > 120 && p[2] > 140, "{p:?}");
        assert_eq!(p[3], 77);
        let dark = ColourAdjust {
            brightness: -100.0,
            ..Default::default()
        };
        let out = adjust_colours(&img, &dark, None, &no_checkpoint)
            .unwrap()
            .to_rgba8();
        assert_eq!(out.get_pixel(0, 0).0, [0, 0, 0, 77]);
    }

    #[test]
    fn grayscale_makes_equal_channels_and_invert_keeps_alpha() {
        let img: DynamicImage = RgbaImage::from_fn(8, 8, |x, y| {
            image::Rgba([x as u8 * 30, y as u8 * 30, 200, 128])
        })
        .into();
        let g = ColourAdjust {
            effect: Effect::Grayscale,
            ..Default::default()
        };
        let out = adjust_colours(&img, &g, None, &no_checkpoint)
            .unwrap()
            .to_rgba8();
        for p in out.pixels() {
            assert!(p.0[0] == p.0[1] && p.0[1] == p.0[2] && p.0[3] == 128);
        }
        let inv = ColourAdjust {
            effect: Effect::Invert,
            ..Default::default()
        };
        let out = adjust_colours(&img, &inv, None, &no_checkpoint)
            .unwrap()
            .to_rgba8();
        assert_eq!(out.get_pixel(1, 2).0, [225, 195, 55, 128]);
    }

    #[test]
    fn contrast_and_exposure_follow_the_formulas() {
        let img: DynamicImage = RgbImage::from_pixel(2, 2, image::Rgb([64, 128, 192])).into();
        let c = ColourAdjust {
            contrast: 50.0,
            ..Default::default()
        };
        let out = adjust_colours(&img, &c, None, &no_checkpoint)
            .unwrap()
            .to_rgb8();
        // k = 1.5: 1.5·64 − 64 = 32; 128 stays; 1.5·192 − 64 = 224.
        assert_eq!(out.get_pixel(0, 0).0, [32, 128, 224]);
        let e = ColourAdjust {
            exposure: 50.0,
            ..Default::default()
        };
        let out = adjust_colours(&img, &e, None, &no_checkpoint)
            .unwrap()
            .to_rgb8();
        // g = 2: 255·(64/255)^(1/2) = 127.75.
        assert_eq!(out.get_pixel(0, 0).0[0], 128);
    }

    #[test]
    fn sixteen_bit_and_grey_frames_keep_their_layout() {
        let img: DynamicImage =
            Rgb16Image::from_pixel(3, 3, image::Rgb([10_000, 20_000, 30_000])).into();
        let adj = ColourAdjust {
            saturation: -100.0,
            ..Default::default()
        };
        let out = adjust_colours(&img, &adj, None, &no_checkpoint).unwrap();
        assert_eq!(out.color(), image::ColorType::Rgb16);
        let p = out.as_rgb16().unwrap().get_pixel(0, 0).0;
        assert!(p[0].abs_diff(p[2]) < 40, "{p:?}");
        let grey: DynamicImage = GrayImage::from_pixel(3, 3, image::Luma([90])).into();
        let warm = ColourAdjust {
            temperature: 80.0,
            ..Default::default()
        };
        assert_eq!(
            adjust_colours(&grey, &adj, None, &no_checkpoint)
                .unwrap()
                .color(),
            image::ColorType::L8
        );
        let out = adjust_colours(&grey, &warm, None, &no_checkpoint).unwrap();
        assert_eq!(out.color(), image::ColorType::Rgb8);
        let p = out.as_rgb8().unwrap().get_pixel(0, 0).0;
        assert!(p[0] > p[2]);
    }

    #[test]
    fn checkpoint_cancels() {
        let img: DynamicImage = RgbImage::new(4, 4).into();
        let adj = ColourAdjust {
            contrast: 10.0,
            ..Default::default()
        };
        let stop = || Err(crate::Error::internal("cancelled"));
        assert!(adjust_colours(&img, &adj, None, &stop).is_err());
    }

    #[test]
    fn stats_and_entropy() {
        let img: DynamicImage =
            GrayImage::from_fn(2, 1, |x, _| image::Luma([x as u8 * 255])).into();
        let s = channel_stats(&img);
        assert_eq!(s.len(), 1);
        assert!((s[0].mean - 127.5).abs() < 1e-9);
        assert!((s[0].stdev - 180.312).abs() < 1e-3);
        assert!((grey_entropy(&img) - 1.0).abs() < 1e-12);
    }
}
