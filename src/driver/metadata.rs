//! `cargo metadata --no-deps`, run through `$CARGO` and read into the fields discovery
//! uses; the targets stay as cargo printed them, for the JSON output.
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::catalog::runtime::Features;

#[derive(Deserialize)]
pub struct Metadata {
    pub packages: Vec<Package>,
    workspace_members: Vec<String>,
    /// Absent before cargo 1.71: then every member is a default member.
    #[serde(default)]
    workspace_default_members: Option<Vec<String>>,
    pub workspace_root: PathBuf,
    pub target_directory: PathBuf,
}

#[derive(Deserialize)]
pub struct Package {
    pub name: String,
    pub id: String,
    pub manifest_path: PathBuf,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    pub targets: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
pub struct Dependency {
    pub name: String,
    /// `dev`, `build`, or absent for a normal dependency.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub features: Vec<String>,
}

impl Package {
    /// The tokio features the package's manifest enables for its own code (its dev
    /// dependency's when tokio is only that); unknown when it does not depend on tokio.
    pub fn tokio_features(&self) -> Features {
        let tokio = |kind: Option<&str>| {
            (self.dependencies.iter())
                .filter(|d| d.name == "tokio" && d.kind.as_deref() == kind)
                .flat_map(|d| d.features.iter().map(String::as_str))
                .collect::<Vec<_>>()
        };
        let has = |kind: Option<&str>| {
            (self.dependencies.iter()).any(|d| d.name == "tokio" && d.kind.as_deref() == kind)
        };
        if has(None) {
            Features::enabled(tokio(None))
        } else if has(Some("dev")) {
            Features::enabled(tokio(Some("dev")))
        } else {
            Features::UNKNOWN
        }
    }
}

impl Metadata {
    /// Runs `cargo metadata` in `cwd`, for `manifest_path` when given.
    pub fn load(
        cargo: &std::ffi::OsStr,
        manifest_path: Option<&Path>,
        cwd: &Path,
    ) -> Result<Metadata, String> {
        let mut command = Command::new(cargo);
        command
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(cwd);
        if let Some(path) = manifest_path {
            command.arg("--manifest-path").arg(path);
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", cargo.to_string_lossy()))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cannot read its output: {e}"))
    }

    /// The workspace's member packages, in cargo's order.
    pub fn workspace_packages(&self) -> Vec<&Package> {
        (self.packages.iter())
            .filter(|p| self.workspace_members.contains(&p.id))
            .collect()
    }

    pub fn is_default_member(&self, package: &Package) -> bool {
        match &self.workspace_default_members {
            Some(defaults) => defaults.contains(&package.id),
            None => self.workspace_members.contains(&package.id),
        }
    }
}

/// A target's name, as `cargo metadata` gives it.
pub fn target_name(target: &serde_json::Value) -> &str {
    target
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or_default()
}

/// A target's root file.
pub fn target_src_path(target: &serde_json::Value) -> Option<&Path> {
    target.get("src_path")?.as_str().map(Path::new)
}

/// Whether a target is of `kind` (`test`, `example`, `bench`, ...).
pub fn target_has_kind(target: &serde_json::Value, kind: &str) -> bool {
    let kinds = target.get("kind").and_then(|k| k.as_array());
    kinds
        .into_iter()
        .flatten()
        .any(|k| k.as_str() == Some(kind))
}

/// Whether a target is a library of some kind (`lib`, `rlib`, `proc-macro`, ...).
pub fn target_is_lib(target: &serde_json::Value) -> bool {
    const LIB_KINDS: &[&str] = &["lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"];
    let kinds = target.get("kind").and_then(|k| k.as_array());
    kinds
        .into_iter()
        .flatten()
        .any(|k| k.as_str().is_some_and(|k| LIB_KINDS.contains(&k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_from_cargos_json() {
        let lib: serde_json::Value = serde_json::json!({
            "name": "my-lib", "kind": ["lib"], "src_path": "/p/src/lib.rs"
        });
        let bin =
            serde_json::json!({ "name": "tool", "kind": ["bin"], "src_path": "/p/src/main.rs" });
        let proc = serde_json::json!({ "name": "m", "kind": ["proc-macro"], "src_path": "/m.rs" });
        assert!(target_is_lib(&lib) && target_is_lib(&proc) && !target_is_lib(&bin));
        assert_eq!(target_name(&lib), "my-lib");
        assert_eq!(target_src_path(&bin), Some(Path::new("/p/src/main.rs")));
    }

    #[test]
    fn old_cargo_without_default_members_makes_every_member_default() {
        let text = r#"{"packages": [{"name": "a", "id": "a 0.1.0", "manifest_path": "/a/Cargo.toml",
            "targets": []}], "workspace_members": ["a 0.1.0"], "workspace_root": "/a",
            "target_directory": "/a/target"}"#;
        let metadata: Metadata = serde_json::from_str(text).unwrap();
        let members = metadata.workspace_packages();
        assert_eq!(members.len(), 1);
        assert!(metadata.is_default_member(members[0]));
    }
}
