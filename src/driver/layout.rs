//! Cargo's layout on disk: a package's `.rs` files (`.gitignore` honoured, build
//! directories and nested packages skipped) and the role each file plays.
use std::path::{Path, PathBuf};

/// What part of a package a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Library, binaries, build script.
    Source,
    Example,
    /// `benches/`: checked only with `--benches`.
    Bench,
    /// `tests/`, `benches/`, test modules in files of their own: reported only with `--tests`.
    Test,
}

/// Every `.rs` file under `root`, honouring `.gitignore`, skipping `target/` and (with
/// `skip_packages`) nested packages, which are checked as packages of their own.
pub(super) fn walk_rust_files(
    root: &Path,
    target_dir: Option<&Path>,
    skip_packages: bool,
    problems: &mut Vec<String>,
) -> Vec<PathBuf> {
    let root_owned = root.to_path_buf();
    let target_dir = target_dir.map(Path::to_path_buf);
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_dir()) || path == root_owned {
                return true;
            }
            // A build directory: one cargo made, whatever its name (`CARGO_TARGET_DIR`,
            // `build.target-dir`), which it tags as a cache; or `target/` beside a
            // manifest. Not a source module that happens to be called `target` (cc's
            // `src/target/`).
            let is_build_dir = path.join("CACHEDIR.TAG").is_file()
                || (entry.file_name() == "target"
                    && path
                        .parent()
                        .is_some_and(|p| p.join("Cargo.toml").is_file()));
            let is_target = is_build_dir || target_dir.as_deref() == Some(path);
            let is_other_package = skip_packages && path.join("Cargo.toml").is_file();
            !is_target && !is_other_package
        })
        .build();
    let mut files = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|e| e == "rs") {
                    files.push(entry.into_path());
                }
            }
            Err(err) => problems.push(format!("while listing `{}`: {err}", root.display())),
        }
    }
    files
}

/// A file's role from cargo's layout, plus the convention for test modules kept in
/// their own file (`#[cfg(test)] mod tests;` → `tests.rs` or `tests/`): the attribute
/// sits in another file, so the name is the only sign a per-file scan has.
pub(super) fn role_of(path: &Path, package_root: &Path) -> Role {
    let relative = path.strip_prefix(package_root).unwrap_or(path);
    let mut components = relative.components().filter_map(|c| c.as_os_str().to_str());
    match components.next() {
        Some("tests") => return Role::Test,
        Some("benches") => return Role::Bench,
        Some("examples") => return Role::Example,
        _ => {}
    }
    let in_test_dir = relative
        .parent()
        .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "tests"));
    let test_file = matches!(
        relative.file_stem().and_then(|s| s.to_str()),
        Some("tests" | "test")
    );
    if in_test_dir || test_file {
        Role::Test
    } else {
        Role::Source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_cargo_layout() {
        let root = Path::new("/p");
        assert_eq!(role_of(Path::new("/p/tests/it.rs"), root), Role::Test);
        assert_eq!(role_of(Path::new("/p/benches/b.rs"), root), Role::Bench);
        assert_eq!(role_of(Path::new("/p/examples/e.rs"), root), Role::Example);
        assert_eq!(role_of(Path::new("/p/src/tests/x.rs"), root), Role::Test);
        assert_eq!(role_of(Path::new("/p/src/udp/tests.rs"), root), Role::Test);
        assert_eq!(role_of(Path::new("/p/src/testing.rs"), root), Role::Source);
        assert_eq!(role_of(Path::new("/p/src/main.rs"), root), Role::Source);
    }
}
