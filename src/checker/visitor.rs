//! The walk: which code runs where (async fns, async blocks and closures, closures run
//! inline or handed away, nested items), kept in the semantic model, and the loop,
//! `let`, `.await` and body-exit dispatch points.
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Item, Stmt};

use super::{entry, prescan};
use crate::rules::cpu_loop::Loop;
use crate::rules::transitive::record::{self, FnKind};
use crate::rules::{calls, lock_across_await, Output};
use crate::semantic::local_path::{Anchor, LocalPath};
use crate::semantic::model::{Executor, SemanticModel};
use crate::semantic::offload;
use crate::semantic::test_code;
use crate::semantic::FileContext;
use crate::syntax::expr::peel;

/// Walks one file: keeps `model` current and lets the rules write to `out`.
pub struct Checker<'a, 'c> {
    pub model: SemanticModel<'a, 'c>,
    pub out: Output,
    /// Set just before visiting a closure an adapter method runs inline (`iter.map(..)`),
    /// with the type of the items it is handed when they are known.
    pub(super) closure_is_method_arg: bool,
    pub(super) closure_item: Option<crate::catalog::ty::Ty>,
    /// In a loop `cpu_loop` reported already (its inner loops are not judged).
    pub(super) in_reported_loop: bool,
    /// The sync fn being visited builds a multi-thread tokio runtime and no current-thread
    /// one: its `rt.block_on(fut)` runs `fut` off the workers.
    pub(super) multi_thread_runtime_in_fn: bool,
    /// The sync fn being visited builds a current-thread tokio runtime and no
    /// multi-thread one: the future its `rt.block_on(fut)` runs is that runtime's only
    /// task until it spawns one (unless the fn hands the runtime other work too).
    pub(super) current_thread_runtime_in_fn: bool,
    /// The byte range of the body of the fn being visited.
    pub(super) fn_body: Range<usize>,
    /// The channels the fn being visited creates, by sender.
    pub(super) channel_pairs: super::channels::ChannelPairs,
    /// The crate fn whose runtime the `block_on` being visited runs its future on.
    pub(super) entry_runtime_of: Option<crate::semantic::local_path::LocalPath>,
    /// The variables the sync fn being visited hands to `block_on`, each with whether
    /// that `block_on` runs it off the workers: `let fut = run(); rt.block_on(fut)`.
    pub(super) block_on_futures: HashMap<String, bool>,
    /// The variables the async fn being visited awaits later (or races only against
    /// Ctrl-C): `let work = run(); .. work.await`.
    pub(super) awaited_futures: HashSet<String>,
    /// In a sync fn: the names its own code calls (see `prescan::called_by_name`).
    pub(super) called_by_name: HashSet<String>,
    /// The type of the scrutinee of the `match` whose arms are being visited: what an
    /// arm's pattern binds from (`Some(path) => path.exists()`).
    scrutinee: Option<crate::catalog::ty::Ty>,
}

fn range(span: Span) -> Range<usize> {
    span.byte_range()
}

impl<'a, 'c> Checker<'a, 'c> {
    pub fn new(ctx: &'a FileContext<'c>, text: &'a str) -> Self {
        Checker {
            model: SemanticModel::new(ctx, text),
            out: Output::default(),
            closure_is_method_arg: false,
            closure_item: None,
            in_reported_loop: false,
            multi_thread_runtime_in_fn: false,
            current_thread_runtime_in_fn: false,
            fn_body: 0..0,
            channel_pairs: Default::default(),
            entry_runtime_of: None,
            block_on_futures: HashMap::new(),
            awaited_futures: HashSet::new(),
            called_by_name: HashSet::new(),
            scrutinee: None,
        }
    }

    /// Runs `f` with the executor context replaced by `executor`: a body of its own, with
    /// its own lock guards, not part of the sync fn around it either.
    pub(super) fn with_executor(&mut self, executor: Option<Executor>, f: impl FnOnce(&mut Self)) {
        self.with_context(executor, None, f)
    }

