//! The tail of a fn body that runs only on the way out of the process: the statements
//! before a closing `std::process::exit(..)` that nothing between them can leave early.
//! File-system work there (removing a pid file, writing the state) runs once and is
//! short: it is not reported, and a call there makes the fn block only if the callee
//! does more than that. Closures and async blocks written there are not part of it.
use std::ops::Range;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Stmt};

use super::model::SemanticModel;
use super::resolve::Resolution;
use crate::syntax::expr::peel;

/// The fns that end the process where they are called.
const EXITS: &[&str] = &["std::process::exit", "std::process::abort"];

/// Macros that only print, log or test a value: they cannot leave the fn.
const QUIET_MACROS: &[&str] = &[
    "print", "println", "eprint", "eprintln", "format", "write", "writeln", "matches", "debug",
    "info", "warn", "error", "trace", "log",
];

/// The byte range of `body`'s exit tail: from the first statement after the last one
/// that may leave the fn (`return`, `?`, `break`, `continue`, `.await`, a macro that is
/// not a print or a log) up to the closing exit call. `None` when the body does not end
/// with `std::process::exit(..)` or `std::process::abort()`.
pub fn of(model: &SemanticModel<'_, '_>, body: &syn::Block) -> Option<Range<usize>> {
    let (last, before) = body.stmts.split_last()?;
    let exit_call = match last {
        Stmt::Expr(expr, _) => expr,
        _ => return None,
    };
    let Expr::Call(call) = peel(exit_call) else {
        return None;
    };
    let Some(Resolution::External(path)) = model.callee(call) else {
        return None;
    };
    if !EXITS.contains(&path.as_str()) {
        return None;
    }
    let end = last.span().byte_range().start;
    let first = before
        .iter()
        .rposition(may_leave)
        .map_or(0, |barrier| barrier + 1);
    let start = before
        .get(first)
        .map_or(end, |stmt| stmt.span().byte_range().start);
    (start < end).then_some(start..end)
}

/// Whether running `stmt` may end somewhere other than at the next statement.
fn may_leave(stmt: &Stmt) -> bool {
    let mut finder = LeaveFinder(false);
    finder.visit_stmt(stmt);
    finder.0
}

struct LeaveFinder(bool);

impl<'ast> Visit<'ast> for LeaveFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Return(_) | Expr::Try(_) | Expr::Break(_) | Expr::Continue(_) => self.0 = true,
            Expr::Await(_) => self.0 = true,
            // What a closure or async block does, it does when (and where) it is run.
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if !name.is_some_and(|n| QUIET_MACROS.contains(&n.as_str())) {
            self.0 = true;
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
