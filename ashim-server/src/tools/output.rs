//! What a run produced, as the REST answer: output names (tools-essentials 0.7), the
//! result envelope written to the workspace, ZIPs, reports and raw bytes. Shared by the
//! tool, batch and pipeline routes.

use crate::error::{ApiError, ApiResult};
use crate::http::form::Upload;
use crate::jobs::{self, download_url, write_file, write_preview, zip_entries};
use crate::state::Shared;
use crate::util::with_suffix;
use ashim_core::naming::{extension, stem};
use ashim_core::tool::ToolMeta;
use ashim_core::{ImageFormat, Outcome};
use serde_json::{Value, json};

/// Replace a name's extension when it does not match the output format (`a.jpeg` → `a.jpg`);
/// names without an extension keep none.
pub fn fix_extension(name: &str, format: ImageFormat) -> String {
    match extension(name) {
        Some(ext) if ext[1..].eq_ignore_ascii_case(format.extension()) => name.to_string(),
        Some(_) => format!("{}.{}", stem(name), format.extension()),
        None => name.to_string(),
    }
}

/// Output file name for a one-image tool (tools-essentials 0.7): a tool that kept the
/// name gets `_<toolId>`; one that changed the format on purpose (convert) is renamed; the
/// extension always matches the real format.
pub fn output_name(
    input: &str,
    input_format: Option<ImageFormat>,
    produced: &str,
    out: ImageFormat,
    tool_id: &str,
) -> String {
    let base = if stem(produced) == stem(input) {
        if input_format.is_some_and(|f| f != out) && extension(input).is_some() {
            format!("{}.{}", stem(input), out.extension())
        } else {
            with_suffix(input, tool_id)
        }
    } else {
        produced.to_string()
    };
    fix_extension(&base, out)
}

/// The name of one result of `upload` inside a batch ZIP. `suffix` is the tool id a kept
/// name gets (`None`: a pipeline, whose result keeps the input's name); `last` names the
/// ZIP and JSON entries.
pub fn entry_name(upload: &Upload, outcome: &Outcome, suffix: Option<&str>, last: &str) -> String {
    match outcome {
        Outcome::Image { encoded, name, .. } => match suffix {
            Some(tool_id) => {
                let fmt = ashim_core::io::detect(&upload.data, Some(&upload.name)).ok();
                output_name(&upload.name, fmt, name, encoded.format, tool_id)
            }
            None if stem(name) == stem(&upload.name) => fix_extension(&upload.name, encoded.format),
            None => name.clone(),
        },
        Outcome::Files(_) | Outcome::FileSet(_) => format!("{}_{last}.zip", stem(&upload.name)),
        Outcome::Json(_) => format!("{}_{last}.json", stem(&upload.name)),
        Outcome::Bytes(f) => f.name.clone(),
    }
}

