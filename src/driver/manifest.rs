//! What a manifest says without cargo: the package a loose file belongs to, its crate
//! roots by cargo's layout, its workspace and its runtime (paths mode runs no cargo).
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::glob::glob_match;
use super::workspace::PackageInfo;
use crate::catalog::runtime::{Features, Runtime};
use crate::rules::transitive::graph::CrateRoot;
use crate::syntax::modtree::normalize;

/// The package (runtime and root directory) of loose files, from the nearest manifest.
#[derive(Default)]
pub struct ManifestCache {
    by_dir: HashMap<PathBuf, Option<(Runtime, PathBuf)>>,
    crates_known: std::collections::HashSet<PathBuf>,
    /// Manifests that do not parse, as messages.
    pub broken: Vec<String>,
    workspaces: HashMap<PathBuf, PathBuf>,
}

impl ManifestCache {
    pub fn workspace_of(&mut self, package_root: &Path) -> PathBuf {
        (self.workspaces)
            .entry(package_root.to_path_buf())
            .or_insert_with(|| workspace_root_of(package_root))
            .clone()
    }

    /// The crates of the package at `root` by cargo's default layout (`src/lib.rs`,
    /// `src/main.rs`, `src/bin/`), or the paths its manifest gives; once per package.
    pub fn crates_of(&mut self, root: &Path, runtime: Runtime, crates: &mut Vec<CrateRoot>) {
        if !self.crates_known.insert(root.to_path_buf()) {
            return;
        }
        let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or_default();
        let package_name = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let lib = manifest.get("lib");
        let lib_name = lib
            .and_then(|l| l.get("name"))
            .and_then(toml::Value::as_str)
            .unwrap_or(&package_name)
            .replace('-', "_");
        let lib_path = lib
            .and_then(|l| l.get("path"))
            .and_then(toml::Value::as_str)
            .unwrap_or("src/lib.rs");
        let mut roots = vec![(lib_name, true, root.join(lib_path))];
        roots.push((
            package_name.replace('-', "_"),
            false,
            root.join("src/main.rs"),
        ));
        if let Some(bins) = manifest.get("bin").and_then(toml::Value::as_array) {
            for bin in bins {
                let name = bin
                    .get("name")
                    .and_then(toml::Value::as_str)
                    .unwrap_or_default();
                if let Some(path) = bin.get("path").and_then(toml::Value::as_str) {
                    roots.push((name.replace('-', "_"), false, root.join(path)));
                }
            }
        }
        if let Ok(entries) = std::fs::read_dir(root.join("src/bin")) {
            let mut bins: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            bins.sort();
            for bin in bins {
                let file = if bin.is_dir() {
                    bin.join("main.rs")
                } else {
                    bin.clone()
                };
                let name = bin.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                roots.push((name.replace('-', "_"), false, file));
            }
        }
        let workspace = self.workspace_of(root);
        for (name, is_lib, file) in roots {
            if file.is_file() {
                crates.push(CrateRoot {
                    name,
                    is_lib,
                    modules: None,
                    root_file: normalize(&file),
                    package: normalize(root),
                    workspace: workspace.clone(),
                    runtime,
                });
            }
        }
    }

    pub fn package_of(&mut self, file: &Path) -> (Runtime, Option<PathBuf>) {
        let broken = &mut self.broken;
        for dir in file.ancestors().skip(1) {
            let entry = self.by_dir.entry(dir.to_path_buf()).or_insert_with(|| {
                let manifest = dir.join("Cargo.toml");
                let text = std::fs::read_to_string(&manifest).ok()?;
                let value: toml::Table = match text.parse() {
                    Ok(value) => value,
                    Err(err) => {
                        let err = err.to_string();
                        let first = err.lines().next().unwrap_or_default();
                        broken.push(format!(
                            "`{}` does not parse ({first}); its files are checked without its package's settings",
                            manifest.display()
                        ));
                        return None;
                    }
                };
                value
                    .contains_key("package")
                    .then(|| (runtime_of_manifest(&value), dir.to_path_buf()))
            });
            if let Some((runtime, root)) = entry {
                return (*runtime, Some(root.clone()));
            }
        }
        (Runtime::Unknown, None)
    }
}

