//! Shaped text: one line rendered to a coverage mask with cosmic-text, then painted onto
//! [`Planes`] in any colour, opacity and rotation.
//!
//! The font is the bundled DejaVu Sans, loaded into a font system that never scans the
//! machine's fonts, so the pixels do not depend on what is installed. Arabic joins and
//! Hebrew runs right to left (HarfBuzz-style shaping and the Unicode bidi algorithm).
//! Only text with CJK characters, which DejaVu lacks, is laid out by a second font system
//! that adds the system fonts (e.g. Debian's `fonts-noto-cjk`), DejaVu still first.

use super::colour::{Checkpoint, Planes};
use crate::error::{Error, Result};
use cosmic_text::{
    Attrs, Buffer, Color, Family, FontSystem, Metrics, Shaping, SwashCache, Weight, Wrap, fontdb,
};
use std::sync::{Mutex, OnceLock};

/// Family name of the bundled face.
const FAMILY: &str = "DejaVu Sans";

/// Font weight of a rendered line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextWeight {
    /// DejaVu Sans.
    #[default]
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

struct Fonts {
    system: FontSystem,
    cache: SwashCache,
}

fn bundled_db() -> fontdb::Database {
    let mut db = fontdb::Database::new();
    db.load_font_data(dejavu::sans::regular().to_vec());
    db.load_font_data(dejavu::sans::bold().to_vec());
    db.set_sans_serif_family(FAMILY);
    db
}

fn fonts(with_system: bool) -> &'static Mutex<Fonts> {
    static BUNDLED: OnceLock<Mutex<Fonts>> = OnceLock::new();
    static WITH_SYSTEM: OnceLock<Mutex<Fonts>> = OnceLock::new();
    let make = |system: bool| {
        let mut db = bundled_db();
        if system {
            db.load_system_fonts();
        }
        Mutex::new(Fonts {
            system: FontSystem::new_with_locale_and_db("en-US".into(), db),
            cache: SwashCache::new(),
        })
    };
    if with_system {
        WITH_SYSTEM.get_or_init(|| make(true))
    } else {
        BUNDLED.get_or_init(|| make(false))
    }
}

/// Whether `c` is a Chinese, Japanese or Korean character (which DejaVu does not cover).
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3100..=0x31FF
        | 0x3200..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// One line of text as a coverage mask (0–1), with the pen origin (left end of the
/// baseline) in mask coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMask {
    /// Mask width in pixels.
    pub width: u32,
    /// Mask height in pixels.
    pub height: u32,
    /// Coverage, row-major, 0–1.
    pub coverage: Vec<f32>,
    /// Left end of the baseline in mask coordinates.
    pub origin: (f32, f32),
    /// Advance width of the line (where a following line would start), in pixels.
    pub advance: f32,
}

impl TextMask {
    /// Coverage at integer (x, y); 0 outside.
    pub fn at(&self, x: i64, y: i64) -> f32 {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            0.0
        } else {
            self.coverage[y as usize * self.width as usize + x as usize]
        }
    }

    /// Bilinear coverage at (x, y), pixel centres at +0.5.
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = self.at(x0, y0) * (1.0 - tx) + self.at(x0 + 1, y0) * tx;
        let bottom = self.at(x0, y0 + 1) * (1.0 - tx) + self.at(x0 + 1, y0 + 1) * tx;
        top * (1.0 - ty) + bottom * ty
    }

    /// The same mask with `by` empty pixels added on every side (room for a blur).
    pub fn padded(&self, by: u32) -> TextMask {
        let (w, h) = (self.width + 2 * by, self.height + 2 * by);
        let mut coverage = vec![0.0; w as usize * h as usize];
        for y in 0..self.height as usize {
            let src = &self.coverage[y * self.width as usize..(y + 1) * self.width as usize];
            let d0 = (y + by as usize) * w as usize + by as usize;
            coverage[d0..d0 + self.width as usize].copy_from_slice(src);
        }
        TextMask {
            width: w,
            height: h,
            coverage,
            origin: (self.origin.0 + by as f32, self.origin.1 + by as f32),
            advance: self.advance,
        }
    }

    /// Total ink (sum of coverage).
    pub fn ink(&self) -> f32 {
        self.coverage.iter().sum()
    }
}

