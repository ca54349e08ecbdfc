//! `ashim-server`: the ashim REST server binary. It parses its arguments, sets up logging,
//! reads the configuration from the environment and runs a subcommand; the application
//! itself is the `ashim_server` library.

use ashim_server::{Config, VERSION};

const HELP: &str = "\
ashim-server — the ashim REST server

Usage:
  ashim-server [serve]            serve the REST API (the default)
  ashim-server import-reference --db <ashim.db> [--files <dir>] [--dry-run]
                                  import users (passwords keep working), API keys,
                                  roles, teams, settings, saved pipelines and the file
                                  library with its versions from a reference
                                  installation; safe to run again
  ashim-server models install|list|remove [BUNDLE...]
                                  install, list or remove AI model bundles in the
                                  model store (ASHIM_MODELS_DIR, default DATA_DIR/models)
  ashim-server --help | -h        print this help
  ashim-server --version | -V     print the version

Configuration comes from environment variables (PORT, DB_PATH, AUTH_ENABLED, LOG_LEVEL, ...;
see the README). ASHIM_<NAME> is accepted as an alias of every variable.
";

fn init_tracing() {
    let level = std::env::var("LOG_LEVEL")
        .or_else(|_| std::env::var("ASHIM_LOG_LEVEL"))
        .unwrap_or_else(|_| "info".into());
    let filter = match level.trim().to_ascii_lowercase().as_str() {
        "trace" => tracing::level_filters::LevelFilter::TRACE,
        "debug" => tracing::level_filters::LevelFilter::DEBUG,
        "warn" => tracing::level_filters::LevelFilter::WARN,
        "error" | "fatal" => tracing::level_filters::LevelFilter::ERROR,
        "silent" | "off" => tracing::level_filters::LevelFilter::OFF,
        _ => tracing::level_filters::LevelFilter::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("ashim-server: {msg}");
    std::process::exit(2)
}

fn config() -> Config {
    Config::from_env().unwrap_or_else(|e| fail(e))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first = args.first().map(String::as_str);
    match first {
        Some("--help" | "-h" | "help") => {
            print!("{HELP}");
            return;
        }
        Some("--version" | "-V") => {
            println!("ashim-server {VERSION}");
            return;
        }
        _ => {}
    }
    init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(format!("cannot start the runtime: {e}")));
    match first {
        None | Some("serve") if args.len() <= 1 => {
            if let Err(e) = rt.block_on(ashim_server::serve(config())) {
                fail(e)
            }
        }
        Some("import-reference") => {
            let opts = ashim_server::import::Options::from_args(&args[1..])
                .unwrap_or_else(|e| fail(format!("{e}\n\n{HELP}")));
            match ashim_server::import::run(&config(), &opts) {
                Ok(report) => print!("{report}"),
                Err(e) => fail(e),
            }
        }
        Some("models") => std::process::exit(rt.block_on(
            ashim_server::routes::features::models_command(&config(), &args[1..]),
        )),
        _ => fail(format!("unknown arguments: {}\n\n{HELP}", args.join(" "))),
    }
}
