//! The per-file pipeline (read → prefilter → parse → analyse), run over all files in
//! parallel, plus the package-wide passes: struct fields declared elsewhere, and the
//! crate's call graph for `transitive_blocking`.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::context::{self, FileContext, StructFields};
use crate::diagnostic::Diagnostic;
use crate::modtree::normalize;
use crate::runtime::Runtime;
use crate::settings::Settings;
use crate::source::{self, SourceFile};
use crate::summary::FileSummary;
use crate::suppress::{self, FileSuppressions};
use crate::transitive::{self, CrateRoot};
use crate::workspace::Discovered;

/// What part of a package a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Library, binaries, build script.
    Source,
    Example,
    /// `tests/`, `benches/`, test modules in files of their own: reported only with `--tests`.
    Test,
}

/// One file to check, with what is known about its package.
#[derive(Debug, Clone)]
pub struct ScanFile {
    pub path: PathBuf,
    pub display: String,
    pub role: Role,
    pub runtime: Runtime,
    /// The package's root directory, when the file belongs to one.
    pub package: Option<PathBuf>,
    /// Its package's settings, as an index into `Discovered::settings`.
    pub settings: usize,
}

/// Options that apply to every file.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Report in test code whatever the configuration says (`--tests`).
    pub include_tests: bool,
    /// Overrides the runtime detected per package.
    pub runtime: Option<Runtime>,
    /// Worker threads; `None` lets rayon decide (`RAYON_NUM_THREADS`, else all cores).
    pub jobs: Option<usize>,
    /// Skip files that cannot hold executor code unparsed.
    pub prefilter: bool,
    /// Literal-range iterations from which `cpu_loop` reports a loop; overrides the
    /// configuration's.
    pub cpu_loop_threshold: Option<u128>,
}

/// `cpu_loop`'s default: a hundred thousand iterations without a yield.
pub const DEFAULT_CPU_LOOP_THRESHOLD: u128 = 100_000;

/// A checked file and its findings; the text is kept only when there are findings.
#[derive(Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// The root of the file's package, when it has one.
    pub package: Option<PathBuf>,
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Files with findings, in path order.
    pub files: Vec<FileReport>,
    /// Files looked at (read and, where they could hold async code, parsed).
    pub checked: usize,
    /// Files that were parsed (the rest could not hold executor code).
    pub parsed: usize,
    /// Files whose check failed on a bug of cargo-unblock's (reported on the file).
    pub internal_errors: usize,
    /// What the `transitive_blocking` pass cost.
    pub transitive: transitive::Stats,
}

/// The deepest bracket nesting a file may have to be parsed (real code stays far below;
/// the workers' stacks hold several times this much in a debug build).
const MAX_NESTING: usize = 4000;

/// The longest operator chain a file may have to be parsed: each link is one level of
/// syntax tree, walked and dropped recursively (real code stays far below).
const MAX_CHAIN: usize = 20_000;

/// Syntax trees of deeply nested code recurse deeply: give the workers room.
const WORKER_STACK: usize = 256 * 1024 * 1024;

/// Checks the discovered files in parallel and returns the findings in a stable order.
pub fn scan(work: &Discovered, options: &ScanOptions) -> ScanReport {
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs);
    }
    match builder.build() {
        Ok(pool) => pool.install(|| scan_in_pool(work, options)),
        Err(_) => scan_in_pool(work, options),
    }
}

/// What every file's check shares.
struct Shared<'s> {
    catalog: &'static Catalog,
    options: &'s ScanOptions,
    settings: &'s [Settings],
    /// Per package root: the library crate names of its workspace.
    member_crates: HashMap<PathBuf, HashSet<String>>,
    /// Per package root: its settings.
    package_settings: HashMap<PathBuf, usize>,
    no_members: HashSet<String>,
}

