//! The catalogue's call-matching lints (`thread_sleep`, `blocking_fs`, ...): a call,
//! method call, macro or `for` loop in executor code that a `lints/*.toml` matcher
//! names is reported with its suggestion. Outside executor code, a hit is a fact for
//! the enclosing sync fn's summary instead.
use crate::catalog::ty::Ty;
use crate::catalog::Hit;
use crate::diagnostic::Label;
use crate::semantic::model::SemanticModel;
use crate::semantic::resolve::Resolution;
use crate::syntax::expr::peel;

use super::startup;
use super::suggest::{self, CallSite};
use super::transitive::record;
use super::Output;

/// A call of the fn at canonical `path` (`std::fs::read(p)`).
pub fn call(model: &SemanticModel<'_, '_>, out: &mut Output, call: &syn::ExprCall, path: &str) {
    let arg0 = call.args.first();
    let hit = model.ctx.catalog.match_path(path).filter(|hit| {
        let wanted = &hit.matcher.first_arg_types;
        let typed = wanted.is_empty() || {
            let ty = arg0.and_then(|a| model.infer(a));
            ty.as_ref()
                .and_then(Ty::plain)
                .is_some_and(|t| wanted.iter().any(|w| w == t))
        };
        // `bind(addr)` looks up a host name only: silent unless the address may be one.
        let no_lookup = hit.matcher.only_with_lookup
            && arg0.is_some_and(|a| resolved_address(model, a) || !may_be_host_name(model, a));
        typed && !no_lookup
    });
    if let Some(hit) = hit {
        report(model, out, hit, CallSite::Call(call));
    }
}

/// Whether an address argument needs no DNS lookup: a `SocketAddr` by type, or an IP
/// address written as a literal (`"0.0.0.0:8080"`, `("127.0.0.1", 0)`).
fn resolved_address(model: &SemanticModel<'_, '_>, arg: &syn::Expr) -> bool {
    const RESOLVED: &[&str] = &[
        "std::net::SocketAddr",
        "std::net::SocketAddrV4",
        "std::net::SocketAddrV6",
        "std::net::IpAddr",
        "std::net::Ipv4Addr",
        "std::net::Ipv6Addr",
    ];
    let literal = |e: &syn::Expr| match peel(e) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    };
    match peel(arg) {
        syn::Expr::Reference(r) => resolved_address(model, &r.expr),
        syn::Expr::Tuple(t) if t.elems.len() == 2 => {
            let host = &t.elems[0];
            literal(host).is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok())
                || resolved_address(model, host)
        }
        other => match literal(other) {
            Some(text) => text.parse::<std::net::SocketAddr>().is_ok(),
            None => model
                .infer(other)
                .as_ref()
                .and_then(Ty::plain)
                .is_some_and(|t| RESOLVED.contains(&t)),
        },
    }
}

/// Whether an address argument may name a host that needs a lookup: a string literal
/// that is not an IP address, a host-and-port tuple whose host is one, or text (`&str`,
/// `String`, `format!`). An address of a type that cannot be told may well be a
/// `SocketAddr` built elsewhere (`(ip, port).into()`): not reported.
fn may_be_host_name(model: &SemanticModel<'_, '_>, arg: &syn::Expr) -> bool {
    const TEXT: &[&str] = &["std::primitive::str", "std::string::String"];
    match peel(arg) {
        syn::Expr::Reference(r) => may_be_host_name(model, &r.expr),
        syn::Expr::Lit(_) => true,
        syn::Expr::Tuple(t) if t.elems.len() == 2 => may_be_host_name(model, &t.elems[0]),
        syn::Expr::Macro(m) => m.mac.path.is_ident("format"),
        other => model
            .infer(other)
            .as_ref()
            .and_then(Ty::plain)
            .is_some_and(|t| TEXT.contains(&t)),
    }
}

/// A method call on a receiver of canonical type `receiver`, when it is known.
pub fn method_call(
    model: &SemanticModel<'_, '_>,
    out: &mut Output,
    mc: &syn::ExprMethodCall,
    receiver: Option<&str>,
) {
    let method = mc.method.to_string();
    let catalog = model.ctx.catalog;
    let hit = receiver
        .and_then(|ty| catalog.match_method(ty, &method))
        .or_else(|| trait_method_hit(model, &method, receiver))
        .or_else(|| catalog.match_method_any(&method))
        .filter(|hit| !(hit.matcher.only_with_lookup && resolved_address(model, &mc.receiver)));
    if let Some(hit) = hit {
        report(model, out, hit, CallSite::Method(mc));
    }
}

