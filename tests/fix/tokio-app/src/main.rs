//! Handler shapes from real services, each with the blocking call a fix rewrites. Every
//! rewrite `--fix` or `--fix --unsafe-fixes` makes here must leave the crate compiling.
#![allow(dead_code, unused_variables, unused_mut, clippy::all)]

mod helpers;
mod state;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use helpers::{encrypt_file, load_config};

/// A twin with the same types: `tokio::fs::read_to_string`; `path` is used afterwards.
async fn template(path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    println!("read {path}");
    text
}

/// Nested calls: the outer and the inner call are fixed in two passes.
async fn copy_upper(input: PathBuf, out: PathBuf) -> std::io::Result<()> {
    std::fs::write(&out, std::fs::read(&input)?)?;
    Ok(())
}

/// `sleep` as a match arm's value.
async fn retry(busy: bool) -> &'static str {
    match busy {
        true => std::thread::sleep(std::time::Duration::from_millis(5)),
        false => return "done",
    }
    "retried"
}

/// A crate helper that reads a file, called with a value used afterwards.
async fn settings(name: String) -> String {
    let value = load_config(&name);
    format!("{name} = {value}")
}

/// The call sits in a loop and borrows a key used on every turn.
async fn encrypt_all(key: String, count: usize) {
    for index in 0..count {
        let path = format!("{index}.bin");
        encrypt_file(&key, Path::new(&path));
    }
}

/// The same, iterating by reference: the item's type is not known, so no edit.
async fn encrypt_each(key: String, files: Vec<PathBuf>) {
    for file in &files {
        encrypt_file(&key, file);
    }
}

/// The helper's result is `!Send`: `spawn_blocking` could not hand it back.
async fn save(name: String) -> bool {
    helpers::store(&name).is_ok()
}

/// A std lock guard is borrowed by the call: no `spawn_blocking` edit.
async fn expire(pastes: Arc<Mutex<Vec<String>>>) {
    let mut guard = pastes.lock().unwrap();
    helpers::remove_expired(&mut guard);
}

/// A std lock guard is alive at the call: an `.await` there would make the future
/// `!Send`, and `tokio::spawn` below needs it `Send`.
async fn guarded(pastes: Arc<Mutex<Vec<String>>>) {
    let guard = pastes.lock().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1));
    drop(guard);
}

struct Args {
    log_file: String,
}

/// A field of a value of unknown type: no edit.
async fn init(args: Args) {
    helpers::init_log(args.log_file.clone());
    println!("{}", args.log_file);
}

/// `read_dir` keeps its std type, so the code after it still compiles.
async fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// A path method on a borrowed `Path`.
async fn present(path: &Path) -> bool {
    path.exists()
}

/// A builder chain swapped to tokio's `Command`.
async fn revision() -> String {
    let output = Command::new("git").arg("rev-parse").output();
    output
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default()
}

/// `blocking_recv` inside async code.
async fn drain(mut rx: tokio::sync::mpsc::Receiver<u32>) -> u32 {
    let mut total = 0;
    while let Some(n) = rx.blocking_recv() {
        total += n;
    }
    total
}

/// A `?` inside the call: no closure can hold it.
async fn first_line(path: Option<&str>) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path.ok_or(std::io::ErrorKind::NotFound)?)?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

/// Inside a sync closure that runs inline: no `.await` can go there.
async fn sizes(paths: Vec<PathBuf>) -> Vec<u64> {
    paths
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .collect()
}

/// A method on `self` that blocks: `self` cannot move into a closure.
impl state::Store {
    async fn refresh(&self) -> usize {
        self.reload()
    }
}

/// Every handler runs as a task of its own, as a server runs them.
#[tokio::main]
async fn main() {
    let pastes = Arc::new(Mutex::new(Vec::new()));
    tokio::spawn(expire(pastes.clone()));
    tokio::spawn(guarded(pastes));
    tokio::spawn(encrypt_all("k".into(), 2));
    tokio::spawn(encrypt_each("k".into(), vec![]));
    tokio::spawn(settings("n".into()));
    tokio::spawn(save("n".into()));
    tokio::spawn(template("a"));
    tokio::spawn(copy_upper("a".into(), "b".into()));
    tokio::spawn(retry(false));
    tokio::spawn(init(Args { log_file: "l".into() }));
    tokio::spawn(count(Path::new(".")));
    tokio::spawn(present(Path::new(".")));
    tokio::spawn(revision());
    let (_tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(drain(rx));
    tokio::spawn(first_line(None));
    tokio::spawn(sizes(vec![]));
    let store = state::Store::default();
    tokio::spawn(async move { store.refresh().await });
}
