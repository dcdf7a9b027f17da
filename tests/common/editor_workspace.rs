//! The small cargo package the editor tests open: its files on disk hold no finding.
use std::path::PathBuf;

pub const MANIFEST: &str = r#"[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
tokio = { version = "1", features = ["full"] }

[workspace]
"#;

pub const MAIN: &str = "mod helpers;

#[tokio::main]
async fn main() {
    tokio::spawn(handle());
}

async fn handle() -> usize {
    helpers::settings().len()
}
";

pub const HELPERS: &str = "pub fn settings() -> String {
    String::from(\"defaults\")
}
";

/// A package whose files on disk hold no finding.
pub fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("Cargo.toml"), MANIFEST).unwrap();
    std::fs::write(root.join("src/main.rs"), MAIN).unwrap();
    std::fs::write(root.join("src/helpers.rs"), HELPERS).unwrap();
    let main = root.join("src/main.rs");
    let helpers = root.join("src/helpers.rs");
    (dir, main, helpers)
}
