//! End-to-end tests against the real `ashim-server` binary.

mod common;

use common::{Server, fixture, probe, unzip};
use serde_json::{Value, json};
use std::time::Duration;

const PNG: &str = "test-200x150.png";
const JPG: &str = "test-100x100.jpg";

fn admin(s: &Server) -> String {
    s.login("admin", "admin")
}

fn download(s: &Server, url: &str) -> Vec<u8> {
    let r = s.get(url, None);
    assert_eq!(r.status, 200, "download {url}: {}", r.text());
    r.body
}

#[test]
fn forced_password_change_flow() {
    let s = Server::start(&[("SKIP_MUST_CHANGE_PASSWORD", "false")]);
    let r = s.json(
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "admin", "password": "admin"}),
    );
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["user"]["mustChangePassword"], true);
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["expiresAt"].as_str().unwrap().ends_with(".000Z"));
    let t = body["token"].as_str().unwrap().to_string();
    assert_eq!(t.len(), 64, "256 random bits as hex");
    let e = s.get("/api/v1/pipeline/tools", Some(&t)).error(403);
    assert_eq!(e["code"], "MUST_CHANGE_PASSWORD");
    // Exempt routes still answer.
    assert_eq!(s.get("/api/auth/session", Some(&t)).status, 200);
    assert_eq!(
        s.get("/api/v1/config/auth", Some(&t)).json()["authEnabled"],
        true
    );
    let weak = s.json(
        "POST",
        "/api/auth/change-password",
        Some(&t),
        &json!({"currentPassword": "admin", "newPassword": "short"}),
    );
    assert!(
        weak.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("at least 8")
    );
    let wrong = s.json(
        "POST",
        "/api/auth/change-password",
        Some(&t),
        &json!({"currentPassword": "nope", "newPassword": "Secret123"}),
    );
    assert_eq!(wrong.error(401)["code"], "INVALID_PASSWORD");
    let ok = s.json(
        "POST",
        "/api/auth/change-password",
        Some(&t),
        &json!({"currentPassword": "admin", "newPassword": "Secret123"}),
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(s.get("/api/v1/pipeline/tools", Some(&t)).status, 200);
    assert_eq!(
        s.get("/api/auth/session", Some(&t)).json()["user"]["mustChangePassword"],
        false
    );
    let old = s.json(
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "admin", "password": "admin"}),
    );
    assert_eq!(old.error(401)["code"], "INVALID_CREDENTIALS");
    let t2 = s.login("admin", "Secret123");
    assert_eq!(s.post_logout(&t2), 200);
    assert_eq!(
        s.get("/api/v1/pipeline/tools", Some(&t2)).error(401)["code"],
        "AUTH_REQUIRED"
    );
}

trait Logout {
    fn post_logout(&self, t: &str) -> u16;
}
impl Logout for Server {
    fn post_logout(&self, t: &str) -> u16 {
        self.req(
            "POST",
            "/api/auth/logout",
            &[("Authorization", &format!("Bearer {t}"))],
            b"",
        )
        .status
    }
}

