//! `--message-format sarif`: one SARIF 2.1.0 log for GitHub code scanning and other
//! viewers: every rule of the catalogue, results with repository-relative locations,
//! related locations for the secondary labels, and fixes from the suggestions.
use std::io::Write;
use std::ops::Range;

use serde_json::{json, Value};

use super::Context;
use crate::catalog::Lint;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Level;
use crate::driver::scan::{FileReport, ScanReport};
use crate::syntax::source::SourceFile;

/// SARIF's `reportingDescriptor.shortDescription` and friends are capped by GitHub.
const GITHUB_TEXT_LIMIT: usize = 1024;

pub fn render(out: &mut dyn Write, report: &ScanReport, context: &Context) -> std::io::Result<()> {
    let lints = context.catalog.lints();
    let rules: Vec<Value> = lints.iter().map(rule).collect();
    let mut results = Vec::new();
    for file in &report.files {
        for diagnostic in &file.diagnostics {
            let index = lints.iter().position(|l| l.id == diagnostic.lint);
            results.push(result(file, diagnostic, index, context));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cargo-unblock",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/cargo-unblock",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": context.repo_root_uri()}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

/// The rule for a lint, with its documentation as the help.
fn rule(lint: &Lint) -> Value {
    let name: String = lint
        .id
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    let what_it_does = lint
        .explanation
        .split("### ")
        .find_map(|section| section.strip_prefix("What it does"))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| lint.summary.clone());
    json!({
        "id": format!("unblock::{}", lint.id),
        "name": name,
        "shortDescription": {"text": truncate(&lint.summary)},
        "fullDescription": {"text": truncate(&what_it_does)},
        "helpUri": lint.url(),
        "help": {
            "text": format!("{} Run `cargo unblock explain {}` for details.", truncate(&lint.summary), lint.id),
            "markdown": lint.explanation,
        },
        "defaultConfiguration": {
            "enabled": lint.level != Level::Allow,
            "level": level(lint.level),
        },
        "properties": {"tags": ["async", "performance", lint.group.as_str()], "precision": "high"},
    })
}

fn truncate(text: &str) -> String {
    if text.len() <= GITHUB_TEXT_LIMIT {
        return text.to_string();
    }
    let mut end = GITHUB_TEXT_LIMIT - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

fn region(source: &SourceFile, range: &Range<usize>) -> Value {
    let start = source.line_col(range.start);
    let end = source.line_col(range.end);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn result(
    file: &FileReport,
    diagnostic: &Diagnostic,
    index: Option<usize>,
    context: &Context,
) -> Value {
    let uri = context.repo_relative(&file.source.path);
    let artifact = json!({"uri": uri, "uriBaseId": "%SRCROOT%"});
    let location = |range: &Range<usize>, message: Option<&str>| {
        let mut location = json!({"physicalLocation": {
            "artifactLocation": artifact.clone(),
            "region": region(&file.source, range),
        }});
        if let Some(message) = message {
            location["message"] = json!({"text": message});
        }
        location
    };
    let mut text = diagnostic.message.clone();
    for note in diagnostic.notes.iter().chain(&diagnostic.helps) {
        text.push_str(&format!("\n{note}"));
    }
    if let Some(suggestion) = &diagnostic.suggestion {
        text.push_str(&format!(
            "\n{}: `{}`",
            suggestion.message, suggestion.rendered
        ));
    }
    let mut result = json!({
        "ruleId": diagnostic.code(),
        "level": level(diagnostic.level),
        "message": {"text": text},
        "locations": [match &diagnostic.primary {
            Some(range) => location(range, diagnostic.primary_label.as_deref()),
            // A file that could not be read has no region, only the file.
            None => json!({"physicalLocation": {"artifactLocation": artifact.clone()}}),
        }],
    });
    if let Some(index) = index {
        result["ruleIndex"] = json!(index);
    }
    if !diagnostic.labels.is_empty() {
        let related: Vec<Value> = diagnostic
            .labels
            .iter()
            .enumerate()
            .map(|(id, label)| {
                let mut related = location(&label.range, Some(&label.message));
                related["id"] = json!(id);
                related
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    if let Some(suggestion) = diagnostic
        .suggestion
        .as_ref()
        .filter(|s| !s.edits.is_empty())
    {
        let replacements: Vec<Value> = suggestion
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(&file.source, &edit.range),
                    "insertedContent": {"text": edit.replacement},
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": {"text": suggestion.message},
            "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        }]);
    }
    result
}