fn scan_in_pool(work: &Discovered, options: &ScanOptions) -> ScanReport {
    let (files, crates) = (&work.files, &work.crates);
    let catalog = Catalog::builtin();
    let fallback = [Settings::defaults()];
    let settings: &[Settings] = if work.settings.is_empty() {
        &fallback
    } else {
        &work.settings
    };
    let shared = Shared {
        catalog,
        options,
        settings,
        member_crates: workspace_libraries(crates),
        package_settings: files
            .iter()
            .filter_map(|f| Some((normalize(f.package.as_ref()?), f.settings)))
            .collect(),
        no_members: HashSet::new(),
    };
    let no_fields = StructFields::new();
    let selected: Vec<&ScanFile> = files
        .iter()
        .filter(|f| shared.include_tests(f.settings) || f.role != Role::Test)
        .collect();
    let mut outcomes: Vec<Outcome> = selected
        .par_iter()
        .map(|file| check_file(file, &shared, &no_fields))
        .collect();

    // Files that met a struct declared in another file of their package are checked
    // again, once that package's files have told what the struct's fields are, and only
    // when a field can matter (its type is one the catalogue knows).
    let mut wanted: HashMap<Option<&Path>, HashSet<String>> = HashMap::new();
    for (file, outcome) in selected.iter().zip(&outcomes) {
        if !outcome.wanted_structs.is_empty() {
            let names = wanted.entry(file.package.as_deref()).or_default();
            names.extend(outcome.wanted_structs.iter().cloned());
        }
    }
    for (package, names) in &wanted {
        let in_package = |f: &ScanFile| f.package.as_deref() == *package;
        let known = selected
            .iter()
            .zip(&outcomes)
            .filter(|(f, _)| in_package(f));
        let mut fields = StructFields::new();
        for (_, outcome) in known.clone() {
            merge_fields(&mut fields, outcome.struct_fields.clone(), names);
        }
        let unparsed: Vec<&ScanFile> = known.filter(|(_, o)| !o.parsed).map(|(f, _)| *f).collect();
        merge_fields(
            &mut fields,
            package_struct_fields(&unparsed, names, catalog),
            names,
        );
        let useful = |name: &String| {
            let key = format!("{}{name}", crate::types::LOCAL_TYPE_PREFIX);
            fields
                .get(&key)
                .is_some_and(|f| f.as_ref().is_some_and(|f| !f.is_empty()))
        };
        let redo: Vec<usize> = (0..selected.len())
            .filter(|&i| in_package(selected[i]) && outcomes[i].wanted_structs.iter().any(useful))
            .collect();
        let again: Vec<Outcome> = redo
            .par_iter()
            .map(|&i| check_file(selected[i], &shared, &fields))
            .collect();
        for (i, outcome) in redo.into_iter().zip(again) {
            outcomes[i] = outcome;
        }
    }

    let transitive = transitive_pass(&selected, &mut outcomes, crates, &shared);

    let mut report = ScanReport {
        transitive,
        ..ScanReport::default()
    };
    // Suppressions and the configuration's levels come last: they cover every finding,
    // the crate-wide pass's included.
    for (file, mut outcome) in selected.iter().zip(outcomes) {
        let settings = shared.settings_of(file.settings);
        let file_report = &mut outcome.report;
        let require_reason = settings.config.require_reason;
        (outcome.suppressions).apply(
            &file_report.source,
            &mut file_report.diagnostics,
            settings.catalog(),
            require_reason,
        );
        settings.apply_levels(&mut file_report.diagnostics);
        file_report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        report.checked += 1;
        report.parsed += usize::from(outcome.parsed);
        report.internal_errors += usize::from(outcome.internal_error);
        if !outcome.report.diagnostics.is_empty() {
            report.files.push(outcome.report);
        }
    }
    report
        .files
        .sort_by(|a, b| a.source.display.cmp(&b.source.display));
    report
}

