//! Reference timing for the binding overhead benchmark (`scripts/bench.sh`): the Rust API
//! doing "JPEG -> 800 px wide JPEG q80" on the file given as the first argument.
//!
//! `cargo run -p ashim-py --features extension-module --example bench_resize -- big.jpg 10`

use ashim_core::{Context, InputFile, Outcome, Pipeline};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bench_resize <jpeg> [iterations]")?;
    let iterations: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10);
    let data: bytes::Bytes = std::fs::read(&path)?.into();
    let steps = serde_json::json!({"steps": [
        {"toolId": "resize", "settings": {"width": 800}},
        {"toolId": "convert", "settings": {"format": "jpg", "quality": 80}},
    ]});
    // Warm-up run (page faults, lazy statics), not timed.
    Pipeline::from_json(&steps, 0)?.run(InputFile::new(data.clone(), None), &Context::default())?;
    let mut times = Vec::with_capacity(iterations);
    let mut last = (0, 0, 0);
    for _ in 0..iterations {
        let t0 = Instant::now();
        // Validating the steps is part of every call, as in the bindings.
        let pipeline = Pipeline::from_json(&steps, 0)?;
        let out = pipeline.run(InputFile::new(data.clone(), None), &Context::default())?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        if let Outcome::Image { encoded, .. } = out {
            last = (encoded.width, encoded.height, encoded.data.len());
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "rust median_ms={:.2} min_ms={:.2} out={}x{} bytes={}",
        times[times.len() / 2],
        times[0],
        last.0,
        last.1,
        last.2
    );
    Ok(())
}
