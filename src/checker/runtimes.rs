//! Runtimes a sync fn builds or gets: one from the crate's own fns (`let rt =
//! new_client_runtime()?;`), whose first future is the runtime's only task if that fn
//! builds a current-thread runtime (the crate-wide pass tells); and one a sync closure
//! builds for itself (`thread::spawn(move || { let rt = ..; rt.block_on(..) })`), judged
//! by the closure's text rather than the whole fn's.
use syn::Expr;

use super::visitor::Checker;
use crate::semantic::local_path::LocalPath;
use crate::syntax::expr::peel;

impl Checker<'_, '_> {
    /// Runs `visit` with the closure's body as the text the runtime look-aheads read,
    /// when it is a sync closure in sync code that runs a `block_on` of its own.
    pub(super) fn in_closure_runtime_scope(
        &mut self,
        closure: &syn::ExprClosure,
        visit: impl FnOnce(&mut Self),
    ) {
        let body = crate::syntax::expr::start_of(&closure.body)..closure_end(closure);
        let text = self.model.text.get(body.clone()).unwrap_or_default();
        let own_runtime = closure.asyncness.is_none()
            && self.model.executor.is_none()
            && text.contains(".block_on(");
        if !own_runtime {
            return visit(self);
        }
        let current = super::prescan::builds_current_thread_runtime(text);
        let multi = super::prescan::builds_multi_thread_runtime(text);
        let saved = (
            std::mem::replace(&mut self.fn_body, body),
            std::mem::replace(&mut self.current_thread_runtime_in_fn, current),
            std::mem::replace(&mut self.multi_thread_runtime_in_fn, multi),
        );
        visit(self);
        (
            self.fn_body,
            self.current_thread_runtime_in_fn,
            self.multi_thread_runtime_in_fn,
        ) = saved;
    }

    /// The crate fn whose runtime `receiver` (a variable of this sync fn) holds, when
    /// this `block_on` (at `at`) is the first use of it in the fn's text and nothing
    /// was spawned on it, or could be, before (`let rt = make_runtime()?;`).
    pub(super) fn runtime_from_crate_fn(&self, receiver: &Expr, at: usize) -> Option<LocalPath> {
        let Expr::Path(p) = peel(receiver) else {
            return None;
        };
        let variable = p.path.get_ident()?.to_string();
        if self.model.loop_depth > 0 {
            return None;
        }
        let body = self.model.text.get(self.fn_body.clone())?;
        let at = at.checked_sub(self.fn_body.start)?;
        let binding = format!("let {variable} = ");
        let start = body.get(..at)?.rfind(&binding)? + binding.len();
        let init = body.get(start..start + body.get(start..)?.find(';')?)?;
        let between = body.get(start..at)?;
        let ran = between.contains(&format!("{variable}.block_on("));
        if ran || super::prescan::shared_runtime(between, &variable) {
            return None;
        }
        let call = match syn::parse_str::<Expr>(init.trim()).ok()? {
            Expr::Try(t) => *t.expr,
            other => other,
        };
        let Expr::Call(call) = call else {
            return None;
        };
        if !call.args.is_empty() {
            return None;
        }
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        self.model.scopes.resolve_local(&func.path)
    }
}

/// Where a closure's body ends.
fn closure_end(closure: &syn::ExprClosure) -> usize {
    use syn::spanned::Spanned;
    match &*closure.body {
        Expr::Block(b) if b.attrs.is_empty() => crate::syntax::expr::block_range(&b.block).end,
        body => body.span().byte_range().end,
    }
}
