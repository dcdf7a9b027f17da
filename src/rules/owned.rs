//! The `spawn_blocking` rewrite of one call: the closure must be `Send + 'static`, so
//! it gets owned copies of the variables the call uses, made before it (the originals
//! stay usable after the call and on the next turn of a loop). Where a variable's type
//! is not known to allow that, or the call has control flow a closure would change,
//! there is no rewrite, only the reason.
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::Expr;

use super::suggest::CallSite;
use crate::semantic::model::SemanticModel;
use crate::semantic::ownership::Shape;

/// What the `spawn_blocking` rewrite of one call needs, worked out where the call is
/// (the variables' shapes are known only there) and rendered only if a finding needs
/// it: the variables to copy or why none can be, whether the call starts a statement,
/// and whether a std lock guard is alive there.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    pub captures: Result<Vec<(String, Shape)>, Unsure>,
    pub statement: bool,
    pub guard_alive: bool,
}

/// The plan for the call at `site`.
pub fn plan(model: &SemanticModel<'_, '_>, site: CallSite<'_>) -> Plan {
    Plan {
        captures: captures(model, site),
        statement: starts_statement(model.text, site.range().start),
        guard_alive: model.guards.any_alive(),
    }
}

/// Why a call cannot simply move into a closure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unsure {
    /// `?`, `.await`, `return`, `break` or `continue`: inside a closure they would mean
    /// something else. No closure rewrite fits, `block_in_place` included.
    ControlFlow(std::borrow::Cow<'static, str>),
    /// `self`, which a `'static` closure cannot borrow.
    SelfBorrow,
    /// A live lock guard, which cannot move to another thread.
    Guard(String),
    /// A variable whose type is not known to be `Clone + Send + 'static`.
    UnknownType(String),
    /// A block, a closure or a mutable borrow inside the call.
    Complex,
}

impl Unsure {
    /// The help line that says what to do instead of an edit.
    pub fn help(&self) -> String {
        let rule = "the closure `spawn_blocking` runs must be `Send + 'static`";
        match self {
            Unsure::ControlFlow(what) => format!(
                "the call contains {what}: work out its arguments first, then run it in \
                 `spawn_blocking` ({rule})"
            ),
            Unsure::SelfBorrow => format!(
                "to run it on the blocking thread pool, clone what it needs from `self` (or \
                 an `Arc` of it) into a `move` closure first: {rule}"
            ),
            Unsure::Guard(name) => format!(
                "`{name}` is a lock guard, which cannot move to another thread: lock inside \
                 the `spawn_blocking` closure instead ({rule})"
            ),
            Unsure::UnknownType(name) => format!(
                "to run it on the blocking thread pool, move an owned `{name}` (a clone, or \
                 a clone of the `Arc` it lives in) into a `move` closure: {rule}"
            ),
            Unsure::Complex => format!(
                "to run it on the blocking thread pool, move owned copies of what it uses \
                 into a `move` closure: {rule}"
            ),
        }
    }
}

/// The variables an offloaded call uses, in order of first use, with their shapes.
pub fn captures(
    model: &SemanticModel<'_, '_>,
    site: CallSite<'_>,
) -> Result<Vec<(String, Shape)>, Unsure> {
    let mut walk = Walk {
        model,
        found: Vec::new(),
        unsure: None,
    };
    match site {
        CallSite::Call(call) => walk.visit_expr_call(call),
        CallSite::Method(mc) => walk.visit_expr_method_call(mc),
        CallSite::Iterate(expr) => walk.visit_expr(expr),
        CallSite::Macro(mac) => walk.tokens(&mac.tokens),
    }
    match walk.unsure {
        Some(unsure) => Err(unsure),
        None => Ok(walk.found),
    }
}

/// `call` run by `spawn` (a runtime's `spawn_blocking(..)` with `{closure}` in it),
/// with the copies `captures` need; `statement` when the call starts a statement (a
/// block there would end the expression, so it is parenthesised).
pub fn rewrite(
    call: &str,
    captures: &[(String, Shape)],
    spawn: impl Fn(&str) -> Option<String>,
    statement: bool,
) -> Option<String> {
    let mut outer = String::new();
    let mut inner = String::new();
    for (name, shape) in captures {
        match shape {
            Shape::Owned => outer.push_str(&format!("let {name} = {name}.clone(); ")),
            Shape::BorrowsOwned => {
                outer.push_str(&format!("let {name} = {name}.clone(); "));
                inner.push_str(&format!("let {name} = &{name}; "));
            }
            Shape::BorrowsUnsized => {
                outer.push_str(&format!("let {name} = {name}.to_owned(); "));
                inner.push_str(&format!("let {name} = &*{name}; "));
            }
            Shape::Copy | Shape::Static | Shape::Unknown => {}
        }
    }
    let closure = if inner.is_empty() {
        format!("move || {call}")
    } else {
        format!("move || {{ {inner}{call} }}")
    };
    let spawned = spawn(&closure)?;
    Some(match (outer.is_empty(), statement) {
        (true, _) => spawned,
        (false, false) => format!("{{ {outer}{spawned} }}"),
        (false, true) => format!("({{ {outer}{spawned} }})"),
    })
}

