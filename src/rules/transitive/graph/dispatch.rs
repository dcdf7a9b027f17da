//! Calls through one of the crate's traits (`fs.metadata(p)` on an `&impl Fs`, a
//! `Box<dyn Fs>` or a `T: Fs`): the impls such a call may reach, and, once every one of
//! them is known to block, the one that stands for the call in its chain.
use std::collections::HashSet;
use std::path::PathBuf;

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
    /// an impl the pass could not tie to the trait (see `impls_all_known`), or an
    /// implementor that inherits a default the graph lacks.
    pub(super) fn dispatch_members(
        &self,
        krate: usize,
        tr: &str,
        name: &str,
    ) -> Option<Vec<NodeId>> {
        let path = self.trait_named(krate, tr)?;
        let implementors = self.implementors.get(&(krate, path.clone()))?;
        let blanket = implementors.iter().any(|(ty, _)| ty.is_none());
        if blanket || !self.impls_all_known(krate, tr, implementors) {
            return None;
        }
        let key = (krate, path.clone(), name.to_string());
        let own = self.trait_impls.get(&key).map_or(&[][..], Vec::as_slice);
        let overriding: HashSet<&str> = (own.iter())
            .filter_map(|&id| self.summary_of(id).self_type.as_deref())
            .collect();
        let mut members = own.to_vec();
        let inherits = (implementors.iter())
            .filter_map(|(ty, _)| ty.as_deref())
            .any(|ty| !overriding.contains(ty));
        if inherits {
            let mut default = path.clone();
            default.push(name.to_string());
            let id = self.by_path.get(&(krate, default)).copied();
            members.push(id.filter(|&id| self.summary_of(id).trait_default)?);
        }
        (!members.is_empty()).then_some(members)
    }

    /// Whether every impl of the trait `tr` is among `implementors`: each file of the
    /// crate whose `impl` lines name it holds one the pass resolved (not one whose trait
    /// came through a glob import or a macro), and no other crate can add one: the
    /// trait is not `pub` in a library that serves other crates, and no other member of
    /// the workspace read so far names it on an `impl` line.
    fn impls_all_known(
        &self,
        krate: usize,
        tr: &str,
        implementors: &[(Option<String>, usize)],
    ) -> bool {
        let Some(Some(index)) = self.impl_index.get(krate) else {
            return false;
        };
        let resolved: HashSet<&PathBuf> = (implementors.iter())
            .map(|&(_, file)| &self.files[file].0)
            .collect();
        let unresolved = self.unresolved_impls.contains(&(krate, tr.to_string()));
        // An impl a macro writes (`impl Fs for $t`) in a file with none the pass saw; an
        // impl in test code, skipped, does not count.
        let mentioning = index.get(tr).map_or(&[][..], Vec::as_slice);
        let by_macro = (mentioning.iter())
            .filter(|file| !resolved.contains(file))
            .any(|file| {
                let text = crate::syntax::source::read_text(file).unwrap_or_default();
                text.lines().map(str::trim_start).any(|line| {
                    let mut words = line.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                    line.starts_with("impl") && line.contains('$') && words.any(|w| w == tr)
                })
            });
        if unresolved || by_macro {
            return false;
        }
        let root = &self.inputs.crates[krate];
        let others = (self.inputs.crates.iter().enumerate()).filter(|(k, c)| {
            *k != krate && c.workspace == root.workspace && c.package != root.package
        });
        let named_elsewhere = (others.filter_map(|(k, _)| self.impl_index.get(k)?.as_ref()))
            .any(|index| index.contains_key(tr));
        if named_elsewhere {
            return false;
        }
        // A library with a binary of its package beside it is the binary's; one alone
        // serves crates the scan does not see, which may implement its `pub` traits.
        let has_binary = (self.inputs.crates.iter()).any(|c| {
            !c.is_lib
                && c.package == root.package
                && c.root_file.starts_with(root.package.join("src"))
        });
        let declared_pub = || {
            let path = self.trait_named(krate, tr);
            let definition = path.and_then(|p| self.module_file(krate, p));
            let files = implementors
                .iter()
                .map(|&(_, file)| self.files[file].0.clone());
            let mut files = files.chain(mentioning.iter().cloned()).chain(definition);
            files.any(|file| {
                let text = crate::syntax::source::read_text(&file).unwrap_or_default();
                text.contains(&format!("pub trait {tr}"))
            })
        };
        !root.is_lib || has_binary || !declared_pub()
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
