//! `cargo unblock server`: the linter as a language server over stdio, beside
//! rust-analyzer. Diagnostics follow the unsaved buffers (debounced), quick fixes come
//! from the findings' edits, a hover explains the lint.
mod convert;
mod notifications;
mod session;

use std::collections::{HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::json;

use crate::catalog::Catalog;
use convert::LineIndex;
use notifications::request_id;
use session::{canonical, Session};

/// How long the buffers must rest after a change before they are checked: long enough
/// to take a burst of keystrokes as one change, short enough not to be felt.
pub const DEBOUNCE: Duration = Duration::from_millis(15);

/// The progress token of the first workspace check.
const PROGRESS_TOKEN: &str = "cargo-unblock/check";

/// Serves on stdin and stdout until the client says `exit`; the process's exit code.
pub fn run() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("cargo-unblock server: {message}");
            1
        }
    };
    drop(connection);
    let _ = io_threads.join();
    code
}

fn serve(connection: &Connection) -> Result<i32, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    // Parameters this server cannot read are no reason to leave the client waiting.
    let params: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let root =
        workspace_root(&params).unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let result = lsp::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(lsp::ServerInfo {
            name: "cargo-unblock".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection, canonical(&root), params.capabilities);
    // `initialize_finish` has waited for the client's `initialized`.
    server.guarded("the first check", |s| s.first_check());
    Ok(server.main_loop())
}

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        ..Default::default()
    }
}

fn workspace_root(params: &lsp::InitializeParams) -> Option<PathBuf> {
    let folder = params.workspace_folders.as_ref().and_then(|f| f.first());
    #[allow(deprecated)]
    let uri = folder.map(|f| &f.uri).or(params.root_uri.as_ref())?;
    uri.to_file_path().ok()
}

struct Server<'c> {
    connection: &'c Connection,
    session: Session,
    client: lsp::ClientCapabilities,
    /// When the buffers changed without a check since.
    dirty_since: Option<Instant>,
    /// Messages read ahead (to see cancellations) and not handled yet.
    queue: VecDeque<Message>,
    cancelled: HashSet<RequestId>,
    /// The files whose diagnostics the client holds (to clear them when they go).
    published: HashSet<lsp::Url>,
    next_request: i32,
    /// `shutdown` was answered: only `exit` is welcome now.
    shutting_down: bool,
}

