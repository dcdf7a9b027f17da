//! The value of an `if`/`else`, a `match` or a block: the type that every branch which
//! does not diverge agrees on (`let fp = if .. { p.with_file_name(a) } else { .. }`,
//! `let path = match f() { Some(path) => path, None => return }`).
use std::collections::HashSet;

use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use super::model::SemanticModel;
use crate::catalog::ty::{Ty, Wrap};
use crate::syntax::expr::peel;

/// What one branch says of the value.
enum Branch {
    /// It never yields one (`return`, `continue`, `panic!(..)`).
    Diverges,
    /// `Err(..)` or `None`: any `Result` or `Option` of the others.
    Fails(Wrap),
    Is(Ty),
    Unknown,
}

/// What may bind names inside a branch: an `if let` condition, an arm's pattern, the
/// `let`s of a block. Their names are gathered only once a branch's tail is typed.
#[derive(Clone, Copy)]
enum Binder<'a> {
    Condition(&'a Expr),
    Pattern(&'a Pat),
    Lets(&'a syn::Block),
}

fn bound_names(binders: &[Binder<'_>]) -> HashSet<String> {
    let mut out = HashSet::new();
    for binder in binders {
        match binder {
            Binder::Condition(cond) => bound_in_condition(cond, &mut out),
            Binder::Pattern(pat) => bound_in_pattern(pat, &mut out),
            Binder::Lets(block) => {
                for stmt in &block.stmts {
                    if let Stmt::Local(local) = stmt {
                        bound_in_pattern(&local.pat, &mut out);
                    }
                }
            }
        }
    }
    out
}

impl SemanticModel<'_, '_> {
    /// The type of an `if` with an `else`, when both branches agree.
    pub(super) fn if_value(&self, e: &syn::ExprIf, depth: usize) -> Option<Ty> {
        let (_, otherwise) = e.else_branch.as_ref()?;
        // What an `if let` binds is in scope in the first branch only.
        let first = self.block_branch(&e.then_branch, &[Binder::Condition(&e.cond)], depth);
        let second = self.expr_branch(otherwise, &[], depth);
        agree([first, second])
    }

    /// The type of a `match` whose arms agree; an arm may hand on what its pattern
    /// took out of the scrutinee (`Some(path) => path`, `Ok(p) if .. => Ok(p)`).
    pub(super) fn match_value(&self, m: &syn::ExprMatch, depth: usize) -> Option<Ty> {
        let scrutinee = self.infer_within(&m.expr, depth);
        let arms = m.arms.iter().map(|arm| {
            let (pat, _) = crate::syntax::expr::arm_pattern(arm);
            if let Some(ty) = handed_on(pat, &arm.body, scrutinee.as_ref()) {
                return Branch::Is(ty);
            }
            self.expr_branch(&arm.body, &[Binder::Pattern(pat)], depth)
        });
        agree(arms)
    }

    /// A plain block's value: its tail.
    pub(super) fn block_value(&self, block: &syn::Block, depth: usize) -> Option<Ty> {
        match self.block_branch(block, &[], depth) {
            Branch::Is(ty) => Some(ty),
            _ => None,
        }
    }

    fn expr_branch(&self, expr: &Expr, binders: &[Binder<'_>], depth: usize) -> Branch {
        match peel(expr) {
            Expr::Block(b) if b.label.is_none() => self.block_branch(&b.block, binders, depth),
            Expr::Return(_) | Expr::Continue(_) | Expr::Break(_) => Branch::Diverges,
            Expr::Macro(m) if diverging_macro(&m.mac) => Branch::Diverges,
            Expr::Call(call) if is_named(&call.func, "Err") => Branch::Fails(Wrap::Result),
            Expr::Path(p) if p.path.is_ident("None") => Branch::Fails(Wrap::Option),
            tail => match self.infer_within(tail, depth) {
                // What the branch binds itself could stand for an outer name of the same
                // spelling: such a branch is not inferred (checked only once typed).
                Some(_) if mentions(tail, &bound_names(binders)) => Branch::Unknown,
                Some(ty) => Branch::Is(ty),
                None => Branch::Unknown,
            },
        }
    }

    fn block_branch(&self, block: &syn::Block, binders: &[Binder<'_>], depth: usize) -> Branch {
        // A nested item's name shadows too.
        if block.stmts.iter().any(|stmt| matches!(stmt, Stmt::Item(_))) {
            return Branch::Unknown;
        }
        match block.stmts.last() {
            Some(Stmt::Expr(tail, None)) => {
                let mut binders = binders.to_vec();
                binders.push(Binder::Lets(block));
                self.expr_branch(tail, &binders, depth)
            }
            Some(Stmt::Expr(tail, Some(_))) if diverges(tail) => Branch::Diverges,
            Some(Stmt::Macro(m)) if diverging_macro(&m.mac) => Branch::Diverges,
            _ => Branch::Unknown,
        }
    }
}

/// The type the branches agree on: every one that yields a value is known, and they
/// are one type (an `Err(..)` or `None` fits any `Result` or `Option`).
fn agree(branches: impl IntoIterator<Item = Branch>) -> Option<Ty> {
    let mut found: Option<Ty> = None;
    let mut fails = Vec::new();
    for branch in branches {
        match branch {
            Branch::Diverges => {}
            Branch::Fails(wrap) => fails.push(wrap),
            Branch::Unknown => return None,
            Branch::Is(ty) => match &found {
                Some(known) if *known != ty => return None,
                _ => found = Some(ty),
            },
        }
    }
    let found = found?;
    fails
        .iter()
        .all(|&wrap| wrap == found.wrap)
        .then_some(found)
}

/// `Some(x) => x`, `Ok(x) => x`, `Ok(x) => Ok(x)`, `Some(x) => Some(x)`: the arm hands
/// on what it took out of a scrutinee of type `scrutinee`.
fn handed_on(pat: &Pat, body: &Expr, scrutinee: Option<&Ty>) -> Option<Ty> {
    let scrutinee = scrutinee?;
    let Pat::TupleStruct(ts) = pat else {
        return None;
    };
    let wrapper = ts.path.get_ident()?.to_string();
    let wrap = match wrapper.as_str() {
        "Some" => Wrap::Option,
        "Ok" => Wrap::Result,
        _ => return None,
    };
    let (Some(Pat::Ident(inner)), 1) = (ts.elems.first(), ts.elems.len()) else {
        return None;
    };
    if scrutinee.wrap != wrap || inner.subpat.is_some() {
        return None;
    }
    let is_inner = |e: &Expr| matches!(peel(e), Expr::Path(p) if p.path.is_ident(&inner.ident));
    match peel(body) {
        e if is_inner(e) => scrutinee.unwrapped(),
        Expr::Call(call) if is_named(&call.func, &wrapper) && call.args.len() == 1 => {
            is_inner(&call.args[0]).then(|| scrutinee.clone())
        }
        _ => None,
    }
}

fn is_named(func: &Expr, name: &str) -> bool {
    matches!(peel(func), Expr::Path(p) if p.path.is_ident(name))
}

fn diverges(expr: &Expr) -> bool {
    match peel(expr) {
        Expr::Return(_) | Expr::Continue(_) | Expr::Break(_) => true,
        Expr::Macro(m) => diverging_macro(&m.mac),
        _ => false,
    }
}

fn diverging_macro(mac: &syn::Macro) -> bool {
    const DIVERGING: &[&str] = &["panic", "unreachable", "todo", "unimplemented", "bail"];
    (mac.path.segments.last()).is_some_and(|s| DIVERGING.contains(&&*s.ident.to_string()))
}

/// The names an `if let` / `let` chain condition binds.
fn bound_in_condition(cond: &Expr, out: &mut HashSet<String>) {
    match peel(cond) {
        Expr::Let(l) => bound_in_pattern(&l.pat, out),
        Expr::Binary(b) => {
            bound_in_condition(&b.left, out);
            bound_in_condition(&b.right, out);
        }
        _ => {}
    }
}

fn bound_in_pattern(pat: &Pat, out: &mut HashSet<String>) {
    struct Names<'a>(&'a mut HashSet<String>);
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    Names(out).visit_pat(pat);
}

/// Whether `expr` names one of `names` (a single-segment path), macros aside.
fn mentions(expr: &Expr, names: &HashSet<String>) -> bool {
    struct Finder<'a>(&'a HashSet<String>, bool);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if let Some(ident) = p.path.get_ident() {
                self.1 |= self.0.contains(&ident.to_string());
            }
        }
    }
    if names.is_empty() {
        return false;
    }
    let mut finder = Finder(names, false);
    finder.visit_expr(expr);
    finder.1
}
