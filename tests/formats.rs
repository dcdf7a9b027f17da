//! The machine-readable formats, checked by their real consumers: cargo_metadata's
//! `Message` (what rust-analyzer parses), rustfix (what applies suggestions), the
//! official SARIF 2.1.0 schema, and the GitHub workflow-command syntax.
use std::collections::HashSet;
use std::path::Path;

mod common;

use common::{copied_service, example_service, rustc_diagnostics};

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::run(dir, args);
    (out.code, out.stdout, out.stderr)
}

#[test]
fn json_lines_are_cargo_messages() {
    let (code, stdout, stderr) = run(&example_service(), &["--message-format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "human output stays off: {stderr}");
    let mut diagnostics = Vec::new();
    let mut finished = false;
    for line in stdout.lines() {
        let message: cargo_metadata::Message = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a cargo message ({e}): {line}"));
        match message {
            cargo_metadata::Message::CompilerMessage(m) => {
                assert!(
                    m.package_id.repr.contains("example-service"),
                    "{}",
                    m.package_id.repr
                );
                assert_eq!(m.target.name, "example-service");
                diagnostics.push(m.message)
            }
            cargo_metadata::Message::BuildFinished(f) => {
                assert!(f.success);
                finished = true;
                let raw: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(raw["unblock"]["warnings"], 8, "{line}");
                assert_eq!(raw["unblock"]["checked_files"], 5, "{line}");
            }
            _ => {}
        }
    }
    assert!(finished, "ends with build-finished");
    assert_eq!(diagnostics.len(), 8);
    let sleep = diagnostics
        .iter()
        .find(|d| {
            d.code
                .as_ref()
                .is_some_and(|c| c.code == "unblock::thread_sleep")
        })
        .expect("the thread_sleep finding");
    let primary = sleep.spans.iter().find(|s| s.is_primary).unwrap();
    assert_eq!(primary.file_name, "src/handlers.rs");
    assert_eq!((primary.line_start, primary.column_start), (23, 23));
    assert_eq!(primary.text[0].highlight_start, 23);
    let help = sleep
        .children
        .iter()
        .find(|c| c.spans.iter().any(|s| s.suggested_replacement.is_some()))
        .expect("a help child carries the edit");
    assert_eq!(
        help.spans[0].suggested_replacement.as_deref(),
        Some("tokio::time::sleep(std::time::Duration::from_millis(50)).await")
    );
    assert!(sleep
        .rendered
        .as_deref()
        .unwrap()
        .starts_with("warning[unblock::thread_sleep]"));
}

#[test]
fn rustfix_applies_the_suggestions() {
    let dir = copied_service();
    let (_, stdout, _) = run(dir.path(), &["--message-format", "json"]);
    // rustfix reads rustc's diagnostics: the `message` of each of cargo's lines.
    let rustc_lines = rustc_diagnostics(&stdout);
    let suggestions = rustfix::get_suggestions_from_json(
        &rustc_lines,
        &HashSet::new(),
        rustfix::Filter::Everything,
    )
    .unwrap();
    assert!(suggestions.len() >= 5, "{suggestions:?}");
    let mut by_file: std::collections::BTreeMap<String, Vec<rustfix::Suggestion>> =
        Default::default();
    for suggestion in suggestions {
        let file = suggestion.solutions[0].replacements[0]
            .snippet
            .file_name
            .clone();
        by_file.entry(file).or_default().push(suggestion);
    }
    for (file, suggestions) in by_file {
        let path = dir.path().join(&file);
        let before = std::fs::read_to_string(&path).unwrap();
        let after = rustfix::apply_suggestions(&before, &suggestions).unwrap();
        assert_ne!(before, after);
        syn::parse_file(&after).unwrap_or_else(|e| panic!("{file} no longer parses: {e}\n{after}"));
        if file == "src/handlers.rs" {
            assert!(
                after.contains("tokio::time::sleep(std::time::Duration::from_millis(50)).await")
            );
        }
    }
    // With MachineApplicableOnly (cargo fix's default) only the async twins with the
    // same types are applied; thread-pool hops and builder swaps are for a human.
    let strict = rustfix::get_suggestions_from_json(
        &rustc_lines,
        &HashSet::new(),
        rustfix::Filter::MachineApplicableOnly,
    )
    .unwrap();
    let mut replacements: Vec<String> = (strict.iter())
        .flat_map(|s| &s.solutions)
        .flat_map(|s| &s.replacements)
        .map(|r| r.replacement.clone())
        .collect();
    replacements.sort();
    assert_eq!(
        replacements,
        [
            "tokio::fs::read_to_string(\"templates/report.html\").await",
            "tokio::time::sleep(std::time::Duration::from_millis(50)).await",
        ]
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let (code, stdout, stderr) = run(&example_service(), &["--message-format", "sarif"]);
    assert_eq!(code, 0, "{stderr}");
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let schema_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-2.1.0.json"
    ))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let catalog = cargo_unblock::catalog::Catalog::builtin();
    assert_eq!(rules.len(), catalog.lints().len());
    for rule in rules {
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let sleep = results
        .iter()
        .find(|r| r["ruleId"] == "unblock::thread_sleep")
        .unwrap();
    let location = &sleep["locations"][0]["physicalLocation"];
    // Relative to the repository root (this checkout).
    assert_eq!(
        location["artifactLocation"]["uri"],
        "fixtures/example-service/src/handlers.rs"
    );
    assert_eq!(location["region"]["startLine"], 23);
    assert_eq!(location["region"]["startColumn"], 23);
    let index = sleep["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "unblock::thread_sleep");
    let fix = &sleep["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        fix["insertedContent"]["text"],
        "tokio::time::sleep(std::time::Duration::from_millis(50)).await"
    );
}

#[test]
fn sarif_schema_check_can_fail() {
    // The schema really constrains: a wrong level is refused.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]
    });
    assert!(!validator.is_valid(&bad));
}

#[test]
fn github_annotations_escape_their_fields() {
    let (code, stdout, _) = run(
        &example_service(),
        &["--message-format", "github", "-D", "thread_sleep"],
    );
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 8);
    // Errors first: GitHub shows only the first few annotations of each kind.
    assert!(lines[0].starts_with(
        "::error file=fixtures/example-service/src/handlers.rs,line=23,endLine=23,col=23,endColumn=79,title=unblock%3A%3Athread_sleep::`std::thread::sleep` blocks the executor thread%0A  help: use the async equivalent: `tokio::time::sleep(std::time::Duration::from_millis(50)).await`"
    ), "{}", lines[0]);
    assert!(
        lines[1..].iter().all(|l| l.starts_with("::warning file=")),
        "{stdout}"
    );
}

