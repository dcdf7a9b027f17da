//! Which files to check: packages from `cargo metadata`, or paths given on the command line.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::config::AskedTargets;
use super::glob::glob_match;
pub use super::layout::Role;
use super::layout::{role_of, walk_rust_files};
use super::manifest::{package_info_without_cargo, ManifestCache};
use super::metadata::{self, Metadata, Package};
use super::settings::Settings;
use crate::catalog::runtime::{Features, Runtime};
use crate::rules::transitive::graph::CrateRoot;
use crate::syntax::modtree::{normalize, ModuleTree};

/// One file to check, with what is known about its package.
#[derive(Debug, Clone)]
pub struct ScanFile {
    pub path: PathBuf,
    pub display: String,
    pub role: Role,
    pub runtime: Runtime,
    /// The package's root directory, when the file belongs to one.
    pub package: Option<PathBuf>,
    /// Its package's settings, as an index into `Discovered::settings`.
    pub settings: usize,
    /// Checked as context in paths mode: reported only where a chain passes through a
    /// named file.
    pub context: bool,
}

/// What the user asked to check.
#[derive(Debug, Clone, Default)]
pub struct CargoSelection {
    pub manifest_path: Option<PathBuf>,
    /// `--config FILE`: one configuration for every package.
    pub config: Option<PathBuf>,
    pub packages: Vec<String>,
    pub workspace: bool,
    pub exclude: Vec<String>,
    /// The target kinds asked for beside the library and binaries; a package's
    /// configuration may ask for more. The module trees of the other targets are not
    /// built.
    pub targets: AskedTargets,
}

/// A failure that stops the scan before it starts (exit code 2).
#[derive(Debug)]
pub struct DiscoveryError(pub String);

impl std::fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Files found, plus paths that could not be used (reported, not fatal).
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<ScanFile>,
    /// The crates of the packages the files belong to (their call graphs).
    pub crates: Vec<CrateRoot>,
    /// The packages' settings; `ScanFile::settings` indexes it, and 0 is the defaults.
    pub settings: Vec<Settings>,
    pub problems: Vec<String>,
    /// A configuration could not be used (its packages were not checked).
    pub config_errors: bool,
    /// What machine-readable output says about each package, by its root directory.
    pub packages: HashMap<PathBuf, PackageInfo>,
    /// The workspace root (paths in JSON output are relative to it).
    pub workspace_root: Option<PathBuf>,
    /// Where the cache of per-file results goes: `target/unblock/`, or
    /// `.unblock_cache/` beside the workspace's manifest when it has no `target/`.
    pub cache_dir: Option<PathBuf>,
}

/// A package as `cargo metadata` describes it, for JSON output.
#[derive(Debug, Clone)]
pub struct PackageInfo {
    pub id: String,
    pub manifest_path: PathBuf,
    /// The targets exactly as `cargo metadata` prints them.
    pub targets: Vec<serde_json::Value>,
    /// The tokio features its manifest enables (what a rewrite may use).
    pub tokio_features: Features,
}

impl PackageInfo {
    /// The target `file` belongs to: the one whose root it is, else the one whose
    /// directory holds it most closely (the library first).
    pub fn target_of(&self, file: &Path) -> Option<&serde_json::Value> {
        let src = |t: &serde_json::Value| t.get("src_path")?.as_str().map(PathBuf::from);
        let is_lib = |t: &serde_json::Value| {
            t.get("kind").and_then(|k| k.as_array()).is_some_and(|k| {
                k.iter()
                    .any(|k| k.as_str().is_some_and(|k| k.contains("lib")))
            })
        };
        if let Some(own) = self
            .targets
            .iter()
            .find(|t| src(t).as_deref() == Some(file))
        {
            return Some(own);
        }
        self.targets
            .iter()
            .filter_map(|t| {
                let dir = src(t)?.parent()?.to_path_buf();
                file.starts_with(&dir)
                    .then(|| (dir.components().count(), is_lib(t), t))
            })
            .max_by_key(|(depth, lib, _)| (*depth, *lib))
            .map(|(_, _, t)| t)
            .or_else(|| self.targets.first())
    }
}

