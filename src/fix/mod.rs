//! `--fix`, `--unsafe-fixes` and `--diff`: the findings' edits applied in memory, pass
//! after pass (each pass scans the fixed text again) until nothing changes; a file whose
//! fixed text no longer parses keeps its last good text, and the edit is named.
pub mod diff;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::diagnostic::{apply_edits, Applicability, Diagnostic, Suggestion};
use crate::driver::scan::ScanReport;
use crate::syntax::source;

/// Passes before giving up on reaching a fixed point (each pass applies every edit
/// that does not overlap another, so a few are enough for nested calls).
const MAX_PASSES: usize = 8;

/// Which edits to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `MachineApplicable` only.
    Safe,
    /// `MaybeIncorrect` too.
    Unsafe,
}

impl Mode {
    fn takes(self, suggestion: &Suggestion) -> bool {
        !suggestion.edits.is_empty()
            && match suggestion.applicability {
                Applicability::MachineApplicable => true,
                Applicability::MaybeIncorrect => self == Mode::Unsafe,
                Applicability::HasPlaceholders => false,
            }
    }
}

/// One file the fixes change.
#[derive(Debug)]
pub struct FixedFile {
    pub display: String,
    pub original: String,
    pub fixed: String,
    /// Findings fixed in it.
    pub fixes: usize,
}

/// What the passes did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The changed files, by path.
    pub files: BTreeMap<PathBuf, FixedFile>,
    /// Edits that were not applied because the result did not parse.
    pub failures: Vec<String>,
    /// The findings left after the last pass (scanned from the fixed text).
    pub remaining: ScanReport,
    /// Whether the passes stopped at the bound with edits still to apply.
    pub unfinished: bool,
}

impl Outcome {
    pub fn fixed(&self) -> usize {
        self.files.values().map(|f| f.fixes).sum()
    }
}

/// Runs `scan` (which reads files through the overlay) and applies the edits `mode`
/// allows, until a pass changes nothing.
pub fn run(mode: Mode, mut scan: impl FnMut() -> ScanReport) -> Outcome {
    let mut outcome = Outcome::default();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    for pass in 0.. {
        let report = source::with_overlay(&texts, &mut scan);
        if pass == MAX_PASSES {
            outcome.unfinished = report.files.iter().any(|f| has_fixes(f, mode));
            outcome.remaining = report;
            break;
        }
        let mut changed = false;
        for file in &report.files {
            let text = &file.source.text;
            let suggestions = fixes_of(&file.diagnostics, &file.folded, mode);
            if suggestions.is_empty() {
                continue;
            }
            let (fixed, applied, failures) = apply_parsing(text, &suggestions);
            for (diagnostic, reason) in failures {
                let line = file.source.line_col(first_edit(diagnostic)).line;
                let what = format!(
                    "{}:{line}: the fix for `{}` was not applied: {reason}",
                    file.source.display,
                    diagnostic.code()
                );
                if !outcome.failures.contains(&what) {
                    outcome.failures.push(what);
                }
            }
            if applied == 0 {
                continue;
            }
            changed = true;
            let entry = outcome
                .files
                .entry(file.source.path.clone())
                .or_insert_with(|| FixedFile {
                    display: file.source.display.clone(),
                    original: text.clone(),
                    fixed: String::new(),
                    fixes: 0,
                });
            entry.fixed = fixed.clone();
            entry.fixes += applied;
            texts.insert(file.source.path.clone(), fixed);
        }
        if !changed {
            outcome.remaining = report;
            break;
        }
    }
    outcome.files.retain(|_, file| file.fixed != file.original);
    outcome
}

fn has_fixes(file: &crate::driver::scan::FileReport, mode: Mode) -> bool {
    !fixes_of(&file.diagnostics, &file.folded, mode).is_empty()
}

/// The findings whose suggestion `mode` applies, in file order.
fn fixes_of<'d>(
    shown: &'d [Diagnostic],
    folded: &'d [Diagnostic],
    mode: Mode,
) -> Vec<&'d Diagnostic> {
    let mut found: Vec<&Diagnostic> = (shown.iter().chain(folded))
        .filter(|d| d.suggestion.as_ref().is_some_and(|s| mode.takes(s)))
        .collect();
    found.sort_by_key(|d| first_edit(d));
    found
}

