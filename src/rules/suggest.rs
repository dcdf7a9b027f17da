//! Rewrite suggestions: the catalogue's templates filled with the user's own code.
use std::ops::Range;

use syn::spanned::Spanned;
use syn::Expr;

use super::owned;
use crate::catalog::runtime::{Features, Runtime};
use crate::catalog::Hit;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Suggestion};
use crate::semantic::model::SemanticModel;
use crate::semantic::ownership::Shape;
use crate::semantic::resolve::{Resolution, Scopes};

/// The call a finding is about.
#[derive(Clone, Copy)]
pub enum CallSite<'a> {
    Call(&'a syn::ExprCall),
    Method(&'a syn::ExprMethodCall),
    /// The iterated expression of a `for` loop.
    Iterate(&'a Expr),
    Macro(&'a syn::Macro),
}

impl CallSite<'_> {
    /// The whole call expression.
    pub fn range(&self) -> Range<usize> {
        match self {
            CallSite::Call(c) => crate::syntax::expr::call_range(c),
            CallSite::Method(m) => crate::syntax::expr::method_call_range(m),
            CallSite::Iterate(e) => e.span().byte_range(),
            CallSite::Macro(m) => m.span().byte_range(),
        }
    }

    /// What the caret points at: the whole call, or a method from its name on.
    pub fn primary_range(&self) -> Range<usize> {
        match self {
            CallSite::Call(c) => crate::syntax::expr::call_range(c),
            CallSite::Method(m) => {
                let end = m.paren_token.span.close().byte_range().end;
                m.method.span().byte_range().start..end
            }
            CallSite::Iterate(_) | CallSite::Macro(_) => self.range(),
        }
    }

    fn args(&self) -> Vec<&Expr> {
        match self {
            CallSite::Call(c) => c.args.iter().collect(),
            CallSite::Method(m) => m.args.iter().collect(),
            CallSite::Iterate(_) | CallSite::Macro(_) => Vec::new(),
        }
    }

    fn receiver(&self) -> Option<&Expr> {
        match self {
            CallSite::Call(c) => c.args.first(),
            CallSite::Method(m) => Some(&m.receiver),
            CallSite::Iterate(e) => Some(e),
            CallSite::Macro(_) => None,
        }
    }
}

/// Adds the `help:` of a finding: the async equivalent, a rebased builder chain, or the
/// `spawn_blocking` rewrite, in that order of preference. Each is an edit only where it
/// is known to compile: the same types after the call, the runtime features the
/// package enables, owned copies for the closure; otherwise it is advice.
pub fn attach(
    diagnostic: &mut Diagnostic,
    hit: Hit<'_>,
    site: CallSite<'_>,
    model: &SemanticModel<'_, '_>,
    in_closure: bool,
) {
    let (text, runtime) = (model.text, model.ctx.runtime);
    if let Some(note) = &hit.matcher.note {
        diagnostic.notes.push(note.clone());
    }
    let call_range = site.range();
    let plan = owned::plan(model, site);
    let target = Target {
        text,
        range: call_range.clone(),
        runtime,
        features: model.ctx.features,
    };
    let mut suggestion = hit.matcher.template(runtime).and_then(|template| {
        let rendered = runtime.respell(fill(template, hit.path, site, text)?);
        let message = hit
            .matcher
            .help
            .as_deref()
            .unwrap_or("use the async equivalent");
        let mut suggestion = replace_call(message, &call_range, rendered);
        if hit.matcher.changes_type {
            suggestion.message = format!(
                "{message}; its result has another type, so the code that uses it changes too"
            );
            suggestion.edits.clear();
        } else if hit.matcher.machine_applicable {
            suggestion.applicability = Applicability::MachineApplicable;
        }
        Some(suggestion)
    });
    if suggestion.is_none() {
        suggestion = rebase(hit, site, text, runtime, &model.scopes);
    }
    // A twin the package's tokio features lack is set aside: `spawn_blocking` may still
    // fit, and the twin is then a help line; if nothing fits, it is the advice.
    let mut lacking = None;
    if let Some(twin) = suggestion.take_if(|s| !s.edits.is_empty() && hit.matcher.offload) {
        match model.ctx.features.missing(&twin.rendered) {
            Some(need) => lacking = Some((need, twin)),
            None => suggestion = Some(twin),
        }
    }
    if suggestion.is_none() && hit.matcher.offload {
        match offload_call(&plan, &target) {
            Ok(offloaded) => suggestion = offloaded,
            Err(unsure) => diagnostic.helps.push(unsure.help()),
        }
    }
    if let Some((need, twin)) = lacking {
        match suggestion {
            Some(_) => diagnostic.helps.push(format!(
                "or {} and use the async equivalent: `{}`",
                need.action(),
                twin.rendered
            )),
            None => suggestion = Some(needs_features(twin, model.ctx.features)),
        }
    }
    let in_place_fits = matches!(site, CallSite::Call(_) | CallSite::Method(_))
        && !matches!(plan.captures, Err(owned::Unsure::ControlFlow(_)));
    if suggestion.is_none() && hit.matcher.in_place && in_place_fits {
        suggestion = in_place_call(&target);
    }
    match suggestion {
        Some(mut suggestion) if in_closure && suggestion.rendered.contains(".await") => {
            // `.await` cannot go inside a sync closure: say what to do, edit nothing.
            suggestion.message = format!(
                "{} once the work is moved out of the closure (a sync closure cannot `.await`)",
                suggestion.message
            );
            suggestion.edits.clear();
            diagnostic.suggestion = Some(suggestion);
        }
        Some(suggestion) => {
            diagnostic.suggestion = Some(needs_features(
                no_await_under_guard(suggestion, plan.guard_alive),
                model.ctx.features,
            ))
        }
        None if hit.matcher.offload && diagnostic.helps.is_empty() => {
            diagnostic.helps.push(GENERIC_OFFLOAD_HELP.into())
        }
        None => {}
    }
}

/// Where a rewrite goes, and what the package offers it.
pub struct Target<'t> {
    /// The whole file's text.
    pub text: &'t str,
    /// The call.
    pub range: Range<usize>,
    pub runtime: Runtime,
    pub features: Features,
}

/// The rewrites of a call to one of the crate's fns that blocks: `spawn_blocking` with
/// owned copies; tokio's `block_in_place` (which keeps borrows working) for when that
/// does not fit, unless the call has control flow a closure would change; and the help
/// when `spawn_blocking` does not fit.
pub fn call_rewrite(
    plan: &owned::Plan,
    target: &Target<'_>,
) -> (Option<Suggestion>, Option<Suggestion>, Option<String>) {
    let in_place = || in_place_call(target);
    match offload_call(plan, target) {
        Ok(Some(suggestion)) => (Some(suggestion), in_place(), None),
        Ok(None) => (None, None, Some(GENERIC_OFFLOAD_HELP.to_string())),
        Err(unsure @ owned::Unsure::ControlFlow(_)) => (None, None, Some(unsure.help())),
        Err(unsure) => (None, in_place(), Some(unsure.help())),
    }
}

/// tokio's `block_in_place` around the call, where the runtime has it.
fn in_place_call(target: &Target<'_>) -> Option<Suggestion> {
    const HELP: &str =
        "if it must stay here, tell tokio this worker will block (multi-thread runtime only)";
    let range = &target.range;
    (target.runtime.in_place(&target.text[range.clone()]))
        .map(|rendered| replace_call(HELP, range, rendered))
        .map(|s| needs_features(s, target.features))
}

/// The help when the runtime is not known.
pub const GENERIC_OFFLOAD_HELP: &str = "move the call off the executor: use the runtime's \
    async equivalent, or run it inside the runtime's `spawn_blocking` (whose closure must be \
    `Send + 'static`)";

/// The `spawn_blocking` rewrite of the call, with owned copies of what it uses;
/// `Ok(None)` when the runtime has no `spawn_blocking`.
fn offload_call(
    plan: &owned::Plan,
    target: &Target<'_>,
) -> Result<Option<Suggestion>, owned::Unsure> {
    let captures = plan.captures.clone()?;
    let range = &target.range;
    let runtime = target.runtime;
    let Some(rendered) = owned::rewrite(
        &target.text[range.clone()],
        &captures,
        |closure| runtime.spawn_blocking(closure),
        plan.statement,
    ) else {
        return Ok(None);
    };
    let copies: Vec<String> = (captures.iter())
        .filter(|(_, shape)| !matches!(shape, Shape::Copy | Shape::Static))
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    let message = if copies.is_empty() {
        "run it on the blocking thread pool (its closure must be `Send + 'static`)".to_string()
    } else {
        format!(
            "run it on the blocking thread pool; the closure must be `Send + 'static`, so it \
             gets its own copies of {}",
            copies.join(", ")
        )
    };
    let suggestion = replace_call(&message, range, rendered);
    Ok(Some(needs_features(
        no_await_under_guard(suggestion, plan.guard_alive),
        target.features,
    )))
}

/// A std lock guard alive here would be held across a new `.await`, which makes the
/// future `!Send` (and `tokio::spawn` refuses it): such a rewrite is advice.
fn no_await_under_guard(mut suggestion: Suggestion, guard_alive: bool) -> Suggestion {
    if !suggestion.edits.is_empty() && guard_alive && suggestion.rendered.contains(".await") {
        suggestion.message = format!(
            "{} once the lock guard alive here is dropped (an `.await` while it lives makes \
             the future `!Send`)",
            suggestion.message
        );
        suggestion.edits.clear();
        suggestion.applicability = Applicability::MaybeIncorrect;
    }
    suggestion
}

/// A rewrite that needs a tokio feature the package does not enable is advice.
fn needs_features(mut suggestion: Suggestion, features: Features) -> Suggestion {
    if suggestion.edits.is_empty() {
        return suggestion;
    }
    if let Some(need) = features.missing(&suggestion.rendered) {
        suggestion.message = format!("{} ({} first)", suggestion.message, need.action());
        suggestion.edits.clear();
        suggestion.applicability = Applicability::MaybeIncorrect;
    }
    suggestion
}

/// A suggestion that replaces the whole call with `rendered`.
fn replace_call(message: &str, call: &Range<usize>, rendered: String) -> Suggestion {
    Suggestion {
        message: message.to_string(),
        edits: vec![Edit {
            range: call.clone(),
            replacement: rendered.clone(),
        }],
        rendered,
        applicability: Applicability::MaybeIncorrect,
    }
}

/// `Command::new(..).arg(..).output()` → `tokio::process::Command::new(..).arg(..).output().await`.
fn rebase(
    hit: Hit<'_>,
    site: CallSite<'_>,
    text: &str,
    runtime: Runtime,
    scopes: &Scopes<'_>,
) -> Option<Suggestion> {
    let rebase = hit.matcher.rebase.as_ref()?;
    let target = rebase.to.get(runtime.key()?)?;
    let CallSite::Method(mc) = site else {
        return None;
    };
    let mut root = &*mc.receiver;
    let root_call = loop {
        match root {
            Expr::MethodCall(inner) => root = &inner.receiver,
            Expr::Paren(inner) => root = &inner.expr,
            Expr::Call(call) => break call,
            _ => return None,
        }
    };
    let Expr::Path(func) = &*root_call.func else {
        return None;
    };
    if scopes.resolve_value(&func.path) != Resolution::External(rebase.from.clone()) {
        return None;
    }
    let func_range = func.span().byte_range();
    let call_range = site.range();
    let target = runtime.respell(target.clone());
    let rendered = format!(
        "{}{}{}.await",
        &text[call_range.start..func_range.start],
        target,
        &text[func_range.end..call_range.end]
    );
    Some(Suggestion {
        message: format!(
            "use `{}`, which has the same builder methods",
            target.trim_end_matches("::new")
        ),
        rendered,
        edits: vec![
            Edit {
                range: func_range,
                replacement: target,
            },
            Edit {
                range: call_range.end..call_range.end,
                replacement: ".await".into(),
            },
        ],
        applicability: Applicability::MaybeIncorrect,
    })
}

/// Fills `{args}`, `{0}`.., `{last}`, `{receiver}`, `{name}` and `{expr}` in a template
/// (`{{` and `}}` are literal braces).
/// `None` when the template needs an argument the call does not have.
fn fill(template: &str, path: &str, site: CallSite<'_>, text: &str) -> Option<String> {
    let args = site.args();
    let source = |expr: &Expr| &text[expr.span().byte_range()];
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open].replace("}}", "}"));
        if rest[open + 1..].starts_with('{') {
            // `{{` is a literal brace.
            out.push('{');
            rest = &rest[open + 2..];
            continue;
        }
        let close = open + rest[open..].find('}')?;
        let key = &rest[open + 1..close];
        let postfix = rest[close + 1..].starts_with('.');
        let expr = match key {
            "args" => {
                if let (Some(first), Some(last)) = (args.first(), args.last()) {
                    out.push_str(
                        &text[first.span().byte_range().start..last.span().byte_range().end],
                    );
                }
                None
            }
            "name" => {
                out.push_str(path.rsplit("::").next().unwrap_or(path));
                None
            }
            "expr" => {
                out.push_str(&text[site.range()]);
                None
            }
            "last" => Some(*args.last()?),
            "receiver" => Some(site.receiver()?),
            index => Some(*args.get(index.parse::<usize>().ok()?)?),
        };
        if let Some(expr) = expr {
            if postfix && !is_postfix_safe(expr) {
                out.push('(');
                out.push_str(source(expr));
                out.push(')');
            } else {
                out.push_str(source(expr));
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(&rest.replace("}}", "}"));
    Some(out)
}

/// Whether `expr.await` / `expr.method()` parses as intended without parentheses.
fn is_postfix_safe(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Path(_)
            | Expr::Call(_)
            | Expr::MethodCall(_)
            | Expr::Macro(_)
            | Expr::Paren(_)
            | Expr::Field(_)
            | Expr::Index(_)
            | Expr::Lit(_)
            | Expr::Await(_)
            | Expr::Try(_)
            | Expr::Block(_)
            | Expr::Async(_)
            | Expr::Tuple(_)
            | Expr::Array(_)
            | Expr::Struct(_)
    )
}
