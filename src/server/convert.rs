//! Between the linter's findings and LSP's shapes: UTF-16 positions, diagnostics with
//! their chain as related information, quick fixes, the suppression comment, hover.
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use lsp_types as lsp;

use crate::catalog::Catalog;
use crate::diagnostic::{Applicability, Diagnostic, Level};

/// Byte offsets and LSP positions (lines, UTF-16 code units) of one text.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        LineIndex {
            text,
            starts: crate::syntax::source::line_starts(text),
        }
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let mut offset = offset.min(self.text.len());
        // Inside a character: its start.
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let prefix = self.text.get(start..offset).unwrap_or_default();
        lsp::Position::new(line as u32, prefix.encode_utf16().count() as u32)
    }

    pub fn range(&self, range: &Range<usize>) -> lsp::Range {
        lsp::Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of a position; a column past a line's end is its end (before
    /// the line break, `\r\n` or `\n`), a line past the last is the text's end.
    pub fn offset(&self, position: lsp::Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let next =
            (self.starts.get(position.line as usize + 1).copied()).unwrap_or(self.text.len());
        let line = &self.text[start..next];
        let end = start + line.trim_end_matches('\n').trim_end_matches('\r').len();
        let mut units = 0;
        for (at, ch) in self.text[start..end].char_indices() {
            if units >= position.character as usize {
                return start + at;
            }
            units += ch.len_utf16();
        }
        end
    }
}

pub fn uri_of(path: &Path) -> Option<lsp::Url> {
    lsp::Url::from_file_path(path).ok()
}

/// A line's place when the file's text is not at hand: the line, from its start.
fn line_location(path: &Path, line: usize) -> Option<lsp::Location> {
    let line = line.saturating_sub(1) as u32;
    Some(lsp::Location::new(
        uri_of(path)?,
        lsp::Range::new(lsp::Position::new(line, 0), lsp::Position::new(line, 0)),
    ))
}

/// A finding as the editor shows it: its span, lint code and level, the message with
/// its notes and helps, and the chain's links and the root cause's other call sites
/// as related information.
pub fn diagnostic(
    finding: &Diagnostic,
    index: &LineIndex<'_>,
    uri: &lsp::Url,
    catalog: &Catalog,
) -> lsp::Diagnostic {
    let range = match &finding.primary {
        Some(range) => index.range(range),
        None => lsp::Range::default(),
    };
    let mut message = finding.message.clone();
    for note in &finding.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    for help in &finding.helps {
        message.push_str(&format!("\nhelp: {help}"));
    }
    if let Some(suggestion) = &finding.suggestion {
        message.push_str(&format!("\nhelp: {}", suggestion.message));
    }
    let mut related: Vec<lsp::DiagnosticRelatedInformation> = (finding.labels.iter())
        .map(|label| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), index.range(&label.range)),
            message: label.message.clone(),
        })
        .collect();
    related.extend(finding.related.iter().filter_map(|r| {
        Some(lsp::DiagnosticRelatedInformation {
            location: line_location(&r.path, r.line)?,
            message: r.message.clone(),
        })
    }));
    let href = catalog
        .lint(&finding.lint)
        .and_then(|lint| lsp::Url::parse(&lint.url()).ok());
    lsp::Diagnostic {
        range,
        severity: Some(match finding.level {
            Level::Deny => lsp::DiagnosticSeverity::ERROR,
            _ => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(finding.lint.clone())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some("cargo-unblock".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The quick fixes for the findings of `text` whose span meets `range`: each
/// finding's rewrite (preferred only when it is known to compile), and a suppression
/// comment with a reason to fill in.
pub fn code_actions(
    findings: &[Diagnostic],
    text: &str,
    uri: &lsp::Url,
    range: lsp::Range,
    catalog: &Catalog,
) -> Vec<lsp::CodeActionOrCommand> {
    let index = LineIndex::new(text);
    let wanted = index.offset(range.start)..index.offset(range.end);
    let mut actions = Vec::new();
    for finding in findings {
        let Some(span) = &finding.primary else {
            continue;
        };
        if span.end < wanted.start || span.start > wanted.end {
            continue;
        }
        let shown = diagnostic(finding, &index, uri, catalog);
        if let Some(suggestion) = finding.suggestion.as_ref().filter(|s| !s.edits.is_empty()) {
            let edits = (suggestion.edits.iter())
                .map(|edit| lsp::TextEdit::new(index.range(&edit.range), edit.replacement.clone()))
                .collect();
            let safe = suggestion.applicability == Applicability::MachineApplicable;
            let title = match safe {
                true => format!("Fix: {}", suggestion.message),
                false => format!("Fix (check the result): {}", suggestion.message),
            };
            actions.push(action(title, uri, edits, shown.clone(), safe));
        }
        if let Some(edit) = suppression_edit(text, span.start, &finding.lint, &index) {
            let title = format!("Suppress `{}` here, with a reason", finding.lint);
            actions.push(action(title, uri, vec![edit], shown, false));
        }
    }
    actions
}

fn action(
    title: String,
    uri: &lsp::Url,
    edits: Vec<lsp::TextEdit>,
    diagnostic: lsp::Diagnostic,
    preferred: bool,
) -> lsp::CodeActionOrCommand {
    let changes = HashMap::from([(uri.clone(), edits)]);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(lsp::WorkspaceEdit::new(changes)),
        is_preferred: Some(preferred),
        ..Default::default()
    })
}

/// What the suppression comment says until the user writes the reason.
pub const REASON_PLACEHOLDER: &str = "TODO: why blocking is fine here";

/// `// unblock: allow(lint) -- reason` on its own line above the finding's line, with
/// the line's indentation.
fn suppression_edit(
    text: &str,
    offset: usize,
    lint: &str,
    index: &LineIndex<'_>,
) -> Option<lsp::TextEdit> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |at| at + 1);
    let line = &text[line_start..];
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let at = index.position(line_start);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(lsp::TextEdit::new(
        lsp::Range::new(at, at),
        format!("{indent}// unblock: allow({lint}) -- {REASON_PLACEHOLDER}{newline}"),
    ))
}

