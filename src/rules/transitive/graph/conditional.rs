//! An executor call that blocks only for some values of its async fn's parameters
//! (`get_creds(.., reauth)`, whose blocking call sits under `if reauth`): a caller of
//! the fn that passes other constants does not make it block, so where the call runs
//! is decided by the callers that do.
use std::collections::HashMap;

use super::constants::{holds, Routes};
use super::entered::{caller_node, Entered, Entry, Kind};
use super::{Graph, NodeId, Reach};
use crate::rules::transitive::summary::{Arg, ExecutorCall};

/// Startup code, main-thread code: what the caller enters the fn from.
type Kinds = (bool, bool);

/// The note of a call that `kinds_where_blocking` moved.
pub(super) fn note(caller: &str, (startup, _): Kinds) -> String {
    let kind = if startup { "startup" } else { "main-thread" };
    format!(
        "it blocks only with what some callers of `{caller}` pass, and those callers are all \
         {kind} code; the others pass constants that do not reach the blocking call"
    )
}

impl Graph<'_> {
    /// Whether `call`, made in the own body of an async fn, runs as startup code and as
    /// main-thread code once the fn's callers that cannot make it block are set aside:
    /// some must be, and every other one must enter the fn from such code.
    pub(super) fn kinds_where_blocking(
        &self,
        graph: (&[Option<Reach>], &[bool]),
        routes: &mut Routes,
        entered: &Entered,
        nodes_by_fn: &HashMap<(usize, usize), NodeId>,
        (file, call): (usize, &ExecutorCall),
    ) -> Kinds {
        const NEITHER: Kinds = (false, false);
        let Some(constants) = call.constants.as_deref() else {
            return NEITHER;
        };
        let passes_params = (constants.args.iter()).any(|a| matches!(a, Arg::Param(_)));
        if !passes_params && constants.guard.is_empty() {
            return NEITHER;
        }
        let Some(f) = caller_node(nodes_by_fn, file, call.context.body_of) else {
            return NEITHER;
        };
        let summary = self.summary_of(f);
        let name = summary.path.segments.last().map(String::as_str);
        // A method may be called on a receiver whose type is not known, too.
        let unknown = (name.filter(|_| summary.takes_self)).map(|name| {
            (
                entered.unknown_receiver.get(name),
                entered.unseen_names.contains(name),
            )
        });
        if entered.named_by_sync_fn[f] || unknown.is_some_and(|(_, unseen)| unseen) {
            return NEITHER;
        }
        let mut callers = entered.callers[f].clone();
        callers.extend(unknown.and_then(|(calls, _)| calls).into_iter().flatten());
        callers.sort_unstable();
        callers.dedup();
        if callers.is_empty() {
            return NEITHER;
        }
        let path = &self.files[file].0;
        let mut blocking = Vec::new();
        for &(caller_file, index) in &callers {
            let caller = &self.files[caller_file].1.executor_calls[index];
            if !caller.awaited {
                return NEITHER;
            }
            let bindings =
                (caller.constants.as_deref()).map_or_else(Vec::new, |c| self.bound(f, c, &[]));
            let reaches = constants.guard.iter().all(|g| holds(g, &bindings))
                && (self.call_site_targets(path, &call.callee))
                    .filter(|&(id, _)| !call.exit_tail || graph.1[id])
                    .any(|(id, _)| {
                        let passed = (Some(constants), bindings.as_slice());
                        self.route_bound(graph, routes, id, passed).is_some()
                    });
            if reaches {
                blocking.push((caller_file, caller));
            }
        }
        if blocking.is_empty() || blocking.len() == callers.len() {
            return NEITHER;
        }
        // Every caller left enters the fn from code of `kind`, itself or through a fn
        // entered so.
        let all = |kind, entered_so: &[bool]| {
            blocking.iter().all(|&site| {
                match self.entry(kind, nodes_by_fn, &entered.main_thread, site) {
                    Entry::Root => true,
                    Entry::Via(node) => entered_so[node],
                    Entry::Elsewhere => false,
                }
            })
        };
        let context = &call.context;
        let startup = context.prefix_of.is_some() && all(Kind::Startup, &entered.startup);
        let sole = context.sole_body_of.is_some() && all(Kind::Sole, &entered.sole);
        let main_thread = context.body_of.is_some() && all(Kind::MainThread, &entered.main_thread);
        let main_until_spawn =
            context.sole_body_of.is_some() && all(Kind::MainUntilSpawn, &entered.main_until_spawn);
        (startup || sole, main_thread || main_until_spawn)
    }
}
