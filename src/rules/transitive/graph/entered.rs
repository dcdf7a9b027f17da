//! Where async fns are entered from: an async fn that is only ever awaited from startup
//! code (the runtime's entry fn before its first `.await` or spawn, or such a fn's own
//! prefix) runs its own prefix before anything else runs, too; one only ever awaited
//! from main-thread code (the body of a multi-thread `#[tokio::main]`, a future a
//! standalone `block_on` runs, or such a fn's own body) runs on that thread too.
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{Graph, NodeId};
use crate::rules::transitive::summary::{Callee, ExecutorCall, FnSummary};
use crate::semantic::local_path::LocalPath;
use crate::semantic::model::Executor;

/// How a caller enters a fn: from the kind of code asked about, from part of another
/// fn (which counts if that fn is entered so), or from anywhere else.
pub(super) enum Entry {
    Root,
    Via(NodeId),
    Elsewhere,
}

/// Per node: the executor calls that reach it (with their files), and whether a sync
/// fn names it.
type Entrances<'s, 'c> = (&'s [Vec<(usize, &'c ExecutorCall)>], &'s [bool]);

/// Per node, whether it is entered only from startup code, and only from main-thread code.
pub(super) struct Entered {
    pub startup: Vec<bool>,
    pub main_thread: Vec<bool>,
    /// Only ever awaited from a current-thread runtime's sole task (before any spawn).
    pub sole: Vec<bool>,
    /// Only ever awaited from main-thread code, or run by a `LocalSet` there, or from
    /// such a fn before its first spawn: its own body up to its first spawn runs on the
    /// main thread with nothing beside it.
    pub main_until_spawn: Vec<bool>,
    /// Per node, the executor calls that may enter it, by file and index among the
    /// file's executor calls.
    pub callers: Vec<Vec<(usize, usize)>>,
    /// Per node, whether a sync fn names it (it is entered elsewhere).
    pub named_by_sync_fn: Vec<bool>,
    /// The awaited executor calls of a method on a receiver of unknown type, by the
    /// method's name: each may enter any method of the name.
    pub unknown_receiver: HashMap<String, Vec<(usize, usize)>>,
    /// The names of methods called elsewhere than awaited in executor code on a
    /// receiver of unknown type.
    pub unseen_names: HashSet<String>,
}

impl Entered {
    /// Whether an executor call made in `file` runs as startup code, and as main-thread
    /// code, by its own context and the fn whose part it is made in.
    pub(super) fn kinds(
        &self,
        nodes_by_fn: &HashMap<(usize, usize), NodeId>,
        file: usize,
        context: &Executor,
        sole_runtime: bool,
    ) -> (bool, bool) {
        let in_entered = |index, entered: &[bool]| {
            caller_node(nodes_by_fn, file, index).is_some_and(|c| entered[c])
        };
        let startup = context.startup
            || context.sole_task
            || sole_runtime
            || in_entered(context.prefix_of, &self.startup)
            || in_entered(context.sole_body_of, &self.sole);
        let main_thread = context.main_thread
            || in_entered(context.body_of, &self.main_thread)
            || in_entered(context.sole_body_of, &self.main_until_spawn);
        (startup, main_thread)
    }
}

/// The method name of a call whose receiver is known only in part, for where async
/// fns are entered from: one that names no fn, one through a trait (any impl's, and
/// maybe one the pass did not read), one on what a crate method returned (which may
/// be a trait object). Each may reach any trait method of the name.
fn by_name_only(callee: &Callee) -> Option<&str> {
    match callee {
        Callee::AnyMethod(name) | Callee::Dispatch { name, .. } => Some(name),
        Callee::Returned(returned) => Some(&returned.name),
        _ => None,
    }
}

/// The async fn, as a node, whose part an executor call is made in: its prefix, or its
/// own body, by `index` (an index among the fns of the file `file`).
pub(super) fn caller_node(
    nodes_by_fn: &HashMap<(usize, usize), NodeId>,
    file: usize,
    index: Option<usize>,
) -> Option<NodeId> {
    nodes_by_fn.get(&(file, index?)).copied()
}

