//! Hostile and broken input: clear typed errors, never a panic, limits checked from the
//! header before any pixel buffer is allocated.

use ashim_core::{Context, ErrorKind, InputFile};
use ashim_tests::*;
use serde_json::json;

fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // An empty IDAT and IEND: a decoder that trusted the header would allocate 3.6 GB.
    for chunk in [&b"IDAT"[..], b"IEND"] {
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(chunk);
        png.extend_from_slice(&crc32(chunk).to_be_bytes());
    }
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_30000_square_png_is_refused_from_its_header() {
    let before = peak_rss_kb();
    let png = png_header(30_000, 30_000);
    let header = ashim_core::io::probe(&png, None).unwrap();
    assert_eq!((header.width, header.height), (30_000, 30_000));
    for tool in ["resize", "info", "convert", "rotate"] {
        let settings = match tool {
            "resize" => json!({"width": 100}),
            "convert" => json!({"format": "jpg"}),
            _ => json!({}),
        };
        let e = ashim_core::run(
            tool,
            vec![InputFile::new(png.clone(), None)],
            &settings,
            &Context::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{tool}: {e}");
        assert_eq!(e.kind().http_status(), 413);
        assert!(e.message().contains("900.0MP"), "{}", e.message());
    }
    let grown_mb = peak_rss_kb().saturating_sub(before) / 1024;
    println!(
        "peak RSS {} MB (grew by {grown_mb} MB) while refusing a 30000x30000 PNG",
        peak_rss_kb() / 1024
    );
    assert!(
        grown_mb < 64,
        "no pixel buffer may be allocated (grew {grown_mb} MB)"
    );
}

#[test]
fn configured_megapixel_limit_applies() {
    let ctx = Context::with_limits(ashim_core::Limits::default().with_max_megapixels(0.01));
    let e =
        ashim_core::run("rotate", vec![input("test-200x150.png")], &json!({}), &ctx).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        e.message(),
        "Image exceeds maximum size: 0.0MP (limit: 0.0MP)"
    );
}

#[test]
fn empty_unknown_and_corrupt_files_fail_cleanly() {
    let run = |data: Vec<u8>| {
        ashim_core::run(
            "rotate",
            vec![InputFile::new(data, None)],
            &json!({}),
            &Context::default(),
        )
        .unwrap_err()
    };
    assert_eq!(run(vec![]).kind(), ErrorKind::InvalidInput);
    assert_eq!(
        run(b"definitely not an image".to_vec()).kind(),
        ErrorKind::UnknownFormat
    );
    assert_eq!(run(vec![0; 4096]).kind(), ErrorKind::UnknownFormat);
    for path in [
        "formats/sample.jpg",
        "formats/sample.png",
        "formats/sample.webp",
        "formats/sample.gif",
        "formats/sample.tiff",
        "formats/sample.bmp",
        "formats/sample.ico",
        "animated.gif",
        "formats/sample.exr",
        "formats/sample.hdr",
    ] {
        let data = fixture(path);
        // Truncations at many points, and a corrupted middle.
        for cut in [8, 16, 30, 64, 200, data.len() / 3, data.len() / 2] {
            let r = ashim_core::run(
                "rotate",
                vec![InputFile::new(data[..cut.min(data.len())].to_vec(), None)],
                &json!({}),
                &Context::default(),
            );
            if let Err(e) = r {
                assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::DecodeFailed
                            | ErrorKind::UnknownFormat
                            | ErrorKind::InvalidInput
                    ),
                    "{path} cut at {cut}: {e} ({})",
                    e.code()
                );
            }
        }
        let mut broken = data.clone();
        let mid = broken.len() / 2;
        for b in &mut broken[mid..(mid + 64).min(data.len())] {
            *b = 0xA5;
        }
        let _ = ashim_core::run(
            "info",
            vec![InputFile::new(broken, None)],
            &json!({}),
            &Context::default(),
        );
    }
}

#[test]
fn a_jpeg_header_claiming_65535_square_is_refused() {
    let mut jpeg = fixture("test-100x100.jpg");
    // Patch the SOF0 dimensions to 65535x65535.
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let e = ashim_core::run(
        "resize",
        vec![InputFile::new(jpeg, None)],
        &json!({"width": 10}),
        &Context::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
}