fn first_edit(diagnostic: &Diagnostic) -> usize {
    (diagnostic.suggestion.as_ref())
        .and_then(|s| s.edits.iter().map(|e| e.range.start).min())
        .unwrap_or(0)
}

/// Applies the suggestions that do not overlap an earlier one; if the result does not
/// parse, applies them one at a time and drops each that breaks the parse. Returns the
/// text, how many were applied, and the ones dropped for not parsing.
fn apply_parsing<'d>(
    text: &str,
    diagnostics: &[&'d Diagnostic],
) -> (String, usize, Vec<(&'d Diagnostic, String)>) {
    let mut chosen: Vec<&Diagnostic> = Vec::new();
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    for diagnostic in diagnostics {
        let edits = &diagnostic.suggestion.as_ref().expect("filtered").edits;
        let overlaps = edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.range.start < t.end && t.start < e.range.end)
        });
        // An insertion at the very point another edit starts is an overlap too.
        let touches = edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.range.is_empty() && (e.range.start == t.start || e.range.start == t.end))
        });
        if overlaps || touches {
            continue; // the next pass sees it again, against the fixed text
        }
        taken.extend(edits.iter().map(|e| e.range.clone()));
        chosen.push(diagnostic);
    }
    let all_edits = |set: &[&Diagnostic]| -> Vec<crate::diagnostic::Edit> {
        (set.iter())
            .flat_map(|d| d.suggestion.as_ref().expect("filtered").edits.clone())
            .collect()
    };
    if let Ok(fixed) = apply_edits(text, &all_edits(&chosen)) {
        if parses(&fixed) {
            return (fixed, chosen.len(), Vec::new());
        }
    }
    // Find the culprits: keep each suggestion only if the text still parses with it.
    let mut kept: Vec<&Diagnostic> = Vec::new();
    let mut failures = Vec::new();
    let mut current = text.to_string();
    for diagnostic in chosen {
        let mut trial = kept.clone();
        trial.push(diagnostic);
        match apply_edits(text, &all_edits(&trial)) {
            Ok(fixed) if parses(&fixed) => {
                kept = trial;
                current = fixed;
            }
            Ok(_) => failures.push((diagnostic, "the file would no longer parse".to_string())),
            Err(err) => failures.push((diagnostic, err)),
        }
    }
    (current, kept.len(), failures)
}

fn parses(text: &str) -> bool {
    syn::parse_file(&source::parse_text(text)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Level};

    fn fix(range: std::ops::Range<usize>, with: &str, applicability: Applicability) -> Diagnostic {
        let mut d = Diagnostic::new("thread_sleep", Level::Warn, "m");
        d.suggestion = Some(Suggestion {
            message: String::new(),
            rendered: with.into(),
            edits: vec![Edit {
                range,
                replacement: with.into(),
            }],
            applicability,
        });
        d
    }

    #[test]
    fn overlapping_and_unparsable_edits_are_left_out() {
        let text = "fn f() { a(); b(); }";
        let good = fix(9..12, "x()", Applicability::MachineApplicable);
        let overlapping = fix(10..11, "y", Applicability::MachineApplicable);
        let broken = fix(14..17, "b(", Applicability::MachineApplicable);
        let (fixed, applied, failures) = apply_parsing(text, &[&good, &overlapping, &broken]);
        assert_eq!(fixed, "fn f() { x(); b(); }");
        assert_eq!(applied, 1);
        assert_eq!(failures.len(), 1);
    }

    #[test]
    fn modes_choose_by_applicability() {
        let safe = fix(0..1, "x", Applicability::MachineApplicable);
        let maybe = fix(2..3, "y", Applicability::MaybeIncorrect);
        let placeholder = fix(4..5, "z", Applicability::HasPlaceholders);
        let all = [safe, maybe, placeholder];
        assert_eq!(fixes_of(&all, &[], Mode::Safe).len(), 1);
        assert_eq!(fixes_of(&all, &[], Mode::Unsafe).len(), 2);
    }
}