#[test]
fn permission_matrix() {
    let s = Server::start(&[]);
    let a = admin(&s);
    let r = s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "bob", "password": "Bobpass123"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let bob_id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["role"], "user");
    let dup = s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "bob", "password": "Bobpass123"}),
    );
    assert_eq!(dup.error(409)["code"], "CONFLICT");
    let bob = s.login("bob", "Bobpass123");

    let admin_routes: Vec<(&str, String, Value)> = vec![
        ("GET", "/api/auth/users".into(), json!(null)),
        (
            "POST",
            "/api/auth/register".into(),
            json!({"username": "eve", "password": "Evepass123"}),
        ),
        (
            "PUT",
            format!("/api/auth/users/{bob_id}"),
            json!({"role": "admin"}),
        ),
        (
            "POST",
            format!("/api/auth/users/{bob_id}/reset-password"),
            json!({"newPassword": "Newpass123"}),
        ),
        ("DELETE", format!("/api/auth/users/{bob_id}"), json!(null)),
        ("GET", "/api/v1/roles".into(), json!(null)),
        (
            "POST",
            "/api/v1/roles".into(),
            json!({"name": "x1", "permissions": ["tools:use"]}),
        ),
        ("GET", "/api/v1/teams".into(), json!(null)),
        ("GET", "/api/v1/audit-log".into(), json!(null)),
        ("POST", "/api/v1/teams".into(), json!({"name": "t"})),
        ("GET", "/api/v1/admin/health".into(), json!(null)),
        ("PUT", "/api/v1/settings".into(), json!({"appName": "x"})),
        ("DELETE", "/api/v1/settings/logo".into(), json!(null)),
    ];
    for (m, p, b) in &admin_routes {
        let r = s.json(m, p, Some(&bob), b);
        assert_eq!(r.error(403)["code"], "FORBIDDEN", "{m} {p}");
        let r = s.json(m, p, None, b);
        assert_eq!(
            r.error(401)["code"],
            "AUTH_REQUIRED",
            "{m} {p} without token"
        );
    }
    // The admin can use them.
    assert_eq!(
        s.get("/api/auth/users", Some(&a)).json()["users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.get("/api/v1/admin/health", Some(&a)).json()["database"],
        "ok"
    );
    assert_eq!(
        s.get("/api/v1/roles", Some(&a)).json()["roles"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let protected = [
        ("GET", "/api/v1/api-keys"),
        ("POST", "/api/v1/api-keys"),
        ("GET", "/api/v1/pipeline/list"),
        ("GET", "/api/v1/pipeline/tools"),
        ("POST", "/api/v1/pipeline/save"),
        ("POST", "/api/v1/pipeline/execute"),
        ("POST", "/api/v1/pipeline/batch"),
        ("POST", "/api/v1/tools/resize"),
        ("POST", "/api/v1/tools/resize/batch"),
        ("POST", "/api/v1/tools/qr-generate"),
        ("GET", "/api/v1/tools"),
        ("GET", "/api/v1/settings"),
        ("POST", "/api/v1/upload"),
        ("PUT", "/api/v1/user/analytics"),
        ("POST", "/api/auth/change-password"),
        ("GET", "/api/v1/no-such-route"),
    ];
    for (m, p) in protected {
        assert_eq!(
            s.req(m, p, &[], b"").error(401)["code"],
            "AUTH_REQUIRED",
            "{m} {p}"
        );
        let bad = s.req(m, p, &[("Authorization", "Bearer not-a-token")], b"");
        assert_eq!(bad.status, 401, "{m} {p} with a bad token");
    }
    // Public routes need no token.
    for p in [
        "/api/v1/health",
        "/api/v1/config/auth",
        "/api/v1/config/analytics",
        "/api/v1/openapi.yaml",
        "/api/docs",
        "/llms.txt",
    ] {
        assert_eq!(s.get(p, None).status, 200, "{p}");
    }
    assert_eq!(
        s.get("/api/v1/config/analytics", None).json()["enabled"],
        false
    );
    // A plain user can use tools and see no admin data; unknown routes are 404 with a token.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&bob),
        &[("file", PNG, &fixture(PNG))],
        &[("settings", r#"{"width":50}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        s.get("/api/v1/no-such-route", Some(&bob)).error(404)["code"],
        "NOT_FOUND"
    );
    // Role changes: escalation and last-admin rules.
    let me = s.get("/api/auth/session", Some(&a)).json()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.json(
        "PUT",
        &format!("/api/auth/users/{me}"),
        Some(&a),
        &json!({"role": "user"}),
    );
    assert_eq!(r.error(400)["code"], "SELF_DEMOTE");
    assert_eq!(
        s.delete(&format!("/api/auth/users/{me}"), Some(&a))
            .error(400)["code"],
        "SELF_DELETE"
    );
    let r = s.json(
        "PUT",
        &format!("/api/auth/users/{bob_id}"),
        Some(&a),
        &json!({"role": "editor"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        s.delete(&format!("/api/auth/users/{bob_id}"), Some(&a))
            .status,
        200
    );
    assert_eq!(s.get("/api/v1/pipeline/list", Some(&bob)).status, 401);
}

#[test]
fn custom_roles() {
    let s = Server::start(&[]);
    let a = admin(&s);
    let r = s.json("POST", "/api/v1/roles", Some(&a), &json!({"name": " Viewer ", "description": "read-only", "permissions": ["audit:read", "settings:read"]}));
    assert_eq!(r.status, 201, "{}", r.text());
    let role = r.json();
    assert_eq!(role["name"], "viewer");
    let id = role["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.json(
            "POST",
            "/api/v1/roles",
            Some(&a),
            &json!({"name": "viewer", "permissions": ["audit:read"]})
        )
        .error(409)["code"],
        "CONFLICT"
    );
    assert_eq!(
        s.json(
            "POST",
            "/api/v1/roles",
            Some(&a),
            &json!({"name": "editor", "permissions": ["audit:read"]})
        )
        .status,
        409
    );
    assert!(
        s.json(
            "POST",
            "/api/v1/roles",
            Some(&a),
            &json!({"name": "x1", "permissions": ["fly"]})
        )
        .error(400)["message"]
            .as_str()
            .unwrap()
            .contains("fly")
    );
    assert_eq!(
        s.json(
            "PUT",
            "/api/v1/roles/builtin-admin",
            Some(&a),
            &json!({"name": "boss"})
        )
        .status,
        400
    );
    let r = s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "vic", "password": "Vicpass12", "role": "viewer"}),
    );
    assert_eq!(r.json()["role"], "viewer");
    let v = s.login("vic", "Vicpass12");
    let session = s.get("/api/auth/session", Some(&v)).json();
    assert_eq!(
        session["user"]["permissions"],
        json!(["audit:read", "settings:read"])
    );
    // audit:read lists roles; no tools:use means no tools (enforced).
    let roles = s.get("/api/v1/roles", Some(&v)).json();
    let viewer = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "viewer")
        .unwrap()
        .clone();
    assert_eq!(viewer["userCount"], 1);
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&v),
        &[("file", PNG, &fixture(PNG))],
        &[("settings", r#"{"width":10}"#)],
    );
    assert_eq!(r.error(403)["code"], "FORBIDDEN");
    assert_eq!(
        s.multipart(
            "/api/v1/pipeline/execute",
            Some(&v),
            &[("file", PNG, &fixture(PNG))],
            &[]
        )
        .status,
        403
    );
    // Renaming carries the members; deleting moves them to `user`.
    assert_eq!(
        s.json(
            "PUT",
            &format!("/api/v1/roles/{id}"),
            Some(&a),
            &json!({"name": "reader"})
        )
        .status,
        200
    );
    assert_eq!(
        s.get("/api/auth/session", Some(&v)).json()["user"]["role"],
        "reader"
    );
    assert_eq!(
        s.delete(&format!("/api/v1/roles/{id}"), Some(&a)).status,
        200
    );
    assert_eq!(
        s.get("/api/auth/session", Some(&v)).json()["user"]["role"],
        "user"
    );
    assert_eq!(
        s.delete(&format!("/api/v1/roles/{id}"), Some(&a))
            .error(404)["code"],
        "NOT_FOUND"
    );
    // Unknown roles on register silently become `user`.
    let r = s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "wes", "password": "Wespass12", "role": "wizard"}),
    );
    assert_eq!(r.json()["role"], "user");
}

#[test]
fn audit_log() {
    let s = Server::start(&[]);
    let a = admin(&s);
    s.json(
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "admin", "password": "bad"}),
    );
    s.json(
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "ghost", "password": "bad"}),
    );
    s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "hal", "password": "Halpass12"}),
    );
    let key = s
        .json("POST", "/api/v1/api-keys", Some(&a), &json!({"name": "k"}))
        .json();
    s.delete(
        &format!("/api/v1/api-keys/{}", key["id"].as_str().unwrap()),
        Some(&a),
    );
    let log = s.get("/api/v1/audit-log?limit=100", Some(&a)).json();
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for want in [
        "LOGIN_SUCCESS",
        "LOGIN_FAILED",
        "USER_CREATED",
        "API_KEY_CREATED",
        "API_KEY_DELETED",
    ] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    assert_eq!(log["total"].as_u64().unwrap() as usize, actions.len());
    let failed = s
        .get("/api/v1/audit-log?action=LOGIN_FAILED", Some(&a))
        .json();
    assert_eq!(failed["total"], 2);
    let reasons: Vec<&str> = failed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"unknown_user") && reasons.contains(&"bad_password"));
    let page = s.get("/api/v1/audit-log?limit=1&page=2", Some(&a)).json();
    assert_eq!(
        (
            page["entries"].as_array().unwrap().len(),
            page["page"].as_u64(),
            page["limit"].as_u64()
        ),
        (1, Some(2), Some(1))
    );
    let future = s.get("/api/v1/audit-log?from=2999-01-01", Some(&a)).json();
    assert_eq!(future["total"], 0);
    let h = s.login("hal", "Halpass12");
    assert_eq!(
        s.get("/api/v1/audit-log", Some(&h)).error(403)["code"],
        "FORBIDDEN"
    );
}