    /// `with_executor`, also telling which sync fn (if any) the code is part of. At
    /// the body's end, every guard held across an `.await` is reported.
    pub(super) fn with_context(
        &mut self,
        executor: Option<Executor>,
        current_fn: Option<usize>,
        f: impl FnOnce(&mut Self),
    ) {
        let saved = std::mem::replace(&mut self.model.executor, executor);
        let saved_fn = std::mem::replace(&mut self.model.current_fn, current_fn);
        let saved_guards = std::mem::take(&mut self.model.guards);
        self.model.guards.push_frame();
        f(self);
        self.model.guards.finish();
        for guard in std::mem::take(&mut self.model.guards.held) {
            let diagnostic = lock_across_await::diagnostic(&guard, self.model.ctx.catalog);
            self.out.diagnostics.push(diagnostic);
        }
        self.model.guards = saved_guards;
        self.model.current_fn = saved_fn;
        self.model.executor = saved;
    }

    /// Guards passed by value to a call are moved away once the call is made.
    fn guards_moved_by<'x>(&mut self, args: impl Iterator<Item = &'x Expr>) {
        let names: Vec<String> = args
            .filter_map(|arg| match peel(arg) {
                Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                _ => None,
            })
            .collect();
        names.iter().for_each(|name| self.model.guards.moved(name));
    }

    /// The fn dispatch point: its summary entry, then its body in its own context.
    fn visit_fn(
        &mut self,
        attrs: &[Attribute],
        sig: &syn::Signature,
        body: &syn::Block,
        kind: FnKind,
    ) {
        if self.model.is_test_code(attrs) {
            return;
        }
        let (fn_index, display) = record::fn_entered(&self.model, &mut self.out, attrs, sig, kind);
        let current_fn = fn_index.filter(|_| sig.asyncness.is_none());
        let saved_enclosing = self.model.enclosing_fn.replace(display);
        let saved_params = std::mem::take(&mut self.model.closure_params);
        let executor = sig.asyncness.map(|token| Executor {
            startup: entry::runtime_entry(attrs),
            main_thread: entry::main_thread_entry(attrs),
            prefix_of: fn_index,
            body_of: fn_index,
            sole_task: entry::sole_task_entry(attrs),
            sole_body_of: fn_index,
            ..Executor::new(range(token.span), "this `async fn` runs on the executor")
        });
        let saved_names = std::mem::replace(
            &mut self.model.offloaded_names,
            offload::offloaded_names(body),
        );
        // The look-aheads run only where the body's text can hold what they look for.
        let body_text = self
            .model
            .text
            .get(crate::syntax::expr::block_range(body))
            .unwrap_or_default();
        if let (Some(index), None) = (fn_index, sig.asyncness) {
            let makes = prescan::returns_current_thread_runtime(sig, body_text);
            self.out.summary.fns[index].makes_current_thread_runtime = makes;
        }
        let runs_block_on = sig.asyncness.is_none() && body_text.contains("block_on");
        let multi_thread = runs_block_on && prescan::builds_multi_thread_runtime(body_text);
        let current_thread = runs_block_on && prescan::builds_current_thread_runtime(body_text);
        let saved_runtime = std::mem::replace(&mut self.multi_thread_runtime_in_fn, multi_thread);
        let saved_current =
            std::mem::replace(&mut self.current_thread_runtime_in_fn, current_thread);
        let body_range = crate::syntax::expr::block_range(body);
        let saved_body = std::mem::replace(&mut self.fn_body, body_range);
        let saved_channels = std::mem::take(&mut self.channel_pairs);
        let block_on_futures = match runs_block_on {
            true => prescan::block_on_futures(&self.model, body, multi_thread),
            false => HashMap::new(),
        };
        let saved_futures = std::mem::replace(&mut self.block_on_futures, block_on_futures);
        let awaited = match sig.asyncness.is_some() && prescan::may_await_a_variable(body_text) {
            true => prescan::awaited_futures(body),
            false => HashSet::new(),
        };
        let saved_awaited = std::mem::replace(&mut self.awaited_futures, awaited);
        let called = match sig.asyncness.is_none() && prescan::may_bind_a_closure(body_text) {
            true => prescan::called_by_name(body),
            false => HashSet::new(),
        };
        let saved_called = std::mem::replace(&mut self.called_by_name, called);
        let conversions = self.model.generic_conversions(&sig.generics);
        self.model.scopes.push_block(std::iter::empty());
        for input in &sig.inputs {
            match input {
                syn::FnArg::Typed(arg) => self.model.bind_param(arg, &conversions),
                syn::FnArg::Receiver(_) => {
                    let self_ty = self.model.self_ty.clone();
                    self.model.scopes.add_local("self".into(), self_ty)
                }
            }
        }
        self.model.closure_params = super::inline::closure_params(sig); // a later `let` shadows
        let exit_tail = crate::semantic::exit_tail::of(&self.model, body);
        let saved_tail = std::mem::replace(&mut self.model.exit_tail, exit_tail);
        let conditions = self.model.conditions.enter_fn(sig, &self.model.scopes);
        self.with_context(executor, current_fn, |this| this.visit_block(body));
        self.model.conditions.leave_fn(conditions);
        self.model.exit_tail = saved_tail;
        self.model.scopes.pop();
        self.model.offloaded_names = saved_names;
        self.model.enclosing_fn = saved_enclosing;
        self.model.closure_params = saved_params;
        self.multi_thread_runtime_in_fn = saved_runtime;
        self.current_thread_runtime_in_fn = saved_current;
        self.fn_body = saved_body;
        self.channel_pairs = saved_channels;
        self.block_on_futures = saved_futures;
        self.awaited_futures = saved_awaited;
        self.called_by_name = saved_called;
    }
}

