//! `transitive_blocking`: the crate-wide pass that follows executor code into the
//! crate's own sync fns, over file summaries only.
//!
//! The call graph is grown on demand: it starts from what the executor code of the
//! files already parsed calls, and follows the calls of each fn it reaches. A callee
//! it cannot find names the files that may define it (the module's file, or for a
//! method the files that mention the type), which are then parsed for their summaries
//! alone. The other fns of those files are in the graph, but their calls are never
//! followed: what no executor code reaches cannot make a finding. One question looks
//! backwards: whether a sync fn builds an async fn's future (see `grow::add_namers`),
//! for which the files that name it are parsed too.
//!
//! "Blocks" spreads from fns with a blocking call (or declared blocking) to their
//! callers by a breadth-first search, so each caller keeps the shortest chain and
//! cycles cost nothing extra.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::runtime::Runtime;
use crate::diagnostic::Diagnostic;
use crate::rules::transitive::summary::{Callee, Declared, ExecutorCall, FileSummary};
use crate::syntax::modtree::ModuleTree;

/// One crate of a package: the lib, a bin, an example, a build script.
#[derive(Debug, Clone)]
pub struct CrateRoot {
    /// The name code uses for it (`my_lib`); for non-lib targets only a label.
    pub name: String,
    pub is_lib: bool,
    pub root_file: PathBuf,
    pub package: PathBuf,
    /// The workspace the package belongs to (its own root when it has none): calls
    /// are followed between the crates of one workspace, never further.
    pub workspace: PathBuf,
    pub runtime: Runtime,
    /// Its module tree, when discovery already built it (cargo mode); the pass builds
    /// it otherwise.
    pub modules: Option<Arc<ModuleTree>>,
}

/// What the pass needs from the scan besides the summaries.
pub struct Inputs<'a> {
    pub crates: &'a [CrateRoot],
    /// Parses files for their summaries.
    pub parse: &'a ParseFiles<'a>,
    /// How a file is named in messages.
    pub display: &'a dyn Fn(&Path) -> String,
    /// The catalogue, for the levels of the findings.
    pub catalog: &'a crate::catalog::Catalog,
    /// What the configuration declares, by full path (`my_crate::ffi::poll`).
    pub declared: &'a HashMap<String, Declared>,
}

/// Parses files (each with the index of its crate in `Inputs::crates`) and returns
/// their summaries.
pub type ParseFiles<'a> = dyn Fn(&[(PathBuf, usize)]) -> Vec<(PathBuf, FileSummary)> + 'a;

/// How far a fn that blocks is from its blocking call, and the next link there.
#[derive(Debug, Clone, Copy)]
struct Reach {
    distance: usize,
    next: Option<NodeId>,
}

/// A finding of the pass, and the file (normalised path) it belongs in.
pub struct Finding {
    pub path: PathBuf,
    pub diagnostic: Diagnostic,
    /// The call, and what its rewrite needs (rendered with the file's text).
    pub call: std::ops::Range<usize>,
    pub offload: Option<crate::rules::owned::Plan>,
    /// The callee's result cannot cross threads: no `spawn_blocking`.
    pub unsendable: bool,
}

pub type Findings = Vec<Finding>;

mod chain;
mod conditional;
mod constants;
mod dispatch;
mod entered;
mod grow;
mod inline;
mod lookup;
mod spread;

/// What the pass cost, for the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// The whole pass, the parsing it asked for included.
    pub total: std::time::Duration,
    /// Reading and parsing the files it asked for.
    pub parsing: std::time::Duration,
    pub files_parsed: usize,
    pub crates: usize,
    pub fns: usize,
}

type NodeId = usize;

struct Node {
    file: usize,
    index: usize,
    krate: usize,
    /// Which of its file's crate memberships it is (the module its path starts from).
    membership: usize,
}

