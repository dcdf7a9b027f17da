//! The cache of per-file results (ruff's model): a parsed file's findings, summary,
//! struct fields and suppressions, keyed by its path, its text, the tool's build and
//! every setting that shaped its check. A re-run on unchanged code reads them instead
//! of parsing. It lives under the cargo target directory (`target/unblock/`), or in
//! `.unblock_cache/` (with its own `.gitignore`) in paths mode. A cache that cannot be
//! read, or was written by another build, is ignored and rebuilt; it is replaced
//! atomically, so concurrent runs never see half a file.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::check::Checked;

const FILE_NAME: &str = "cache-v1.json";
/// The last run's whole result, reused while nothing it read has changed.
const RUN_FILE_NAME: &str = "run-v1.json";

/// A file's findings and suppressions in a run's result, by its index among the
/// files checked.
pub type MemoFile = (
    usize,
    Vec<crate::diagnostic::Diagnostic>,
    crate::rules::suppress::FileSuppressions,
);

/// A run's result: what every file it checked ended with, after the package-wide
/// passes, and every file it read with a hash of the text (`None`: unreadable).
#[derive(Serialize, Deserialize)]
pub struct RunMemo {
    build: String,
    /// The options, settings, files and crates of the run, hashed.
    key: u64,
    inputs: Vec<(PathBuf, Option<u64>)>,
    /// Per checked file, in order: whether it was parsed, and whether its check failed.
    pub flags: Vec<(bool, bool)>,
    /// The files with findings or suppressions.
    pub files: Vec<MemoFile>,
}

/// A hash of `value`, for the cache's keys.
pub fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The kinds of result a file has in the cache.
#[derive(Clone, Copy, Hash)]
pub enum Kind {
    /// The file's own check.
    Check,
    /// Its summary alone, for the call graph.
    Summary,
    /// The field types of its structs alone, for another file's receivers.
    Fields,
}

#[derive(Serialize, Deserialize, Default)]
struct Stored {
    /// The build that wrote it: another build's results are not reused.
    build: String,
    /// Per file: its results, each under its key.
    files: HashMap<PathBuf, Vec<(u64, Checked)>>,
}

/// The cache of one run: what was stored, and what this run used or made.
pub struct Cache {
    dir: PathBuf,
    build: String,
    /// The stored per-file results, read on first use (a run whose whole result is
    /// reused never needs them).
    old: std::sync::OnceLock<HashMap<PathBuf, Vec<(u64, Checked)>>>,
    used: Mutex<HashMap<PathBuf, Vec<u64>>>,
    made: Mutex<HashMap<PathBuf, Vec<(u64, Checked)>>>,
}

impl Cache {
    /// The cache in `dir` (read when first asked); anything unreadable or foreign is
    /// an empty cache.
    pub fn load(dir: &Path) -> Cache {
        Cache {
            dir: dir.to_path_buf(),
            build: build_id(),
            old: std::sync::OnceLock::new(),
            used: Mutex::new(HashMap::new()),
            made: Mutex::new(HashMap::new()),
        }
    }

    fn old(&self) -> &HashMap<PathBuf, Vec<(u64, Checked)>> {
        self.old.get_or_init(|| {
            let kept = KEPT.lock().ok().and_then(|mut kept| kept.take());
            if let Some((dir, build, files)) = kept {
                if dir == self.dir && build == self.build {
                    return files;
                }
            }
            let stored: Stored = std::fs::read(self.dir.join(FILE_NAME))
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .filter(|s: &Stored| s.build == self.build)
                .unwrap_or_default();
            stored.files
        })
    }

    /// The key of `text` checked under `context` (a hash of the settings) as `kind`.
    pub fn key(text: &str, context: u64, kind: Kind) -> u64 {
        hash_of(&(text, context, kind))
    }

    /// The stored result of `path` under `key`, if any.
    pub fn get(&self, path: &Path, key: u64) -> Option<Checked> {
        let (_, checked) = self.old().get(path)?.iter().find(|(k, _)| *k == key)?;
        if let Ok(mut used) = self.used.lock() {
            used.entry(path.to_path_buf()).or_default().push(key);
        }
        Some(checked.clone())
    }

