//! The names a file module sees through `use super::*` and `super::x`: what each item and
//! import of its parent module (another file) resolves to there.
use std::collections::HashMap;

use super::resolve::{Resolution, Scopes};
use crate::catalog::Catalog;

/// The parent module's names, resolved in the parent: `Local` for its items and its
/// imports of crate paths, `External` for imports from other crates, `Unknown` where the
/// parent could not tell.
#[derive(Debug, Default)]
pub struct ParentNames {
    names: HashMap<String, Resolution>,
    /// The parent has globs of its own: a name it does not list may still come in.
    has_globs: bool,
    key: String,
}

impl ParentNames {
    /// The names of the module whose file parsed to `file`.
    pub fn of_file(catalog: &Catalog, file: &syn::File) -> ParentNames {
        let mut scopes = Scopes::new(catalog, None);
        scopes.push_module(None, &file.items);
        let (names, has_globs) = scopes.module_names();
        let mut key: Vec<String> = (names.iter())
            .map(|(name, resolution)| format!("{name}={resolution:?}"))
            .collect();
        key.sort();
        key.push(has_globs.to_string());
        ParentNames {
            names,
            has_globs,
            key: key.join(";"),
        }
    }

    /// What `name` is in the parent: `None` when the parent has no such name.
    pub fn get(&self, name: &str) -> Option<&Resolution> {
        self.names.get(name)
    }

    /// Whether a name the parent does not list may still be there (through its globs).
    pub fn has_globs(&self) -> bool {
        self.has_globs
    }

    /// Everything the resolution of a child depends on, for cache keys.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Whether `text`, a file module, imports from its parent at its own level: a line that
/// starts with `use super::` (or a `pub` one). Only such files need the parent's names;
/// others resolve `super::` paths as unknown, which keeps them silent.
pub fn imports_from_parent(text: &str) -> bool {
    // One search of the whole text: most files never say it.
    memchr::memmem::find_iter(text.as_bytes(), b"use super::").any(|at| {
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        matches!(
            &text[line_start..at],
            "" | "pub " | "pub(crate) " | "pub(super) "
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> ParentNames {
        ParentNames::of_file(Catalog::builtin(), &syn::parse_file(source).unwrap())
    }

    #[test]
    fn items_are_local_and_imports_resolve_in_the_parent() {
        let parent = names(
            "mod menu; use menu::Menu; use console::Term; use std::fs as f; \
             use crate::x::Y; struct Local;",
        );
        assert_eq!(parent.get("Menu"), Some(&Resolution::Local));
        assert_eq!(parent.get("menu"), Some(&Resolution::Local));
        assert_eq!(parent.get("Local"), Some(&Resolution::Local));
        assert_eq!(parent.get("Y"), Some(&Resolution::Local));
        assert_eq!(
            parent.get("Term"),
            Some(&Resolution::External("console::Term".into()))
        );
        assert_eq!(
            parent.get("f"),
            Some(&Resolution::External("std::fs".into()))
        );
        assert_eq!(parent.get("Other"), None);
        assert!(!parent.has_globs());
        assert!(names("use super::*; struct A;").has_globs());
    }

    #[test]
    fn only_a_use_of_super_at_the_file_level_counts() {
        assert!(imports_from_parent("use super::*;\nfn f() {}"));
        assert!(imports_from_parent("//! doc\npub(crate) use super::Menu;"));
        assert!(!imports_from_parent("mod tests {\n    use super::*;\n}"));
        assert!(!imports_from_parent("fn f() { super::g() }"));
    }
}
