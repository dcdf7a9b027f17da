//! `blocking_in_startup`: a blocking call in the runtime's entry fn before its first
//! `.await` or spawn, where nothing else runs yet; and `blocking_in_main`: one that runs
//! on the thread calling `block_on` (a multi-thread `#[tokio::main]`), not on a worker.
//! Reported apart from the lint the call would otherwise get, allow by default: a
//! config read once at startup is noise.
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Level};

pub const LINT: &str = "blocking_in_startup";

const NOTE: &str = "this runs in the runtime's entry fn before its first `.await` or spawn \
                    (or in an async fn only awaited from there), when no other task runs yet";

/// `blocking_in_main`: a blocking call in the own body of a multi-thread
/// `#[tokio::main]` fn after its startup, in a future a standalone `block_on` runs, or in
/// an async fn only awaited from such code: it runs on the main thread, not on a worker.
pub const MAIN_LINT: &str = "blocking_in_main";

const MAIN_NOTE: &str = "this runs on the thread that calls `block_on` (the body of a \
                         multi-thread `#[tokio::main]`, or an async fn only awaited from \
                         there), not on a worker: it stalls no other task, only this future";

/// Whether findings of this lint group move to these lints where the code runs alone.
pub fn applies_to(group: &str) -> bool {
    matches!(group, "blocking" | "cpu")
}

/// The finding for blocking code that would be `lint` (at `level`) on a worker thread:
/// `blocking_in_startup` in startup code, `blocking_in_main` on the main thread of a
/// multi-thread `#[tokio::main]`, `lint` itself anywhere else.
pub fn diagnostic(
    catalog: &Catalog,
    (lint, level): (&str, Level),
    startup: bool,
    main_thread: bool,
    message: String,
) -> Diagnostic {
    let (lint, level, note) = if startup {
        (LINT, catalog.level(LINT), Some(NOTE))
    } else if main_thread {
        (MAIN_LINT, catalog.level(MAIN_LINT), Some(MAIN_NOTE))
    } else {
        (lint, level, None)
    };
    let mut diagnostic = Diagnostic::new(lint, level, message);
    diagnostic.notes.extend(note.map(String::from));
    diagnostic
}

/// A finding of the blocking or cpu groups that the crate-wide pass found to be in
/// startup code (an async fn entered only from there, before its first `.await`), when
/// `lint` is `LINT`, or on the main thread (an async fn only awaited from there), when
/// it is `MAIN_LINT`. A finding already moved to either stays where it is.
pub fn relabel(diagnostic: &mut Diagnostic, catalog: &Catalog, lint: &str) {
    let group = catalog.lint(&diagnostic.lint).map(|l| l.group.as_str());
    let moved = diagnostic.lint == LINT || diagnostic.lint == MAIN_LINT;
    if moved || !group.is_some_and(applies_to) {
        return;
    }
    let note = if lint == LINT { NOTE } else { MAIN_NOTE };
    diagnostic.lint = lint.to_string();
    diagnostic.level = catalog.level(lint);
    diagnostic.notes.insert(0, note.into());
}
