//! `cargo unblock server` driven over JSON-RPC on stdio, as an editor drives it: open,
//! change, save, close, code actions, hover, configuration changes, cancellation and
//! shutdown, on a small cargo workspace written for each test.
use std::path::Path;
use std::process::{Child, ChildStdin};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::editor_workspace::{workspace, HELPERS, MAIN};
use common::lsp_wire::{start_server, write_message};

/// Long enough for a check in a debug build on a busy machine.
const PATIENCE: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages read while waiting for another, in arrival order.
    seen: Vec<Value>,
    /// The diagnostics last published for each URI: what an editor would show.
    held: std::collections::HashMap<String, Vec<Value>>,
    next_id: i64,
}

impl Client {
    fn start(root: &Path) -> Client {
        let (child, stdin, incoming) = start_server(root);
        let mut client = Client {
            child,
            stdin,
            incoming,
            seen: Vec::new(),
            held: Default::default(),
            next_id: 0,
        };
        let uri = uri(root);
        let capabilities = json!({
            "window": {"workDoneProgress": true},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
            "textDocument": {"publishDiagnostics": {"relatedInformation": true}}
        });
        let init = client.request(
            "initialize",
            json!({"processId": null, "rootUri": uri, "capabilities": capabilities}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "cargo-unblock");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        write_message(&mut self.stdin, &message);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The next message that `wanted` accepts; requests from the server are answered.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(message) => message,
                Err(_) => panic!("no such message in time; seen: {:#?}", self.seen),
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                let reply = json!({"jsonrpc": "2.0", "id": message["id"], "result": null});
                self.send(reply);
            }
            if message["method"] == "textDocument/publishDiagnostics" {
                let uri = message["params"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let diagnostics = message["params"]["diagnostics"].as_array().cloned();
                self.held.insert(uri, diagnostics.unwrap_or_default());
            }
            self.seen.push(message.clone());
            if wanted(&message) {
                return message;
            }
        }
    }

    /// The diagnostics the client holds for `file` (the last published), once they
    /// meet `wanted`; publishes for any file may come in any order.
    fn until(&mut self, file: &Path, wanted: impl Fn(&Vec<Value>) -> bool) -> Vec<Value> {
        let uri = uri(file);
        loop {
            if let Some(held) = self.held.get(&uri).filter(|held| wanted(held)) {
                return held.clone();
            }
            self.wait_for(|m| m["method"] == "textDocument/publishDiagnostics");
        }
    }

    fn open(&mut self, file: &Path, text: &str) {
        let item = json!({"uri": uri(file), "languageId": "rust", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": item}));
    }

    /// `didClose`, `didSave` and the like: a notification about the document `file`.
    fn about(&mut self, method: &str, file: &Path) {
        self.notify(method, json!({"textDocument": {"uri": uri(file)}}));
    }

    fn change(&mut self, file: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri(file), "version": version},
                "contentChanges": [{"text": text}]
            }),
        );
    }

    /// `shutdown`, then `exit`: the exit code.
    fn shut_down(mut self) -> Option<i32> {
        let reply = self.request("shutdown", Value::Null);
        assert!(reply.get("error").is_none(), "{reply}");
        self.exit()
    }

    /// `exit`: the exit code.
    fn exit(mut self) -> Option<i32> {
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the server did not exit");
    }
}

fn uri(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", path.display())
}

/// Applies LSP text edits (line and UTF-16 column; ASCII here) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let column = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + column
    };
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for edit in edits {
        let range = offset(&edit["range"]["start"])..offset(&edit["range"]["end"]);
        out.replace_range(range, edit["newText"].as_str().unwrap());
    }
    out
}

