//! Paths mode's view of the rest of the workspace. Naming a file (as pre-commit does
//! with the staged ones) reports the findings in it, and also the findings elsewhere in
//! its workspace whose chain passes through it: staging only the helper that just
//! became blocking must fail the commit. So the member packages' crates are followed
//! into, and their files are checked as context, reported only through a named file.
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::glob::glob_match;
use super::layout::{role_of, Role};
use super::manifest::ManifestCache;
use super::workspace::{package_modules, Discovered};
use crate::catalog::runtime::Runtime;
use crate::rules::transitive::graph::CrateRoot;
use crate::syntax::modtree::{normalize, ModuleTree};

/// A file checked as context: its path, package root, role and runtime.
pub struct ContextFile {
    pub path: PathBuf,
    pub package: PathBuf,
    pub role: Role,
    pub runtime: Runtime,
}

/// Adds the crates of every member of the named files' workspaces, and returns their
/// files as context when a named file is a module of one of the workspace's crates.
pub fn workspace_context(
    found: &mut Discovered,
    manifests: &mut ManifestCache,
) -> Vec<ContextFile> {
    let mut out = Vec::new();
    let named: HashSet<PathBuf> = found.files.iter().map(|f| normalize(&f.path)).collect();
    let packages: HashSet<PathBuf> = (found.files.iter())
        .filter_map(|f| f.package.clone())
        .collect();
    let mut workspaces: Vec<PathBuf> = packages.iter().map(|p| manifests.workspace_of(p)).collect();
    workspaces.sort();
    workspaces.dedup();
    let mut members_of = Vec::new();
    for workspace in workspaces {
        let members = member_roots(&workspace);
        for member in &members {
            let (runtime, _) = manifests.package_of(&member.join("Cargo.toml"));
            manifests.crates_of(member, runtime, &mut found.crates);
        }
        members_of.push((workspace, members));
    }
    // Only a named file that is a module of the workspace can be on a chain. The trees
    // built here (in parallel: lexing is most of this) are kept for the call graph.
    {
        use rayon::prelude::*;
        (found.crates.par_iter_mut())
            .filter(|krate| krate.modules.is_none())
            .for_each(|krate| {
                krate.modules = Some(Arc::new(ModuleTree::of_crate(&krate.root_file)))
            });
    }
    let mut crates_of: std::collections::HashMap<&Path, Vec<CrateRoot>> = Default::default();
    for krate in &found.crates {
        crates_of
            .entry(&krate.workspace)
            .or_default()
            .push(krate.clone());
    }
    for (workspace, members) in &members_of {
        let crates = crates_of
            .get(workspace.as_path())
            .map_or(&[][..], Vec::as_slice);
        let modules = package_modules(crates);
        if !modules.keys().any(|m| named.contains(m)) {
            continue;
        }
        let member_roots: HashSet<PathBuf> = members.iter().map(|m| normalize(m)).collect();
        let mut files: Vec<(&PathBuf, bool)> = (modules.iter())
            .filter(|(file, _)| !named.contains(*file))
            .map(|(file, test)| (file, *test))
            .collect();
        files.sort();
        for (file, test_module) in files {
            // A file belongs to the package of the nearest manifest above it.
            let (runtime, Some(root)) = manifests.package_of(file) else {
                continue;
            };
            let root = normalize(&root);
            if !member_roots.contains(&root) {
                continue;
            }
            let role = match role_of(file, &root) {
                Role::Source if test_module => Role::Test,
                role => role,
            };
            out.push(ContextFile {
                path: file.clone(),
                package: root,
                role,
                runtime,
            });
        }
    }
    out
}

/// The package roots of a workspace: its `members` (globs expanded), less `exclude`,
/// and the root package; a package on its own is its own only member.
fn member_roots(workspace: &Path) -> Vec<PathBuf> {
    let manifest: toml::Table = std::fs::read_to_string(workspace.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let mut roots = Vec::new();
    if manifest.contains_key("package") {
        roots.push(workspace.to_path_buf());
    }
    let Some(table) = manifest.get("workspace") else {
        return roots;
    };
    let globs = |key: &str| -> Vec<String> {
        let list = table.get(key).and_then(toml::Value::as_array);
        (list.into_iter().flatten())
            .filter_map(toml::Value::as_str)
            .map(|g| g.trim_end_matches('/').to_string())
            .collect()
    };
    let (members, exclude) = (globs("members"), globs("exclude"));
    let mut candidates = Vec::new();
    package_dirs(workspace, workspace, 0, &mut candidates);
    for dir in candidates {
        let relative = dir.strip_prefix(workspace).unwrap_or(&dir);
        let relative = relative.to_string_lossy().replace('\\', "/");
        let listed = |globs: &[String]| globs.iter().any(|g| glob_match(g, &relative));
        if listed(&members) && !listed(&exclude) {
            roots.push(dir);
        }
    }
    roots
}

/// Directories below `dir` (a few levels deep) that hold a `Cargo.toml`.
fn package_dirs(root: &Path, dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 3 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = (entries.flatten())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            !name.starts_with('.') && name != "target"
        })
        .collect();
    dirs.sort();
    for sub in dirs {
        if sub.join("Cargo.toml").is_file() && sub != root {
            out.push(sub.clone());
        }
        package_dirs(root, &sub, depth + 1, out);
    }
}
