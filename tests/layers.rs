//! The shape of `src/`: layers import only downward, no file outgrows ~600 lines, and
//! the README's Layout table names exactly the files there are.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Bottom first: each layer may use only the layers before it.
const LAYERS: &[&str] = &[
    "diagnostic",
    "syntax",
    "catalog",
    "semantic",
    "rules",
    "checker",
    "driver",
    "report",
    "fix",
    "server",
    "cli",
];

const MAX_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/` (`rules/calls.rs` → `[rules, calls]`,
/// `rules/mod.rs` → `[rules]`).
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// The top-level modules a file names through `crate::x` or enough `super::`s.
struct Uses {
    module: Vec<String>,
    found: BTreeSet<String>,
}

impl Uses {
    fn segments(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        if first == "crate" {
            if let Some(next) = segments.get(1) {
                self.found.insert(next.clone());
            }
            return;
        }
        let supers = segments.iter().take_while(|s| *s == "super").count();
        // `super` counts from the file's own module, which a `mod.rs` is.
        if supers > 0 && supers == self.module.len() {
            if let Some(next) = segments.get(supers) {
                self.found.insert(next.clone());
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.segments(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.segments(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.segments(&prefix.clone()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.segments(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }
}

/// Every `(file, top-level module it lives in, top-level module it uses)`.
fn edges() -> Vec<(String, String, String)> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut edges = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap().to_path_buf();
        let module = module_path(&relative);
        let Some(top) = module.first().cloned() else {
            continue;
        };
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut uses = Uses {
            module,
            found: BTreeSet::new(),
        };
        uses.visit_file(&ast);
        for used in uses.found {
            if used != top {
                edges.push((relative.display().to_string(), top.clone(), used));
            }
        }
    }
    edges
}

#[test]
fn layers_import_only_downward() {
    let rank = |name: &str| LAYERS.iter().position(|l| *l == name);
    let mut upward = Vec::new();
    for (file, from, to) in edges() {
        let from_rank = rank(&from).unwrap_or_else(|| {
            panic!("`{from}` is in no layer: add it to LAYERS (tests/layers.rs) and the README")
        });
        let to_rank = rank(&to).unwrap_or_else(|| panic!("{file} uses `crate::{to}`, in no layer"));
        if to_rank > from_rank {
            upward.push(format!("{file}: `{from}` uses `{to}`, a layer above it"));
        }
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}

#[test]
fn the_checker_finds_an_upward_edge() {
    // The check itself: a path from a lower layer to a higher one is seen.
    let ast: syn::File = syn::parse_str(
        "use crate::driver::scan; use super::super::cli; fn f() { crate::report::x(); }",
    )
    .unwrap();
    let mut uses = Uses {
        module: vec!["rules".into(), "calls".into()],
        found: BTreeSet::new(),
    };
    uses.visit_file(&ast);
    let found: Vec<&str> = uses.found.iter().map(String::as_str).collect();
    assert_eq!(found, ["cli", "driver", "report"]);
}

#[test]
fn no_source_file_is_over_the_limit() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_readme_layout_table_names_every_source_file() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("\n## Layout\n").expect("a Layout section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let table: String = section
        .lines()
        .filter(|line| line.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n");
    let named: BTreeSet<String> = table
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.ends_with(".rs") || s.ends_with('/'))
        .map(String::from)
        .collect();
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap().display().to_string();
        if !named.contains(&relative) {
            problems.push(format!("`{relative}` is not in the README's Layout table"));
        }
    }
    for name in &named {
        if !root.join(name).exists() {
            problems.push(format!(
                "the Layout table names `{name}`, which is not in src/"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
