//! `blocking_in_startup`: a blocking call in the runtime's entry fn before its first
//! `.await` or spawn, where nothing else runs yet; and `blocking_in_main`: one in the
//! body of a multi-thread `#[tokio::main]`, which runs on the main thread, not a worker.
//! Reported apart from the lint the call would otherwise get, allow by default: a
//! config read once at startup is noise.
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;

pub const LINT: &str = "blocking_in_startup";

const NOTE: &str = "this runs in the runtime's entry fn before its first `.await` or spawn \
                    (or in an async fn only awaited from there), when no other task runs yet";

/// The finding for a blocking call made in startup code, with the headline it would
/// have had anywhere else.
pub fn diagnostic(catalog: &Catalog, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(LINT, catalog.level(LINT), message);
    diagnostic.notes.push(NOTE.into());
    diagnostic
}

/// `blocking_in_main`: a blocking call in the own body of a multi-thread
/// `#[tokio::main]` fn, after its startup: it runs on the main thread, not on a worker.
pub const MAIN_LINT: &str = "blocking_in_main";

const MAIN_NOTE: &str = "tokio runs the body of a multi-thread `#[tokio::main]` on the main \
                         thread, not on a worker: this stalls no other task, only this future";

/// The finding for a blocking call in the body of a multi-thread `#[tokio::main]`.
pub fn main_thread_diagnostic(catalog: &Catalog, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(MAIN_LINT, catalog.level(MAIN_LINT), message);
    diagnostic.notes.push(MAIN_NOTE.into());
    diagnostic
}

/// A finding of the blocking or cpu groups that the crate-wide pass found to be in
/// startup code (an async fn entered only from there, before its first `.await`).
pub fn relabel(diagnostic: &mut Diagnostic, catalog: &Catalog) {
    let group = catalog.lint(&diagnostic.lint).map(|l| l.group.as_str());
    if diagnostic.lint == LINT || !matches!(group, Some("blocking" | "cpu")) {
        return;
    }
    diagnostic.lint = LINT.to_string();
    diagnostic.level = catalog.level(LINT);
    diagnostic.notes.insert(0, NOTE.into());
}
