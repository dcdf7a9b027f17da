//! Runs every `fixtures/<lint>/*.rs` and every fixture crate or workspace
//! (`fixtures/<lint>/<dir>/`, scanned as cargo-unblock scans paths) and compares the
//! findings with the `//~ lint` markers on their lines (an exact multiset), then
//! snapshots the rendered output. Findings of allow-by-default lints count only in
//! their own folder.
//!
//! Directives on a fixture file's first lines: `//@ runtime: smol` (default tokio) and
//! `//@ tests` (report in test code too).
use std::path::{Path, PathBuf};

use cargo_unblock::catalog::runtime::Runtime;
use cargo_unblock::catalog::Catalog;
use cargo_unblock::diagnostic::apply_edits;
use cargo_unblock::diagnostic::Level;
use cargo_unblock::driver::check::check_source;
use cargo_unblock::driver::scan::{scan, FileReport, ScanOptions, ScanReport};
use cargo_unblock::driver::workspace::discover_paths;
use cargo_unblock::report::human;
use codespan_reporting::term::termcolor::NoColor;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_root() -> PathBuf {
    manifest_dir().join("fixtures")
}

/// A fixture: one file checked on its own, or a directory scanned as a whole.
#[derive(Debug, Clone)]
enum Fixture {
    File(PathBuf),
    Tree(PathBuf),
}

impl Fixture {
    fn path(&self) -> &Path {
        match self {
            Fixture::File(p) | Fixture::Tree(p) => p,
        }
    }

    fn name(&self) -> String {
        let stem = self.path().file_stem().unwrap().to_string_lossy();
        match self {
            Fixture::File(_) => stem.into_owned(),
            Fixture::Tree(_) => format!("{stem}_tree"),
        }
    }

    /// The `.rs` files whose markers count.
    fn files(&self) -> Vec<PathBuf> {
        match self {
            Fixture::File(p) => vec![p.clone()],
            Fixture::Tree(dir) => {
                let mut files = Vec::new();
                let mut stack = vec![dir.clone()];
                while let Some(dir) = stack.pop() {
                    for entry in std::fs::read_dir(&dir).unwrap() {
                        let path = entry.unwrap().path();
                        if path.is_dir() {
                            stack.push(path);
                        } else if path.extension().is_some_and(|e| e == "rs") {
                            files.push(path);
                        }
                    }
                }
                files.sort();
                files
            }
        }
    }
}

/// Every fixture of every lint, sorted.
fn fixtures() -> Vec<(String, Fixture)> {
    let catalog = Catalog::builtin();
    let mut out = Vec::new();
    for lint in catalog.lints() {
        let dir = fixture_root().join(&lint.id);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("lint `{}` has no fixtures/{}/ folder", lint.id, lint.id))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        let found: Vec<Fixture> = entries
            .into_iter()
            .filter_map(|p| {
                if p.is_dir() {
                    Some(Fixture::Tree(p))
                } else if p.extension().is_some_and(|e| e == "rs") {
                    Some(Fixture::File(p))
                } else {
                    None
                }
            })
            .collect();
        assert!(!found.is_empty(), "fixtures/{}/ holds no fixture", lint.id);
        out.extend(found.into_iter().map(|f| (lint.id.clone(), f)));
    }
    out
}

fn display(path: &Path) -> String {
    path.strip_prefix(manifest_dir())
        .unwrap()
        .display()
        .to_string()
}

fn check_file_fixture(path: &Path) -> FileReport {
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
    check_source(&display(path), text, runtime, tests)
}

/// The scan of a fixture, as the reports of its files with findings.
fn check(fixture: &Fixture) -> ScanReport {
    match fixture {
        Fixture::File(path) => {
            let mut report = ScanReport {
                checked: 1,
                parsed: 1,
                ..ScanReport::default()
            };
            report.files.push(check_file_fixture(path));
            report
        }
        Fixture::Tree(dir) => {
            let discovered = discover_paths(std::slice::from_ref(dir), manifest_dir(), None);
            assert!(discovered.problems.is_empty(), "{:?}", discovered.problems);
            let options = ScanOptions {
                include_tests: false,
                include_examples: false,
                include_benches: false,
                runtime: None,
                jobs: Some(2),
                prefilter: true,
                cpu_loop_threshold: None,
                cache: None,
            };
            scan(&discovered, &options)
        }
    }
}

