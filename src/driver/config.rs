//! Configuration: `unblock.toml`/`.unblock.toml`, or the `[package.metadata.unblock]` /
//! `[workspace.metadata.unblock]` tables, found and checked per package.
//!
//! Precedence, highest first: `--config FILE`; the nearest `.unblock.toml` or
//! `unblock.toml` from the package's directory up to the workspace root; the package's
//! metadata table; the workspace's. Files are not merged. Every mistake (an unknown
//! key, lint or level, a bad value) is an error naming the file, the line and the
//! valid choices.
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::runtime::Runtime;
use crate::catalog::{Catalog, DeclaredBlocking};
use crate::diagnostic::Level;

use super::config_keys::{all_of, unknown_keys};
use super::layout::Role;

/// The settings one package is checked with.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where the settings came from (for messages), `None` for the defaults.
    pub source: Option<PathBuf>,
    /// The directory `include`/`exclude` globs are relative to.
    pub base_dir: PathBuf,
    /// Levels by lint id or group, in the order written (later wins).
    pub levels: Vec<(String, Level)>,
    pub tests: Option<bool>,
    /// Check the examples too.
    pub examples: Option<bool>,
    /// Check the benches too.
    pub benches: Option<bool>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub runtime: Option<Runtime>,
    pub cpu_loop_threshold: Option<u128>,
    /// Whether a suppression comment needs a `-- reason` (default: yes).
    pub require_reason: bool,
    /// Functions declared blocking: third-party calls are reported as
    /// `declared_blocking`, the crate's own fns seed `transitive_blocking`.
    pub blocking: Vec<DeclaredBlocking>,
    /// Functions whose closure arguments run off the executor.
    pub offload: Vec<String>,
}

/// The target kinds the command line asks for beside the library and binaries:
/// `--tests`, `--examples`, `--benches` (or `--all-targets`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AskedTargets {
    pub tests: bool,
    pub examples: bool,
    pub benches: bool,
}

impl Config {
    /// Whether code of `role` is checked: the library's and the binaries' always;
    /// tests, examples and benches when the command line or this configuration asks.
    /// Discovery (which targets' module trees to build) and the scan (which files to
    /// check) both ask this.
    pub fn checks(&self, role: Role, asked: AskedTargets) -> bool {
        match role {
            Role::Source => true,
            Role::Test => asked.tests || self.tests == Some(true),
            Role::Example => asked.examples || self.examples == Some(true),
            Role::Bench => asked.benches || self.benches == Some(true),
        }
    }
}

/// A configuration that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlocking {
    path: Spanned<String>,
    message: Option<String>,
    suggest: Option<String>,
}

/// `[lints]` entries as written: name and level, with their places in the file.
type LintLevels = Vec<(Spanned<String>, Spanned<String>)>;

/// `lints` is a table in TOML; it is read in the order written.
fn lints_table<'de, D>(deserializer: D) -> Result<LintLevels, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::{MapAccess, Visitor};
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = LintLevels;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a table of lint or group names to `allow`, `warn` or `deny`")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Ordered)
}

/// The table as written (`lints` kept in the order written). Unknown keys are found
/// by `unknown_keys`, all at once, rather than by serde, one at a time.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default, deserialize_with = "lints_table")]
    lints: LintLevels,
    tests: Option<bool>,
    examples: Option<bool>,
    benches: Option<bool>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    runtime: Option<Spanned<String>>,
    cpu_loop_threshold: Option<Spanned<i64>>,
    require_reason: Option<bool>,
    #[serde(default)]
    blocking: Vec<RawBlocking>,
    #[serde(default)]
    offload: Vec<Spanned<String>>,
}

/// A manifest, for its metadata tables only.
#[derive(Debug, Deserialize)]
struct Manifest {
    package: Option<MetadataHolder>,
    workspace: Option<MetadataHolder>,
}

#[derive(Debug, Deserialize)]
struct MetadataHolder {
    metadata: Option<Metadata>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    unblock: Option<RawConfig>,
}

/// The configuration file names, in order of precedence within one directory.
pub const FILE_NAMES: [&str; 2] = [".unblock.toml", "unblock.toml"];

