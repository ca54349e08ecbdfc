//! Running jobs: N at a time on worker threads, each output written atomically, results
//! reported as they finish and collected in input order for the JSON summary.

use crate::inputs::Item;
use crate::output::{self, Claims, STOP, WriteError};
use crate::progress::Reporter;
use ashim_core::tool::{Arity, DynTool, OutputKind, PreparedSettings, ToolMeta};
use ashim_core::{Context, ImageFormat, InputFile, Outcome, Pipeline, naming};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// What each job runs: one tool with prepared settings, or a validated pipeline.
pub enum Work {
    /// A registry tool.
    Tool(&'static dyn DynTool, PreparedSettings),
    /// A pipeline.
    Pipeline(Pipeline),
}

impl Work {
    fn run(&self, files: Vec<InputFile>, ctx: &Context) -> ashim_core::Result<Outcome> {
        match self {
            Work::Tool(tool, prepared) => {
                let mut inputs = ashim_core::tool::Inputs::from_files(ctx, files);
                let out = tool.run_prepared(prepared, &mut inputs)?;
                Outcome::from_output(out, ctx)
            }
            Work::Pipeline(p) => {
                let mut files = files.into_iter();
                let (Some(file), None) = (files.next(), files.next()) else {
                    return Err(ashim_core::Error::invalid_input(
                        "a pipeline takes exactly one image",
                    ));
                };
                p.run(file, ctx)
            }
        }
    }
}

/// The kind of output a tool's metadata promises.
pub fn output_kind(meta: &ToolMeta) -> OutputKind {
    meta.output
}

/// How a tool takes inputs, in words (for help).
pub fn inputs_line(meta: &ToolMeta) -> String {
    match meta.inputs {
        Arity::None => "none (the image is made from the settings)".into(),
        Arity::One => "one image per run; several inputs run as a batch (N at a time, -j)".into(),
        Arity::Many { min } => {
            format!("{min} or more images in one run, in the order given")
        }
    }
}

/// Group the expanded inputs into runs, as the tool's input shape says.
pub fn plan_jobs(meta: &ToolMeta, items: Vec<Item>) -> Result<Vec<Vec<Item>>, String> {
    match meta.inputs {
        Arity::None if items.is_empty() => Ok(vec![Vec::new()]),
        Arity::None => Err(format!("{} takes no input file", meta.id)),
        Arity::One if items.is_empty() => Err("no input given".into()),
        Arity::One => Ok(items.into_iter().map(|i| vec![i]).collect()),
        Arity::Many { min } if items.len() < min => Err(format!(
            "{} needs at least {min} input images, got {}",
            meta.id,
            items.len()
        )),
        Arity::Many { .. } => Ok(vec![items]),
    }
}

/// Where results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `-o FILE` (one run).
    File(PathBuf),
    /// `-o DIR`: outputs keep the tool's names (and the input's sub-folder).
    Dir(PathBuf),
    /// `-o -`.
    Stdout,
    /// No `-o` with a JSON tool: reports are printed.
    Print,
}

/// JSON printing style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonStyle {
    /// Indented.
    Pretty,
    /// One line.
    Compact,
}

/// Everything a run needs.
pub struct Plan {
    /// The work of every job.
    pub work: Work,
    /// The inputs of each job.
    pub jobs: Vec<Vec<Item>>,
    /// Where results go.
    pub target: Target,
    /// Worker threads.
    pub threads: usize,
    /// Hide per-file progress.
    pub quiet: bool,
    /// Print a JSON summary (or the report) to stdout, in this style.
    pub json: Option<JsonStyle>,
}

enum Done {
    Wrote(Vec<Value>),
    Report(Value),
    Failed { code: String, message: String },
}

fn label(job: &[Item]) -> String {
    if job.is_empty() {
        "(no input)".into()
    } else {
        job.iter().map(Item::label).collect::<Vec<_>>().join(", ")
    }
}

