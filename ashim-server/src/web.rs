//! The single-page web app (api.md §1.1): every path outside `/api/` is answered from the
//! files under `ashim-server/web/`, embedded in the binary at compile time. Unknown paths
//! fall back to `index.html` so client-side routes (`/tools/resize`) can be reloaded;
//! unknown `/api/` paths stay a JSON 404.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file: URL path (without the leading `/`), MIME type, bytes.
struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

macro_rules! assets {
    ($($path:literal => $mime:literal,)*) => {
        &[$(Asset { path: $path, mime: $mime, body: include_bytes!(concat!("../web/", $path)) },)*]
    };
}

/// Every file of the web app. A test checks that this list and `web/` agree.
static ASSETS: &[Asset] = assets! {
    "index.html" => "text/html; charset=utf-8",
    "styles.css" => "text/css; charset=utf-8",
    "app.js" => "text/javascript; charset=utf-8",
    "api.js" => "text/javascript; charset=utf-8",
    "dom.js" => "text/javascript; charset=utf-8",
    "schema-form.js" => "text/javascript; charset=utf-8",
    "catalogue.js" => "text/javascript; charset=utf-8",
    "result.js" => "text/javascript; charset=utf-8",
    "tool-page.js" => "text/javascript; charset=utf-8",
    "pipelines.js" => "text/javascript; charset=utf-8",
    "library.js" => "text/javascript; charset=utf-8",
    "admin.js" => "text/javascript; charset=utf-8",
    "favicon.svg" => "image/svg+xml",
};

fn find(path: &str) -> Option<&'static Asset> {
    let key = path.trim_start_matches('/');
    let key = if key.is_empty() { "index.html" } else { key };
    ASSETS.iter().find(|a| a.path == key)
}

fn index() -> &'static Asset {
    // The table always lists index.html first.
    &ASSETS[0]
}

/// The router's fallback: the web app for `GET`/`HEAD` outside `/api/`, the JSON 404
/// (or 405) everywhere else.
pub async fn serve(req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || path == "/api" {
        return ApiError::not_found("Not found").into_response();
    }
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        return ApiError::new(
            405,
            "method_not_allowed",
            "Method not allowed on this route",
        )
        .into_response();
    }
    let asset = match find(path) {
        Some(a) => a,
        // A missing file with an extension (`/missing.js`) is a 404, not the page:
        // a script tag must not receive HTML. Extension-less paths are app routes.
        None if path.rsplit('/').next().is_some_and(|s| s.contains('.')) => {
            return ApiError::not_found("Not found").into_response();
        }
        None => index(),
    };
    let mut resp = if head {
        StatusCode::OK.into_response()
    } else {
        asset.body.into_response()
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(asset.body.len()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_web_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("web/ exists")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = ASSETS.iter().map(|a| a.path.to_string()).collect();
        listed.sort();
        assert_eq!(
            on_disk, listed,
            "ASSETS in web.rs must list every file in web/"
        );
        assert_eq!(ASSETS[0].path, "index.html");
    }

    #[test]
    fn lookup_and_fallback() {
        assert_eq!(find("/").map(|a| a.path), Some("index.html"));
        assert_eq!(
            find("/app.js").map(|a| a.mime),
            Some("text/javascript; charset=utf-8")
        );
        assert!(find("/tools/resize").is_none());
        assert!(find("/../Cargo.toml").is_none());
    }

    #[test]
    fn modules_import_only_embedded_files() {
        // Every `from "/x.js"` / `import("/x.js")` in the app must name an embedded file,
        // or the browser would get a 404 at run time.
        for a in ASSETS.iter().filter(|a| a.path.ends_with(".js")) {
            let text = std::str::from_utf8(a.body).expect("utf-8");
            for part in text.split("from \"/").skip(1) {
                let name = part.split('"').next().unwrap_or_default();
                assert!(find(name).is_some(), "{} imports missing /{name}", a.path);
            }
            assert!(
                !text.contains("http://") && !text.contains("https://"),
                "{} names an external URL",
                a.path
            );
        }
    }
}