/// Whether the code at `start` begins a statement: whitespace and comments aside, it
/// follows `;`, `{` or `}` (a wrong guess costs only a fix that does not parse, which
/// `--fix` then leaves out).
pub fn starts_statement(text: &str, start: usize) -> bool {
    let mut before = text[..start].trim_end();
    loop {
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        if let Some(comment) = before[line_start..].find("//") {
            before = before[..line_start + comment].trim_end();
        } else if before.ends_with("*/") {
            match before.rfind("/*") {
                Some(open) => before = before[..open].trim_end(),
                None => break,
            }
        } else {
            break;
        }
    }
    before.is_empty() || before.ends_with([';', '{', '}'])
}

struct Walk<'m, 'a, 'c> {
    model: &'m SemanticModel<'a, 'c>,
    found: Vec<(String, Shape)>,
    unsure: Option<Unsure>,
}

impl Walk<'_, '_, '_> {
    fn fail(&mut self, unsure: Unsure) {
        self.unsure.get_or_insert(unsure);
    }

    /// A name used by the call: a variable is captured; anything else is an item.
    fn name(&mut self, name: &str) {
        if name == "self" {
            return self.fail(Unsure::SelfBorrow);
        }
        let Some(shape) = self.model.scopes.local_shape(name) else {
            return;
        };
        if self.model.guards.is_alive(name) {
            return self.fail(Unsure::Guard(name.to_string()));
        }
        if shape == Shape::Unknown {
            return self.fail(Unsure::UnknownType(name.to_string()));
        }
        if !self.found.iter().any(|(n, _)| n == name) {
            self.found.push((name.to_string(), shape));
        }
    }

    /// Macro arguments (`format!("{name}", other)`): every identifier, and the names
    /// a format string captures inline.
    fn tokens(&mut self, tokens: &TokenStream) {
        for token in tokens.clone() {
            match token {
                TokenTree::Ident(ident) => self.name(&ident.to_string()),
                TokenTree::Group(group) => self.tokens(&group.stream()),
                TokenTree::Literal(lit) => {
                    for name in inline_format_names(&lit.to_string()) {
                        self.name(&name);
                    }
                }
                TokenTree::Punct(p) if p.as_char() == '?' => {
                    self.fail(Unsure::ControlFlow("`?`".into()));
                }
                TokenTree::Punct(_) => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walk<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Try(_) => self.fail(Unsure::ControlFlow("`?`".into())),
            Expr::Await(_) => self.fail(Unsure::ControlFlow("`.await`".into())),
            Expr::Return(_) => self.fail(Unsure::ControlFlow("`return`".into())),
            Expr::Break(_) | Expr::Continue(_) => {
                self.fail(Unsure::ControlFlow("`break` or `continue`".into()))
            }
            Expr::Closure(_) | Expr::Block(_) | Expr::Async(_) | Expr::Unsafe(_) => {
                self.fail(Unsure::Complex)
            }
            Expr::Reference(r) if r.mutability.is_some() => self.fail(Unsure::Complex),
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(ident) = p.path.get_ident() {
                    self.name(&ident.to_string());
                }
            }
            Expr::Macro(m) => self.tokens(&m.mac.tokens),
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        // Method names and turbofish types are no variables.
        self.visit_expr(&mc.receiver);
        for arg in &mc.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_field(&mut self, field: &'ast syn::ExprField) {
        self.visit_expr(&field.base);
    }
}

/// The names `{name}` / `{name:?}` in a format string literal.
fn inline_format_names(literal: &str) -> Vec<String> {
    if !literal.starts_with('"') && !literal.starts_with('r') {
        return Vec::new();
    }
    let mut names = Vec::new();
    let mut rest = literal;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if rest.starts_with('{') {
            rest = &rest[1..];
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let starts_like_ident = name.starts_with(|c: char| c.is_alphabetic() || c == '_');
        if starts_like_ident && rest[end..].starts_with(['}', ':']) {
            names.push(name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_strings_capture_names() {
        assert_eq!(inline_format_names("\"{name}.toml\""), ["name"]);
        assert_eq!(inline_format_names("\"{a:?} {{b}} {0} {}\""), ["a"]);
        assert!(inline_format_names("b'x'").is_empty());
    }

    #[test]
    fn copies_go_before_the_closure_and_borrows_inside() {
        let spawn = |c: &str| Some(format!("spawn_blocking({c}).await"));
        let captures = [
            ("name".to_string(), Shape::BorrowsUnsized),
            ("dir".to_string(), Shape::Owned),
            ("n".to_string(), Shape::Copy),
        ];
        assert_eq!(
            rewrite("load(&dir, name, n)", &captures, spawn, false).unwrap(),
            "{ let name = name.to_owned(); let dir = dir.clone(); \
             spawn_blocking(move || { let name = &*name; load(&dir, name, n) }).await }"
        );
        assert_eq!(
            rewrite("load()", &[], spawn, true).unwrap(),
            "spawn_blocking(move || load()).await"
        );
        let statement = rewrite("load(&dir)", &captures[1..2], spawn, true).unwrap();
        assert!(statement.starts_with("({ let dir"));
    }

    #[test]
    fn statement_starts() {
        assert!(starts_statement("fn f() { g()", 9));
        assert!(starts_statement("a; g()", 3));
        assert!(!starts_statement("let x = g()", 8));
        assert!(starts_statement("a;\n    // why\n    g()", 18));
        assert!(starts_statement("a; /* why */ g()", 13));
        assert!(!starts_statement("let x = // why\n g()", 16));
    }
}
