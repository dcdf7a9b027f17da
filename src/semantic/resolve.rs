//! Name resolution: `use` trees, aliases, globs and local shadowing → canonical paths.
//!
//! The model is Rust's own, trimmed to what a linter needs: each module and each block
//! is a frame of names; module frames do not see their parents' names; a local item
//! always wins; a glob only counts when it is the one known module that can supply the
//! name. Anything uncertain resolves to `Unknown`, and unknown calls are never reported.

use std::collections::HashMap;

use syn::Item;

use super::frame::{Binding, Frame, Local};
use super::local_path::{relative_path, LocalPath};
use super::ownership::Shape;
use super::parent::ParentNames;
use crate::catalog::ty::{
    Ty, Wrap, DISPATCH_PREFIX, GENERIC_CARRIERS, LOCAL_TYPE_PREFIX, LOCKS_HOLDING,
    TRANSPARENT_WRAPPERS,
};
use crate::catalog::Catalog;
use crate::syntax::expr::first_type_arg;

/// The outcome of resolving a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// An item outside this crate, by canonical path (`std::fs::read`).
    External(String),
    /// Something this crate defines (a local item, a variable, `crate::`/`self::` paths).
    Local,
    /// Cannot be told with confidence.
    Unknown,
}

/// The stack of frames at the point being analysed.
pub struct Scopes<'c> {
    catalog: &'c Catalog,
    frames: Vec<Frame>,
    /// The names of the file's parent module, when the file is a module whose parent
    /// is another file that was read.
    parent: Option<&'c ParentNames>,
}

impl<'c> Scopes<'c> {
    pub fn new(catalog: &'c Catalog, parent: Option<&'c ParentNames>) -> Self {
        Scopes {
            catalog,
            frames: Vec::new(),
            parent,
        }
    }

    /// What each name of the innermost module resolves to there, and whether the
    /// module has globs (names it does not list may come in through them).
    pub fn module_names(&self) -> (HashMap<String, Resolution>, bool) {
        let Some(frame) = self.module_frame(0) else {
            return (HashMap::new(), false);
        };
        let names = (frame.names.iter())
            .map(|(name, binding)| {
                let resolution = match binding {
                    Binding::Local(_) => Resolution::Local,
                    Binding::Import(target) => self.resolve_segments(target, 1),
                };
                (name.clone(), resolution)
            })
            .collect();
        (names, !frame.globs.is_empty())
    }

    /// What the parent module's `name` is, when `depth` module levels up (as in
    /// `module_frame`) is the parent of this file.
    fn parent_name(&self, depth: usize, name: &str) -> Option<Option<&Resolution>> {
        let modules = self.frames.iter().filter(|f| f.is_module).count();
        let parent = self.parent.filter(|_| depth == modules)?;
        Some(parent.get(name))
    }

    /// Enters a module whose items are `items`: the file (`name` is `None`) or an
    /// inline `mod name { .. }` of the current module.
    pub fn push_module(&mut self, name: Option<String>, items: &[Item]) {
        let mut module = self.current_module().to_vec();
        module.extend(name);
        let mut frame = Frame {
            is_module: true,
            module,
            ..Frame::default()
        };
        frame.add_items(items.iter());
        frame.note_same_name_items();
        self.frames.push(frame);
    }

