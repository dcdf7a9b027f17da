//! Startup code reached through async fns: an async fn that is only ever awaited from
//! startup code (the runtime's entry fn before its first `.await` or spawn, or such a
//! fn's own prefix) runs its own prefix before anything else runs, too.
use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use super::{prefix_caller, Graph, NodeId};

/// How a caller enters a fn: from startup code, or from the prefix of another fn.
enum Entry {
    Startup,
    Prefix(NodeId),
    Elsewhere,
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

    /// Per node: whether it is an async fn entered only from startup code.
    pub(super) fn startup_entered(
        &self,
        nodes_by_fn: &HashMap<(usize, usize), NodeId>,
    ) -> Vec<bool> {
        let mut entries: Vec<Vec<Entry>> = (0..self.nodes.len()).map(|_| Vec::new()).collect();
        for (file, (path, summary)) in self.files.iter().enumerate() {
            for call in &summary.executor_calls {
                let prefix = prefix_caller(nodes_by_fn, file, call);
                for (callee, _) in self.call_site_targets(path, &call.callee) {
                    entries[callee].push(match (call.awaited, call.context.startup, prefix) {
                        (true, true, _) => Entry::Startup,
                        (true, false, Some(caller)) => Entry::Prefix(caller),
                        _ => Entry::Elsewhere,
                    });
                }
            }
        }
        // A sync fn that names an async fn builds its future for someone else to run.
        for id in 0..self.nodes.len() {
            for callee in self.callees_of(id) {
                entries[callee].push(Entry::Elsewhere);
            }
        }
        // Entered once every entry is startup code: a worklist over the prefix entries.
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
                if let Entry::Prefix(caller) = entry {
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

    /// The findings made in the prefixes of the fns entered from startup code, by file.
    pub(super) fn startup_prefix_findings(&self, entered: &[bool]) -> Vec<(PathBuf, Range<usize>)> {
        let mut out = Vec::new();
        for (id, node) in self.nodes.iter().enumerate() {
            if entered[id] {
                let path = &self.files[node.file].0;
                for range in &self.summary_of(id).prefix_findings {
                    out.push((path.clone(), range.clone()));
                }
            }
        }
        out.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
        out.dedup();
        out
    }
}
