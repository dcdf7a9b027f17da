//! The per-file pipeline: read → prefilter → nesting guard → parse → check →
//! suppressions, where any failure (unreadable, not UTF-8, too deep, unparsable, or a
//! bug of ours) becomes a `parse_error` finding on that file and never stops the scan.
use std::collections::HashSet;

use super::cache::Kind;
use super::scan::{FileReport, Shared, DEFAULT_CPU_LOOP_THRESHOLD};
use super::workspace::ScanFile;
use crate::catalog::runtime::Runtime;
use crate::catalog::Catalog;
use crate::checker;
use crate::diagnostic::Diagnostic;
use crate::rules::suppress::{self, FileSuppressions};
use crate::rules::transitive::summary::FileSummary;
use crate::semantic::struct_fields::StructFields;
use crate::semantic::FileContext;
use crate::syntax::source::{self, SourceFile};

/// What checking one file leaves for the rest of the scan. One is kept for every
/// selected file until the end (tens of thousands in a large workspace), and most have
/// nothing to say: what only a parsed file has sits behind one box.
pub(super) struct Outcome {
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The file's text, kept only where there is something to show or to suppress.
    pub(super) text: String,
    pub(super) parsed: bool,
    pub(super) internal_error: bool,
    facts: Option<Box<Facts>>,
}

/// What a parsed file tells the crate-wide passes, and its suppressions.
#[derive(Default)]
pub(super) struct Facts {
    pub(super) wanted_structs: HashSet<String>,
    pub(super) struct_fields: StructFields,
    pub(super) summary: FileSummary,
    pub(super) suppressions: FileSuppressions,
}

impl Facts {
    fn is_empty(&self) -> bool {
        let summary = &self.summary;
        self.wanted_structs.is_empty()
            && self.struct_fields.is_empty()
            && self.suppressions.is_empty()
            && summary.fns.is_empty()
            && summary.executor_calls.is_empty()
            && summary.reexports.is_empty()
            && summary.inline_closures.is_empty()
            && summary.unseen_method_names.is_empty()
            && summary.trait_impls.is_empty()
            && summary.unresolved_trait_impls.is_empty()
    }
}

impl Outcome {
    pub(super) fn new(
        (diagnostics, text): (Vec<Diagnostic>, String),
        (parsed, internal_error): (bool, bool),
        facts: Facts,
    ) -> Outcome {
        Outcome {
            diagnostics,
            text,
            parsed,
            internal_error,
            facts: (!facts.is_empty()).then(|| Box::new(facts)),
        }
    }

    /// A file that could not be read, or one the last run's memo stands for.
    pub(super) fn bare(
        diagnostics: Vec<Diagnostic>,
        parsed: bool,
        internal_error: bool,
    ) -> Outcome {
        Outcome::new(
            (diagnostics, String::new()),
            (parsed, internal_error),
            Facts::default(),
        )
    }

    pub(super) fn facts(&self) -> Option<&Facts> {
        self.facts.as_deref()
    }

    /// The summary, handed on to the crate-wide pass.
    pub(super) fn take_summary(&mut self) -> FileSummary {
        (self.facts.as_mut()).map_or_else(FileSummary::default, |f| std::mem::take(&mut f.summary))
    }

    pub(super) fn suppressions(&self) -> Option<&FileSuppressions> {
        self.facts()
            .map(|f| &f.suppressions)
            .filter(|s| !s.is_empty())
    }

    pub(super) fn set_suppressions(&mut self, suppressions: FileSuppressions) {
        if !suppressions.is_empty() {
            self.facts.get_or_insert_with(Box::default).suppressions = suppressions;
        }
    }

    /// The report of the file, once the passes are done with it.
    pub(super) fn into_report(self, file: &ScanFile) -> (FileReport, Option<FileSuppressions>) {
        let source = SourceFile::new(file.path.clone(), file.display.clone(), self.text);
        let report = FileReport {
            source,
            diagnostics: self.diagnostics,
            package: file.package.clone(),
            folded: Vec::new(),
        };
        (report, self.facts.map(|f| f.suppressions))
    }
}

/// The whole pipeline for one file. Never panics on bad input: every failure becomes
/// a `parse_error` finding on that file.
pub(super) fn check_file(file: &ScanFile, shared: &Shared<'_>, fields: &StructFields) -> Outcome {
    let catalog = shared.catalog;
    let text = match source::read_text(&file.path) {
        Ok(text) => text,
        Err(err) => {
            let diagnostic = file_error(catalog, format!("`{}`: {err}", file.display), None);
            return Outcome::bare(vec![diagnostic], false, false);
        }
    };
    let prefilter = shared.options.prefilter;
    let analysed = !prefilter || source::may_contain_async(&text);
    let (package, runtime, settings) = (file.package.as_deref(), file.runtime, file.settings);
    // Only a file that is analysed needs its parent's names.
    let ctx = match analysed {
        true => shared.file_context((&file.path, &text), package, runtime, settings, fields),
        false => shared.context(package, runtime, settings, fields),
    };
    let check = || check_text(&text, &ctx, prefilter);
    // Files the prefilter skips cost a read either way: they are not cached.
    let checked = if analysed {
        let how = (file.settings, &ctx, prefilter);
        shared.cached(&file.path, &text, how, Kind::Check, check)
    } else {
        check()
    };
    // The text is kept only where there is something to show (or to suppress).
    let text = if checked.diagnostics.is_empty() && checked.suppressions.is_empty() {
        String::new()
    } else {
        text
    };
    let facts = Facts {
        wanted_structs: checked.wanted_structs,
        struct_fields: checked.struct_fields,
        summary: checked.summary,
        suppressions: checked.suppressions,
    };
    let flags = (checked.parsed, checked.internal_error);
    Outcome::new((checked.diagnostics, text), flags, facts)
}

