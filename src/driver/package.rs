//! The package-wide passes, after every file's own check: struct fields declared in
//! another file of the package (files that needed them are checked again), and the
//! crate's call graph for `transitive_blocking`.
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cache::Kind;
use super::check::{check_file, check_text, Checked, Outcome};
use super::declarers::{
    returns_from, struct_declarers, ALIAS_KEY, FN_KNOWN_KEY, MAX_ALIAS_DECLARERS,
};
use super::scan::Shared;
use super::workspace::ScanFile;
use crate::catalog::ty::{Ty, LOCAL_TYPE_PREFIX};
use crate::rules::suggest;
use crate::rules::transitive::graph::{self as transitive, CrateRoot};
use crate::rules::transitive::summary::FileSummary;
use crate::semantic::struct_fields::{StructFields, FN_SUFFIX};
use crate::syntax::modtree::normalize;
use crate::syntax::source;

/// Files that met a struct declared in another file of their package are checked
/// again, once that package's files have told what the struct's fields are, and only
/// when a field can matter (its type is one the catalogue knows).
pub(super) fn struct_field_pass(
    selected: &[&ScanFile],
    outcomes: &mut [Outcome],
    shared: &Shared<'_>,
) {
    let mut wanted: HashMap<Option<&Path>, HashSet<String>> = HashMap::new();
    for (file, outcome) in selected.iter().zip(outcomes.iter()) {
        if let Some(facts) = outcome.facts().filter(|f| !f.wanted_structs.is_empty()) {
            let names = wanted.entry(file.package.as_deref()).or_default();
            names.extend(facts.wanted_structs.iter().cloned());
        }
    }
    // The files of each package, once (a scan may hold hundreds of packages).
    let mut files_of: HashMap<Option<&Path>, Vec<usize>> = HashMap::new();
    for (i, file) in selected.iter().enumerate() {
        if wanted.contains_key(&file.package.as_deref()) {
            files_of.entry(file.package.as_deref()).or_default().push(i);
        }
    }
    for (package, names) in &wanted {
        let members = files_of.get(package).map_or(&[][..], Vec::as_slice);
        let declarers = struct_declarers(members, selected, outcomes, shared.catalog);
        let known = (selected, &*outcomes, &declarers, None);
        let fields = known_fields(members, known, names, STRUCT_DEPTH, shared);
        let redo: Vec<usize> = (members.iter().copied())
            .filter(|&i| {
                let wanted = outcomes[i].facts().map(|f| &f.wanted_structs);
                wanted.is_some_and(|w| w.iter().any(|n| has_fields(&fields, n)))
            })
            .collect();
        let again: Vec<Outcome> = redo
            .par_iter()
            .map(|&i| check_file(selected[i], shared, &fields))
            .collect();
        for (i, outcome) in redo.into_iter().zip(again) {
            outcomes[i] = outcome;
        }
    }
}

