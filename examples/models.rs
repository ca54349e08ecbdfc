//! The model installer from the command line (what `make models` runs):
//!
//! ```text
//! cargo run -p ashim-examples --example models -- install [BUNDLE|MODEL ...]
//! cargo run -p ashim-examples --example models -- list
//! cargo run -p ashim-examples --example models -- remove BUNDLE ...
//! ```
//! The store is `ASHIM_MODELS_DIR` (default `$DATA_DIR/models`, `./data/models`).

use ashim_core::ai;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match args.first().map(String::as_str) {
        Some("install") => {
            let start = std::time::Instant::now();
            let report = ai::install(&names, &|f, stage| {
                eprint!("\r[{:>3.0}%] {stage:<48}", f * 100.0);
                let _ = std::io::stderr().flush();
            })?;
            eprintln!();
            println!("{}", serde_json::to_string_pretty(&report)?);
            eprintln!(
                "models in {} ({:.1} s)",
                ai::models_dir().display(),
                start.elapsed().as_secs_f64()
            );
        }
        Some("list") => println!("{}", serde_json::to_string_pretty(&ai::list())?),
        Some("remove") if !names.is_empty() => {
            println!("{}", serde_json::to_string_pretty(&ai::remove(&names)?)?)
        }
        _ => {
            eprintln!("usage: models install [BUNDLE|MODEL ...] | list | remove BUNDLE ...");
            std::process::exit(2);
        }
    }
    Ok(())
}
