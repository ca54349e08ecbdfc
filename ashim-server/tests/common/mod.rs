//! Test harness: start the real `ashim-server` binary on a free loopback port with a
//! temporary database and workspace, and talk raw HTTP/1.1 to it.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fixture file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/");
    std::fs::read(format!("{p}{name}")).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A running server.
pub struct Server {
    child: Option<Child>,
    pub dir: PathBuf,
    pub port: u16,
    env: Vec<(String, String)>,
}

impl Server {
    /// A fresh temp dir and a server with `SKIP_MUST_CHANGE_PASSWORD=true` plus `env`.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("ashim-server-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut all: Vec<(String, String)> =
            vec![("SKIP_MUST_CHANGE_PASSWORD".into(), "true".into())];
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Self::start_in(dir, all)
    }

    /// Start in an existing directory with exactly these variables (plus paths and port).
    pub fn start_in(dir: PathBuf, env: Vec<(String, String)>) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ashim-server"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOST", "127.0.0.1")
            .env("PORT", "0")
            .env("DB_PATH", dir.join("data/ashim.db"))
            .env("WORKSPACE_PATH", dir.join("workspace"))
            .env("FILES_STORAGE_PATH", dir.join("files"))
            .env("CONCURRENT_JOBS", "2")
            .stdout(Stdio::piped())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join("server.log"))
                    .map(Stdio::from)
                    .unwrap_or(Stdio::inherit()),
            );
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start ashim-server");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in startup line {line:?}"));
        Self {
            child: Some(child),
            dir,
            port,
            env,
        }
    }

    /// Stop with SIGTERM and wait; returns whether it exited successfully.
    pub fn stop(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return false;
        };
        let ok = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -TERM failed");
        for _ in 0..100 {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Stop and start again on the same data directory.
    pub fn restart(mut self) -> Self {
        assert!(self.stop(), "graceful shutdown failed");
        let dir = self.dir.clone();
        let env = std::mem::take(&mut self.env);
        std::mem::forget(self);
        Self::start_in(dir, env)
    }

    /// Send a request.
    pub fn req(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        Resp::parse(&raw)
    }

    /// GET with an optional bearer token.
    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let h: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.req("GET", path, &h, b"")
    }

    /// DELETE with a bearer token.
    pub fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let h: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.req("DELETE", path, &h, b"")
    }

    /// A JSON request.
    pub fn json(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut h: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
        if let Some(a) = &auth {
            h.push(("Authorization", a));
        }
        self.req(method, path, &h, body.to_string().as_bytes())
    }

    /// A multipart POST: files (field, name, bytes) and text fields.
    pub fn multipart(
        &self,
        path: &str,
        token: Option<&str>,
        files: &[(&str, &str, &[u8])],
        fields: &[(&str, &str)],
    ) -> Resp {
        self.multipart_with(path, token, files, fields, &[])
    }

    /// Multipart with extra headers.
    pub fn multipart_with(
        &self,
        path: &str,
        token: Option<&str>,
        files: &[(&str, &str, &[u8])],
        fields: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Resp {
        let boundary = "----ashimtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, name, data) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut h: Vec<(&str, &str)> = vec![("Content-Type", &ct)];
        if let Some(a) = &auth {
            h.push(("Authorization", a));
        }
        h.extend_from_slice(extra);
        self.req("POST", path, &h, &body)
    }

    /// Log in; returns the token.
    pub fn login(&self, user: &str, pass: &str) -> String {
        let r = self.json(
            "POST",
            "/api/auth/login",
            None,
            &serde_json::json!({"username": user, "password": pass}),
        );
        assert_eq!(r.status, 200, "login {user}: {}", r.text());
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// Open an SSE stream and collect `data:` events until a terminal one (or timeout).
    pub fn sse(&self, job: &str, timeout: Duration) -> SseStream {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(timeout)).unwrap();
        let head = format!(
            "GET /api/v1/jobs/{job}/progress HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        SseStream {
            reader: BufReader::new(s),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An open SSE response.
pub struct SseStream {
    reader: BufReader<TcpStream>,
}

impl SseStream {
    /// Read the status line and headers.
    pub fn head(&mut self) -> (u16, Vec<(String, String)>) {
        let mut status = String::new();
        self.reader.read_line(&mut status).unwrap();
        let code = status
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            let mut l = String::new();
            self.reader.read_line(&mut l).unwrap();
            let l = l.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        (code, headers)
    }

    /// Every event until the terminal one; chunked framing lines are skipped.
    pub fn events(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let mut l = String::new();
            match self.reader.read_line(&mut l) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if let Some(data) = l.trim_end().strip_prefix("data: ") {
                let v: Value = serde_json::from_str(data).expect("SSE data is JSON");
                let terminal = matches!(v["status"].as_str(), Some("completed" | "failed"))
                    || matches!(v["phase"].as_str(), Some("complete" | "failed"));
                out.push(v);
                if terminal {
                    break;
                }
            }
        }
        out
    }
}

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    fn parse(raw: &[u8]) -> Self {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("HTTP head");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Self {
            status,
            headers,
            body,
        }
    }

    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    /// Body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Assert the error envelope and return the body.
    pub fn error(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        let v = self.json();
        assert_eq!(v["statusCode"], status);
        assert!(
            v["error"].is_string() && v["message"].is_string() && v["code"].is_string(),
            "envelope: {v}"
        );
        v
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        b = &b[eol + 2..];
        if size == 0 || b.len() < size {
            break;
        }
        out.extend_from_slice(&b[..size]);
        b = &b[(size + 2).min(b.len())..];
    }
    out
}

/// Image facts from the core's header probe: (format name, width, height).
pub fn probe(data: &[u8]) -> (String, u32, u32) {
    let h = ashim_core::io::probe(data, None).expect("an image");
    (h.format.name().to_string(), h.width, h.height)
}

/// Entry names and contents of a ZIP.
pub fn unzip(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(data)).expect("a ZIP");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}