enum Next {
    Message(Message),
    CheckNow,
    Gone,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, root: PathBuf, client: lsp::ClientCapabilities) -> Self {
        Server {
            connection,
            session: Session::new(root),
            client,
            dirty_since: None,
            queue: VecDeque::new(),
            cancelled: HashSet::new(),
            published: HashSet::new(),
            next_request: 0,
            shutting_down: false,
        }
    }

    fn main_loop(&mut self) -> i32 {
        loop {
            let message = match self.next() {
                Next::Message(message) => message,
                Next::CheckNow => {
                    self.guarded("check", |s| s.check_and_publish());
                    continue;
                }
                Next::Gone => return 1,
            };
            match message {
                Message::Request(request) if self.shutting_down => {
                    let code = ErrorCode::InvalidRequest as i32;
                    let refused = Response::new_err(request.id, code, "shutting down".into());
                    self.send(Message::Response(refused));
                }
                Message::Request(request) if request.method == "shutdown" => {
                    self.shutting_down = true;
                    self.send(Message::Response(Response::new_ok(request.id, ())));
                }
                Message::Request(request) => self.request(request),
                // `exit` before `shutdown`: the protocol asks for code 1.
                Message::Notification(n) if n.method == "exit" => {
                    return if self.shutting_down { 0 } else { 1 };
                }
                Message::Notification(_) if self.shutting_down => {}
                Message::Notification(n) => {
                    let method = n.method.clone();
                    self.guarded(&method, |s| s.notification(n));
                }
                Message::Response(_) => {}
            }
        }
    }

    /// The next message, or a check once the buffers have rested after a change.
    fn next(&mut self) -> Next {
        if let Some(message) = self.queue.pop_front() {
            return Next::Message(message);
        }
        let received = match self.dirty_since {
            Some(since) => match self.connection.receiver.recv_deadline(since + DEBOUNCE) {
                Ok(message) => Ok(message),
                Err(RecvTimeoutError::Timeout) => return Next::CheckNow,
                Err(RecvTimeoutError::Disconnected) => Err(()),
            },
            None => self.connection.receiver.recv().map_err(|_| ()),
        };
        match received {
            Ok(message) => Next::Message(message),
            Err(()) => Next::Gone,
        }
    }

    /// Runs `work`; a panic in it is logged and the server goes on.
    fn guarded(&mut self, what: &str, work: impl FnOnce(&mut Self)) -> bool {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| work(self)));
        if outcome.is_err() {
            self.log(
                lsp::MessageType::ERROR,
                format!("cargo-unblock: internal error while handling `{what}` (see the server's stderr); still serving"),
            );
        }
        outcome.is_ok()
    }

    fn send(&self, message: Message) {
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn log(&self, typ: lsp::MessageType, message: String) {
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams { typ, message });
    }

    fn request(&mut self, request: Request) {
        // Read ahead: a cancellation of this request may be waiting behind it.
        while let Ok(message) = self.connection.receiver.try_recv() {
            match message {
                Message::Notification(n) if n.method == lsp::notification::Cancel::METHOD => {
                    if let Ok(params) = serde_json::from_value::<lsp::CancelParams>(n.params) {
                        self.cancelled.insert(request_id(params.id));
                    }
                }
                other => self.queue.push_back(other),
            }
        }
        let id = request.id.clone();
        if self.cancelled.remove(&id) {
            let cancelled = ErrorCode::RequestCanceled as i32;
            self.send(Message::Response(Response::new_err(
                id,
                cancelled,
                "cancelled".into(),
            )));
            return;
        }
        let mut response = None;
        let ok = self.guarded(&request.method.clone(), |s| {
            response = Some(s.answer(request))
        });
        let response = match (ok, response) {
            (true, Some(response)) => response,
            _ => Response::new_err(id, ErrorCode::InternalError as i32, "internal error".into()),
        };
        self.send(Message::Response(response));
        // Cancellations of requests long answered are of no use.
        if self.cancelled.len() > 256 {
            self.cancelled.clear();
        }
    }

    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        // Answers about findings speak of the buffers as they are now.
        if self.dirty_since.is_some() {
            self.check_and_publish();
        }
        let result = match request.method.as_str() {
            lsp::request::CodeActionRequest::METHOD => {
                serde_json::from_value(request.params).map(|p| json!(self.code_actions(p)))
            }
            lsp::request::HoverRequest::METHOD => {
                serde_json::from_value(request.params).map(|p| json!(self.hover(p)))
            }
            _ => {
                let code = ErrorCode::MethodNotFound as i32;
                return Response::new_err(id, code, format!("unknown method {}", request.method));
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(err) => Response::new_err(id, ErrorCode::InvalidParams as i32, err.to_string()),
        }
    }

    fn changed(&mut self) {
        self.dirty_since = Some(Instant::now());
    }

    /// The first check of the workspace, with progress shown where the client can, and
    /// the watchers of the configuration files registered.
    fn first_check(&mut self) {
        self.watch_configuration();
        let progress = (self.client.window.as_ref())
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        let token = lsp::NumberOrString::String(PROGRESS_TOKEN.into());
        if progress {
            self.client_request::<lsp::request::WorkDoneProgressCreate>(
                lsp::WorkDoneProgressCreateParams {
                    token: token.clone(),
                },
            );
            self.progress(
                &token,
                lsp::WorkDoneProgress::Begin(lsp::WorkDoneProgressBegin {
                    title: "cargo-unblock".into(),
                    message: Some("checking the workspace".into()),
                    ..Default::default()
                }),
            );
        }
        self.session.discover();
        self.check_and_publish();
        if progress {
            let files = self.session.findings.len();
            let findings: usize = self
                .session
                .findings
                .values()
                .map(|f| f.diagnostics.len())
                .sum();
            self.progress(
                &token,
                lsp::WorkDoneProgress::End(lsp::WorkDoneProgressEnd {
                    message: Some(format!("{findings} findings in {files} files")),
                }),
            );
        }
    }

    fn progress(&self, token: &lsp::NumberOrString, value: lsp::WorkDoneProgress) {
        self.notify::<lsp::notification::Progress>(lsp::ProgressParams {
            token: token.clone(),
            value: lsp::ProgressParamsValue::WorkDone(value),
        });
    }

    fn client_request<R: lsp::request::Request>(&mut self, params: R::Params) {
        self.next_request += 1;
        let id = RequestId::from(format!("cargo-unblock/{}", self.next_request));
        self.send(Message::Request(Request::new(
            id,
            R::METHOD.to_string(),
            params,
        )));
    }

    /// Asks the client to tell of changes to the configuration files and manifests,
    /// where it lets servers register watchers.
    fn watch_configuration(&mut self) {
        let dynamic = (self.client.workspace.as_ref())
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let watchers = ["**/unblock.toml", "**/.unblock.toml", "**/Cargo.toml"]
            .iter()
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = lsp::Registration {
            id: "cargo-unblock/watch-configuration".into(),
            method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.client_request::<lsp::request::RegisterCapability>(lsp::RegistrationParams {
            registrations: vec![registration],
        });
    }

    fn check_and_publish(&mut self) {
        self.dirty_since = None;
        self.session.check();
        let catalog = Catalog::builtin();
        let mut now_published = HashSet::new();
        for (uri, doc) in &self.session.documents {
            let diagnostics = match self.session.current_findings(uri) {
                Some(found) => {
                    let index = LineIndex::new(&found.text);
                    (found.diagnostics.iter())
                        .map(|d| convert::diagnostic(d, &index, uri, catalog))
                        .collect()
                }
                None => Vec::new(),
            };
            self.notify::<lsp::notification::PublishDiagnostics>(
                lsp::PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(doc.version)),
            );
            now_published.insert(uri.clone());
        }
        now_published.extend(self.publish_configuration_problems());
        for gone in self.published.difference(&now_published) {
            self.notify::<lsp::notification::PublishDiagnostics>(
                lsp::PublishDiagnosticsParams::new(gone.clone(), Vec::new(), None),
            );
        }
        self.published = now_published;
        // Told once per discovery that met them.
        if let Some(error) = self.session.discovery_error.take() {
            self.log(lsp::MessageType::WARNING, format!("cargo-unblock: {error}"));
        }
        for problem in std::mem::take(&mut self.session.unplaced_problems) {
            self.log(lsp::MessageType::ERROR, format!("cargo-unblock: {problem}"));
        }
    }

    /// A broken configuration is a diagnostic on its file (or a message when the
    /// mistake names no file); returns the files it went to.
    fn publish_configuration_problems(&self) -> HashSet<lsp::Url> {
        let mut by_file: std::collections::HashMap<lsp::Url, Vec<lsp::Diagnostic>> =
            Default::default();
        for problem in &self.session.config_problems {
            let Some(uri) = problem.file.as_deref().and_then(convert::uri_of) else {
                continue;
            };
            let line = problem.line.saturating_sub(1) as u32;
            let range =
                lsp::Range::new(lsp::Position::new(line, 0), lsp::Position::new(line + 1, 0));
            by_file.entry(uri).or_default().push(lsp::Diagnostic {
                range,
                severity: Some(lsp::DiagnosticSeverity::ERROR),
                code: Some(lsp::NumberOrString::String("configuration".into())),
                source: Some("cargo-unblock".into()),
                message: problem.message.clone(),
                ..Default::default()
            });
        }
        let files = by_file.keys().cloned().collect();
        for (uri, diagnostics) in by_file {
            self.notify::<lsp::notification::PublishDiagnostics>(
                lsp::PublishDiagnosticsParams::new(uri, diagnostics, None),
            );
        }
        files
    }

    fn clear(&mut self, uri: &lsp::Url) {
        self.published.remove(uri);
        self.notify::<lsp::notification::PublishDiagnostics>(lsp::PublishDiagnosticsParams::new(
            uri.clone(),
            Vec::new(),
            None,
        ));
    }

    fn code_actions(&self, params: lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        let uri = params.text_document.uri;
        let Some(found) = self.session.current_findings(&uri) else {
            return Vec::new();
        };
        let catalog = Catalog::builtin();
        convert::code_actions(&found.diagnostics, &found.text, &uri, params.range, catalog)
    }

    fn hover(&self, params: lsp::HoverParams) -> Option<lsp::Hover> {
        let at = params.text_document_position_params;
        let found = self.session.current_findings(&at.text_document.uri)?;
        let index = LineIndex::new(&found.text);
        let offset = index.offset(at.position);
        let finding = (found.diagnostics.iter()).find(|d| {
            d.primary
                .as_ref()
                .is_some_and(|r| r.start <= offset && offset <= r.end)
        })?;
        Some(convert::hover(finding, &index, Catalog::builtin()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_handler_is_logged_and_the_server_goes_on() {
        let (server_side, client_side) = Connection::memory();
        let root = std::env::temp_dir();
        let mut server = Server::new(&server_side, root, Default::default());
        assert!(!server.guarded("textDocument/hover", |_| panic!("a bug")));
        let Ok(Message::Notification(logged)) = client_side.receiver.try_recv() else {
            panic!("the panic was not logged");
        };
        assert_eq!(logged.method, "window/logMessage");
        let message = logged.params["message"].as_str().unwrap_or_default();
        assert!(message.contains("textDocument/hover"), "{message}");
        assert_eq!(logged.params["type"], 1);
        assert!(server.guarded("textDocument/hover", |_| {}));
    }
}
