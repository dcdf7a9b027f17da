//! Growing the call graph on demand: from what executor code calls, through the calls
//! of each fn reached, parsing the files that may define a callee the graph lacks.
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::{Graph, NodeId, Target};
use crate::rules::transitive::summary::{Callee, FileSummary};
use crate::syntax::lexer::{has_word, is_ident_continue};

impl Graph<'_> {
    /// Adds files and keeps parsing the files that may define what the code reached so
    /// far calls, until nothing new is found. Only the fns executor code reaches ask for
    /// more: the other fns of a file parsed for one of its fns are never followed.
    pub(super) fn grow(&mut self, mut batch: Vec<(PathBuf, FileSummary)>) {
        let mut requested: HashSet<PathBuf> = batch.iter().map(|(p, _)| p.clone()).collect();
        // Paths not found when last asked: once their module's file is in, the `pub use`
        // items there may point further.
        let mut pending: Vec<(usize, Vec<String>)> = Vec::new();
        let mut reached: Vec<bool> = Vec::new();
        // Every demand made so far. Each is asked again after a batch: the files just
        // added may answer it, or answer it otherwise (an inherent method found beside
        // a trait's).
        let mut asked: HashSet<(usize, Target)> = HashSet::new();
        // What was searched for, so that each costs one search: path demands;
        // `(crate, type name)` whose `impl` files were all asked for; `(crate, type
        // name, method)` whose `impl` files that declare such a fn were.
        let mut searched: HashSet<(usize, Target)> = HashSet::new();
        let mut types_searched: HashSet<(usize, String)> = HashSet::new();
        let mut methods_searched: HashSet<(usize, String, String)> = HashSet::new();
        loop {
            let added: Vec<usize> = batch
                .into_iter()
                .map(|(path, summary)| self.add_file(path, summary))
                .collect();
            reached.resize(self.nodes.len(), false);
            let mut fresh: Vec<(usize, Target)> = Vec::new();
            for file in added {
                fresh.extend(self.root_demands(file));
            }
            for (krate, path) in std::mem::take(&mut pending) {
                if self.lookup_path(krate, &path, 0, false).is_none() {
                    let through = self.reexport_targets(krate, &path);
                    fresh.extend(through.into_iter().map(|t| (krate, Target::Path(t))));
                }
            }
            let mut demands: Vec<(usize, Target)> = asked.iter().cloned().collect();
            demands.extend(fresh.into_iter().filter(|d| asked.insert(d.clone())));
            let mut wanted: Vec<(PathBuf, usize)> = Vec::new();
            let mut types: HashMap<usize, HashSet<String>> = HashMap::new();
            let mut methods: HashMap<(usize, String), Vec<String>> = HashMap::new();
            while let Some((krate, target)) = demands.pop() {
                // A call into another member's library: its module tree, once.
                if self.trees[krate].is_none() {
                    for file in self.build_trees(&[krate]) {
                        let roots = self.root_demands(file).into_iter();
                        demands.extend(roots.filter(|d| asked.insert(d.clone())));
                    }
                    reached.resize(self.nodes.len(), false);
                }
                for id in self.reach_of(krate, &target) {
                    if !std::mem::replace(&mut reached[id], true) {
                        let calls = self.call_demands(id).into_iter();
                        demands.extend(calls.filter(|d| asked.insert(d.clone())));
                    }
                }
                if let Target::Dispatch { tr, name } = &target {
                    // Every impl of the trait, and the trait itself for its default.
                    if types_searched.insert((krate, tr.clone())) {
                        types.entry(krate).or_default().insert(tr.clone());
                    }
                    if let Some(path) = self.trait_named(krate, tr) {
                        let default = (
                            krate,
                            Target::Path(path.iter().chain([name]).cloned().collect()),
                        );
                        if asked.insert(default.clone()) {
                            demands.push(default);
                        }
                    }
                    continue;
                }
                if let Some((ty, name)) = self.method_sought(krate, &target) {
                    let type_key = (krate, ty.clone());
                    if types_searched.contains(&type_key) {
                        continue;
                    }
                    let method = Target::Method {
                        ty: ty.clone(),
                        name: name.clone(),
                    };
                    if self.lookup(krate, &method).is_none() {
                        // Where the type's methods or its traits may be: every impl file.
                        types_searched.insert(type_key);
                        types.entry(krate).or_default().insert(ty.clone());
                    } else if methods_searched.insert((krate, ty.clone(), name.clone())) {
                        // Found, but another type of that name may have the method too:
                        // which one a name means must not depend on which files came
                        // first. Only files that declare a fn of that name can.
                        methods.entry(type_key).or_default().push(name.clone());
                    }
                    continue;
                }
                let Target::Path(path) = &target else {
                    continue;
                };
                if self.lookup(krate, &target).is_some()
                    || !searched.insert((krate, target.clone()))
                {
                    continue;
                }
                pending.push((krate, path.clone()));
                match self.module_file(krate, path) {
                    Some(file) if !requested.contains(&file) => {
                        requested.insert(file.clone());
                        wanted.push((file, krate));
                    }
                    _ if path.len() >= 2 => {
                        let ty = path[path.len() - 2].clone();
                        types.entry(krate).or_default().insert(ty);
                    }
                    _ => {}
                }
            }
            for (krate, names) in types {
                for file in self.files_mentioning(krate, &names, &requested) {
                    requested.insert(file.clone());
                    wanted.push((file, krate));
                }
            }
            for ((krate, ty), names) in methods {
                let files = self.files_mentioning(krate, &HashSet::from([ty]), &requested);
                for file in files.into_iter().filter(|f| declares_a_fn(f, &names)) {
                    requested.insert(file.clone());
                    wanted.push((file, krate));
                }
            }
            wanted.sort_by(|a, b| a.0.cmp(&b.0));
            wanted.dedup_by(|a, b| a.0 == b.0);
            batch = self.parse(&wanted);
            if batch.is_empty() && pending.is_empty() {
                break;
            }
        }
    }

    /// The method a demand looks for, by its type's name: a method call's own; for a
    /// chain on what a crate fn returned, the first link not found yet, or the called
    /// method of the type the chain ends in. None for a path, or a chain through a
    /// link that returns no crate type.
    fn method_sought(&self, krate: usize, target: &Target) -> Option<(String, String)> {
        match target {
            Target::Method { ty, name } => Some((ty.clone(), name.clone())),
            Target::Returned { ty, via, name } => match self.chain_end(krate, ty, via, false) {
                Ok(end) => Some((end, name.clone())),
                Err(missing) => missing,
            },
            Target::Path(_) | Target::Dispatch { .. } => None,
        }
    }

    /// The summaries of `wanted`, parsed, counted and timed for the benchmark.
    fn parse(&mut self, wanted: &[(PathBuf, usize)]) -> Vec<(PathBuf, FileSummary)> {
        let start = std::time::Instant::now();
        let batch = (self.inputs.parse)(wanted);
        self.stats.parsing += start.elapsed();
        self.stats.files_parsed += batch.len();
        batch
    }

    /// What the executor code of a file just added calls, in each crate it is part of:
    /// where the graph starts.
    fn root_demands(&self, file: usize) -> Vec<(usize, Target)> {
        let (path, summary) = &self.files[file];
        let makers = (summary.executor_calls.iter())
            .filter_map(|c| c.context.sole_if_runtime_of.clone())
            .map(Callee::Path);
        let callees = (summary.executor_calls.iter().map(|c| c.callee.clone()))
            .chain(summary.inline_closures.iter().map(|c| c.callee.clone()))
            .chain(makers);
        let memberships = self.memberships.get(path).map_or(&[][..], Vec::as_slice);
        callees
            .flat_map(|callee| {
                (memberships.iter())
                    .filter_map(move |(krate, module)| self.target(*krate, module, &callee))
            })
            .collect()
    }

    /// What the fn `id` calls, made absolute in its crate.
    fn call_demands(&self, id: NodeId) -> Vec<(usize, Target)> {
        let node = &self.nodes[id];
        let module = self.module_of(node);
        (self.summary_of(id).calls.iter())
            .filter_map(|call| self.target(node.krate, module, &call.callee))
            .collect()
    }

    /// A sync fn that names an async fn builds its future for someone else to run, so
    /// that fn is entered from elsewhere. Growing from executor code does not parse such
    /// callers. So for each async fn that `entered` found entered only from startup or
    /// main-thread code, and that has findings the answer relabels, the unparsed files
    /// of its workspace's crates whose text has its name are parsed too. Returns
    /// whether any was: `entered` must then be asked again.
    pub(super) fn add_namers(&mut self, entered: &super::entered::Entered) -> bool {
        use rayon::prelude::*;
        let mut names: HashMap<&std::path::Path, HashSet<String>> = HashMap::new();
        for (id, node) in self.nodes.iter().enumerate() {
            let f = self.summary_of(id);
            let findings = [&f.prefix_findings, &f.body_findings, &f.sole_body_findings];
            let kinds = [
                &entered.startup,
                &entered.main_thread,
                &entered.sole,
                &entered.main_until_spawn,
            ];
            let relabelled = kinds.iter().any(|kind| kind[id]);
            if relabelled && findings.iter().any(|list| !list.is_empty()) {
                if let Some(name) = f.path.segments.last() {
                    let workspace = self.inputs.crates[node.krate].workspace.as_path();
                    names.entry(workspace).or_default().insert(name.clone());
                }
            }
        }
        if names.is_empty() {
            return false;
        }
        let mut candidates: Vec<(PathBuf, usize)> = Vec::new();
        for (krate, tree) in self.trees.iter().enumerate() {
            let Some(tree) = tree else { continue };
            if !names.contains_key(self.inputs.crates[krate].workspace.as_path()) {
                continue;
            }
            // Test code is no caller: a test's future is not the program's.
            let unparsed = (tree.files.keys())
                .filter(|f| !self.file_ids.contains_key(*f) && !tree.test_files.contains(*f));
            candidates.extend(unparsed.map(|file| (file.clone(), krate)));
        }
        candidates.sort();
        candidates.dedup_by(|a, b| a.0 == b.0);
        let crates = self.inputs.crates;
        let wanted: Vec<(PathBuf, usize)> = candidates
            .into_par_iter()
            .filter(|(file, krate)| {
                let Some(names) = names.get(crates[*krate].workspace.as_path()) else {
                    return false;
                };
                let text = crate::syntax::source::read_text(file).unwrap_or_default();
                (names.iter()).any(|name| has_word(&text, name.as_bytes()))
            })
            .collect();
        if wanted.is_empty() {
            return false;
        }
        for (path, summary) in self.parse(&wanted) {
            self.add_file(path, summary);
        }
        true
    }
}