#[test]
fn short_lines_and_statistics() {
    let (code, stdout, stderr) = run(&example_service(), &["--message-format", "short"]);
    assert_eq!(code, 0);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.lines().any(|l| l
        == "src/handlers.rs:23:23: warning[unblock::thread_sleep] `std::thread::sleep` blocks the executor thread"), "{stdout}");
    assert_eq!(stdout.lines().count(), 8);

    let (_, stdout, _) = run(&example_service(), &["--statistics"]);
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows[0], "     4  unblock::blocking_fs", "{stdout}");
    assert_eq!(rows.len(), 6, "{stdout}");
    assert!(rows[5].starts_with("     8  in all (checked "), "{stdout}");

    // As JSON: one object, with the files checked and the count.
    let (_, stdout, _) = run(
        &example_service(),
        &["--statistics", "--message-format", "json"],
    );
    let stats: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(stats["reason"], "unblock-statistics");
    assert_eq!(stats["findings"], 8);
    assert!(stats["checked_files"].as_u64().unwrap() > 0);
    assert_eq!(stats["by_lint"][0]["lint"], "blocking_fs");

    // With no findings, still the files checked and the count.
    let (_, stdout, _) = run(
        &example_service(),
        &["--statistics", "-A", "blocking", "-A", "cpu"],
    );
    assert!(stdout.starts_with("     0  in all (checked "), "{stdout}");
}

#[test]
fn exit_zero_reports_but_never_fails() {
    let (code, _, stderr) = run(&example_service(), &["-D", "warnings"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = run(&example_service(), &["-D", "warnings", "--exit-zero"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("error[unblock::thread_sleep]"), "{stderr}");
    // Trouble is still trouble.
    let (code, _, _) = run(&example_service(), &["no/such/path.rs", "--exit-zero"]);
    assert_eq!(code, 2);
}

#[test]
fn rustfix_applies_machine_applicable_suggestions_alone() {
    // `block_on(fut)` → `fut.await` inside async code is certain: the one kind of
    // rewrite marked MachineApplicable, so cargo-fix-style tools apply it unasked.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"fixme\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = \"1\"\nfutures = \"0.3\"\n",
    )
    .unwrap();
    let source = "use futures::executor::block_on;\n\nasync fn fetch() -> u32 {\n    1\n}\n\nasync fn handler() -> u32 {\n    let a = block_on(fetch());\n    std::thread::sleep(std::time::Duration::from_millis(1));\n    a + futures::executor::block_on(async { fetch().await + 1 })\n}\n";
    std::fs::write(dir.path().join("src/lib.rs"), source).unwrap();
    let (_, stdout, stderr) = run(dir.path(), &["--message-format", "json"]);
    let rustc_lines = rustc_diagnostics(&stdout);
    let suggestions = rustfix::get_suggestions_from_json(
        &rustc_lines,
        &HashSet::new(),
        rustfix::Filter::MachineApplicableOnly,
    )
    .unwrap();
    assert_eq!(suggestions.len(), 2, "{stderr}{stdout}");
    let fixed = rustfix::apply_suggestions(source, &suggestions).unwrap();
    assert!(fixed.contains("let a = fetch().await;"), "{fixed}");
    assert!(
        fixed.contains("a + async { fetch().await + 1 }.await"),
        "{fixed}"
    );
    // The sleep's rewrite needs tokio's `time` feature: left for a human.
    assert!(fixed.contains("std::thread::sleep"), "{fixed}");
    syn::parse_file(&fixed).unwrap();
}