/// Finds and loads the configuration of the package at `package_root` in the
/// workspace at `workspace_root` (`explicit` is `--config FILE`).
pub fn load_for(
    package_root: &Path,
    workspace_root: &Path,
    explicit: Option<&Path>,
    catalog: &Catalog,
) -> Result<Config, ConfigError> {
    if let Some(file) = explicit {
        return load_file(file, catalog);
    }
    for dir in package_root.ancestors() {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .filter(|p| p.is_file())
            .collect();
        match found.as_slice() {
            [] => {}
            [file] => return load_file(file, catalog),
            [first, second, ..] => {
                return Err(ConfigError(format!(
                    "both `{}` and `{}` exist: keep one of them",
                    first.display(),
                    second.display()
                )))
            }
        }
        if dir == workspace_root || !dir.starts_with(workspace_root) {
            break;
        }
    }
    for (manifest_dir, use_package) in [(package_root, true), (workspace_root, false)] {
        let manifest = manifest_dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let parsed: Manifest = match toml::from_str(&text) {
            Ok(parsed) => parsed,
            // A manifest that does not parse is cargo's to report; a broken metadata
            // table inside a good manifest is ours.
            Err(err) if toml::from_str::<toml::Table>(&text).is_ok() => {
                return Err(error_at(&manifest, &text, err.span(), err.message()));
            }
            Err(_) => continue,
        };
        let holder = if use_package {
            parsed.package
        } else {
            parsed.workspace
        };
        if let Some(raw) = holder.and_then(|h| h.metadata).and_then(|m| m.unblock) {
            let table: toml::Table = toml::from_str(&text).unwrap_or_default();
            let section = if use_package { "package" } else { "workspace" };
            let keys = (table.get(section))
                .and_then(|t| t.get("metadata"))
                .and_then(|t| t.get("unblock"))
                .and_then(toml::Value::as_table)
                .map(|t| unknown_keys(t, &manifest, &text))
                .unwrap_or_default();
            return match (build(raw, &manifest, &text, catalog), keys.is_empty()) {
                (Ok(config), true) => Ok(config),
                (Ok(_), false) => Err(all_of(keys)),
                (Err(err), _) => Err(all_of(keys.into_iter().chain([err]).collect())),
            };
        }
    }
    Ok(Config {
        base_dir: package_root.to_path_buf(),
        require_reason: true,
        ..Config::default()
    })
}

/// Loads one configuration file.
pub fn load_file(file: &Path, catalog: &Catalog) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(file)
        .map_err(|err| ConfigError(format!("cannot read `{}`: {err}", file.display())))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|err| error_at(file, &text, err.span(), err.message()))?;
    let mut errors = unknown_keys(&table, file, &text);
    let raw: Result<RawConfig, _> = toml::from_str(&text);
    match raw.map_err(|err| error_at(file, &text, err.span(), err.message())) {
        Ok(raw) => match build(raw, file, &text, catalog) {
            Ok(config) if errors.is_empty() => return Ok(config),
            Ok(_) => {}
            Err(more) => errors.push(more),
        },
        Err(err) => errors.push(err),
    }
    Err(all_of(errors))
}

pub(super) fn error_at(
    file: &Path,
    text: &str,
    span: Option<Range<usize>>,
    message: &str,
) -> ConfigError {
    let location = match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("{}:{line}", file.display())
        }
        None => file.display().to_string(),
    };
    ConfigError(format!("invalid configuration in {location}: {message}"))
}

