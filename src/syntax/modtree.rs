//! A crate's module tree from its files: `mod x;` declarations (`syntax::moddecl`),
//! `#[path]`, `mod.rs` and `x.rs` + `x/` layouts, each file read once.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::moddecl::declarations;

/// `a/b/../c` → `a/c`, without touching the file system (a symlinked directory is
/// rare in a source tree; a path that does not exist must still compare equal).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A module file the tree has yet to read: its module path, whether it is a
/// `mod.rs`-like file (its children live beside it), whether it is under `cfg(test)`.
struct Pending {
    file: PathBuf,
    module: Vec<String>,
    mod_rs: bool,
    test: bool,
}

impl Pending {
    /// The module files the declarations in its `text` name.
    fn children(&self, text: &str) -> Vec<Pending> {
        let dir = self.file.parent().unwrap_or(Path::new("")).to_path_buf();
        // Where a non-`mod.rs` file's children live: `foo.rs` → `foo/`.
        let own_dir = if self.mod_rs {
            dir.clone()
        } else {
            dir.join(self.file.file_stem().unwrap_or_default())
        };
        let mut out = Vec::new();
        for decl in declarations(text) {
            let mut module = self.module.clone();
            module.extend(decl.inline.iter().cloned());
            module.push(decl.name.clone());
            let mut base = own_dir.clone();
            base.extend(&decl.inline);
            let test = self.test || decl.test;
            let anchor = if decl.inline.is_empty() { &dir } else { &base };
            let child = |file: PathBuf, module: Vec<String>, mod_rs: bool| Pending {
                file,
                module,
                mod_rs,
                test,
            };
            if let Some(path) = &decl.path_attr {
                out.push(child(normalize(&anchor.join(path)), module, true));
                continue;
            }
            for path in &decl.cfg_paths {
                out.push(child(normalize(&anchor.join(path)), module.clone(), true));
            }
            let flat = base.join(format!("{}.rs", decl.name));
            let nested = base.join(&decl.name).join("mod.rs");
            match flat.is_file() {
                true => out.push(child(flat, module, false)),
                false => out.push(child(nested, module, true)),
            }
        }
        out
    }
}

/// Where a crate's modules live: each file with its module path from the crate root
/// (`["config"]` for `src/config.rs`, `[]` for the root itself).
#[derive(Debug, Default)]
pub struct ModuleTree {
    pub files: HashMap<PathBuf, Vec<String>>,
    /// The files reached only through a `#[cfg(test)]` module: test code.
    pub test_files: std::collections::HashSet<PathBuf>,
    /// Declared module files that exist but could not be read, each with whether it is
    /// under `#[cfg(test)]`: still the crate's (a scan reports them), but without children.
    pub unreadable: HashMap<PathBuf, bool>,
}

impl ModuleTree {
    /// The module tree of the crate whose root file is `root`, read from disk.
    pub fn of_crate(root: &Path) -> ModuleTree {
        ModuleTree::build(root, |p| super::source::read_text(p).ok())
    }

    /// Follows the declarations from `root`, reading files with `read`. Missing files
    /// (a `mod` in a macro, a cfg'd-out platform module) are skipped, files that exist
    /// but do not read are noted in `unreadable`; a file reached twice keeps its first
    /// path. The tree grows in breadth-first order, as a queue would grow it. Called
    /// from outside the thread pool, it reads and lexes the files of one depth in
    /// parallel; on a pool thread (trees of many crates built at once) it does not: a
    /// nested wait there can hold its thread behind stolen work (measured: a third of
    /// the corpus scans took 2.5 s longer).
    pub fn build(root: &Path, read: impl Fn(&Path) -> Option<String> + Sync) -> ModuleTree {
        use rayon::prelude::*;
        let parallel = rayon::current_thread_index().is_none();
        let mut tree = ModuleTree::default();
        let mut level = vec![Pending {
            file: normalize(root),
            module: Vec::new(),
            mod_rs: true,
            test: false,
        }];
        while !level.is_empty() {
            level.retain(|p| !tree.files.contains_key(&p.file) && p.module.len() <= 64);
            let read_one = |p: Pending| {
                let children = read(&p.file).map(|text| p.children(&text));
                (p, children)
            };
            let read_level: Vec<(Pending, Option<Vec<Pending>>)> = match parallel {
                true => level.into_par_iter().map(read_one).collect(),
                false => level.into_iter().map(read_one).collect(),
            };
            let mut next = Vec::new();
            for (pending, children) in read_level {
                let Pending {
                    file, module, test, ..
                } = pending;
                if tree.files.contains_key(&file) {
                    continue;
                }
                let Some(children) = children else {
                    if file.is_file() {
                        tree.unreadable.entry(file).or_insert(test);
                    }
                    continue;
                };
                tree.files.insert(file.clone(), module);
                if test {
                    tree.test_files.insert(file);
                }
                next.extend(children);
            }
            level = next;
        }
        tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate of these files in a temporary directory, and its module tree from
    /// `src/lib.rs`.
    fn tree_of(files: &[(&str, &str)]) -> (tempfile::TempDir, ModuleTree) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let tree = ModuleTree::build(&dir.path().join("src/lib.rs"), |p| {
            std::fs::read_to_string(p).ok()
        });
        (dir, tree)
    }