#[test]
fn a_session_from_unsaved_buffer_to_quick_fix_to_shutdown() {
    let (dir, main, _) = workspace();
    let mut client = Client::start(dir.path());
    // The first check shows its progress.
    client.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    let text = MAIN.replace(
        "    helpers::settings().len()\n",
        "    std::thread::sleep(std::time::Duration::from_millis(5));\n    helpers::settings().len()\n",
    );
    client.open(&main, &text);
    let diagnostics = client.until(&main, |d| !d.is_empty());
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let finding = &diagnostics[0];
    assert_eq!(finding["code"], "thread_sleep");
    assert_eq!(finding["source"], "cargo-unblock");
    assert_eq!(finding["severity"], 2);
    assert_eq!(
        finding["range"]["start"],
        json!({"line": 8, "character": 4})
    );
    assert!(finding["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("thread_sleep.md"));
    // Hover over the call explains the lint.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 8, "character": 10}}),
    );
    let shown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("# unblock::thread_sleep"), "{shown}");
    // Elsewhere there is nothing to say.
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 0, "character": 1}}),
    );
    assert_eq!(nothing["result"], Value::Null);
    // The quick fixes: the async rewrite (preferred) and a suppression with a reason.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(&main)},
            "range": finding["range"],
            "context": {"diagnostics": [finding]}
        }),
    );
    let actions = actions["result"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let suppress = &actions[1];
    assert_eq!(suppress["isPreferred"], false);
    let suppressed = apply(
        &text,
        suppress["edit"]["changes"][uri(&main)].as_array().unwrap(),
    );
    assert!(
        suppressed.contains("    // unblock: allow(thread_sleep) -- TODO: why blocking is fine here\n    std::thread::sleep"),
        "{suppressed}"
    );
    let fixed = apply(
        &text,
        fix["edit"]["changes"][uri(&main)].as_array().unwrap(),
    );
    assert!(
        fixed.contains("tokio::time::sleep(std::time::Duration::from_millis(5)).await;"),
        "{fixed}"
    );
    // The edit applied in the buffer: the finding is gone.
    client.change(&main, 2, &fixed);
    client.until(&main, |d| d.is_empty());
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn chains_follow_other_buffers_and_closing_clears() {
    let (dir, main, helpers) = workspace();
    let mut client = Client::start(dir.path());
    client.open(&main, MAIN);
    client.until(&main, |d| d.is_empty());
    // The helper blocks in its unsaved buffer (and has a finding of its own there): the
    // handler that calls it is reported, with the chain's links as related information.
    let blocking = HELPERS.replace(
        "String::from(\"defaults\")",
        "std::fs::read_to_string(\"settings.toml\").unwrap_or_default()",
    )
        + "\npub async fn idle() {\n    std::thread::sleep(std::time::Duration::ZERO);\n}\n";
    client.open(&helpers, &blocking);
    let own = client.until(&helpers, |d| !d.is_empty());
    assert_eq!(own[0]["code"], "thread_sleep");
    let diagnostics = client.until(&main, |d| !d.is_empty());
    assert_eq!(diagnostics[0]["code"], "transitive_blocking");
    let related = diagnostics[0]["relatedInformation"].as_array().unwrap();
    let places: Vec<(String, u64)> = related
        .iter()
        .map(|r| {
            let file = r["location"]["uri"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap().to_string();
            (
                name,
                r["location"]["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(places.contains(&("helpers.rs".into(), 0)), "{places:?}");
    assert!(places.contains(&("helpers.rs".into(), 1)), "{places:?}");
    // Closed unsaved: its own diagnostics are cleared, and the chain that only its
    // buffer had is gone from the caller.
    client.about("textDocument/didClose", &helpers);
    client.until(&helpers, |d| d.is_empty());
    client.until(&main, |d| d.is_empty());
    // Written to disk by another tool, then saved: the callers are checked again.
    std::fs::write(&helpers, &blocking).unwrap();
    client.about("textDocument/didSave", &helpers);
    client.until(&main, |d| d.len() == 1);
    std::fs::write(&helpers, HELPERS).unwrap();
    client.about("textDocument/didSave", &helpers);
    client.until(&main, |d| d.is_empty());
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn broken_buffers_and_configuration_are_diagnostics_not_crashes() {
    let (dir, main, _) = workspace();
    let mut client = Client::start(dir.path());
    client.open(&main, "async fn main( {\n");
    let diagnostics = client.until(&main, |d| !d.is_empty());
    assert_eq!(diagnostics[0]["code"], "parse_error", "{diagnostics:#?}");
    // A configuration with a mistake: a diagnostic on its line.
    let config = dir.path().join("unblock.toml");
    std::fs::write(
        &config,
        "[lints]\nblocking_fs = \"warn\"\nno_such_key = 1\n",
    )
    .unwrap();
    let changes = json!({"changes": [{"uri": uri(&config), "type": 1}]});
    client.notify("workspace/didChangeWatchedFiles", changes.clone());
    let problems = client.until(&config, |d| !d.is_empty());
    assert_eq!(problems[0]["severity"], 1);
    // Mended: the diagnostic goes, and the server still answers.
    std::fs::write(&config, "[lints]\nblocking_fs = \"warn\"\n").unwrap();
    client.notify("workspace/didChangeWatchedFiles", changes);
    client.until(&config, |d| d.is_empty());
    client.change(&main, 2, MAIN);
    client.until(&main, |d| d.is_empty());
    // The configuration's level is the diagnostic's severity.
    std::fs::write(&config, "[lints]\nthread_sleep = \"deny\"\n").unwrap();
    client.notify("workspace/didChangeWatchedFiles", changes_again(&config));
    let sleeping = MAIN.replace(
        "    helpers",
        "    std::thread::sleep(std::time::Duration::ZERO);\n    helpers",
    );
    client.change(&main, 3, &sleeping);
    let denied = client.until(&main, |d| !d.is_empty());
    assert_eq!(denied[0]["code"], "thread_sleep");
    assert_eq!(denied[0]["severity"], 1, "{denied:#?}");
    assert_eq!(client.shut_down(), Some(0));
}

fn changes_again(config: &Path) -> Value {
    json!({"changes": [{"uri": uri(config), "type": 2}]})
}

#[test]
fn a_cancelled_request_is_answered_as_cancelled() {
    let (dir, main, _) = workspace();
    let mut client = Client::start(dir.path());
    client.open(&main, MAIN);
    // The cancellation reaches the server before the request it names.
    client.notify("$/cancelRequest", json!({"id": 1000}));
    client.send(json!({
        "jsonrpc": "2.0", "id": 1000, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri(&main)}, "position": {"line": 0, "character": 0}}
    }));
    let reply = client.wait_for(|m| m["id"] == 1000);
    assert_eq!(reply["error"]["code"], -32800, "{reply}");
    // An unknown request is an error, not the end.
    let unknown = client.request("textDocument/unknownThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // Between `shutdown` and `exit`, a notification is ignored and a request refused.
    let reply = client.request("shutdown", Value::Null);
    assert!(reply.get("error").is_none(), "{reply}");
    client.about("textDocument/didClose", &main);
    let late = client.request("textDocument/hover", json!({}));
    assert_eq!(late["error"]["code"], -32600, "{late}");
    assert_eq!(client.exit(), Some(0));
}
