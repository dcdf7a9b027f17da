//! `blocking_in_startup`: a blocking call in the runtime's entry fn before its first
//! `.await` or spawn, where nothing else runs yet. Reported apart from the lint the call
//! would otherwise get, allow by default: a config read once at startup is noise.
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;

pub const LINT: &str = "blocking_in_startup";

/// The finding for a blocking call made in startup code, with the headline it would
/// have had anywhere else.
pub fn diagnostic(catalog: &Catalog, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(LINT, catalog.level(LINT), message);
    diagnostic.notes.push(
        "this runs in the runtime's entry fn before its first `.await` or spawn, \
         when no other task runs yet"
            .into(),
    );
    diagnostic
}
