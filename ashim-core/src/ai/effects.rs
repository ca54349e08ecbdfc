//! Background effects of remove-background (tools-creative-ai §12 `/effects`): shadow,
//! then a colour, gradient, blurred or image background under the cut-out.

use crate::error::{Error, Result};
use crate::ops::{composite_onto, resize_exact};
use image::{DynamicImage, RgbaImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which background goes under the cut-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackgroundType {
    /// None (transparent).
    #[default]
    Transparent,
    /// A solid colour.
    Color,
    /// A linear gradient.
    Gradient,
    /// The original photo, blurred.
    Blur,
    /// An uploaded image.
    Image,
}

/// The effect settings (every field optional, as the contract's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Effects {
    /// Background kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_type: Option<BackgroundType>,
    /// `#rrggbb` for `color`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^#[0-9A-Fa-f]{6}$"))]
    pub background_color: Option<String>,
    /// First gradient colour (`#rrggbb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^#[0-9A-Fa-f]{6}$"))]
    pub gradient_color1: Option<String>,
    /// Second gradient colour (`#rrggbb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^#[0-9A-Fa-f]{6}$"))]
    pub gradient_color2: Option<String>,
    /// Gradient angle in degrees (180 = colour 1 at the bottom, colour 2 at the top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradient_angle: Option<f64>,
    /// Blur the background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blur_enabled: Option<bool>,
    /// Blur strength 0–100 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100))]
    pub blur_intensity: Option<f64>,
    /// Drop shadow under the subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shadow_enabled: Option<bool>,
    /// Shadow opacity 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100))]
    pub shadow_opacity: Option<f64>,
}

/// Parse `#rgb` / `#rrggbb` (the `#` optional).
pub fn parse_hex(field: &str, s: &str) -> Result<[u8; 3]> {
    let h = s.trim().trim_start_matches('#');
    let full: String = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect(),
        6 => h.to_string(),
        _ => {
            return Err(Error::field(
                field,
                format!("{s:?} is not a #rrggbb colour"),
            ));
        }
    };
    let v = u32::from_str_radix(&full, 16)
        .map_err(|_| Error::field(field, format!("{s:?} is not a #rrggbb colour")))?;
    Ok([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

impl Effects {
    /// Check ranges and colours; errors name the field.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("blurIntensity", self.blur_intensity),
            ("shadowOpacity", self.shadow_opacity),
        ] {
            if let Some(v) = v
                && !(0.0..=100.0).contains(&v)
            {
                return Err(Error::field(name, "must be between 0 and 100"));
            }
        }
        for (name, v) in [
            ("backgroundColor", &self.background_color),
            ("gradientColor1", &self.gradient_color1),
            ("gradientColor2", &self.gradient_color2),
        ] {
            if let Some(v) = v {
                parse_hex(name, v)?;
            }
        }
        Ok(())
    }

    /// True when no effect would change the cut-out.
    pub fn is_noop(&self) -> bool {
        self.background_type.unwrap_or_default() == BackgroundType::Transparent
            && !self.blur_enabled.unwrap_or(false)
            && !(self.shadow_enabled.unwrap_or(false) && self.shadow_opacity.unwrap_or(0.0) > 0.0)
    }
}

fn gaussian(img: &RgbaImage, sigma: f32) -> RgbaImage {
    image::imageops::blur(img, sigma)
}

