//! The language server's response time: after `didChange` on a file of about 1,000
//! lines in tokio (573 files), how long until its diagnostics arrive; beside it, the
//! parse-only floor of the same workspace (every file parsed with syn, in parallel).
//!
//! `benches/crates/fetch` first; then `cargo bench --bench server`. `BENCH_RUNS` sets
//! the number of timed changes (default 30); `UNBLOCK_CORPUS` another workspace.
use std::path::{Path, PathBuf};
use std::process::ChildStdin;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use rayon::prelude::*;

// The tests' helpers: the server's wire, and the tree copy.
#[path = "../tests/common/mod.rs"]
mod common;
use common::copy_tree;
use common::lsp_wire::{start_server, write_message};
use serde_json::{json, Value};

fn main() {
    let source = std::env::var_os("UNBLOCK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/crates/vendor/tokio-1.54.1")
        });
    if !source.join("Cargo.toml").is_file() {
        eprintln!(
            "no workspace at {}: run benches/crates/fetch first",
            source.display()
        );
        return;
    }
    let runs: usize = (std::env::var("BENCH_RUNS").ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .max(1);
    // A copy, so that the cache starts empty and lands outside the repository.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("workspace");
    copy_tree(&source, &root);
    let files = rust_files(&root);
    let floor = parse_floor(&files);
    let (file, text) = file_near_1000_lines(&files);
    let lines = text.lines().count();
    println!(
        "workspace: {} ({} files); parse-only floor {:.1} ms",
        source.display(),
        files.len(),
        ms(floor)
    );

    let mut server = Server::start(&root);
    let started = Instant::now();
    server.initialize(&root);
    server.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    println!(
        "first check (cold; initialize to the end of its progress): {:.1} ms",
        ms(started.elapsed())
    );

    let uri = format!("file://{}", std::fs::canonicalize(&file).unwrap().display());
    let item = json!({"uri": uri, "languageId": "rust", "version": 0, "text": text});
    server.notify("textDocument/didOpen", json!({"textDocument": item}));
    server.wait(|m| published(m, &uri, 0));

    let mut times = Vec::with_capacity(runs);
    for version in 1..=runs as i64 {
        // Every other change adds a blocking call, so the findings change too.
        let edited = match version % 2 {
            1 => format!("{text}\nasync fn edited() {{ std::thread::sleep(std::time::Duration::from_millis({version})); }}\n"),
            _ => format!("{text}\n// edit {version}\n"),
        };
        let change = json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": edited}]
        });
        let sent = Instant::now();
        server.notify("textDocument/didChange", change);
        server.wait(|m| published(m, &uri, version));
        times.push(sent.elapsed());
    }
    server.shut_down();
    times.sort();
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    println!(
        "didChange → diagnostics on {} ({lines} lines), {runs} changes: median {:.1} ms, p90 {:.1} ms, max {:.1} ms ({:.2}x the floor; the server's {} ms debounce included)",
        file.strip_prefix(&root).unwrap_or(&file).display(),
        ms(median),
        ms(p90),
        ms(*times.last().unwrap()),
        median.as_secs_f64() / floor.as_secs_f64(),
        cargo_unblock::server::DEBOUNCE.as_millis()
    );
}

fn published(message: &Value, uri: &str, version: i64) -> bool {
    message["method"] == "textDocument/publishDiagnostics"
        && message["params"]["uri"] == uri
        && message["params"]["version"] == version
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Server {
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    child: std::process::Child,
}

impl Server {
    fn start(root: &Path) -> Server {
        let (child, stdin, incoming) = start_server(root);
        Server {
            stdin,
            incoming,
            child,
        }
    }

    fn send(&mut self, message: Value) {
        write_message(&mut self.stdin, &message);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn initialize(&mut self, root: &Path) {
        let uri = format!("file://{}", root.display());
        let capabilities = json!({"window": {"workDoneProgress": true}});
        self.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": uri, "capabilities": capabilities}}));
        self.wait(|m| m["id"] == 1);
        self.notify("initialized", json!({}));
    }

    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message =
                (self.incoming.recv_timeout(Duration::from_secs(120))).expect("the server answers");
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    fn shut_down(mut self) {
        self.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
        self.wait(|m| m["id"] == 2);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every file read and parsed with syn, in parallel: the least any check can cost.
fn parse_floor(files: &[PathBuf]) -> Duration {
    let started = Instant::now();
    let parsed: usize = files
        .par_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            syn::parse_file(&text).is_ok()
        })
        .count();
    assert!(parsed > 0);
    started.elapsed()
}

/// The library source file (under `src/`, not test code) whose length is nearest
/// 1,000 lines.
fn file_near_1000_lines(files: &[PathBuf]) -> (PathBuf, String) {
    (files.iter())
        .filter(|p| p.components().any(|c| c.as_os_str() == "src"))
        .filter(|p| !p.ends_with("tests.rs") && !p.components().any(|c| c.as_os_str() == "tests"))
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(p).ok()?)))
        .min_by_key(|(_, text)| text.lines().count().abs_diff(1000))
        .expect("a source file")
}