impl Discovered {
    fn new() -> Discovered {
        Discovered {
            settings: vec![Settings::defaults()],
            ..Discovered::default()
        }
    }
}

/// Loads each package's configuration once.
struct SettingsLoader<'a> {
    explicit: Option<&'a Path>,
    by_package: HashMap<PathBuf, Option<usize>>,
}

impl<'a> SettingsLoader<'a> {
    fn new(explicit: Option<&'a Path>) -> Self {
        SettingsLoader {
            explicit,
            by_package: HashMap::new(),
        }
    }

    /// The settings index of the package at `package_root`, or `None` when its
    /// configuration is broken (the problem is recorded once).
    fn settings_for(
        &mut self,
        package_root: &Path,
        workspace_root: &Path,
        found: &mut Discovered,
    ) -> Option<usize> {
        let key = if self.explicit.is_some() {
            PathBuf::new()
        } else {
            package_root.to_path_buf()
        };
        if let Some(index) = self.by_package.get(&key) {
            return *index;
        }
        let loaded = crate::driver::config::load_for(
            package_root,
            workspace_root,
            self.explicit,
            crate::catalog::Catalog::builtin(),
        )
        .map_err(|e| e.to_string())
        .and_then(Settings::new);
        let index = match loaded {
            Ok(settings) if settings.config.source.is_none() => Some(0),
            Ok(settings) => {
                found.settings.push(settings);
                Some(found.settings.len() - 1)
            }
            Err(err) => {
                // Every mistake of the configuration, one per line.
                found.problems.extend(err.lines().map(String::from));
                found.config_errors = true;
                None
            }
        };
        self.by_package.insert(key, index);
        index
    }
}

/// What is worked out for the package at `manifest_path` or around `cwd` while `cargo
/// metadata` runs: the module trees of its usual crate roots (`src/lib.rs`,
/// `src/main.rs`), which the targets cargo reports most likely start from, and its
/// `.rs` files.
struct Early {
    trees: HashMap<PathBuf, Arc<ModuleTree>>,
    /// The package's directory (normalized), its `.rs` files (no build directory
    /// tagged as such, no nested package) and the problems met listing them.
    walk: Option<(PathBuf, Vec<PathBuf>, Vec<String>)>,
}

fn early_package(manifest_path: Option<&Path>, cwd: &Path) -> Early {
    let root = match manifest_path {
        Some(manifest) => manifest.parent().map(|dir| cwd.join(dir)),
        None => cwd
            .ancestors()
            .find(|d| d.join("Cargo.toml").is_file())
            .map(Path::to_path_buf),
    };
    let roots: Vec<PathBuf> = (root.iter())
        .flat_map(|dir| [dir.join("src/lib.rs"), dir.join("src/main.rs")])
        .filter(|file| file.is_file())
        .collect();
    // One at a time, from this thread: each tree reads its files in parallel.
    let trees = (roots.iter())
        .map(|file| (normalize(file), Arc::new(ModuleTree::of_crate(file))))
        .collect();
    // Walked from its normalized path, as cargo reports it (`pkg/tests/..` is `pkg`).
    let walk = root.map(|root| {
        let root = normalize(&root);
        let mut problems = Vec::new();
        let files = walk_rust_files(&root, None, true, &mut problems);
        (root, files, problems)
    });
    Early { trees, walk }
}

/// The `.rs` files of the package at `root` (build directory `target_dir` left out),
/// from the walk made while cargo ran when it was of the same directory.
fn package_files(
    root: &Path,
    target_dir: &Path,
    early: &mut Option<(PathBuf, Vec<PathBuf>, Vec<String>)>,
    problems: &mut Vec<String>,
) -> Vec<PathBuf> {
    let root_normalized = normalize(root);
    if let Some((_, files, found)) = early.take_if(|(walked, ..)| *walked == root_normalized) {
        problems.extend(found);
        return files
            .into_iter()
            .filter(|f| !f.starts_with(target_dir))
            .collect();
    }
    walk_rust_files(root, Some(target_dir), true, problems)
}

