//! Looks ahead in a fn body for futures built in one place and run in another: a
//! variable handed to `block_on` later (`let fut = run(); rt.block_on(fut)`), and one
//! awaited later or raced only against Ctrl-C (`let work = run(); select! { _ =
//! ctrl_c() => .., r = work => r }`). The future runs where it is awaited, so the call
//! that builds it counts as made there.
use std::collections::{HashMap, HashSet};

use syn::visit::{self, Visit};
use syn::{Expr, Item};

use crate::semantic::model::SemanticModel;
use crate::semantic::offload;
use crate::semantic::resolve::Resolution;
use crate::syntax::expr::peel;
use crate::syntax::macros;

/// Whether a sync fn's body text builds a tokio runtime of the multi-thread flavor only
/// (`Runtime::new()`, `Builder::new_multi_thread()`): a cheap look at its text.
pub fn builds_multi_thread_runtime(body_text: &str) -> bool {
    (body_text.contains("new_multi_thread") || body_text.contains("Runtime::new("))
        && !body_text.contains("new_current_thread")
}

/// Whether a sync fn's body text builds a tokio runtime of the current-thread flavor
/// only (`Builder::new_current_thread()`).
pub fn builds_current_thread_runtime(body_text: &str) -> bool {
    body_text.contains("new_current_thread")
        && !body_text.contains("new_multi_thread")
        && !body_text.contains("Runtime::new(")
}

/// Whether a sync fn returns a runtime (its return type names `Runtime`) that its body
/// builds with the current-thread flavor only: a helper like `new_client_runtime()`.
pub fn returns_current_thread_runtime(sig: &syn::Signature, body_text: &str) -> bool {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return false;
    };
    builds_current_thread_runtime(body_text) && {
        use quote::ToTokens;
        let returned = ty.to_token_stream().to_string();
        // An owned runtime, not one shared through a reference, `Arc` or static.
        let shared = ["&", "Arc", "Rc", "static", "Lazy", "Once"];
        returned.contains("Runtime") && !shared.iter().any(|s| returned.contains(s))
    }
}

/// Whether a fn body's text builds the runtime in `variable` itself (a variable of its
/// own, not a handle passed in) and hands it one future to `block_on` and nothing else:
/// no spawn on it, no handle to it that could spawn elsewhere, no earlier `block_on`
/// that could have left tasks behind.
pub fn runs_one_future(body_text: &str, variable: &str) -> bool {
    let built_here = [format!("let {variable} ="), format!("let mut {variable} =")]
        .iter()
        .any(|binding| body_text.contains(binding.as_str()));
    let one_block_on = body_text.matches(".block_on(").count() == 1;
    built_here && one_block_on && !shared_runtime(body_text, variable)
}

/// Whether the runtime in `variable` is used in `text` so that something else may
/// spawn on it: spawned on, its handle taken, entered, cloned or lent (`&rt`).
pub fn shared_runtime(text: &str, variable: &str) -> bool {
    let used = [".spawn", ".handle()", ".enter()", ".clone()"]
        .iter()
        .any(|use_| {
            let needle = format!("{variable}{use_}");
            memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some()
        });
    used || lent(text, variable)
}

/// Whether `&variable` (a borrow of it, handed somewhere) is in the text.
fn lent(text: &str, variable: &str) -> bool {
    let needle = format!("&{variable}");
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, needle.as_bytes()).any(|at| {
        let after = bytes.get(at + needle.len());
        !after.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    })
}

/// The variables a sync fn's `body` hands to `block_on`, with whether each runs off
/// the workers (a standalone executor's `block_on`, or, when `multi_thread`, the
/// runtime the fn builds).
pub fn block_on_futures(
    model: &SemanticModel<'_, '_>,
    body: &syn::Block,
    multi_thread: bool,
) -> HashMap<String, bool> {
    let mut finder = BlockOnFinder(Vec::new());
    finder.visit_block(body);
    (finder.0.into_iter())
        .map(|(name, call)| {
            let off_workers = match call.map(|c| model.callee(c)) {
                None => multi_thread,
                Some(Some(Resolution::External(path))) => offload::standalone_executor(&path),
                Some(_) => false,
            };
            (name, off_workers)
        })
        .collect()
}

/// Whether a body's text may await a variable (`work.await`, not `run().await`) or
/// race one in `select!`: a cheap look before the walk.
pub fn may_await_a_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    let ident_end = |at: usize| {
        at.checked_sub(1)
            .and_then(|i| bytes.get(i))
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    memchr::memmem::find_iter(bytes, b".await").any(ident_end)
        || memchr::memmem::find(bytes, b"select!").is_some()
}

