//! Findings as data: spans, labels, notes and suggestions with structured edits.
//!
//! Every output format and `--fix` read the same `Diagnostic`, so a suggestion is both
//! a message and the exact byte edits that carry it out.
use std::ops::Range;

use serde::Deserialize;

/// How loud a lint is: the same three levels rustc uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// How sure a suggestion is, in rustc's terms (and `--fix` obeys them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Applicability {
    MachineApplicable,
    MaybeIncorrect,
    HasPlaceholders,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
            Applicability::HasPlaceholders => "HasPlaceholders",
        }
    }
}

/// Replace the bytes `range` of the file with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

/// Applies non-overlapping edits to `text`; refuses (rather than corrupt the text) when
/// an edit is out of bounds, splits a character, or overlaps another.
pub fn apply_edits(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        let range = edit.range.clone();
        if range.start < at || range.end < range.start || range.end > text.len() {
            return Err(format!(
                "edit {range:?} overlaps another or lies outside the text"
            ));
        }
        if !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
            return Err(format!("edit {range:?} splits a character"));
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&edit.replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// A `help:` with the code to write instead.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Suggestion {
    pub message: String,
    /// The replacement as the user will read it (the whole rewritten expression).
    pub rendered: String,
    /// The edits that produce it; empty when the advice cannot be applied mechanically.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// A secondary span with its message.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub range: Range<usize>,
    pub message: String,
}

/// One finding in one file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub lint: String,
    pub level: Level,
    pub message: String,
    /// The flagged code; `None` for findings about a whole file.
    pub primary: Option<Range<usize>>,
    pub primary_label: Option<String>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub helps: Vec<String>,
    pub suggestion: Option<Suggestion>,
    /// The blocking call a chain ends at: the findings of one lint that share it are
    /// reported once, at the first call site, with the others listed.
    pub root_cause: Option<String>,
    /// The files a chain passes through, its own excluded (paths mode reports a finding
    /// of a file not named when its chain passes through a named one).
    pub through: Vec<std::path::PathBuf>,
    /// Places in other files (or lines) the finding speaks of: the links of its chain,
    /// and the other call sites of its root cause (an editor shows them beside it).
    pub related: Vec<Related>,
}

/// A place a finding points to besides its own span.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Related {
    pub path: std::path::PathBuf,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(lint: &str, level: Level, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            lint: lint.to_string(),
            level,
            message: message.into(),
            primary: None,
            primary_label: None,
            labels: Vec::new(),
            notes: Vec::new(),
            helps: Vec::new(),
            suggestion: None,
            root_cause: None,
            through: Vec::new(),
            related: Vec::new(),
        }
    }

    /// The tool-scoped code, as rustc and clippy spell theirs.
    pub fn code(&self) -> String {
        format!("unblock::{}", self.lint)
    }

    pub fn sort_key(&self) -> (usize, usize, &str) {
        let range = self.primary.clone().unwrap_or(0..0);
        (range.start, range.end, &self.lint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, replacement: &str) -> Edit {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }

    #[test]
    fn edits_apply_in_any_order() {
        let text = "let x = f(a);";
        let edits = [edit(12..12, "?"), edit(8..9, "g")];
        assert_eq!(apply_edits(text, &edits).unwrap(), "let x = g(a)?;");
    }

    #[test]
    fn bad_edits_are_refused() {
        assert!(apply_edits("abc", &[edit(0..2, "x"), edit(1..3, "y")]).is_err());
        assert!(apply_edits("abc", &[edit(2..9, "x")]).is_err());
        assert!(apply_edits("é", &[edit(1..2, "x")]).is_err());
    }
}