/// `transitive_blocking`: hands the files' summaries to the crate-wide pass (which
/// parses more files for theirs as it needs) and files its findings.
pub(super) fn transitive_pass(
    selected: &[&ScanFile],
    outcomes: &mut [Outcome],
    crates: &[CrateRoot],
    shared: &Shared<'_>,
) -> transitive::Stats {
    let mut summaries = HashMap::new();
    // The findings in closures handed to crate fns, each with the closures it is in
    // (a closure nested in another is in both).
    let mut in_closures: HashMap<(usize, Range<usize>), Vec<usize>> = HashMap::new();
    let mut index_of = HashMap::new();
    for (i, (file, outcome)) in selected.iter().zip(outcomes.iter_mut()).enumerate() {
        let path = normalize(&file.path);
        // A file the prefilter skipped has not told its fns yet: the pass may ask.
        if outcome.parsed {
            let summary = outcome.take_summary();
            for (index, closure) in summary.inline_closures.iter().enumerate() {
                for range in &closure.findings {
                    in_closures
                        .entry((i, range.clone()))
                        .or_default()
                        .push(index);
                }
            }
            summaries.insert(path.clone(), summary);
        }
        index_of.insert(path, i);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let display = |path: &Path| {
        (index_of.get(path))
            .map(|&i| selected[i].display.clone())
            .unwrap_or_else(|| crate::driver::workspace::display_path(path, &cwd))
    };
    let outcomes_so_far: &[Outcome] = outcomes;
    let mut files_of: HashMap<&Path, Vec<usize>> = HashMap::new();
    for (i, file) in selected.iter().enumerate() {
        if let Some(package) = file.package.as_deref() {
            files_of.entry(package).or_default().push(i);
        }
    }
    let package = Package {
        selected,
        outcomes: outcomes_so_far,
        files_of: &files_of,
        late: Default::default(),
    };
    let parse = |files: &[(PathBuf, usize)]| -> Vec<(PathBuf, FileSummary)> {
        let summaries = summarize_files(files, &package, crates, shared);
        if !files.is_empty() {
            super::allocator::trim();
        }
        summaries
    };
    let mut declared = HashMap::new();
    for settings in shared.settings {
        for entry in &settings.config.blocking {
            declared.insert(
                entry.path.clone(),
                crate::rules::transitive::summary::Declared::Blocking,
            );
        }
        for path in &settings.config.offload {
            declared.insert(
                path.clone(),
                crate::rules::transitive::summary::Declared::Nonblocking,
            );
        }
    }
    let inputs = transitive::Inputs {
        crates,
        parse: &parse,
        display: &display,
        catalog: shared.catalog,
        declared: &declared,
    };
    let outcome = transitive::run(&inputs, summaries);
    // A closure's findings stand only where every fn it was handed to (through each
    // closure it is nested in) calls it.
    let confirmed: HashMap<(usize, usize), &String> = (outcome.called_closures)
        .iter()
        .filter_map(|(path, index, note)| Some(((*index_of.get(path)?, *index), note)))
        .collect();
    for ((i, range), closures) in in_closures {
        let notes: Option<Vec<&String>> = (closures.iter())
            .map(|&c| confirmed.get(&(i, c)).copied())
            .collect();
        let diagnostics = &mut outcomes[i].diagnostics;
        diagnostics.retain_mut(|d| match (d.primary.as_ref() == Some(&range), &notes) {
            (false, _) => true,
            (true, None) => false,
            (true, Some(notes)) => {
                for note in notes {
                    if !d.notes.contains(note) {
                        d.notes.push(note.to_string());
                    }
                }
                true
            }
        });
    }
    let relabels = [
        (outcome.startup_findings, crate::rules::startup::LINT),
        (
            outcome.main_thread_findings,
            crate::rules::startup::MAIN_LINT,
        ),
    ];
    for (found, lint) in relabels {
        for (path, range) in found {
            let Some(&i) = index_of.get(&path) else {
                continue;
            };
            let diagnostics = &mut outcomes[i].diagnostics;
            let found = diagnostics
                .iter_mut()
                .filter(|d| d.primary.as_ref() == Some(&range));
            for diagnostic in found {
                crate::rules::startup::relabel(diagnostic, shared.catalog, lint);
            }
        }
    }
    let stats = outcome.stats;
    for finding in outcome.findings {
        let Some(&i) = index_of.get(&finding.path) else {
            continue;
        };
        let mut diagnostic = finding.diagnostic;
        let outcome = &mut outcomes[i];
        if outcome.text.is_empty() {
            // The text was dropped when the file had no findings of its own.
            if let Ok(text) = source::read_text(&selected[i].path) {
                outcome.text = text;
            }
        }
        let text = &outcome.text;
        if let Some(plan) = finding
            .offload
            .filter(|_| text.get(finding.call.clone()).is_some())
        {
            let file = selected[i];
            let no_fields = StructFields::new();
            let ctx = shared.context(
                file.package.as_deref(),
                file.runtime,
                file.settings,
                &no_fields,
            );
            let target = suggest::Target {
                text,
                range: finding.call.clone(),
                runtime: ctx.runtime,
                features: ctx.features,
            };
            let (rewrite, in_place, advice) = suggest::call_rewrite(&plan, &target);
            if finding.unsendable {
                diagnostic.suggestion = in_place;
            } else {
                diagnostic.suggestion = rewrite.or(in_place);
                diagnostic.helps.extend(advice);
            }
        }
        outcome.diagnostics.push(diagnostic);
    }
    stats
}

/// The checked files, their outcomes, and each package's files among them.
struct Package<'a> {
    selected: &'a [&'a ScanFile],
    outcomes: &'a [Outcome],
    files_of: &'a HashMap<&'a Path, Vec<usize>>,
    /// Per package, what the files summarized by this pass so far told of their
    /// structs (each file once), so that later rounds need not parse them again.
    late: std::cell::RefCell<HashMap<PathBuf, LateFields>>,
}