/// `for x in <iterated> {}` over a value whose every item blocks (`fs::read_dir`'s).
pub fn iterated(model: &SemanticModel<'_, '_>, out: &mut Output, iterated: &syn::Expr) {
    let ty = model.infer(iterated);
    // `for e in fs::read_dir(d)? {}`: the call is already reported, once is enough.
    let expr_range = CallSite::Iterate(iterated).range();
    let reported_inside = out.diagnostics.iter().any(|d| {
        d.primary
            .as_ref()
            .is_some_and(|r| expr_range.start <= r.start && r.end <= expr_range.end)
    });
    let hit = ty
        .as_ref()
        .and_then(Ty::plain)
        .and_then(|t| model.ctx.catalog.match_iterate(t));
    if let Some(hit) = hit.filter(|_| !reported_inside) {
        report(model, out, hit, CallSite::Iterate(iterated));
    }
}

/// A standard-library macro the catalogue knows (`println!`).
pub fn macro_call(model: &SemanticModel<'_, '_>, out: &mut Output, mac: &syn::Macro) {
    let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
        return;
    };
    let Some(hit) = model.ctx.catalog.match_macro(&name) else {
        return;
    };
    let from_std = match model.scopes.resolve(&mac.path) {
        Resolution::External(path) => path == format!("std::{name}"),
        // Unimported single names are the prelude's.
        Resolution::Unknown => mac.path.segments.len() == 1,
        Resolution::Local => false,
    };
    if from_std {
        report(model, out, hit, CallSite::Macro(mac));
    }
}

/// A trait method counts only when exactly one catalogue trait with it is in scope,
/// and the receiver could implement it: its type is unknown, or it comes from the
/// trait's crate and the catalogue does not know the method as a builder step
/// (`HashMap::get` is not `redis::Commands::get`).
fn trait_method_hit<'c>(
    model: &SemanticModel<'_, 'c>,
    method: &str,
    receiver: Option<&str>,
) -> Option<Hit<'c>> {
    let catalog = model.ctx.catalog;
    let could_implement = |trait_path: &str| match receiver {
        None => true,
        Some(ty) => {
            let krate = |p: &str| p.split("::").next().unwrap_or_default().to_string();
            krate(ty) == krate(trait_path)
                && catalog.return_type(&format!("{ty}::{method}")).is_none()
        }
    };
    let mut in_scope = catalog.trait_methods(method).filter(|(trait_path, _)| {
        could_implement(trait_path) && model.scopes.trait_in_scope(trait_path)
    });
    let first = in_scope.next()?;
    in_scope.next().is_none().then_some(first.1)
}

/// Reports a hit in executor code, with its suggestion; elsewhere, notes it in the
/// enclosing sync fn's summary.
/// The lint of file-system calls, the only blocking that an exit tail excuses.
pub const FS_LINT: &str = "blocking_fs";

fn report(model: &SemanticModel<'_, '_>, out: &mut Output, hit: Hit<'_>, site: CallSite<'_>) {
    // File-system work on the way out of the process is short and runs once; a
    // sleep, a read of stdin or a wait on the network there still stalls every task.
    if hit.lint.id == FS_LINT && model.in_exit_tail(site.primary_range().start) {
        return;
    }
    let Some(executor) = &model.executor else {
        return record::blocking(model, out, hit, site);
    };
    if hit.matcher.ignore {
        return;
    }
    let lint = hit.lint;
    let template = (hit.matcher.message.as_deref())
        .or(lint.message.as_deref())
        .unwrap_or("`{callee}` blocks the executor thread");
    let message = template.replace("{callee}", hit.path);
    let moves = startup::applies_to(&lint.group);
    let in_startup = (executor.startup || executor.sole_task) && moves;
    if let (Some(index), true, false) = (executor.prefix_of, moves, in_startup) {
        // In an async fn before its first `.await`: startup code if the fn turns out to
        // be entered from startup code only.
        let range = site.primary_range();
        out.summary.fns[index].prefix_findings.push(range);
    }
    if let (Some(index), true, false) = (executor.sole_body_of, moves, in_startup) {
        // Before the fn's first spawn: no other task yet if the fn is only awaited so.
        let range = site.primary_range();
        out.summary.fns[index].sole_body_findings.push(range);
    }
    let main_thread = executor.main_thread && moves;
    if let (Some(index), true, false, false) = (executor.body_of, moves, in_startup, main_thread) {
        // In an async fn's own body: main-thread code if the fn turns out to be awaited
        // from main-thread code only.
        out.summary.fns[index]
            .body_findings
            .push(site.primary_range());
    }
    let lint_level = (lint.id.as_str(), lint.level);
    let mut diagnostic = startup::diagnostic(
        model.ctx.catalog,
        lint_level,
        in_startup,
        main_thread,
        message,
    );
    diagnostic.primary = Some(site.primary_range());
    diagnostic.primary_label = lint.label.clone();
    diagnostic.labels.push(Label {
        range: executor.async_span.clone(),
        message: executor.what.to_string(),
    });
    if let Some(closure) = &executor.inline_closure {
        diagnostic.labels.push(Label {
            range: closure.clone(),
            message: "this closure runs inline on the executor".to_string(),
        });
    }
    let in_closure = executor.inline_closure.is_some();
    suggest::attach(&mut diagnostic, hit, site, model, in_closure);
    out.diagnostics.push(diagnostic);
}