impl Graph<'_> {
    /// The node of each `(file, index among its fns)`: the first crate's.
    pub(super) fn nodes_by_fn(&self) -> HashMap<(usize, usize), NodeId> {
        let mut nodes = HashMap::new();
        for (id, node) in self.nodes.iter().enumerate() {
            nodes.entry((node.file, node.index)).or_insert(id);
        }
        nodes
    }

    pub(super) fn entered(&self, nodes_by_fn: &HashMap<(usize, usize), NodeId>) -> Entered {
        // Who enters each node, resolved once for both questions: the executor calls
        // that reach it, and whether a sync fn names it (building its future for
        // someone else to run).
        let mut callers: Vec<Vec<(usize, &ExecutorCall)>> = vec![Vec::new(); self.nodes.len()];
        let mut caller_calls: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.nodes.len()];
        let mut unknown_receiver: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        let mut unseen_names: HashSet<&str> = HashSet::new();
        let methods = self.trait_methods_by_name();
        let any_method = |workspaces: &[&Path], name: &str| -> Vec<NodeId> {
            let found = methods.get(name).into_iter().flatten();
            // A file in no crate's tree may still call into one: every workspace.
            let reaches = |w: &&Path| workspaces.is_empty() || workspaces.contains(w);
            found
                .filter(|(w, _)| reaches(w))
                .map(|&(_, id)| id)
                .collect()
        };
        let mut named_by_sync_fn = vec![false; self.nodes.len()];
        // A call through a trait may reach any impl of the method, and a method call
        // that names no known fn any trait method of the name: each counts it (one
        // made elsewhere than awaited on the executor builds its future for another).
        for (file, (path, summary)) in self.files.iter().enumerate() {
            let workspaces = self.workspaces_of(path);
            for name in &summary.unseen_method_names {
                for callee in any_method(&workspaces, name) {
                    named_by_sync_fn[callee] = true;
                }
            }
            unseen_names.extend(summary.unseen_method_names.iter().map(String::as_str));
            for (index, call) in summary.executor_calls.iter().enumerate() {
                if let Callee::AnyMethod(name) = &call.callee {
                    unknown_receiver
                        .entry(name.as_str())
                        .or_default()
                        .push((file, index));
                }
                let mut enter = |callee: NodeId| {
                    callers[callee].push((file, call));
                    caller_calls[callee].push((file, index));
                };
                for (callee, _) in self.call_site_targets_in(path, &call.callee, true) {
                    enter(callee);
                }
                for &callee in self.trait_targets(path, &call.callee) {
                    enter(callee);
                }
                if let Some(name) = by_name_only(&call.callee) {
                    for callee in any_method(&workspaces, name) {
                        enter(callee);
                    }
                }
            }
        }
        for id in 0..self.nodes.len() {
            for (callee, _) in self.callee_edges_in(id, true) {
                named_by_sync_fn[callee] = true;
            }
            let node = &self.nodes[id];
            let path = &self.files[node.file].0;
            for call in &self.summary_of(id).calls {
                for &callee in self.trait_targets(path, &call.callee) {
                    named_by_sync_fn[callee] = true;
                }
                if let Some(name) = by_name_only(&call.callee) {
                    for callee in any_method(&self.workspaces_of(path), name) {
                        named_by_sync_fn[callee] = true;
                    }
                }
            }
        }
        let entries = (callers.as_slice(), named_by_sync_fn.as_slice());
        // Awaited from code of the kind (`root`), or from the part (`part`) of a fn that
        // is itself entered so.
        let from = |kind, main_thread: &[bool]| {
            self.entered_only_from(entries, |file, call| {
                self.entry(kind, nodes_by_fn, main_thread, (file, call))
            })
        };
        let startup = from(Kind::Startup, &[]);
        let main_thread = from(Kind::MainThread, &[]);
        let main_until_spawn = from(Kind::MainUntilSpawn, &main_thread);
        let sole = from(Kind::Sole, &[]);
        Entered {
            startup,
            sole,
            main_thread,
            main_until_spawn,
            callers: caller_calls,
            named_by_sync_fn,
            unknown_receiver: (unknown_receiver.into_iter())
                .map(|(name, calls)| (name.to_string(), calls))
                .collect(),
            unseen_names: unseen_names.into_iter().map(String::from).collect(),
        }
    }

    /// The methods that take `self` of the impls of the crates' own traits and the
    /// traits' default methods, by name, each with its workspace: what a method call
    /// that names no known fn may reach unseen (in its own workspace; another crate's
    /// trait is implemented for callers the scan does not see, such as a framework).
    fn trait_methods_by_name(&self) -> HashMap<&str, Vec<(&Path, NodeId)>> {
        let mut methods: HashMap<&str, Vec<(&Path, NodeId)>> = HashMap::new();
        for (id, node) in self.nodes.iter().enumerate() {
            let summary = self.summary_of(id);
            let own_trait = summary.trait_impl && summary.impl_of.is_some();
            if (own_trait || summary.trait_default) && summary.takes_self {
                if let Some(name) = summary.path.segments.last() {
                    let workspace = self.inputs.crates[node.krate].workspace.as_path();
                    methods
                        .entry(name.as_str())
                        .or_default()
                        .push((workspace, id));
                }
            }
        }
        methods
    }

    /// The workspaces of the crates a file is part of.
    fn workspaces_of(&self, path: &Path) -> Vec<&Path> {
        let memberships = self.memberships.get(path).into_iter().flatten();
        let mut workspaces: Vec<&Path> = memberships
            .map(|(krate, _)| self.inputs.crates[*krate].workspace.as_path())
            .collect();
        workspaces.dedup();
        workspaces
    }

    /// Whether `maker`, a fn named in the file `file`, returns a runtime it builds with
    /// the current-thread flavor.
    pub(super) fn makes_sole_runtime(&self, file: usize, maker: &LocalPath) -> bool {
        let callee = Callee::Path(maker.clone());
        let mut targets = self.call_site_targets(&self.files[file].0, &callee);
        targets
            .next()
            .is_some_and(|(id, _)| self.summary_of(id).makes_current_thread_runtime)
    }

    /// The impls a call written in `path` may reach through a trait, in every crate the
    /// file is part of.
    fn trait_targets<'s>(&'s self, path: &Path, callee: &'s Callee) -> Vec<&'s NodeId> {
        let memberships = self.memberships.get(path).into_iter().flatten();
        memberships
            .filter_map(|(krate, module)| self.target(*krate, module, callee))
            .flat_map(|(krate, target)| self.trait_call_targets(krate, &target).iter())
            .collect()
    }

    /// Per node: whether it is an async fn whose every entry `classify` says is a root,
    /// or is made in a fn that is itself entered so: a worklist over the `Via` entries.
    /// A node a sync fn names is entered elsewhere.
    fn entered_only_from(
        &self,
        (callers, named_by_sync_fn): Entrances<'_, '_>,
        classify: impl Fn(usize, &ExecutorCall) -> Entry,
    ) -> Vec<bool> {
        let entries: Vec<Vec<Entry>> = (callers.iter().zip(named_by_sync_fn))
            .map(|(calls, &named)| {
                let elsewhere = named.then_some(Entry::Elsewhere);
                let made = calls.iter().map(|&(file, call)| classify(file, call));
                made.chain(elsewhere).collect()
            })
            .collect();
        let mut waiting: Vec<usize> = vec![0; self.nodes.len()];
        let mut waiters: Vec<Vec<NodeId>> = vec![Vec::new(); self.nodes.len()];
        let mut entered = vec![false; self.nodes.len()];
        let mut ready = Vec::new();
        for (id, list) in entries.iter().enumerate() {
            let eligible = self.summary_of(id).is_async
                && !list.is_empty()
                && !list.iter().any(|e| matches!(e, Entry::Elsewhere));
            if !eligible {
                waiting[id] = usize::MAX;
                continue;
            }
            for entry in list {
                if let Entry::Via(caller) = entry {
                    waiting[id] += 1;
                    waiters[*caller].push(id);
                }
            }
            if waiting[id] == 0 {
                ready.push(id);
            }
        }
        while let Some(id) = ready.pop() {
            if entered[id] {
                continue;
            }
            entered[id] = true;
            for &waiter in &waiters[id] {
                if waiting[waiter] != usize::MAX {
                    waiting[waiter] -= 1;
                    if waiting[waiter] == 0 {
                        ready.push(waiter);
                    }
                }
            }
        }
        entered
    }

    /// The files' own findings made in the parts (`part`) of the fns `entered`, by file.
    pub(super) fn entered_findings(
        &self,
        entered: &[bool],
        part: impl Fn(&FnSummary) -> &[Range<usize>],
    ) -> Vec<(PathBuf, Range<usize>)> {
        let mut out = Vec::new();
        for (id, node) in self.nodes.iter().enumerate() {
            if entered[id] {
                let path = &self.files[node.file].0;
                for range in part(self.summary_of(id)) {
                    out.push((path.clone(), range.clone()));
                }
            }
        }
        out.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
        out.dedup();
        out
    }
}