/// The selected packages' `.rs` files, through `cargo metadata --no-deps`.
pub fn discover_cargo(
    selection: &CargoSelection,
    cwd: &Path,
) -> Result<Discovered, DiscoveryError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    if let Some(path) = &selection.manifest_path {
        if !path.exists() {
            return Err(DiscoveryError(format!(
                "manifest path `{}` does not exist",
                path.display()
            )));
        }
    }
    let manifest_path = selection.manifest_path.as_deref();
    let (metadata, mut early) = std::thread::scope(|scope| {
        let load = scope.spawn(|| Metadata::load(&cargo, manifest_path, cwd));
        let early = early_package(manifest_path, cwd);
        let metadata = load.join().unwrap_or_else(|_| Err("it stopped".into()));
        (metadata, early)
    });
    let metadata =
        metadata.map_err(|err| DiscoveryError(format!("`cargo metadata` failed: {err}")))?;

    let members: Vec<&Package> = metadata.workspace_packages();
    let mut selected: Vec<&Package> = if !selection.packages.is_empty() {
        let mut chosen = Vec::new();
        for spec in &selection.packages {
            let matching: Vec<_> = members
                .iter()
                .copied()
                .filter(|p| glob_match(spec, &p.name))
                .collect();
            if matching.is_empty() {
                return Err(DiscoveryError(format!(
                    "package `{spec}` is not a member of the workspace at `{}`",
                    metadata.workspace_root.display()
                )));
            }
            chosen.extend(matching);
        }
        chosen
    } else if selection.workspace {
        members.clone()
    } else {
        default_packages(&metadata, selection.manifest_path.as_deref(), cwd)
    };
    selected.retain(|p| {
        !selection
            .exclude
            .iter()
            .any(|spec| glob_match(spec, &p.name))
    });
    selected.sort_by(|a, b| a.name.cmp(&b.name));
    selected.dedup_by(|a, b| a.id == b.id);

    let selected_ids: Vec<String> = selected.iter().map(|p| p.id.clone()).collect();
    let target_dir = metadata.target_directory.as_path();
    let mut found = Discovered::new();
    let workspace_root = normalize(&metadata.workspace_root);
    found.workspace_root = Some(workspace_root.clone());
    found.cache_dir = Some(metadata.target_directory.join("unblock"));
    let mut loader = SettingsLoader::new(selection.config.as_deref());
    let lock = std::fs::read_to_string(workspace_root.join("Cargo.lock")).ok();
    let mut early_walk = early.walk.take();
    for package in selected {
        let root = package.manifest_path.parent().unwrap_or(Path::new("."));
        let runtime =
            Runtime::from_dependencies(package.dependencies.iter().map(|d| d.name.as_str()));
        let Some(settings) = loader.settings_for(root, &workspace_root, &mut found) else {
            continue;
        };
        found.packages.insert(
            normalize(root),
            PackageInfo {
                id: package.id.clone(),
                manifest_path: package.manifest_path.clone(),
                targets: package.targets.clone(),
                tokio_features: package.tokio_features().locked_by(lock.as_deref()),
            },
        );
        let crates_before = found.crates.len();
        // The targets' module trees, built in parallel (reading every module file).
        let tree_of = |root: &Path| match early.trees.get(&normalize(root)) {
            Some(tree) => Arc::clone(tree),
            None => Arc::new(ModuleTree::of_crate(root)),
        };
        let config = &found.settings[settings].config;
        let wanted = |target: &serde_json::Value| {
            let kind = |k| metadata::target_has_kind(target, k);
            [
                ("test", Role::Test),
                ("example", Role::Example),
                ("bench", Role::Bench),
            ]
            .into_iter()
            .all(|(name, role)| !kind(name) || config.checks(role, selection.targets))
        };
        let trees: Vec<Option<Arc<ModuleTree>>> = (package.targets.par_iter())
            .map(|t| (metadata::target_src_path(t).filter(|_| wanted(t))).map(tree_of))
            .collect();
        for (target, tree) in package.targets.iter().zip(trees) {
            let (Some(src_path), Some(tree)) = (metadata::target_src_path(target), tree) else {
                continue;
            };
            let root_file = normalize(src_path);
            found.crates.push(CrateRoot {
                name: metadata::target_name(target).replace('-', "_"),
                is_lib: metadata::target_is_lib(target),
                modules: Some(tree),
                root_file,
                package: normalize(root),
                workspace: workspace_root.clone(),
                runtime,
            });
        }
        // As rustc sees the package: the files its targets reach through `mod`; a
        // template or fixture `.rs` that no target declares is not Rust of this package.
        let targets = &found.crates[crates_before..];
        let modules = package_modules(targets);
        let files = package_files(root, target_dir, &mut early_walk, &mut found.problems);
        for path in files {
            let Some(&test_module) = modules.get(&normalize(&path)) else {
                continue;
            };
            if !found.settings[settings].config.selects(&path) {
                continue;
            }
            let role = match role_of(&path, root) {
                Role::Source if test_module => Role::Test,
                role => role,
            };
            found.files.push(ScanFile {
                display: display_path(&path, cwd),
                path,
                role,
                runtime,
                package: Some(root.to_path_buf()),
                settings,
                context: false,
            });
        }
    }
    // The members not selected: nothing in them is reported, but calls are followed
    // into them. A selection narrows what is reported, never what is understood.
    let chosen: HashSet<&str> = selected_ids.iter().map(String::as_str).collect();
    for package in members.iter().filter(|p| !chosen.contains(p.id.as_str())) {
        let root = normalize(package.manifest_path.parent().unwrap_or(Path::new(".")));
        let runtime =
            Runtime::from_dependencies(package.dependencies.iter().map(|d| d.name.as_str()));
        for target in package
            .targets
            .iter()
            .filter(|t| metadata::target_is_lib(t))
        {
            let Some(src_path) = metadata::target_src_path(target) else {
                continue;
            };
            found.crates.push(CrateRoot {
                name: metadata::target_name(target).replace('-', "_"),
                is_lib: true,
                modules: None,
                root_file: normalize(src_path),
                package: root.clone(),
                workspace: workspace_root.clone(),
                runtime,
            });
        }
    }
    Ok(found)
}

