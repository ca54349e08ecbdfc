//! Running jobs: N at a time on worker threads, each output written atomically, results
//! reported as they finish and collected in input order for the JSON summary.

use crate::inputs::Item;
use crate::output::{self, Claims, STOP, WriteError};
use crate::progress::Reporter;
use ashim_core::tool::{
    Accepts, DynTool, Input, Inputs, OutputKind, PreparedSettings, SlotInputs, SlotSpec, ToolMeta,
};
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
    fn run(
        &self,
        positional: Vec<InputFile>,
        named: Vec<(String, InputFile)>,
        ctx: &Context,
    ) -> ashim_core::Result<Outcome> {
        match self {
            Work::Tool(tool, prepared) => {
                let slots = SlotInputs {
                    positional: positional.into_iter().map(Input::File).collect(),
                    named: named
                        .into_iter()
                        .map(|(n, f)| (n, Input::File(f)))
                        .collect(),
                };
                let mut inputs = Inputs::from_slots(ctx, slots);
                let out = tool.run_prepared(prepared, &mut inputs)?;
                Outcome::from_output(out, ctx)
            }
            Work::Pipeline(p) => {
                let mut files = positional.into_iter();
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

/// One run: its positional inputs and its named-slot inputs.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// Positional inputs, in order.
    pub positional: Vec<Item>,
    /// `(slot, input)` for named slots (the same for every job of a batch).
    pub named: Vec<(String, Item)>,
}

/// The kind of output a tool's metadata promises.
pub fn output_kind(meta: &ToolMeta) -> OutputKind {
    meta.output
}

fn count_words(slot: &SlotSpec) -> String {
    let what = match slot.accepts {
        Accepts::AnyFile => "file",
        _ => "image",
    };
    match (slot.min, slot.max) {
        (1, Some(1)) => format!("one {what}"),
        (0, Some(1)) => format!("an optional {what}"),
        (a, Some(b)) if a == b => format!("{a} {what}s"),
        (a, Some(b)) => format!("{a} to {b} {what}s"),
        (0, None) => format!("any number of {what}s"),
        (a, None) => format!("{a} or more {what}s"),
    }
}

/// How a tool takes inputs, in words (for help): one line per slot.
pub fn inputs_lines(meta: &ToolMeta) -> Vec<String> {
    if meta.takes_no_files() {
        return vec!["none (the output is made from the settings)".into()];
    }
    let mut lines = Vec::new();
    if let Some(p) = meta.positional() {
        let how = if meta.one_file() {
            "; several inputs run as a batch (N at a time, -j)"
        } else {
            ", in the order given, in one run"
        };
        lines.push(format!(
            "INPUT...: {}{how}. {}",
            count_words(p),
            p.description
        ));
    }
    for s in meta.named_slots() {
        lines.push(format!(
            "--slot {}=PATH: {}{}. {}",
            s.name,
            count_words(s),
            if meta.one_file() {
                ", used for every input"
            } else {
                ""
            },
            s.description
        ));
    }
    lines
}

/// Group the expanded inputs into runs, as the tool's slots say: a tool whose positional
/// slot takes one file runs once per input (named-slot files shared by every run); any other
/// tool runs once with everything. Counts are checked here so that a wrong count is a usage
/// error, not one failure per file.
pub fn plan_jobs(
    meta: &ToolMeta,
    items: Vec<Item>,
    named: Vec<(String, Item)>,
) -> Result<Vec<Job>, String> {
    for (name, _) in &named {
        if !meta.named_slots().any(|s| s.name == *name) {
            let known: Vec<&str> = meta.named_slots().map(|s| s.name).collect();
            return Err(if known.is_empty() {
                format!("{} has no named input slot (--slot {name}=...)", meta.id)
            } else {
                format!(
                    "{} has no slot '{name}'; its named slots: {}",
                    meta.id,
                    known.join(", ")
                )
            });
        }
    }
    for s in meta.named_slots() {
        let n = named.iter().filter(|(k, _)| k == s.name).count();
        if !s.admits(n) {
            return Err(format!(
                "{} takes {} in --slot {}=PATH, got {n}",
                meta.id,
                count_words(s),
                s.name
            ));
        }
    }
    let Some(pos) = meta.positional() else {
        if !items.is_empty() {
            return Err(format!("{} takes no positional input", meta.id));
        }
        return Ok(vec![Job {
            positional: Vec::new(),
            named,
        }]);
    };
    if meta.one_file() && items.len() > 1 {
        return Ok(items
            .into_iter()
            .map(|i| Job {
                positional: vec![i],
                named: named.clone(),
            })
            .collect());
    }
    if !pos.admits(items.len()) {
        return Err(if items.is_empty() {
            "no input given".into()
        } else {
            format!(
                "{} takes {}, got {}",
                meta.id,
                count_words(pos),
                items.len()
            )
        });
    }
    Ok(vec![Job {
        positional: items,
        named,
    }])
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
    pub jobs: Vec<Job>,
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

fn label(job: &Job) -> String {
    let mut parts: Vec<String> = job.positional.iter().map(Item::label).collect();
    if parts.is_empty() {
        parts.extend(job.named.iter().map(|(n, i)| format!("{n}={}", i.label())));
    }
    if parts.is_empty() {
        "(no input)".into()
    } else {
        parts.join(", ")
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
    fn deliver(&self, job: &Job, outcome: Outcome, claims: &Claims) -> Result<Done, WriteError> {
        let rel = job
            .positional
            .first()
            .map(|i| i.rel_dir.clone())
            .unwrap_or_default();
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
        let outcome = match outcome {
            Outcome::FileSet(files) => Outcome::Files(files),
            other => other,
        };
        match (outcome, &self.target) {
            (
                Outcome::Image {
                    encoded,
                    name,
                    extra,
                },
                target,
            ) => {
                let size = Some((encoded.width, encoded.height));
                let with_extra = |mut e: Value| {
                    for (k, v) in &extra {
                        e[k.as_str()] = v.clone();
                    }
                    e
                };
                let path = match target {
                    Target::Stdout => {
                        output::write_stdout(&encoded.data)?;
                        return Ok(Done::Wrote(vec![with_extra(entry(
                            "-",
                            Some(encoded.format),
                            size,
                            encoded.data.len(),
                        ))]));
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
                Ok(Done::Wrote(vec![with_extra(entry(
                    &path.display().to_string(),
                    Some(encoded.format),
                    size,
                    encoded.data.len(),
                ))]))
            }
            (Outcome::Bytes(file), target) => {
                let fmt = ImageFormat::sniff(&file.data, Some(&file.name));
                let path = match target {
                    Target::Stdout => {
                        output::write_stdout(&file.data)?;
                        return Ok(Done::Wrote(vec![entry("-", fmt, None, file.data.len())]));
                    }
                    Target::File(p) => p.clone(),
                    Target::Dir(d) => in_dir(d, &file.name),
                    Target::Print => {
                        return Err(WriteError("this tool writes a file: give -o".into()));
                    }
                };
                output::write_atomic(&path, &file.data)?;
                Ok(Done::Wrote(vec![entry(
                    &path.display().to_string(),
                    fmt,
                    None,
                    file.data.len(),
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
            (Outcome::FileSet(_), _) => Err(WriteError("file sets are delivered as files".into())),
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
                    .positional
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

    fn run_one(&self, job: &Job, claims: &Claims) -> Done {
        let read = |item: &Item| {
            item.read()
                .map(|data| InputFile::new(data, item.file_name()))
                .map_err(|e| Done::Failed {
                    code: "read_failed".into(),
                    message: format!("cannot read {}: {e}", item.label()),
                })
        };
        let positional: Result<Vec<InputFile>, Done> = job.positional.iter().map(read).collect();
        let named: Result<Vec<(String, InputFile)>, Done> = job
            .named
            .iter()
            .map(|(n, i)| read(i).map(|f| (n.clone(), f)))
            .collect();
        let (positional, named) = match (positional, named) {
            (Ok(p), Ok(n)) => (p, n),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let ctx = Context::default();
        match self.work.run(positional, named, &ctx) {
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
