//! `split`: cut an image into a grid of tiles, returned as named files.

use crate::error::{Error, ErrorKind, Result};
use crate::format::ImageFormat;
use crate::image::keep_format;
use crate::io;
use crate::naming;
use crate::tool::{Category, Inputs, Output, OutputFile, OutputKind, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Format of the tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum TileFormat {
    /// The input's own format (PNG when it cannot be written).
    #[default]
    Original,
    Png,
    #[serde(alias = "jpeg")]
    Jpg,
    Webp,
    Avif,
}

/// Settings of [`Split`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SplitSettings {
    /// Columns, 1–100. Default 3.
    #[schemars(range(min = 1, max = 100))]
    pub columns: u32,
    /// Rows, 1–100. Default 3.
    #[schemars(range(min = 1, max = 100))]
    pub rows: u32,
    /// Tile width in pixels (≥ 10). With `tileHeight` it overrides columns/rows.
    #[schemars(range(min = 10))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tile_width: Option<u32>,
    /// Tile height in pixels (≥ 10).
    #[schemars(range(min = 10))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tile_height: Option<u32>,
    /// Tile format. Default `original`.
    pub output_format: TileFormat,
    /// 1–100 for jpg/webp. Default 90.
    #[schemars(range(min = 1, max = 100))]
    pub quality: u8,
}

impl Default for SplitSettings {
    fn default() -> Self {
        Self {
            columns: 3,
            rows: 3,
            tile_width: None,
            tile_height: None,
            output_format: TileFormat::Original,
            quality: 90,
        }
    }
}

/// One tile: grid position (1-based) and pixel rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    /// Row, from 1.
    pub row: u32,
    /// Column, from 1.
    pub col: u32,
    /// Rectangle `(x, y, w, h)`.
    pub rect: (u32, u32, u32, u32),
}

impl SplitSettings {
    /// The tiles of a `w`×`h` image, row-major; the last row/column takes the remainder.
    pub fn tiles(&self, w: u32, h: u32) -> Vec<Tile> {
        let (cols, rows, cw, ch) = match (self.tile_width, self.tile_height) {
            (Some(tw), Some(th)) => (w.div_ceil(tw).min(100), h.div_ceil(th).min(100), tw, th),
            _ => (self.columns, self.rows, w / self.columns, h / self.rows),
        };
        let mut out = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                let (x, y) = (c * cw, r * ch);
                if x >= w || y >= h {
                    continue;
                }
                let tw = if c + 1 == cols { w - x } else { cw.min(w - x) };
                let th = if r + 1 == rows { h - y } else { ch.min(h - y) };
                if tw > 0 && th > 0 {
                    out.push(Tile {
                        row: r + 1,
                        col: c + 1,
                        rect: (x, y, tw, th),
                    });
                }
            }
        }
        out
    }
}

static META: ToolMeta = ToolMeta {
    id: "split",
    name: "Split",
    description: "Cut an image into a grid of tiles (by count or tile size).",
    category: Category::Layout,
    output: OutputKind::Files,
    ..ToolMeta::ONE_IMAGE
};

/// The `split` tool.
pub struct Split;

impl Tool for Split {
    type Settings = SplitSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn validate(&self, s: &SplitSettings) -> Result<()> {
        if s.output_format == TileFormat::Avif {
            return Err(Error::new(
                ErrorKind::UnsupportedFormat,
                "outputFormat: writing AVIF is not supported by this build",
            ));
        }
        Ok(())
    }

    fn run(&self, s: &SplitSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let name = inputs.name(0).unwrap_or("image").to_string();
        let image = inputs.image(0)?;
        let (format, ext, quality) = match s.output_format {
            TileFormat::Original => {
                let f = keep_format(Some(image.output_format()));
                let ext = naming::extension(&name)
                    .filter(|e| ImageFormat::from_name(&e[1..]) == Some(f))
                    .map_or_else(|| format!(".{}", f.extension()), str::to_owned);
                (
                    f,
                    ext,
                    Some(if f == ImageFormat::Png {
                        100
                    } else {
                        s.quality
                    }),
                )
            }
            TileFormat::Png => (ImageFormat::Png, ".png".into(), None),
            TileFormat::Jpg => (ImageFormat::Jpeg, ".jpg".into(), Some(s.quality)),
            TileFormat::Webp => (ImageFormat::Webp, ".webp".into(), Some(s.quality)),
            TileFormat::Avif => {
                return Err(Error::new(
                    ErrorKind::UnsupportedFormat,
                    "AVIF tiles are not supported",
                ));
            }
        };
        let stem = naming::stem(&name);
        let tiles = s.tiles(image.width(), image.height());
        let total = tiles.len();
        let mut files = Vec::with_capacity(total);
        for (i, t) in tiles.into_iter().enumerate() {
            let (x, y, w, h) = t.rect;
            let px = image.first().crop_imm(x, y, w, h);
            ctx.count_encode();
            let data = io::encode_frame(px, format, quality)?;
            files.push(OutputFile {
                name: format!("{stem}_r{}_c{}{ext}", t.row, t.col),
                data,
                mime_type: format.mime_type(),
            });
            ctx.progress((i + 1) as f32 / total as f32, "encoding tiles");
        }
        Ok(Output::Files(files))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(s: serde_json::Value) -> Vec<(u32, u32)> {
        let s: SplitSettings = crate::settings::parse(&s).unwrap();
        s.tiles(200, 150)
            .iter()
            .map(|t| (t.rect.2, t.rect.3))
            .collect()
    }

    #[test]
    fn grid_geometry_matches_the_contract() {
        use serde_json::json;
        assert_eq!(sizes(json!({"columns": 2, "rows": 2})), vec![(100, 75); 4]);
        assert_eq!(*sizes(json!({})).last().unwrap(), (68, 50));
        let t = sizes(json!({"tileWidth": 80, "tileHeight": 80}));
        assert_eq!(t.len(), 6);
        assert_eq!(t[2], (40, 80));
        assert_eq!(t[5], (40, 70));
        assert_eq!(sizes(json!({"tileWidth": 50, "tileHeight": 50})).len(), 12);
        assert_eq!(
            sizes(json!({"tileWidth": 500, "tileHeight": 500})),
            vec![(200, 150)]
        );
        assert_eq!(sizes(json!({"columns": 10, "rows": 10})).len(), 100);
    }
}
