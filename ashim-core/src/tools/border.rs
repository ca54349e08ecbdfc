//! `border`: padding, a solid border, rounded corners and a drop shadow.

use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image};
use crate::ops::blend::{BlendMode, blend_onto};
use crate::ops::colour::{Checkpoint, Planes};
use crate::ops::gaussian_plane;
use crate::settings::HexColor;
use crate::tool::{Category, Inputs, Output, Tool, ToolMeta};
use image::DynamicImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`Border`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct BorderSettings {
    /// Border width in pixels on every side.
    #[schemars(range(min = 0, max = 2000))]
    pub border_width: u32,
    /// Border colour.
    pub border_color: HexColor,
    /// Padding between image and border, in pixels.
    #[schemars(range(min = 0, max = 200))]
    pub padding: u32,
    /// Padding colour.
    pub padding_color: HexColor,
    /// Radius of the rounded corners in pixels (clamped to half the size); 0 = square.
    #[schemars(range(min = 0, max = 2000))]
    pub corner_radius: f64,
    /// Add a drop shadow.
    pub shadow: bool,
    /// Shadow blur σ in pixels.
    #[schemars(range(min = 1, max = 200))]
    pub shadow_blur: f64,
    /// Shadow offset to the right, in pixels.
    #[schemars(range(min = -50, max = 50))]
    pub shadow_offset_x: i32,
    /// Shadow offset downwards, in pixels.
    #[schemars(range(min = -50, max = 50))]
    pub shadow_offset_y: i32,
    /// Shadow colour.
    pub shadow_color: HexColor,
    /// Shadow opacity in percent.
    #[schemars(range(min = 0, max = 100))]
    pub shadow_opacity: f64,
}

impl Default for BorderSettings {
    fn default() -> Self {
        Self {
            border_width: 10,
            border_color: HexColor::BLACK,
            padding: 0,
            padding_color: HexColor::WHITE,
            corner_radius: 0.0,
            shadow: false,
            shadow_blur: 15.0,
            shadow_offset_x: 0,
            shadow_offset_y: 5,
            shadow_color: HexColor::BLACK,
            shadow_opacity: 40.0,
        }
    }
}

fn unit(c: HexColor) -> [f32; 3] {
    c.0.map(|v| f32::from(v) / 255.0)
}

fn is_grey(c: HexColor) -> bool {
    c.0[0] == c.0[1] && c.0[1] == c.0[2]
}

/// A canvas `w`×`h` of `colour` (alpha `alpha` if the template has an alpha plane), in the
/// template's depth and layout.
fn canvas(template: &Planes, w: u32, h: u32, colour: [f32; 3], alpha: f32) -> Planes {
    let n = w as usize * h as usize;
    let planes = if template.is_grey() {
        vec![vec![colour[0]; n]]
    } else {
        colour.iter().map(|&c| vec![c; n]).collect()
    };
    Planes {
        width: w,
        height: h,
        colour: planes,
        alpha: template.alpha.as_ref().map(|_| vec![alpha; n]),
        depth: template.depth,
    }
}

/// Copy `src` into `dst` at (`x`, `y`) (no blending; `dst` must be large enough).
fn paste(dst: &mut Planes, src: &Planes, x: u32, y: u32) {
    let (dw, sw) = (dst.width as usize, src.width as usize);
    for row in 0..src.height as usize {
        let d0 = (row + y as usize) * dw + x as usize;
        let s0 = row * sw;
        for (dp, sp) in dst.colour.iter_mut().zip(&src.colour) {
            dp[d0..d0 + sw].copy_from_slice(&sp[s0..s0 + sw]);
        }
        if let (Some(da), Some(sa)) = (dst.alpha.as_mut(), src.alpha.as_ref()) {
            da[d0..d0 + sw].copy_from_slice(&sa[s0..s0 + sw]);
        }
    }
}

fn extend(p: Planes, by: u32, colour: HexColor) -> Planes {
    let mut p = p;
    if !is_grey(colour) {
        p.promote_to_rgb();
    }
    let mut out = canvas(&p, p.width + 2 * by, p.height + 2 * by, unit(colour), 1.0);
    paste(&mut out, &p, by, by);
    out
}

/// Coverage (0–1) of pixel (x, y) by a rounded rectangle filling `w`×`h` with radius `r`,
/// anti-aliased over one pixel.
fn rounded_coverage(x: u32, y: u32, w: u32, h: u32, r: f32) -> f32 {
    let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
    let (w, h) = (w as f32, h as f32);
    let cx = if px < r {
        r
    } else if px > w - r {
        w - r
    } else {
        return 1.0;
    };
    let cy = if py < r {
        r
    } else if py > h - r {
        h - r
    } else {
        return 1.0;
    };
    let d = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt();
    (r - d + 0.5).clamp(0.0, 1.0)
}