impl<'ast> Visit<'ast> for Checker<'_, '_> {
    fn visit_item(&mut self, item: &'ast Item) {
        if self.model.is_test_code(test_code::item_attrs(item)) {
            return;
        }
        // A nested item is its own code: it does not run where it is written.
        self.with_executor(None, |this| match item {
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    this.model.enter_module(Some(m.ident.to_string()), items);
                    items.iter().for_each(|i| this.visit_item(i));
                    this.model.scopes.pop();
                }
            }
            _ => visit::visit_item(this, item),
        });
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        record::reexports(&self.model, &mut self.out, u);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.visit_fn(&f.attrs, &f.sig, &f.block, FnKind::Free);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.visit_fn(&f.attrs, &f.sig, &f.block, FnKind::Method);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(body) = &f.default {
            self.visit_fn(&f.attrs, &f.sig, body, FnKind::TraitDefault);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if self.model.is_test_code(&i.attrs) {
            return;
        }
        let self_ty = self.model.scopes.resolve_type(&i.self_ty);
        let saved = std::mem::replace(&mut self.model.self_ty, self_ty);
        let self_path = match &*i.self_ty {
            syn::Type::Path(tp) if tp.qself.is_none() => self.model.scopes.resolve_local(&tp.path),
            _ => None,
        };
        let saved_path = std::mem::replace(&mut self.model.self_path, self_path);
        let impl_trait =
            (i.trait_.as_ref()).and_then(|(path, _)| self.model.scopes.resolve_local(path));
        if let Some(tr) = &impl_trait {
            let ty = (self.model.self_path.as_ref()).and_then(|p| p.segments.last().cloned());
            self.out.summary.trait_impls.push((ty, tr.clone()));
        } else if let Some((path, _)) = &i.trait_ {
            let name = path.segments.last().map(|s| s.ident.to_string());
            self.out.summary.unresolved_trait_impls.extend(name);
        }
        let saved_trait = std::mem::replace(&mut self.model.in_trait_impl, i.trait_.is_some());
        let saved_definition = std::mem::replace(&mut self.model.in_trait_definition, false);
        let saved_impl_trait = std::mem::replace(&mut self.model.impl_trait, impl_trait);
        for item in &i.items {
            match item {
                syn::ImplItem::Fn(f) => self.visit_impl_item_fn(f),
                syn::ImplItem::Const(c) => self.visit_expr(&c.expr),
                _ => {}
            }
        }
        self.model.self_ty = saved;
        self.model.self_path = saved_path;
        self.model.in_trait_impl = saved_trait;
        self.model.in_trait_definition = saved_definition;
        self.model.impl_trait = saved_impl_trait;
    }

    /// A trait's default methods are the trait's own: `Self::x` and `self.x()` there
    /// name the trait's `x`, whichever type runs them.
    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        if self.model.is_test_code(&t.attrs) {
            return;
        }
        let mut segments = self.model.scopes.current_module().to_vec();
        segments.push(t.ident.to_string());
        let trait_path = (self.model.scopes.at_module_level()).then_some(LocalPath {
            anchor: Anchor::File { up: 0 },
            segments,
        });
        let model = &mut self.model;
        let saved = (
            model.self_ty.take(),
            std::mem::replace(&mut model.self_path, trait_path),
            std::mem::replace(&mut model.in_trait_impl, false),
            model.impl_trait.take(),
        );
        let saved_definition = std::mem::replace(&mut self.model.in_trait_definition, true);
        visit::visit_item_trait(self, t);
        self.model.in_trait_definition = saved_definition;
        let model = &mut self.model;
        (
            model.self_ty,
            model.self_path,
            model.in_trait_impl,
            model.impl_trait,
        ) = saved;
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = block.stmts.iter().filter_map(|stmt| match stmt {
            Stmt::Item(item) => Some(item),
            _ => None,
        });
        self.model.scopes.push_block(items);
        self.model.guards.push_frame();
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        self.model.guards.pop_frame();
        self.model.scopes.pop();
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        // Temporaries, lock guards among them, live to the end of their statement.
        let mark = self.model.guards.mark();
        match stmt {
            Stmt::Local(local) => return self.visit_local(local),
            Stmt::Item(item) => self.visit_item(item),
            Stmt::Expr(expr, _) => self.visit_expr(expr),
            Stmt::Macro(mac) => self.visit_macro(&mac.mac),
        }
        self.model.guards.release_temporaries(mark);
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        // An `if` condition drops its temporaries before the body runs; `if let` does not.
        let mark = self.model.guards.mark();
        let required = (self.model.conditions).required(&self.model.scopes, &expr.cond);
        let bound = self.model.push_binding_scope(); // what `if let` binds
        self.visit_expr(&expr.cond);
        if !super::loops::has_let(&expr.cond) {
            self.model.guards.release_temporaries(mark);
        }
        let conditions = self.model.conditions.enter_if(required);
        self.visit_block(&expr.then_branch);
        self.model.conditions.truncate(conditions);
        self.model.guards.end_named_since(mark);
        self.model.pop_binding_scope(bound);
        if let Some((_, else_branch)) = &expr.else_branch {
            self.visit_expr(else_branch);
        }
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        let header = range(expr.while_token.span).start..expr.cond.span().byte_range().end;
        self.check_loop(Loop::While(expr), header, |this| {
            this.visit_while_parts(expr)
        });
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        self.check_local(local);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.visit_expr(&m.expr);
        let scrutinee = self.model.infer(&m.expr);
        let outer = std::mem::replace(&mut self.scrutinee, scrutinee);
        let on_param = self
            .model
            .conditions
            .enter_match(&self.model.scopes, &m.expr);
        self.visit_match_arms(&m.arms);
        self.model.conditions.leave_match(on_param);
        self.scrutinee = outer;
    }

    fn visit_expr_let(&mut self, expr: &'ast syn::ExprLet) {
        let mark = self.model.guards.mark();
        self.visit_expr(&expr.expr);
        if let Some(name) = self.model.bound_guard(expr) {
            self.model.guards.name_last(mark, name); // `if let Ok(g) = m.lock()`
        }
        let ty = self.model.infer(&expr.expr); // `if let Some(out) = child.stdout.take()`
        self.model.bind_pattern(&expr.pat, ty);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        // The arm's bindings shadow what is outside, typed (`Command::Build(inner) => ..`).
        let bound = self.model.push_binding_scope();
        // Each arm binds from the scrutinee; a `match` nested in the arm sets its own.
        let (pat, guard) = crate::syntax::expr::arm_pattern(arm);
        self.model.bind_pattern(pat, self.scrutinee.clone());
        // An arm's guard and body are temporary scopes (`Ok(x) => m.lock()?.push(x),`).
        let mark = self.model.guards.mark();
        if let Some(guard) = guard {
            self.visit_expr(guard);
            self.model.guards.release_temporaries(mark);
        }
        let conditions = self.model.conditions.enter_arm(pat);
        self.visit_expr(&arm.body);
        self.model.conditions.truncate(conditions);
        self.model.guards.release_temporaries(mark);
        self.model.pop_binding_scope(bound);
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        // A sync closure is part of a sync fn's body only when an adapter method runs
        // it there; one stored, returned or registered may run anywhere.
        let inline_in_fn = std::mem::take(&mut self.closure_is_method_arg);
        let current_fn = self
            .model
            .current_fn
            .filter(|_| inline_in_fn && closure.asyncness.is_none());
        let executor = if let Some(token) = closure.asyncness {
            Some(Executor::new(
                range(token.span),
                "this async closure runs on the executor",
            ))
        } else {
            self.model.executor.clone().map(|mut executor| {
                executor.inline_closure = Some(
                    range(closure.inputs_begin.span).start..range(closure.inputs_end.span).end,
                );
                executor
            })
        };
        let item = self
            .closure_item
            .take()
            .filter(|_| closure.inputs.len() == 1);
        self.model.scopes.push_block(std::iter::empty());
        for input in &closure.inputs {
            self.model.bind_pattern(input, item.clone());
        }
        // A closure runs when it is called, maybe long before the exit it is written by.
        let saved_tail = self.model.exit_tail.take();
        self.in_closure_runtime_scope(closure, |this| {
            this.with_context(executor, current_fn, |this| this.visit_expr(&closure.body))
        });
        self.model.exit_tail = saved_tail;
        self.model.scopes.pop();
    }

    fn visit_expr_async(&mut self, block: &'ast syn::ExprAsync) {
        let executor = Executor::new(
            range(block.async_token.span),
            "this `async` block runs on the executor",
        );
        let saved_tail = self.model.exit_tail.take();
        self.with_executor(Some(executor), |this| this.visit_block(&block.block));
        self.model.exit_tail = saved_tail;
    }

    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        match peel(&expr.base) {
            Expr::Call(call) => self.visit_call(call, true),
            Expr::MethodCall(mc) => self.visit_method_call(mc, true),
            _ => self.visit_expr(&expr.base),
        }
        let at = range(expr.dot_token.span).start..range(expr.await_token.span).end;
        let moved = super::channels::awaited_args(self.model.text, &expr.base, at.end);
        self.senders_moved_by_await(moved.into_iter(), at.start);
        self.model.guards.awaited(at);
        self.model.end_startup();
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        self.visit_call(call, false);
        self.guards_moved_by(call.args.iter());
    }

    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        self.visit_method_call(mc, false);
        self.guards_moved_by(mc.args.iter());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let polls = crate::syntax::macros::polls_futures(mac);
        if polls {
            self.model.end_startup();
        }
        if self.model.executor.is_some() {
            calls::macro_call(&self.model, &mut self.out, mac);
            self.off_main_thread_if(polls, |this| this.visit_macro_body(mac));
        } else if self.model.current_fn.is_some()
            || (self.model.file_has_async && crate::syntax::macros::mentions_async(&mac.tokens))
        {
            // An async block, or calls for a sync fn's summary (`or_exit!(state.save())`).
            self.visit_macro_body(mac);
        } else {
            // A `macro_rules!` body, or a macro outside any fn the summary keeps.
            self.note_unseen_methods(&mac.tokens);
        }
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        // `Backend::refresh(b)`, `<B as Backend>::refresh(b)`, `.map(Backend::serve)`:
        // a trait method named by path may be any impl's, run by whoever calls it.
        let segments = &path.path.segments;
        if path.qself.is_some() || segments.len() > 1 {
            if let Some(last) = segments.last() {
                self.out
                    .summary
                    .unseen_method_names
                    .push(last.ident.to_string());
            }
        }
        visit::visit_expr_path(self, path);
    }

    fn visit_expr_for_loop(&mut self, for_loop: &'ast syn::ExprForLoop) {
        let header = range(for_loop.for_token.span).start..for_loop.expr.span().byte_range().end;
        self.check_loop(Loop::For(for_loop), header, |this| {
            this.visit_for_loop_parts(for_loop)
        });
    }

    fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
        let header = range(expr.loop_token.span);
        self.check_loop(Loop::Plain(expr), header, |this| {
            this.visit_block(&expr.body)
        });
    }
}