fn build(
    raw: RawConfig,
    file: &Path,
    text: &str,
    catalog: &Catalog,
) -> Result<Config, ConfigError> {
    let mut errors = Vec::new();
    let mut at = |span: Range<usize>, message: String| {
        errors.push(error_at(file, text, Some(span), &message));
    };
    let mut levels = Vec::new();
    for (name, level) in raw.lints {
        let id = name.get_ref().trim_start_matches("unblock::");
        let known = catalog.lint(id).is_some() || catalog.groups().contains(&id);
        if !known {
            let mut choices: Vec<&str> = catalog.lints().iter().map(|l| l.id.as_str()).collect();
            choices.extend(catalog.groups());
            let message = match catalog.did_you_mean(id) {
                hint if !hint.is_empty() => format!("unknown lint or group `{id}`{hint}"),
                _ => format!(
                    "unknown lint or group `{id}`; known: {}",
                    choices.join(", ")
                ),
            };
            at(name.span(), message);
            continue;
        }
        let parsed = match level.get_ref().as_str() {
            "allow" => Level::Allow,
            "warn" => Level::Warn,
            "deny" => Level::Deny,
            other => {
                at(
                    level.span(),
                    format!("unknown level `{other}` for `{id}`; use `allow`, `warn` or `deny`"),
                );
                continue;
            }
        };
        levels.push((id.to_string(), parsed));
    }
    let runtime = raw.runtime.and_then(|name| {
        let runtime = Runtime::from_name(name.get_ref());
        if runtime.is_none() {
            at(
                name.span(),
                format!(
                    "unknown runtime `{}`; use `tokio`, `async-std`, `smol`, `actix-web`, `actix-rt` or `none`",
                    name.get_ref()
                ),
            );
        }
        runtime
    });
    let cpu_loop_threshold = match raw.cpu_loop_threshold {
        None => None,
        Some(n) if *n.get_ref() > 0 => Some(*n.get_ref() as u128),
        Some(n) => {
            at(
                n.span(),
                "`cpu-loop-threshold` must be a positive number of iterations".into(),
            );
            None
        }
    };
    let is_path = |p: &str| {
        !p.is_empty()
            && p.split("::")
                .all(|s| !s.is_empty() && s.chars().all(|c| c == '_' || c.is_alphanumeric()))
            && p.contains("::")
    };
    let mut blocking = Vec::new();
    for entry in raw.blocking {
        if !is_path(entry.path.get_ref()) {
            at(
                entry.path.span(),
                format!(
                    "`{}` is not a path; write it as `crate_name::module::function` or `crate_name::Type::method`",
                    entry.path.get_ref()
                ),
            );
            continue;
        }
        blocking.push(DeclaredBlocking {
            path: entry.path.into_inner(),
            message: entry.message,
            suggest: entry.suggest,
        });
    }
    let mut offload = Vec::new();
    for path in raw.offload {
        if !is_path(path.get_ref()) {
            at(
                path.span(),
                format!(
                    "`{}` is not a path; write it as `crate_name::module::function`",
                    path.get_ref()
                ),
            );
            continue;
        }
        offload.push(path.into_inner());
    }
    if !errors.is_empty() {
        return Err(all_of(errors));
    }
    Ok(Config {
        source: Some(file.to_path_buf()),
        base_dir: file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        levels,
        tests: raw.tests,
        examples: raw.examples,
        benches: raw.benches,
        include: raw.include,
        exclude: raw.exclude,
        runtime,
        cpu_loop_threshold,
        require_reason: raw.require_reason.unwrap_or(true),
        blocking,
        offload,
    })
}