/// The call graph as far as it has been grown.
struct Graph<'a> {
    inputs: &'a Inputs<'a>,
    files: Vec<(PathBuf, FileSummary)>,
    file_ids: HashMap<PathBuf, usize>,
    trees: Vec<Option<Arc<ModuleTree>>>,
    /// Per crate: the file of each module.
    module_files: Vec<HashMap<Vec<String>, PathBuf>>,
    /// Per file: the crates it is part of, with its module path in each.
    memberships: HashMap<PathBuf, Vec<(usize, Vec<String>)>>,
    nodes: Vec<Node>,
    by_path: HashMap<(usize, Vec<String>), NodeId>,
    /// `(crate, type name, method)` → methods of types of that name (a trait's name:
    /// its default methods).
    by_method: HashMap<(usize, String, String), Vec<NodeId>>,
    /// `(crate, type name)` → the paths of the crate's traits it implements;
    /// `(crate, trait path, method)` → the impls of that method (what a call through
    /// the trait may reach).
    type_traits: HashMap<(usize, String), HashSet<Vec<String>>>,
    trait_impls: HashMap<(usize, Vec<String>, String), Vec<NodeId>>,
    /// `(crate, trait path)` → the names of the types that implement it (`None`: a
    /// blanket impl), from every impl, with fns or without, each with its file.
    implementors: HashMap<(usize, Vec<String>), Vec<Implementor>>,
    /// `(crate, trait name)` of the impls whose trait a file's names did not resolve.
    unresolved_impls: HashSet<(usize, String)>,
    /// `(crate, trait name, method)` → the impl that stands for a call through the
    /// trait, once every impl it may reach is known to block (see `dispatch`).
    dispatched: std::cell::RefCell<HashMap<(usize, String, String), NodeId>>,
    /// `(crate, module)` → its `pub use` items: the name each binds (`None` for a
    /// glob) and the absolute path it names.
    reexports: HashMap<(usize, Vec<String>), Vec<ReexportEntry>>,
    /// Per crate, its files by the words on their `impl` lines (built on first use).
    impl_index: Vec<Option<HashMap<String, Vec<PathBuf>>>>,
    stats: Stats,
}

/// Runs the pass over the summaries of the files parsed so far (by normalised path)
/// and returns the findings it makes.
pub fn run(inputs: &Inputs<'_>, summaries: HashMap<PathBuf, FileSummary>) -> Outcome {
    let start = std::time::Instant::now();
    let wanted: Vec<&Path> = summaries
        .iter()
        // A call that names no fn (`Callee::AnyMethod`) finds nothing by itself: it only
        // tells where the fns that other calls reach are entered from.
        .filter(|(_, s)| {
            let names_a_fn = |c: &ExecutorCall| !matches!(c.callee, Callee::AnyMethod(_));
            s.executor_calls.iter().any(names_a_fn) || !s.inline_closures.is_empty()
        })
        .map(|(p, _)| p.as_path())
        .collect();
    if wanted.is_empty() {
        return Outcome::default();
    }
    let mut graph = Graph::new(inputs);
    // The crates of the packages where executor code calls into the crate; the other
    // members' libraries join when a call reaches them.
    let all_packages: HashSet<&Path> = (inputs.crates.iter())
        .map(|c| c.package.as_path())
        .collect();
    let packages: HashSet<&Path> = (wanted.iter())
        .flat_map(|file| file.ancestors())
        .filter(|dir| all_packages.contains(dir))
        .collect();
    let ids: Vec<usize> = (inputs.crates.iter().enumerate())
        .filter(|(_, krate)| packages.contains(krate.package.as_path()))
        .map(|(id, _)| id)
        .collect();
    let _ = graph.build_trees(&ids);
    let mut initial: Vec<(PathBuf, FileSummary)> = summaries.into_iter().collect();
    initial.sort_by(|a, b| a.0.cmp(&b.0));
    graph.grow(initial);
    let mut nodes_by_fn = graph.nodes_by_fn();
    let mut entered = graph.entered(&nodes_by_fn);
    if graph.add_namers(&entered) {
        nodes_by_fn = graph.nodes_by_fn();
        entered = graph.entered(&nodes_by_fn);
    }
    let findings = graph.findings(&entered, &nodes_by_fn);
    let mut startup_findings = graph.entered_findings(&entered.startup, |f| &f.prefix_findings);
    startup_findings.extend(graph.entered_findings(&entered.sole, |f| &f.sole_body_findings));
    let mut main_thread_findings =
        graph.entered_findings(&entered.main_thread, |f| &f.body_findings);
    main_thread_findings
        .extend(graph.entered_findings(&entered.main_until_spawn, |f| &f.sole_body_findings));
    let called_closures = graph.called_closures();
    let stats = Stats {
        total: start.elapsed(),
        crates: graph.trees.iter().filter(|t| t.is_some()).count(),
        fns: graph.nodes.len(),
        ..graph.stats
    };
    Outcome {
        findings,
        startup_findings,
        main_thread_findings,
        called_closures,
        stats,
    }
}

