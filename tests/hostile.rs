//! Inputs a careless user or a strange repository throws at the tool: each gets a clear
//! message naming the file, the other files are still checked, and the exit code
//! follows the rules (2 only when nothing could be checked or the invocation is wrong).
use std::path::Path;
use std::process::Command;

mod common;

use common::{dir_with, locations, BIN};

const SLEEPY: &str = "async fn f() {\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n";

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = common::run(dir, args);
    (out.code, out.stderr)
}

#[test]
fn a_byte_order_mark_does_not_shift_columns() {
    let text = "\u{feff}async fn f() { std::thread::sleep(std::time::Duration::ZERO); }\n";
    let dir = dir_with(&[("bom.rs", text.as_bytes())]);
    let (code, stderr) = run(dir.path(), &["bom.rs"]);
    assert_eq!(code, 0, "{stderr}");
    // As rustc counts: the mark is not a column.
    assert_eq!(locations(&stderr), ["bom.rs:1:16"], "{stderr}");
    let (_, json) = {
        let output = Command::new(BIN)
            .current_dir(dir.path())
            .args(["bom.rs", "--message-format", "json"])
            .output()
            .unwrap();
        (output.status, String::from_utf8(output.stdout).unwrap())
    };
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    let span = &first["message"]["spans"][0];
    assert_eq!(span["column_start"], 16);
    assert_eq!(
        span["byte_start"], 18,
        "byte offsets count the mark's 3 bytes"
    );
    assert!(!span["text"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with('\u{feff}'));
}

#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let text = "async fn f() {\r\n    let x = 1;\r\n    std::thread::sleep(std::time::Duration::ZERO);\r\n}\r\n";
    let dir = dir_with(&[("crlf.rs", text.as_bytes())]);
    let (code, stderr) = run(dir.path(), &["crlf.rs"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(locations(&stderr), ["crlf.rs:3:5"], "{stderr}");
    assert!(
        !stderr.contains('\r'),
        "no carriage return reaches the terminal"
    );
}

#[test]
fn an_empty_file_is_fine() {
    let dir = dir_with(&[("empty.rs", b""), ("lib.rs", SLEEPY.as_bytes())]);
    let (code, stderr) = run(dir.path(), &["."]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(locations(&stderr), ["lib.rs:2:5"], "{stderr}");
    assert!(stderr.contains("(checked 2 files)"), "{stderr}");
}

#[test]
fn a_20_mb_file_is_checked() {
    let mut text = String::from(SLEEPY);
    let filler = "// generated filler: a long comment line that the parser must still read\n";
    let function = "fn generated_0000() -> u32 { let v = [1u32, 2, 3]; v.iter().sum() }\n";
    while text.len() < 20 * 1024 * 1024 {
        for _ in 0..50 {
            text.push_str(filler);
        }
        text.push_str(function);
    }
    text.push_str("async fn last() { let _ = std::fs::read(\"x\"); }\n");
    let lines = text.lines().count();
    let dir = dir_with(&[("big.rs", text.as_bytes())]);
    let (code, stderr) = run(dir.path(), &["big.rs"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        locations(&stderr),
        ["big.rs:2:5".to_string(), format!("big.rs:{lines}:27")],
        "{stderr}"
    );
}

#[test]
fn code_nested_10_000_deep_is_reported_not_crashed_on() {
    let parens = format!(
        "async fn f() {{ let x = {}1{}; }}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let nots = format!("async fn f() {{ let x = {}true; }}\n", "!".repeat(10_000));
    let generics = format!(
        "async fn f() {{ let x: {}u8{} = 0; }}\n",
        "Vec<".repeat(10_000),
        ">".repeat(10_000)
    );
    let chain = format!(
        "async fn f() {{ let x = 0u8{}; std::thread::sleep(std::time::Duration::ZERO); }}\n",
        ".clone()".repeat(10_000)
    );
    let elses = format!(
        "async fn f() {{ if a {{}} {} }}\n",
        "else if a { b(); } ".repeat(30_000)
    );
    let dir = dir_with(&[
        ("parens.rs", parens.as_bytes()),
        ("nots.rs", nots.as_bytes()),
        ("generics.rs", generics.as_bytes()),
        ("chain.rs", chain.as_bytes()),
        ("elses.rs", elses.as_bytes()),
        ("good.rs", SLEEPY.as_bytes()),
    ]);
    let (code, stderr) = run(dir.path(), &["."]);
    assert_eq!(code, 0, "{stderr}");
    for file in ["parens.rs", "nots.rs", "generics.rs"] {
        assert!(
            stderr.contains(&format!("--> {file}:1:1")),
            "{file}: {stderr}"
        );
    }
    assert!(
        stderr.contains("this file nests code 10001 levels deep"),
        "{stderr}"
    );
    assert!(
        stderr.contains("this file chains 30000 operators in one expression"),
        "{stderr}"
    );
    // 10,000 links of a method chain are within bounds: checked, found.
    assert!(stderr.contains("--> chain.rs:1:"), "{stderr}");
    assert!(stderr.contains("--> good.rs:2:5"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn symlink_loops_neither_hang_nor_stop_the_scan() {
    let dir = dir_with(&[("src/good.rs", SLEEPY.as_bytes())]);
    std::os::unix::fs::symlink(".", dir.path().join("src/again")).unwrap();
    std::os::unix::fs::symlink("self.rs", dir.path().join("src/self.rs")).unwrap();
    let (code, stderr) = run(dir.path(), &["src"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(locations(&stderr), ["src/good.rs:2:5"], "{stderr}");
    // Named explicitly, the looping link is reported by name, and that is an error.
    let (code, stderr) = run(dir.path(), &["src/self.rs", "src/good.rs"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`src/self.rs` does not exist"), "{stderr}");
    assert_eq!(locations(&stderr), ["src/good.rs:2:5"], "{stderr}");
}

#[test]
fn a_missing_path_is_named_and_the_rest_is_checked() {
    let dir = dir_with(&[("good.rs", SLEEPY.as_bytes())]);
    let (code, stderr) = run(dir.path(), &["nope.rs", "good.rs"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: `nope.rs` does not exist"),
        "{stderr}"
    );
    assert_eq!(locations(&stderr), ["good.rs:2:5"]);
    // Nothing at all to check: that is trouble.
    let (code, stderr) = run(dir.path(), &["nope.rs"]);
    assert_eq!(code, 2, "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with(&[
        ("good.rs", SLEEPY.as_bytes()),
        ("secret.rs", SLEEPY.as_bytes()),
    ]);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        dir.path().join("secret.rs"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    // Root reads anything: drop to `nobody` for the run, as a real user would be.
    let mut command = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    let output = command
        .current_dir(dir.path())
        .args(["good.rs", "secret.rs"])
        .output()
        .expect("setpriv runs (util-linux)");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("`secret.rs`: could not read the file: Permission denied"),
        "{stderr}"
    );
    assert!(stderr.contains("--> good.rs:2:5"), "{stderr}");
}

#[test]
fn a_manifest_that_does_not_parse_is_named() {
    let dir = dir_with(&[
        ("Cargo.toml", b"[package\nname = \"x\"\n"),
        ("src/lib.rs", SLEEPY.as_bytes()),
    ]);
    // Without cargo: the file is still checked, the manifest is named (an error).
    let (code, stderr) = run(dir.path(), &["src/lib.rs"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Cargo.toml` does not parse"), "{stderr}");
    assert_eq!(locations(&stderr), ["src/lib.rs:2:5"]);
    // Through cargo: cargo's own error, and exit 2 (nothing could be selected).
    let (code, stderr) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`cargo metadata` failed"), "{stderr}");
    assert!(stderr.contains("Cargo.toml"), "{stderr}");
}

#[test]
fn a_workspace_whose_metadata_fails_is_an_error() {
    let dir = dir_with(&[
        (
            "Cargo.toml",
            b"[workspace]\nmembers = [\"present\", \"missing\"]\n",
        ),
        (
            "present/Cargo.toml",
            b"[package]\nname = \"present\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("present/src/lib.rs", SLEEPY.as_bytes()),
    ]);
    let (code, stderr) = run(dir.path(), &["--workspace"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("`cargo metadata` failed"), "{stderr}");
    assert!(stderr.contains("missing"), "{stderr}");
}

#[test]
fn a_declared_module_that_does_not_read_is_named_in_cargo_mode() {
    let main = format!("mod garbled;\n{SLEEPY}");
    let dir = dir_with(&[
        (
            "Cargo.toml",
            b"[package]\nname = \"garbled\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
        ),
        ("src/main.rs", main.as_bytes()),
        ("src/garbled.rs", &[0xff, 0xfe, b'x']),
        // Not declared by any target: not this package's Rust, so not checked.
        ("src/template.rs", b"this is { not rust"),
    ]);
    let (code, stderr) = run(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("src/garbled.rs"), "{stderr}");
    assert!(stderr.contains("UTF-8"), "{stderr}");
    assert!(!stderr.contains("template.rs"), "{stderr}");
    assert!(stderr.contains("src/main.rs:3:5"), "{stderr}");
}