/// Shape and render `text` as one line at `size` pixels (the em size). Line breaks and
/// other control characters become spaces. Text DejaVu cannot show (CJK) falls back to
/// the system fonts.
pub fn render_line(text: &str, size: f32, weight: TextWeight) -> Result<TextMask> {
    if !(size.is_finite() && size > 0.0 && size <= 4096.0) {
        return Err(Error::invalid_input(format!(
            "font size {size} is out of range"
        )));
    }
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let fonts = fonts(line.chars().any(is_cjk));
    let mut guard = fonts
        .lock()
        .map_err(|_| Error::internal("the font system lock was poisoned"))?;
    let Fonts { system, cache } = &mut *guard;
    let mut buffer = Buffer::new(system, Metrics::new(size, size * 1.25));
    buffer.set_wrap(Wrap::None);
    buffer.set_size(None, None);
    let attrs = Attrs::new()
        .family(Family::Name(FAMILY))
        .weight(match weight {
            TextWeight::Regular => Weight::NORMAL,
            TextWeight::Bold => Weight::BOLD,
        });
    buffer.set_text(&line, &attrs, Shaping::Advanced, None);
    buffer.shape_until_scroll(system, false);
    let (mut advance, mut baseline) = (0.0f32, size);
    if let Some(run) = buffer.layout_runs().next() {
        advance = run.line_w;
        baseline = run.line_y;
    }
    let mut spans: Vec<(i32, i32, u8)> = Vec::new();
    buffer.draw(
        system,
        cache,
        Color::rgba(255, 255, 255, 255),
        |x, y, w, h, c| {
            if c.a() == 0 {
                return;
            }
            for dy in 0..h as i32 {
                for dx in 0..w as i32 {
                    spans.push((x + dx, y + dy, c.a()));
                }
            }
        },
    );
    drop(guard);
    // Mask = the union of the ink and the line box, so the anchor maths works for spaces.
    let (mut x0, mut y0) = (0i32, 0i32);
    let mut x1 = advance.ceil() as i32;
    let mut y1 = (baseline + size * 0.3).ceil() as i32;
    for &(x, y, _) in &spans {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    let (w, h) = ((x1 - x0).max(1) as u32, (y1 - y0).max(1) as u32);
    let mut coverage = vec![0.0f32; w as usize * h as usize];
    for (x, y, a) in spans {
        let i = (y - y0) as usize * w as usize + (x - x0) as usize;
        coverage[i] = (coverage[i] + f32::from(a) / 255.0).min(1.0);
    }
    Ok(TextMask {
        width: w,
        height: h,
        coverage,
        origin: (-x0 as f32, baseline - y0 as f32),
        advance,
    })
}

/// Source-over a colour with alpha `a` onto pixel `i` (un-premultiplied planes).
pub fn over_pixel(p: &mut Planes, i: usize, colour: [f32; 3], a: f32) {
    if a <= 0.0 {
        return;
    }
    let da = p.alpha_at(i);
    let out_a = a + da * (1.0 - a);
    if out_a <= 0.0 {
        return;
    }
    let d = p.rgb(i);
    let c = [0, 1, 2].map(|k| (colour[k] * a + d[k] * da * (1.0 - a)) / out_a);
    p.set_rgb(i, c);
    if let Some(alpha) = p.alpha.as_mut() {
        alpha[i] = out_a;
    }
}

/// Where and how to paint a mask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Where the mask's origin (left end of the baseline) lands on the image.
    pub origin: (f32, f32),
    /// Clockwise rotation in degrees about `pivot`.
    pub rotation: f32,
    /// The rotation centre on the image.
    pub pivot: (f32, f32),
}