    /// Enters a block whose item statements are `items`.
    pub fn push_block<'a>(&mut self, items: impl Iterator<Item = &'a Item>) {
        let mut frame = Frame {
            module: self.current_module().to_vec(),
            ..Frame::default()
        };
        frame.add_items(items);
        self.frames.push(frame);
    }

    /// Whether the code at hand is a module's item list (not inside a fn body).
    pub fn at_module_level(&self) -> bool {
        self.frames.last().is_some_and(|f| f.is_module)
    }

    /// The inline module path of the code at hand, from the file's top.
    pub fn current_module(&self) -> &[String] {
        self.frames.last().map_or(&[], |f| &f.module)
    }

    /// The crate-local path `path` names, when it names an item of this crate that is
    /// not local to a block. `Self::` is the caller's to handle.
    pub fn resolve_local(&self, path: &syn::Path) -> Option<LocalPath> {
        if path.leading_colon.is_some() {
            return None;
        }
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.local_segments(&segments)
    }

    /// `resolve_local` on segments: the item path a local name (an item, or a `use`
    /// of a `crate::`/`self::`/`super::` path) stands for.
    pub fn local_segments(&self, segments: &[String]) -> Option<LocalPath> {
        let first = segments.first()?;
        if matches!(first.as_str(), "crate" | "self" | "super") {
            return relative_path(self.current_module(), segments);
        }
        for frame in self.visible() {
            // A variable shadows a name, never the first segment of a path (`migrate::add`
            // with a variable `migrate` in scope is still the module's fn).
            if segments.len() == 1 && frame.locals.iter().any(|l| l.name == *first) {
                return None;
            }
            if let (1, Some(item)) = (segments.len(), frame.same_name_items.get(first)) {
                return Some(item.clone());
            }
            match frame.names.get(first) {
                Some(Binding::Local(path)) => return Some(path.as_ref()?.joined(&segments[1..])),
                Some(Binding::Import(target)) => {
                    // `use store::Store;` where `store` is a module of this crate.
                    let head = target.first()?;
                    if head == first || segments.len() + target.len() > 64 {
                        return None;
                    }
                    let base = self.local_item(head)?;
                    return Some(base.joined(&target[1..]).joined(&segments[1..]));
                }
                None => {}
            }
        }
        None
    }

    /// The path of a crate-local item named `name` visible here (not a variable).
    fn local_item(&self, name: &str) -> Option<LocalPath> {
        for frame in self.visible() {
            if frame.locals.iter().any(|l| l.name == name) {
                return None;
            }
            match frame.names.get(name) {
                Some(Binding::Local(path)) => return path.clone(),
                Some(Binding::Import(_)) => return None,
                None => {}
            }
        }
        None
    }

    pub fn pop(&mut self) {
        self.frames.pop();
    }

    /// Declares a variable in the innermost frame.
    pub fn add_local(&mut self, name: String, ty: Option<Ty>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.locals.push(Local {
                name,
                ty,
                shape: Shape::Unknown,
            });
        }
    }

    /// How many frames are open: a fn's parameters go in the last one when it enters.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    /// The frame (counted from the outermost) that holds the variable `name` in scope.
    pub fn local_frame(&self, name: &str) -> Option<usize> {
        let module = self.frames.iter().rposition(|f| f.is_module).unwrap_or(0);
        (module..self.frames.len())
            .rev()
            .find(|&i| self.frames[i].locals.iter().any(|l| l.name == name))
    }

    /// The frames visible from here: innermost first, up to the nearest module.
    fn visible(&self) -> impl Iterator<Item = &Frame> {
        let module = self.frames.iter().rposition(|f| f.is_module).unwrap_or(0);
        self.frames[module..].iter().rev()
    }

    /// The module frame `depth` levels up (0 = the current module), for `self::`/`super::`.
    fn module_frame(&self, depth: usize) -> Option<&Frame> {
        self.frames.iter().rev().filter(|f| f.is_module).nth(depth)
    }

    /// The type of variable `name`, if it is a variable: `Some(None)` when untyped.
    pub fn local_type(&self, name: &str) -> Option<Option<&Ty>> {
        for frame in self.visible() {
            if let Some(local) = frame.locals.iter().rev().find(|l| l.name == name) {
                return Some(local.ty.as_ref());
            }
            if frame.names.contains_key(name) {
                return None;
            }
        }
        None
    }

    /// Records how the variable `name` just declared in the innermost frame holds its value.
    pub fn set_shape(&mut self, name: &str, shape: Shape) {
        let local = (self.frames.last_mut())
            .and_then(|frame| frame.locals.iter_mut().rev().find(|l| l.name == name));
        if let Some(local) = local {
            local.shape = shape;
        }
    }

    /// How variable `name` holds its value; `None` when `name` is no variable.
    pub fn local_shape(&self, name: &str) -> Option<Shape> {
        for frame in self.visible() {
            if let Some(local) = frame.locals.iter().rev().find(|l| l.name == name) {
                return Some(local.shape);
            }
            if frame.names.contains_key(name) {
                return None;
            }
        }
        None
    }

    /// Resolves an expression path (a call's callee, a `Type::assoc` path).
    pub fn resolve_value(&self, path: &syn::Path) -> Resolution {
        if path.segments.len() == 1
            && self
                .local_type(&path.segments[0].ident.to_string())
                .is_some()
        {
            return Resolution::Local;
        }
        self.resolve(path)
    }

    /// Resolves a path in the type or module namespace.
    pub fn resolve(&self, path: &syn::Path) -> Resolution {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_some() {
            return external(segments);
        }
        self.resolve_segments(&segments, 0)
    }

    fn resolve_segments(&self, segments: &[String], depth: usize) -> Resolution {
        self.resolve_with(segments, depth, true)
    }

    /// `via_globs` is off when resolving a glob's own path: following globs from globs
    /// would be exponential in their number, and real globs name modules directly.
    fn resolve_with(&self, segments: &[String], depth: usize, via_globs: bool) -> Resolution {
        let Some(first) = segments.first() else {
            return Resolution::Unknown;
        };
        if depth > 8 {
            return Resolution::Unknown;
        }
        match first.as_str() {
            "crate" | "Self" => return Resolution::Local,
            "self" | "super" => return self.resolve_relative(segments),
            _ => {}
        }
        for frame in self.visible() {
            if frame.locals.iter().any(|l| l.name == *first) && segments.len() == 1 {
                return Resolution::Local;
            }
            match frame.names.get(first) {
                Some(Binding::Local(_)) => return Resolution::Local,
                Some(Binding::Import(target)) => {
                    let mut full = target.clone();
                    full.extend_from_slice(&segments[1..]);
                    return self.expand_import(full, depth, via_globs);
                }
                None => {}
            }
        }
        // A glob cannot bring in a name that clashes with a crate the catalogue knows.
        if segments.len() >= 2 && self.catalog.knows_prefix(first) {
            return external(segments.to_vec());
        }
        let through_globs = if via_globs {
            self.resolve_through_globs(segments, depth)
        } else {
            None
        };
        match through_globs {
            Some(resolution) => resolution,
            // `std::fs::read`, `tokio::spawn`: a crate from the extern prelude.
            None if segments.len() >= 2 => external(segments.to_vec()),
            None => Resolution::Unknown,
        }
    }

    /// An import's path may start with a name imported by a sibling `use`, or with a
    /// module of this crate (`mod store; use store::Store;`).
    fn expand_import(&self, full: Vec<String>, depth: usize, via_globs: bool) -> Resolution {
        let head = &full[0];
        // An import names items, never variables: a `let config` in scope does not hide
        // the `mod config` a `use config::Config` starts from. An import whose path
        // starts with the name it binds (`use glob::glob;`) starts from what that name
        // meant before it: a module in scope, else the crate.
        let mut items = (self.visible().filter_map(|frame| frame.names.get(head)))
            .filter(|binding| !matches!(binding, Binding::Import(t) if t[0] == *head));
        match items.next() {
            Some(Binding::Local(_)) => Resolution::Local,
            Some(Binding::Import(_)) => self.resolve_with(&full, depth + 1, via_globs),
            None => external(full),
        }
    }

    /// `self::x` and `super::x`, through the module frames of this file.
    fn resolve_relative(&self, segments: &[String]) -> Resolution {
        let supers = segments.iter().take_while(|s| *s == "super").count();
        let rest: &[String] = if supers > 0 {
            &segments[supers..]
        } else {
            &segments[1..]
        };
        let Some(name) = rest.first() else {
            return Resolution::Local;
        };
        let Some(frame) = self.module_frame(supers) else {
            return match self.parent_name(supers, name) {
                Some(Some(Resolution::External(path))) => external(
                    std::iter::once(path.clone())
                        .chain(rest[1..].to_vec())
                        .collect(),
                ),
                Some(Some(Resolution::Local)) => Resolution::Local,
                _ => Resolution::Unknown,
            };
        };
        match frame.names.get(name) {
            Some(Binding::Import(target)) => {
                let mut full = target.clone();
                full.extend_from_slice(&rest[1..]);
                external(full)
            }
            _ => Resolution::Local,
        }
    }

    /// `None` when no glob is in scope; otherwise the glob's verdict.
    fn resolve_through_globs(&self, segments: &[String], depth: usize) -> Option<Resolution> {
        let mut any_glob = false;
        let mut unknown_glob = false;
        let mut candidates: Vec<Resolution> = Vec::new();
        for frame in self.visible() {
            for glob in &frame.globs {
                any_glob = true;
                match self.glob_supplies(glob, segments, depth) {
                    GlobVerdict::Supplies(resolution) => candidates.push(resolution),
                    GlobVerdict::DoesNot => {}
                    GlobVerdict::Unsure => unknown_glob = true,
                }
            }
        }
        if !any_glob {
            return None;
        }
        Some(match (unknown_glob, candidates.as_slice()) {
            (false, [only]) => only.clone(),
            // A name the known globs cannot supply still needs a crate path.
            (false, []) if segments.len() >= 2 => external(segments.to_vec()),
            _ => Resolution::Unknown,
        })
    }

    /// Whether `use <glob>::*` brings in `segments[0]`, and as what.
    fn glob_supplies(&self, glob: &[String], segments: &[String], depth: usize) -> GlobVerdict {
        // `use super::*` (the test-module idiom): the parent module's own names.
        if !glob.is_empty() && glob.iter().all(|s| s == "super") {
            let Some(frame) = self.module_frame(glob.len()) else {
                return self.parent_supplies(glob.len(), segments);
            };
            return match frame.names.get(&segments[0]) {
                Some(Binding::Local(_)) => GlobVerdict::Supplies(Resolution::Local),
                Some(Binding::Import(target)) => {
                    let mut full = target.clone();
                    full.extend_from_slice(&segments[1..]);
                    GlobVerdict::Supplies(external(full))
                }
                None if frame.globs.is_empty() => GlobVerdict::DoesNot,
                None => GlobVerdict::Unsure,
            };
        }
        let Resolution::External(module) = self.resolve_with(glob, depth + 1, false) else {
            return GlobVerdict::Unsure;
        };
        if !self.catalog.knows_prefix(&module) {
            return GlobVerdict::Unsure;
        }
        if self
            .catalog
            .knows_prefix(&format!("{module}::{}", segments[0]))
        {
            GlobVerdict::Supplies(Resolution::External(format!(
                "{module}::{}",
                segments.join("::")
            )))
        } else {
            GlobVerdict::DoesNot
        }
    }

    /// Whether the parent file's module (`depth` levels up) supplies `segments[0]`
    /// through `use super::*`.
    fn parent_supplies(&self, depth: usize, segments: &[String]) -> GlobVerdict {
        let Some(parent) = self.parent_name(depth, &segments[0]) else {
            return GlobVerdict::Unsure;
        };
        match parent {
            Some(Resolution::Local) => GlobVerdict::Supplies(Resolution::Local),
            Some(Resolution::External(path)) => {
                let full = std::iter::once(path.clone()).chain(segments[1..].to_vec());
                GlobVerdict::Supplies(external(full.collect()))
            }
            Some(Resolution::Unknown) => GlobVerdict::Unsure,
            None if self.parent.is_some_and(|p| p.has_globs()) => GlobVerdict::Unsure,
            None => GlobVerdict::DoesNot,
        }
    }

    /// Whether the trait at canonical `trait_path` is imported here.
    pub fn trait_in_scope(&self, trait_path: &str) -> bool {
        let (module, name) = trait_path.rsplit_once("::").unwrap_or(("", trait_path));
        self.visible().any(|frame| {
            // Only an import that ends in the trait's own name can be it (the cheap test
            // first: this runs for every call of a catalogued trait method's name).
            frame.imports.iter().any(|import| {
                import.last().is_some_and(|last| last == name)
                    && self.resolve_with(import, 1, false)
                        == Resolution::External(trait_path.to_string())
            }) || frame.globs.iter().any(|glob| {
                self.resolve_with(glob, 1, false) == Resolution::External(module.to_string())
                    && !frame.names.contains_key(name)
            })
        })
    }

    /// The type of a value known only by its bounds (`impl Fs + Send`, `dyn Fs`, `T: Fs`):
    /// `dyn::Fs` when exactly one of them is a trait of this crate.
    pub fn dispatch_type<'x>(
        &self,
        bounds: impl Iterator<Item = &'x syn::TypeParamBound>,
    ) -> Option<Ty> {
        let mut local = bounds.filter_map(|bound| match bound {
            syn::TypeParamBound::Trait(t) if t.lifetimes.is_none() => {
                let last = t.path.segments.last()?;
                let own =
                    matches!(self.resolve(&t.path), Resolution::Local) && last.ident != "Self";
                own.then(|| last.ident.to_string())
            }
            _ => None,
        });
        match (local.next(), local.next()) {
            (Some(name), None) => Some(Ty::named(format!("{DISPATCH_PREFIX}{name}"))),
            _ => None,
        }
    }

    /// Resolves a written type to the receiver type methods are looked up on.
    pub fn resolve_type(&self, ty: &syn::Type) -> Option<Ty> {
        match ty {
            syn::Type::Reference(r) => self.resolve_type(&r.elem),
            syn::Type::Paren(p) => self.resolve_type(&p.elem),
            syn::Type::TraitObject(t) => self.dispatch_type(t.bounds.iter()),
            syn::Type::ImplTrait(t) => self.dispatch_type(t.bounds.iter()),
            syn::Type::Group(g) => self.resolve_type(&g.elem),
            // A slice or an array iterates as a `Vec` does: by its element type.
            syn::Type::Slice(syn::TypeSlice { elem, .. })
            | syn::Type::Array(syn::TypeArray { elem, .. }) => {
                let inner = self.resolve_type(elem)?;
                Some(Ty::named(format!("std::vec::Vec<{}>", inner.plain()?)))
            }
            syn::Type::Path(tp) if tp.qself.is_none() => {
                let last = tp.path.segments.last()?;
                // The first type argument (`Result<Self, Error>` is not an `Error`).
                let first_arg = || match &last.arguments {
                    syn::PathArguments::AngleBracketed(args) => {
                        first_type_arg(args).and_then(|t| self.resolve_type(t))
                    }
                    _ => None,
                };
                let resolved = match self.resolve(&tp.path) {
                    Resolution::External(path) => path,
                    // A type of this crate: fields are looked up by its name.
                    Resolution::Local if last.ident != "Self" => {
                        return Some(Ty::named(format!("{LOCAL_TYPE_PREFIX}{}", last.ident)));
                    }
                    Resolution::Local => return None,
                    // Unimported single names can only be prelude types.
                    Resolution::Unknown if tp.path.segments.len() == 1 => {
                        match last.ident.to_string().as_str() {
                            "Box" => "std::boxed::Box".to_string(),
                            "Vec" => "std::vec::Vec".to_string(),
                            "Option" => "std::option::Option".to_string(),
                            "Result" => "std::result::Result".to_string(),
                            "String" => "std::string::String".to_string(),
                            "str" => "std::primitive::str".to_string(),
                            _ => return None,
                        }
                    }
                    Resolution::Unknown => return None,
                };
                let resolved = canonical(resolved);
                if TRANSPARENT_WRAPPERS.contains(&resolved.as_str()) {
                    return first_arg();
                }
                if LOCKS_HOLDING.contains(&resolved.as_str()) {
                    let inner = first_arg().map(Box::new);
                    return Some(Ty {
                        inner,
                        ..Ty::named(resolved)
                    });
                }
                if GENERIC_CARRIERS.contains(&resolved.as_str()) {
                    let inner = first_arg()?;
                    return Some(Ty::named(format!("{resolved}<{}>", inner.plain()?)));
                }
                let wrap = match resolved.as_str() {
                    "std::option::Option" => Wrap::Option,
                    // A library's `Result<T>` alias (`io::Result`, `anyhow::Result`).
                    r if r.ends_with("::Result") => Wrap::Result,
                    _ => return Some(Ty::named(resolved)),
                };
                let inner = first_arg()?;
                (inner.wrap == Wrap::None && inner.elems.is_empty()).then_some(Ty { wrap, ..inner })
            }
            _ => None,
        }
    }
}

enum GlobVerdict {
    Supplies(Resolution),
    DoesNot,
    Unsure,
}

fn external(segments: Vec<String>) -> Resolution {
    Resolution::External(canonical(segments.join("::")))
}

/// `core::` and `alloc::` items are the same items as their `std::` re-exports.
fn canonical(path: String) -> String {
    for prefix in ["core::", "alloc::"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return format!("std::{rest}");
        }
    }
    path
}