fn entry(path: &str, format: Option<ImageFormat>, size: Option<(u32, u32)>, bytes: usize) -> Value {
    let mut v = json!({"path": path, "bytes": bytes});
    if let Some(f) = format {
        v["format"] = json!(f.name());
    }
    if let Some((w, h)) = size {
        v["width"] = json!(w);
        v["height"] = json!(h);
    }
    v
}

impl Plan {
    fn deliver(&self, job: &[Item], outcome: Outcome, claims: &Claims) -> Result<Done, WriteError> {
        let rel = job.first().map(|i| i.rel_dir.clone()).unwrap_or_default();
        let in_dir =
            |d: &PathBuf, name: &str| claims.claim(d.join(&rel).join(output::safe_name(name)));
        let files_into = |d: &PathBuf, files: &[ashim_core::OutputFile]| {
            let mut wrote = Vec::new();
            for f in files {
                let p = in_dir(d, &f.name);
                output::write_atomic(&p, &f.data)?;
                let fmt = ImageFormat::sniff(&f.data, Some(&f.name));
                wrote.push(entry(&p.display().to_string(), fmt, None, f.data.len()));
            }
            Ok::<_, WriteError>(wrote)
        };
        match (outcome, &self.target) {
            (Outcome::Image { encoded, name }, target) => {
                let size = Some((encoded.width, encoded.height));
                let path = match target {
                    Target::Stdout => {
                        output::write_stdout(&encoded.data)?;
                        return Ok(Done::Wrote(vec![entry(
                            "-",
                            Some(encoded.format),
                            size,
                            encoded.data.len(),
                        )]));
                    }
                    Target::File(p) => {
                        let ext = p.extension().map(|e| e.to_string_lossy().into_owned());
                        if ext.as_deref().and_then(ImageFormat::from_name) != Some(encoded.format) {
                            eprintln!(
                                "note: {} holds {} data (the tool chose the format)",
                                p.display(),
                                encoded.format.name()
                            );
                        }
                        p.clone()
                    }
                    Target::Dir(d) => in_dir(d, &name),
                    Target::Print => {
                        return Err(WriteError("this tool writes an image: give -o".into()));
                    }
                };
                output::write_atomic(&path, &encoded.data)?;
                Ok(Done::Wrote(vec![entry(
                    &path.display().to_string(),
                    Some(encoded.format),
                    size,
                    encoded.data.len(),
                )]))
            }
            (Outcome::Files(files), Target::Stdout) => {
                let z = output::zip_files(&files)?;
                output::write_stdout(&z)?;
                Ok(Done::Wrote(vec![entry("-", None, None, z.len())]))
            }
            (Outcome::Files(files), Target::File(p)) if has_ext(p, "zip") => {
                let z = output::zip_files(&files)?;
                output::write_atomic(p, &z)?;
                Ok(Done::Wrote(vec![entry(
                    &p.display().to_string(),
                    None,
                    None,
                    z.len(),
                )]))
            }
            (Outcome::Files(files), Target::File(d) | Target::Dir(d)) => {
                Ok(Done::Wrote(files_into(d, &files)?))
            }
            (Outcome::Files(_), Target::Print) => {
                Err(WriteError("this tool writes files: give -o DIR".into()))
            }
            (Outcome::Json(v), Target::Print | Target::Stdout) => Ok(Done::Report(v)),
            (Outcome::Json(v), Target::File(p)) => {
                let text = pretty(&v);
                output::write_atomic(p, text.as_bytes())?;
                Ok(Done::Wrote(vec![entry(
                    &p.display().to_string(),
                    None,
                    None,
                    text.len(),
                )]))
            }
            (Outcome::Json(v), Target::Dir(d)) => {
                let stem = job
                    .first()
                    .and_then(Item::file_name)
                    .map(|n| naming::stem(&n).to_owned())
                    .unwrap_or_else(|| "report".into());
                let p = in_dir(d, &format!("{stem}.json"));
                let text = pretty(&v);
                output::write_atomic(&p, text.as_bytes())?;
                Ok(Done::Wrote(vec![entry(
                    &p.display().to_string(),
                    None,
                    None,
                    text.len(),
                )]))
            }
        }
    }

