//! Finding a fn the graph has by what a call names: its path (where it is defined, a
//! method of a type there, or through the `pub use` items of the modules on the way),
//! or a method of a type by the type's name.
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::{Graph, NodeId, Target};
use crate::rules::transitive::summary::Callee;

impl Graph<'_> {
    /// The crate and absolute target a callee written in `module` of `krate` names.
    pub(super) fn target(
        &self,
        krate: usize,
        module: &[String],
        callee: &Callee,
    ) -> Option<(usize, Target)> {
        match callee {
            Callee::Path(path) => Some((krate, Target::Path(path.absolute(module)?))),
            Callee::Method { ty, name } => Some((
                krate,
                Target::Method {
                    ty: ty.clone(),
                    name: name.clone(),
                },
            )),
            Callee::Returned(returned) => Some((
                match &returned.krate {
                    Some(member) => self.member(krate, member)?,
                    None => krate,
                },
                Target::Returned {
                    ty: returned.ty.clone(),
                    via: returned.via.clone(),
                    name: returned.name.clone(),
                },
            )),
            Callee::Member(path) => {
                let (first, rest) = path.split_first()?;
                Some((self.member(krate, first)?, Target::Path(rest.to_vec())))
            }
            Callee::MemberMethod(member) => Some((
                self.member(krate, &member.krate)?,
                Target::Method {
                    ty: member.ty.clone(),
                    name: member.name.clone(),
                },
            )),
            Callee::Dispatch { tr, name } => Some((
                krate,
                Target::Dispatch {
                    tr: tr.clone(),
                    name: name.clone(),
                },
            )),
            Callee::AnyMethod(_) => None,
        }
    }

    /// The library crate called `name` in the workspace of `krate`.
    fn member(&self, krate: usize, name: &str) -> Option<usize> {
        let workspace = &self.inputs.crates[krate].workspace;
        (self.inputs.crates.iter())
            .position(|c| c.is_lib && c.name == name && c.workspace == *workspace)
    }

    pub(super) fn lookup(&self, krate: usize, target: &Target) -> Option<NodeId> {
        self.lookup_in(krate, target, false)
    }

    /// As `lookup`; with `defaults`, a type without a method of its own has the default
    /// method of a trait it implements, and a path to a default method names it unless
    /// an impl overrides it. That is how the startup and main-thread code is worked out;
    /// whether a call blocks is not, since an impl that overrides the default may be in
    /// a file the pass never read.
    pub(super) fn lookup_in(
        &self,
        krate: usize,
        target: &Target,
        defaults: bool,
    ) -> Option<NodeId> {
        match target {
            Target::Path(path) => self.lookup_path(krate, path, 0, defaults),
            Target::Method { ty, name } => self.method(krate, ty, name, defaults),
            // `Type::via(..)`, then each link of a chain of methods on what it returned:
            // `name` is a method of the crate type the last link declares it returns.
            Target::Returned { ty, via, name } => {
                let end = self.chain_end(krate, ty, via, defaults).ok()?;
                self.method(krate, &end, name, defaults)
            }
            // Through a trait: the impl that stands for the call once all of them are
            // known to block (`spread_through_traits`).
            Target::Dispatch { tr, name } => {
                let key = (krate, tr.clone(), name.clone());
                self.dispatched.borrow().get(&key).copied()
            }
        }
    }

    /// The crate type that `ty::via(..)`, then each further link of the chain, returns
    /// (`Hub::scans.latest`: what `Hub::scans` returns, then what that type's `latest`
    /// returns), as each link's declared return type names it. `Err` names the link
    /// not found yet (its type and method), or nothing when a link returns no crate
    /// type.
    pub(super) fn chain_end(
        &self,
        krate: usize,
        ty: &str,
        via: &str,
        defaults: bool,
    ) -> Result<String, Option<(String, String)>> {
        self.walk_chain(krate, ty, via, defaults, |_| {})
    }

    /// The methods a chain's links reach, as far as they are found.
    fn chain_links(&self, krate: usize, ty: &str, via: &str) -> Vec<NodeId> {
        let mut found = Vec::new();
        let _ = self.walk_chain(krate, ty, via, true, |method| found.push(method));
        found
    }

    /// `chain_end`, handing each link's method to `visit` as it is found.
    fn walk_chain(
        &self,
        krate: usize,
        ty: &str,
        via: &str,
        defaults: bool,
        mut visit: impl FnMut(NodeId),
    ) -> Result<String, Option<(String, String)>> {
        let mut current = ty.to_string();
        for link in via.split(crate::catalog::ty::CHAIN_LINK) {
            let Some(method) = self.method(krate, &current, link, defaults) else {
                return Err(Some((current, link.to_string())));
            };
            visit(method);
            current = self.summary_of(method).returns.clone().ok_or(None)?;
        }
        Ok(current)
    }

    /// Every fn a call of `target` may enter, as far as the graph has grown: what the
    /// lookup finds (through trait default methods too), the impls a call through a
    /// trait may reach, and the methods of a `Type::via(..)` chain.
    pub(super) fn reach_of(&self, krate: usize, target: &Target) -> Vec<NodeId> {
        let mut nodes: Vec<NodeId> = self.lookup_in(krate, target, true).into_iter().collect();
        nodes.extend_from_slice(self.trait_call_targets(krate, target));
        if let Target::Returned { ty, via, .. } = target {
            nodes.extend(self.chain_links(krate, ty, via));
        }
        if let Target::Dispatch { tr, name } = target {
            nodes.extend(self.dispatch_members(krate, tr, name).unwrap_or_default());
        }
        nodes
    }

    /// A fn by path: where it is defined, a method of a type there, or through the
    /// `pub use` items of the module on the way (a few re-exports deep, so that globs
    /// that name each other end).
    pub(super) fn lookup_path(
        &self,
        krate: usize,
        path: &[String],
        depth: usize,
        defaults: bool,
    ) -> Option<NodeId> {
        if let Some(&id) = self.by_path.get(&(krate, path.to_vec())) {
            let default = self.summary_of(id).trait_default;
            return (!default || defaults && !self.overridden(krate, id)).then_some(id);
        }
        if let [.., ty, name] = path {
            if let Some(id) = self.method(krate, ty, name, defaults) {
                return Some(id);
            }
        }
        let (name, module) = path.split_last()?;
        if depth >= 4 {
            return None;
        }
        let reexports = self.reexports.get(&(krate, module.to_vec()))?;
        reexports.iter().find_map(|(bound, target)| match bound {
            Some(bound) if bound == name => self.lookup_path(krate, target, depth + 1, defaults),
            Some(_) => None,
            None => {
                let mut inner = target.clone();
                inner.push(name.clone());
                self.lookup_path(krate, &inner, depth + 1, defaults)
            }
        })
    }

    /// The one method `name` of the crate's types called `ty` (an inherent method
    /// wins over a trait's); none when two types share the name. With `defaults`, a
    /// type without such a method has the default method of a trait it implements.
    pub(super) fn method(
        &self,
        krate: usize,
        ty: &str,
        name: &str,
        defaults: bool,
    ) -> Option<NodeId> {
        let key = (krate, ty.to_string(), name.to_string());
        let Some(found) = self.by_method.get(&key) else {
            return defaults
                .then(|| self.default_method(krate, ty, name))
                .flatten();
        };
        let inherent: Vec<NodeId> = found
            .iter()
            .copied()
            .filter(|&id| !self.summary_of(id).trait_impl)
            .collect();
        match (inherent.as_slice(), found.as_slice()) {
            ([only], _) => Some(*only),
            ([], [only]) => Some(*only),
            _ => None,
        }
    }

    /// Whether `id` is a trait's default method that an impl overrides.
    fn overridden(&self, krate: usize, id: NodeId) -> bool {
        if !self.summary_of(id).trait_default {
            return false;
        }
        let mut path = self.node_path(id);
        let Some(name) = path.pop() else {
            return false;
        };
        self.trait_impls.contains_key(&(krate, path, name))
    }

    /// The impls a call through a trait (`Self::build(..)` in a default method,
    /// `Trait::build(x)`) may reach: every impl of the method, when the call names one.
    pub(super) fn trait_call_targets(&self, krate: usize, target: &Target) -> &[NodeId] {
        let Target::Path(path) = target else {
            return &[];
        };
        let Some((name, trait_path)) = path.split_last() else {
            return &[];
        };
        let key = (krate, trait_path.to_vec(), name.clone());
        self.trait_impls.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The default method `name` of the one trait of `ty`'s that has it (traits by
    /// their path in the crate: a trait of another crate has no default here).
    fn default_method(&self, krate: usize, ty: &str, name: &str) -> Option<NodeId> {
        let traits = self.type_traits.get(&(krate, ty.to_string()))?;
        let mut defaults = (traits.iter())
            .filter_map(|tr| {
                let path: Vec<String> = tr.iter().chain([&name.to_string()]).cloned().collect();
                self.by_path.get(&(krate, path)).copied()
            })
            .filter(|&id| self.summary_of(id).trait_default && !self.overridden(krate, id));
        match (defaults.next(), defaults.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// The paths the `pub use` items of `path`'s module make it stand for.
    pub(super) fn reexport_targets(&self, krate: usize, path: &[String]) -> Vec<Vec<String>> {
        let Some((name, module)) = path.split_last() else {
            return Vec::new();
        };
        let Some(reexports) = self.reexports.get(&(krate, module.to_vec())) else {
            return Vec::new();
        };
        (reexports.iter())
            .filter_map(|(bound, target)| match bound {
                Some(bound) if bound == name => Some(target.clone()),
                Some(_) => None,
                None => Some(target.iter().chain([name]).cloned().collect()),
            })
            .collect()
    }
}

/// The words on the lines of `text` that start with `impl` (`impl Store {`,
/// `impl<T> Drop for Store<T>`): where a method of a type named by one may be, a cheap
/// stand-in for a parse.
pub(super) fn impl_line_words(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|line| {
            let line = line.trim_start();
            line.starts_with("impl")
                || line.starts_with("unsafe impl")
                || line.starts_with("pub impl")
        })
        .flat_map(|line| {
            line.split(|c: char| !(c == '_' || c.is_alphanumeric()))
                .filter(|word| !word.is_empty())
        })
}

/// For a crate's files, which of them have each word on an `impl` line: each file read
/// once, however many types the pass looks for.
pub(super) fn impl_index(files: &[&PathBuf]) -> HashMap<String, Vec<PathBuf>> {
    use rayon::prelude::*;
    let words: Vec<(PathBuf, HashSet<String>)> = files
        .par_iter()
        .filter_map(|file| {
            let text = crate::syntax::source::read_text(file).ok()?;
            let words: HashSet<String> = impl_line_words(&text).map(String::from).collect();
            (!words.is_empty()).then(|| ((*file).clone(), words))
        })
        .collect();
    let mut index: HashMap<String, Vec<PathBuf>> = HashMap::new();
    for (file, words) in words {
        for word in words {
            index.entry(word).or_default().push(file.clone());
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impl_lines_are_found_by_type_name() {
        let has_impl_of = |text: &str, ty: &str| impl_line_words(text).any(|w| w == ty);
        assert!(has_impl_of("x\nimpl Store {\n", "Store"));
        assert!(has_impl_of("  impl<T: Send> Drop for Store<T> {", "Store"));
        assert!(has_impl_of("unsafe impl Send for Store {}", "Store"));
        assert!(!has_impl_of("impl StoreBuilder {", "Store"));
        assert!(!has_impl_of(
            "let s = Store::new();\nimpl Other {}",
            "Store"
        ));
        assert!(!has_impl_of("fn f(s: Store) {}", "Store"));
    }
}