/// What the pass found.
#[derive(Default)]
pub struct Outcome {
    pub findings: Findings,
    /// The files' own findings that turned out to be startup code (an async fn's start
    /// or sole-task part, entered only so), by file and primary range.
    pub startup_findings: Vec<(PathBuf, std::ops::Range<usize>)>,
    /// The files' own findings that turned out to run on the main thread (in an async fn
    /// only awaited from main-thread code).
    pub main_thread_findings: Vec<(PathBuf, std::ops::Range<usize>)>,
    /// The closures handed to crate fns that call them (by file and index among its
    /// `inline_closures`; the findings of the others are dropped), each with a note.
    pub called_closures: Vec<(PathBuf, usize, String)>,
    pub stats: Stats,
}

/// A type that implements a trait, by name (`None`: a blanket impl), with the file of
/// its impl.
type Implementor = (Option<String>, usize);

/// A `pub use` of a module: the name it binds there (`None` for a glob) and the
/// absolute path it names.
type ReexportEntry = (Option<String>, Vec<String>);

/// A callee made absolute within a crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Path(Vec<String>),
    Method {
        ty: String,
        name: String,
    },
    /// The method `name` of the crate type `ty::via` returns (through each link).
    Returned {
        ty: String,
        via: String,
        name: String,
    },
    /// The method `name` of the crate's trait `tr`, called through the trait.
    Dispatch {
        tr: String,
        name: String,
    },
}

impl<'a> Graph<'a> {
    fn new(inputs: &'a Inputs<'a>) -> Self {
        Graph {
            inputs,
            files: Vec::new(),
            file_ids: HashMap::new(),
            trees: inputs.crates.iter().map(|_| None).collect(),
            module_files: inputs.crates.iter().map(|_| HashMap::new()).collect(),
            memberships: HashMap::new(),
            nodes: Vec::new(),
            by_path: HashMap::new(),
            by_method: HashMap::new(),
            type_traits: HashMap::new(),
            trait_impls: HashMap::new(),
            implementors: HashMap::new(),
            unresolved_impls: HashSet::new(),
            dispatched: Default::default(),
            reexports: HashMap::new(),
            impl_index: inputs.crates.iter().map(|_| None).collect(),
            stats: Stats::default(),
        }
    }

    /// The module trees of `crates` not built yet, lexed in parallel. A file already in
    /// the graph (a scanned file of a member library that no executor code had called
    /// into yet) joins the crate too: those files are returned.
    fn build_trees(&mut self, crates: &[usize]) -> Vec<usize> {
        use rayon::prelude::*;
        let mut seen = HashSet::new();
        let missing: Vec<usize> = (crates.iter().copied())
            .filter(|&k| self.trees[k].is_none() && seen.insert(k))
            .collect();
        let roots = &self.inputs.crates;
        let built: Vec<(usize, Arc<ModuleTree>)> = missing
            .par_iter()
            .map(|&k| {
                let tree = (roots[k].modules.clone())
                    .unwrap_or_else(|| Arc::new(ModuleTree::of_crate(&roots[k].root_file)));
                (k, tree)
            })
            .collect();
        let mut joined = Vec::new();
        for (krate, tree) in built {
            for (file, module) in &tree.files {
                let entry = self.memberships.entry(file.clone()).or_default();
                entry.push((krate, module.clone()));
                let membership = entry.len() - 1;
                self.module_files[krate].insert(module.clone(), file.clone());
                if let Some(&id) = self.file_ids.get(file) {
                    self.add_membership(id, membership);
                    joined.push(id);
                }
            }
            self.trees[krate] = Some(tree);
        }
        joined
    }

    fn add_file(&mut self, path: PathBuf, summary: FileSummary) -> usize {
        let file = self.files.len();
        self.file_ids.insert(path.clone(), file);
        self.files.push((path, summary));
        let memberships = self
            .memberships
            .get(&self.files[file].0)
            .map_or(0, Vec::len);
        for membership in 0..memberships {
            self.add_membership(file, membership);
        }
        file
    }

