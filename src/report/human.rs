//! rustc-style terminal output through codespan-reporting, plus the closing summary.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::diagnostic::Diagnostic;
use crate::diagnostic::Level;
use crate::driver::scan::{FileReport, ScanReport};

/// Counts of what was shown, for the summary and the exit code.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
}

/// Renders the diagnostics of one file in rustc's layout. The file's line index is
/// built once, not once per finding: a file with many findings stays linear.
pub struct FileRenderer<'a> {
    file: &'a FileReport,
    source: SimpleFile<&'a str, &'a str>,
    /// A byte-order mark is not a column: the text after it is rendered, ranges shifted.
    skip: usize,
}

impl<'a> FileRenderer<'a> {
    pub fn new(file: &'a FileReport) -> FileRenderer<'a> {
        let text = file.source.text.as_str();
        let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let source = SimpleFile::new(file.source.display.as_str(), &text[skip..]);
        FileRenderer { file, source, skip }
    }

    pub fn render(&self, out: &mut dyn WriteColor, diagnostic: &Diagnostic) -> std::io::Result<()> {
        render_diagnostic(out, self, diagnostic)
    }
}

/// Renders one diagnostic of the renderer's file.
fn render_diagnostic(
    out: &mut dyn WriteColor,
    renderer: &FileRenderer<'_>,
    diagnostic: &Diagnostic,
) -> std::io::Result<()> {
    let (file, skip) = (renderer.file, renderer.skip);
    let shift =
        |r: &std::ops::Range<usize>| r.start.saturating_sub(skip)..r.end.saturating_sub(skip);
    let severity = match diagnostic.level {
        Level::Deny => Severity::Error,
        _ => Severity::Warning,
    };
    let mut labels = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        let mut label = CsLabel::primary((), shift(primary));
        if let Some(message) = &diagnostic.primary_label {
            label = label.with_message(message);
        }
        labels.push(label);
    }
    for label in &diagnostic.labels {
        labels.push(CsLabel::secondary((), shift(&label.range)).with_message(&label.message));
    }
    let mut notes = Vec::new();
    for note in &diagnostic.notes {
        notes.push(format!("note: {note}"));
    }
    for help in &diagnostic.helps {
        notes.push(format!("help: {help}"));
    }
    if let Some(suggestion) = &diagnostic.suggestion {
        notes.push(suggestion_note(file, diagnostic, suggestion));
    }
    if diagnostic.lint != "parse_error" {
        notes.push(format!(
            "note: for details run `cargo unblock explain {}` or see {}/{}.md",
            diagnostic.lint,
            crate::catalog::names::DOCS_URL,
            diagnostic.lint
        ));
    }
    let cs = CsDiagnostic::new(severity)
        .with_message(&diagnostic.message)
        .with_code(diagnostic.code())
        .with_labels(labels)
        .with_notes(notes);
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    term::emit(out, &config, &renderer.source, &cs).map_err(std::io::Error::other)
}

/// Renders every finding and returns the tally.
pub fn render(out: &mut dyn WriteColor, report: &ScanReport) -> std::io::Result<Tally> {
    let mut tally = Tally::default();
    for file in &report.files {
        let renderer = FileRenderer::new(file);
        for diagnostic in &file.diagnostics {
            match diagnostic.level {
                Level::Allow => continue,
                Level::Warn => tally.warnings += 1,
                Level::Deny => tally.errors += 1,
            }
            renderer.render(out, diagnostic)?;
        }
    }
    Ok(tally)
}

/// The closing line, like cargo's `generated N warnings`.
pub fn summary(out: &mut dyn WriteColor, tally: Tally, checked: usize) -> std::io::Result<()> {
    use codespan_reporting::term::termcolor::{Color, ColorSpec};
    let files = plural(checked, "file");
    if tally.errors == 0 && tally.warnings == 0 {
        out.set_color(ColorSpec::new().set_bold(true).set_fg(Some(Color::Green)))?;
        write!(out, "    Finished")?;
        out.reset()?;
        return writeln!(out, " cargo-unblock checked {files}: no findings");
    }
    let (word, color) = if tally.errors > 0 {
        ("error", Color::Red)
    } else {
        ("warning", Color::Yellow)
    };
    out.set_color(ColorSpec::new().set_bold(true).set_fg(Some(color)))?;
    write!(out, "{word}")?;
    out.reset()?;
    let mut parts = Vec::new();
    if tally.errors > 0 {
        parts.push(plural(tally.errors, "error"));
    }
    if tally.warnings > 0 {
        parts.push(plural(tally.warnings, "warning"));
    }
    writeln!(
        out,
        ": cargo-unblock found {} (checked {files})",
        parts.join(" and ")
    )
}

/// The rewrite in full: inline when it is one line, else as rustc's suggestion block,
/// each line numbered from the flagged line, so that it can be copied as it is.
fn suggestion_note(
    file: &FileReport,
    diagnostic: &Diagnostic,
    suggestion: &crate::diagnostic::Suggestion,
) -> String {
    let lines: Vec<&str> = suggestion.rendered.lines().collect();
    if let [only] = lines.as_slice() {
        return format!("help: {}: `{}`", suggestion.message, only.trim());
    }
    let at = diagnostic.primary.as_ref().map_or(0, |r| r.start);
    let first = file.source.line_col(at).line;
    let width = (first + lines.len()).to_string().len();
    let mut block = format!("help: {}:\n{:width$} |", suggestion.message, "");
    for (i, line) in lines.iter().enumerate() {
        block.push_str(&format!("\n{:>width$} ~ {line}", first + i));
    }
    block
}

/// `1 file`, `3 files`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
