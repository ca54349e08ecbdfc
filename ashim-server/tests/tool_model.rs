//! The tool model's shapes over HTTP: named slots, sub-routes, typed reports in OpenAPI, and
//! a synchronous request cancelled when its client goes away.

mod common;

use common::{Server, fixture, probe};
use serde_json::Value;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn named_slots_are_filled_by_part_name_and_a_missing_one_is_a_400_naming_it() {
    let s = Server::start(&[]);
    let t = s.login("admin", "admin");
    let main = fixture("test-200x150.png");
    let mark = fixture("test-50x50.webp");
    let e = s
        .multipart(
            "/api/v1/tools/watermark-image",
            Some(&t),
            &[("file", "a.png", &main)],
            &[],
        )
        .error(400);
    assert!(e["message"].as_str().unwrap().contains("watermark"), "{e}");
    let r = s.multipart(
        "/api/v1/tools/watermark-image",
        Some(&t),
        &[("file", "a.png", &main), ("watermark", "logo.webp", &mark)],
        &[("settings", r#"{"position":"top-left","opacity":100}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let url = r.json()["downloadUrl"].as_str().unwrap().to_string();
    let out = s.get(&url, None).body;
    assert_eq!(probe(&out), ("png".to_string(), 200, 150));
}

#[test]
fn a_sub_route_is_served_with_its_typed_report_and_documented() {
    let s = Server::start(&[]);
    let t = s.login("admin", "admin");
    let jpg = fixture("test-with-exif.jpg");
    let r = s.multipart(
        "/api/v1/tools/strip-metadata/inspect",
        Some(&t),
        &[("file", "photo.jpg", &jpg)],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(report["filename"], "photo.jpg");
    assert!(report["exif"].is_object(), "{report}");
    // Strip everything, then inspect the result: no EXIF left.
    let r = s.multipart(
        "/api/v1/tools/strip-metadata",
        Some(&t),
        &[("file", "photo.jpg", &jpg)],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let stripped = s.get(r.json()["downloadUrl"].as_str().unwrap(), None).body;
    let r = s.multipart(
        "/api/v1/tools/strip-metadata/inspect",
        Some(&t),
        &[("file", "photo.jpg", &stripped)],
        &[],
    );
    assert!(r.json().get("exif").is_none(), "{}", r.text());
    // The report's schema reaches the OpenAPI document.
    let doc = s.get("/api/v1/openapi.json", None).json();
    let op = &doc["paths"]["/api/v1/tools/strip-metadata/inspect"]["post"];
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/StripMetadataInspectReport"
    );
    let report_schema = &doc["components"]["schemas"]["StripMetadataInspectReport"];
    assert!(
        report_schema["properties"]["exif"].is_object(),
        "{report_schema}"
    );
    let wm = &doc["paths"]["/api/v1/tools/watermark-image"]["post"]["requestBody"];
    let required: Vec<&str> = wm["content"]["multipart/form-data"]["schema"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"watermark"), "{wm}");
}

fn multipart_request(
    port: u16,
    path: &str,
    token: &str,
    file: &[u8],
    fields: &[(&str, &str)],
) -> Vec<u8> {
    let boundary = "----ashimcancel";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    req
}

#[test]
fn a_synchronous_request_whose_client_goes_away_stops_its_work() {
    let s = Server::start(&[]);
    let t = s.login("admin", "admin");
    let job = "cancel-me-1";
    let mut sse = s.sse(job, Duration::from_secs(120));
    assert_eq!(sse.head().0, 200);
    // A long blur of a large photo, sent synchronously; the client hangs up while it runs.
    let big = fixture("content/portrait-bw.jpeg");
    let req = multipart_request(
        s.port,
        "/api/v1/tools/blur",
        &t,
        &big,
        &[("settings", r#"{"sigma":16}"#), ("clientJobId", job)],
    );
    let mut conn = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    conn.write_all(&req).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    drop(conn);
    let events = sse.events();
    let last = events.last().expect("events on the stream");
    assert_eq!(last["phase"], "failed", "{events:?}");
    assert!(
        last["error"].as_str().unwrap().contains("cancelled"),
        "{last}"
    );
}
