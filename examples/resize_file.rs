//! Resize one file with the plain Rust API.
//!
//! ```text
//! cargo run -p ashim-examples --example resize_file -- photo.jpg 800 [out-dir]
//! ```

use ashim_core::{Context, InputFile, Outcome};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(width)) = (args.next(), args.next()) else {
        eprintln!("usage: resize_file <image> <width> [out-dir]");
        std::process::exit(2);
    };
    let out_dir = args.next().unwrap_or_else(|| ".".into());
    let name = Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let input = InputFile::new(std::fs::read(&path)?, name);
    let settings = serde_json::json!({ "width": width.parse::<u32>()? });
    match ashim_core::run("resize", vec![input], &settings, &Context::default())? {
        Outcome::Image { encoded, name, .. } => {
            let out = Path::new(&out_dir).join(format!("resized-{name}"));
            std::fs::write(&out, &encoded.data)?;
            println!(
                "{} {}x{} -> {}",
                encoded.format,
                encoded.width,
                encoded.height,
                out.display()
            );
        }
        other => println!("{other:?}"),
    }
    Ok(())
}
