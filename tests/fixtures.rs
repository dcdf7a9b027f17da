//! Runs every `fixtures/<lint>/*.rs` and compares the findings with the `//~ lint`
//! markers on its lines (an exact multiset), then snapshots the rendered output.
//! Findings of allow-by-default lints count only in their own folder.
//!
//! Directives on a fixture's first lines: `//@ runtime: smol` (default tokio) and
//! `//@ tests` (report in test code too).
use std::path::{Path, PathBuf};

use cargo_unblock::catalog::{Catalog, Level};
use cargo_unblock::diagnostic::apply_edits;
use cargo_unblock::render::human;
use cargo_unblock::runtime::Runtime;
use cargo_unblock::scan::{check_source, FileReport, ScanReport};
use codespan_reporting::term::termcolor::NoColor;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every fixture file of every lint, sorted.
fn fixtures() -> Vec<(String, PathBuf)> {
    let catalog = Catalog::builtin();
    let mut out = Vec::new();
    for lint in catalog.lints() {
        let dir = fixture_root().join(&lint.id);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("lint `{}` has no fixtures/{}/ folder", lint.id, lint.id))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "fixtures/{}/ holds no .rs file", lint.id);
        out.extend(files.into_iter().map(|f| (lint.id.clone(), f)));
    }
    out
}

fn check_fixture(path: &Path) -> FileReport {
    let text = std::fs::read_to_string(path).unwrap();
    let mut runtime = Runtime::Tokio;
    let mut tests = false;
    for line in text.lines().take_while(|l| l.starts_with("//@")) {
        let directive = line.trim_start_matches("//@").trim();
        if let Some(name) = directive.strip_prefix("runtime:") {
            runtime = Runtime::from_name(name.trim()).expect("known runtime");
        } else if directive == "tests" {
            tests = true;
        } else {
            panic!("{}: unknown directive `{directive}`", path.display());
        }
    }
    let display = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string();
    check_source(&display, text, runtime, tests)
}

/// `(line, lint)` for every `//~ lint[, lint]` marker.
fn expected(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some((_, marks)) = line.split_once("//~") {
            for mark in marks.split(',') {
                out.push((index + 1, mark.trim().to_string()));
            }
        }
    }
    out.sort();
    out
}

/// The findings of `report`; allow-by-default lints count only in their own folder.
fn actual(report: &FileReport, lint: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = report
        .diagnostics
        .iter()
        .filter(|d| d.level != Level::Allow || d.lint == lint)
        .map(|d| {
            let start = d.primary.clone().map_or(0, |r| r.start);
            (report.source.line_col(start).line, d.lint.clone())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_fixture_reports_exactly_its_markers() {
    let mut failures = Vec::new();
    for (lint, path) in fixtures() {
        let report = check_fixture(&path);
        let want = expected(&report.source.text);
        let got = actual(&report, &lint);
        if want != got {
            let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
            let unexpected: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
            failures.push(format!(
                "{}\n  missing:    {missing:?}\n  unexpected: {unexpected:?}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_lint_has_a_positive_fixture() {
    for lint in Catalog::builtin().lints() {
        let files: Vec<_> = fixtures()
            .into_iter()
            .filter(|(id, _)| *id == lint.id)
            .collect();
        let markers: usize = files
            .iter()
            .map(|(_, p)| expected(&std::fs::read_to_string(p).unwrap()).len())
            .sum();
        assert!(markers > 0, "lint `{}` has no positive fixture", lint.id);
    }
}

#[test]
fn rendered_output_snapshots() {
    for (lint, path) in fixtures() {
        let report = check_fixture(&path);
        let mut scan = ScanReport {
            checked: 1,
            parsed: 1,
            ..ScanReport::default()
        };
        scan.files.push(report);
        let mut out = NoColor::new(Vec::new());
        let tally = human::render(&mut out, &scan).unwrap();
        human::summary(&mut out, tally, 1).unwrap();
        let name = format!("{lint}__{}", path.file_stem().unwrap().to_string_lossy());
        insta::assert_snapshot!(name, String::from_utf8(out.into_inner()).unwrap());
    }
}

#[test]
fn suggestion_edits_apply_cleanly_and_still_parse() {
    let mut applied = 0;
    for (_, path) in fixtures() {
        let report = check_fixture(&path);
        for diagnostic in &report.diagnostics {
            let Some(suggestion) = &diagnostic.suggestion else {
                continue;
            };
            if suggestion.edits.is_empty() {
                continue;
            }
            let fixed = apply_edits(&report.source.text, &suggestion.edits).unwrap();
            assert!(
                fixed.contains(&suggestion.rendered),
                "{}: `{}` is not what the edits wrote",
                path.display(),
                suggestion.rendered
            );
            if let Err(err) = syn::parse_file(&fixed) {
                panic!(
                    "{}: applying `{}` breaks the syntax: {err}",
                    path.display(),
                    suggestion.rendered
                );
            }
            applied += 1;
        }
    }
    assert!(applied > 20, "only {applied} suggestions carried edits");
}
