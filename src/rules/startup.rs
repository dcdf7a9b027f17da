//! `blocking_in_startup`: a blocking call in the runtime's entry fn before its first
//! `.await` or spawn, where nothing else runs yet. Reported apart from the lint the call
//! would otherwise get, allow by default: a config read once at startup is noise.
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