/// The struct fields of the files a package's late summaries came from.
#[derive(Default)]
struct LateFields {
    fields: StructFields,
    files: HashSet<PathBuf>,
    /// The package's unchecked files by the structs they declare (read once).
    declarers: Option<HashMap<String, Vec<usize>>>,
}

/// The summaries of files the scan did not parse (they hold no async code), for the
/// call graph. A file that met a struct declared in another file of its package is
/// summarized again once the package's files have told the struct's fields, as the
/// struct-field pass does for the checked files.
fn summarize_files(
    files: &[(PathBuf, usize)],
    package: &Package<'_>,
    crates: &[CrateRoot],
    shared: &Shared<'_>,
) -> Vec<(PathBuf, FileSummary)> {
    let Package {
        selected,
        outcomes,
        files_of,
        late,
    } = package;
    let no_fields = StructFields::new();
    let mut first: Vec<Option<Checked>> = files
        .par_iter()
        .map(|(path, krate)| summarize_file(path, &crates[*krate], shared, &no_fields))
        .collect();
    let mut late = late.borrow_mut();
    for ((path, krate), checked) in files.iter().zip(&mut first) {
        let Some(checked) = checked else { continue };
        let seen = late.entry(crates[*krate].package.clone()).or_default();
        if seen.files.insert(path.clone()) {
            merge_all(&mut seen.fields, std::mem::take(&mut checked.struct_fields));
        }
    }
    let mut wanted: HashMap<&Path, HashSet<String>> = HashMap::new();
    for ((_, krate), checked) in files.iter().zip(&first) {
        if let Some(checked) = checked.as_ref().filter(|c| !c.wanted_structs.is_empty()) {
            let names = wanted.entry(crates[*krate].package.as_path()).or_default();
            names.extend(checked.wanted_structs.iter().cloned());
        }
    }
    for (package, names) in &wanted {
        let members = files_of.get(package).map_or(&[][..], Vec::as_slice);
        let seen = late.entry(package.to_path_buf()).or_default();
        if seen.declarers.is_none() {
            seen.declarers = Some(struct_declarers(
                members,
                selected,
                outcomes,
                shared.catalog,
            ));
        }
        let seen = &*seen;
        let declarers = seen.declarers.as_ref().expect("just built");
        // One level only here: these files hold no async code, and each level costs
        // parses of the files that declare the structs.
        let known = (*selected, *outcomes, declarers, Some(seen));
        let fields = known_fields(members, known, names, 1, shared);
        let redo: Vec<usize> = (0..files.len())
            .filter(|&i| crates[files[i].1].package == *package)
            .filter(|&i| {
                (first[i].as_ref())
                    .is_some_and(|c| c.wanted_structs.iter().any(|n| has_fields(&fields, n)))
            })
            .collect();
        let again: Vec<Option<Checked>> = redo
            .par_iter()
            .map(|&i| summarize_file(&files[i].0, &crates[files[i].1], shared, &fields))
            .collect();
        for (i, checked) in redo.into_iter().zip(again) {
            first[i] = checked;
        }
    }
    (files.iter().zip(first))
        .filter_map(|((path, _), checked)| Some((path.clone(), checked?.summary)))
        .collect()
}

/// What `known_fields` draws on: the checked files and their outcomes, the unchecked
/// files by the structs they declare, and what the late summaries told.
type Known<'a> = (
    &'a [&'a ScanFile],
    &'a [Outcome],
    &'a HashMap<String, Vec<usize>>,
    Option<&'a LateFields>,
);

