//! The scan: every selected file through the per-file pipeline (`check`), in parallel,
//! then the package-wide passes (`package`), suppressions and levels, in a stable order.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cache::{hash_of, Cache, Kind, MemoFile};
use super::check::{check_file, Checked, Outcome};
use super::config::AskedTargets;
use super::package;
use super::parents::ParentFiles;
use super::settings::Settings;
use super::workspace::{Discovered, Role, ScanFile};
use crate::catalog::runtime::{Features, Runtime};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::rules::transitive::graph as transitive;
use crate::semantic::struct_fields::StructFields;
use crate::semantic::FileContext;
use crate::syntax::modtree::normalize;
use crate::syntax::source::{self, SourceFile};

/// Options that apply to every file.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Report in test code whatever the configuration says (`--tests`).
    pub include_tests: bool,
    /// Check the examples whatever the configuration says (`--examples`).
    pub include_examples: bool,
    /// Check the benches whatever the configuration says (`--benches`).
    pub include_benches: bool,
    /// Overrides the runtime detected per package.
    pub runtime: Option<Runtime>,
    /// Worker threads; `None` lets rayon decide (`RAYON_NUM_THREADS`, else all cores).
    pub jobs: Option<usize>,
    /// Skip files that cannot hold executor code unparsed.
    pub prefilter: bool,
    /// Literal-range iterations from which `cpu_loop` reports a loop; overrides the
    /// configuration's.
    pub cpu_loop_threshold: Option<u128>,
    /// Where the cache of per-file results lives; `None` runs without one.
    pub cache: Option<PathBuf>,
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
    /// Findings folded into another call site's finding of the same root cause: not
    /// reported, but their fixes are applied with the reported one's.
    pub folded: Vec<Diagnostic>,
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
    /// Files parsed, beyond the checked ones, for the fields of the structs (and the
    /// returns of the fns) that the checked files use.
    pub struct_files_parsed: usize,
}

/// Syntax trees of deeply nested code recurse deeply: give the workers room.
const WORKER_STACK: usize = 256 * 1024 * 1024;

