//! Small shape helpers on syn expressions and patterns, shared by every layer above.
use syn::{Expr, Pat};

/// The expression inside any parentheses or invisible groups.
pub fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(e) => peel(&e.expr),
        Expr::Group(e) => peel(&e.expr),
        _ => expr,
    }
}

/// The name a pattern binds when it is a plain identifier (`x`, `x: T`).
pub fn pattern_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) => Some(p.ident.to_string()),
        Pat::Type(p) => pattern_ident(&p.pat),
        _ => None,
    }
}