    /// The nodes and `pub use` items of a file in the graph as part of one of its
    /// crates (its `membership`-th).
    fn add_membership(&mut self, file: usize, membership: usize) {
        let (path, summary) = &self.files[file];
        let Some((krate, module)) = (self.memberships.get(path)).and_then(|m| m.get(membership))
        else {
            return;
        };
        let krate = *krate;
        for (index, f) in summary.fns.iter().enumerate() {
            let Some(absolute) = f.path.absolute(module) else {
                continue;
            };
            let id = self.nodes.len();
            self.nodes.push(Node {
                file,
                index,
                krate,
                membership,
            });
            // A trait's default method is found by its path, never as a type's own.
            let own_method = (f.self_type.as_ref()).filter(|_| !f.trait_default);
            if let (Some(ty), Some(name)) = (own_method, absolute.last()) {
                let key = (krate, ty.clone(), name.clone());
                self.by_method.entry(key).or_default().push(id);
                if let Some(tr) = f.impl_of.as_ref().and_then(|t| t.absolute(module)) {
                    let traits = self.type_traits.entry((krate, ty.clone()));
                    traits.or_default().insert(tr.clone());
                    let key = (krate, tr, name.clone());
                    self.trait_impls.entry(key).or_default().push(id);
                }
            }
            // Two fns at one path are cfg'd alternatives: the first stands for both.
            self.by_path.entry((krate, absolute)).or_insert(id);
        }
        for (ty, tr) in &summary.trait_impls {
            if let Some(tr) = tr.absolute(module) {
                self.implementors
                    .entry((krate, tr))
                    .or_default()
                    .push((ty.clone(), file));
            }
        }
        for name in &summary.unresolved_trait_impls {
            self.unresolved_impls.insert((krate, name.clone()));
        }
        for reexport in &summary.reexports {
            let (Some(at), Some(target)) = (
                reexport.module.absolute(module),
                reexport.target.absolute(module),
            ) else {
                continue;
            };
            let entry = (reexport.name.clone(), target);
            self.reexports.entry((krate, at)).or_default().push(entry);
        }
    }

    /// The node a callee written in `module` of `krate` names, when the graph has it;
    /// with `defaults`, through trait default methods (see `lookup_in`).
    fn resolve_in(
        &self,
        krate: usize,
        module: &[String],
        callee: &Callee,
        defaults: bool,
    ) -> Option<NodeId> {
        let (krate, target) = self.target(krate, module, callee)?;
        self.lookup_in(krate, &target, defaults)
    }

