//! The per-file pipeline (read → prefilter → parse → analyse), run over all files in parallel.
use std::path::PathBuf;

use rayon::prelude::*;

use crate::catalog::{Catalog, Level};
use crate::context::{self, FileContext};
use crate::diagnostic::Diagnostic;
use crate::runtime::Runtime;
use crate::source::{self, SourceFile};

/// What part of a package a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Library, binaries, build script.
    Source,
    Example,
    /// `tests/`, `benches/`: reported only with `--tests`.
    Test,
}

/// One file to check, with what is known about its package.
#[derive(Debug, Clone)]
pub struct ScanFile {
    pub path: PathBuf,
    pub display: String,
    pub role: Role,
    pub runtime: Runtime,
}

/// Options that apply to every file.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub include_tests: bool,
    /// Overrides the runtime detected per package.
    pub runtime: Option<Runtime>,
    /// Worker threads; `None` lets rayon decide (`RAYON_NUM_THREADS`, else all cores).
    pub jobs: Option<usize>,
    /// Skip files without the bytes `async` unparsed (they cannot hold executor code).
    pub prefilter: bool,
}

/// A checked file and its findings; the text is kept only when there are findings.
#[derive(Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Files with findings, in path order.
    pub files: Vec<FileReport>,
    /// Files looked at (read and, where they could hold async code, parsed).
    pub checked: usize,
    /// Files that were parsed (the rest held no `async` and were skipped cheaply).
    pub parsed: usize,
}

/// Syntax trees of deeply nested code recurse deeply: give the workers room.
const WORKER_STACK: usize = 256 * 1024 * 1024;

/// Checks `files` in parallel and returns the findings in a stable order.
pub fn scan(files: &[ScanFile], options: &ScanOptions) -> ScanReport {
    let catalog = Catalog::builtin();
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs);
    }
    let work = || {
        files
            .par_iter()
            .filter(|file| options.include_tests || file.role != Role::Test)
            .map(|file| check_file(file, catalog, options))
            .collect::<Vec<_>>()
    };
    let outcomes = match builder.build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    let mut report = ScanReport::default();
    for outcome in outcomes {
        report.checked += 1;
        report.parsed += usize::from(outcome.parsed);
        if !outcome.report.diagnostics.is_empty() {
            report.files.push(outcome.report);
        }
    }
    report
        .files
        .sort_by(|a, b| a.source.display.cmp(&b.source.display));
    report
}

struct Outcome {
    report: FileReport,
    parsed: bool,
}

/// The whole pipeline for one file. Never panics on bad input: every failure becomes
/// a `parse_error` finding on that file.
fn check_file(file: &ScanFile, catalog: &Catalog, options: &ScanOptions) -> Outcome {
    let text = match source::read_text(&file.path) {
        Ok(text) => text,
        Err(err) => {
            let source = SourceFile::new(file.path.clone(), file.display.clone(), String::new());
            let diagnostic = file_error(catalog, format!("`{}`: {err}", file.display), None);
            return Outcome {
                report: FileReport {
                    source,
                    diagnostics: vec![diagnostic],
                },
                parsed: false,
            };
        }
    };
    let ctx = FileContext {
        catalog,
        runtime: options.runtime.unwrap_or(file.runtime),
        include_tests: options.include_tests,
    };
    let (diagnostics, parsed) = check_text(&text, &ctx, options.prefilter);
    let text = if diagnostics.is_empty() {
        String::new()
    } else {
        text
    };
    let source = SourceFile::new(file.path.clone(), file.display.clone(), text);
    Outcome {
        report: FileReport {
            source,
            diagnostics,
        },
        parsed,
    }
}

/// Checks text that did not come from disk (fixtures, editors, stdin).
pub fn check_source(
    display: &str,
    text: String,
    runtime: Runtime,
    include_tests: bool,
) -> FileReport {
    let catalog = Catalog::builtin();
    let ctx = FileContext {
        catalog,
        runtime,
        include_tests,
    };
    let (diagnostics, _) = check_text(&text, &ctx, true);
    FileReport {
        source: SourceFile::new(display.into(), display.into(), text),
        diagnostics,
    }
}

/// Prefilter, parse and analyse one file's text.
pub fn check_text(text: &str, ctx: &FileContext<'_>, prefilter: bool) -> (Vec<Diagnostic>, bool) {
    if prefilter && !source::may_contain_async(text) {
        return (Vec::new(), false);
    }
    let parse_text = source::parse_text(text);
    let diagnostics = match syn::parse_file(&parse_text) {
        Ok(ast) => context::analyze(&ast, text, ctx),
        Err(err) => {
            let mut range = err.span().byte_range();
            if range.is_empty() && range.start == 0 && err.to_string().contains("end of input") {
                range = text.len()..text.len();
            }
            let message = format!("could not parse this file: {err}");
            vec![file_error(ctx.catalog, message, Some(range))]
        }
    };
    // Spans live in a thread-local table that would otherwise grow with every file.
    proc_macro2::extra::invalidate_current_thread_spans();
    (diagnostics, true)
}

fn file_error(
    catalog: &Catalog,
    message: String,
    range: Option<std::ops::Range<usize>>,
) -> Diagnostic {
    let level = catalog
        .lint("parse_error")
        .map_or(Level::Warn, |lint| lint.level);
    let mut diagnostic = Diagnostic::new("parse_error", level, message);
    diagnostic.primary = range;
    diagnostic.notes.push("this file was not checked".into());
    diagnostic
}