impl Config {
    /// Whether `file` is to be checked under `include`/`exclude` (globs relative to the
    /// configuration's directory; `*` and `**` match across `/`).
    pub fn selects(&self, file: &Path) -> bool {
        let relative = file.strip_prefix(&self.base_dir).unwrap_or(file);
        let relative = relative.to_string_lossy().replace('\\', "/");
        let matches = |globs: &[String]| {
            globs
                .iter()
                .any(|g| crate::driver::glob::glob_match(&g.replace("**", "*"), &relative))
        };
        (self.include.is_empty() || matches(&self.include)) && !matches(&self.exclude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("unblock.toml");
        std::fs::write(&file, text).unwrap();
        load_file(&file, Catalog::builtin())
            .map_err(|e| ConfigError(e.0.replace(&dir.path().display().to_string(), "<dir>")))
    }

    #[test]
    fn reads_every_setting() {
        let config = load(
            r#"
tests = true
examples = true
benches = true
include = ["src/**"]
exclude = ["src/generated/*"]
runtime = "smol"
cpu-loop-threshold = 5000
require-reason = false
offload = ["my_pool::run_blocking"]

[lints]
blocking = "deny"
thread_sleep = "allow"
"unblock::std_lock" = "warn"

[[blocking]]
path = "legacy_sdk::Client::fetch"
message = "the legacy SDK waits for the network"
suggest = "legacy_sdk::AsyncClient::fetch({args}).await"
"#,
        )
        .unwrap();
        assert_eq!(
            config.levels,
            vec![
                ("blocking".to_string(), Level::Deny),
                ("thread_sleep".to_string(), Level::Allow),
                ("std_lock".to_string(), Level::Warn),
            ]
        );
        assert_eq!(config.tests, Some(true));
        assert_eq!(config.examples, Some(true));
        assert_eq!(config.benches, Some(true));
        assert_eq!(config.runtime, Some(Runtime::Smol));
        assert_eq!(config.cpu_loop_threshold, Some(5000));
        assert!(!config.require_reason);
        assert_eq!(config.offload, vec!["my_pool::run_blocking".to_string()]);
        assert_eq!(config.blocking[0].path, "legacy_sdk::Client::fetch");
        assert!(config.selects(&config.base_dir.join("src/a.rs")));
        assert!(!config.selects(&config.base_dir.join("src/generated/x.rs")));
        assert!(!config.selects(&config.base_dir.join("build.rs")));
    }

    #[test]
    fn mistakes_name_the_file_line_and_choices() {
        let unknown_key = load("tests = true\nfrobnicate = 1\n").unwrap_err().0;
        assert!(
            unknown_key.starts_with("invalid configuration in <dir>/unblock.toml:2:"),
            "{unknown_key}"
        );
        assert!(
            unknown_key.contains("unknown key `frobnicate`; expected one of"),
            "{unknown_key}"
        );

        // Several mistakes: all of them at once, each with its line.
        let text = "testz = true\nruntime = \"tokyo\"\n[lints]\nthread_slep = \"deny\"\nblocking_fs = \"loud\"\n";
        let all = load(text).unwrap_err().0;
        let lines: Vec<&str> = all.lines().collect();
        assert_eq!(lines.len(), 4, "{all}");
        assert!(
            lines[0].contains("unblock.toml:1: unknown key `testz`; did you mean `tests`?"),
            "{all}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(":2: unknown runtime `tokyo`")),
            "{all}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(":4: unknown lint or group `thread_slep`")),
            "{all}"
        );
        assert!(
            lines.iter().any(|l| l.contains(":5: unknown level `loud`")),
            "{all}"
        );

        let unknown_lint = load("[lints]\nthread_slep = \"deny\"\n").unwrap_err().0;
        assert!(
            unknown_lint.contains(
                "unblock.toml:2: unknown lint or group `thread_slep`; did you mean `thread_sleep`?"
            ),
            "{unknown_lint}"
        );
        assert!(unknown_lint.contains("thread_sleep"), "{unknown_lint}");

        let bad_level = load("[lints]\nthread_sleep = \"forbid\"\n").unwrap_err().0;
        assert!(
            bad_level.contains(
                ":2: unknown level `forbid` for `thread_sleep`; use `allow`, `warn` or `deny`"
            ),
            "{bad_level}"
        );

        let bad_runtime = load("runtime = \"glommio\"\n").unwrap_err().0;
        assert!(
            bad_runtime.contains(":1: unknown runtime `glommio`"),
            "{bad_runtime}"
        );

        let bad_type = load("tests = \"yes\"\n").unwrap_err().0;
        assert!(bad_type.contains("unblock.toml:1:"), "{bad_type}");

        let bad_path = load("[[blocking]]\npath = \"not a path\"\n").unwrap_err().0;
        assert!(
            bad_path.contains(":2: `not a path` is not a path"),
            "{bad_path}"
        );

        let broken = load("[lints\n").unwrap_err().0;
        assert!(broken.contains("unblock.toml:1:"), "{broken}");
    }

    #[test]
    fn nearest_file_then_package_then_workspace_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        let member = ws.join("crates/api");
        std::fs::create_dir_all(&member).unwrap();
        std::fs::write(
            ws.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.metadata.unblock]\ntests = true\n",
        )
        .unwrap();
        std::fs::write(
            member.join("Cargo.toml"),
            "[package]\nname = \"api\"\n[package.metadata.unblock]\ntests = false\n",
        )
        .unwrap();
        let catalog = Catalog::builtin();
        let config = load_for(&member, ws, None, catalog).unwrap();
        assert_eq!(config.tests, Some(false));
        assert_eq!(config.source, Some(member.join("Cargo.toml")));

        std::fs::write(member.join("Cargo.toml"), "[package]\nname = \"api\"\n").unwrap();
        let config = load_for(&member, ws, None, catalog).unwrap();
        assert_eq!(config.tests, Some(true));

        std::fs::write(ws.join("unblock.toml"), "runtime = \"smol\"\n").unwrap();
        let config = load_for(&member, ws, None, catalog).unwrap();
        assert_eq!(config.runtime, Some(Runtime::Smol));
        assert_eq!(config.tests, None, "files are not merged");

        std::fs::write(ws.join(".unblock.toml"), "").unwrap();
        let both = load_for(&member, ws, None, catalog).unwrap_err().0;
        assert!(both.contains("keep one of them"), "{both}");

        std::fs::write(
            member.join("Cargo.toml"),
            "[package]\nname = \"api\"\n[package.metadata.unblock]\nbogus = 1\n",
        )
        .unwrap();
        std::fs::remove_file(ws.join(".unblock.toml")).unwrap();
        std::fs::remove_file(ws.join("unblock.toml")).unwrap();
        let bad = load_for(&member, ws, None, catalog).unwrap_err().0;
        assert!(bad.contains("crates/api/Cargo.toml:4:"), "{bad}");
    }
}
