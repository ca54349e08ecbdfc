//! The built `ashim` binary, run as a user would: one file, a folder in parallel, a
//! pipeline file, stdin to stdout, usage errors, a partly failing batch, and Ctrl-C.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ashim");

/// `shared/fixtures` beside the checkout (`../../shared` from the main checkout; found by
/// walking up, so a worktree one level deeper finds it too).
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/fixtures"))
        .find(|d| d.is_dir())
        .expect("shared/fixtures beside the checkout")
        .join(name)
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ashim-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ashim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the ashim binary runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn dims(path: &Path) -> (u32, u32) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (img.width(), img.height())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_tool_on_one_file() {
    let d = scratch("one");
    let out = d.join("small.png");
    let o = ashim(&[
        "resize",
        "--width",
        "100",
        s(&fixture("test-200x150.png")),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(dims(&out), (100, 75));
    assert_eq!(&std::fs::read(&out).unwrap()[1..4], b"PNG");
    // A boolean defaulting to false, turned on; `fit` an enum.
    let out2 = d.join("box.png");
    let o = ashim(&[
        "resize",
        s(&fixture("test-200x150.png")),
        "--width",
        "80",
        "--height",
        "80",
        "--fit",
        "inside",
        "--without-enlargement",
        "-o",
        s(&out2),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(dims(&out2), (80, 60));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_folder_in_parallel_mirrors_sub_folders() {
    let d = scratch("dir");
    let src = d.join("in");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    let png = std::fs::read(fixture("test-200x150.png")).unwrap();
    let jpg = std::fs::read(fixture("test-100x100.jpg")).unwrap();
    for i in 0..5 {
        std::fs::write(src.join(format!("p{i}.png")), &png).unwrap();
    }
    std::fs::write(src.join("sub/p0.jpg"), &jpg).unwrap();
    std::fs::write(src.join("notes.txt"), b"not an image").unwrap();
    let out = d.join("out");
    let o = ashim(&[
        "resize",
        "--width",
        "50",
        "-r",
        s(&src),
        "-o",
        s(&out),
        "-j",
        "3",
        "--json=compact",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for i in 0..5 {
        assert_eq!(dims(&out.join(format!("p{i}.png"))), (50, 38));
    }
    assert_eq!(dims(&out.join("sub/p0.jpg")), (50, 50));
    // The text file was skipped, not failed; the summary lists six outputs.
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary.as_array().unwrap().len(), 6);
    assert!(
        summary
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outputs"][0]["width"] == 50)
    );
    let lines = stderr(&o);
    assert!(lines.contains("[6/6]"), "{lines}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_pipeline_file() {
    let d = scratch("pipe");
    let steps = d.join("steps.json");
    std::fs::write(
        &steps,
        r#"{"steps": [
            {"toolId": "resize", "settings": {"width": 64}},
            {"toolId": "rotate", "settings": {"angle": 90}},
            {"toolId": "convert", "settings": {"format": "webp", "quality": 80}}
        ]}"#,
    )
    .unwrap();
    let out = d.join("out");
    let o = ashim(&[
        "pipeline",
        s(&steps),
        s(&fixture("test-portrait.jpg")),
        s(&fixture("test-200x150.png")),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let webp = std::fs::read(out.join("test-200x150.webp")).unwrap();
    assert_eq!(&webp[8..12], b"WEBP");
    assert_eq!(dims(&out.join("test-200x150.webp")), (48, 64));
    assert!(out.join("test-portrait.webp").is_file());
    // A bad step is a usage error naming the step.
    std::fs::write(
        &steps,
        r#"[{"toolId": "resize", "settings": {"width": 0}}]"#,
    )
    .unwrap();
    let o = ashim(&[
        "pipeline",
        s(&steps),
        s(&fixture("test-200x150.png")),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Step 1 (resize)"), "{}", stderr(&o));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn stdin_to_stdout() {
    let mut child = Command::new(BIN)
        .args(["rotate", "--angle", "90", "-", "-o", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let png = std::fs::read(fixture("test-200x150.png")).unwrap();
    child.stdin.take().unwrap().write_all(&png).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let img = image::load_from_memory(&o.stdout).unwrap();
    assert_eq!((img.width(), img.height()), (150, 200));
}

#[test]
fn a_json_tool_prints_its_report() {
    let o = ashim(&["info", s(&fixture("test-200x150.png"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(200), Some(150))
    );
    let o = ashim(&["tools"]);
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(listed.lines().any(|l| l.starts_with("resize ")), "{listed}");
    let o = ashim(&["help", "resize"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("--fit <contain|cover|fill|inside|outside>"),
        "{help}"
    );
    assert!(
        help.contains("--without-enlargement, --no-without-enlargement"),
        "{help}"
    );
    let o = ashim(&["formats"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("image/webp"));
}

#[test]
fn usage_errors_exit_2_and_name_the_flag() {
    let png = fixture("test-200x150.png");
    let d = scratch("usage");
    let out = d.join("x.png");
    let cases: [(&[&str], &str); 6] = [
        (
            &["resize", "--fit", "bogus", s(&png), "-o", s(&out)],
            "--fit",
        ),
        (
            &["resize", "--width", "abc", s(&png), "-o", s(&out)],
            "--width",
        ),
        (
            &["resize", "--width", "0", s(&png), "-o", s(&out)],
            "--width",
        ),
        (&["resize", "--width", "10", s(&png)], "-o"),
        (
            &[
                "resize",
                "--width",
                "10",
                "/nonexistent/x.png",
                "-o",
                s(&out),
            ],
            "no such file",
        ),
        (
            &["resize", "--settings", "{nope", s(&png), "-o", s(&out)],
            "not valid JSON",
        ),
    ];
    for (args, needle) in cases {
        let o = ashim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(!out.exists());
    // --settings works, and a flag wins over it.
    let o = ashim(&[
        "resize",
        "--settings",
        r#"{"width": 40, "height": 10, "fit": "fill"}"#,
        "--height",
        "20",
        s(&png),
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(dims(&out), (40, 20));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_partly_failing_batch_exits_1_and_writes_the_good_files() {
    let d = scratch("partial");
    let bad = d.join("broken.png");
    std::fs::write(&bad, b"this is not a png").unwrap();
    let out = d.join("out");
    let o = ashim(&[
        "resize",
        "--width",
        "20",
        s(&fixture("test-200x150.png")),
        s(&bad),
        s(&fixture("test-100x100.jpg")),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.lines().any(|l| l.starts_with("error: ")
            && l.contains("broken.png")
            && l.contains("unknown_format")),
        "{err}"
    );
    assert_eq!(dims(&out.join("test-200x150.png")), (20, 15));
    assert_eq!(dims(&out.join("test-100x100.jpg")), (20, 20));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn ctrl_c_during_a_batch_leaves_no_partial_file() {
    let d = scratch("sigint");
    let src = d.join("in");
    std::fs::create_dir_all(&src).unwrap();
    // Big enough that the batch takes a while: noisy 1600x1200 PNGs.
    let mut seed = 7u32;
    let img = image::RgbImage::from_fn(1600, 1200, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        image::Rgb([(x % 256) as u8, (y % 256) as u8, (seed >> 24) as u8])
    });
    img.save(src.join("big0.png")).unwrap();
    for i in 1..24 {
        std::fs::copy(src.join("big0.png"), src.join(format!("big{i}.png"))).unwrap();
    }
    let out = d.join("out");
    let child = Command::new(BIN)
        .args([
            "rotate",
            "--angle",
            "33",
            "-r",
            s(&src),
            "-o",
            s(&out),
            "-j",
            "2",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt while an output is being written (its temporary file exists), or at the
    // latest once two outputs are done.
    let started = Instant::now();
    let mut caught_mid_write = false;
    while started.elapsed() < Duration::from_secs(120) {
        let names: Vec<String> = std::fs::read_dir(&out)
            .map(|r| {
                r.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if names.iter().any(|n| n.ends_with(".ashim-part")) {
            caught_mid_write = true;
            break;
        }
        if names.len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"));
    let left: Vec<PathBuf> = std::fs::read_dir(&out)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    assert!(
        left.len() < 24,
        "the batch was stopped early: {}",
        left.len()
    );
    eprintln!("SIGINT sent while a file was being written: {caught_mid_write}");
    for p in &left {
        let name = p.file_name().unwrap().to_string_lossy();
        assert!(!name.starts_with('.'), "partial file left: {name}");
        // Every file that is there is whole.
        let (w, h) = dims(p);
        assert!(w > 1600 && h > 1200, "{name}: {w}x{h}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}