/// The files a package's targets reach through `mod` declarations, each with whether
/// it is reached only through `#[cfg(test)]` modules (test code kept in its own file).
/// A declared file that cannot be read is still the package's: the scan reports it.
pub(super) fn package_modules(targets: &[CrateRoot]) -> HashMap<PathBuf, bool> {
    let mut files: HashMap<PathBuf, bool> = HashMap::new();
    for tree in targets.iter().filter_map(|t| t.modules.as_deref()) {
        let readable = (tree.files.keys()).map(|file| (file, tree.test_files.contains(file)));
        let unreadable = tree.unreadable.iter().map(|(file, test)| (file, *test));
        for (file, test) in readable.chain(unreadable) {
            files
                .entry(file.clone())
                .and_modify(|only_test| *only_test &= test)
                .or_insert(test);
        }
    }
    files
}

/// cargo's default selection: the package whose manifest was named (or found from the
/// working directory), or the workspace's default members at its root.
fn default_packages<'m>(
    metadata: &'m Metadata,
    manifest_path: Option<&Path>,
    cwd: &Path,
) -> Vec<&'m Package> {
    let manifest = match manifest_path {
        Some(path) => Some(absolute(path, cwd)),
        None => cwd
            .ancestors()
            .map(|dir| dir.join("Cargo.toml"))
            .find(|p| p.is_file()),
    };
    let manifest = manifest.and_then(|p| p.canonicalize().ok());
    let root_manifest = metadata.workspace_root.join("Cargo.toml");
    let is_root = manifest.as_ref() == root_manifest.canonicalize().ok().as_ref();
    let members = metadata.workspace_packages();
    if !is_root {
        let own = members
            .iter()
            .copied()
            .find(|p| p.manifest_path.canonicalize().ok().as_ref() == manifest.as_ref());
        if let Some(own) = own {
            return vec![own];
        }
    }
    members
        .into_iter()
        .filter(|p| metadata.is_default_member(p))
        .collect()
}

