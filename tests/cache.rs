//! The cache of per-file results: the output is the same with it, without it, cold and
//! warm, and after an edit to a file a chain passes through; a broken cache is ignored.
mod common;

use std::path::Path;

use common::{copied_service, run};

fn json(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--message-format", "json"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    out.stdout
}

/// Makes the example service's settings helper stop blocking; returns its path and
/// its text before.
fn calm_the_settings_helper(dir: &Path) -> (std::path::PathBuf, String) {
    let settings = dir.join("src/settings.rs");
    let text = std::fs::read_to_string(&settings).unwrap();
    let calm = text.replace(
        "std::fs::read_to_string(format!(\"settings/{key}\")).unwrap_or_default()",
        "key.to_string()",
    );
    assert_ne!(text, calm);
    std::fs::write(&settings, calm).unwrap();
    (settings, text)
}

fn same_both_ways(dir: &Path) -> String {
    let fresh = json(dir, &["--no-cache"]);
    let cold_or_warm = json(dir, &[]);
    let warm = json(dir, &[]);
    assert_eq!(fresh, cold_or_warm);
    assert_eq!(fresh, warm);
    fresh
}

#[test]
fn the_output_is_the_same_with_and_without_the_cache() {
    let dir = copied_service();
    let before = same_both_ways(dir.path());
    let cache = dir.path().join("target/unblock/cache-v1.json");
    assert!(
        cache.is_file(),
        "the cache is under the cargo target directory"
    );
    assert!(before.contains("upload_limit"));

    // The helper a chain passes through stops blocking: its finding goes, cache or not.
    let (settings, text) = calm_the_settings_helper(dir.path());
    let after = same_both_ways(dir.path());
    assert!(!after.contains("upload_limit"), "{after}");

    // And back.
    std::fs::write(&settings, text).unwrap();
    assert_eq!(same_both_ways(dir.path()), before);

    // A handler gains a blocking call.
    let jobs = dir.path().join("src/jobs.rs");
    let text = std::fs::read_to_string(&jobs).unwrap();
    std::fs::write(
        &jobs,
        text.replace(
            "loop {",
            "loop {\n        std::thread::sleep(std::time::Duration::from_secs(1));",
        ),
    )
    .unwrap();
    let more = same_both_ways(dir.path());
    assert!(
        more.contains("src/jobs.rs") && more.contains("thread_sleep"),
        "{more}"
    );
}

#[test]
fn a_broken_cache_is_ignored_and_rebuilt() {
    let dir = copied_service();
    let expected = json(dir.path(), &["--no-cache"]);
    json(dir.path(), &[]);
    let cache = dir.path().join("target/unblock");
    let garbage: [&[u8]; 4] = [
        b"{ not json",
        b"",
        &[0xff, 0xfe, 0x00],
        b"{\"build\":\"other\"}",
    ];
    for bad in garbage {
        // The last run's result alone, then it and the per-file results.
        for broken in [&["run-v1.json"][..], &["run-v1.json", "cache-v1.json"]] {
            for name in broken {
                std::fs::write(cache.join(name), bad).unwrap();
            }
            assert_eq!(json(dir.path(), &[]), expected);
            for name in broken {
                let rebuilt = std::fs::read_to_string(cache.join(name)).unwrap();
                assert!(rebuilt.starts_with("{\"build\":\""), "{name}: {rebuilt}");
            }
        }
    }
}

#[test]
fn paths_mode_keeps_its_cache_beside_the_workspace_with_a_gitignore() {
    let dir = copied_service();
    let fresh = run(dir.path(), &["--no-cache", "src/handlers.rs"]);
    let cached = run(dir.path(), &["src/handlers.rs"]);
    let warm = run(dir.path(), &["src/handlers.rs"]);
    assert_eq!(fresh.stderr, cached.stderr);
    assert_eq!(fresh.stderr, warm.stderr);
    assert!(fresh.stderr.contains("upload_limit"), "{}", fresh.stderr);
    // A file read only for a chain (not named) changes: the result follows.
    calm_the_settings_helper(dir.path());
    let edited = run(dir.path(), &["src/handlers.rs"]);
    assert_eq!(
        edited.stderr,
        run(dir.path(), &["--no-cache", "src/handlers.rs"]).stderr
    );
    assert!(!edited.stderr.contains("upload_limit"), "{}", edited.stderr);
    let ignore = std::fs::read_to_string(dir.path().join(".unblock_cache/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    assert!(!dir
        .path()
        .join(".unblock_cache")
        .join("..")
        .join("target")
        .exists());
}

#[test]
fn no_cache_writes_nothing() {
    let dir = copied_service();
    json(dir.path(), &["--no-cache"]);
    assert!(!dir.path().join("target").exists());
    run(dir.path(), &["--no-cache", "src/handlers.rs"]);
    assert!(!dir.path().join(".unblock_cache").exists());
}

#[test]
fn an_edit_to_a_parent_module_reaches_the_files_that_import_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/blocking_io/parent-names");
    common::copy_tree(&fixture, dir.path());
    let before = same_both_ways(dir.path());
    assert!(before.contains("std::fs::File::open"), "{before}");

    // `scans.rs` takes `File` from its parent through `use super::*`: once the parent
    // imports tokio's, the finding goes, cache or not.
    let lib = dir.path().join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    let tokio = text.replace("use std::fs::File;", "use tokio::fs::File;");
    assert_ne!(text, tokio);
    std::fs::write(&lib, tokio).unwrap();
    let after = same_both_ways(dir.path());
    assert!(!after.contains("std::fs::File::open"), "{after}");
    assert!(after.contains("console::Term::read_line"), "{after}");
}
