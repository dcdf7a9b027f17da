//! Rewrite suggestions: the catalogue's templates filled with the user's own code.
use std::ops::Range;

use syn::spanned::Spanned;
use syn::Expr;

use crate::catalog::runtime::Runtime;
use crate::catalog::Hit;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Suggestion};
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
            CallSite::Call(c) => c.span().byte_range(),
            CallSite::Method(m) => m.span().byte_range(),
            CallSite::Iterate(e) => e.span().byte_range(),
            CallSite::Macro(m) => m.span().byte_range(),
        }
    }

    /// What the caret points at: the whole call, or a method from its name on.
    pub fn primary_range(&self) -> Range<usize> {
        match self {
            CallSite::Call(c) => c.span().byte_range(),
            CallSite::Method(m) => m.method.span().byte_range().start..m.span().byte_range().end,
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
/// `spawn_blocking` rewrite, in that order of preference.
pub fn attach(
    diagnostic: &mut Diagnostic,
    hit: Hit<'_>,
    site: CallSite<'_>,
    text: &str,
    runtime: Runtime,
    in_closure: bool,
    scopes: &Scopes<'_>,
) {
    if let Some(note) = &hit.matcher.note {
        diagnostic.notes.push(note.clone());
    }
    let call_range = site.range();
    let mut suggestion = hit.matcher.template(runtime).and_then(|template| {
        let rendered = runtime.respell(fill(template, hit.path, site, text)?);
        let message = hit
            .matcher
            .help
            .as_deref()
            .unwrap_or("use the async equivalent");
        let mut suggestion = replace_call(message, &call_range, rendered);
        if hit.matcher.machine_applicable {
            suggestion.applicability = Applicability::MachineApplicable;
        }
        Some(suggestion)
    });
    if suggestion.is_none() {
        suggestion = rebase(hit, site, text, runtime, scopes);
    }
    let call = &text[call_range.clone()];
    if suggestion.is_none() && hit.matcher.offload {
        suggestion = runtime.offload(call).map(|rendered| {
            replace_call("run it on the blocking thread pool", &call_range, rendered)
        });
    }
    let in_place_fits = matches!(site, CallSite::Call(_) | CallSite::Method(_));
    if suggestion.is_none() && !hit.matcher.offload && hit.matcher.in_place && in_place_fits {
        let message =
            "if it must stay here, tell tokio this worker will block (multi-thread runtime only)";
        suggestion = runtime
            .in_place(call)
            .map(|rendered| replace_call(message, &call_range, rendered));
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
        Some(suggestion) => diagnostic.suggestion = Some(suggestion),
        None if hit.matcher.offload => diagnostic.helps.push(
            "move the call off the executor: use the runtime's async equivalent, or run it \
             inside the runtime's `spawn_blocking`"
                .into(),
        ),
        None => {}
    }
}

/// `spawn_blocking` around the call `text` at `range`, in `runtime`'s spelling.
pub fn offload_call(range: Range<usize>, text: &str, runtime: Runtime) -> Option<Suggestion> {
    let rendered = runtime.offload(text)?;
    Some(replace_call(
        "run the call on the blocking thread pool",
        &range,
        rendered,
    ))
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

/// Fills `{args}`, `{0}`.., `{last}`, `{receiver}`, `{name}` and `{expr}` in a template.
/// `None` when the template needs an argument the call does not have.
fn fill(template: &str, path: &str, site: CallSite<'_>, text: &str) -> Option<String> {
    let args = site.args();
    let source = |expr: &Expr| &text[expr.span().byte_range()];
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
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
    out.push_str(rest);
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
