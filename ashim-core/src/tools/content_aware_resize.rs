//! `content-aware-resize` (tools-creative-ai §18): seam carving written here. The energy
//! is the Sobel gradient of the blurred grey image with weak edges gated off; the cheapest
//! 8-connected seam is found by dynamic programming and removed (or, to enlarge, the k
//! cheapest seams are duplicated, averaged with their neighbours). Heights are carved on
//! the transposed image. Optional face protection uses the face detector when installed.

use crate::ai::{self, faces};
use crate::error::{Error, Result};
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::naming;
use crate::ops::gaussian_plane;
use crate::tool::{Availability, Category, Context, Inputs, Output, Tool, ToolMeta};
use image::{DynamicImage, RgbImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`ContentAwareResize`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
#[schemars(example = serde_json::json!({"width": 150}))]
pub struct ContentAwareResizeSettings {
    /// Target width in pixels; absent keeps the width.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub width: Option<u32>,
    /// Target height in pixels; absent keeps the height.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub height: Option<u32>,
    /// Give detected faces maximal energy so no seam crosses them (needs the
    /// face-detection models; ignored without them).
    pub protect_faces: bool,
    /// Blur radius (0–20) applied to the grey image before the Sobel filter. Default 4.
    #[schemars(range(min = 0.0, max = 20.0))]
    pub blur_radius: f64,
    /// Gradient magnitudes (0–255 scale) below this count as flat, 1–20. Default 2.
    #[schemars(range(min = 1.0, max = 20.0))]
    pub sobel_threshold: f64,
    /// Make the image square on its shorter side.
    pub square: bool,
}

impl Default for ContentAwareResizeSettings {
    fn default() -> Self {
        Self {
            width: None,
            height: None,
            protect_faces: false,
            blur_radius: 4.0,
            sobel_threshold: 2.0,
            square: false,
        }
    }
}

/// Largest source image, in megapixels.
const MAX_MP: f64 = 25.0;
/// Energy given to protected pixels.
const PROTECTED: f32 = 1.0e6;

/// The target size for a `w`×`h` source, or the 422 that says why not.
pub fn target_size(s: &ContentAwareResizeSettings, w: u32, h: u32) -> Result<(u32, u32)> {
    let mp = f64::from(w) * f64::from(h) / 1.0e6;
    if mp > MAX_MP {
        return Err(Error::unprocessable(format!(
            "Image is too large for content-aware resize ({mp:.1} MP, max 25 MP). Resize it first."
        )));
    }
    let (tw, th) = if s.square {
        let side = w.min(h);
        (side, side)
    } else {
        (s.width.unwrap_or(w), s.height.unwrap_or(h))
    };
    if u64::from(tw) * 4 < u64::from(w) || u64::from(th) * 4 < u64::from(h) {
        return Err(Error::unprocessable(format!(
            "Content-aware resize cannot reduce dimensions by more than 75% ({w}x{h} to {tw}x{th})"
        )));
    }
    if f64::from(tw) * f64::from(th) / 1.0e6 > MAX_MP {
        return Err(Error::unprocessable(format!(
            "The target {tw}x{th} is larger than 25 MP"
        )));
    }
    Ok((tw, th))
}

/// A carving state: pixels, blurred grey and energy in rows of stride `stride`, of which
/// the first `w` columns are live.
struct Carver {
    stride: usize,
    w: usize,
    h: usize,
    px: Vec<[u8; 3]>,
    grey: Vec<f32>,
    energy: Vec<f32>,
    protect: Vec<bool>,
    /// Column of each live pixel in the image the carver was built from.
    orig: Vec<u32>,
    threshold: f32,
    cost: Vec<f32>,
}

impl Carver {
    fn new(img: &RgbImage, protect: Vec<bool>, sigma: f32, threshold: f32) -> Result<Self> {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let px: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
        let grey: Vec<f32> = px
            .iter()
            .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
            .collect();
        let grey = gaussian_plane(&grey, w, h, sigma, &|| Ok(()))?;
        let orig = (0..h).flat_map(|_| 0..w as u32).collect();
        let mut c = Self {
            stride: w,
            w,
            h,
            px,
            grey,
            energy: vec![0.0; w * h],
            protect,
            orig,
            threshold,
            cost: vec![0.0; w * h],
        };
        for y in 0..h {
            for x in 0..w {
                c.update_energy(x, y);
            }
        }
        Ok(c)
    }

    fn g(&self, x: isize, y: isize) -> f32 {
        let x = x.clamp(0, self.w as isize - 1) as usize;
        let y = y.clamp(0, self.h as isize - 1) as usize;
        self.grey[y * self.stride + x]
    }

    fn update_energy(&mut self, x: usize, y: usize) {
        let (xi, yi) = (x as isize, y as isize);
        let g = |dx: isize, dy: isize| self.g(xi + dx, yi + dy);
        let gx = (g(1, -1) + 2.0 * g(1, 0) + g(1, 1)) - (g(-1, -1) + 2.0 * g(-1, 0) + g(-1, 1));
        let gy = (g(-1, 1) + 2.0 * g(0, 1) + g(1, 1)) - (g(-1, -1) + 2.0 * g(0, -1) + g(1, -1));
        let mut e = (gx * gx + gy * gy).sqrt() / 4.0;
        if e < self.threshold {
            e = 0.0;
        }
        let i = y * self.stride + x;
        if self.protect[i] {
            e += PROTECTED;
        }
        self.energy[i] = e;
    }

    /// The cheapest 8-connected top-to-bottom seam: one column per row.
    fn find_seam(&mut self) -> Vec<usize> {
        let (w, h, s) = (self.w, self.h, self.stride);
        self.cost[..w].copy_from_slice(&self.energy[..w]);
        for y in 1..h {
            for x in 0..w {
                let up = (y - 1) * s;
                let mut best = self.cost[up + x];
                if x > 0 {
                    best = best.min(self.cost[up + x - 1]);
                }
                if x + 1 < w {
                    best = best.min(self.cost[up + x + 1]);
                }
                self.cost[y * s + x] = self.energy[y * s + x] + best;
            }
        }
        let last = (h - 1) * s;
        let mut x = (0..w)
            .min_by(|&a, &b| self.cost[last + a].total_cmp(&self.cost[last + b]))
            .unwrap_or(0);
        let mut seam = vec![0; h];
        seam[h - 1] = x;
        for y in (0..h - 1).rev() {
            let row = y * s;
            let lo = x.saturating_sub(1);
            let hi = (x + 1).min(w - 1);
            x = (lo..=hi)
                .min_by(|&a, &b| self.cost[row + a].total_cmp(&self.cost[row + b]))
                .unwrap_or(x);
            seam[y] = x;
        }
        seam
    }

    /// Remove `seam`, returning the original columns it went through.
    fn remove_seam(&mut self, seam: &[usize]) -> Vec<u32> {
        let (w, s) = (self.w, self.stride);
        let mut removed = Vec::with_capacity(self.h);
        for (y, &x) in seam.iter().enumerate() {
            let row = y * s;
            removed.push(self.orig[row + x]);
            self.px.copy_within(row + x + 1..row + w, row + x);
            self.grey.copy_within(row + x + 1..row + w, row + x);
            self.energy.copy_within(row + x + 1..row + w, row + x);
            self.protect.copy_within(row + x + 1..row + w, row + x);
            self.orig.copy_within(row + x + 1..row + w, row + x);
        }
        self.w -= 1;
        for (y, &x) in seam.iter().enumerate() {
            for nx in x.saturating_sub(2)..(x + 2).min(self.w) {
                self.update_energy(nx, y);
            }
        }
        removed
    }

    fn image(&self) -> RgbImage {
        let mut out = RgbImage::new(self.w as u32, self.h as u32);
        for y in 0..self.h {
            for x in 0..self.w {
                out.put_pixel(x as u32, y as u32, image::Rgb(self.px[y * self.stride + x]));
            }
        }
        out
    }
}

/// Narrow or widen `img` to `tw` columns.
fn carve_width(
    img: RgbImage,
    protect: Vec<bool>,
    tw: u32,
    s: &ContentAwareResizeSettings,
    ctx: &Context,
    stage: (f32, f32),
) -> Result<RgbImage> {
    let w = img.width();
    if tw == w {
        return Ok(img);
    }
    let sigma = (s.blur_radius / 2.0) as f32;
    let threshold = s.sobel_threshold as f32;
    let report = |done: u32, total: u32| {
        ctx.progress(
            stage.0 + (stage.1 - stage.0) * done as f32 / total.max(1) as f32,
            "carving seams",
        );
    };
    if tw < w {
        let mut c = Carver::new(&img, protect, sigma, threshold)?;
        let total = w - tw;
        for i in 0..total {
            ctx.checkpoint()?;
            let seam = c.find_seam();
            c.remove_seam(&seam);
            report(i + 1, total);
        }
        return Ok(c.image());
    }
    // Enlarge in rounds of at most half the current width: find the k cheapest seams by
    // carving a copy, then duplicate each of them in the original.
    let mut img = img;
    let mut protect = protect;
    let total = tw - w;
    let mut done = 0;
    while img.width() < tw {
        let cw = img.width();
        let k = (tw - cw).min((cw / 2).max(1));
        let mut c = Carver::new(&img, protect.clone(), sigma, threshold)?;
        let h = img.height() as usize;
        let mut dup: Vec<Vec<u32>> = vec![Vec::with_capacity(k as usize); h];
        for _ in 0..k {
            ctx.checkpoint()?;
            let seam = c.find_seam();
            for (y, x) in c.remove_seam(&seam).into_iter().enumerate() {
                dup[y].push(x);
            }
        }
        let nw = cw + k;
        let mut out = RgbImage::new(nw, h as u32);
        let mut np = Vec::with_capacity(nw as usize * h);
        for (y, cols) in dup.iter_mut().enumerate() {
            cols.sort_unstable();
            let mut next = cols.iter().peekable();
            let mut ox = 0u32;
            for x in 0..cw {
                let p = img.get_pixel(x, y as u32).0;
                let prot = protect[y * cw as usize + x as usize];
                out.put_pixel(ox, y as u32, image::Rgb(p));
                np.push(prot);
                ox += 1;
                while next.peek() == Some(&&x) {
                    next.next();
                    let q = img.get_pixel((x + 1).min(cw - 1), y as u32).0;
                    let avg = [0, 1, 2].map(|i| (u16::from(p[i]) + u16::from(q[i])).div_ceil(2) as u8);
                    out.put_pixel(ox, y as u32, image::Rgb(avg));
                    np.push(prot);
                    ox += 1;
                }
            }
        }
        img = out;
        protect = np;
        done += k;
        report(done, total);
    }
    Ok(img)
}

fn transpose(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    RgbImage::from_fn(h, w, |x, y| *img.get_pixel(y, x))
}

fn transpose_mask(m: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut out = vec![false; m.len()];
    for y in 0..h {
        for x in 0..w {
            out[x * h + y] = m[y * w + x];
        }
    }
    out
}

/// Face boxes as a protection mask (empty when not asked for or when the detector is not
/// installed).
fn face_mask(px: &DynamicImage, s: &ContentAwareResizeSettings) -> Result<Vec<bool>> {
    let (w, h) = (px.width() as usize, px.height() as usize);
    let mut mask = vec![false; w * h];
    if !s.protect_faces || ai::availability(faces::BUNDLE) != Availability::Ready {
        return Ok(mask);
    }
    for f in faces::detect(px, 0.6)? {
        let (x0, y0) = (f.x.floor().max(0.0) as usize, f.y.floor().max(0.0) as usize);
        let x1 = ((f.x + f.w).ceil() as usize).min(w);
        let y1 = ((f.y + f.h).ceil() as usize).min(h);
        for y in y0..y1 {
            mask[y * w + x0..y * w + x1].fill(true);
        }
    }
    Ok(mask)
}

/// Seam-carve `px` (alpha dropped) to `tw`×`th`.
pub fn content_aware_resize(
    px: &DynamicImage,
    s: &ContentAwareResizeSettings,
    ctx: &Context,
) -> Result<RgbImage> {
    let (w, h) = (px.width(), px.height());
    let (tw, th) = target_size(s, w, h)?;
    let protect = face_mask(px, s)?;
    let rgb = px.to_rgb8();
    let wide = carve_width(rgb, protect.clone(), tw, s, ctx, (0.0, 0.5))?;
    if th == h {
        ctx.progress(1.0, "carving seams");
        return Ok(wide);
    }
    // The protection mask follows the width pass only approximately: rebuild it on the
    // narrowed image by re-detecting (cheap next to carving).
    let protect = face_mask(&DynamicImage::ImageRgb8(wide.clone()), s)?;
    let t = transpose(&wide);
    let mask = transpose_mask(&protect, wide.width() as usize, wide.height() as usize);
    let tall = carve_width(t, mask, th, s, ctx, (0.5, 1.0))?;
    Ok(transpose(&tall))
}

/// Envelope extras of [`ContentAwareResize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SeamReport {
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
}

