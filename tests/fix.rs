//! Fixes that compile. Each crate under `tests/fix/` (tokio with every feature, tokio
//! with only `rt` and `macros`, async-std) holds handler shapes from real services.
//! A copy is fixed with `--fix`, and another with `--fix --unsafe-fixes`; each must then
//! pass `cargo check`, and fixing again must change nothing. `--diff` writes nothing,
//! and files with uncommitted changes are refused.
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::run;

fn fixture_workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix")
}

/// A copy of the fixture workspace (sources, manifests, lock file) in a fresh directory.
fn copied() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture_workspace(), dir.path());
    dir
}

/// Every `.rs` file under `dir`, by relative path.
fn sources(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(relative, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `cargo check` of the whole workspace, sharing one target directory across runs.
fn cargo_check(dir: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fix-check");
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(["check", "--workspace", "--locked", "--quiet"])
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The number in "fixed N findings".
fn fixed_count(stderr: &str) -> usize {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("note: fixed "))
        .unwrap_or_else(|| panic!("no summary line:\n{stderr}"));
    line["note: fixed ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The lines of `text` that are not comments.
fn code(text: &str) -> String {
    (text.lines())
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn fix_and_check(args: &[&str]) -> BTreeMap<String, String> {
    let dir = copied();
    cargo_check(dir.path())
        .unwrap_or_else(|e| panic!("the fixtures do not compile as they are:\n{e}"));
    let mut all = vec!["--workspace"];
    all.extend_from_slice(args);
    let first = run(dir.path(), &all);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(fixed_count(&first.stderr) > 0, "{}", first.stderr);
    let fixed = sources(dir.path());
    if let Err(errors) = cargo_check(dir.path()) {
        let changed: Vec<String> = (fixed.iter())
            .map(|(path, text)| format!("==> {path}\n{text}"))
            .collect();
        panic!(
            "{args:?} broke the build:\n{errors}\n{}",
            changed.join("\n")
        );
    }
    let second = run(dir.path(), &all);
    assert_eq!(fixed_count(&second.stderr), 0, "{}", second.stderr);
    assert_eq!(
        sources(dir.path()),
        fixed,
        "a second {args:?} changed files"
    );
    fixed
}

#[test]
fn safe_fixes_compile_and_settle() {
    let fixed = fix_and_check(&["--fix"]);
    let app = &code(&fixed["tokio-app/src/main.rs"]);
    // The twins with the same types, the nested pair in two passes, the match arm.
    assert!(app.contains("tokio::fs::read_to_string(path).await.unwrap_or_default()"));
    assert!(app.contains("tokio::fs::write(&out, tokio::fs::read(&input).await?).await?"));
    assert!(app.contains("true => tokio::time::sleep(std::time::Duration::from_millis(5)).await,"));
    assert!(app.contains("rx.recv().await"));
    // Thread-pool hops and builder swaps are for a human: not in safe mode.
    assert!(!app.contains("spawn_blocking"), "{app}");
    assert!(!app.contains("tokio::process::Command"), "{app}");
    // The guard is alive at the sleep: it stays.
    assert!(app.contains("let guard = pastes.lock().unwrap();\n    std::thread::sleep"));
    let minimal = &code(&fixed["tokio-minimal/src/main.rs"]);
    assert!(
        !minimal.contains("tokio::fs") && !minimal.contains("tokio::time"),
        "{minimal}"
    );
    let async_std = &fixed["async-std-app/src/main.rs"];
    assert!(async_std.contains("async_std::fs::read_to_string(path).await"));
}

#[test]
fn unsafe_fixes_compile_and_settle() {
    let fixed = fix_and_check(&["--fix", "--unsafe-fixes"]);
    let app = &code(&fixed["tokio-app/src/main.rs"]);
    // Owned copies before the closure; the original stays usable after the call.
    assert!(app.contains(
        "{ let name = name.clone(); tokio::task::spawn_blocking(move || load_config(&name)).await.unwrap() }"
    ));
    assert!(app.contains(
        "({ let key = key.clone(); let path = path.clone(); \
         tokio::task::spawn_blocking(move || encrypt_file(&key, Path::new(&path))).await.unwrap() });"
    ));
    assert!(app.contains("tokio::process::Command::new(\"git\")"));
    // Where a `spawn_blocking` closure cannot own what the call uses (a guard, a value
    // of unknown type, `self`), tokio's `block_in_place` keeps the borrows.
    assert!(app.contains("tokio::task::block_in_place(|| helpers::remove_expired(&mut guard));"));
    assert!(
        app.contains("tokio::task::block_in_place(|| helpers::init_log(args.log_file.clone()));")
    );
    assert!(app.contains("tokio::task::block_in_place(|| self.reload())"));
    assert!(!app.contains("spawn_blocking(move || self"));
    assert!(app.contains("tokio::task::block_in_place(|| helpers::store(&name)).is_ok()"));
    let minimal = &code(&fixed["tokio-minimal/src/main.rs"]);
    assert!(
        !minimal.contains("tokio::fs") && !minimal.contains("tokio::time"),
        "{minimal}"
    );
    assert!(minimal.contains("tokio::task::spawn_blocking"), "{minimal}");
    let async_std = &fixed["async-std-app/src/main.rs"];
    assert!(async_std.contains("async_std::task::spawn_blocking(move || checksum(&name)).await"));
}

#[test]
fn diff_prints_and_writes_nothing() {
    let dir = copied();
    let before = sources(dir.path());
    let diff = run(dir.path(), &["--workspace", "--diff", "--unsafe-fixes"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(diff.stdout.starts_with("--- a/"), "{}", diff.stdout);
    assert!(diff.stdout.contains("+++ b/tokio-app/src/main.rs"));
    assert!(diff.stderr.contains("note: would fix "), "{}", diff.stderr);
    assert_eq!(sources(dir.path()), before);
    // Nothing left to change: exit 0, no diff.
    run(dir.path(), &["--workspace", "--fix", "--unsafe-fixes"]);
    let again = run(dir.path(), &["--workspace", "--diff", "--unsafe-fixes"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, "");
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn uncommitted_changes_are_refused_unless_allowed() {
    let dir = copied();
    if !git(dir.path(), &["init", "-q"]) {
        eprintln!("git is not installed: the uncommitted-changes check is not tested");
        return;
    }
    assert!(git(dir.path(), &["add", "-A"]) && git(dir.path(), &["commit", "-qm", "x"]));
    let main = dir.path().join("tokio-app/src/main.rs");
    let edited = std::fs::read_to_string(&main).unwrap() + "\n// an edit in progress\n";
    std::fs::write(&main, &edited).unwrap();

    let refused = run(dir.path(), &["--workspace", "--fix"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("uncommitted changes"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("tokio-app/src/main.rs (dirty)"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read_to_string(&main).unwrap(), edited);

    assert!(git(dir.path(), &["add", "tokio-app/src/main.rs"]));
    let staged = run(dir.path(), &["--workspace", "--fix"]);
    assert_eq!(staged.code, 2, "{}", staged.stderr);
    assert!(
        staged.stderr.contains("tokio-app/src/main.rs (staged)"),
        "{}",
        staged.stderr
    );
    let allowed = run(dir.path(), &["--workspace", "--fix", "--allow-staged"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_ne!(std::fs::read_to_string(&main).unwrap(), edited);

    // The files that are fixed are what counts: a clean one is fixed even when another
    // file has changes, and --allow-dirty allows everything.
    let minimal = dir.path().join("tokio-minimal/src/main.rs");
    std::fs::write(&minimal, std::fs::read_to_string(&minimal).unwrap() + "\n").unwrap();
    let dirty = run(dir.path(), &["--workspace", "--fix", "--unsafe-fixes"]);
    assert_eq!(dirty.code, 2, "{}", dirty.stderr);
    assert!(
        dirty.stderr.contains("tokio-minimal/src/main.rs (dirty)"),
        "{}",
        dirty.stderr
    );
    let forced = run(
        dir.path(),
        &["--workspace", "--fix", "--unsafe-fixes", "--allow-dirty"],
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
}

#[test]
fn fixes_follow_the_selection() {
    let dir = copied();
    let before = sources(dir.path());
    let changed = |after: &BTreeMap<String, String>| -> Vec<String> {
        (after.iter())
            .filter(|(path, text)| before.get(*path) != Some(text))
            .map(|(path, _)| path.clone())
            .collect()
    };
    // Paths mode: exactly the named file.
    let named = run(
        dir.path(),
        &["--fix", "--unsafe-fixes", "async-std-app/src/main.rs"],
    );
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(changed(&sources(dir.path())), ["async-std-app/src/main.rs"]);
    // `-p`: that package only.
    let package = run(
        dir.path(),
        &["-p", "tokio-minimal", "--fix", "--unsafe-fixes"],
    );
    assert_eq!(package.code, 0, "{}", package.stderr);
    assert_eq!(
        changed(&sources(dir.path())),
        ["async-std-app/src/main.rs", "tokio-minimal/src/main.rs"]
    );
}

#[test]
fn fixes_keep_a_bom_and_crlf_and_leave_unparsable_files_alone() {
    let manifest = b"[package]\nname = \"h\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
        [dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n\n[workspace]\n";
    let main = "\u{feff}async fn f() {\r\n    std::thread::sleep(std::time::Duration::from_millis(1));\r\n}\r\nfn main() {}\r\n";
    let broken = b"async fn g( {\n    std::thread::sleep(d);\n";
    let dir = common::dir_with(&[
        ("Cargo.toml", &manifest[..]),
        ("src/main.rs", main.as_bytes()),
        ("src/broken.rs", &broken[..]),
    ]);
    let out = run(dir.path(), &["--fix", "src/main.rs", "src/broken.rs"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("parse_error"), "{}", out.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("src/main.rs")).unwrap();
    assert_eq!(
        fixed,
        "\u{feff}async fn f() {\r\n    tokio::time::sleep(std::time::Duration::from_millis(1)).await;\r\n}\r\nfn main() {}\r\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("src/broken.rs")).unwrap(),
        broken
    );
}