    /// Records the result of `path` under `key`.
    pub fn put(&self, path: &Path, key: u64, checked: Checked) {
        if let Ok(mut made) = self.made.lock() {
            made.entry(path.to_path_buf())
                .or_default()
                .push((key, checked));
        }
    }

    /// The last run's result, if it ran with `key` and every file it read is unchanged.
    pub fn run_memo(&self, key: u64) -> Option<RunMemo> {
        let bytes = std::fs::read(self.dir.join(RUN_FILE_NAME)).ok()?;
        let memo: RunMemo = serde_json::from_slice(&bytes).ok()?;
        if memo.build != self.build || memo.key != key {
            return None;
        }
        use rayon::prelude::*;
        let unchanged = memo.inputs.par_iter().all(|(path, hash)| {
            let now = crate::syntax::source::read_text(path).ok();
            now.as_deref().map(crate::syntax::source::text_hash) == *hash
        });
        unchanged.then_some(memo)
    }

    /// Stores this run's result for the next run: its key, the files it read, every
    /// checked file's flags and the findings of some.
    pub fn save_run(
        &self,
        key: u64,
        inputs: HashMap<PathBuf, Option<u64>>,
        (flags, files): (Vec<(bool, bool)>, Vec<MemoFile>),
    ) {
        let memo = RunMemo {
            build: self.build.clone(),
            key,
            inputs: inputs.into_iter().collect(),
            flags,
            files,
        };
        let _ = write_atomically(&self.dir, RUN_FILE_NAME, &memo);
    }

    /// Writes the cache: for the files this run looked at, the results it used or
    /// made; for the others (a pre-commit run checks a few files), what was stored.
    pub fn save(self) {
        if self.made.lock().is_ok_and(|made| !made.is_empty()) {
            self.old(); // what is stored for the other files stays
        }
        let used = self.used.into_inner().unwrap_or_default();
        let made = self.made.into_inner().unwrap_or_default();
        let Some(mut files) = self.old.into_inner() else {
            return; // never read: nothing was looked up or made
        };
        let stale = used.iter().any(|(path, keys)| {
            files
                .get(path)
                .is_some_and(|entries| entries.len() > keys.len())
        });
        if made.is_empty() && !stale {
            // Nothing new: the stored cache is this run's.
            return keep(self.dir, self.build, files);
        }
        for (path, keys) in &used {
            if let Some(entries) = files.get_mut(path) {
                entries.retain(|(k, _)| keys.contains(k));
            }
        }
        for (path, entries) in made {
            let kept = files.entry(path.clone()).or_default();
            if !used.contains_key(&path) {
                kept.clear();
            }
            kept.extend(entries);
        }
        let stored = Stored {
            build: self.build,
            files,
        };
        let _ = write_atomically(&self.dir, FILE_NAME, &stored);
        keep(self.dir, stored.build, stored.files);
    }
}

fn keep(dir: PathBuf, build: String, files: HashMap<PathBuf, Vec<(u64, Checked)>>) {
    if KEEP_IN_MEMORY.load(std::sync::atomic::Ordering::Relaxed) {
        if let Ok(mut kept) = KEPT.lock() {
            *kept = Some((dir, build, files));
        }
    }
}

/// In a long-lived process (the language server), the cache as last saved, so that the
/// next run of the same process need not read it back from disk.
static KEPT: Mutex<Option<KeptCache>> = Mutex::new(None);
type KeptCache = (PathBuf, String, HashMap<PathBuf, Vec<(u64, Checked)>>);
static KEEP_IN_MEMORY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Keeps the saved cache in memory for the next run of this process as well.
pub fn keep_in_memory() {
    KEEP_IN_MEMORY.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Writes `stored` as the cache file `name` in `dir` (created with its `.gitignore`).
fn write_atomically(dir: &Path, name: &str, stored: &impl Serialize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# written by cargo-unblock\n*\n")?;
    }
    crate::syntax::source::write_atomically(&dir.join(name), |out| {
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer(&mut out, stored)?;
        out.flush()
    })
}

/// This build of the tool: its version, and the executable's size and time (a
/// rebuilt tool may analyse differently without a new version number).
fn build_id() -> String {
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    let stamp = exe
        .as_ref()
        .map(|m| {
            let modified = (m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{modified}", m.len())
        })
        .unwrap_or_default();
    format!("{}-{stamp}", env!("CARGO_PKG_VERSION"))
}
