//! The binary's command line and the library's in-process app.

use std::io::{Read, Write};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ashim-server"))
}

#[test]
fn help_and_version_print_and_exit() {
    for flag in ["--help", "-h"] {
        let out = bin().arg(flag).env("PORT", "1").output().unwrap();
        assert!(out.status.success(), "{flag}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Usage:"), "{text}");
        assert!(text.contains("serve"), "{text}");
        assert!(text.contains("--version"), "{text}");
    }
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("ashim-server {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_subcommand_fails_with_usage() {
    let out = bin().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown arguments: frobnicate"), "{err}");
    assert!(err.contains("Usage:"), "{err}");
}

fn get(port: u16, path: &str) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: test-req-42\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_app_serves_in_process() {
    let dir = std::env::temp_dir().join(format!("ashim-inproc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let vars = [
        ("DB_PATH", dir.join("db/ashim.db")),
        ("WORKSPACE_PATH", dir.join("ws")),
        ("FILES_STORAGE_PATH", dir.join("files")),
    ];
    let cfg = ashim_server::Config::from_lookup(&|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.display().to_string())
    })
    .unwrap();
    let router = ashim_server::build_app(cfg).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (status, head, body) = tokio::task::spawn_blocking(move || get(port, "/api/v1/health"))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("x-request-id: test-req-42"), "{head}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "healthy");
    assert!(dir.join("db/ashim.db").exists());
    let (status, _, body) = tokio::task::spawn_blocking(move || get(port, "/api/v1/settings"))
        .await
        .unwrap();
    assert_eq!(status, 401, "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}
