//! Calls through one of the crate's traits (`fs.metadata(p)` on an `&impl Fs`, a
//! `Box<dyn Fs>` or a `T: Fs`): the impls such a call may reach, and, once every one of
//! them is known to block, the one that stands for the call in its chain.
use std::collections::HashSet;

use super::{Graph, NodeId, Reach};
use crate::rules::transitive::summary::Callee;

impl Graph<'_> {
    /// The path of the one trait of the crate called `tr` that has impls.
    pub(super) fn trait_named(&self, krate: usize, tr: &str) -> Option<&Vec<String>> {
        let mut found = (self.implementors.keys())
            .filter(|(k, path)| *k == krate && path.last().is_some_and(|last| last == tr))
            .map(|(_, path)| path);
        match (found.next(), found.next()) {
            (Some(path), None) => Some(path),
            _ => None,
        }
    }

    /// What a call of `tr::name` through the trait may run: each impl's own method, and
    /// the trait's default method when an implementor does not override it. None when
    /// that cannot be told: two traits of the name, a blanket impl (`impl<T> Fs for T`),
    /// or an implementor that inherits a default the graph lacks.
    pub(super) fn dispatch_members(
        &self,
        krate: usize,
        tr: &str,
        name: &str,
    ) -> Option<Vec<NodeId>> {
        let path = self.trait_named(krate, tr)?;
        let types = self.implementors.get(&(krate, path.clone()))?;
        if types.iter().any(Option::is_none) {
            return None;
        }
        let key = (krate, path.clone(), name.to_string());
        let own = self.trait_impls.get(&key).map_or(&[][..], Vec::as_slice);
        let overriding: HashSet<&str> = (own.iter())
            .filter_map(|&id| self.summary_of(id).self_type.as_deref())
            .collect();
        let mut members = own.to_vec();
        let inherits = (types.iter().flatten()).any(|ty| !overriding.contains(ty.as_str()));
        if inherits {
            let mut default = path.clone();
            default.push(name.to_string());
            let id = self.by_path.get(&(krate, default)).copied();
            members.push(id.filter(|&id| self.summary_of(id).trait_default)?);
        }
        (!members.is_empty()).then_some(members)
    }

    /// `spread`, again each time a call through a trait turns out to block (every impl
    /// it may reach does): that call then passes "blocks" on to its caller, through the
    /// impl nearest to a blocking call.
    pub(super) fn spread_through_traits(&self) -> (Vec<Option<Reach>>, Vec<bool>) {
        let calls = self.dispatch_calls();
        loop {
            let (state, beyond_fs) = self.spread();
            let mut resolved = false;
            for (krate, tr, name) in &calls {
                let key = (*krate, tr.clone(), name.clone());
                if self.dispatched.borrow().contains_key(&key) {
                    continue;
                }
                let Some(members) = self.dispatch_members(*krate, tr, name) else {
                    continue;
                };
                let reaches: Option<Vec<(usize, NodeId)>> = (members.iter())
                    .map(|&id| state[id].map(|reach| (reach.distance, id)))
                    .collect();
                if let Some((_, nearest)) = reaches.and_then(|r| r.into_iter().min()) {
                    self.dispatched.borrow_mut().insert(key, nearest);
                    resolved = true;
                }
            }
            if !resolved {
                return (state, beyond_fs);
            }
        }
    }

    /// Every call through a trait in the graph, by crate: `(crate, trait, method)`.
    fn dispatch_calls(&self) -> Vec<(usize, String, String)> {
        let mut calls = HashSet::new();
        for (path, summary) in &self.files {
            let callees = (summary.fns.iter())
                .flat_map(|f| f.calls.iter().map(|c| &c.callee))
                .chain(summary.executor_calls.iter().map(|c| &c.callee));
            for callee in callees {
                let Callee::Dispatch { tr, name } = callee else {
                    continue;
                };
                for (krate, _) in self.memberships.get(path).into_iter().flatten() {
                    calls.insert((*krate, tr.clone(), name.clone()));
                }
            }
        }
        let mut calls: Vec<_> = calls.into_iter().collect();
        calls.sort();
        calls
    }
}