/// The kinds of code `Entered` tells where async fns are entered from.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Startup,
    MainThread,
    MainUntilSpawn,
    Sole,
}

impl Graph<'_> {
    /// How the executor call `call`, made in the file `file`, enters its callee as far
    /// as the code of `kind` goes. `main_thread` is `Entered::main_thread`, which
    /// `Kind::MainUntilSpawn` counts as a root (unused for the other kinds).
    pub(super) fn entry(
        &self,
        kind: Kind,
        nodes_by_fn: &HashMap<(usize, usize), NodeId>,
        main_thread: &[bool],
        (file, call): (usize, &ExecutorCall),
    ) -> Entry {
        let context = &call.context;
        let part = |index| via(caller_node(nodes_by_fn, file, index));
        match kind {
            _ if !call.awaited => Entry::Elsewhere,
            Kind::Startup if context.startup => Entry::Root,
            Kind::Startup => part(context.prefix_of),
            // A future a `LocalSet` runs is not the main thread's alone once it spawns:
            // it counts only towards `main_until_spawn`.
            Kind::MainThread if call.local_set => Entry::Elsewhere,
            Kind::MainThread if context.main_thread => Entry::Root,
            Kind::MainThread => part(context.body_of),
            Kind::MainUntilSpawn => {
                let in_main =
                    caller_node(nodes_by_fn, file, context.body_of).is_some_and(|c| main_thread[c]);
                if context.main_thread || in_main {
                    Entry::Root
                } else {
                    part(context.sole_body_of)
                }
            }
            // The first future run on a runtime that a crate fn builds with the
            // current-thread flavor is that runtime's only task, as a sole task's is.
            Kind::Sole => {
                let runtime_of = context.sole_if_runtime_of.as_ref();
                let sole_runtime =
                    runtime_of.is_some_and(|maker| self.makes_sole_runtime(file, maker));
                if context.sole_task || sole_runtime {
                    Entry::Root
                } else {
                    part(context.sole_body_of)
                }
            }
        }
    }
}

fn via(caller: Option<NodeId>) -> Entry {
    caller.map_or(Entry::Elsewhere, Entry::Via)
}
