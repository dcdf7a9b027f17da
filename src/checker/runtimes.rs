//! A runtime a sync fn gets from one of the crate's own fns (`let rt =
//! new_client_runtime()?;`): if that fn builds a current-thread runtime (the crate-wide
//! pass tells), the first future this fn hands to its `block_on`, before anything is
//! spawned on it, is the runtime's only task.
use syn::Expr;

use super::visitor::Checker;
use crate::semantic::local_path::LocalPath;
use crate::syntax::expr::peel;

impl Checker<'_, '_> {
    /// The crate fn whose runtime `receiver` (a variable of this sync fn) holds, when
    /// this `block_on` (at `at`) is the first use of it in the fn's text and nothing
    /// was spawned on it, or could be, before (`let rt = make_runtime()?;`).
    pub(super) fn runtime_from_crate_fn(&self, receiver: &Expr, at: usize) -> Option<LocalPath> {
        let Expr::Path(p) = peel(receiver) else {
            return None;
        };
        let variable = p.path.get_ident()?.to_string();
        let body = self.model.text.get(self.fn_body.clone())?;
        let at = at.checked_sub(self.fn_body.start)?;
        let binding = format!("let {variable} = ");
        let start = body[..at].rfind(&binding)? + binding.len();
        let init = &body[start..start + body[start..].find(';')?];
        let between = &body[start..at];
        let used = [".block_on(", ".spawn", ".handle()", ".enter()"]
            .iter()
            .any(|use_| between.contains(&format!("{variable}{use_}")));
        if used {
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