static META: ToolMeta = ToolMeta {
    id: "content-aware-resize",
    name: "Content-aware resize",
    description: "Resize by removing or duplicating low-energy seams (seam carving), keeping the subject.",
    category: Category::Geometry,
    ..ToolMeta::ONE_IMAGE
};

/// The `content-aware-resize` tool.
pub struct ContentAwareResize;

impl Tool for ContentAwareResize {
    type Settings = ContentAwareResizeSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &ContentAwareResizeSettings) -> Result<()> {
        if s.width.is_none() && s.height.is_none() && !s.square {
            return Err(Error::field(
                "width",
                "Either width, height, or square mode must be specified",
            ));
        }
        Ok(())
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<SeamReport>())
    }

    fn run(&self, s: &ContentAwareResizeSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let header = inputs.header(0)?;
        let (w, h) = header.oriented_size();
        target_size(s, w, h)?;
        let name = inputs.name(0).map(str::to_owned);
        let image = inputs.image(0)?;
        let out = content_aware_resize(image.first(), s, ctx)?;
        let report = SeamReport {
            width: out.width(),
            height: out.height(),
        };
        let mut img = Image::from_dynamic(DynamicImage::ImageRgb8(out));
        let stem = naming::stem(name.as_deref().unwrap_or("image")).to_string();
        img.name = Some(format!("{stem}_seam.png"));
        img.encode = Some(EncodeSpec::new(ImageFormat::Png));
        Output::image_with(img, &report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_limits() {
        let s = |w: Option<u32>, h: Option<u32>, sq: bool| ContentAwareResizeSettings {
            width: w,
            height: h,
            square: sq,
            ..Default::default()
        };
        assert_eq!(target_size(&s(Some(150), None, false), 200, 150).unwrap(), (150, 150));
        assert_eq!(target_size(&s(None, None, true), 200, 150).unwrap(), (150, 150));
        assert!(target_size(&s(Some(49), None, false), 200, 150).is_err());
        assert!(target_size(&s(Some(10), None, false), 6000, 5000).is_err());
    }

    #[test]
    fn the_seam_follows_the_flat_column() {
        // Noise everywhere except columns 6–9, which are flat: the seam runs inside them.
        let img = RgbImage::from_fn(16, 12, |x, y| {
            let v = if (6..=9).contains(&x) { 128 } else { ((x * 97 + y * 61) % 7 * 36) as u8 };
            image::Rgb([v, v, v])
        });
        let mut c = Carver::new(&img, vec![false; 16 * 12], 0.0, 1.0).unwrap();
        let seam = c.find_seam();
        assert!(seam.iter().all(|x| (7..=8).contains(x)), "{seam:?}");
        let removed = c.remove_seam(&seam);
        assert_eq!(removed.len(), 12);
        assert_eq!(c.image().dimensions(), (15, 12));
    }
}