/// `transitive_blocking`: hands the files' summaries to the crate-wide pass (which
/// parses more files for theirs as it needs) and files its findings.
fn transitive_pass(
    selected: &[&ScanFile],
    outcomes: &mut [Outcome],
    crates: &[CrateRoot],
    shared: &Shared<'_>,
) -> transitive::Stats {
    let mut summaries = HashMap::new();
    let mut index_of = HashMap::new();
    let mut displays = HashMap::new();
    for (i, (file, outcome)) in selected.iter().zip(outcomes.iter_mut()).enumerate() {
        let path = normalize(&file.path);
        // A file the prefilter skipped has not told its fns yet: the pass may ask.
        if outcome.parsed {
            summaries.insert(path.clone(), std::mem::take(&mut outcome.summary));
        }
        displays.insert(path.clone(), file.display.clone());
        index_of.insert(path, i);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let display = |path: &Path| {
        displays
            .get(path)
            .cloned()
            .unwrap_or_else(|| crate::workspace::display_path(path, &cwd))
    };
    let parse = |files: &[(PathBuf, usize)]| -> Vec<(PathBuf, FileSummary)> {
        files
            .par_iter()
            .filter_map(|(path, krate)| {
                let summary = summarize_file(path, &crates[*krate], shared)?;
                Some((path.clone(), summary))
            })
            .collect()
    };
    let mut declared = HashMap::new();
    for settings in shared.settings {
        for entry in &settings.config.blocking {
            declared.insert(entry.path.clone(), crate::summary::Declared::Blocking);
        }
        for path in &settings.config.offload {
            declared.insert(path.clone(), crate::summary::Declared::Nonblocking);
        }
    }
    let inputs = transitive::Inputs {
        crates,
        parse: &parse,
        display: &display,
        level: shared.catalog.level("transitive_blocking"),
        declared: &declared,
    };
    let (findings, stats) = transitive::run(&inputs, summaries);
    for finding in findings {
        let Some(&i) = index_of.get(&finding.path) else {
            continue;
        };
        let mut diagnostic = finding.diagnostic;
        let settings = shared.settings_of(selected[i].settings);
        let runtime = (shared.options.runtime)
            .or(settings.config.runtime)
            .unwrap_or(selected[i].runtime);
        let report = &mut outcomes[i].report;
        if report.source.text.is_empty() {
            // The text was dropped when the file had no findings of its own.
            if let Ok(text) = source::read_text(&report.source.path) {
                let (path, display) = (report.source.path.clone(), report.source.display.clone());
                report.source = SourceFile::new(path, display, text);
            }
        }
        let text = &report.source.text;
        let call = finding
            .offload
            .and_then(|range| Some((range.clone(), text.get(range)?)));
        if let Some((range, call)) = call {
            diagnostic.suggestion = crate::suggest::offload_call(range, call, runtime);
        }
        report.diagnostics.push(diagnostic);
    }
    stats
}

/// The summary of a file the scan did not parse (it holds no async code), for the
/// call graph; its findings, if any, are not this pass's to report.
fn summarize_file(path: &Path, krate: &CrateRoot, shared: &Shared<'_>) -> Option<FileSummary> {
    let text = source::read_text(path).ok()?;
    let no_fields = StructFields::new();
    let settings = (shared.package_settings)
        .get(&krate.package)
        .copied()
        .unwrap_or(0);
    let ctx = shared.context(Some(&krate.package), krate.runtime, settings, &no_fields);
    // The same guards and parse as any file; a file that fails them has no summary.
    let checked = check_text(&text, &ctx, false);
    checked.parsed.then_some(checked.summary)
}

/// For each package, the library crates of its workspace (its own included).
fn workspace_libraries(crates: &[CrateRoot]) -> HashMap<PathBuf, HashSet<String>> {
    let mut by_workspace: HashMap<&Path, HashSet<String>> = HashMap::new();
    for krate in crates.iter().filter(|c| c.is_lib) {
        let names = by_workspace.entry(krate.workspace.as_path()).or_default();
        names.insert(krate.name.clone());
    }
    crates
        .iter()
        .map(|c| {
            let names = by_workspace.get(c.workspace.as_path()).cloned();
            (c.package.clone(), names.unwrap_or_default())
        })
        .collect()
}

impl Shared<'_> {
    fn settings_of(&self, index: usize) -> &Settings {
        self.settings.get(index).unwrap_or(&self.settings[0])
    }

    /// `--tests`, else the configuration's `tests`.
    fn include_tests(&self, settings: usize) -> bool {
        self.options.include_tests || self.settings_of(settings).config.tests == Some(true)
    }

    fn context<'c>(
        &'c self,
        package: Option<&Path>,
        runtime: Runtime,
        settings: usize,
        fields: &'c StructFields,
    ) -> FileContext<'c> {
        let members = package.and_then(|p| self.member_crates.get(&normalize(p)));
        let config = &self.settings_of(settings).config;
        FileContext {
            catalog: self.settings_of(settings).catalog(),
            runtime: (self.options.runtime).or(config.runtime).unwrap_or(runtime),
            include_tests: self.include_tests(settings),
            crate_fields: fields,
            cpu_loop_threshold: (self.options.cpu_loop_threshold)
                .or(config.cpu_loop_threshold)
                .unwrap_or(DEFAULT_CPU_LOOP_THRESHOLD),
            member_crates: members.unwrap_or(&self.no_members),
            offload: &config.offload,
        }
    }
}

