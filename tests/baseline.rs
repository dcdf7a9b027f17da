//! `--write-baseline` then `--baseline`: old findings stay hidden through unrelated
//! edits; new ones are reported.
mod common;

use common::{copied_service, locations};

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = common::run(dir, args);
    (out.code, out.stderr)
}

#[test]
fn a_baseline_hides_known_findings_through_edits() {
    let dir = copied_service();
    let root = dir.path();
    let (code, stderr) = run(
        root,
        &[
            "--write-baseline",
            "unblock-baseline.json",
            "-D",
            "warnings",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("wrote 8 findings to the baseline"),
        "{stderr}"
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("unblock-baseline.json")).unwrap())
            .unwrap();
    let sleep = recorded["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["lint"] == "thread_sleep")
        .unwrap();
    assert_eq!(sleep["file"], "src/handlers.rs");
    assert_eq!(sleep["fn"], "upload");
    assert_eq!(sleep["occurrence"], 1);

    let (code, stderr) = run(
        root,
        &["--baseline", "unblock-baseline.json", "-D", "warnings"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(locations(&stderr).is_empty(), "{stderr}");
    assert!(
        stderr.contains("8 findings in the baseline were not shown"),
        "{stderr}"
    );

    // Unrelated edits: lines above, reformatting inside the call.
    let handlers = root.join("src/handlers.rs");
    let text = std::fs::read_to_string(&handlers).unwrap();
    let edited = format!("// A header comment.\n\n{}", text).replace(
        "std::thread::sleep(std::time::Duration::from_millis(50))",
        "std::thread::sleep( std::time::Duration::from_millis(50) )",
    );
    std::fs::write(&handlers, &edited).unwrap();
    let (code, stderr) = run(
        root,
        &["--baseline", "unblock-baseline.json", "-D", "warnings"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(locations(&stderr).is_empty(), "{stderr}");

    // A new finding, and a second copy of a known one in the same fn, are reported.
    let edited = edited.replace(
        "    \"busy\"\n",
        "    std::thread::sleep( std::time::Duration::from_millis(50) );\n    let _ = std::fs::remove_file(\"tmp\");\n    \"busy\"\n",
    );
    std::fs::write(&handlers, &edited).unwrap();
    let (code, stderr) = run(
        root,
        &["--baseline", "unblock-baseline.json", "-D", "warnings"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        locations(&stderr),
        ["src/handlers.rs:28:5", "src/handlers.rs:29:13"],
        "{stderr}"
    );
}

#[test]
fn a_broken_baseline_is_an_error() {
    let dir = copied_service();
    std::fs::write(
        dir.path().join("b.json"),
        "{\"version\": 7, \"findings\": []}",
    )
    .unwrap();
    let (code, stderr) = run(dir.path(), &["--baseline", "b.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is a baseline of version 7"), "{stderr}");
    let (code, stderr) = run(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read the baseline `missing.json`"),
        "{stderr}"
    );
}
