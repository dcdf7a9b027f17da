//! Spreading "blocks" through the call graph: from the sync fns that block (or are
//! declared to) to the sync fns that call them, with the next link of each chain. A
//! call made on the way out of the process passes it on only from a callee that does
//! more than file-system work.
use std::collections::VecDeque;

use super::{Graph, NodeId, Reach};
use crate::rules::calls::FS_LINT;
use crate::rules::transitive::summary::Declared;

impl Graph<'_> {
    /// Spreads "blocks" from the seeds to their callers; per node, the distance to a
    /// blocking call and the next link towards it.
    /// A call made on the way out of the process passes "blocks" on only from a callee
    /// that does more than file-system work (`beyond_fs`).
    pub(super) fn spread(&self) -> (Vec<Option<Reach>>, Vec<bool>) {
        // Nodes in the order of their files' paths, not the order the files were
        // parsed in: of two chains as short, the one shown must not depend on it.
        let mut order: Vec<NodeId> = (0..self.nodes.len()).collect();
        order.sort_by_cached_key(|&id| {
            let node = &self.nodes[id];
            (&self.files[node.file].0, node.index, node.membership)
        });
        let mut callers: Vec<Vec<(NodeId, bool)>> = vec![Vec::new(); self.nodes.len()];
        for &id in &order {
            for (callee, exit_tail) in self.callee_edges(id) {
                callers[callee].push((id, exit_tail));
            }
        }
        let beyond_fs = self.beyond_fs(&callers);
        let seeds: Vec<Option<bool>> = (0..self.nodes.len())
            .map(|id| {
                let f = self.summary_of(id);
                match self.declared(id) {
                    Some(Declared::Blocking) => Some(true),
                    Some(Declared::Nonblocking) => None,
                    None if f.is_async || f.blocks.is_empty() => None,
                    None => Some(f.blocks.iter().any(|b| b.lint != FS_LINT)),
                }
            })
            .collect();
        let mut state: Vec<Option<Reach>> = vec![None; self.nodes.len()];
        // Chains to a call that waits on more than the file system (a password hash, a
        // socket, a sleep) first, then the file-system ones: of a fn that reaches both,
        // the chain shows what makes it slow, as `blamed` does within one fn.
        for beyond in [true, false] {
            let start = order
                .iter()
                .copied()
                .filter(|&id| seeds[id] == Some(beyond));
            let start: Vec<NodeId> = start.filter(|&id| state[id].is_none()).collect();
            for &id in &start {
                state[id] = Some(Reach {
                    distance: 0,
                    next: None,
                });
            }
            self.spread_from(start, &callers, &beyond_fs, &mut state);
        }
        (state, beyond_fs)
    }

    /// Breadth-first from `start` to the sync callers not reached yet.
    fn spread_from(
        &self,
        start: Vec<NodeId>,
        callers: &[Vec<(NodeId, bool)>],
        beyond_fs: &[bool],
        state: &mut [Option<Reach>],
    ) {
        let mut queue: VecDeque<NodeId> = start.into();
        while let Some(id) = queue.pop_front() {
            let distance = state[id].map_or(0, |s| s.distance);
            for &(caller, exit_tail) in &callers[id] {
                let f = self.summary_of(caller);
                let stops = self.declared(caller) == Some(Declared::Nonblocking);
                let excused = exit_tail && !beyond_fs[id];
                if state[caller].is_some() || f.is_async || stops || excused {
                    continue;
                }
                state[caller] = Some(Reach {
                    distance: distance + 1,
                    next: Some(id),
                });
                queue.push_back(caller);
            }
        }
    }

    /// Per node: whether a sync fn blocks on more than the file system, itself (or by
    /// declaration) or through the fns it calls.
    fn beyond_fs(&self, callers: &[Vec<(NodeId, bool)>]) -> Vec<bool> {
        let mut beyond: Vec<bool> = (0..self.nodes.len())
            .map(|id| {
                let f = self.summary_of(id);
                match self.declared(id) {
                    Some(declared) => declared == Declared::Blocking,
                    None => !f.is_async && f.blocks.iter().any(|b| b.lint != FS_LINT),
                }
            })
            .collect();
        let mut queue: VecDeque<NodeId> = (0..beyond.len()).filter(|&id| beyond[id]).collect();
        while let Some(id) = queue.pop_front() {
            for &(caller, _) in &callers[id] {
                let stops = self.declared(caller) == Some(Declared::Nonblocking);
                if !beyond[caller] && !self.summary_of(caller).is_async && !stops {
                    beyond[caller] = true;
                    queue.push_back(caller);
                }
            }
        }
        beyond
    }
}