/// The fields of the structs `names` among the package's files `members` (indices
/// into `selected`): the checked files have told theirs, the others are searched.
fn known_fields(
    members: &[usize],
    known: Known<'_>,
    names: &HashSet<String>,
    depth: usize,
    shared: &Shared<'_>,
) -> StructFields {
    let (selected, outcomes, declarers, late) = known;
    let unseen = |i: &usize| late.is_none_or(|l| !l.files.contains(&normalize(&selected[*i].path)));
    let mut fields = StructFields::new();
    let mut names = names.clone();
    let mut asked = HashSet::new();
    // The structs the wanted ones hold are wanted too (`conf.storage_opts.storage`),
    // a few levels down, so that one more check of a file follows the whole path.
    for _ in 0..depth {
        let new: HashSet<String> = names.difference(&asked).cloned().collect();
        if new.is_empty() {
            break;
        }
        for name in &new {
            if !sole_declarer_of_owner(name, members, outcomes, declarers) {
                fields.insert(format!("{LOCAL_TYPE_PREFIX}{name}"), None);
            }
        }
        for facts in members.iter().filter_map(|&i| outcomes[i].facts()) {
            merge_fields(&mut fields, &facts.struct_fields, &new);
        }
        if let Some(late) = late {
            merge_fields(&mut fields, &late.fields, &new);
        }
        let found = package_struct_fields((selected, declarers), &new, unseen, shared);
        merge_fields(&mut fields, &found, &new);
        asked.extend(new);
        let held = (fields.values().flatten().flat_map(|f| f.values()))
            // What a lock field holds is reached through its guard (`state.lock()?.db`).
            .flat_map(|ty| std::iter::once(ty).chain(ty.inner.as_deref()))
            .filter_map(|ty| {
                let ty = ty.items().unwrap_or_else(|| ty.clone());
                let local = ty
                    .plain()?
                    .strip_prefix(crate::catalog::ty::LOCAL_TYPE_PREFIX)?;
                Some(local.to_string())
            })
            .collect::<Vec<_>>();
        names.extend(held);
    }
    fields
}

/// For an associated fn (`Outgoing::new()`), whether one file of the package alone
/// declares its type: with two types of the name, which one a call names is not known
/// (unit structs alike look like one declared twice); other names pass.
fn sole_declarer_of_owner(
    name: &str,
    members: &[usize],
    outcomes: &[Outcome],
    declarers: &HashMap<String, Vec<usize>>,
) -> bool {
    let Some((owner, _)) = associated_fn(name) else {
        return true;
    };
    let key = format!("{LOCAL_TYPE_PREFIX}{owner}");
    let unchecked = declarers.get(owner).map_or(&[][..], Vec::as_slice);
    let declaring = (members.iter())
        .filter(|&&i| {
            let fields = outcomes[i].facts().map(|f| &f.struct_fields);
            let checked = outcomes[i].parsed && fields.is_some_and(|f| f.contains_key(&key));
            checked || unchecked.contains(&i)
        })
        .count();
    declaring == 1
}

/// `Outgoing::new()`: the type's name and the fn's (`new()`), as the struct-field pass
/// keeps an associated fn's return.
fn associated_fn(name: &str) -> Option<(&str, &str)> {
    name.strip_suffix(FN_SUFFIX)?;
    name.rsplit_once("::")
}

/// How many struct levels down the fields of a wanted struct are looked up for the
/// files with async code.
const STRUCT_DEPTH: usize = 2;

/// One file's summary (with the structs it met but did not know), under `fields`.
fn summarize_file(
    path: &Path,
    krate: &CrateRoot,
    shared: &Shared<'_>,
    fields: &StructFields,
) -> Option<Checked> {
    let text = source::read_text(path).ok()?;
    let settings = *shared.package_settings.get(&krate.package).unwrap_or(&0);
    let how = (path, text.as_str());
    let ctx = shared.file_context(how, Some(&krate.package), krate.runtime, settings, fields);
    // The same guards and parse as any file; a file that fails them has no summary.
    let checked = shared.cached(path, &text, (settings, &ctx, false), Kind::Summary, || {
        let mut checked = check_text(&text, &ctx, false);
        // Only the summary and the struct fields are wanted of this file.
        checked.diagnostics.clear();
        checked.suppressions = Default::default();
        checked
    });
    checked.parsed.then_some(checked)
}