#[test]
fn teams() {
    let s = Server::start(&[]);
    let a = admin(&s);
    let r = s.json(
        "POST",
        "/api/v1/teams",
        Some(&a),
        &json!({"name": " Design "}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["name"], "Design");
    assert_eq!(
        s.json(
            "POST",
            "/api/v1/teams",
            Some(&a),
            &json!({"name": "design"})
        )
        .error(409)["code"],
        "CONFLICT"
    );
    assert_eq!(
        s.json("POST", "/api/v1/teams", Some(&a), &json!({"name": ""}))
            .status,
        400
    );
    let r = s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "fay", "password": "Faypass12", "team": id}),
    );
    assert_eq!(r.json()["team"], "Design", "team by id, returned by name");
    let r = s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "gus", "password": "Guspass12", "team": "nope"}),
    );
    assert_eq!(r.error(400)["message"], "Team not found");
    let teams = s.get("/api/v1/teams", Some(&a)).json();
    let design = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(design["memberCount"], 1);
    assert_eq!(
        s.delete(&format!("/api/v1/teams/{id}"), Some(&a))
            .error(400)["message"],
        "Cannot delete a team that has members"
    );
    assert_eq!(
        s.delete("/api/v1/teams/default-team-00000000", Some(&a))
            .status,
        400
    );
    assert_eq!(
        s.json(
            "PUT",
            &format!("/api/v1/teams/{id}"),
            Some(&a),
            &json!({"name": "Studio"})
        )
        .status,
        200
    );
    let users = s.get("/api/auth/users", Some(&a)).json();
    let fay = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "fay")
        .unwrap()
        .clone();
    assert_eq!(fay["team"], "Studio");
    let fay_id = fay["id"].as_str().unwrap();
    assert_eq!(
        s.json(
            "PUT",
            &format!("/api/auth/users/{fay_id}"),
            Some(&a),
            &json!({"team": "Default"})
        )
        .status,
        200
    );
    assert_eq!(
        s.delete(&format!("/api/v1/teams/{id}"), Some(&a)).status,
        200
    );
    let f = s.login("fay", "Faypass12");
    assert_eq!(
        s.get("/api/v1/teams", Some(&f)).error(403)["code"],
        "FORBIDDEN"
    );
}

#[test]
fn api_keys_create_use_scope_delete() {
    let s = Server::start(&[]);
    let a = admin(&s);
    let r = s.json("POST", "/api/v1/api-keys", Some(&a), &json!({"name": "ci"}));
    assert_eq!(r.status, 201, "{}", r.text());
    let k = r.json();
    let key = k["key"].as_str().unwrap().to_string();
    assert!(
        key.starts_with("si_")
            && key.len() == 99
            && key[3..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(k["permissions"], Value::Null);
    let listed = s.get("/api/v1/api-keys", Some(&a)).json();
    assert_eq!(listed["apiKeys"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(&key), "raw key never listed");
    assert_eq!(listed["apiKeys"][0]["lastUsedAt"], Value::Null);
    // Use it.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&key),
        &[("file", PNG, &fixture(PNG))],
        &[("settings", r#"{"width":100}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(s.get("/api/v1/api-keys", Some(&key)).json()["apiKeys"][0]["lastUsedAt"].is_string());
    // The key is not a session.
    assert_eq!(s.get("/api/auth/session", Some(&key)).status, 401);
    // Scoped keys narrow.
    let r = s.json(
        "POST",
        "/api/v1/api-keys",
        Some(&a),
        &json!({"name": "read", "permissions": ["settings:read"]}),
    );
    assert_eq!(r.status, 201);
    let scoped = r.json()["key"].as_str().unwrap().to_string();
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&scoped),
        &[("file", PNG, &fixture(PNG))],
        &[],
    );
    assert_eq!(r.error(403)["code"], "FORBIDDEN");
    assert_eq!(s.get("/api/auth/users", Some(&scoped)).status, 403);
    // Cannot scope beyond the role, nor use bad dates.
    s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "carol", "password": "Carolpass1"}),
    );
    let c = s.login("carol", "Carolpass1");
    let r = s.json(
        "POST",
        "/api/v1/api-keys",
        Some(&c),
        &json!({"permissions": ["users:manage"]}),
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("users:manage")
    );
    let r = s.json(
        "POST",
        "/api/v1/api-keys",
        Some(&c),
        &json!({"expiresAt": "2001-01-01T00:00:00Z"}),
    );
    assert!(r.error(400)["message"].as_str().unwrap().contains("future"));
    let r = s.json(
        "POST",
        "/api/v1/api-keys",
        Some(&c),
        &json!({"expiresAt": "garbage"}),
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("expiresAt")
    );
    let r = s.json(
        "POST",
        "/api/v1/api-keys",
        Some(&c),
        &json!({"expiresAt": "2999-01-01T00:00:00Z"}),
    );
    assert_eq!(r.json()["expiresAt"], "2999-01-01T00:00:00.000Z");
    // Only the owner deletes; then the key stops working.
    let id = k["id"].as_str().unwrap();
    assert_eq!(
        s.delete(&format!("/api/v1/api-keys/{id}"), Some(&c))
            .error(404)["code"],
        "NOT_FOUND"
    );
    assert_eq!(
        s.delete(&format!("/api/v1/api-keys/{id}"), Some(&a)).status,
        200
    );
    assert_eq!(
        s.get("/api/v1/pipeline/tools", Some(&key)).error(401)["code"],
        "AUTH_REQUIRED"
    );
}

