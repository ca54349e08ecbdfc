//! Run a pipeline read from a JSON file: decoded once, encoded once.
//!
//! ```text
//! cargo run -p ashim-examples --example pipeline_from_json -- examples/pipeline.json photo.jpg [out-dir]
//! ```

use ashim_core::{Context, InputFile, Outcome, Pipeline};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(def), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: pipeline_from_json <pipeline.json> <image> [out-dir]");
        std::process::exit(2);
    };
    let out_dir = args.next().unwrap_or_else(|| ".".into());
    let def: serde_json::Value = serde_json::from_slice(&std::fs::read(&def)?)?;
    // Every step is validated here, before any pixel is touched.
    let pipeline = Pipeline::from_json(&def, 0)?;
    let name = Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let ctx = Context::default().on_progress(|f, stage| eprintln!("{:>3.0}% {stage}", f * 100.0));
    match pipeline.run(InputFile::new(std::fs::read(&path)?, name), &ctx)? {
        Outcome::Image { encoded, name, .. } => {
            let out = Path::new(&out_dir).join(&name);
            std::fs::write(&out, &encoded.data)?;
            println!(
                "{} {}x{} -> {}",
                encoded.format,
                encoded.width,
                encoded.height,
                out.display()
            );
        }
        Outcome::Files(files) => {
            for f in files {
                std::fs::write(Path::new(&out_dir).join(&f.name), &f.data)?;
                println!("{}", f.name);
            }
        }
        Outcome::Json(v) => println!("{}", serde_json::to_string_pretty(&v)?),
    }
    println!("decodes: {}, encodes: {}", ctx.decodes(), ctx.encodes());
    Ok(())
}
