//! The call dispatch points: a call or method call is matched against the catalogue and
//! recorded for the call graph, then its arguments are visited where they run (inline,
//! or off the executor when handed to an offload API); macro bodies that parse as
//! Rust are visited too.
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::Expr;

use syn::spanned::Spanned;

use super::visitor::Checker;
use crate::catalog::ty::Ty;
use crate::rules::calls;
use crate::rules::suggest::CallSite;
use crate::rules::transitive::record;
use crate::semantic::guards;
use crate::semantic::model::Executor;
use crate::semantic::offload;
use crate::semantic::resolve::Resolution;
use crate::syntax::expr::peel;
use crate::syntax::macros;

impl Checker<'_, '_> {
    /// Visits a call's arguments, running closures among them off the executor.
    fn visit_offloaded_args<'x>(&mut self, args: impl Iterator<Item = &'x Expr>) {
        for arg in args {
            if offload::is_sync_closure_arg(arg) {
                self.with_executor(None, |this| this.visit_expr(arg));
            } else {
                self.visit_expr(arg);
            }
        }
    }

    pub(super) fn visit_call(&mut self, call: &syn::ExprCall, awaited: bool) {
        self.note_closure_param_call(call);
        let resolution = self.model.callee(call);
        let site = CallSite::Call(call);
        let callee = record::crate_callee(&self.model, site, resolution.as_ref(), None);
        if let Some(callee) = &callee {
            record::call(&self.model, &mut self.out, callee.clone(), site, awaited);
        }
        let Some(Resolution::External(path)) = &resolution else {
            // A helper of the crate named for spawning (`spawn_actor(..)`) most likely
            // starts a task: nothing runs alone after it.
            if offload::call_spawns_task(call) {
                self.model.end_startup();
                self.model.end_sole();
            }
            // A closure handed to a function of this crate (`asyncify(move || ..)`) may
            // well run elsewhere: its findings wait for the crate-wide pass. In one
            // handed to a function that cannot be resolved, stay silent.
            self.visit_expr(&call.func);
            match callee.filter(|_| self.model.executor.is_some()) {
                Some(callee) => self.visit_crate_fn_args(&callee, 0, call.args.iter()),
                None => self.visit_offloaded_args(call.args.iter()),
            }
            return;
        };
        if !awaited {
            calls::call(&self.model, &mut self.out, call, path);
        }
        let name = path.rsplit("::").next().unwrap_or(path);
        if offload::spawns_task(name) {
            self.model.end_startup();
            self.model.end_sole();
        }
        let standalone = offload::standalone_executor(path);
        if name == "block_on" && (self.in_sync_main() || standalone && self.in_sync_code()) {
            self.visit_expr(&call.func);
            return self.visit_entry_args(call.args.iter(), standalone, false);
        }
        if let Some(scope_ty) = offload::scope_param_type(path) {
            self.visit_expr(&call.func);
            for arg in &call.args {
                self.visit_scope_closure(arg, scope_ty);
            }
            return;
        }
        if offload::runs_inline_fn(path) {
            return visit::visit_expr_call(self, call);
        }
        // An offload API (`spawn_blocking`, `thread::spawn`), or a library fn not known to
        // run its closure inline (`SyncWrapper::new(rt, || ..)`): stay silent in it.
        self.visit_expr(&call.func);
        self.visit_offloaded_args(call.args.iter());
    }

    /// The sync `main` fn, where a `block_on(async { .. })` starts the runtime.
    pub(super) fn in_sync_main(&self) -> bool {
        self.in_sync_code() && self.model.enclosing_fn.as_deref() == Some("main")
    }

    /// `runtime.block_on(..)` on the current-thread runtime this fn builds, which it
    /// hands nothing else to run.
    fn runs_sole_task(&self, receiver: &Expr) -> bool {
        self.current_thread_runtime_in_fn && self.runs_only_future(receiver)
    }

    /// `runtime.block_on(..)` on a runtime this fn builds, of whichever flavor, which it
    /// hands nothing else to run.
    fn runs_only_future(&self, receiver: &Expr) -> bool {
        let Expr::Path(p) = peel(receiver) else {
            return false;
        };
        let Some(variable) = p.path.get_ident() else {
            return false;
        };
        let body = (self.model.text.get(self.fn_body.clone())).unwrap_or_default();
        // A `block_on` in a loop runs many futures, each beside what the last left.
        self.model.loop_depth == 0 && super::prescan::runs_one_future(body, &variable.to_string())
    }

    fn in_sync_code(&self) -> bool {
        self.model.executor.is_none()
    }

    /// The arguments of `block_on` in sync code: in `main`, an async block or future
    /// there is the runtime's entry, startup code until its first `.await`. With
    /// `off_workers` (a standalone executor, or a multi-thread runtime) it runs on the
    /// calling thread while any tasks it spawns run on threads of their own.
    /// With `sole`, the runtime runs nothing else: the future is its only task until
    /// it spawns one.
    pub(super) fn visit_entry_args<'x>(
        &mut self,
        args: impl Iterator<Item = &'x Expr>,
        off_workers: bool,
        sole: bool,
    ) {
        // In a loop, each round's future runs beside what the rounds before left.
        let startup = self.in_sync_main() && self.model.loop_depth == 0;
        let runtime_of = self.entry_runtime_of.take();
        for arg in args {
            if let Expr::Async(block) = arg {
                let executor = Executor {
                    startup,
                    main_thread: off_workers,
                    sole_task: sole,
                    sole_if_runtime_of: runtime_of.clone(),
                    ..Executor::new(
                        block.async_token.span.byte_range(),
                        "this `async` block runs on the executor",
                    )
                };
                // The runtime runs it now, not on the way out of the process.
                let saved_tail = self.model.exit_tail.take();
                self.with_executor(Some(executor), |this| this.visit_block(&block.block));
                self.model.exit_tail = saved_tail;
                continue;
            }
            match peel(arg) {
                // `block_on(run(args))`: the future of one of the crate's async fns,
                // driven to completion as if the caller awaited it first thing.
                call @ (Expr::Call(_) | Expr::MethodCall(_)) => {
                    let what = if startup {
                        "the future `main` runs"
                    } else {
                        "the future `block_on` runs"
                    };
                    let executor = Executor {
                        startup,
                        main_thread: off_workers,
                        sole_task: sole,
                        sole_if_runtime_of: runtime_of.clone(),
                        ..Executor::new(call.span().byte_range(), what)
                    };
                    self.with_executor(Some(executor), |this| match call {
                        Expr::Call(c) => this.visit_call(c, true),
                        Expr::MethodCall(m) => this.visit_method_call(m, true),
                        _ => unreachable!("matched above"),
                    });
                }
                _ => self.visit_expr(arg),
            }
        }
    }

    /// `local.run_until(run())`: this task polls the future where it is, as if awaited,
    /// with the local tasks it spawns beside it on this thread.
    fn visit_local_set_future(&mut self, args: &Punctuated<Expr, syn::Token![,]>) {
        for arg in args {
            let recorded = self.out.summary.executor_calls.len();
            let range = match peel(arg) {
                Expr::Call(c) => {
                    self.visit_call(c, true);
                    crate::syntax::expr::call_range(c)
                }
                Expr::MethodCall(m) => {
                    self.visit_method_call(m, true);
                    crate::syntax::expr::method_call_range(m)
                }
                other => {
                    self.visit_expr(other);
                    continue;
                }
            };
            let calls = &mut self.out.summary.executor_calls;
            if let Some(call) = calls.get_mut(recorded).filter(|c| c.call == range) {
                call.local_set = true;
            }
        }
    }

    /// The fn or closure a framework calls on the executor (`Files::path_filter`):
    /// executor code wherever it is registered; a crate fn named there is a call.
    fn visit_hook_args(&mut self, mc: &syn::ExprMethodCall, ty: &str, what: &'static str) {
        let executor = Executor::new(mc.method.span().byte_range(), what);
        let hook = format!("{}::{}", ty.rsplit("::").next().unwrap_or(ty), mc.method);
        for arg in &mc.args {
            let named = match peel(arg) {
                Expr::Path(p) if p.qself.is_none() => record::local_callee(&self.model, &p.path),
                _ => None,
            };
            self.with_context(Some(executor.clone()), None, |this| match named {
                Some(callee) => {
                    let site = CallSite::Iterate(arg);
                    record::call(&this.model, &mut this.out, callee, site, false);
                    if let Some(call) = this.out.summary.executor_calls.last_mut() {
                        (call.hook, call.offload) = (true, None);
                        call.caller = hook.clone();
                    }
                }
                None => this.visit_expr(arg),
            });
        }
    }

    /// A closure whose first parameter is a scope handle of type `scope_ty`.
    fn visit_scope_closure(&mut self, arg: &Expr, scope_ty: &str) {
        let Expr::Closure(closure) = arg else {
            return self.visit_expr(arg);
        };
        self.model.scopes.push_block(std::iter::empty());
        for (i, input) in closure.inputs.iter().enumerate() {
            let ty = (i == 0).then(|| Ty::named(scope_ty));
            self.model.bind_pattern(input, ty);
        }
        self.visit_expr(&closure.body);
        self.model.scopes.pop();
    }

    pub(super) fn visit_method_call(&mut self, mc: &syn::ExprMethodCall, awaited: bool) {
        let method = mc.method.to_string();
        let receiver_ty = self.model.infer(&mc.receiver);
        let plain = receiver_ty.as_ref().and_then(Ty::plain);
        if let (Some(executor), Some(ty)) = (&self.model.executor, plain) {
            if !awaited && guards::takes_guard(ty, &method) {
                let taken = CallSite::Method(mc).primary_range();
                let async_span = executor.async_span.clone();
                self.model.guards.take(ty, taken, async_span);
            }
        }
        if !awaited {
            calls::method_call(&self.model, &mut self.out, mc, plain);
        }
        let site = CallSite::Method(mc);
        let callee = record::crate_callee(&self.model, site, None, plain);
        match &callee {
            Some(callee) => record::call(&self.model, &mut self.out, callee.clone(), site, awaited),
            None => record::any_method_call(&self.model, &mut self.out, mc, awaited),
        }
        // In a trait's default method, `self.x()` may be a supertrait's `x` too.
        if callee.is_some() && self.model.in_trait_definition && is_self(&mc.receiver) {
            record::any_method_call(&self.model, &mut self.out, mc, awaited);
        }
        if offload::spawns_task(&method) {
            self.model.end_startup();
            self.model.end_sole();
        }
        self.visit_expr(&mc.receiver);
        if let Some((ty, what)) =
            plain.and_then(|ty| Some((ty, offload::executor_hook(ty, &method)?)))
        {
            return self.visit_hook_args(mc, ty, what);
        }
        let multi_thread = self.multi_thread_runtime_in_fn;
        if method == "block_on" && (self.in_sync_main() || multi_thread && self.in_sync_code()) {
            // The one future `main` hands to a runtime it built, of either flavor: no
            // task exists beside it until it spawns one.
            let sole = self.in_sync_main() && self.runs_only_future(&mc.receiver);
            return self.visit_entry_args(mc.args.iter(), multi_thread, sole);
        }
        if method == "block_on" && self.in_sync_code() && self.runs_sole_task(&mc.receiver) {
            return self.visit_entry_args(mc.args.iter(), false, true);
        }
        if method == "block_on" && self.in_sync_code() {
            let at = mc.method.span().byte_range().start;
            if let Some(maker) = self.runtime_from_crate_fn(&mc.receiver, at) {
                self.entry_runtime_of = Some(maker);
                return self.visit_entry_args(mc.args.iter(), false, false);
            }
        }
        if method == "run_until" && self.model.executor.is_some() && fresh_local_set(&mc.receiver) {
            return self.visit_local_set_future(&mc.args);
        }
        if !offload::runs_inline_method(&method) {
            // An offload method (`spawn_blocking`, a pool's `spawn`), or one not known to
            // run its closure inline (`pool.run(move || ..)`, `conn.interact(|c| ..)`):
            // the closure may run on another thread; stay silent inside it, unless the
            // crate-wide pass finds that the crate's method calls it.
            return match callee.filter(|_| self.model.executor.is_some()) {
                Some(callee) => self.visit_crate_fn_args(&callee, 1, mc.args.iter()),
                None => self.visit_offloaded_args(mc.args.iter()),
            };
        }
        // `dir.ancestors().filter(|p| p.exists())`: the closure is handed the items.
        let items = (ITEM_ADAPTERS.contains(&method.as_str()))
            .then(|| receiver_ty.as_ref().and_then(|t| self.model.items_of(t)))
            .flatten();
        for arg in &mc.args {
            // `items.iter().map(|p| fs::read(p))`: adapters run their closure inline.
            self.closure_is_method_arg = matches!(arg, Expr::Closure(_));
            self.closure_item = items.clone().filter(|_| self.closure_is_method_arg);
            self.visit_expr(arg);
            self.closure_is_method_arg = false;
            self.closure_item = None;
        }
    }

    /// Code inside macros is analysed when its tokens parse as Rust: `select!` arms,
    /// comma-separated expressions (`format!`, `join!`, `assert!`), or statements.
    /// Anything else stays unread, so it can only be missed, never misreported.
    pub(super) fn visit_macro_body(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "select" {
            if let Ok(arms) = mac.parse_body_with(macros::parse_select) {
                for arm in &arms {
                    self.visit_select_arm(arm);
                }
            }
            return;
        }
        if name == "matches" {
            if let Ok(exprs) = mac.parse_body_with(macros::parse_matches) {
                exprs.iter().for_each(|e| self.visit_expr(e));
            }
            return;
        }
        // Every call, block and closure body is inside a bracketed group: flat tokens
        // (`info!("{} {}", a, b.c)`) hold nothing to look at, and are not parsed.
        let grouped =
            (mac.tokens.clone().into_iter()).any(|t| matches!(t, proc_macro2::TokenTree::Group(_)));
        if !grouped {
            return;
        }
        let exprs = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = mac.parse_body_with(exprs) {
            exprs.iter().for_each(|e| self.visit_expr(e));
        } else if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            self.model.scopes.push_block(std::iter::empty());
            stmts.iter().for_each(|s| self.visit_stmt(s));
            self.model.scopes.pop();
        } else {
            self.note_unseen_methods(&mac.tokens);
        }
    }

    /// The methods a token stream the walk does not read calls (`.name(`), for the
    /// crate-wide pass: each may build a future of a trait method of that name.
    pub(super) fn note_unseen_methods(&mut self, tokens: &proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let mut after_dot = false;
        for token in tokens.clone() {
            after_dot = match token {
                TokenTree::Punct(punct) => punct.as_char() == '.',
                TokenTree::Ident(ident) if after_dot => {
                    self.out.summary.unseen_method_names.push(ident.to_string());
                    false
                }
                TokenTree::Group(group) => {
                    self.note_unseen_methods(&group.stream());
                    false
                }
                _ => false,
            };
        }
    }

    /// `pattern = future (if guard)? => handler`: the future is polled by the macro,
    /// so a call written there is awaited.
    fn visit_select_arm(&mut self, arm: &macros::SelectArm) {
        if let Some(future) = &arm.future {
            match peel(future) {
                Expr::Call(call) => self.visit_call(call, true),
                Expr::MethodCall(mc) => self.visit_method_call(mc, true),
                other => self.visit_expr(other),
            }
        }
        if let Some(guard) = &arm.guard {
            self.visit_expr(guard);
        }
        self.model.scopes.push_block(std::iter::empty());
        if let Some(pat) = &arm.pat {
            self.model.bind_pattern(pat, None);
        }
        self.visit_expr(&arm.handler);
        self.model.scopes.pop();
    }
}

fn is_self(receiver: &Expr) -> bool {
    matches!(peel(receiver), Expr::Path(p) if p.path.is_ident("self"))
}

/// `LocalSet::new()` itself, so that nothing was spawned on it before it runs a future.
fn fresh_local_set(receiver: &Expr) -> bool {
    let Expr::Call(call) = peel(receiver) else {
        return false;
    };
    let Expr::Path(p) = &*call.func else {
        return false;
    };
    let mut names = p.path.segments.iter().rev().map(|s| &s.ident);
    names.next().is_some_and(|n| n == "new") && names.next().is_some_and(|t| t == "LocalSet")
}

/// Iterator adapters whose closure takes one item (by value or by reference).
const ITEM_ADAPTERS: &[&str] = &[
    "filter",
    "map",
    "for_each",
    "any",
    "all",
    "find",
    "filter_map",
    "find_map",
    "flat_map",
    "take_while",
    "skip_while",
    "inspect",
    "position",
];
