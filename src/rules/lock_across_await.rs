//! `lock_across_await`: a std or parking_lot lock guard alive across an `.await`.
//!
//! The semantic model tracks guard liveness; this rule turns each guard that ended
//! after being held across an `.await` into its finding.
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Label};
use crate::semantic::guards::Guard;

/// The finding for a guard that was held across at least one `.await`.
pub fn diagnostic(guard: &Guard, catalog: &Catalog) -> Diagnostic {
    let kind = guard.lock.rsplit("::").next().unwrap_or(&guard.lock);
    let mut diagnostic = Diagnostic::new(
        "lock_across_await",
        catalog.level("lock_across_await"),
        format!("a `{}` guard is held across an `.await`", guard.lock),
    );
    diagnostic.primary = Some(guard.taken.clone());
    diagnostic.primary_label = Some(format!("the `{kind}` is locked here"));
    for at in &guard.awaits {
        diagnostic.labels.push(Label {
            range: at.clone(),
            message: "...and still held here".into(),
        });
    }
    diagnostic.labels.push(Label {
        range: guard.async_span.clone(),
        message: "in this async code".into(),
    });
    let how = match &guard.name {
        Some(name) => format!("end the guard first: put the locked section in a block of its own, or `drop({name})` before the `.await`"),
        None => "take the lock in a statement of its own, before the `.await`".to_string(),
    };
    diagnostic.helps.push(how);
    diagnostic.helps.push(format!(
        "if the lock must be held across the `.await`, use `tokio::sync::{kind}` and `.{}().await`",
        if kind == "RwLock" { "write" } else { "lock" }
    ));
    diagnostic
}