/// What `cargo metadata` would say of a package, from its manifest and the crates found
/// by layout (paths mode runs without cargo).
pub fn package_info_without_cargo(root: &Path, crates: &[CrateRoot]) -> PackageInfo {
    let manifest_path = root.join("Cargo.toml");
    let manifest: toml::Table = std::fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let field = |key: &str| {
        manifest
            .get("package")
            .and_then(|p| p.get(key))
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (name, version) = (field("name"), field("version"));
    let edition = Some(field("edition"))
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "2015".into());
    let dir_name = root
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let url = format!("path+file://{}", root.display());
    let id = if dir_name == name {
        format!("{url}#{version}")
    } else {
        format!("{url}#{name}@{version}")
    };
    let normalized = normalize(root);
    let targets = crates
        .iter()
        .filter(|c| c.package == normalized)
        .map(|c| {
            let kind = if c.is_lib { "lib" } else { "bin" };
            serde_json::json!({
                "kind": [kind],
                "crate_types": [kind],
                "name": c.name,
                "src_path": c.root_file,
                "edition": edition,
                "doc": c.is_lib,
                "doctest": c.is_lib,
                "test": true,
            })
        })
        .collect();
    PackageInfo {
        id,
        manifest_path,
        targets,
        tokio_features: tokio_features_of_manifest(&manifest, root).locked_by(
            std::fs::read_to_string(workspace_root_of(root).join("Cargo.lock"))
                .ok()
                .as_deref(),
        ),
    }
}

/// The tokio features a manifest enables for the package's own code, with those of
/// `[workspace.dependencies]` when the dependency says `workspace = true`.
fn tokio_features_of_manifest(manifest: &toml::Table, root: &Path) -> Features {
    let section = |name: &str| manifest.get(name).and_then(|deps| deps.get("tokio"));
    let Some(tokio) = section("dependencies").or_else(|| section("dev-dependencies")) else {
        return Features::UNKNOWN;
    };
    let mut names: Vec<String> = features_of(tokio);
    let inherited = tokio.get("workspace").and_then(toml::Value::as_bool) == Some(true);
    if inherited {
        let workspace = std::fs::read_to_string(workspace_root_of(root).join("Cargo.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok());
        let shared = (workspace.as_ref())
            .and_then(|w| w.get("workspace")?.get("dependencies")?.get("tokio"));
        match shared {
            Some(shared) => names.extend(features_of(shared)),
            None => return Features::UNKNOWN,
        }
    }
    Features::enabled(names.iter().map(String::as_str))
}

fn features_of(dependency: &toml::Value) -> Vec<String> {
    (dependency.get("features").and_then(toml::Value::as_array))
        .map(|list| {
            list.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The root of the workspace a package belongs to, without cargo: the nearest manifest
/// above it with a `[workspace]` table that lists it among its `members` (and not in
/// `exclude`). A package with none is a workspace of its own, as a vendored crate is.
fn workspace_root_of(package_root: &Path) -> PathBuf {
    for dir in package_root.ancestors() {
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let Ok(manifest) = text.parse::<toml::Table>() else {
            continue;
        };
        let Some(workspace) = manifest.get("workspace") else {
            continue;
        };
        if dir == package_root {
            return normalize(dir);
        }
        let relative = package_root.strip_prefix(dir).unwrap_or(package_root);
        let relative = relative.to_string_lossy().replace('\\', "/");
        let listed = |key: &str| {
            let globs = workspace.get(key).and_then(toml::Value::as_array);
            globs
                .into_iter()
                .flatten()
                .filter_map(toml::Value::as_str)
                .any(|glob| glob_match(glob.trim_end_matches('/'), &relative))
        };
        // The nearest workspace decides: a package it does not list is on its own.
        if listed("members") && !listed("exclude") {
            return normalize(dir);
        }
        break;
    }
    normalize(package_root)
}

/// The runtime named in a manifest's `[dependencies]` (plain or per target).
fn runtime_of_manifest(manifest: &toml::Table) -> Runtime {
    let mut names: Vec<String> = Vec::new();
    let mut take = |table: Option<&toml::Value>| {
        if let Some(deps) = table.and_then(toml::Value::as_table) {
            for (key, value) in deps {
                let package = value.get("package").and_then(toml::Value::as_str);
                names.push(package.unwrap_or(key).to_string());
            }
        }
    };
    take(manifest.get("dependencies"));
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values() {
            take(target.get("dependencies"));
        }
    }
    Runtime::from_dependencies(names.iter().map(String::as_str))
}
