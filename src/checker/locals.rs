//! `let` statements: the future a `block_on` or a later `.await` runs, the lock guard
//! a binding holds, the channels it names, and how the variable holds its value.
use syn::visit::Visit;
use syn::{Expr, Pat};

use super::visitor::Checker;
use crate::semantic::model::SemanticModel;
use crate::semantic::ownership::{self, Shape};
use crate::syntax::expr::{pattern_ident, peel};

impl Checker<'_, '_> {
    pub(super) fn check_local(&mut self, local: &syn::Local) {
        // `let fut = run(args); rt.block_on(fut)`: the future `block_on` runs, built here.
        let entry = (local.init.as_ref())
            .filter(|init| matches!(peel(&init.expr), Expr::Call(_) | Expr::MethodCall(_)))
            .zip(pattern_ident(&local.pat))
            .and_then(|(init, name)| Some((init, *self.block_on_futures.get(&name)?)))
            .filter(|(_, off_workers)| {
                self.model.executor.is_none() && (*off_workers || self.in_sync_main())
            });
        if let Some((init, off_workers)) = entry {
            self.visit_entry_args(std::iter::once(&*init.expr), off_workers, false);
            return self.model.bind_pattern(&local.pat, None);
        }
        // `let work = run(); .. work.await`: the call is made where the future runs.
        let awaited_later = (local.init.as_ref())
            .filter(|init| init.diverge.is_none() && self.model.executor.is_some())
            .filter(|_| {
                pattern_ident(&local.pat).is_some_and(|n| self.awaited_futures.contains(&n))
            });
        if let Some(init) = awaited_later {
            match peel(&init.expr) {
                Expr::Call(c) => {
                    return self.visit_awaited_later(&local.pat, |this| this.visit_call(c, true))
                }
                Expr::MethodCall(m) => {
                    return self
                        .visit_awaited_later(&local.pat, |this| this.visit_method_call(m, true))
                }
                _ => {}
            }
        }
        let mut ty = None;
        let mark = self.model.guards.mark();
        if let Some(init) = &local.init {
            let offloaded_closure = matches!(&*init.expr, Expr::Closure(c) if c.asyncness.is_none())
                && pattern_ident(&local.pat)
                    .is_some_and(|name| self.model.offloaded_names.contains(&name));
            // `let try_path = |p| ..; try_path(x)` in a sync fn: the closure runs in the
            // fn's body, as an adapter's closure does.
            let called_here = matches!(&*init.expr, Expr::Closure(c) if c.asyncness.is_none())
                && pattern_ident(&local.pat).is_some_and(|n| self.called_by_name.contains(&n));
            if offloaded_closure {
                self.with_executor(None, |this| this.visit_expr(&init.expr));
            } else if called_here {
                self.closure_is_method_arg = true;
                self.visit_expr(&init.expr);
            } else {
                self.visit_expr(&init.expr);
            }
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
            ty = self.model.infer(&init.expr);
        }
        // `let g = m.lock().unwrap();` holds the guard; `let _ = m.lock();` drops it at once.
        let holder = local
            .init
            .as_ref()
            .filter(|init| self.model.is_guard_chain(&init.expr));
        match (holder, pattern_ident(&local.pat)) {
            (Some(_), Some(name)) => self.model.guards.bind(mark, name),
            _ => self.model.guards.release_temporaries(mark),
        }
        let shape = match (&local.pat, &local.init) {
            (Pat::Ident(p), Some(init)) if p.by_ref.is_none() && p.subpat.is_none() => {
                Some(init_shape(&self.model, &init.expr))
            }
            _ => None,
        };
        self.channel_names_rebound(&local.pat);
        let let_at = match local.attrs.first() {
            Some(attr) => attr.pound_token.span.byte_range().start,
            None => local.let_token.span.byte_range().start,
        };
        self.note_channel(&local.pat, ty.as_ref(), let_at);
        self.model.bind_pattern(&local.pat, ty);
        if let (Some(shape), Some(name)) = (shape, pattern_ident(&local.pat)) {
            self.model.scopes.set_shape(name.as_str(), shape);
        }
    }

    /// A `let` whose future is awaited later: `visit` makes the call as awaited.
    fn visit_awaited_later(&mut self, pat: &syn::Pat, visit: impl FnOnce(&mut Self)) {
        visit(self);
        self.model.bind_pattern(pat, None);
    }
}

/// How `let x = init;` holds its value: by the initializer's type, or as the
/// variable it copies or moves (`let p = path;`).
fn init_shape(model: &SemanticModel<'_, '_>, init: &Expr) -> Shape {
    if let Expr::Path(p) = peel(init) {
        if let Some(ident) = p.path.get_ident() {
            let shape = model.scopes.local_shape(&ident.to_string());
            return shape.unwrap_or(Shape::Unknown);
        }
    }
    ownership::of_init(init)
}
