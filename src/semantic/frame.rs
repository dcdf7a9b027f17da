//! A frame of names, one per module and block: what its items and `use`s bind, its
//! globs and imports, and its variables.
use std::collections::HashMap;

use syn::{Item, UseTree};

use super::local_path::{relative_path, Anchor, LocalPath};
use super::ownership::Shape;
use crate::catalog::ty::Ty;

/// What a name in a frame stands for.
#[derive(Debug, Clone)]
pub(super) enum Binding {
    /// Imported from this path (may itself start with another binding's name).
    Import(Vec<String>),
    /// Defined in this crate (an item, or an import of a crate-local path), with its
    /// path when the item is not local to a block.
    Local(Option<LocalPath>),
}

#[derive(Debug, Default)]
pub(super) struct Frame {
    pub(super) is_module: bool,
    /// The inline modules from the file's top to this frame's module.
    pub(super) module: Vec<String>,
    pub(super) names: HashMap<String, Binding>,
    pub(super) globs: Vec<Vec<String>>,
    /// Every imported path, `as _` included: the traits in scope.
    pub(super) imports: Vec<Vec<String>>,
    /// Variables, in declaration order.
    pub(super) locals: Vec<Local>,
    /// `mod kill; use kill::kill;`: the module keeps the name in `names`, and the item
    /// imported from it under the same name (another namespace) is here, for calls.
    pub(super) same_name_items: HashMap<String, LocalPath>,
}

/// A variable: its receiver type when known, and how a `move` closure could take it.
#[derive(Debug)]
pub(super) struct Local {
    pub(super) name: String,
    pub(super) ty: Option<Ty>,
    pub(super) shape: Shape,
}

impl Frame {
    /// The items imported from a local module under the module's own name.
    pub(super) fn note_same_name_items(&mut self) {
        for path in &self.imports {
            let (Some(first), Some(last)) = (path.first(), path.last()) else {
                continue;
            };
            if path.len() < 2 || first != last {
                continue;
            }
            if let Some(Binding::Local(Some(module))) = self.names.get(first) {
                let item = module.joined(&path[1..]);
                self.same_name_items.insert(first.clone(), item);
            }
        }
    }

    pub(super) fn add_items<'a>(&mut self, items: impl Iterator<Item = &'a Item>) {
        for item in items {
            let ident = match item {
                Item::Use(u) => {
                    self.add_use_tree(Vec::new(), &u.tree);
                    continue;
                }
                Item::ExternCrate(ec) => {
                    let name = ec.ident.to_string();
                    let alias = ec.rename.as_ref().map(|(_, id)| id.to_string());
                    let binding = if name == "self" {
                        Binding::Local(None)
                    } else {
                        Binding::Import(vec![name.clone()])
                    };
                    self.names.insert(alias.unwrap_or(name), binding);
                    continue;
                }
                Item::Fn(f) => &f.sig.ident,
                Item::Mod(m) => &m.ident,
                Item::Struct(s) => &s.ident,
                Item::Enum(e) => &e.ident,
                Item::Union(u) => &u.ident,
                Item::Type(t) => &t.ident,
                Item::Trait(t) => &t.ident,
                Item::TraitAlias(t) => &t.ident,
                Item::Const(c) => &c.ident,
                Item::Static(s) => &s.ident,
                Item::Macro(m) => match &m.ident {
                    Some(ident) => ident,
                    None => continue,
                },
                _ => continue,
            };
            let path = self.is_module.then(|| LocalPath {
                anchor: Anchor::File { up: 0 },
                segments: self
                    .module
                    .iter()
                    .cloned()
                    .chain([ident.to_string()])
                    .collect(),
            });
            self.names.insert(ident.to_string(), Binding::Local(path));
        }
    }

    fn add_use_tree(&mut self, mut prefix: Vec<String>, tree: &UseTree) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_use_tree(prefix, &p.tree);
            }
            UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last().cloned() {
                        self.bind(last, prefix);
                    }
                } else {
                    prefix.push(name.clone());
                    self.bind(name, prefix);
                }
            }
            UseTree::Rename(r) => {
                let name = r.ident.to_string();
                if name != "self" {
                    prefix.push(name);
                }
                let alias = r.rename.to_string();
                if alias == "_" {
                    self.imports.push(prefix);
                } else {
                    self.bind(alias, prefix);
                }
            }
            UseTree::Glob(_) => self.globs.push(prefix),
            UseTree::Group(g) => {
                for item in &g.items {
                    self.add_use_tree(prefix.clone(), item);
                }
            }
        }
    }

    fn bind(&mut self, name: String, path: Vec<String>) {
        self.imports.push(path.clone());
        let local = matches!(
            path.first().map(String::as_str),
            Some("crate" | "self" | "super")
        );
        let binding = if local {
            Binding::Local(relative_path(&self.module, &path))
        } else {
            Binding::Import(path)
        };
        // A local item beats an import of the same name in another namespace.
        if !matches!(self.names.get(&name), Some(Binding::Local(_))) {
            self.names.insert(name, binding);
        }
    }
}