/// Paint `mask` onto `p` in `colour` with alpha `alpha` (0–1), placed and rotated as
/// `at` says. Grey frames become colour when `colour` is not grey.
pub fn paint_mask(
    p: &mut Planes,
    mask: &TextMask,
    at: Placement,
    colour: [f32; 3],
    alpha: f32,
    cp: Checkpoint<'_>,
) -> Result<()> {
    if p.is_empty() || alpha <= 0.0 {
        return Ok(());
    }
    if p.is_grey() && !(colour[0] == colour[1] && colour[1] == colour[2]) {
        p.promote_to_rgb();
    }
    let (w, h) = (i64::from(p.width), i64::from(p.height));
    // Image point (X, Y) -> mask point: undo the rotation about the pivot, then the
    // translation that puts the mask origin at `at.origin`.
    let (sin, cos) = (-at.rotation).to_radians().sin_cos();
    let (px, py) = at.pivot;
    let to_mask = |x: f32, y: f32| {
        let (dx, dy) = (x - px, y - py);
        let (rx, ry) = (px + dx * cos - dy * sin, py + dx * sin + dy * cos);
        (
            rx - at.origin.0 + mask.origin.0,
            ry - at.origin.1 + mask.origin.1,
        )
    };
    let axis_aligned = at.rotation.rem_euclid(360.0) == 0.0;
    // Bounding box of the mask on the image.
    let (s2, c2) = at.rotation.to_radians().sin_cos();
    let corners = [
        (0.0, 0.0),
        (mask.width as f32, 0.0),
        (0.0, mask.height as f32),
        (mask.width as f32, mask.height as f32),
    ]
    .map(|(mx, my)| {
        let (x, y) = (
            mx - mask.origin.0 + at.origin.0 - px,
            my - mask.origin.1 + at.origin.1 - py,
        );
        (px + x * c2 - y * s2, py + x * s2 + y * c2)
    });
    let fold = |f: fn(f32, f32) -> f32, init: f32, pick: fn(&(f32, f32)) -> f32| {
        corners.iter().map(pick).fold(init, f)
    };
    let bx0 = (fold(f32::min, f32::MAX, |c| c.0).floor() as i64 - 1).max(0);
    let by0 = (fold(f32::min, f32::MAX, |c| c.1).floor() as i64 - 1).max(0);
    let bx1 = (fold(f32::max, f32::MIN, |c| c.0).ceil() as i64 + 1).min(w);
    let by1 = (fold(f32::max, f32::MIN, |c| c.1).ceil() as i64 + 1).min(h);
    // Without rotation the mask lands on whole pixels, so glyphs stay crisp.
    let shift = (
        (at.origin.0 - mask.origin.0).round() as i64,
        (at.origin.1 - mask.origin.1).round() as i64,
    );
    for y in by0..by1 {
        cp()?;
        for x in bx0..bx1 {
            let cov = if axis_aligned {
                mask.at(x - shift.0, y - shift.1)
            } else {
                let (mx, my) = to_mask(x as f32 + 0.5, y as f32 + 0.5);
                mask.sample(mx, my)
            };
            if cov > 0.0 {
                over_pixel(p, (y * w + x) as usize, colour, cov * alpha);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_renders_ink_and_spaces_render_none() {
        let m = render_line("Hello", 32.0, TextWeight::Regular).unwrap();
        assert!(m.ink() > 50.0, "ink {}", m.ink());
        assert!(
            m.advance > 60.0 && m.advance < 120.0,
            "advance {}",
            m.advance
        );
        let blank = render_line("   ", 32.0, TextWeight::Regular).unwrap();
        assert_eq!(blank.ink(), 0.0);
        assert!(blank.advance > 0.0);
        let bold = render_line("Hello", 32.0, TextWeight::Bold).unwrap();
        assert!(bold.ink() > m.ink() * 1.2);
    }

    #[test]
    fn bad_sizes_are_typed_errors() {
        assert!(render_line("x", 0.0, TextWeight::Regular).is_err());
        assert!(render_line("x", f32::NAN, TextWeight::Regular).is_err());
    }
}