/// Apply the border settings to one frame.
pub fn border_frame(
    px: &DynamicImage,
    s: &BorderSettings,
    cp: Checkpoint<'_>,
) -> Result<DynamicImage> {
    let mut p = Planes::from_dynamic(px);
    if s.padding > 0 {
        p = extend(p, s.padding, s.padding_color);
    }
    if s.border_width > 0 {
        p = extend(p, s.border_width, s.border_color);
    }
    if s.corner_radius > 0.0 {
        p.ensure_alpha();
        let (w, h) = (p.width, p.height);
        let r = (s.corner_radius as f32)
            .min(w as f32 / 2.0)
            .min(h as f32 / 2.0);
        let alpha = p.alpha.as_mut().expect("alpha was just ensured");
        for y in 0..h {
            cp()?;
            for x in 0..w {
                let c = rounded_coverage(x, y, w, h, r);
                if c < 1.0 {
                    alpha[(y * w + x) as usize] *= c;
                }
            }
        }
    }
    if s.shadow {
        p.ensure_alpha();
        if !is_grey(s.shadow_color) {
            p.promote_to_rgb();
        }
        let spread = (2.0 * s.shadow_blur).ceil() as u32;
        let (ox, oy) = (s.shadow_offset_x, s.shadow_offset_y);
        let sp = spread as i64;
        let left = (sp - i64::from(ox)).max(0) as u32;
        let right = (sp + i64::from(ox)).max(0) as u32;
        let top = (sp - i64::from(oy)).max(0) as u32;
        let bottom = (sp + i64::from(oy)).max(0) as u32;
        let (w, h) = (p.width, p.height);
        // The silhouette: the image's alpha × opacity, padded by `spread`, blurred.
        let (sw, sh) = (w + 2 * spread, h + 2 * spread);
        let mut sil = vec![0.0f32; sw as usize * sh as usize];
        let opacity = (s.shadow_opacity / 100.0) as f32;
        let alpha = p.alpha.as_ref().expect("alpha was just ensured");
        for y in 0..h as usize {
            let d0 = (y + spread as usize) * sw as usize + spread as usize;
            for x in 0..w as usize {
                sil[d0 + x] = alpha[y * w as usize + x] * opacity;
            }
        }
        let sil = gaussian_plane(&sil, sw as usize, sh as usize, s.shadow_blur as f32, cp)?;
        let (cw, ch) = (w + left + right, h + top + bottom);
        let mut out = canvas(&p, cw, ch, unit(s.shadow_color), 0.0);
        let sx = (i64::from(left) + i64::from(ox) - sp).max(0) as u32;
        let sy = (i64::from(top) + i64::from(oy) - sp).max(0) as u32;
        let out_alpha = out.alpha.as_mut().expect("canvas copies the alpha plane");
        for y in 0..sh {
            let cy = y + sy;
            if cy >= ch {
                break;
            }
            for x in 0..sw {
                let cx = x + sx;
                if cx >= cw {
                    break;
                }
                out_alpha[(cy * cw + cx) as usize] = sil[(y * sw + x) as usize];
            }
        }
        blend_onto(
            &mut out,
            &p,
            i64::from(left),
            i64::from(top),
            BlendMode::Over,
            1.0,
            cp,
        )?;
        p = out;
    }
    Ok(p.into_dynamic())
}

/// Apply the border settings to every frame. Rounded corners or a shadow need alpha, so a
/// JPEG or GIF result becomes PNG.
pub fn border(image: Image, s: &BorderSettings, cp: Checkpoint<'_>) -> Result<Image> {
    let mut out = image.try_map_frames(|px| border_frame(px, s, cp))?;
    let needs_alpha = s.corner_radius > 0.0 || s.shadow;
    if needs_alpha
        && !matches!(
            out.output_format(),
            ImageFormat::Png | ImageFormat::Webp | ImageFormat::Tiff | ImageFormat::Gif
        )
    {
        out.encode = Some(EncodeSpec::new(ImageFormat::Png));
    }
    Ok(out)
}

static META: ToolMeta = ToolMeta {
    id: "border",
    name: "Border",
    description: "Add padding, a border, rounded corners and a drop shadow.",
    category: Category::Overlay,
    ..ToolMeta::ONE_IMAGE
};

/// The `border` tool.
pub struct Border;

impl Tool for Border {
    type Settings = BorderSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn run(&self, settings: &BorderSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        // The output is at least the image plus border and padding on each side: refuse it
        // before any pixel work when that is over MAX_CANVAS_PIXELS.
        let h = inputs.header(0)?;
        let grow = settings.border_width.saturating_add(settings.padding).saturating_mul(2);
        ctx.check_canvas(h.width.saturating_add(grow), h.height.saturating_add(grow))?;
        let image = inputs.image(0)?;
        Ok(Output::Image(border(
            image,
            settings,
            &|| ctx.checkpoint(),
        )?))
    }
}
