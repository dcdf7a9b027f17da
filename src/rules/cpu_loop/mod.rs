//! `cpu_loop`: a loop in executor code that evidently runs long and never yields.
//!
//! `judge` weighs the evidence; this file turns it into the finding, with the
//! `spawn_blocking` rewrite of the whole loop where that fits.
use std::ops::Range;

use syn::visit::{self, Visit};
use syn::Item;

use crate::diagnostic::{Applicability, Label, Suggestion};
use crate::semantic::model::SemanticModel;
use crate::semantic::resolve::Resolution;

use super::{startup, Output};

pub mod judge;

use judge::Evidence;
pub use judge::Loop;

/// Judges a loop in executor code and reports it; whether it was reported (its inner
/// loops are then not judged again).
pub fn check(
    model: &SemanticModel<'_, '_>,
    out: &mut Output,
    looped: Loop<'_>,
    header: Range<usize>,
) -> bool {
    let Some(executor) = &model.executor else {
        return false;
    };
    let heavy = judge::has_nested_loop(looped)
        .then(|| cpu_heavy_call_in(model, looped))
        .flatten();
    let Some(evidence) = judge::judge(looped, model.ctx.cpu_loop_threshold, heavy) else {
        return false;
    };
    let message = "this loop keeps the executor thread busy and never yields";
    let catalog = model.ctx.catalog;
    let lint_level = ("cpu_loop", catalog.level("cpu_loop"));
    let (startup, main_thread) = (executor.startup, executor.main_thread);
    let mut diagnostic =
        startup::diagnostic(catalog, lint_level, startup, main_thread, message.into());
    diagnostic.primary = Some(header);
    diagnostic.primary_label = Some("no `.await` in this loop".into());
    diagnostic.labels.push(Label {
        range: executor.async_span.clone(),
        message: executor.what.to_string(),
    });
    diagnostic.notes.push(evidence.note());
    let loop_range = looped.range();
    match &evidence {
        Evidence::Spin(_) => diagnostic.helps.push(
            "wait for the change instead of polling it (`tokio::sync::Notify`, a `watch` or async channel), \
             or at least `tokio::task::yield_now().await` in the loop"
                .into(),
        ),
        Evidence::Endless => diagnostic.helps.push(
            "give the loop an `.await` point (`tokio::task::yield_now().await`), or run it on a thread of its own"
                .into(),
        ),
        Evidence::Count(_) | Evidence::NestedHeavy(_) => {
            // A `for` loop is a statement of type `()`: its rewrite is one too.
            let block = format!("{{ {} }}", &model.text[loop_range.clone()]);
            let offloaded = looped
                .is_for()
                .then(|| model.ctx.runtime.offload(&block).map(|call| call + ";"))
                .flatten();
            if let (Some(rendered), None) = (offloaded, &executor.inline_closure) {
                // Advice, not an edit: the loop's body may change variables outside it,
                // which a `move` closure would change only in its own copies.
                diagnostic.suggestion = Some(Suggestion {
                    message: "move the computation to the blocking thread pool (its closure \
                              must be `Send + 'static`: it owns what it uses, and hands results \
                              back as its return value)"
                        .into(),
                    edits: Vec::new(),
                    rendered,
                    applicability: Applicability::MaybeIncorrect,
                });
            }
            diagnostic.helps.push(
                "if it must stay on the executor, `tokio::task::yield_now().await` every few thousand iterations"
                    .into(),
            );
        }
    }
    out.diagnostics.push(diagnostic);
    true
}

/// A call in the `cpu` group of the catalogue, anywhere in the loop, by canonical path.
fn cpu_heavy_call_in(model: &SemanticModel<'_, '_>, looped: Loop<'_>) -> Option<String> {
    struct Calls<'x>(Vec<&'x syn::ExprCall>);
    impl<'ast> Visit<'ast> for Calls<'ast> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            self.0.push(call);
            visit::visit_expr_call(self, call);
        }
        fn visit_item(&mut self, _: &'ast Item) {}
    }
    let mut calls = Calls(Vec::new());
    match looped {
        Loop::Plain(l) => calls.visit_expr_loop(l),
        Loop::While(w) => calls.visit_expr_while(w),
        Loop::For(f) => calls.visit_expr_for_loop(f),
    }
    calls
        .0
        .into_iter()
        .find_map(|call| match model.callee(call)? {
            Resolution::External(path) => {
                let hit = model.ctx.catalog.match_path(&path)?;
                (hit.lint.group == "cpu").then_some(path)
            }
            _ => None,
        })
}
