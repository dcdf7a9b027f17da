//! What the integration tests that run the real binary share.
#![allow(dead_code)]
pub mod editor_workspace;
pub mod lsp_wire;

use std::path::{Path, PathBuf};
use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_cargo-unblock");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary in `dir` (no colour from the environment).
pub fn run(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("CARGO_TERM_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap();
    Output {
        code: output
            .status
            .code()
            .expect("exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// `path:line:col` of every finding in human output.
pub fn locations(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .collect()
}

pub fn example_service() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-service")
}

/// A copy of the example service in a fresh directory (no repository above it).
pub fn copied_service() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = example_service();
    for entry in [
        "Cargo.toml",
        "src/main.rs",
        "src/handlers.rs",
        "src/jobs.rs",
        "src/storage.rs",
        "src/settings.rs",
    ] {
        let target = dir.path().join(entry);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(entry), target).unwrap();
    }
    dir
}

/// rustc's diagnostics out of cargo's `compiler-message` lines (what rustfix reads).
pub fn rustc_diagnostics(cargo_json: &str) -> String {
    cargo_json
        .lines()
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (value["reason"] == "compiler-message").then(|| value["message"].to_string() + "\n")
        })
        .collect()
}

/// A fresh directory holding `files` (path relative to it, then contents).
pub fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Copies the tree at `from` into `to`, leaving out build output (`target/` folders).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&source, &target);
            }
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}
