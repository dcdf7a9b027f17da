//! The workspace a language server checks: what discovery found, the open buffers, and
//! the findings of the last check by file (with the text they were found in).
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Level};
use crate::driver::config::AskedTargets;
use crate::driver::scan::{self, ScanOptions};
use crate::driver::workspace::{self, CargoSelection, Discovered};
use crate::syntax::source;

/// An open buffer: the editor's text, which wins over the file on disk.
pub struct Document {
    /// The file it stands for, as resolved when it was opened.
    pub path: PathBuf,
    pub text: String,
    pub version: i32,
}

/// A file's findings, and the text they were found in (their byte ranges index it).
pub struct Findings {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A configuration mistake, where it was made when the message says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: Option<PathBuf>,
    /// 1-based; 0 when only the file is known.
    pub line: usize,
    pub message: String,
}

pub struct Session {
    root: PathBuf,
    discovered: Option<Discovered>,
    /// Files opened that discovery did not list, once looked for again.
    looked_again: HashSet<PathBuf>,
    /// The open buffers, by the URI the editor knows them by.
    pub documents: HashMap<lsp_types::Url, Document>,
    pub findings: HashMap<PathBuf, Findings>,
    pub config_problems: Vec<ConfigProblem>,
    /// Configuration mistakes that name no file, until told (once per discovery).
    pub unplaced_problems: Vec<String>,
    /// A problem that stopped discovery (a manifest cargo cannot read), until told.
    pub discovery_error: Option<String>,
}

impl Session {
    pub fn new(root: PathBuf) -> Session {
        crate::driver::cache::keep_in_memory();
        Session {
            root,
            discovered: None,
            looked_again: HashSet::new(),
            documents: HashMap::new(),
            findings: HashMap::new(),
            config_problems: Vec::new(),
            unplaced_problems: Vec::new(),
            discovery_error: None,
        }
    }

    /// Finds the workspace's files and configuration again (at the start, and when a
    /// manifest or configuration file changes).
    pub fn discover(&mut self) {
        let manifest = self.root.join("Cargo.toml");
        let found = if manifest.is_file() {
            let selection = CargoSelection {
                manifest_path: Some(manifest),
                config: None,
                packages: Vec::new(),
                workspace: true,
                exclude: Vec::new(),
                // An editor opens test and example files too.
                targets: AskedTargets {
                    tests: true,
                    examples: true,
                    benches: true,
                },
            };
            match workspace::discover_cargo(&selection, &self.root) {
                Ok(found) => {
                    self.discovery_error = None;
                    found
                }
                // A manifest cargo cannot read: check the directory as plain files.
                Err(err) => {
                    self.discovery_error = Some(err.to_string());
                    workspace::discover_paths(std::slice::from_ref(&self.root), &self.root, None)
                }
            }
        } else {
            workspace::discover_paths(std::slice::from_ref(&self.root), &self.root, None)
        };
        let problems: Vec<ConfigProblem> =
            found.problems.iter().map(|p| config_problem(p)).collect();
        self.unplaced_problems = (problems.iter())
            .filter(|p| p.file.is_none())
            .map(|p| p.message.clone())
            .collect();
        self.config_problems = problems.into_iter().filter(|p| p.file.is_some()).collect();
        self.discovered = Some(found);
        self.looked_again.clear();
    }

    /// Discovers again, once, when a `.rs` file of this workspace that discovery did not
    /// list is opened (just created, say). A dependency's source opened by
    /// go-to-definition is no reason to ask cargo again.
    pub fn look_for(&mut self, path: &Path) {
        let ours = path.starts_with(&self.root) && path.extension().is_some_and(|e| e == "rs");
        if !ours || self.looked_again.contains(path) || self.lists(path) {
            return;
        }
        let mut seen = std::mem::take(&mut self.looked_again);
        seen.insert(path.to_path_buf());
        self.discover();
        self.looked_again = seen;
    }

    /// Whether discovery lists `path` (a canonical path).
    fn lists(&self, path: &Path) -> bool {
        let Some(found) = &self.discovered else {
            return false;
        };
        (found.files.iter()).any(|f| f.path == path)
            || (found.files.iter()).any(|f| canonical(&f.path) == path)
    }

    /// Checks the workspace with the open buffers' text in place of the files'.
    pub fn check(&mut self) {
        if self.discovered.is_none() {
            self.discover();
        }
        let Some(discovered) = &self.discovered else {
            return;
        };
        let options = ScanOptions {
            include_tests: false,
            include_examples: false,
            include_benches: false,
            runtime: None,
            jobs: None,
            prefilter: true,
            cpu_loop_threshold: None,
            cache: discovered.cache_dir.clone(),
        };
        let buffers: HashMap<PathBuf, String> = (self.documents.values())
            .map(|doc| (doc.path.clone(), doc.text.clone()))
            .collect();
        let report = source::with_overlay(&buffers, || scan::scan(discovered, &options));
        self.findings.clear();
        for file in report.files {
            let diagnostics: Vec<Diagnostic> = (file.diagnostics.into_iter())
                .filter(|d| d.level != Level::Allow)
                .collect();
            if diagnostics.is_empty() {
                continue;
            }
            let findings = Findings {
                text: file.source.text,
                diagnostics,
            };
            self.findings.insert(canonical(&file.source.path), findings);
        }
    }

    /// The findings of the buffer `uri`, if they were found in its current text.
    pub fn current_findings(&self, uri: &lsp_types::Url) -> Option<&Findings> {
        let doc = self.documents.get(uri)?;
        let findings = self.findings.get(&doc.path)?;
        (findings.text == doc.text).then_some(findings)
    }

    /// A file saved that discovery did not list (created in the editor): looked for
    /// again.
    pub fn saved(&mut self, path: &Path) {
        self.looked_again.remove(path);
        self.look_for(path);
    }
}

/// The path a document or a scanned file is known by (symlinks resolved).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads where a configuration message points: `invalid configuration in FILE:LINE:
/// message`, or a message naming a file in backquotes.
fn config_problem(message: &str) -> ConfigProblem {
    const PREFIX: &str = "invalid configuration in ";
    if let Some(rest) = message.strip_prefix(PREFIX) {
        if let Some((place, what)) = rest.split_once(": ") {
            let (file, line) = match place.rsplit_once(':') {
                Some((file, line)) if line.parse::<usize>().is_ok() => {
                    (file, line.parse().unwrap_or(0))
                }
                _ => (place, 0),
            };
            return ConfigProblem {
                file: Some(PathBuf::from(file)),
                line,
                message: what.to_string(),
            };
        }
    }
    let named = (message.split('`').nth(1))
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_file());
    ConfigProblem {
        file: named,
        line: 0,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_messages_name_their_place() {
        let problem = config_problem("invalid configuration in /w/unblock.toml:3: unknown key `x`");
        assert_eq!(problem.file, Some(PathBuf::from("/w/unblock.toml")));
        assert_eq!(problem.line, 3);
        assert_eq!(problem.message, "unknown key `x`");
        let whole = config_problem("invalid configuration in /w/unblock.toml: bad");
        assert_eq!(
            (whole.file, whole.line),
            (Some(PathBuf::from("/w/unblock.toml")), 0)
        );
        let vague = config_problem("something else went wrong");
        assert_eq!(vague.file, None);
    }
}
