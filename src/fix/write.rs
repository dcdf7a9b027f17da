//! Which fixed files may be written: those with uncommitted changes are refused unless
//! allowed, as `cargo fix` does (the writing itself is `source::write_atomically`).
use std::path::{Path, PathBuf};
use std::process::Command;

/// What uncommitted state the user allows the fixed files to have.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allow {
    /// `--allow-dirty`: changes not staged, untracked files (and staged ones).
    pub dirty: bool,
    /// `--allow-staged`: staged changes.
    pub staged: bool,
}

/// The files among `paths` with uncommitted changes git knows of and `allow` does not
/// allow, each with its state. Files outside a git work tree (or with no git at hand)
/// have none: there is nothing to compare them with.
pub fn uncommitted(paths: &[&Path], allow: Allow) -> Vec<(PathBuf, &'static str)> {
    if allow.dirty || paths.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for path in paths {
        let Some(dir) = path.parent() else { continue };
        let Some(name) = path.file_name() else {
            continue;
        };
        let output = Command::new("git")
            .arg("-C")
            .arg(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
            .args(["status", "--porcelain=v1", "-z", "--"])
            .arg(name)
            .output();
        let Ok(output) = output else { continue };
        if !output.status.success() {
            continue; // not a git work tree
        }
        let Some(entry) = output.stdout.split(|b| *b == 0).find(|e| e.len() > 3) else {
            continue; // unchanged
        };
        let (index, worktree) = (entry[0], entry[1]);
        let state = if index == b'?' || worktree != b' ' {
            "dirty"
        } else if !allow.staged {
            "staged"
        } else {
            continue;
        };
        found.push((path.to_path_buf(), state));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_outside_git_have_no_uncommitted_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        std::fs::write(&path, "x").unwrap();
        assert!(uncommitted(&[&path], Allow::default()).is_empty());
    }
}