    /// The nodes the sync fn `id` calls, each with whether the call is made on the way
    /// out of the process.
    fn callee_edges(&self, id: NodeId) -> impl Iterator<Item = (NodeId, bool)> + '_ {
        self.callee_edges_in(id, false)
    }

    /// As `callee_edges`; with `defaults`, through trait default methods too (for where
    /// code runs, not whether it blocks: see `lookup_in`).
    fn callee_edges_in(
        &self,
        id: NodeId,
        defaults: bool,
    ) -> impl Iterator<Item = (NodeId, bool)> + '_ {
        let node = &self.nodes[id];
        let module = self.module_of(node);
        let calls = self.summary_of(id).calls.iter();
        calls.filter_map(move |call| {
            let callee = self.resolve_in(node.krate, module, &call.callee, defaults)?;
            Some((callee, call.exit_tail))
        })
    }

    /// The nodes an executor call site in the file at `path` reaches, with the crate it
    /// is written in (a file may belong to several).
    fn call_site_targets<'s>(
        &'s self,
        path: &Path,
        callee: &'s Callee,
    ) -> impl Iterator<Item = (NodeId, usize)> + 's {
        self.call_site_targets_in(path, callee, false)
    }

    /// As `call_site_targets`; with `defaults`, through trait default methods too.
    fn call_site_targets_in<'s>(
        &'s self,
        path: &Path,
        callee: &'s Callee,
        defaults: bool,
    ) -> impl Iterator<Item = (NodeId, usize)> + 's {
        let memberships = self.memberships.get(path).into_iter().flatten();
        memberships.filter_map(move |(from, module)| {
            Some((self.resolve_in(*from, module, callee, defaults)?, *from))
        })
    }

    /// A node's path from its crate's root (worked out again: nodes do not keep it).
    fn node_path(&self, id: NodeId) -> Vec<String> {
        let node = &self.nodes[id];
        let (path, summary) = &self.files[node.file];
        let memberships = self.memberships.get(path).into_iter().flatten();
        let module = memberships.map(|(_, module)| module).nth(node.membership);
        let absolute = module.and_then(|m| summary.fns[node.index].path.absolute(m));
        absolute.unwrap_or_default()
    }

    fn summary_of(&self, id: NodeId) -> &crate::rules::transitive::summary::FnSummary {
        let node = &self.nodes[id];
        &self.files[node.file].1.fns[node.index]
    }

    /// The file of the deepest module on `path` (a fn's module, or the module of the
    /// type whose method it is).
    fn module_file(&self, krate: usize, path: &[String]) -> Option<PathBuf> {
        let files = &self.module_files[krate];
        (0..path.len())
            .rev()
            .find_map(|len| files.get(&path[..len]).cloned())
    }

    /// The crate's files not parsed yet with an `impl` line that names one of `types`
    /// (where a method of the type may be).
    fn files_mentioning(
        &mut self,
        krate: usize,
        types: &HashSet<String>,
        requested: &HashSet<PathBuf>,
    ) -> Vec<PathBuf> {
        let Some(tree) = &self.trees[krate] else {
            return Vec::new();
        };
        let index = self.impl_index[krate].get_or_insert_with(|| {
            let files: Vec<&PathBuf> = tree.files.keys().collect();
            lookup::impl_index(&files)
        });
        let mut files: Vec<PathBuf> = (types.iter())
            .filter_map(|ty| index.get(ty))
            .flatten()
            .filter(|file| !requested.contains(*file))
            .cloned()
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// What the source or the configuration declares a fn to be.
    fn declared(&self, id: NodeId) -> Option<Declared> {
        let node = &self.nodes[id];
        self.summary_of(id).declared.or_else(|| {
            if self.inputs.declared.is_empty() {
                return None;
            }
            let krate = &self.inputs.crates[node.krate].name;
            let full = format!("{krate}::{}", self.node_path(id).join("::"));
            self.inputs.declared.get(&full).copied()
        })
    }

    fn module_of(&self, node: &Node) -> &[String] {
        let path = &self.files[node.file].0;
        self.memberships
            .get(path)
            .and_then(|m| m.iter().find(|(k, _)| *k == node.krate))
            .map_or(&[], |(_, module)| module.as_slice())
    }

    /// The findings at executor call sites whose callee blocks.
    fn findings(
        &self,
        entered: &entered::Entered,
        nodes_by_fn: &HashMap<(usize, usize), NodeId>,
    ) -> Findings {
        let (state, beyond_fs) = self.spread_through_traits();
        let mut routes = constants::Routes::default();
        let mut findings = Vec::new();
        for (file, (path, summary)) in self.files.iter().enumerate() {
            for call in &summary.executor_calls {
                let constants = call.constants.as_deref();
                let reached = (self.call_site_targets(path, &call.callee))
                    .filter(|&(id, _)| !call.exit_tail || beyond_fs[id])
                    .filter_map(|(id, from)| {
                        let graph = (&state[..], &beyond_fs[..]);
                        let route = self.route(graph, &mut routes, id, constants)?;
                        Some((id, from, route))
                    });
                if let Some((id, from, route)) = reached.min_by_key(|&(id, from, _)| (id, from)) {
                    let sole_runtime = (call.context.sole_if_runtime_of.as_ref())
                        .is_some_and(|maker| self.makes_sole_runtime(file, maker));
                    let mut kinds = entered.kinds(nodes_by_fn, file, &call.context, sole_runtime);
                    let mut moved = None;
                    if kinds == (false, false) {
                        let graph = (&state[..], &beyond_fs[..]);
                        let site = (file, call);
                        kinds = self.kinds_where_blocking(
                            graph,
                            &mut routes,
                            entered,
                            nodes_by_fn,
                            site,
                        );
                        moved = (kinds != (false, false))
                            .then(|| conditional::note(&call.caller, kinds));
                    }
                    let mut diagnostic = self.finding(&route, from, call, kinds);
                    diagnostic.notes.extend(moved);
                    if let Callee::Dispatch { tr, name } = &call.callee {
                        let impls = self.dispatch_members(from, tr, name).map_or(0, |m| m.len());
                        diagnostic.notes.insert(
                            0,
                            format!(
                                "`{name}` is called through the trait `{tr}`: every impl of it in \
                             the crate blocks ({impls}), the chain shows one"
                            ),
                        );
                    }
                    let unsendable = self.summary_of(id).returns_unsendable;
                    if unsendable && call.offload.is_some() {
                        // The result would have to cross threads, and cannot.
                        diagnostic.helps.push(format!(
                            "to run it on the blocking thread pool, make `{}` return a \
                             `Send + 'static` value (a `Box<dyn Error + Send + Sync>`, an \
                             owned value): `spawn_blocking` hands the result back across threads",
                            self.summary_of(id).display
                        ));
                    }
                    findings.push(Finding {
                        path: path.clone(),
                        diagnostic,
                        call: call.call.clone(),
                        offload: call.offload.clone(),
                        unsendable,
                    });
                }
            }
        }
        findings
    }
}
