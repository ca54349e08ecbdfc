//! The Python-free half of the binding: turning inputs into core calls and core results
//! into plain values. Everything here runs without the GIL.

use ashim_core::image::Image;
use ashim_core::io::{self, DecodeOptions};
use ashim_core::tool::SlotInputs;
use ashim_core::{Context, Error, Input, InputFile, Outcome, Pipeline, Result};
use image::{DynamicImage, GrayAlphaImage, GrayImage, RgbImage, RgbaImage};
use serde_json::Value;

/// One input image as the binding receives it.
#[derive(Debug, Clone)]
pub enum Source {
    /// An encoded file (bytes read from memory or from a path) and its name.
    File(InputFile),
    /// Raw interleaved 8-bit pixels, row-major, `channels` per pixel (1, 2, 3 or 4).
    Pixels {
        /// `height * width * channels` bytes.
        data: Vec<u8>,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
        channels: u8,
    },
}

impl Source {
    /// The core input: files stay encoded (decoded lazily, with shrink-on-load), raw pixels
    /// become a decoded image (output format PNG unless a tool chooses one).
    fn into_input(self) -> Result<Input> {
        match self {
            Source::File(f) => Ok(Input::File(f)),
            Source::Pixels {
                data,
                width,
                height,
                channels,
            } => {
                let expected = width as usize * height as usize * channels as usize;
                if width == 0 || height == 0 || data.len() != expected {
                    return Err(Error::invalid_input(format!(
                        "pixel array of {width}x{height}x{channels} needs {expected} bytes, got {}",
                        data.len()
                    )));
                }
                let bad = || Error::internal("pixel buffer size mismatch");
                let pixels = match channels {
                    1 => DynamicImage::ImageLuma8(
                        GrayImage::from_raw(width, height, data).ok_or_else(bad)?,
                    ),
                    2 => DynamicImage::ImageLumaA8(
                        GrayAlphaImage::from_raw(width, height, data).ok_or_else(bad)?,
                    ),
                    3 => DynamicImage::ImageRgb8(
                        RgbImage::from_raw(width, height, data).ok_or_else(bad)?,
                    ),
                    4 => DynamicImage::ImageRgba8(
                        RgbaImage::from_raw(width, height, data).ok_or_else(bad)?,
                    ),
                    n => {
                        return Err(Error::invalid_input(format!(
                            "pixel arrays need 1, 2, 3 or 4 channels, got {n}"
                        )));
                    }
                };
                Ok(Input::Image(Image::from_dynamic(pixels)))
            }
        }
    }
}

/// Parse a JSON text given by the host language (settings or pipeline steps).
pub fn parse_json(text: &str, what: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| Error::field("", format!("{what} are not valid JSON: {e}")))
}

/// Run `tool_id` on the positional `sources` and the `(slot, source)` pairs of its named
/// slots (`watermark`, `mask`, ...) with JSON `settings`.
pub fn run(
    tool_id: &str,
    sources: Vec<Source>,
    named: Vec<(String, Source)>,
    settings: &Value,
) -> Result<Outcome> {
    let slots = SlotInputs {
        positional: sources
            .into_iter()
            .map(Source::into_input)
            .collect::<Result<_>>()?,
        named: named
            .into_iter()
            .map(|(slot, s)| Ok((slot, s.into_input()?)))
            .collect::<Result<_>>()?,
    };
    ashim_core::run_slots(tool_id, slots, settings, &Context::default())
}

/// Run a pipeline (`{"steps": [...]}` or a bare list of steps) on one source.
pub fn pipeline(steps: &Value, source: Source) -> Result<Outcome> {
    Pipeline::from_json(steps, 0)?.run_input(source.into_input()?, &Context::default())
}

/// Decoded 8-bit pixels of an encoded image (first frame): data, width, height, channels.
/// Grey stays 1 channel, grey+alpha 2, colour 3, colour with alpha 4.
pub fn pixels(data: &[u8]) -> Result<(Vec<u8>, u32, u32, u8)> {
    let image = io::decode(data, None, &DecodeOptions::default())?;
    let first = image.first();
    let (w, h) = (first.width(), first.height());
    let color = first.color();
    Ok(match (color.has_color(), color.has_alpha()) {
        (false, false) => (first.to_luma8().into_raw(), w, h, 1),
        (false, true) => (first.to_luma_alpha8().into_raw(), w, h, 2),
        (true, false) => (first.to_rgb8().into_raw(), w, h, 3),
        (true, true) => (first.to_rgba8().into_raw(), w, h, 4),
    })
}

/// The tool catalogue (metadata, settings schema, availability) as JSON text.
pub fn catalogue_json() -> String {
    serde_json::to_string(&ashim_core::schema::catalogue()).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_round_trip_through_png() {
        let data: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7) as u8).collect();
        let src = Source::Pixels {
            data: data.clone(),
            width: 4,
            height: 3,
            channels: 3,
        };
        let out = run(
            "convert",
            vec![src],
            vec![],
            &serde_json::json!({"format": "png"}),
        )
        .unwrap();
        let Outcome::Image { encoded, .. } = out else {
            panic!("image expected")
        };
        assert_eq!((encoded.width, encoded.height), (4, 3));
        assert_eq!(pixels(&encoded.data).unwrap(), (data, 4, 3, 3));
    }

    #[test]
    fn wrong_pixel_count_is_invalid_input() {
        let src = Source::Pixels {
            data: vec![0; 5],
            width: 2,
            height: 2,
            channels: 3,
        };
        let err = run(
            "resize",
            vec![src],
            vec![],
            &serde_json::json!({"width": 1}),
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    }

    #[test]
    fn named_slot_reaches_the_tool() {
        let fixture = |n: &str| {
            let path = format!("{}/../../shared/fixtures/{n}", env!("CARGO_MANIFEST_DIR"));
            Source::File(InputFile::new(std::fs::read(path).unwrap(), Some(n.into())))
        };
        let out = run(
            "watermark-image",
            vec![fixture("test-200x150.png")],
            vec![("watermark".into(), fixture("test-50x50.webp"))],
            &serde_json::json!({}),
        )
        .unwrap();
        let Outcome::Image { encoded, .. } = out else {
            panic!("image expected")
        };
        assert_eq!((encoded.width, encoded.height), (200, 150));
        let err = run(
            "watermark-image",
            vec![fixture("test-200x150.png")],
            vec![],
            &serde_json::json!({}),
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.message().contains("watermark"), "{}", err.message());
    }
}