/// Checks text that did not come from disk (fixtures, editors, stdin).
pub fn check_source(
    display: &str,
    text: String,
    runtime: Runtime,
    include_tests: bool,
) -> FileReport {
    let no_fields = StructFields::new();
    let no_members = HashSet::new();
    let ctx = FileContext {
        catalog: Catalog::builtin(),
        runtime,
        features: crate::catalog::runtime::Features::UNKNOWN,
        include_tests,
        crate_fields: &no_fields,
        cpu_loop_threshold: DEFAULT_CPU_LOOP_THRESHOLD,
        member_crates: &no_members,
        parent: None,
    };
    let mut checked = check_text(&text, &ctx, true);
    // No crate-wide pass confirms that a crate fn runs a closure handed to it.
    let closures = checked.summary.inline_closures.iter();
    let unconfirmed: Vec<_> = closures.flat_map(|c| c.findings.iter()).collect();
    (checked.diagnostics).retain(|d| d.primary.as_ref().is_none_or(|r| !unconfirmed.contains(&r)));
    let source = SourceFile::new(display.into(), display.into(), text);
    let catalog = Catalog::builtin();
    (checked.suppressions).apply(&source, &mut checked.diagnostics, catalog, true);
    FileReport {
        source,
        diagnostics: checked.diagnostics,
        package: None,
        folded: Vec::new(),
    }
}

/// The whole per-file pipeline on raw bytes, as the fuzz target drives it: decoding
/// (a non-UTF-8 file is a finding), the nesting guard, parse, analysis, suppressions.
pub fn check_bytes(display: &str, bytes: &[u8], runtime: Runtime) -> FileReport {
    match source::decode(bytes.to_vec()) {
        Ok(text) => check_source(display, text, runtime, true),
        Err(err) => {
            let message = format!("`{display}`: {err}");
            FileReport {
                source: SourceFile::new(display.into(), display.into(), String::new()),
                diagnostics: vec![file_error(Catalog::builtin(), message, None)],
                package: None,
                folded: Vec::new(),
            }
        }
    }
}

/// What checking one file's text gave (what the cache keeps of a file, too).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub parsed: bool,
    pub wanted_structs: HashSet<String>,
    pub struct_fields: StructFields,
    pub summary: FileSummary,
    pub suppressions: FileSuppressions,
    /// The check itself failed (a bug), not the file.
    pub internal_error: bool,
}

impl Checked {
    /// A file with nothing to say (`parsed` tells whether it was parsed at all).
    pub(super) fn nothing(parsed: bool) -> Checked {
        Checked::with(Vec::new(), parsed, false)
    }

    fn with(diagnostics: Vec<Diagnostic>, parsed: bool, internal_error: bool) -> Checked {
        Checked {
            diagnostics,
            parsed,
            wanted_structs: HashSet::new(),
            struct_fields: StructFields::new(),
            summary: FileSummary::default(),
            suppressions: FileSuppressions::default(),
            internal_error,
        }
    }
}

/// Prefilter, parse and analyse one file's text.
pub fn check_text(text: &str, ctx: &FileContext<'_>, prefilter: bool) -> Checked {
    if prefilter && !source::may_contain_async(text) {
        return Checked::nothing(false);
    }
    let too_deep = crate::syntax::nesting::too_deep_to_parse(text);
    if let Some(message) = too_deep {
        return Checked::with(
            vec![file_error(ctx.catalog, message, Some(0..0))],
            false,
            false,
        );
    }
    // A bug must cost one file, not the scan: a panic becomes a finding on that file.
    let outcome = guarded(|| {
        let parse_text = source::parse_text(text);
        match syn::parse_file(&parse_text) {
            Ok(ast) => {
                let mut analysis = checker::analyze(&ast, text, ctx);
                analysis.summary.shrink();
                let suppressions = if suppress::may_have_suppressions(text) {
                    suppress::collect(text, &ast)
                } else {
                    FileSuppressions::default()
                };
                Checked {
                    diagnostics: analysis.diagnostics,
                    parsed: true,
                    wanted_structs: analysis.wanted_structs,
                    struct_fields: analysis.struct_fields,
                    summary: analysis.summary,
                    suppressions,
                    internal_error: false,
                }
            }
            Err(err) => {
                let mut range = err.span().byte_range();
                if range.is_empty() && range.start == 0 && err.to_string().contains("end of input")
                {
                    range = text.len()..text.len();
                }
                let message = format!("could not parse this file: {err}");
                Checked::with(
                    vec![file_error(ctx.catalog, message, Some(range))],
                    true,
                    false,
                )
            }
        }
    });
    let checked = outcome.unwrap_or_else(|panic| {
        let message = format!(
            "internal error: cargo-unblock failed on this file ({panic}); this is a bug, please report it"
        );
        Checked::with(vec![file_error(ctx.catalog, message, Some(0..0))], true, true)
    });
    // Spans live in a thread-local table that would otherwise grow with every file.
    proc_macro2::extra::invalidate_current_thread_spans();
    checked
}

/// Runs `f`, turning a panic into its message.
pub(super) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string())
    })
}

fn file_error(
    catalog: &Catalog,
    message: String,
    range: Option<std::ops::Range<usize>>,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new("parse_error", catalog.level("parse_error"), message);
    diagnostic.primary = range;
    diagnostic.notes.push("this file was not checked".into());
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_message() {
        assert_eq!(guarded(|| 7), Ok(7));
        assert_eq!(
            guarded(|| -> u8 { panic!("boom") }),
            Err("boom".to_string())
        );
        let owned = guarded(|| -> u8 { panic!("{}", String::from("owned")) });
        assert_eq!(owned, Err("owned".to_string()));
    }
}
