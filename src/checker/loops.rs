//! Loops: `cpu_loop` judges each loop in executor code at its dispatch point, then the
//! loop's parts are visited, with what `for` and `while let` bind in scope.
use std::ops::Range;

use syn::visit::Visit;
use syn::Expr;

use super::visitor::Checker;
use crate::rules::calls;
use crate::rules::cpu_loop::{self, Loop};
use crate::semantic::ownership::Shape;
use crate::syntax::expr::{pattern_ident, peel};

impl Checker<'_, '_> {
    pub(super) fn visit_while_parts(&mut self, expr: &syn::ExprWhile) {
        let mark = self.model.guards.mark();
        let bound = self.model.push_binding_scope(); // what `while let` binds
        self.visit_expr(&expr.cond);
        if !has_let(&expr.cond) {
            self.model.guards.release_temporaries(mark);
        }
        self.visit_block(&expr.body);
        self.model.guards.end_named_since(mark);
        self.model.pop_binding_scope(bound);
        self.model.guards.release_temporaries(mark);
    }

    pub(super) fn visit_for_loop_parts(&mut self, for_loop: &syn::ExprForLoop) {
        self.visit_expr(&for_loop.expr);
        calls::iterated(&self.model, &mut self.out, &for_loop.expr);
        let iterated = self.model.infer(&for_loop.expr);
        let items = iterated.and_then(|t| self.model.items_of(&t));
        let bound = self.model.push_binding_scope();
        self.model.bind_pattern(&for_loop.pat, items);
        if let (Expr::Range(_), Some(name)) = (peel(&for_loop.expr), pattern_ident(&for_loop.pat)) {
            // The items of a range are integers or chars.
            self.model.scopes.set_shape(name.as_str(), Shape::Copy);
        }
        self.visit_block(&for_loop.body);
        self.model.pop_binding_scope(bound);
    }

    /// The loop dispatch point: `cpu_loop` judges a loop in executor code; the loop is
    /// then visited with `visit` (inner loops of a reported loop are not judged again).
    pub(super) fn check_loop(
        &mut self,
        looped: Loop<'_>,
        header: Range<usize>,
        visit: impl FnOnce(&mut Self),
    ) {
        let awaits = cpu_loop::judge::awaits_in(looped);
        // A loop that awaits runs its rounds after an `.await`: not startup any more.
        if awaits && self.model.in_startup() {
            self.model.end_startup();
        }
        let reported =
            !self.in_reported_loop && cpu_loop::check(&self.model, &mut self.out, looped, header);
        // An event loop drives futures of its own: blocking in it stalls them.
        let polls = cpu_loop::judge::polls_several_in(looped);
        self.model.loop_depth += 1;
        let visit = |this: &mut Self| {
            visit(this);
            this.model.loop_depth -= 1;
        };
        if !reported {
            return self.off_main_thread_if(polls, visit);
        }
        let saved = std::mem::replace(&mut self.in_reported_loop, true);
        self.off_main_thread_if(polls, visit);
        self.in_reported_loop = saved;
    }
}

/// Whether a condition binds with `let`, alone or in a let-chain (`let Ok(g) = m.lock()
/// && ready`): its temporaries then live through the body.
pub(super) fn has_let(cond: &Expr) -> bool {
    match cond {
        Expr::Let(_) => true,
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            has_let(&b.left) || has_let(&b.right)
        }
        Expr::Paren(p) => has_let(&p.expr),
        _ => false,
    }
}