/// The fields of the structs named in `names`, from files not parsed yet that declare
/// them (found by a byte search before any parse).
fn package_struct_fields(
    files: &[&ScanFile],
    names: &HashSet<String>,
    catalog: &Catalog,
) -> StructFields {
    let needles: Vec<String> = names.iter().map(|n| format!("struct {n}")).collect();
    let no_fields = StructFields::new();
    let found: Vec<StructFields> = files
        .par_iter()
        .filter_map(|file| {
            let text = source::read_text(&file.path).ok()?;
            if !needles
                .iter()
                .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
            {
                return None;
            }
            let no_members = HashSet::new();
            let ctx = FileContext {
                catalog,
                runtime: file.runtime,
                include_tests: true,
                crate_fields: &no_fields,
                cpu_loop_threshold: DEFAULT_CPU_LOOP_THRESHOLD,
                member_crates: &no_members,
                offload: &[],
            };
            let parsed = syn::parse_file(&source::parse_text(&text)).ok();
            let fields = parsed.and_then(|ast| guarded(|| context::struct_fields(&ast, &ctx)).ok());
            proc_macro2::extra::invalidate_current_thread_spans();
            fields
        })
        .collect();
    let mut merged = StructFields::new();
    for fields in found {
        merge_fields(&mut merged, fields, names);
    }
    merged
}

/// Adds the wanted structs of `from` to `into`; a name met twice becomes ambiguous.
fn merge_fields(into: &mut StructFields, from: StructFields, names: &HashSet<String>) {
    for (key, value) in from {
        let local = key
            .strip_prefix(crate::types::LOCAL_TYPE_PREFIX)
            .unwrap_or(&key);
        if names.contains(local) {
            into.entry(key).and_modify(|v| *v = None).or_insert(value);
        }
    }
}

struct Outcome {
    report: FileReport,
    parsed: bool,
    wanted_structs: HashSet<String>,
    struct_fields: StructFields,
    summary: FileSummary,
    suppressions: FileSuppressions,
    internal_error: bool,
}

/// The whole pipeline for one file. Never panics on bad input: every failure becomes
/// a `parse_error` finding on that file.
fn check_file(file: &ScanFile, shared: &Shared<'_>, fields: &StructFields) -> Outcome {
    let catalog = shared.catalog;
    let text = match source::read_text(&file.path) {
        Ok(text) => text,
        Err(err) => {
            let source = SourceFile::new(file.path.clone(), file.display.clone(), String::new());
            let diagnostic = file_error(catalog, format!("`{}`: {err}", file.display), None);
            let report = FileReport {
                source,
                diagnostics: vec![diagnostic],
                package: file.package.clone(),
            };
            return Outcome {
                report,
                parsed: false,
                wanted_structs: HashSet::new(),
                struct_fields: StructFields::new(),
                summary: FileSummary::default(),
                suppressions: FileSuppressions::default(),
                internal_error: false,
            };
        }
    };
    let ctx = shared.context(file.package.as_deref(), file.runtime, file.settings, fields);
    let checked = check_text(&text, &ctx, shared.options.prefilter);
    // The text is kept only where there is something to show (or to suppress).
    let text = if checked.diagnostics.is_empty() && checked.suppressions.is_empty() {
        String::new()
    } else {
        text
    };
    let source = SourceFile::new(file.path.clone(), file.display.clone(), text);
    Outcome {
        report: FileReport {
            source,
            diagnostics: checked.diagnostics,
            package: file.package.clone(),
        },
        parsed: checked.parsed,
        wanted_structs: checked.wanted_structs,
        struct_fields: checked.struct_fields,
        summary: checked.summary,
        suppressions: checked.suppressions,
        internal_error: checked.internal_error,
    }
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
        include_tests,
        crate_fields: &no_fields,
        cpu_loop_threshold: DEFAULT_CPU_LOOP_THRESHOLD,
        member_crates: &no_members,
        offload: &[],
    };
    let mut checked = check_text(&text, &ctx, true);
    let source = SourceFile::new(display.into(), display.into(), text);
    let catalog = Catalog::builtin();
    (checked.suppressions).apply(&source, &mut checked.diagnostics, catalog, true);
    FileReport {
        source,
        diagnostics: checked.diagnostics,
        package: None,
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
            }
        }
    }
}

/// What checking one file's text gave.
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
    fn nothing(parsed: bool) -> Checked {
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
    // Parsing recurses once per level: past this depth (generated code, or a hostile
    // file) the file is reported instead of risking the stack.
    let nesting = source::max_nesting(text);
    let too_deep = if nesting.depth > MAX_NESTING {
        Some(format!(
            "this file nests code {} levels deep (brackets, generics, prefix operators or assignments); cargo-unblock checks files up to {MAX_NESTING}",
            nesting.depth
        ))
    } else if nesting.chain > MAX_CHAIN {
        Some(format!(
            "this file chains {} operators in one expression; cargo-unblock checks files up to {MAX_CHAIN}",
            nesting.chain
        ))
    } else {
        None
    };
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
                let analysis = context::analyze(&ast, text, ctx);
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
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
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
