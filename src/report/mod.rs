//! Output formats, one module each, and what the machine-readable ones need to know
//! about the packages and the repository.
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::diagnostic::Level;
use crate::driver::scan::{FileReport, ScanReport};
use crate::driver::workspace::PackageInfo;
use crate::syntax::modtree::normalize;

/// Where files are, for the formats that name them relative to something.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub packages: &'a HashMap<PathBuf, PackageInfo>,
    /// JSON paths are relative to it, as cargo's are (cargo runs rustc there).
    pub workspace_root: PathBuf,
    /// SARIF and GitHub paths are relative to it.
    pub repo_root: PathBuf,
    /// Whether the run passes (exit code 0): JSON's `build-finished.success`.
    pub success: bool,
}

impl Context<'_> {
    /// The repository root: the nearest directory above `start` with a `.git`, else
    /// `start` itself.
    pub fn find_repo_root(start: &Path) -> PathBuf {
        start
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(start)
            .to_path_buf()
    }

    pub fn package_of(&self, file: &FileReport) -> Option<&PackageInfo> {
        self.packages.get(&normalize(file.package.as_ref()?))
    }

    pub fn workspace_relative(&self, path: &Path) -> String {
        relative(path, &self.workspace_root)
    }

    pub fn repo_relative(&self, path: &Path) -> String {
        relative(path, &self.repo_root)
    }

    /// `file:///repo/` (absolute, with the trailing slash SARIF base URIs need).
    pub fn repo_root_uri(&self) -> String {
        let mut uri = format!("file://{}", self.repo_root.display());
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// A package id for a file that belongs to no package.
    pub fn loose_package_id(&self, file: &FileReport) -> String {
        let dir = file.source.path.parent().unwrap_or(Path::new("/"));
        format!("path+file://{}#0.0.0", dir.display())
    }
}

/// `path` relative to `base` when under it, with `/` separators.
pub fn relative(path: &Path, base: &Path) -> String {
    let path = normalize(path);
    path.strip_prefix(base)
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every format of `report` into `out`, for a workspace at `/w` (the fuzz target and
/// its regression tests drive all the renderers this way).
pub fn all_formats(report: &ScanReport, out: &mut Vec<u8>) -> std::io::Result<()> {
    let packages = HashMap::new();
    let context = Context {
        catalog: Catalog::builtin(),
        packages: &packages,
        workspace_root: PathBuf::from("/w"),
        repo_root: PathBuf::from("/w"),
        success: Statistics::of(report).errors == 0,
    };
    human::render(
        &mut codespan_reporting::term::termcolor::NoColor::new(&mut *out),
        report,
    )?;
    short::render(out, report)?;
    json::render(out, report, &context)?;
    sarif::render(out, report, &context)?;
    github::render(out, report, &context)
}

/// Counts per lint, most frequent first, and per level.
#[derive(Debug, Default)]
pub struct Statistics {
    pub errors: usize,
    pub warnings: usize,
    pub by_lint: Vec<(String, usize)>,
}

impl Statistics {
    pub fn of(report: &ScanReport) -> Statistics {
        let mut stats = Statistics::default();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for diagnostic in report.files.iter().flat_map(|f| &f.diagnostics) {
            match diagnostic.level {
                Level::Deny => stats.errors += 1,
                Level::Warn => stats.warnings += 1,
                Level::Allow => continue,
            }
            *counts.entry(&diagnostic.lint).or_default() += 1;
        }
        stats.by_lint = counts
            .into_iter()
            .map(|(l, n)| (l.to_string(), n))
            .collect();
        stats
            .by_lint
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        stats
    }
}
