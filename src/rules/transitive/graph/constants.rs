//! Constant arguments along a chain: a call that passes `&StatusCode::METHOD_NOT_ALLOWED`
//! does not reach the blocking call its callee makes only under `if status ==
//! &StatusCode::NOT_FOUND`. A call site that passes constants gets the route its
//! constants allow, or none when they allow no blocking call.
use std::collections::{HashMap, HashSet};

use super::{Graph, NodeId, Reach};
use crate::rules::calls::FS_LINT;
use crate::rules::transitive::summary::{Arg, BlockingCall, CallConstants, CallRef, ParamIs};

/// How far a route is followed with constants bound; past it, the chain the graph
/// worked out without them stands.
const MAX_DEPTH: usize = 8;

/// The constants a fn is called with: its parameter, and the constant it holds.
type Bindings = Vec<(u8, String)>;

/// A chain as the constants of a call site allow it: the fns from the callee on, and
/// the blocking call of the last one (its index in `blocks`) when the constants chose it.
#[derive(Debug, Clone)]
pub(super) struct Route {
    pub(super) links: Vec<NodeId>,
    pub(super) block: Option<usize>,
}

/// Routes already worked out (a fn with the same constants), and the fns on the way
/// to the one at hand (a cycle is no route).
#[derive(Default)]
pub(super) struct Routes {
    known: HashMap<(NodeId, Bindings), Option<Route>>,
    on_the_way: HashSet<NodeId>,
}

impl Graph<'_> {
    /// The route from `id`, called with what `constants` passes, to a blocking call that
    /// the constants passed on the way allow; `None` when they rule out every one.
    pub(super) fn route(
        &self,
        (state, beyond_fs): (&[Option<Reach>], &[bool]),
        routes: &mut Routes,
        id: NodeId,
        constants: Option<&CallConstants>,
    ) -> Option<Route> {
        self.route_bound((state, beyond_fs), routes, id, (constants, &[]))
    }

    /// `route`, for a call made where the caller's own parameters hold `caller`.
    pub(super) fn route_bound(
        &self,
        graph: (&[Option<Reach>], &[bool]),
        routes: &mut Routes,
        id: NodeId,
        (constants, caller): (Option<&CallConstants>, &[(u8, String)]),
    ) -> Option<Route> {
        let bindings = constants.map_or_else(Vec::new, |c| self.bound(id, c, caller));
        self.route_with(graph, routes, (id, bindings), 0)
    }

    fn route_with(
        &self,
        graph: (&[Option<Reach>], &[bool]),
        routes: &mut Routes,
        (id, bindings): (NodeId, Bindings),
        depth: usize,
    ) -> Option<Route> {
        let state = graph.0;
        state[id]?;
        if depth >= MAX_DEPTH || self.declared(id).is_some() {
            return Some(self.graph_route(state, id));
        }
        let key = (id, bindings);
        if let Some(known) = routes.known.get(&key) {
            return known.clone();
        }
        if !routes.on_the_way.insert(id) {
            return None;
        }
        let found = self.route_from(graph, routes, &key, depth);
        routes.on_the_way.remove(&id);
        routes.known.insert(key, found.clone());
        found
    }

    /// `route_with` once it is known to be worked out here: a blocking call of `id`'s
    /// that the constants allow, else the first callee (the graph's next link first)
    /// with a route under what it is passed.
    fn route_from(
        &self,
        (state, beyond_fs): (&[Option<Reach>], &[bool]),
        routes: &mut Routes,
        (id, bindings): &(NodeId, Bindings),
        depth: usize,
    ) -> Option<Route> {
        let id = *id;
        let f = self.summary_of(id);
        let allowed = |guard: &[ParamIs]| guard.iter().all(|g| holds(g, bindings));
        let allowed_blocks: Vec<(usize, &BlockingCall)> = (f.blocks.iter().enumerate())
            .filter(|(_, b)| allowed(&b.guard))
            .collect();
        // As the graph's chains do: a call that waits on more than the file system first.
        let blamed = (allowed_blocks.iter().find(|(_, b)| b.lint != FS_LINT))
            .or(allowed_blocks.first())
            .map(|(i, _)| *i);
        let own = blamed.map(|block| Route {
            links: vec![id],
            block: Some(block),
        });
        let node = &self.nodes[id];
        let module = self.module_of(node);
        // The graph's next link, when it has one, leads to a call that waits on more
        // than the file system, which the chain prefers to the fn's own.
        let next = state[id].and_then(|s| s.next);
        let mut edges: Vec<(NodeId, &CallRef)> = (f.calls.iter())
            .filter(|call| (call.constants.as_deref()).is_none_or(|c| allowed(&c.guard)))
            .filter_map(|call| {
                let callee = self.resolve_in(node.krate, module, &call.callee, false)?;
                let blocks = state[callee].is_some() && (!call.exit_tail || beyond_fs[callee]);
                blocks.then_some((callee, call))
            })
            .collect();
        edges.sort_by_key(|&(callee, _)| Some(callee) != next);
        let mut own = own;
        for (callee, call) in edges {
            if own.is_some() && Some(callee) != next {
                break;
            }
            let passed = (call.constants.as_deref())
                .map_or_else(Vec::new, |c| self.bound(callee, c, bindings));
            let graph = (state, beyond_fs);
            if let Some(mut route) = self.route_with(graph, routes, (callee, passed), depth + 1) {
                route.links.insert(0, id);
                return Some(route);
            }
            if let Some(own) = own.take() {
                return Some(own);
            }
        }
        own
    }

    /// The chain the graph worked out from `id`, constants aside.
    fn graph_route(&self, state: &[Option<Reach>], id: NodeId) -> Route {
        let mut links = vec![id];
        while let Some(next) = state[*links.last().unwrap_or(&id)].and_then(|s| s.next) {
            links.push(next);
        }
        Route { links, block: None }
    }

    /// What `callee`'s parameters hold when called with `constants`' arguments, the
    /// caller's own parameters bound as `caller`.
    pub(super) fn bound(
        &self,
        callee: NodeId,
        constants: &CallConstants,
        caller: &[(u8, String)],
    ) -> Bindings {
        // `Type::method(x, ..)` passes the receiver first.
        let skip = usize::from(constants.path_call && self.summary_of(callee).takes_self);
        let args = constants.args.iter().skip(skip).enumerate();
        args.filter_map(|(index, arg)| {
            let index = u8::try_from(index).ok()?;
            let constant = match arg {
                Arg::Const(c) => c.clone(),
                Arg::Param(p) => caller.iter().find(|(q, _)| q == p)?.1.clone(),
                Arg::Other => return None,
            };
            Some((index, constant))
        })
        .collect()
    }
}

/// Whether `guard` may hold with the parameters bound as `bindings`.
pub(super) fn holds(guard: &ParamIs, bindings: &[(u8, String)]) -> bool {
    match bindings.iter().find(|(param, _)| *param == guard.param) {
        Some((_, constant)) => guard.any_of.contains(constant),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guard_fails_only_on_another_constant() {
        let guard = ParamIs {
            param: 1,
            any_of: vec!["StatusCode::NOT_FOUND".into()],
        };
        assert!(holds(&guard, &[]));
        assert!(holds(&guard, &[(0, "StatusCode::GONE".into())]));
        assert!(holds(&guard, &[(1, "StatusCode::NOT_FOUND".into())]));
        assert!(!holds(&guard, &[(1, "StatusCode::GONE".into())]));
    }
}
