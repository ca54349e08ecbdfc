//! `find-duplicates`: group near-identical images by a 128-bit difference hash.

use crate::error::Result;
use crate::format::ImageFormat;
use crate::image::{EncodeSpec, Image, Quality};
use crate::ops::hash::{dhash128, hamming, hash_similarity};
use crate::ops::resize_exact;
use crate::tool::{Caps, Category, Context, Inputs, Output, OutputKind, SlotSpec, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Settings of [`FindDuplicates`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct FindDuplicatesSettings {
    /// Largest Hamming distance (of 128 bits) between duplicates.
    #[schemars(range(min = 0, max = 20))]
    pub threshold: f64,
}

impl Default for FindDuplicatesSettings {
    fn default() -> Self {
        Self { threshold: 8.0 }
    }
}

/// One file of a duplicate group.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateFile {
    /// File name.
    pub filename: String,
    /// Similarity to the group's first file in percent (100 for that file).
    pub similarity: f64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes as uploaded.
    pub file_size: u64,
    /// Format name (`jpeg`, `png`, ...).
    pub format: String,
    /// The copy to keep: most pixels, then largest file, then earliest.
    pub is_best: bool,
    /// A JPEG thumbnail (200 px wide at most) as a data URI, when it could be made.
    pub thumbnail: Option<String>,
}

/// A group of duplicates.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateGroup {
    /// 1, 2, ... in creation order.
    pub group_id: u32,
    /// Members, the anchor first.
    pub files: Vec<DuplicateFile>,
}

/// The report of [`FindDuplicates`].
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DuplicatesReport {
    /// Files examined.
    pub total_images: usize,
    /// Groups of two or more.
    pub duplicate_groups: Vec<DuplicateGroup>,
    /// Files in no group.
    pub unique_images: usize,
    /// Bytes freed by deleting every non-best member.
    pub space_saveable: u64,
}

/// What the grouping needs to know about one input.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// File name.
    pub filename: String,
    /// Bytes as uploaded.
    pub file_size: u64,
    /// The decoded image.
    pub image: Image,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn thumbnail(img: &Image, ctx: &Context) -> Option<String> {
    let (w, h) = (img.width(), img.height());
    let tw = w.min(200);
    let th = ((f64::from(h) * f64::from(tw) / f64::from(w)).round() as u32).max(1);
    let px = resize_exact(img.first(), tw, th).ok()?;
    let mut thumb = Image::from_dynamic(px);
    thumb.encode = Some(EncodeSpec {
        quality: Quality::Value(70),
        ..EncodeSpec::new(ImageFormat::Jpeg)
    });
    let enc = ctx.encode(&thumb).ok()?;
    Some(format!("data:image/jpeg;base64,{}", base64(&enc.data)))
}

/// Hash, group greedily against each group's anchor, pick the best of each group.
pub fn find_duplicates(
    files: &[Candidate],
    threshold: u32,
    ctx: &Context,
) -> Result<DuplicatesReport> {
    let hashes = files
        .iter()
        .map(|f| dhash128(f.image.first()))
        .collect::<Result<Vec<_>>>()?;
    let mut assigned = vec![false; files.len()];
    let mut groups = Vec::new();
    let mut space = 0u64;
    let mut grouped = 0usize;
    for i in 0..files.len() {
        if assigned[i] {
            continue;
        }
        let mut members = vec![(i, 100.0)];
        for j in i + 1..files.len() {
            if assigned[j] {
                continue;
            }
            let d = hamming(hashes[i], hashes[j]);
            if d <= threshold {
                members.push((j, hash_similarity(d)));
            }
        }
        if members.len() < 2 {
            continue;
        }
        for &(m, _) in &members {
            assigned[m] = true;
        }
        let pixels =
            |k: usize| u64::from(files[k].image.width()) * u64::from(files[k].image.height());
        let best = members
            .iter()
            .map(|&(k, _)| k)
            .reduce(|a, b| {
                if (pixels(b), files[b].file_size) > (pixels(a), files[a].file_size) {
                    b
                } else {
                    a
                }
            })
            .unwrap_or(i);
        grouped += members.len();
        let files_out = members
            .iter()
            .map(|&(k, similarity)| {
                let f = &files[k];
                if k != best {
                    space += f.file_size;
                }
                DuplicateFile {
                    filename: f.filename.clone(),
                    similarity,
                    width: f.image.width(),
                    height: f.image.height(),
                    file_size: f.file_size,
                    format: f
                        .image
                        .source_format
                        .map_or("unknown", ImageFormat::name)
                        .to_string(),
                    is_best: k == best,
                    thumbnail: thumbnail(&f.image, ctx),
                }
            })
            .collect();
        ctx.progress(i as f32 / files.len() as f32, "grouping");
        groups.push(DuplicateGroup {
            group_id: groups.len() as u32 + 1,
            files: files_out,
        });
    }
    Ok(DuplicatesReport {
        total_images: files.len(),
        duplicate_groups: groups,
        unique_images: files.len() - grouped,
        space_saveable: space,
    })
}

static META: ToolMeta = ToolMeta {
    id: "find-duplicates",
    name: "Find duplicates",
    description: "Group visually identical or near-identical images.",
    category: Category::Analysis,
    slots: &[SlotSpec::images(2, "The images to examine.")],
    output: OutputKind::Json,
    caps: Caps::NONE,
    form_fields: &["threshold"],
    ..ToolMeta::ONE_IMAGE
};

/// The `find-duplicates` tool.
pub struct FindDuplicates;

impl Tool for FindDuplicates {
    type Settings = FindDuplicatesSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn report_schema(&self) -> Option<serde_json::Value> {
        Some(crate::tool::report_schema::<DuplicatesReport>())
    }

    fn run(&self, settings: &FindDuplicatesSettings, inputs: &mut Inputs<'_>) -> Result<Output> {
        let ctx = inputs.ctx();
        let mut files = Vec::with_capacity(inputs.len());
        for i in 0..inputs.len() {
            let filename = inputs.name(i).unwrap_or("image").to_string();
            let file_size = inputs.file(i).map_or(0, |f| f.data.len() as u64);
            let image = inputs.image(i)?;
            files.push(Candidate {
                filename,
                file_size,
                image,
            });
        }
        Output::report(&find_duplicates(&files, settings.threshold.floor() as u32, ctx)?)
    }
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}