/// `(file, line, lint)` for every `//~ lint[, lint]` marker of the fixture.
fn expected(fixture: &Fixture) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for file in fixture.files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (index, line) in text.lines().enumerate() {
            if let Some((_, marks)) = line.split_once("//~") {
                for mark in marks.split(',') {
                    out.push((display(&file), index + 1, mark.trim().to_string()));
                }
            }
        }
    }
    out.sort();
    out
}

/// The findings of `report`; allow-by-default lints count only in their own folder.
/// A finding that stands for several call sites of one root cause counts at each of
/// the sites it lists, so every call shape keeps its marker.
fn actual(report: &ScanReport, lint: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for file in &report.files {
        for d in &file.diagnostics {
            if d.level == Level::Allow && d.lint != lint {
                continue;
            }
            let start = d.primary.clone().map_or(0, |r| r.start);
            let line = file.source.line_col(start).line;
            out.push((file.source.display.clone(), line, d.lint.clone()));
            for note in &d.notes {
                let Some((_, sites)) = note.split_once("the same blocking call: ") else {
                    continue;
                };
                for site in sites.split(", ") {
                    let (path, line) = site.rsplit_once(':').expect("path:line");
                    out.push((path.to_string(), line.parse().unwrap(), d.lint.clone()));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_reports_exactly_its_markers() {
    let mut failures = Vec::new();
    for (lint, fixture) in fixtures() {
        let report = check(&fixture);
        let want = expected(&fixture);
        let got = actual(&report, &lint);
        if want != got {
            let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
            let unexpected: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
            failures.push(format!(
                "{}\n  missing:    {missing:?}\n  unexpected: {unexpected:?}",
                fixture.path().display()
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
        let markers: usize = files.iter().map(|(_, f)| expected(f).len()).sum();
        assert!(markers > 0, "lint `{}` has no positive fixture", lint.id);
    }
}

#[test]
fn rendered_output_snapshots() {
    for (lint, fixture) in fixtures() {
        let scan = check(&fixture);
        let mut out = NoColor::new(Vec::new());
        let tally = human::render(&mut out, &scan).unwrap();
        human::summary(&mut out, tally, scan.checked).unwrap();
        let name = format!("{lint}__{}", fixture.name());
        insta::assert_snapshot!(name, String::from_utf8(out.into_inner()).unwrap());
    }
}

#[test]
fn suggestion_edits_apply_cleanly_and_still_parse() {
    let mut applied = 0;
    for (_, fixture) in fixtures() {
        let scan = check(&fixture);
        for report in &scan.files {
            let path = &report.source.path;
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
    }
    assert!(applied > 20, "only {applied} suggestions carried edits");
}

#[test]
fn the_transitive_pass_parses_only_what_executor_code_reaches() {
    let fixture = Fixture::Tree(fixture_root().join("transitive_blocking/reach"));
    let report = check(&fixture);
    let found = actual(&report, "transitive_blocking");
    assert_eq!(found, expected(&fixture));
    // `helpers.rs` (the callee) and `disk.rs` (what it calls); `never.rs` is named
    // only by a fn nothing async reaches.
    assert_eq!(report.transitive.files_parsed, 2);
}

#[test]
fn an_associated_fn_is_looked_up_only_where_it_may_return_a_known_type() {
    let fixture = Fixture::Tree(fixture_root().join("blocking_fs/own-returns"));
    let report = check(&fixture);
    assert_eq!(actual(&report, "transitive_blocking"), expected(&fixture));
    // `journal.rs`, `queue.rs` and `store.rs` each return a type of their own from
    // `fn open`: not worth a parse to type `Journal::open(..)`.
    assert_eq!(report.struct_files_parsed, 0);
}

#[test]
fn a_call_only_some_callers_make_block_says_why_it_moved() {
    let fixture = Fixture::Tree(fixture_root().join("blocking_in_main/app"));
    let report = check(&fixture);
    let moved: Vec<(usize, &str, bool)> = (report.files.iter())
        .filter(|f| f.source.path.ends_with("src/session.rs"))
        .flat_map(|f| f.diagnostics.iter().map(move |d| (f, d)))
        .map(|(f, d)| {
            let line = f
                .source
                .line_col(d.primary.clone().map_or(0, |r| r.start))
                .line;
            let why = d
                .notes
                .iter()
                .any(|n| n.starts_with("it blocks only with what some callers"));
            (line, d.lint.as_str(), why)
        })
        .collect();
    assert_eq!(
        moved,
        [
            // With 32 as a related site (one root cause), as 44 and 49 are of 39.
            (26, "blocking_in_main", true),
            (39, "transitive_blocking", false),
            (63, "blocking_in_main", true),
        ]
    );
}
