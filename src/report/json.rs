//! `--message-format json`: cargo's `compiler-message` stream with rustc's diagnostic
//! schema, so that rust-analyzer, rustfix and anything reading `cargo check
//! --message-format=json` can consume it; closed by `build-finished` carrying a summary.
use std::io::Write;
use std::ops::Range;

use codespan_reporting::term::termcolor::NoColor;
use serde_json::{json, Value};

use super::{Context, Statistics};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Level;
use crate::driver::scan::{FileReport, ScanReport};
use crate::syntax::source::SourceFile;

/// Writes one JSON object per line.
pub fn render(out: &mut dyn Write, report: &ScanReport, context: &Context) -> std::io::Result<()> {
    for file in &report.files {
        let renderer = super::human::FileRenderer::new(file);
        for diagnostic in &file.diagnostics {
            let line = message(file, &renderer, diagnostic, context);
            serde_json::to_writer(&mut *out, &line)?;
            writeln!(out)?;
        }
    }
    // The summary rides on cargo's closing line: readers that know only cargo's
    // messages (rust-analyzer, cargo_metadata) accept it, and ignore the extra field.
    let statistics = Statistics::of(report);
    let finished = json!({
        "reason": "build-finished",
        "success": context.success,
        "unblock": {
            "checked_files": report.checked,
            "parsed_files": report.parsed,
            "internal_errors": report.internal_errors,
            "errors": statistics.errors,
            "warnings": statistics.warnings,
            "by_lint": statistics.by_lint.iter().map(|(lint, n)| json!({"lint": lint, "count": n})).collect::<Vec<_>>(),
        },
    });
    serde_json::to_writer(&mut *out, &finished)?;
    writeln!(out)
}

/// One `compiler-message` line.
fn message(
    file: &FileReport,
    renderer: &super::human::FileRenderer<'_>,
    diagnostic: &Diagnostic,
    context: &Context,
) -> Value {
    let package = context.package_of(file);
    let file_name = context.workspace_relative(&file.source.path);
    let span = |range: &Range<usize>, primary: bool, label: Option<&str>| {
        let mut span = span_json(&file.source, &file_name, range, primary);
        span["label"] = label.map_or(Value::Null, Value::from);
        span
    };
    let mut spans = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        spans.push(span(primary, true, diagnostic.primary_label.as_deref()));
    }
    for label in &diagnostic.labels {
        spans.push(span(&label.range, false, Some(&label.message)));
    }
    let child = |level: &str, message: &str, spans: Vec<Value>| json!({"message": message, "code": null, "level": level, "spans": spans, "children": [], "rendered": null});
    let mut children = Vec::new();
    for note in &diagnostic.notes {
        children.push(child("note", note, Vec::new()));
    }
    for help in &diagnostic.helps {
        children.push(child("help", help, Vec::new()));
    }
    if let Some(suggestion) = &diagnostic.suggestion {
        let spans = suggestion
            .edits
            .iter()
            .map(|edit| {
                let mut span = span_json(&file.source, &file_name, &edit.range, true);
                span["suggested_replacement"] = Value::from(edit.replacement.as_str());
                span["suggestion_applicability"] = Value::from(suggestion.applicability.as_str());
                span
            })
            .collect();
        let text = if suggestion.edits.is_empty() {
            format!("{}: `{}`", suggestion.message, suggestion.rendered)
        } else {
            suggestion.message.clone()
        };
        children.push(child("help", &text, spans));
    }
    let level_note = match diagnostic.level {
        Level::Deny => "requested on the command line or in the configuration, or on by default",
        _ => "on by default, or set in the configuration",
    };
    children.push(child(
        "note",
        &format!("`{}` is {level_note}", diagnostic.code()),
        Vec::new(),
    ));
    let mut rendered = NoColor::new(Vec::new());
    let _ = renderer.render(&mut rendered, diagnostic);
    let level = match diagnostic.level {
        Level::Deny => "error",
        _ => "warning",
    };
    json!({
        "reason": "compiler-message",
        "package_id": package.map(|p| p.id.clone()).unwrap_or_else(|| context.loose_package_id(file)),
        "manifest_path": package.map(|p| p.manifest_path.display().to_string()),
        "target": package
            .and_then(|p| p.target_of(&file.source.path).cloned())
            .unwrap_or_else(|| loose_target(file)),
        "message": {
            "$message_type": "diagnostic",
            "message": diagnostic.message,
            "code": {
                "code": diagnostic.code(),
                "explanation": context.catalog.lint(&diagnostic.lint).map(|l| l.page()),
            },
            "level": level,
            "spans": spans,
            "children": children,
            "rendered": String::from_utf8_lossy(&rendered.into_inner()),
        }
    })
}

/// A span in rustc's schema: byte offsets, 1-based lines and char columns, and the text
/// of every line it covers with the highlighted part.
pub fn span_json(
    source: &SourceFile,
    file_name: &str,
    range: &Range<usize>,
    primary: bool,
) -> Value {
    let start = source.line_col(range.start);
    let end = source.line_col(range.end);
    let text: Vec<Value> = (start.line..=end.line)
        .map(|line| {
            let text = source.line_text(line);
            let width = text.chars().count() + 1;
            let from = if line == start.line { start.column } else { 1 };
            let to = if line == end.line { end.column } else { width };
            json!({"text": text, "highlight_start": from, "highlight_end": to})
        })
        .collect();
    json!({
        "file_name": file_name,
        "byte_start": range.start,
        "byte_end": range.end,
        "line_start": start.line,
        "line_end": end.line,
        "column_start": start.column,
        "column_end": end.column,
        "is_primary": primary,
        "text": text,
        "label": null,
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}

/// A target for a file outside any package.
fn loose_target(file: &FileReport) -> Value {
    json!({
        "kind": ["lib"],
        "crate_types": ["lib"],
        "name": file.source.path.file_stem().and_then(|s| s.to_str()).unwrap_or("unknown"),
        "src_path": file.source.path,
        "edition": "2021",
        "doc": false,
        "doctest": false,
        "test": false,
    })
}
