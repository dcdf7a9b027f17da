//! Finding a fn the graph has by what a call names: its path (where it is defined, a
//! method of a type there, or through the `pub use` items of the modules on the way),
//! or a method of a type by the type's name.
use super::{Graph, NodeId, Target};

impl Graph<'_> {
    pub(super) fn lookup(&self, krate: usize, target: &Target) -> Option<NodeId> {
        match target {
            Target::Path(path) => self.lookup_path(krate, path, 0),
            Target::Method { ty, name } => self.method(krate, ty, name),
        }
    }

    /// A fn by path: where it is defined, a method of a type there, or through the
    /// `pub use` items of the module on the way (a few re-exports deep, so that globs
    /// that name each other end).
    pub(super) fn lookup_path(
        &self,
        krate: usize,
        path: &[String],
        depth: usize,
    ) -> Option<NodeId> {
        if let Some(&id) = self.by_path.get(&(krate, path.to_vec())) {
            return Some(id);
        }
        if let [.., ty, name] = path {
            if let Some(id) = self.method(krate, ty, name) {
                return Some(id);
            }
        }
        let (name, module) = path.split_last()?;
        if depth >= 4 {
            return None;
        }
        let reexports = self.reexports.get(&(krate, module.to_vec()))?;
        reexports.iter().find_map(|(bound, target)| match bound {
            Some(bound) if bound == name => self.lookup_path(krate, target, depth + 1),
            Some(_) => None,
            None => {
                let mut inner = target.clone();
                inner.push(name.clone());
                self.lookup_path(krate, &inner, depth + 1)
            }
        })
    }

    /// The one method `name` of the crate's types called `ty` (an inherent method
    /// wins over a trait's); none when two types share the name.
    pub(super) fn method(&self, krate: usize, ty: &str, name: &str) -> Option<NodeId> {
        let found = self
            .by_method
            .get(&(krate, ty.to_string(), name.to_string()))?;
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