/// Exactly the given files and directories: no cargo needed (how pre-commit calls it).
pub fn discover_paths(paths: &[PathBuf], cwd: &Path, config: Option<&Path>) -> Discovered {
    let mut found = Discovered::new();
    let mut manifests = ManifestCache::default();
    let mut loader = SettingsLoader::new(config);
    for given in paths {
        let path = absolute(given, cwd);
        let files = if path.is_dir() {
            walk_rust_files(&path, None, false, &mut found.problems)
        } else if path.is_file() {
            vec![path.clone()]
        } else {
            found
                .problems
                .push(format!("`{}` does not exist", given.display()));
            continue;
        };
        for file in files {
            let (runtime, package_root) = manifests.package_of(&file);
            let settings = match &package_root {
                Some(root) => {
                    manifests.crates_of(root, runtime, &mut found.crates);
                    if !found.packages.contains_key(root) {
                        let info = package_info_without_cargo(root, &found.crates);
                        found.packages.insert(root.clone(), info);
                    }
                    let workspace = manifests.workspace_of(root);
                    loader.settings_for(root, &workspace, &mut found)
                }
                None => {
                    // A file with no manifest above it is a crate of its own, so that
                    // its chains (`async fn run` → `fn helper` → `sleep`) are followed.
                    found.crates.push(lone_crate(&file, runtime));
                    match config {
                        Some(_) => loader.settings_for(&file, &file, &mut found),
                        None => Some(0),
                    }
                }
            };
            let Some(settings) = settings else { continue };
            if !found.settings[settings].config.selects(&file) {
                continue;
            }
            let role = role_of(&file, package_root.as_deref().unwrap_or(Path::new("/")));
            found.files.push(ScanFile {
                display: display_path(&file, cwd),
                path: file,
                role,
                runtime,
                package: package_root,
                settings,
                context: false,
            });
        }
    }
    for file in super::context::workspace_context(&mut found, &mut manifests) {
        if !found.packages.contains_key(&file.package) {
            let info = package_info_without_cargo(&file.package, &found.crates);
            found.packages.insert(file.package.clone(), info);
        }
        let workspace = manifests.workspace_of(&file.package);
        let Some(settings) = loader.settings_for(&file.package, &workspace, &mut found) else {
            continue;
        };
        if !found.settings[settings].config.selects(&file.path) {
            continue;
        }
        found.files.push(ScanFile {
            display: display_path(&file.path, cwd),
            path: file.path,
            role: file.role,
            runtime: file.runtime,
            package: Some(file.package),
            settings,
            context: true,
        });
    }
    found.problems.append(&mut manifests.broken);
    let anchor = (found.files.iter().find_map(|f| f.package.clone()))
        .map(|package| manifests.workspace_of(&package))
        .unwrap_or_else(|| cwd.to_path_buf());
    found.cache_dir = Some(if anchor.join("target").is_dir() {
        anchor.join("target/unblock")
    } else {
        anchor.join(".unblock_cache")
    });
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    found.files.dedup_by(|a, b| a.path == b.path);
    found
}

/// The one-file crate of a `.rs` file that no manifest claims.
fn lone_crate(file: &Path, runtime: Runtime) -> CrateRoot {
    let root_file = normalize(file);
    let name = (root_file.file_stem())
        .map(|s| s.to_string_lossy().replace('-', "_"))
        .unwrap_or_default();
    CrateRoot {
        name,
        is_lib: false,
        package: root_file.clone(),
        workspace: root_file.clone(),
        root_file,
        runtime,
        modules: None,
    }
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// A path as diagnostics show it: relative to the working directory when under it.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}