    #[test]
    fn follows_cargo_layouts() {
        let (dir, tree) = tree_of(&[
            (
                "src/lib.rs",
                "mod config; mod db; mod inline { mod nested; }",
            ),
            ("src/config.rs", "mod parse;"),
            ("src/config/parse.rs", ""),
            ("src/db/mod.rs", "#[path = \"../elsewhere.rs\"] mod moved;"),
            ("src/elsewhere.rs", ""),
            ("src/inline/nested.rs", ""),
        ]);
        let root = dir.path();
        let module = |p: &str| tree.files.get(&root.join(p)).map(|m| m.join("::"));
        assert_eq!(module("src/lib.rs").as_deref(), Some(""));
        assert_eq!(module("src/config.rs").as_deref(), Some("config"));
        assert_eq!(
            module("src/config/parse.rs").as_deref(),
            Some("config::parse")
        );
        assert_eq!(module("src/db/mod.rs").as_deref(), Some("db"));
        assert_eq!(module("src/elsewhere.rs").as_deref(), Some("db::moved"));
        assert_eq!(
            module("src/inline/nested.rs").as_deref(),
            Some("inline::nested")
        );
        assert_eq!(tree.files.len(), 6);
        assert!(tree.test_files.is_empty());
        assert!(tree.unreadable.is_empty());
    }

    #[test]
    fn declared_files_that_do_not_read_are_noted() {
        let (dir, _) = tree_of(&[("src/lib.rs", "mod bad;\n#[cfg(test)]\nmod bad_test;")]);
        let root = dir.path();
        std::fs::write(root.join("src/bad.rs"), [0xff, 0xfe, b'x']).unwrap();
        std::fs::write(root.join("src/bad_test.rs"), [0xff]).unwrap();
        let tree = ModuleTree::build(&root.join("src/lib.rs"), |p| {
            std::fs::read_to_string(p).ok()
        });
        assert_eq!(tree.unreadable.get(&root.join("src/bad.rs")), Some(&false));
        assert_eq!(
            tree.unreadable.get(&root.join("src/bad_test.rs")),
            Some(&true)
        );
        assert_eq!(tree.files.len(), 1);
    }

    #[test]
    fn modules_under_cfg_test_are_test_files() {
        let lib = "mod app;\n#[cfg(test)]\nmod checks;\n#[cfg(test)] mod inline { mod helpers; }\n\
                   #[cfg(feature = \"x\")] mod feature;\n\
                   #[cfg_attr(unix, path = \"sys/unix.rs\")]\n\
                   #[cfg_attr(windows, path = \"sys/windows.rs\")]\nmod sys;";
        let (dir, tree) = tree_of(&[
            ("src/lib.rs", lib),
            ("src/app.rs", ""),
            ("src/checks.rs", "mod deeper;"),
            ("src/checks/deeper.rs", ""),
            ("src/inline/helpers.rs", ""),
            ("src/feature.rs", ""),
            ("src/sys/unix.rs", ""),
            ("src/sys/windows.rs", ""),
        ]);
        let root = dir.path();
        let test = |p: &str| tree.test_files.contains(&root.join(p));
        // Both platforms' files belong to the crate.
        assert!(tree.files.contains_key(&root.join("src/sys/unix.rs")));
        assert!(tree.files.contains_key(&root.join("src/sys/windows.rs")));
        assert!(
            test("src/checks.rs") && test("src/checks/deeper.rs") && test("src/inline/helpers.rs")
        );
        assert!(!test("src/app.rs") && !test("src/feature.rs") && !test("src/lib.rs"));
        assert_eq!(tree.files.len(), 8);
    }
}