/// Apply the effects: `cutout` is the RGBA cut-out, `original` the photo it came from,
/// `background` an uploaded background image (type `image`).
pub fn apply(
    cutout: &RgbaImage,
    original: &DynamicImage,
    fx: &Effects,
    background: Option<&DynamicImage>,
) -> Result<RgbaImage> {
    fx.validate()?;
    let (w, h) = cutout.dimensions();
    // 1. shadow
    let opacity = fx.shadow_opacity.unwrap_or(0.0);
    let subject = if fx.shadow_enabled.unwrap_or(false) && opacity > 0.0 {
        let sigma = (0.02 * h as f64).round().max(5.0) as f32;
        let shift = (0.015 * h as f64).round().max(4.0) as i64;
        let mut shadow = RgbaImage::new(w, h);
        for (x, y, p) in cutout.enumerate_pixels() {
            let ny = y as i64 + shift;
            if ny < h as i64 {
                let a = (p.0[3] as f64 * opacity / 100.0).round() as u8;
                shadow.put_pixel(x, ny as u32, image::Rgba([0, 0, 0, a]));
            }
        }
        let mut canvas = gaussian(&shadow, sigma);
        composite_onto(&mut canvas, &DynamicImage::ImageRgba8(cutout.clone()), 0, 0);
        canvas
    } else {
        cutout.clone()
    };
    // 2. background
    let blur = fx.blur_enabled.unwrap_or(false);
    let sigma = (1.0 + fx.blur_intensity.unwrap_or(50.0) / 100.0 * 49.0) as f32;
    let ty = fx.background_type.unwrap_or_default();
    let bg: Option<RgbaImage> = match (ty, background) {
        (BackgroundType::Image, Some(b)) => {
            let scale = (w as f64 / b.width() as f64).max(h as f64 / b.height() as f64);
            let (cw, ch) = (
                (w as f64 / scale).min(b.width() as f64),
                (h as f64 / scale).min(b.height() as f64),
            );
            let crop = crate::ops::resize_crop(
                b,
                (
                    (b.width() as f64 - cw) / 2.0,
                    (b.height() as f64 - ch) / 2.0,
                    cw,
                    ch,
                ),
                w,
                h,
            )?
            .to_rgba8();
            Some(if blur { gaussian(&crop, sigma) } else { crop })
        }
        (BackgroundType::Transparent | BackgroundType::Blur, _) if blur => {
            Some(gaussian(&resize_exact(original, w, h)?.to_rgba8(), sigma))
        }
        (BackgroundType::Color, _) if fx.background_color.is_some() => {
            let c = parse_hex(
                "backgroundColor",
                fx.background_color.as_deref().unwrap_or(""),
            )?;
            Some(RgbaImage::from_pixel(
                w,
                h,
                image::Rgba([c[0], c[1], c[2], 255]),
            ))
        }
        (BackgroundType::Gradient, _)
            if fx.gradient_color1.is_some() && fx.gradient_color2.is_some() =>
        {
            let c1 = parse_hex(
                "gradientColor1",
                fx.gradient_color1.as_deref().unwrap_or(""),
            )?;
            let c2 = parse_hex(
                "gradientColor2",
                fx.gradient_color2.as_deref().unwrap_or(""),
            )?;
            let a = fx.gradient_angle.unwrap_or(180.0).to_radians();
            // From (50 − 50 sin a, 50 − 50 cos a) % to (50 + 50 sin a, 50 + 50 cos a) %, y down.
            let (x0, y0) = (0.5 - 0.5 * a.sin(), 0.5 - 0.5 * a.cos());
            let (dx, dy) = (a.sin(), a.cos());
            let len2 = (dx * dx + dy * dy).max(1e-9);
            Some(RgbaImage::from_fn(w, h, |x, y| {
                let (u, v) = (
                    x as f64 / w.max(2) as f64 - x0,
                    y as f64 / h.max(2) as f64 - y0,
                );
                let t = ((u * dx + v * dy) / len2).clamp(0.0, 1.0);
                let px =
                    [0, 1, 2].map(|i| (c1[i] as f64 * (1.0 - t) + c2[i] as f64 * t).round() as u8);
                image::Rgba([px[0], px[1], px[2], 255])
            }))
        }
        _ => None,
    };
    // 3. subject over background
    Ok(match bg {
        Some(mut b) => {
            composite_onto(&mut b, &DynamicImage::ImageRgba8(subject), 0, 0);
            b
        }
        None => subject,
    })
}