/// The variables an async fn's `body` awaits (`fut.await`) or races only against
/// Ctrl-C in a `select!`: futures polled as if awaited where they are built.
pub fn awaited_futures(body: &syn::Block) -> HashSet<String> {
    let mut finder = AwaitFinder::default();
    finder.visit_block(body);
    finder.awaited
}

/// Whether a sync fn's body text may bind a closure to a name (`let f = |x| ..`): a
/// cheap look before `called_by_name`.
pub fn may_bind_a_closure(body_text: &str) -> bool {
    body_text.contains("= |") || body_text.contains("= move |")
}

/// The names a fn's `body` calls in its own code (`try_path(p)`), outside closures,
/// async blocks and nested items: a closure bound to one of them (`let try_path = |p|
/// ..`) runs in the fn's body, on its caller's thread.
pub fn called_by_name(body: &syn::Block) -> HashSet<String> {
    struct Finder(HashSet<String>);
    impl<'b> Visit<'b> for Finder {
        fn visit_expr_call(&mut self, call: &'b syn::ExprCall) {
            if let Expr::Path(p) = &*call.func {
                if let (None, Some(ident)) = (&p.qself, p.path.get_ident()) {
                    self.0.insert(ident.to_string());
                }
            }
            visit::visit_expr_call(self, call);
        }
        fn visit_item(&mut self, _: &'b Item) {}
        fn visit_expr_closure(&mut self, _: &'b syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'b syn::ExprAsync) {}
    }
    let mut finder = Finder(HashSet::new());
    finder.visit_block(body);
    finder.0
}

struct BlockOnFinder<'b>(Vec<(String, Option<&'b syn::ExprCall>)>);

impl<'b> Visit<'b> for BlockOnFinder<'b> {
    fn visit_expr_call(&mut self, call: &'b syn::ExprCall) {
        let is_block_on = matches!(&*call.func, Expr::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "block_on"));
        if let (true, Some(name)) = (is_block_on, call.args.first().and_then(ident_of)) {
            self.0.push((name, Some(call)));
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, mc: &'b syn::ExprMethodCall) {
        let name = mc.args.first().and_then(ident_of);
        if let (true, Some(name)) = (mc.method == "block_on", name) {
            self.0.push((name, None));
        }
        visit::visit_expr_method_call(self, mc);
    }

    fn visit_item(&mut self, _: &'b Item) {}
    fn visit_expr_closure(&mut self, _: &'b syn::ExprClosure) {}
}

#[derive(Default)]
struct AwaitFinder {
    awaited: HashSet<String>,
    /// Variables bound to `ctrl_c()`.
    ctrl_c: HashSet<String>,
}

impl AwaitFinder {
    fn is_ctrl_c(&self, future: &Expr) -> bool {
        match peel(future) {
            Expr::Call(call) => matches!(&*call.func, Expr::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "ctrl_c")),
            other => ident_of(other).is_some_and(|name| self.ctrl_c.contains(&name)),
        }
    }
}

impl<'b> Visit<'b> for AwaitFinder {
    fn visit_local(&mut self, local: &'b syn::Local) {
        let name = match &local.pat {
            syn::Pat::Ident(p) => Some(p.ident.to_string()),
            _ => None,
        };
        if let (Some(name), Some(init)) = (name, &local.init) {
            if self.is_ctrl_c(&init.expr) {
                self.ctrl_c.insert(name);
            }
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_await(&mut self, a: &'b syn::ExprAwait) {
        if let Some(name) = ident_of(&a.base) {
            self.awaited.insert(name);
        }
        visit::visit_expr_await(self, a);
    }

    fn visit_macro(&mut self, mac: &'b syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if name.as_deref() != Some("select") {
            return;
        }
        let Ok(arms) = mac.parse_body_with(macros::parse_select) else {
            return;
        };
        let futures: Vec<&Expr> = arms.iter().filter_map(|a| a.future.as_ref()).collect();
        let (cancel, work): (Vec<&Expr>, Vec<&Expr>) =
            futures.into_iter().partition(|f| self.is_ctrl_c(f));
        if let ([work], false) = (work.as_slice(), cancel.is_empty()) {
            if let Some(name) = ident_of(work) {
                self.awaited.insert(name);
            }
        }
    }

    fn visit_item(&mut self, _: &'b Item) {}
    fn visit_expr_closure(&mut self, _: &'b syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'b syn::ExprAsync) {}
}

fn ident_of(arg: &Expr) -> Option<String> {
    match peel(arg) {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}
