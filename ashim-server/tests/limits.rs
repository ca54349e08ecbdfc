//! The limits the server reads into the run context and the core enforces, over REST:
//! `MAX_CANVAS_PIXELS` (422 with the figures) and the decode pixel limit, read from the
//! header before any pixel is decoded (400).

mod common;

use common::{Server, fixture, probe, unzip};

const PNG: &str = "test-200x150.png";

fn admin(s: &Server) -> String {
    s.login("admin", "admin")
}

/// CRC-32 (IEEE), for forging a PNG header.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG signature and IHDR chunk claiming `w`×`h` RGBA, then a broken IDAT: the header
/// is valid, the pixels are not there.
fn forged_png(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 4]);
    out.extend_from_slice(b"IDATjunk");
    out
}

#[test]
fn output_canvas_over_the_limit_is_422_with_the_figures() {
    let s = Server::start(&[("MAX_CANVAS_PIXELS", "1000000")]);
    let t = admin(&s);
    let png = fixture(PNG);
    // Within the limit: 1000x750 = 0.75 MP.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", PNG, &png)],
        &[("settings", r#"{"width":1000}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let out = s.get(r.json()["downloadUrl"].as_str().unwrap(), None);
    assert_eq!(probe(&out.body), ("png".to_string(), 1000, 750));
    // Over it: 2000x1500 = 3 MP.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", PNG, &png)],
        &[("settings", r#"{"width":2000}"#)],
    );
    let e = r.error(422);
    assert_eq!(e["code"], "UNPROCESSABLE");
    assert_eq!(
        e["message"],
        "Canvas too large: 2000x1500 (3.0MP exceeds 1.0MP limit)"
    );
    // The same through a pipeline step and a batch.
    let pipeline = r#"{"steps":[{"toolId":"resize","settings":{"width":2000}}]}"#;
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[("pipeline", pipeline)],
    );
    assert!(
        r.error(422)["message"]
            .as_str()
            .unwrap()
            .contains("Canvas too large: 2000x1500"),
        "{}",
        r.text()
    );
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[("file", "a.png", &png), ("file", "b.png", &png)],
        &[("settings", r#"{"width":2000}"#)],
    );
    let e = r.error(422);
    assert_eq!(e["code"], "ALL_FILES_FAILED");
    assert!(
        e["errors"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("Canvas too large"),
        "{e}"
    );
    // A batch where only the over-limit file fails keeps the good one.
    let small = fixture("test-50x50.webp");
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[("file", "big.png", &png), ("file", "small.webp", &small)],
        &[("settings", r#"{"percentage":1000}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let entries = unzip(&r.body);
    assert_eq!(entries.len(), 1);
    assert_eq!(probe(&entries[0].1).1, 500);
}

#[test]
fn decode_pixel_limit_is_read_from_the_header() {
    let s = Server::start(&[("MAX_MEGAPIXELS", "1")]);
    let t = admin(&s);
    // 2000x2000 = 4 MP claimed by a header whose pixel data is junk: refused for its size,
    // so the pixels were never decoded (they would be a DECODE_FAILED).
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "forged.png", &forged_png(2000, 2000))],
        &[("settings", r#"{"width":10}"#)],
    );
    let e = r.error(400);
    assert_eq!(e["code"], "LIMIT_EXCEEDED", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("4.0MP"),
        "{}",
        e["message"]
    );
    // Under the limit the same junk pixels are a decode failure, also 400.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "forged.png", &forged_png(100, 100))],
        &[("settings", r#"{"width":10}"#)],
    );
    assert_eq!(r.error(400)["code"], "DECODE_FAILED");
    // The workspace upload and the library check the header too.
    let r = s.multipart(
        "/api/v1/upload",
        Some(&t),
        &[("file", "forged.png", &forged_png(2000, 2000))],
        &[],
    );
    assert_eq!(r.error(400)["code"], "LIMIT_EXCEEDED");
}