#[test]
fn each_registered_tool_route() {
    let s = Server::start(&[]);
    let t = admin(&s);
    let png = fixture(PNG);
    let jpg = fixture(JPG);
    let one = |tool: &str, name: &str, data: &[u8], settings: &str| {
        let r = s.multipart(
            &format!("/api/v1/tools/{tool}"),
            Some(&t),
            &[("file", name, data)],
            &[("settings", settings)],
        );
        assert_eq!(r.status, 200, "{tool}: {}", r.text());
        r
    };
    let env = |r: &common::Resp| {
        let v = r.json();
        assert!(
            v["jobId"].is_string() && v["originalSize"].is_u64() && v["processedSize"].is_u64(),
            "{v}"
        );
        assert!(
            v.get("previewUrl").is_none_or(|p| p.is_string()),
            "no null keys: {v}"
        );
        v
    };

    let v = env(&one("resize", "photo.jpeg", &jpg, r#"{"width":50}"#));
    assert!(
        v["downloadUrl"]
            .as_str()
            .unwrap()
            .ends_with("/photo_resize.jpg"),
        "{v}"
    );
    assert_eq!(v["originalSize"], jpg.len());
    let out = download(&s, v["downloadUrl"].as_str().unwrap());
    assert_eq!(out.len() as u64, v["processedSize"].as_u64().unwrap());
    assert_eq!(probe(&out), ("jpeg".into(), 50, 50));

    let v = env(&one(
        "crop",
        PNG,
        &png,
        r#"{"left":10,"top":10,"width":40,"height":30}"#,
    ));
    assert_eq!(
        probe(&download(&s, v["downloadUrl"].as_str().unwrap())),
        ("png".into(), 40, 30)
    );

    let v = env(&one("rotate", PNG, &png, r#"{"angle":90}"#));
    assert!(
        v["downloadUrl"]
            .as_str()
            .unwrap()
            .ends_with("test-200x150_rotate.png")
    );
    assert_eq!(
        probe(&download(&s, v["downloadUrl"].as_str().unwrap())),
        ("png".into(), 150, 200)
    );

    let v = env(&one("convert", PNG, &png, r#"{"format":"webp"}"#));
    assert!(
        v["downloadUrl"]
            .as_str()
            .unwrap()
            .ends_with("/test-200x150.webp"),
        "{v}"
    );
    let webp = download(&s, v["downloadUrl"].as_str().unwrap());
    assert_eq!(&webp[8..12], b"WEBP");
    let v = env(&one("convert", PNG, &png, r#"{"format":"tiff"}"#));
    assert!(
        v["previewUrl"].as_str().unwrap().ends_with("/preview.webp"),
        "TIFF gets a preview: {v}"
    );
    assert_eq!(
        &download(&s, v["previewUrl"].as_str().unwrap())[8..12],
        b"WEBP"
    );

    let v = env(&one("compress", JPG, &jpg, r#"{"quality":40}"#));
    assert_eq!(
        probe(&download(&s, v["downloadUrl"].as_str().unwrap())).0,
        "jpeg"
    );

    let info = one("info", PNG, &png, "").json();
    assert_eq!(
        (
            info["width"].as_u64(),
            info["height"].as_u64(),
            info["format"].as_str()
        ),
        (Some(200), Some(150), Some("png"))
    );

    let r = one("split", PNG, &png, r#"{"columns":2,"rows":2}"#);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert!(r.header("content-disposition").unwrap().contains("split-"));
    let entries = unzip(&r.body);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "test-200x150_r1_c1.png",
            "test-200x150_r1_c2.png",
            "test-200x150_r2_c1.png",
            "test-200x150_r2_c2.png"
        ]
    );
    assert_eq!(probe(&entries[3].1), ("png".into(), 100, 75));

    let r = s.multipart(
        "/api/v1/tools/stitch",
        Some(&t),
        &[("file", PNG, &png), ("file", JPG, &jpg)],
        &[(
            "settings",
            r#"{"direction":"horizontal","resizeMode":"original"}"#,
        )],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = env(&r);
    assert_eq!(v["originalSize"], png.len() + jpg.len());
    assert!(v["downloadUrl"].as_str().unwrap().ends_with("/stitch.png"));
    assert_eq!(
        probe(&download(&s, v["downloadUrl"].as_str().unwrap())),
        ("png".into(), 300, 150)
    );
    let r = s.multipart(
        "/api/v1/tools/stitch",
        Some(&t),
        &[("file", PNG, &png)],
        &[],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("At least 2")
    );

    let r = s.json(
        "POST",
        "/api/v1/tools/qr-generate",
        Some(&t),
        &json!({"text": "https://example.org", "size": 200}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = env(&r);
    assert_eq!(v["originalSize"], 0);
    assert!(v["downloadUrl"].as_str().unwrap().ends_with("/qrcode.png"));
    assert_eq!(
        probe(&download(&s, v["downloadUrl"].as_str().unwrap())),
        ("png".into(), 200, 200)
    );
    let r = s.json(
        "POST",
        "/api/v1/tools/qr-generate",
        Some(&t),
        &json!({"size": 200}),
    );
    assert_eq!(r.error(400)["details"][0]["path"], "text");

    // Single routes refuse several files and missing files.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", PNG, &png), ("file", PNG, &png)],
        &[],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("/api/v1/tools/resize/batch")
    );
    let r = s.multipart("/api/v1/tools/resize", Some(&t), &[], &[("settings", "{}")]);
    assert_eq!(r.error(400)["message"], "No image file provided");
    let r = s.multipart("/api/v1/tools/nope", Some(&t), &[("file", PNG, &png)], &[]);
    assert_eq!(r.error(404)["code"], "UNKNOWN_TOOL");
}

/// Every tool in the registry has a working route, whatever is registered later.
#[test]
fn registry_drives_routes_and_docs() {
    let s = Server::start(&[]);
    let t = admin(&s);
    let png = fixture(PNG);
    let jpg = fixture(JPG);
    let doc = s.get("/api/v1/openapi.json", None).json();
    assert_eq!(doc["openapi"], "3.1.0");
    let catalogue = s.get("/api/v1/tools", Some(&t)).json();
    let pipeline_tools = s.get("/api/v1/pipeline/tools", Some(&t)).json();
    for tool in ashim_core::registry::tools() {
        let m = tool.meta();
        assert!(
            doc["paths"][format!("/api/v1/tools/{}", m.id)]["post"].is_object(),
            "{} in OpenAPI",
            m.id
        );
        assert!(
            catalogue["tools"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == m.id)
        );
        let path = format!("/api/v1/tools/{}", m.id);
        let r = if m.takes_no_files() {
            s.json("POST", &path, Some(&t), &json!({}))
        } else {
            // Every slot filled: the positional one with as many files as it needs, each
            // named slot by its part name.
            let n = m.positional().map_or(0, |p| p.min.max(1) as usize);
            let mut files: Vec<(&str, &str, &[u8])> = (0..n)
                .map(|i| {
                    (
                        "file",
                        if i % 2 == 0 { PNG } else { JPG },
                        if i % 2 == 0 { &png[..] } else { &jpg[..] },
                    )
                })
                .collect();
            for slot in m.named_slots() {
                files.push((slot.name, JPG, &jpg[..]));
            }
            s.multipart(&path, Some(&t), &files, &[])
        };
        // Defaults may be incomplete (400 naming a field, or 422 for a cross-field rule).
        assert!(
            [200, 400, 422, 501].contains(&r.status),
            "{}: {} {}",
            m.id,
            r.status,
            r.text()
        );
        if r.status != 200 {
            r.error(r.status);
        }
        if r.status == 400 {
            assert!(
                r.json()["details"][0]["path"].is_string(),
                "{} default settings error names a field: {}",
                m.id,
                r.text()
            );
        }
        let listed = pipeline_tools["toolIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == m.id);
        assert_eq!(listed, m.pipeline_capable(), "{}", m.id);
    }
    let text = serde_json::to_string(&doc).unwrap();
    assert!(!text.contains("$defs") && !text.contains("#/$defs"));
    let yaml = s.get("/api/v1/openapi.yaml", None);
    assert!(
        yaml.header("content-type")
            .unwrap()
            .starts_with("text/yaml")
    );
    assert!(yaml.text().starts_with("openapi: 3.1.0\n"));
    let llms = s.get("/llms.txt", None);
    assert!(
        llms.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let llms = llms.text();
    assert!(llms.starts_with("# ashim API") && llms.contains("si_") && llms.contains("- resize:"));
    let full = s.get("/llms-full.txt", None).text();
    assert!(
        full.contains("### POST /api/v1/tools/resize (auth required")
            && full.contains("### GET /api/v1/health (public)")
    );
    let html = s.get("/api/docs", None);
    assert!(
        html.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = html.text();
    assert!(html.contains("/api/v1/openapi.json"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "docs page loads nothing external"
    );
}

#[test]
fn batch_zip_and_partial_failures() {
    let s = Server::start(&[("MAX_BATCH_SIZE", "4")]);
    let t = admin(&s);
    let png = fixture(PNG);
    let jpg = fixture(JPG);
    let corrupt = b"\x89PNG\r\n\x1a\nthis is not really a png".to_vec();
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[
            ("files", PNG, &png),
            ("files", "bad.png", &corrupt),
            ("files", JPG, &jpg),
            ("files", PNG, &png),
        ],
        &[
            ("settings", r#"{"width":40}"#),
            ("clientJobId", "batch-job-1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-job-id"), Some("batch-job-1"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("batch-resize-batch-jo.zip")
    );
    let results: Value = serde_json::from_str(r.header("x-file-results").unwrap()).unwrap();
    assert_eq!(
        results,
        json!({"0": "test-200x150_resize.png", "2": "test-100x100_resize.jpg", "3": "test-200x150_resize_1.png"})
    );
    let entries = unzip(&r.body);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "test-200x150_resize.png",
            "test-100x100_resize.jpg",
            "test-200x150_resize_1.png"
        ]
    );
    assert_eq!(probe(&entries[0].1), ("png".into(), 40, 30));
    assert_eq!(probe(&entries[1].1), ("jpeg".into(), 40, 40));
    // The final batch state is replayed to a late subscriber, errors included.
    let mut sse = s.sse("batch-job-1", Duration::from_secs(5));
    let (code, headers) = sse.head();
    assert_eq!(code, 200);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v == "text/event-stream")
    );
    let ev = sse.events();
    let last = ev.last().unwrap();
    assert_eq!(
        (last["type"].as_str(), last["status"].as_str()),
        (Some("batch"), Some("completed"))
    );
    assert_eq!(
        (
            last["totalFiles"].as_u64(),
            last["completedFiles"].as_u64(),
            last["failedFiles"].as_u64()
        ),
        (Some(4), Some(4), Some(1))
    );
    assert_eq!(last["errors"][0]["filename"], "bad.png");
    // All failed → 422 with the errors.
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[("f", "a.png", &corrupt), ("f", "b.png", &corrupt)],
        &[("settings", r#"{"width":10}"#)],
    );
    let e = r.error(422);
    assert_eq!(e["errors"].as_array().unwrap().len(), 2);
    // Limits and validation.
    let five: Vec<(&str, &str, &[u8])> = (0..5).map(|_| ("files", PNG, png.as_slice())).collect();
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &five,
        &[("settings", r#"{"width":10}"#)],
    );
    assert_eq!(r.error(400)["code"], "TOO_MANY_FILES");
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[],
        &[("settings", "{}")],
    );
    assert_eq!(r.error(400)["message"], "No image files provided");
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[("f", PNG, &png)],
        &[("settings", r#"{"width":1.5}"#)],
    );
    assert_eq!(r.error(400)["details"][0]["path"], "width");
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[("f", PNG, &png)],
        &[("clientJobId", "bad id!")],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("clientJobId")
    );
    // Split in a batch: one ZIP per input, named <stem>_split.zip.
    let r = s.multipart(
        "/api/v1/tools/split/batch",
        Some(&t),
        &[("f", PNG, &png)],
        &[("settings", r#"{"columns":2,"rows":1}"#)],
    );
    assert_eq!(r.status, 200);
    let entries = unzip(&r.body);
    assert_eq!(entries[0].0, "test-200x150_split.zip");
    assert_eq!(unzip(&entries[0].1).len(), 2);
}

#[test]
fn pipelines_execute_batch_save_list_delete() {
    let s = Server::start(&[("MAX_PIPELINE_STEPS", "3")]);
    let t = admin(&s);
    let png = fixture(PNG);
    let def = json!({"steps": [
        {"toolId": "resize", "settings": {"width": 100}},
        {"toolId": "rotate", "settings": {"angle": 90}},
        {"toolId": "convert", "settings": {"format": "webp"}},
    ]});
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[("pipeline", &def.to_string())],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["stepsCompleted"], 3);
    assert_eq!(v["steps"][1]["toolId"], "rotate");
    assert_eq!(v["originalSize"], png.len());
    let out = download(&s, v["downloadUrl"].as_str().unwrap());
    assert_eq!(probe(&out), ("webp".into(), 75, 100));
    assert!(v["downloadUrl"].as_str().unwrap().ends_with(".webp"));
    // Errors name the step; the step limit holds.
    let bad = json!({"steps": [{"toolId": "resize", "settings": {"width": 10}}, {"toolId": "rotate", "settings": {"angle": "x"}}]});
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[("pipeline", &bad.to_string())],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .starts_with("Step 2 (rotate)")
    );
    // A step failing at run time: 422 with the steps completed before it.
    let fails = json!({"steps": [{"toolId": "resize", "settings": {"width": 10}}, {"toolId": "crop", "settings": {"left": 500, "top": 500, "width": 50, "height": 50}}]});
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[("pipeline", &fails.to_string())],
    );
    let e = r.error(422);
    assert!(
        e["message"].as_str().unwrap().starts_with("Step 2 (crop)"),
        "{e}"
    );
    assert_eq!(
        e["completedSteps"],
        json!([{"step": 1, "toolId": "resize"}])
    );
    let unknown = json!({"steps": [{"toolId": "nope"}]});
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[("pipeline", &unknown.to_string())],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .contains("Step 1 (nope)")
    );
    let long = json!({"steps": vec![json!({"toolId": "rotate"}); 4]});
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[("pipeline", &long.to_string())],
    );
    assert_eq!(r.error(400)["code"], "TOO_MANY_STEPS");
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", PNG, &png)],
        &[],
    );
    assert_eq!(r.error(400)["message"], "No pipeline definition provided");
    // Batch.
    let r = s.multipart(
        "/api/v1/pipeline/batch",
        Some(&t),
        &[("f", PNG, &png), ("f", JPG, &fixture(JPG))],
        &[("pipeline", &def.to_string())],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("pipeline-batch-")
    );
    let names: Vec<String> = unzip(&r.body).into_iter().map(|e| e.0).collect();
    assert_eq!(names, ["test-200x150.webp", "test-100x100.webp"]);
    // Save / list / delete, owned per user.
    let r = s.json(
        "POST",
        "/api/v1/pipeline/save",
        Some(&t),
        &json!({"name": "thumbs", "steps": [{"toolId": "resize", "settings": {"width": 64}}]}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let saved = r.json();
    assert_eq!(saved["steps"][0]["settings"]["width"], 64);
    assert!(
        saved["steps"][0]["settings"].as_object().unwrap().len() > 1,
        "defaults filled in"
    );
    let r = s.json(
        "POST",
        "/api/v1/pipeline/save",
        Some(&t),
        &json!({"name": "", "steps": []}),
    );
    assert_eq!(r.error(400)["details"][0]["path"], "name");
    s.json(
        "POST",
        "/api/auth/register",
        Some(&t),
        &json!({"username": "dave", "password": "Davepass1"}),
    );
    let d = s.login("dave", "Davepass1");
    assert_eq!(
        s.get("/api/v1/pipeline/list", Some(&d)).json()["pipelines"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let list = s.get("/api/v1/pipeline/list", Some(&t)).json();
    assert_eq!(list["pipelines"][0]["name"], "thumbs");
    let id = saved["id"].as_str().unwrap();
    assert_eq!(
        s.delete(&format!("/api/v1/pipeline/{id}"), Some(&d))
            .error(403)["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        s.delete(&format!("/api/v1/pipeline/{id}"), Some(&t)).status,
        200
    );
    assert_eq!(
        s.delete(&format!("/api/v1/pipeline/{id}"), Some(&t))
            .error(404)["code"],
        "NOT_FOUND"
    );
}

#[test]
fn progress_events_sync_and_async() {
    let s = Server::start(&[]);
    let t = admin(&s);
    let png = fixture(PNG);
    // Subscribe first, then run a synchronous request naming the stream.
    let mut sse = s.sse("sync-job", Duration::from_secs(20));
    assert_eq!(sse.head().0, 200);
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", PNG, &png)],
        &[("settings", r#"{"width":20}"#), ("clientJobId", "sync-job")],
    );
    assert_eq!(r.status, 200);
    let ev = sse.events();
    assert!(ev.len() >= 2, "{ev:?}");
    assert!(
        ev.iter()
            .all(|e| e["type"] == "single" && e["jobId"] == "sync-job")
    );
    assert_eq!(ev[0]["phase"], "processing");
    assert_eq!(
        (
            ev.last().unwrap()["phase"].as_str(),
            ev.last().unwrap()["percent"].as_u64()
        ),
        (Some("complete"), Some(100))
    );
    // Async: 202 with the client id, result in the final event.
    let r = s.multipart(
        "/api/v1/tools/rotate",
        Some(&t),
        &[("file", PNG, &png)],
        &[
            ("settings", r#"{"angle":90}"#),
            ("clientJobId", "async-1"),
            ("async", "true"),
        ],
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json(), json!({"jobId": "async-1", "async": true}));
    let mut sse = s.sse("async-1", Duration::from_secs(20));
    sse.head();
    let ev = sse.events();
    let last = ev.last().unwrap();
    assert_eq!(last["phase"], "complete", "{ev:?}");
    let out = download(&s, last["result"]["downloadUrl"].as_str().unwrap());
    assert_eq!(probe(&out), ("png".into(), 150, 200));
    // Prefer header, failure reported in the stream.
    let corrupt = b"\x89PNG\r\n\x1a\nnope".to_vec();
    let r = s.multipart_with(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "c.png", &corrupt)],
        &[("clientJobId", "async-2"), ("settings", r#"{"width":10}"#)],
        &[("Prefer", "respond-async")],
    );
    assert_eq!(r.status, 202);
    let mut sse = s.sse("async-2", Duration::from_secs(20));
    sse.head();
    let last = sse.events().pop().unwrap();
    assert_eq!(last["phase"], "failed");
    assert!(last["error"].as_str().unwrap().contains("decode"));
    // Bad settings are refused before the 202.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", PNG, &png)],
        &[("settings", r#"{"width":-1}"#), ("async", "true")],
    );
    assert_eq!(r.error(400)["details"][0]["path"], "width");
}

#[test]
fn input_errors_and_limits() {
    let s = Server::start(&[("MAX_UPLOAD_SIZE_MB", "0.005"), ("MAX_MEGAPIXELS", "0.01")]);
    let t = admin(&s);
    let big = fixture("test-portrait-tall.png");
    assert!(big.len() > 6000);
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "big.png", &big)],
        &[],
    );
    assert_eq!(r.error(413)["code"], "PAYLOAD_TOO_LARGE");
    let r = s.multipart(
        "/api/v1/tools/resize/batch",
        Some(&t),
        &[("file", "big.png", &big)],
        &[],
    );
    assert_eq!(r.status, 413);
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&t),
        &[("file", "big.png", &big)],
        &[],
    );
    assert_eq!(r.status, 413);
    // Megapixels are checked from the header: 200x150 = 0.03 MP > 0.01.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", PNG, &fixture(PNG))],
        &[("settings", r#"{"width":10}"#)],
    );
    let e = r.error(400);
    assert_eq!(e["code"], "LIMIT_EXCEEDED");
    assert!(e["message"].as_str().unwrap().contains("MP"));
    // Bad settings name the field; bad JSON is a 400 too.
    let small = fixture("test-50x50.webp");
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "a.webp", &small)],
        &[("settings", r#"{"width":"wide"}"#)],
    );
    let e = r.error(400);
    assert_eq!(e["code"], "INVALID_SETTINGS");
    assert_eq!(e["details"][0]["path"], "width");
    assert!(e["message"].as_str().unwrap().contains("width"));
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "a.webp", &small)],
        &[("settings", "{not json")],
    );
    assert!(r.error(400)["message"].as_str().unwrap().contains("JSON"));
    // Corrupt image → 400, never 500; unknown bytes → 400 too (DECISIONS 2).
    let corrupt = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR garbage garbage".to_vec();
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "c.png", &corrupt)],
        &[("settings", r#"{"width":10}"#)],
    );
    assert_eq!(r.error(400)["code"], "DECODE_FAILED");
    let r = s.multipart(
        "/api/v1/tools/info",
        Some(&t),
        &[("file", "c.jpg", b"\xff\xd8\xff\xe0 truncated")],
        &[],
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "x.png", b"hello world, not an image")],
        &[("settings", r#"{"width":10}"#)],
    );
    assert_eq!(r.error(400)["code"], "UNKNOWN_FORMAT");
    // Malformed multipart and JSON bodies.
    let r = s.req(
        "POST",
        "/api/v1/tools/resize",
        &[
            ("Authorization", &format!("Bearer {t}")),
            ("Content-Type", "multipart/form-data; boundary=xyz"),
        ],
        b"--xyz\r\nbroken",
    );
    assert_eq!(r.error(400)["code"], "VALIDATION_ERROR");
    let r = s.req(
        "POST",
        "/api/v1/pipeline/save",
        &[
            ("Authorization", &format!("Bearer {t}")),
            ("Content-Type", "application/json"),
        ],
        b"{oops",
    );
    assert_eq!(r.error(400)["code"], "VALIDATION_ERROR");
}

#[test]
fn upload_preview_and_unicode_names() {
    let s = Server::start(&[("LOGIN_ATTEMPT_LIMIT", "3")]);
    let t = admin(&s);
    let png = fixture(PNG);
    let r = s.multipart(
        "/api/v1/upload",
        Some(&t),
        &[("files", "a.png", &png), ("files", JPG, &fixture(JPG))],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(
        v["files"][1],
        json!({"name": JPG, "size": fixture(JPG).len(), "format": "jpeg"})
    );
    let job = v["jobId"].as_str().unwrap();
    assert_eq!(download(&s, &format!("/api/v1/download/{job}/a.png")), png);
    let r = s.multipart(
        "/api/v1/upload",
        Some(&t),
        &[("files", "x.png", b"not an image at all")],
        &[],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid file \"x.png\"")
    );
    let r = s.multipart(
        "/api/v1/preview",
        Some(&t),
        &[("file", "big.png", &fixture("test-portrait-tall.png"))],
        &[],
    );
    assert_eq!(r.header("content-type"), Some("image/webp"));
    let (fmt, w, h) = probe(&r.body);
    assert_eq!(fmt, "webp");
    assert!(w <= 1200 && h <= 1200 && w > 0);
    // The logo: admin-only upload, shrunk to 128 px, public download, delete.
    assert_eq!(
        s.get("/api/v1/settings/logo", None).error(404)["message"],
        "No custom logo set"
    );
    let big = fixture("test-portrait-tall.png");
    let r = s.multipart(
        "/api/v1/settings/logo",
        Some(&t),
        &[("file", "logo.png", &big)],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let logo = s.get("/api/v1/settings/logo", None);
    assert_eq!(logo.header("content-type"), Some("image/png"));
    let (fmt, w, h) = probe(&logo.body);
    assert_eq!(fmt, "png");
    assert!(w.max(h) == 128, "{w}x{h}");
    assert_eq!(
        s.get("/api/v1/settings/customLogo", Some(&t)).json()["value"],
        "true"
    );
    assert_eq!(s.delete("/api/v1/settings/logo", Some(&t)).status, 200);
    assert_eq!(s.get("/api/v1/settings/logo", None).status, 404);
    // Non-ASCII names survive the X-File-Results header.
    let r = s.multipart(
        "/api/v1/tools/rotate/batch",
        Some(&t),
        &[("f", "füße.png", &png)],
        &[("settings", r#"{"angle":180}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let results: Value = serde_json::from_str(r.header("x-file-results").unwrap()).unwrap();
    assert_eq!(results["0"], "füße_rotate.png");
    assert_eq!(unzip(&r.body)[0].0, "füße_rotate.png");
    // Login attempts are limited per client per minute (fixed windows: 7 tries always
    // put 3+ into one window).
    let bad = json!({"username": "admin", "password": "wrong"});
    let codes: Vec<u16> = (0..7)
        .map(|_| s.json("POST", "/api/auth/login", None, &bad).status)
        .collect();
    assert!(codes.iter().all(|c| *c == 401 || *c == 429), "{codes:?}");
    assert!(codes.contains(&429), "{codes:?}");
}

#[test]
fn file_library_versions() {
    let s = Server::start(&[]);
    let a = admin(&s);
    let png = fixture(PNG);
    let r = s.multipart(
        "/api/v1/files/upload",
        Some(&a),
        &[("files", "photo.png", &png)],
        &[],
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let f = r.json()["files"][0].clone();
    assert_eq!(
        (
            f["version"].as_u64(),
            f["width"].as_u64(),
            f["mimeType"].as_str()
        ),
        (Some(1), Some(200), Some("image/png"))
    );
    assert_eq!(f["parentId"], Value::Null);
    let id = f["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.get(&format!("/api/v1/files/{id}/download"), Some(&a))
            .body,
        png
    );
    let thumb = s.get(&format!("/api/v1/files/{id}/thumbnail"), Some(&a));
    assert_eq!(thumb.status, 200, "{}", thumb.text());
    assert_eq!(
        probe(&thumb.body),
        ("jpeg".into(), 200, 150),
        "never enlarged"
    );
    // A tool run with fileId stores the result as version 2.
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&a),
        &[("file", "photo.png", &png)],
        &[("settings", r#"{"width":50}"#), ("fileId", &id)],
    );
    let saved = r.json()["savedFileId"]
        .as_str()
        .expect("savedFileId")
        .to_string();
    let chain = s.get(&format!("/api/v1/files/{saved}"), Some(&a)).json();
    assert_eq!(chain["file"]["version"], 2);
    assert_eq!(chain["file"]["toolChain"], json!(["resize"]));
    assert_eq!(chain["file"]["width"], 50);
    assert_eq!(chain["versions"].as_array().unwrap().len(), 2);
    // save-result makes version 3 with the parent's name and the new extension.
    let jpg = fixture(JPG);
    let r = s.multipart(
        "/api/v1/files/save-result",
        Some(&a),
        &[("file", "x.jpg", &jpg)],
        &[("parentId", &saved), ("toolId", "crop")],
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v3 = r.json()["file"].clone();
    assert_eq!(
        (v3["version"].as_u64(), v3["originalName"].as_str()),
        (Some(3), Some("photo_resize.jpg"))
    );
    assert_eq!(v3["toolChain"], json!(["resize", "crop"]));
    let list = s.get("/api/v1/files?search=PHOTO", Some(&a)).json();
    assert_eq!(
        list["total"], 1,
        "only the latest version is listed: {list}"
    );
    assert_eq!(list["files"][0]["id"], v3["id"]);
    // Other users see nothing; a tool run with their fileId saves nothing.
    s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "ivy", "password": "Ivypass12"}),
    );
    let i = s.login("ivy", "Ivypass12");
    assert_eq!(s.get("/api/v1/files", Some(&i)).json()["total"], 0);
    assert_eq!(
        s.get(&format!("/api/v1/files/{id}"), Some(&i)).error(404)["message"],
        "File not found"
    );
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&i),
        &[("file", "photo.png", &png)],
        &[("settings", r#"{"width":50}"#), ("fileId", &id)],
    );
    assert!(r.json().get("savedFileId").is_none());
    assert_eq!(
        s.json("DELETE", "/api/v1/files", Some(&i), &json!({"ids": [id]}))
            .json()["deleted"],
        0
    );
    // Deleting any version removes the whole chain.
    assert_eq!(
        s.json(
            "DELETE",
            "/api/v1/files",
            Some(&a),
            &json!({"ids": [saved]})
        )
        .json()["deleted"],
        3
    );
    assert_eq!(s.get(&format!("/api/v1/files/{id}"), Some(&a)).status, 404);
    assert_eq!(
        s.json("DELETE", "/api/v1/files", Some(&a), &json!({"ids": []}))
            .status,
        400
    );
}

#[test]
fn downloads_refuse_traversal() {
    let s = Server::start(&[]);
    let t = admin(&s);
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&t),
        &[("file", "../../evil.png", &fixture(PNG))],
        &[("settings", r#"{"width":10}"#)],
    );
    let v = r.json();
    let url = v["downloadUrl"].as_str().unwrap();
    assert!(
        url.ends_with("/evil_resize.png"),
        "upload names are sanitised: {url}"
    );
    let job = v["jobId"].as_str().unwrap();
    assert_eq!(
        download(&s, &format!("/api/v1/download/{job}/evil.png")),
        fixture(PNG),
        "input kept"
    );
    for path in [
        format!("/api/v1/download/{job}/..%2F..%2Fdata%2Fashim.db"),
        format!("/api/v1/download/{job}/..%5C..%5Cx"),
        "/api/v1/download/..%2F..%2Fdata/ashim.db".to_string(),
        format!("/api/v1/download/{job}/%2E%2E"),
        format!("/api/v1/download/{job}/a%00b"),
    ] {
        assert_eq!(
            s.get(&path, None).error(400)["code"],
            "INVALID_PATH",
            "{path}"
        );
    }
    // Not a route of the table: denied by default (401), never served.
    assert_eq!(s.get("/api/v1/download/../../etc/passwd", None).status, 401);
    // A path parameter that is not UTF-8 still gets the JSON envelope.
    assert_eq!(
        s.delete("/api/v1/api-keys/%FF%FE", Some(&t)).error(400)["code"],
        "VALIDATION_ERROR"
    );
    assert_eq!(
        s.get(&format!("/api/v1/download/{job}/nope.png"), None)
            .error(404)["message"],
        "File not found"
    );
}

#[test]
fn rate_limit_and_auth_disabled() {
    let s = Server::start(&[
        ("RATE_LIMIT_PER_MIN", "5"),
        ("CORS_ORIGIN", "https://app.example"),
    ]);
    // CORS: an allowed origin gets a preflight answer and the headers; others get nothing.
    let pre = s.req(
        "OPTIONS",
        "/api/v1/tools/resize",
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let other = s.req(
        "GET",
        "/llms.txt",
        &[("Origin", "https://evil.example")],
        b"",
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
    let ok = s.req(
        "GET",
        "/llms.txt",
        &[("Origin", "https://app.example")],
        b"",
    );
    assert!(
        ok.header("access-control-expose-headers")
            .unwrap()
            .contains("x-file-results")
    );
    assert_eq!(ok.header("x-content-type-options"), Some("nosniff"));
    // Fixed one-minute windows: 11 requests put at least 6 into one window.
    let resps: Vec<common::Resp> = (0..11).map(|_| s.get("/api/v1/health", None)).collect();
    let ok = resps.iter().filter(|r| r.status == 200).count();
    assert!((5..=10).contains(&ok), "{ok} of 11 passed");
    let r = resps.iter().find(|r| r.status == 429).expect("a 429");
    assert_eq!(r.error(429)["code"], "RATE_LIMITED");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.header("x-ratelimit-limit"), Some("5"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        s.get("/llms.txt", None).status,
        200,
        "non-API paths are not limited"
    );

    let s = Server::start(&[("AUTH_ENABLED", "false")]);
    assert_eq!(
        s.get("/api/v1/config/auth", None).json()["authEnabled"],
        false
    );
    let r = s.multipart(
        "/api/v1/tools/resize",
        None,
        &[("file", PNG, &fixture(PNG))],
        &[("settings", r#"{"width":10}"#)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        s.get("/api/auth/users", None).error(403)["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        s.get("/api/auth/session", None).json()["user"]["id"],
        "anonymous"
    );
    let r = s.json(
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "admin", "password": "admin"}),
    );
    assert_eq!(r.status, 403);
}

#[test]
fn sessions_and_keys_expire() {
    let s = Server::start(&[("SESSION_DURATION_HOURS", "0")]);
    let t = admin(&s);
    let e = s.get("/api/v1/pipeline/list", Some(&t)).error(401);
    assert_eq!(e["message"], "Session expired or invalid");
    let s = Server::start(&[]);
    let t = admin(&s);
    let soon = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 2;
        let (d, r) = (now / 86400, now % 86400);
        // Civil date from days since the epoch (valid for 1970-2099 here).
        let mut y = 1970;
        let mut days = d;
        loop {
            let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                366
            } else {
                365
            };
            if days < len {
                break;
            }
            days -= len;
            y += 1;
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let months = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let mut m = 0;
        while days >= months[m] {
            days -= months[m];
            m += 1;
        }
        format!(
            "{y:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            m + 1,
            days + 1,
            r / 3600,
            r % 3600 / 60,
            r % 60
        )
    };
    let r = s.json(
        "POST",
        "/api/v1/api-keys",
        Some(&t),
        &json!({"expiresAt": soon}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let key = r.json()["key"].as_str().unwrap().to_string();
    assert_eq!(s.get("/api/v1/pipeline/list", Some(&key)).status, 200);
    std::thread::sleep(Duration::from_millis(3100));
    assert_eq!(
        s.get("/api/v1/pipeline/list", Some(&key)).error(401)["code"],
        "AUTH_REQUIRED"
    );
    // The loginAttemptLimit setting overrides LOGIN_ATTEMPT_LIMIT.
    s.json(
        "PUT",
        "/api/v1/settings",
        Some(&t),
        &json!({"loginAttemptLimit": "2"}),
    );
    let bad = json!({"username": "admin", "password": "wrong"});
    let codes: Vec<u16> = (0..5)
        .map(|_| s.json("POST", "/api/auth/login", None, &bad).status)
        .collect();
    assert!(codes.contains(&429), "{codes:?}");
}

#[test]
fn persistence_across_restart() {
    let s = Server::start(&[]);
    let a = admin(&s);
    s.json(
        "POST",
        "/api/auth/register",
        Some(&a),
        &json!({"username": "erin", "password": "Erinpass1", "role": "editor"}),
    );
    let key = s
        .json(
            "POST",
            "/api/v1/api-keys",
            Some(&a),
            &json!({"name": "keep"}),
        )
        .json()["key"]
        .as_str()
        .unwrap()
        .to_string();
    s.json(
        "POST",
        "/api/v1/pipeline/save",
        Some(&a),
        &json!({"name": "persisted", "steps": [{"toolId": "rotate"}]}),
    );
    let r = s.multipart(
        "/api/v1/tools/resize",
        Some(&a),
        &[("file", PNG, &fixture(PNG))],
        &[("settings", r#"{"width":10}"#)],
    );
    let url = r.json()["downloadUrl"].as_str().unwrap().to_string();
    let r = s.json(
        "PUT",
        "/api/v1/settings",
        Some(&a),
        &json!({"disabledTools": ["rotate"], "appName": "ashim"}),
    );
    assert_eq!(r.json()["updatedCount"], 2);
    // An open progress stream must not hold up the graceful shutdown.
    let mut idle = s.sse("never-finishes", Duration::from_secs(10));
    assert_eq!(idle.head().0, 200);
    let s = s.restart();
    assert!(
        idle.events().is_empty(),
        "the idle stream ended without events"
    );
    assert_eq!(s.get("/api/v1/health", None).status, 200);
    assert_eq!(
        s.get("/api/v1/pipeline/tools", Some(&a)).status,
        200,
        "sessions survive"
    );
    let e = s.login("erin", "Erinpass1");
    assert_eq!(
        s.get("/api/auth/session", Some(&e)).json()["user"]["role"],
        "editor"
    );
    assert_eq!(
        s.get("/api/v1/pipeline/list", Some(&key)).json()["pipelines"][0]["name"],
        "persisted"
    );
    assert_eq!(
        s.get("/api/auth/users", Some(&a)).json()["users"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "admin not re-seeded"
    );
    assert_eq!(probe(&download(&s, &url)).1, 10, "job files survive too");
    // disabledTools is read at startup: the tool is gone everywhere.
    assert_eq!(
        s.get("/api/v1/settings/appName", Some(&a)).json()["value"],
        "ashim"
    );
    let r = s.multipart(
        "/api/v1/tools/rotate",
        Some(&a),
        &[("file", PNG, &fixture(PNG))],
        &[],
    );
    assert_eq!(r.error(404)["code"], "UNKNOWN_TOOL");
    let tools = s.get("/api/v1/pipeline/tools", Some(&a)).json();
    assert!(
        !tools["toolIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "rotate")
    );
    assert!(
        tools["toolIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "resize")
    );
    assert!(s.get("/api/v1/openapi.json", None).json()["paths"]["/api/v1/tools/rotate"].is_null());
    let def = json!({"steps": [{"toolId": "rotate"}]}).to_string();
    let r = s.multipart(
        "/api/v1/pipeline/execute",
        Some(&a),
        &[("file", PNG, &fixture(PNG))],
        &[("pipeline", &def)],
    );
    assert!(
        r.error(400)["message"]
            .as_str()
            .unwrap()
            .starts_with("Step 1 (rotate)")
    );
}