/// Checks the discovered files in parallel and returns the findings in a stable order.
pub fn scan(work: &Discovered, options: &ScanOptions) -> ScanReport {
    // For the threads made from here on (the binary sets it before any).
    super::allocator::arena_per_core();
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
pub(super) struct Shared<'s> {
    pub(super) catalog: &'static Catalog,
    pub(super) options: &'s ScanOptions,
    pub(super) settings: &'s [Settings],
    /// Per package root: the library crate names of its workspace.
    pub(super) member_crates: HashMap<PathBuf, HashSet<String>>,
    /// Per package root: its settings.
    pub(super) package_settings: HashMap<PathBuf, usize>,
    /// Per package root: the tokio features its manifest enables.
    pub(super) package_features: HashMap<PathBuf, Features>,
    pub(super) no_members: HashSet<String>,
    pub(super) cache: Option<Cache>,
    /// Per settings index: a hash of the configuration, for the cache's keys.
    settings_keys: Vec<u64>,
    /// See `ScanReport::struct_files_parsed`.
    pub(super) struct_files_parsed: std::sync::atomic::AtomicUsize,
    /// The parent files of the file modules, for `use super::*`.
    pub(super) parents: ParentFiles,
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
        member_crates: package::workspace_libraries(crates),
        package_settings: files
            .iter()
            .filter_map(|f| Some((normalize(f.package.as_ref()?), f.settings)))
            .collect(),
        package_features: (work.packages.iter())
            .map(|(root, info)| (normalize(root), info.tokio_features))
            .collect(),
        no_members: HashSet::new(),
        cache: options.cache.as_deref().map(Cache::load),
        settings_keys: settings
            .iter()
            .map(|s| hash_of(&format!("{:?}", s.config)))
            .collect(),
        struct_files_parsed: Default::default(),
        parents: ParentFiles::of_crates(crates),
    };
    let no_fields = StructFields::new();
    let selected: Vec<&ScanFile> = files
        .iter()
        .filter(|f| shared.checks(f.role, f.settings))
        .collect();
    let passes = || {
        let mut outcomes: Vec<Outcome> = selected
            .par_iter()
            .map(|file| check_file(file, &shared, &no_fields))
            .collect();
        super::allocator::trim();
        package::struct_field_pass(&selected, &mut outcomes, &shared);
        super::allocator::trim();
        let transitive = package::transitive_pass(&selected, &mut outcomes, crates, &shared);
        (outcomes, transitive)
    };
    // With the cache, the last run's whole result stands while nothing it read changed;
    // otherwise the passes run, and every file they read is noted for the next run.
    let (outcomes, transitive) = match &shared.cache {
        Some(cache) => {
            let key = run_key(work, &selected, &shared);
            match cache.run_memo(key) {
                Some(memo) => (outcomes_of_memo(memo, &selected), Default::default()),
                None => {
                    let ((outcomes, transitive), reads) = source::logging_reads(passes);
                    cache.save_run(key, reads, memo_of(&outcomes));
                    (outcomes, transitive)
                }
            }
        }
        None => passes(),
    };

    let mut report = ScanReport {
        transitive,
        struct_files_parsed: (shared.struct_files_parsed)
            .load(std::sync::atomic::Ordering::Relaxed),
        ..ScanReport::default()
    };
    // Suppressions and the configuration's levels come last: they cover every finding,
    // the crate-wide pass's included.
    let named: HashSet<PathBuf> = (selected.iter())
        .filter(|f| !f.context)
        .map(|f| normalize(&f.path))
        .collect();
    for (file, outcome) in selected.iter().zip(outcomes) {
        let settings = shared.settings_of(file.settings);
        // Context files are read for their chains; the files checked are the ones named.
        report.checked += usize::from(!file.context);
        report.parsed += usize::from(outcome.parsed && !file.context);
        report.internal_errors += usize::from(outcome.internal_error);
        if outcome.diagnostics.is_empty() && outcome.suppressions().is_none() {
            continue;
        }
        let (mut file_report, suppressions) = outcome.into_report(file);
        let require_reason = settings.config.require_reason;
        (suppressions.unwrap_or_default()).apply(
            &file_report.source,
            &mut file_report.diagnostics,
            settings.catalog(),
            require_reason,
        );
        settings.apply_levels(&mut file_report.diagnostics);
        if file.context {
            // Reported only where its chain passes through a named file.
            let diagnostics = &mut file_report.diagnostics;
            diagnostics.retain(|d| d.through.iter().any(|p| named.contains(p)));
        }
        file_report
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        if !file_report.diagnostics.is_empty() {
            report.files.push(file_report);
        }
    }
    report
        .files
        .sort_by(|a, b| a.source.display.cmp(&b.source.display));
    if let Some(cache) = shared.cache {
        cache.save();
    }
    super::root_cause::merge(&mut report.files);
    report
        .files
        .retain(|f| !f.diagnostics.is_empty() || !f.folded.is_empty());
    report
}

/// Everything besides file contents that a run's result depends on, hashed.
fn run_key(work: &Discovered, selected: &[&ScanFile], shared: &Shared<'_>) -> u64 {
    let files: Vec<String> = (selected.iter())
        .map(|f| {
            format!(
                "{:?}|{}|{:?}|{}|{}|{:?}|{:?}",
                f.path, f.display, f.role, f.context, f.settings, f.runtime, f.package
            )
        })
        .collect();
    let crates: Vec<String> = (work.crates.iter())
        .map(|c| {
            format!(
                "{}|{}|{:?}|{:?}|{:?}|{:?}",
                c.name, c.is_lib, c.root_file, c.package, c.workspace, c.runtime
            )
        })
        .collect();
    let mut features: Vec<String> = (shared.package_features.iter())
        .map(|(root, features)| format!("{root:?}{features:?}"))
        .collect();
    features.sort();
    // Chains show the files they pass through relative to the working directory.
    let cwd = std::env::current_dir().unwrap_or_default();
    let options = format!("{:?}", shared.options);
    hash_of(&(options, cwd, files, crates, features, &shared.settings_keys))
}

/// What a run stores of its result for the next: every file's flags, and the findings
/// and suppressions of the files that have any.
fn memo_of(outcomes: &[Outcome]) -> (Vec<(bool, bool)>, Vec<MemoFile>) {
    let flags = (outcomes.iter())
        .map(|o| (o.parsed, o.internal_error))
        .collect();
    let files = (outcomes.iter().enumerate())
        .filter(|(_, o)| !o.diagnostics.is_empty() || o.suppressions().is_some())
        .map(|(i, o)| {
            let suppressions = o.suppressions().cloned().unwrap_or_default();
            (i, o.diagnostics.clone(), suppressions)
        })
        .collect();
    (flags, files)
}

