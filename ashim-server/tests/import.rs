//! `ashim-server import-reference` on the database the reference server made
//! (shared/fixtures/reference-db, passwords and keys from its README).

mod common;

use common::Server;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn reference() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/reference-db"
    ))
}

fn import(dir: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ashim-server"))
        .arg("import-reference")
        .arg("--db")
        .arg(reference().join("ashim.db"))
        .arg("--files")
        .arg(reference().join("files"))
        .args(extra)
        .env_clear()
        .env("DB_PATH", dir.join("data/ashim.db"))
        .env("FILES_STORAGE_PATH", dir.join("files"))
        .env("LOG_LEVEL", "error")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// `imported`, `already present` and `skipped` of one report line.
fn tally(report: &str, kind: &str) -> (usize, usize, usize) {
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with(kind))
        .unwrap_or_else(|| panic!("no {kind} line in {report}"));
    let n: Vec<usize> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0], n[1], n[2])
}

#[test]
fn reference_installation_imports_and_works() {
    let dir = std::env::temp_dir().join(format!("ashim-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // A dry run writes nothing.
    let dry = import(&dir, &["--dry-run"]);
    assert!(dry.contains("dry run"), "{dry}");
    assert_eq!(tally(&dry, "users").0, 4, "{dry}");
    assert!(
        !dir.join("files")
            .join("599d330c-699c-4234-8a95-8a5e1557df6f.jpg")
            .exists()
    );

    let first = import(&dir, &[]);
    assert_eq!(tally(&first, "users"), (4, 0, 0), "{first}");
    assert_eq!(tally(&first, "roles"), (1, 0, 0), "{first}");
    assert_eq!(tally(&first, "api keys"), (3, 0, 0), "{first}");
    assert_eq!(tally(&first, "pipelines"), (2, 0, 0), "{first}");
    assert_eq!(tally(&first, "files"), (3, 0, 0), "{first}");
    assert_eq!(
        tally(&first, "teams").0,
        1,
        "Design is new, Default exists: {first}"
    );
    // Idempotent: a second run finds everything present.
    let again = import(&dir, &[]);
    for kind in [
        "users",
        "roles",
        "teams",
        "api keys",
        "settings",
        "pipelines",
        "files",
    ] {
        assert_eq!(tally(&again, kind).0, 0, "{kind} imported twice: {again}");
    }
    assert_eq!(tally(&again, "users").1, 4, "{again}");

    let s = Server::start_in(dir.clone(), vec![]);
    // Every user logs in with the original password; bob and carol must still change it.
    let admin = s.login("admin", "Admin-Pass-2024");
    let alice = s.login("alice", "Alice-Pass-2025");
    for (user, pass) in [("bob", "Bob-Pass-2024"), ("carol", "Carol-Pass-2024")] {
        let r = s.json(
            "POST",
            "/api/auth/login",
            None,
            &json!({"username": user, "password": pass}),
        );
        assert_eq!(r.status, 200, "{user}: {}", r.text());
        assert_eq!(r.json()["user"]["mustChangePassword"], true, "{user}");
        let t = r.json()["token"].as_str().unwrap().to_string();
        let e = s.get("/api/v1/settings", Some(&t)).error(403);
        assert_eq!(e["code"], "MUST_CHANGE_PASSWORD", "{user}");
    }
    let r = s.json(
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "alice", "password": "Alice-Pass-2024"}),
    );
    assert_eq!(r.error(401)["code"], "INVALID_CREDENTIALS");
    // The scrypt hashes were upgraded to argon2id by those logins, and still verify.
    let db = rusqlite::Connection::open(dir.join("data/ashim.db")).unwrap();
    let hashes: Vec<String> = db
        .prepare("SELECT password_hash FROM users ORDER BY username")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes.len(), 4);
    assert!(
        hashes.iter().all(|h| h.starts_with("$argon2id$")),
        "{hashes:?}"
    );
    s.login("alice", "Alice-Pass-2025");
    // Roles and teams.
    let users = s.get("/api/auth/users", Some(&admin)).json();
    let find = |name: &str| -> Value {
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("carol")["role"], "reviewer");
    assert_eq!(find("alice")["team"], "Design");
    assert_eq!(find("bob")["team"], "Default");
    assert_eq!(find("admin")["role"], "admin");

    // Keys authenticate with their permissions.
    let ci = "si_20c4c1334d98ba76565df5a5e5d7587a185292b611c2b20286d3e25a821990ee316d656a569532f8aab3981f24fe9768";
    let resize_only = "si_71f0cb777ef2d0fb1b428bacb7d5a07f9c47bc91001dc65e4c4b5a7413f6ea63caca47d00fe7dd95f4e4de9f748460c9";
    let laptop = "si_12900e55f630f4cb844f8bbe77665ba1f2f8f4128570f8a6b0eeceb8f8d7c86c3f1aab29749666b783e1b4b8627a78de";
    for _ in 0..2 {
        // Twice: the first use verifies the scrypt hash and upgrades it, the second the new one.
        assert_eq!(s.get("/api/auth/users", Some(ci)).status, 200);
        assert_eq!(
            s.get("/api/auth/users", Some(resize_only)).error(403)["code"],
            "FORBIDDEN"
        );
        assert_eq!(s.get("/api/v1/tools", Some(resize_only)).status, 200);
        assert_eq!(s.get("/api/auth/users", Some(laptop)).status, 403);
    }
    let wrong = format!("{}0", &ci[..ci.len() - 1]);
    assert_eq!(s.get("/api/v1/files", Some(&wrong)).status, 401);

    // Settings.
    let set = s.get("/api/v1/settings", Some(&admin)).json();
    assert_eq!(set["settings"]["defaultTheme"], "dark");
    assert_eq!(set["settings"]["loginAttemptLimit"], "25");
    assert_eq!(
        set["settings"]["instance_id"],
        "dc5c6f4d-531f-41b6-8abe-afeca34abb78"
    );
    // disabledTools is honoured at startup: vectorize has no route.
    assert_eq!(
        s.multipart("/api/v1/tools/vectorize", Some(&admin), &[], &[])
            .status,
        404
    );

    // Pipelines belong to their owners.
    let mine = s.get("/api/v1/pipeline/list", Some(&alice)).json();
    let names: Vec<&str> = mine["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["square avatar"]);
    let all = s.get("/api/v1/pipeline/list", Some(&admin)).json();
    let web = all["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "web thumbnails")
        .cloned()
        .unwrap();
    assert_eq!(web["description"], "800 px WebP");
    assert_eq!(web["steps"][1]["toolId"], "convert");

    // The library: alice sees her file with both versions, the bytes as stored.
    let files = s.get("/api/v1/files", Some(laptop)).json();
    assert_eq!(files["total"], 1, "{files}");
    let latest = &files["files"][0];
    assert_eq!(latest["originalName"], "holiday_resize.jpg");
    assert_eq!(latest["version"], 2);
    assert_eq!(latest["toolChain"], json!(["resize"]));
    let id = latest["id"].as_str().unwrap();
    let one = s.get(&format!("/api/v1/files/{id}"), Some(&alice)).json();
    assert_eq!(one["versions"].as_array().unwrap().len(), 2);
    assert_eq!(one["versions"][0]["width"], 640);
    let bytes = s.get(&format!("/api/v1/files/{id}/download"), Some(&alice));
    assert_eq!(bytes.status, 200);
    assert_eq!(
        bytes.body,
        std::fs::read(reference().join("files/d390aa68-3dc5-4bee-82cc-497462ff4860.jpg")).unwrap()
    );
    let admins = s.get("/api/v1/files?search=logo", Some(&admin)).json();
    assert_eq!(admins["files"][0]["originalName"], "logo-draft.png");
    // Other users' files are invisible without files:all (carol's role lacks it).
    let admin_files = s.get("/api/v1/files", Some(ci)).json();
    assert_eq!(
        admin_files["total"], 2,
        "admin holds files:all: {admin_files}"
    );
}