    fn run_one(&self, job: &[Item], claims: &Claims) -> Done {
        let mut files = Vec::with_capacity(job.len());
        for item in job {
            match item.read() {
                Ok(data) => files.push(InputFile::new(data, item.file_name())),
                Err(e) => {
                    return Done::Failed {
                        code: "read_failed".into(),
                        message: format!("cannot read {}: {e}", item.label()),
                    };
                }
            }
        }
        let ctx = Context::default();
        match self.work.run(files, &ctx) {
            Ok(outcome) => match self.deliver(job, outcome, claims) {
                Ok(done) => done,
                Err(WriteError(message)) => Done::Failed {
                    code: "write_failed".into(),
                    message,
                },
            },
            Err(e) => Done::Failed {
                code: e.code().into(),
                message: e.message().into(),
            },
        }
    }

    /// Run every job; returns the process exit code (0 all ok, 1 some failed).
    pub fn execute(self) -> i32 {
        let start = Instant::now();
        let total = self.jobs.len();
        let reporter = Reporter::new(total, self.quiet);
        let results: Mutex<Vec<Option<Done>>> = Mutex::new((0..total).map(|_| None).collect());
        let next = AtomicUsize::new(0);
        let claims = Claims::default();
        let threads = self.threads.clamp(1, total.max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    loop {
                        if STOP.load(Ordering::SeqCst) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = self.jobs.get(i) else { break };
                        let done = self.run_one(job, &claims);
                        let name = label(job);
                        match &done {
                            Done::Wrote(w) => {
                                let paths: Vec<&str> =
                                    w.iter().filter_map(|e| e["path"].as_str()).collect();
                                let shown = match paths.as_slice() {
                                    [one] => (*one).to_owned(),
                                    many => format!("{} files", many.len()),
                                };
                                reporter.ok(&name, &shown);
                            }
                            Done::Report(_) => reporter.ok(&name, "report"),
                            Done::Failed { code, message } => reporter.fail(&name, code, message),
                        }
                        results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(done);
                    }
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
        let failed = results
            .iter()
            .filter(|r| matches!(r, Some(Done::Failed { .. })))
            .count();
        reporter.finish(total - failed, failed, start.elapsed());
        let reports = results.iter().any(|r| matches!(r, Some(Done::Report(_))));
        let style = self.json.or(reports.then_some(JsonStyle::Pretty));
        if let Some(style) = style {
            let entries: Vec<Value> = self
                .jobs
                .iter()
                .zip(&results)
                .map(|(job, r)| {
                    let mut e = json!({"input": label(job)});
                    match r {
                        Some(Done::Wrote(w)) => e["outputs"] = json!(w),
                        Some(Done::Report(v)) => e["report"] = v.clone(),
                        Some(Done::Failed { code, message }) => {
                            e["error"] = json!({"code": code, "message": message})
                        }
                        None => e["error"] = json!({"code": "cancelled", "message": "not run"}),
                    }
                    e
                })
                .collect();
            let doc = match (entries.len(), results.first()) {
                (1, Some(Some(Done::Report(v)))) => v.clone(),
                (1, _) => entries.into_iter().next().unwrap_or(Value::Null),
                _ => Value::Array(entries),
            };
            let text = match style {
                JsonStyle::Pretty => pretty(&doc),
                JsonStyle::Compact => format!("{doc}\n"),
            };
            if let Err(WriteError(m)) = output::write_stdout(text.as_bytes()) {
                eprintln!("error: {m}");
                return 1;
            }
        }
        i32::from(failed > 0)
    }
}

fn has_ext(p: &std::path::Path, ext: &str) -> bool {
    p.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext))
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}