/// Whether the file's text has `fn name` for one of `names` (a fn of that name may be
/// declared there): the file is read once for all of them.
fn declares_a_fn(file: &std::path::Path, names: &[String]) -> bool {
    let Ok(text) = crate::syntax::source::read_text(file) else {
        return false;
    };
    names.iter().any(|name| declares_fn(&text, name))
}

/// Whether `text` has `fn name`.
fn declares_fn(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, name.as_bytes()).any(|at| {
        let end = at + name.len();
        if bytes.get(end).is_some_and(|&b| is_ident_continue(b)) {
            return false;
        }
        let before = text[..at].trim_end();
        before.ends_with("fn")
            && !(before.as_bytes().iter().rev().nth(2)).is_some_and(|&b| is_ident_continue(b))
            && before.len() < at
    })
}

#[cfg(test)]
mod tests {
    use super::{declares_a_fn, declares_fn};

    #[test]
    fn a_fn_of_the_name_is_found_in_the_text() {
        let has = declares_fn;
        assert!(has("impl Store {\n    pub fn flush(&self) {}\n}", "flush"));
        assert!(has("impl Store { fn\n  flush(&self) {} }", "flush"));
        assert!(!has("impl Store { fn flush_all(&self) {} }", "flush"));
        assert!(!has(
            "impl Store { fn go(&self) { self.flush() } }",
            "flush"
        ));
        assert!(!has("impl Store { fn xfn flush() {} }", "flush"));
        assert!(!has("impl Store { fnflush() {} }", "flush"));
    }

    #[test]
    fn a_file_is_read_for_any_of_the_names() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("store.rs");
        std::fs::write(&file, "impl Store { fn open() {} }").unwrap();
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(declares_a_fn(&file, &names(&["flush", "open"])));
        assert!(!declares_a_fn(&file, &names(&["flush"])));
        assert!(!declares_a_fn(
            &dir.path().join("missing.rs"),
            &names(&["open"])
        ));
    }
}