/// For each package, the library crates of its workspace (its own included).
pub(super) fn workspace_libraries(crates: &[CrateRoot]) -> HashMap<PathBuf, HashSet<String>> {
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

/// The fields of the structs `names` that the unchecked files declare (`declarers`,
/// indices into `selected`; `unseen` tells the ones whose fields are not known yet). A
/// name two files declare is ambiguous without parsing either; only a file that alone
/// declares a wanted name is parsed.
fn package_struct_fields(
    (selected, declarers): (&[&ScanFile], &HashMap<String, Vec<usize>>),
    names: &HashSet<String>,
    unseen: impl Fn(&usize) -> bool,
    shared: &Shared<'_>,
) -> StructFields {
    let mut merged = StructFields::new();
    let mut single = HashSet::new();
    let mut to_parse = Vec::new();
    for name in names {
        let files = |key: &str| declarers.get(key).map_or(&[][..], Vec::as_slice);
        let aliases = files(&format!("{ALIAS_KEY}{name}"));
        // A name one file declares as a struct, with the few files that mention `type`
        // of it (a type alias, or only an associated type or prose): all are parsed, and
        // the merge tells whether they agree.
        let structs = files(name);
        // A fn: every `fn name(..) -> ..` counts (a method too), but only one whose
        // return names a known type is worth its parse; any other makes it untrusted.
        let fn_returns_known = |file: &usize| returns_from(name, files).contains(file);
        let untrusted_fn = name.ends_with(FN_SUFFIX)
            && (structs.len() > 1 || structs.first().is_some_and(|f| !fn_returns_known(f)));
        // An associated fn (`Outgoing::new()`): the files with a `fn new` that returns a
        // known type; which impl each is in only their parse tells.
        let associated = associated_fn(name).map(|(_, f)| files(&format!("{f}{FN_KNOWN_KEY}")));
        let declaring: Vec<usize> = match structs.len() {
            _ if let Some(files) = associated => files.to_vec(),
            _ if untrusted_fn => {
                let key = format!("{}{name}", crate::catalog::ty::LOCAL_TYPE_PREFIX);
                merged.insert(key, None);
                continue;
            }
            0 | 1 if aliases.len() <= MAX_ALIAS_DECLARERS => {
                structs.iter().chain(aliases).copied().collect()
            }
            _ => {
                let key = format!("{}{name}", crate::catalog::ty::LOCAL_TYPE_PREFIX);
                merged.insert(key, None);
                continue;
            }
        };
        if !declaring.is_empty() {
            single.insert(name.clone());
        }
        to_parse.extend(declaring.into_iter().filter(|i| unseen(i)));
    }
    to_parse.sort_unstable();
    to_parse.dedup();
    let found: Vec<StructFields> = to_parse
        .par_iter()
        .filter_map(|&i| {
            let text = source::read_text(&selected[i].path).ok()?;
            Some(super::struct_files::file_struct_fields(
                selected[i],
                &text,
                shared,
            ))
        })
        .collect();
    for fields in found {
        merge_fields(&mut merged, &fields, &single);
    }
    merged
}

/// Whether the local struct `name` is known, unambiguously, with a field that matters:
/// a file that wanted it is worth checking again.
fn has_fields(fields: &StructFields, name: &str) -> bool {
    let key = format!("{}{name}", crate::catalog::ty::LOCAL_TYPE_PREFIX);
    (fields.get(&key)).is_some_and(|f| f.as_ref().is_some_and(|f| !f.is_empty()))
}

/// Adds every struct of `from` to `into`; a name met twice becomes ambiguous.
fn merge_all(into: &mut StructFields, from: StructFields) {
    for (key, value) in from {
        merge_one(into, key, value);
    }
}

/// A name met twice becomes ambiguous, unless it has the same fields both times (a type
/// alias declared alike in two modules).
fn merge_one(into: &mut StructFields, key: String, value: Option<HashMap<String, Ty>>) {
    match into.entry(key) {
        Entry::Vacant(slot) => {
            slot.insert(value);
        }
        Entry::Occupied(mut slot) if *slot.get() != value => {
            slot.insert(None);
        }
        Entry::Occupied(_) => {}
    }
}

/// Adds the wanted structs of `from` to `into`; a name met twice becomes ambiguous.
fn merge_fields(into: &mut StructFields, from: &StructFields, names: &HashSet<String>) {
    for (key, value) in from {
        let local = key
            .strip_prefix(crate::catalog::ty::LOCAL_TYPE_PREFIX)
            .unwrap_or(key);
        if names.contains(local) {
            merge_one(into, key.clone(), value.clone());
        }
    }
}