/// The lint's explanation, for a hover over one of its findings.
pub fn hover(finding: &Diagnostic, index: &LineIndex<'_>, catalog: &Catalog) -> lsp::Hover {
    let page = match catalog.lint(&finding.lint) {
        Some(lint) => lint.page(),
        None => format!("# unblock::{}", finding.lint),
    };
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: format!("**{}**\n\n{page}", finding.message),
        }),
        range: finding.primary.as_ref().map(|r| index.range(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "fn a() {}\nlet s = \"é😀\"; x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        // `let s = "` is 9 units, é is 1, 😀 is 2, `";` 2 and a space 1.
        assert_eq!(index.position(x), lsp::Position::new(1, 15));
        assert_eq!(index.offset(lsp::Position::new(1, 15)), x);
        assert_eq!(index.offset(lsp::Position::new(9, 0)), text.len());
        assert_eq!(index.position(0), lsp::Position::new(0, 0));
        // Inside 😀: its start.
        let smile = text.find('😀').unwrap();
        assert_eq!(index.position(smile + 1), index.position(smile));
    }

    #[test]
    fn a_column_past_the_end_of_a_line_is_its_end() {
        let index = LineIndex::new("ab\ncd");
        assert_eq!(index.offset(lsp::Position::new(0, 9)), 2);
        assert_eq!(index.offset(lsp::Position::new(1, 9)), 5);
        let crlf = LineIndex::new("ab\r\ncd\r\n");
        assert_eq!(crlf.offset(lsp::Position::new(0, 2)), 2);
        assert_eq!(crlf.offset(lsp::Position::new(0, 9)), 2);
        assert_eq!(crlf.position(4), lsp::Position::new(1, 0));
        assert_eq!(crlf.offset(lsp::Position::new(2, 0)), 8);
        let empty_last = LineIndex::new("ab\n");
        assert_eq!(empty_last.offset(lsp::Position::new(1, 0)), 3);
        assert_eq!(empty_last.position(3), lsp::Position::new(1, 0));
    }

    /// The suppression edit for the `std` call of `text`.
    fn suppression_of(text: &str) -> lsp::TextEdit {
        let at = text.find("std").unwrap();
        suppression_edit(text, at, "thread_sleep", &LineIndex::new(text)).unwrap()
    }

    #[test]
    fn the_suppression_comment_keeps_crlf_line_ends() {
        let edit = suppression_of("async fn f() {\r\n    std::thread::sleep(d);\r\n}\r\n");
        assert!(edit.new_text.ends_with("here\r\n"), "{:?}", edit.new_text);
    }

    #[test]
    fn the_suppression_comment_keeps_the_indentation() {
        let edit = suppression_of("async fn f() {\n    std::thread::sleep(d);\n}\n");
        assert_eq!(edit.range.start, lsp::Position::new(1, 0));
        assert_eq!(
            edit.new_text,
            format!("    // unblock: allow(thread_sleep) -- {REASON_PLACEHOLDER}\n")
        );
    }
}
