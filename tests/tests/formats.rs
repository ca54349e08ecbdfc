//! Every fixture format ashim can write round-trips through `convert`; the others fail
//! with a clear, stable error and never panic.

use ashim_core::{ErrorKind, ImageFormat};
use ashim_tests::*;
use serde_json::json;

const FORMATS: &[(&str, &str)] = &[
    ("formats/sample.jpg", "jpg"),
    ("formats/sample.png", "png"),
    ("formats/sample.webp", "webp"),
    ("formats/sample.gif", "gif"),
    ("formats/sample.bmp", "bmp"),
    ("formats/sample.tiff", "tiff"),
    ("formats/sample.ico", "ico"),
];

#[test]
fn covered_formats_round_trip_through_convert() {
    for (path, target) in FORMATS {
        let src = ashim_core::io::probe(&fixture(path), None).unwrap();
        let (data, format, w, h, name) =
            run_image("convert", vec![input(path)], json!({"format": target}));
        assert_eq!(magic(&data), Some(format), "{path}");
        assert_eq!(Some(format), ImageFormat::from_name(target), "{path}");
        assert_eq!((w, h), src.oriented_size(), "{path} keeps its size");
        assert!(
            name.ends_with(&format!(".{}", format.extension())),
            "{path} -> {name}"
        );
        // ashim reads back what it wrote, at the same size.
        let back = ashim_core::io::probe(&data, None).unwrap();
        assert_eq!((back.width, back.height), (w, h), "{path}");
        let (_, _, w2, h2, _) = run_image(
            "convert",
            vec![ashim_core::InputFile::new(data, None)],
            json!({"format": "png"}),
        );
        assert_eq!((w2, h2), (w, h));
    }
}

#[test]
fn every_covered_format_converts_to_every_other() {
    for (path, _) in FORMATS {
        for (_, target) in FORMATS {
            let (data, format, ..) =
                run_image("convert", vec![input(path)], json!({"format": target}));
            assert_eq!(magic(&data), Some(format), "{path} -> {target}");
        }
    }
}

#[test]
fn read_only_formats_decode_to_png() {
    for path in ["formats/sample.exr", "formats/sample.hdr"] {
        let (data, format, w, h, _) =
            run_image("convert", vec![input(path)], json!({"format": "png"}));
        assert_eq!(format, ImageFormat::Png);
        assert_eq!(magic(&data), Some(ImageFormat::Png));
        assert!(w > 0 && h > 0, "{path}");
    }
    let (_, _, w, h, _) = run_image(
        "convert",
        vec![input("formats/sample.tga")],
        json!({"format": "png"}),
    );
    assert_eq!((w, h), (640, 426));
}

#[test]
fn formats_not_in_this_build_are_refused_clearly() {
    for path in [
        "formats/sample.avif",
        "formats/sample.heic",
        "formats/sample.jxl",
        "formats/sample.psd",
        "formats/sample.svg",
    ] {
        let e = run_err("convert", vec![input(path)], json!({"format": "png"}));
        assert_eq!(e.kind(), ErrorKind::UnsupportedFormat, "{path}: {e}");
        assert_eq!(e.kind().http_status(), 415);
    }
    let e = run_err(
        "convert",
        vec![input("formats/sample.png")],
        json!({"format": "avif"}),
    );
    assert_eq!(e.kind(), ErrorKind::UnsupportedFormat);
}

#[test]
fn multipage_tiff_keeps_every_page() {
    let data = fixture("formats/multipage.tiff");
    let img = ashim_core::io::decode(&data, None, &Default::default()).unwrap();
    assert!(img.frames.len() > 1, "pages: {}", img.frames.len());
    let (out, ..) = run_image(
        "rotate",
        vec![input("formats/multipage.tiff")],
        json!({"angle": 90}),
    );
    let back = ashim_core::io::decode(&out, None, &Default::default()).unwrap();
    assert_eq!(back.frames.len(), img.frames.len());
    assert_eq!((back.width(), back.height()), (img.height(), img.width()));
}

#[test]
fn animated_gif_keeps_frames_and_timing_through_resize() {
    let data = fixture("animated.gif");
    let src = ashim_core::io::decode(&data, None, &Default::default()).unwrap();
    assert!(src.frames.len() > 1);
    let (out, format, w, h, _) =
        run_image("resize", vec![input("animated.gif")], json!({"width": 50}));
    assert_eq!(format, ImageFormat::Gif);
    assert_eq!((w, h), (50, 50));
    let back = ashim_core::io::decode(&out, None, &Default::default()).unwrap();
    assert_eq!(back.frames.len(), src.frames.len());
    let delays: Vec<u32> = back.frames.iter().map(|f| f.delay_ms).collect();
    let src_delays: Vec<u32> = src.frames.iter().map(|f| f.delay_ms).collect();
    assert_eq!(delays, src_delays);
    // Animated WebP keeps the frames too.
    let (webp, ..) = run_image(
        "convert",
        vec![input("animated.gif")],
        json!({"format": "webp"}),
    );
    let back = ashim_core::io::decode(&webp, None, &Default::default()).unwrap();
    assert_eq!(back.frames.len(), src.frames.len());
}

#[test]
fn previews_fit_the_box_and_never_enlarge() {
    let img =
        ashim_core::io::decode(&fixture("formats/sample.png"), None, &Default::default()).unwrap();
    let webp = ashim_core::io::preview(img.first(), 128, 128, ImageFormat::Webp, Some(80)).unwrap();
    let d = decode_independently(&webp);
    assert_eq!(
        (magic(&webp), d.width(), d.height()),
        (Some(ImageFormat::Webp), 128, 85)
    );
    let jpeg =
        ashim_core::io::preview(img.first(), 300, u32::MAX, ImageFormat::Jpeg, None).unwrap();
    assert_eq!(decode_independently(&jpeg).width(), 300);
    let same = ashim_core::io::preview(img.first(), 4000, 4000, ImageFormat::Png, None).unwrap();
    assert_eq!(decode_independently(&same).width(), 640);
}