/// The outcomes of the last run, as the passes would give them again.
fn outcomes_of_memo(memo: super::cache::RunMemo, selected: &[&ScanFile]) -> Vec<Outcome> {
    let mut outcomes: Vec<Outcome> = (memo.flags.iter())
        .take(selected.len())
        .map(|&(parsed, internal_error)| Outcome::bare(Vec::new(), parsed, internal_error))
        .collect();
    for (index, diagnostics, suppressions) in memo.files {
        let Some(outcome) = outcomes.get_mut(index) else {
            continue;
        };
        outcome.text = source::read_text(&selected[index].path).unwrap_or_default();
        outcome.diagnostics = diagnostics;
        outcome.set_suppressions(suppressions);
    }
    outcomes
}

impl Shared<'_> {
    /// Everything besides a file's text that shapes its check, hashed: a cached result
    /// is reused only under the same.
    pub(super) fn context_key(
        &self,
        settings: usize,
        ctx: &FileContext<'_>,
        prefilter: bool,
    ) -> u64 {
        let mut members: Vec<&String> = ctx.member_crates.iter().collect();
        members.sort();
        let mut fields: Vec<String> = (ctx.crate_fields.iter())
            .map(|(name, fields)| {
                let mut fields: Vec<String> = (fields.iter().flatten())
                    .map(|(field, ty)| format!("{field}:{ty:?}"))
                    .collect();
                fields.sort();
                format!("{name}{{{}}}", fields.join(","))
            })
            .collect();
        fields.sort();
        hash_of(&(
            self.settings_keys.get(settings).copied().unwrap_or(0),
            ctx.runtime,
            ctx.features,
            ctx.include_tests,
            ctx.cpu_loop_threshold,
            members,
            fields,
            prefilter,
            ctx.parent.map(|p| p.key()),
        ))
    }

    /// `check` of `path`'s `text`, or the cached result of the same under the same
    /// settings; a result is kept unless the check itself failed.
    pub(super) fn cached(
        &self,
        path: &Path,
        text: &str,
        (settings, ctx, prefilter): (usize, &FileContext<'_>, bool),
        kind: Kind,
        check: impl FnOnce() -> Checked,
    ) -> Checked {
        let Some(cache) = &self.cache else {
            return check();
        };
        let key = Cache::key(text, self.context_key(settings, ctx, prefilter), kind);
        cache.get(path, key).unwrap_or_else(|| {
            let checked = check();
            if !checked.internal_error {
                cache.put(path, key, checked.clone());
            }
            checked
        })
    }

    pub(super) fn settings_of(&self, index: usize) -> &Settings {
        self.settings.get(index).unwrap_or(&self.settings[0])
    }

    /// Whether the files of `role` are checked (see `Config::checks`).
    pub(super) fn checks(&self, role: Role, settings: usize) -> bool {
        let asked = AskedTargets {
            tests: self.options.include_tests,
            examples: self.options.include_examples,
            benches: self.options.include_benches,
        };
        self.settings_of(settings).config.checks(role, asked)
    }

    pub(super) fn context<'c>(
        &'c self,
        package: Option<&Path>,
        runtime: Runtime,
        settings: usize,
        fields: &'c StructFields,
    ) -> FileContext<'c> {
        let package = package.map(normalize);
        let members = (package.as_ref()).and_then(|p| self.member_crates.get(p));
        let features = (package.as_ref()).and_then(|p| self.package_features.get(p));
        let config = &self.settings_of(settings).config;
        FileContext {
            catalog: self.settings_of(settings).catalog(),
            runtime: (self.options.runtime).or(config.runtime).unwrap_or(runtime),
            features: features.copied().unwrap_or(Features::UNKNOWN),
            include_tests: self.checks(Role::Test, settings),
            crate_fields: fields,
            cpu_loop_threshold: (self.options.cpu_loop_threshold)
                .or(config.cpu_loop_threshold)
                .unwrap_or(DEFAULT_CPU_LOOP_THRESHOLD),
            member_crates: members.unwrap_or(&self.no_members),
            parent: None,
        }
    }

    /// `context` for the file at `path`, whose text is `text`: with its parent's names
    /// when it imports from its parent.
    pub(super) fn file_context<'c>(
        &'c self,
        (path, text): (&Path, &str),
        package: Option<&Path>,
        runtime: Runtime,
        settings: usize,
        fields: &'c StructFields,
    ) -> FileContext<'c> {
        let mut ctx = self.context(package, runtime, settings, fields);
        ctx.parent = self.parents.names_for(self.catalog, path, text);
        ctx
    }
}
