//! The notifications a client sends: the buffers opened, changed, saved and closed, the
//! files watched, and cancellations read before their request.
use std::path::PathBuf;

use lsp_server::{Notification, RequestId};
use lsp_types as lsp;
use lsp_types::notification::{self as note, Notification as _};

use super::session::{canonical, Document};
use super::Server;

impl Server<'_> {
    pub(super) fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value(n.params) {
                    self.opened(p);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value(n.params) {
                    self.edited(p);
                }
            }
            note::DidSaveTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidSaveTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    if is_configuration(&uri) {
                        self.session.discover();
                    } else if let Some(path) = path_of(&uri) {
                        self.session.saved(&path);
                    }
                    // Other files' chains may pass through the saved one: check them all.
                    self.changed();
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.session.documents.remove(&uri);
                    self.clear(&uri);
                    self.changed();
                }
            }
            // A cancellation read before its request (a request read first is answered
            // first, and reads ahead for one).
            note::Cancel::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::CancelParams>(n.params) {
                    self.cancelled.insert(request_id(p.id));
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params)
                {
                    if p.changes.iter().any(|c| is_configuration(&c.uri)) {
                        self.session.discover();
                    }
                    self.changed();
                }
            }
            _ => {}
        }
    }

    fn opened(&mut self, p: lsp::DidOpenTextDocumentParams) {
        let Some(path) = path_of(&p.text_document.uri) else {
            return;
        };
        self.session.look_for(&path);
        let doc = Document {
            path,
            text: p.text_document.text,
            version: p.text_document.version,
        };
        self.session.documents.insert(p.text_document.uri, doc);
        self.changed();
    }

    fn edited(&mut self, p: lsp::DidChangeTextDocumentParams) {
        let Some(doc) = self.session.documents.get_mut(&p.text_document.uri) else {
            return;
        };
        // Full sync: the last change without a range holds the whole text.
        let whole = p
            .content_changes
            .into_iter()
            .rev()
            .find(|c| c.range.is_none());
        if let Some(change) = whole {
            doc.text = change.text;
            doc.version = p.text_document.version;
            self.changed();
        }
    }
}

pub(super) fn request_id(id: lsp::NumberOrString) -> RequestId {
    match id {
        lsp::NumberOrString::Number(n) => RequestId::from(n),
        lsp::NumberOrString::String(s) => RequestId::from(s),
    }
}

pub(super) fn path_of(uri: &lsp::Url) -> Option<PathBuf> {
    uri.to_file_path().ok().map(|p| canonical(&p))
}

pub(super) fn is_configuration(uri: &lsp::Url) -> bool {
    let name = uri.path().rsplit('/').next().unwrap_or_default();
    matches!(name, "unblock.toml" | ".unblock.toml" | "Cargo.toml")
}
