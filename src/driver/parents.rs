//! Which file is each file module's parent (from the crates' module trees), and the
//! parent's names, read and resolved once per parent, for `use super::*`.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::check::guarded;
use crate::catalog::Catalog;
use crate::rules::transitive::graph::CrateRoot;
use crate::semantic::parent::{imports_from_parent, ParentNames};
use crate::syntax::modtree::normalize;
use crate::syntax::source;

#[derive(Default)]
pub(super) struct ParentFiles {
    /// Each file module's parent file; `None` where the crates disagree.
    parent_of: HashMap<PathBuf, Option<PathBuf>>,
    /// Each parent file's names, once read; `None` when it did not read or parse.
    names: HashMap<PathBuf, OnceLock<Option<ParentNames>>>,
}

impl ParentFiles {
    /// The parents in the module trees discovery built. A module declared inside an
    /// inline module has no parent file here (its parent's names are not the file's).
    pub(super) fn of_crates(crates: &[CrateRoot]) -> ParentFiles {
        let mut parents = ParentFiles::default();
        for tree in crates.iter().filter_map(|c| c.modules.as_deref()) {
            let file_of: HashMap<&[String], &PathBuf> = (tree.files.iter())
                .map(|(file, module)| (module.as_slice(), file))
                .collect();
            for (file, module) in &tree.files {
                let Some((_, parent_module)) = module.split_last() else {
                    continue;
                };
                let parent = file_of.get(parent_module).map(|p| (*p).clone());
                let entry = parents.parent_of.entry(file.clone());
                let known = entry.or_insert_with(|| parent.clone());
                if *known != parent {
                    *known = None;
                }
            }
        }
        for parent in parents.parent_of.values().flatten() {
            parents.names.entry(parent.clone()).or_default();
        }
        parents
    }

    /// The names of the parent of `file` (whose text is `text`), when the file imports
    /// from its parent at its own level and the parent is a file that parses.
    pub(super) fn names_for(
        &self,
        catalog: &Catalog,
        file: &Path,
        text: &str,
    ) -> Option<&ParentNames> {
        if self.parent_of.is_empty() || !imports_from_parent(text) {
            return None;
        }
        let parent = self.parent_of.get(&normalize(file))?.as_ref()?;
        let names = self.names.get(parent)?;
        names.get_or_init(|| read_names(catalog, parent)).as_ref()
    }
}

fn read_names(catalog: &Catalog, parent: &Path) -> Option<ParentNames> {
    let text = source::read_text(parent).ok()?;
    // The module level only: the items' bodies do not matter, and a parse of them would
    // cost as much as checking the parent.
    let module_level = crate::syntax::module_level::module_level_source(&text);
    if crate::syntax::nesting::too_deep_to_parse(&module_level).is_some() {
        return None;
    }
    let names = guarded(|| {
        let ast = syn::parse_file(&module_level).ok()?;
        Some(ParentNames::of_file(catalog, &ast))
    });
    proc_macro2::extra::invalidate_current_thread_spans();
    names.ok().flatten()
}