/// The bytes of an outcome as one file: the image, a ZIP of the files, pretty JSON.
pub fn outcome_bytes(outcome: Outcome) -> ApiResult<Vec<u8>> {
    Ok(match outcome {
        Outcome::Image { encoded, .. } => encoded.data,
        Outcome::Files(files) | Outcome::FileSet(files) => {
            zip_entries(files.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?
        }
        Outcome::Json(v) => serde_json::to_vec_pretty(&v).map_err(ApiError::internal)?,
        Outcome::Bytes(f) => f.data,
    })
}

/// Make names unique in upload order: `a.png`, `a_1.png`, `a_2.png`.
pub fn dedupe(names: &mut [Option<String>]) {
    let mut seen = std::collections::HashSet::new();
    for n in names.iter_mut().flatten() {
        if seen.insert(n.clone()) {
            continue;
        }
        let mut i = 1;
        loop {
            let cand = with_suffix(n, &i.to_string());
            if seen.insert(cand.clone()) {
                *n = cand;
                break;
            }
            i += 1;
        }
    }
}

/// What a finished single run produced.
pub enum Produced {
    /// The envelope, and the output image's name and bytes (written to the workspace).
    Envelope(Value, (String, Vec<u8>)),
    /// A ZIP to send as the body.
    Zip {
        /// Attachment name.
        name: String,
        /// Bytes.
        data: Vec<u8>,
    },
    /// A JSON report.
    Json(Value),
    /// Raw bytes sent as the body.
    Bytes(ashim_core::OutputFile),
}

fn zip_name(prefix: &str, job_id: &str) -> String {
    format!(
        "{}-{}.zip",
        prefix.replace('/', "-"),
        &job_id[..8.min(job_id.len())]
    )
}

/// Turn a single run's outcome into its answer, writing images and file sets to the job's
/// workspace folder (blocking; call inside `run_blocking`).
pub fn finish_single(
    state: &Shared,
    meta: &ToolMeta,
    outcome: Outcome,
    uploads: &[Upload],
    job_id: &str,
) -> ApiResult<Produced> {
    let original: usize = uploads.iter().map(|u| u.data.len()).sum();
    let dir = jobs::job_dir(state, job_id);
    let main = uploads
        .iter()
        .find(|u| crate::http::form::Form::is_positional(meta, u))
        .filter(|_| meta.one_file());
    match outcome {
        Outcome::Image {
            encoded,
            name,
            extra,
        } => {
            let out_name = match main {
                Some(u) => {
                    let fmt = ashim_core::io::detect(&u.data, Some(&u.name)).ok();
                    output_name(&u.name, fmt, &name, encoded.format, meta.id)
                }
                None => name,
            };
            write_file(&dir, "output", &out_name, &encoded.data)?;
            if let Some(u) = main {
                let _ = write_file(&dir, "input", &u.name, &u.data);
            }
            let mut env = json!({
                "jobId": job_id,
                "downloadUrl": download_url(job_id, &out_name),
                "originalSize": original,
                "processedSize": encoded.data.len(),
            });
            if let Some(o) = env.as_object_mut() {
                o.extend(extra);
            }
            if let Some(p) = write_preview(&dir, job_id, &encoded.data, encoded.format) {
                env["previewUrl"] = json!(p);
            }
            Ok(Produced::Envelope(env, (out_name, encoded.data)))
        }
        Outcome::Files(files) => {
            let data = zip_entries(files.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?;
            Ok(Produced::Zip {
                name: zip_name(meta.id, job_id),
                data,
            })
        }
        Outcome::Json(v) => Ok(Produced::Json(v)),
        Outcome::Bytes(f) => Ok(Produced::Bytes(f)),
        Outcome::FileSet(files) => {
            let mut listed = Vec::with_capacity(files.len());
            for f in &files {
                write_file(&dir, "output", &f.name, &f.data)?;
                listed.push(
                    json!({"name": f.name, "downloadUrl": download_url(job_id, &f.name),
                                   "size": f.data.len(), "mimeType": f.mime_type}),
                );
            }
            let zip = zip_entries(files.iter().map(|f| (f.name.as_str(), f.data.as_slice())))?;
            let zip_name = zip_name(meta.id, job_id);
            write_file(&dir, "output", &zip_name, &zip)?;
            Ok(Produced::Json(json!({
                "jobId": job_id,
                "files": listed,
                "zipUrl": download_url(job_id, &zip_name),
                "originalSize": original,
                "processedSize": zip.len(),
            })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_rules() {
        let png = ImageFormat::Png;
        let jpg = ImageFormat::Jpeg;
        assert_eq!(
            output_name("photo.png", Some(png), "photo.png", png, "resize"),
            "photo_resize.png"
        );
        assert_eq!(
            output_name("photo.jpeg", Some(jpg), "photo.jpg", jpg, "resize"),
            "photo_resize.jpg"
        );
        assert_eq!(
            output_name("IMG.JPG", Some(jpg), "IMG.jpg", jpg, "rotate"),
            "IMG_rotate.JPG"
        );
        assert_eq!(
            output_name(
                "photo.png",
                Some(png),
                "photo.webp",
                ImageFormat::Webp,
                "convert"
            ),
            "photo.webp"
        );
        assert_eq!(
            output_name("photo.png", Some(png), "photo.png", png, "convert"),
            "photo_convert.png"
        );
        assert_eq!(
            output_name("x.webp", Some(jpg), "x.jpg", jpg, "resize"),
            "x_resize.jpg"
        );
        assert_eq!(
            output_name("name", Some(png), "name.png", png, "resize"),
            "name_resize"
        );
        assert_eq!(
            output_name(
                "scan.tif",
                Some(ImageFormat::Tiff),
                "scan.tiff",
                ImageFormat::Tiff,
                "rotate"
            ),
            "scan_rotate.tiff"
        );
    }

    #[test]
    fn dedupes_in_order() {
        let mut n = vec![
            Some("a.png".to_string()),
            None,
            Some("a.png".to_string()),
            Some("a.png".to_string()),
        ];
        dedupe(&mut n);
        assert_eq!(
            n,
            vec![
                Some("a.png".into()),
                None,
                Some("a_1.png".into()),
                Some("a_2.png".into())
            ]
        );
    }
}
