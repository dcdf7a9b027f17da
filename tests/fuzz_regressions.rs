//! Inputs that once crashed or hung the per-file pipeline, run through it and every
//! output format: the committed fuzz finds in `fuzz/regressions/`, and the hostile
//! shapes found by hand (each of these overflowed the stack or ran for minutes).
use std::path::PathBuf;

use cargo_unblock::catalog::runtime::Runtime;
use cargo_unblock::driver::check::check_bytes;
use cargo_unblock::driver::scan::ScanReport;
use cargo_unblock::report::all_formats;

/// The fuzz target's body: check, then render every format.
fn pipeline(name: &str, bytes: &[u8]) -> ScanReport {
    let mut report = ScanReport {
        checked: 1,
        parsed: 1,
        ..ScanReport::default()
    };
    report.files.push(check_bytes(name, bytes, Runtime::Tokio));
    all_formats(&report, &mut Vec::new()).unwrap();
    report
}

#[test]
fn committed_fuzz_finds_stay_fixed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/regressions");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).unwrap();
        pipeline(&path.display().to_string(), &bytes);
    }
}

#[test]
fn hostile_shapes_found_by_hand_stay_fixed() {
    let n = 200_000;
    let shapes = [
        (
            "method chain",
            format!("async fn f() {{ let x = 0u8{}; }}", ".clone()".repeat(n)),
        ),
        (
            "tuple index chain",
            format!("async fn f() {{ let x = a{}; }}", ".0".repeat(n)),
        ),
        (
            "binary chain",
            format!("async fn f() {{ let x = 1{}; }}", " + 1".repeat(n)),
        ),
        (
            "call chain",
            format!("async fn f() {{ let x = a{}; }}", "()".repeat(n)),
        ),
        (
            "else-if chain",
            format!(
                "async fn f() {{ if a {{}} {} }}",
                "else if a { b(); } ".repeat(n)
            ),
        ),
        (
            "negations",
            format!("async fn f() {{ let x = {}true; }}", "!".repeat(n)),
        ),
        (
            "references",
            format!("async fn f() {{ let x = {}1; }}", "&".repeat(n)),
        ),
        (
            "closures",
            format!("async fn f() {{ let x = {}1; }}", "|| ".repeat(n)),
        ),
        (
            "assignments",
            format!("async fn f() {{ {}1; }}", "a = ".repeat(n)),
        ),
        (
            "generics",
            format!(
                "async fn f() {{ let x: {}u8{} = 0; }}",
                "Vec<".repeat(n),
                ">".repeat(n)
            ),
        ),
        (
            "returns",
            format!("async fn f() {{ {}1; }}", "return ".repeat(n)),
        ),
    ];
    for (name, text) in shapes {
        let report = pipeline(name, text.as_bytes());
        let diagnostics = &report.files[0].diagnostics;
        assert!(
            diagnostics.iter().any(|d| d.lint == "parse_error"),
            "{name}: expected a clear `parse_error`, got {:?}",
            diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
}
