//! The facts one file gives the crate-wide pass, recorded as the checker walks it:
//! each fn with a path, the blocking calls and the crate calls in its body, and the
//! calls executor code makes to the crate's own fns.
use syn::Expr;

use super::summary::{
    self, BlockingCall, CallRef, Callee, ExecutorCall, FnSummary, MemberMethod, ReturnedCallee,
};
use crate::catalog::ty::{DISPATCH_PREFIX, LOCAL_TYPE_PREFIX, RETURNED_PREFIX};
use crate::catalog::Hit;
use crate::rules::owned;
use crate::rules::suggest::CallSite;
use crate::rules::Output;
use crate::semantic::local_path::{Anchor, LocalPath};
use crate::semantic::model::SemanticModel;
use crate::semantic::resolve::Resolution;
use crate::syntax::expr::peel;

/// What kind of fn the checker entered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    Free,
    Method,
    TraitDefault,
}

/// A fn the checker enters: its summary entry, when the rest of the crate can name it
/// (a module-level fn, or a method of a known type), and the name a chain shows.
pub fn fn_entered(
    model: &SemanticModel<'_, '_>,
    out: &mut Output,
    attrs: &[syn::Attribute],
    sig: &syn::Signature,
    kind: FnKind,
) -> (Option<usize>, String) {
    let name = sig.ident.to_string();
    let (path, display) = match kind {
        FnKind::Free if model.scopes.at_module_level() => {
            let mut segments = model.scopes.current_module().to_vec();
            segments.push(name.clone());
            let path = LocalPath {
                anchor: Anchor::File { up: 0 },
                segments,
            };
            (Some(path), name.clone())
        }
        FnKind::Method | FnKind::TraitDefault => {
            let path = (model.self_path.as_ref()).map(|p| p.joined(std::slice::from_ref(&name)));
            let display = match &model.self_path {
                Some(p) => format!("{}::{name}", p.segments.last().map_or("Self", |s| s)),
                None => name.clone(),
            };
            (path, display)
        }
        _ => (None, name.clone()),
    };
    let fn_index = path.map(|path| {
        out.summary.fns.push(FnSummary {
            path,
            display: display.clone(),
            self_type: (kind != FnKind::Free)
                .then(|| model.self_path.as_ref()?.segments.last().cloned())
                .flatten(),
            trait_impl: kind == FnKind::Method && model.in_trait_impl,
            impl_of: (kind == FnKind::Method)
                .then(|| model.impl_trait.clone().map(Box::new))
                .flatten(),
            trait_default: kind == FnKind::TraitDefault,
            makes_current_thread_runtime: false,
            line: model.line_of(sig.ident.span().byte_range().start),
            is_async: sig.asyncness.is_some(),
            takes_self: sig.receiver().is_some(),
            returns_unsendable: summary::unsendable(&sig.output),
            returns: (kind == FnKind::Method)
                .then(|| returned_crate_type(model, &sig.output))
                .flatten(),
            declared: summary::declared(attrs),
            inline_params: 0,
            blocks: Vec::new(),
            calls: Vec::new(),
            prefix_findings: Vec::new(),
            body_findings: Vec::new(),
            sole_body_findings: Vec::new(),
        });
        out.summary.fns.len() - 1
    });
    (fn_index, display)
}

/// The crate type a method's declared return type names, by name: its own type
/// (`Self`, `io::Result<Self>`, `Arc<Store>`) or another the file's names resolve to a
/// type of the crate (`Result<Arc<Scans>>`, `&Cache`); not an associated type
/// (`Self::Output`) nor a generic parameter.
fn returned_crate_type(model: &SemanticModel<'_, '_>, output: &syn::ReturnType) -> Option<String> {
    let own = model.self_path.as_ref().and_then(|p| p.segments.last());
    if summary::names_own_type(output, own.map(String::as_str)) {
        return own.cloned();
    }
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    if summary::names_associated_type(ty) {
        return None;
    }
    let ty = model.scopes.resolve_type(ty)?;
    let ty = ty.unwrapped().unwrap_or(ty);
    let local = ty.plain()?.strip_prefix(LOCAL_TYPE_PREFIX)?;
    Some(local.to_string())
}

/// A blocking call outside executor code: part of the current sync fn's summary,
/// when its lint is one that makes a caller block too.
pub fn blocking(model: &SemanticModel<'_, '_>, out: &mut Output, hit: Hit<'_>, site: CallSite<'_>) {
    let Some(index) = model.current_fn else {
        return;
    };
    let lint = hit.lint;
    if hit.matcher.ignore || !lint.propagates() {
        return;
    }
    let call = BlockingCall {
        lint: lint.id.clone(),
        callee: hit.path.to_string(),
        line: model.line_of(site.primary_range().start),
        async_equivalent: hit.matcher.template(model.ctx.runtime).is_some()
            || hit.matcher.rebase.is_some(),
        guard: model.conditions.guard(),
    };
    out.summary.fns[index].blocks.push(call);
}

/// Notes a call to a fn of the crate: an edge of the current sync fn, or, on the
/// executor, a finding to make if the callee blocks.
pub fn call(
    model: &SemanticModel<'_, '_>,
    out: &mut Output,
    callee: Callee,
    site: CallSite<'_>,
    awaited: bool,
) {
    let exit_tail = model.in_exit_tail(site.primary_range().start);
    if let Some(index) = model.current_fn {
        let line = model.line_of(site.primary_range().start);
        let call = CallRef {
            callee,
            line,
            exit_tail,
            constants: constants(model, &site, true),
        };
        out.summary.fns[index].calls.push(call);
        return;
    }
    let Some(executor) = &model.executor else {
        return;
    };
    let offload = (!awaited && executor.inline_closure.is_none()).then(|| owned::plan(model, site));
    let context = match &out.last_context {
        Some(last) if **last == *executor => last.clone(),
        _ => {
            let context = std::sync::Arc::new(executor.clone());
            out.last_context = Some(context.clone());
            context
        }
    };
    let call = ExecutorCall {
        callee,
        caller: (model.enclosing_fn.clone()).unwrap_or_else(|| "this code".into()),
        call: site.range(),
        primary: site.primary_range(),
        context,
        awaited,
        offload,
        exit_tail,
        local_set: false,
        hook: false,
        constants: constants(model, &site, executor.body_of.is_some()),
    };
    out.summary.executor_calls.push(call);
}

/// The constants side of a call: the conditions it is made under (`guarded`: in a fn's
/// own body) and the constants and parameters it passes; `None` when it has neither.
fn constants(
    model: &SemanticModel<'_, '_>,
    site: &CallSite<'_>,
    guarded: bool,
) -> Option<Box<summary::CallConstants>> {
    let (args, path_call): (Vec<&Expr>, bool) = match site {
        CallSite::Call(c) => (c.args.iter().collect(), true),
        CallSite::Method(m) => (m.args.iter().collect(), false),
        CallSite::Iterate(_) | CallSite::Macro(_) => (Vec::new(), false),
    };
    let args: Vec<summary::Arg> = (args.into_iter())
        .map(|arg| model.conditions.arg(&model.scopes, arg))
        .collect();
    let passes = args.iter().any(|a| *a != summary::Arg::Other);
    let guard = if guarded {
        model.conditions.guard()
    } else {
        Vec::new()
    };
    (passes || !guard.is_empty()).then(|| {
        Box::new(summary::CallConstants {
            guard,
            args: if passes { args } else { Vec::new() },
            path_call,
        })
    })
}

/// A method call that names none of the crate's fns as far as the file can tell (its
/// receiver's type is unknown, a trait object, a generic or another crate's, or `self`
/// in a trait's default method): it may reach any trait method of the name (see
/// `Callee::AnyMethod`). Awaited on the executor, it is a caller with its context;
/// anywhere else it may build the future for someone else to run.
pub fn any_method_call(
    model: &SemanticModel<'_, '_>,
    out: &mut Output,
    mc: &syn::ExprMethodCall,
    awaited: bool,
) {
    let name = mc.method.to_string();
    if awaited && model.executor.is_some() && model.current_fn.is_none() {
        call(
            model,
            out,
            Callee::AnyMethod(name),
            CallSite::Method(mc),
            awaited,
        );
    } else {
        out.summary.unseen_method_names.push(name);
    }
}

/// Whom a call path names among the crate's own fns, when that can be told.
pub fn local_callee(model: &SemanticModel<'_, '_>, path: &syn::Path) -> Option<Callee> {
    let first = path.segments.first()?.ident.to_string();
    if first == "Self" {
        let rest: Vec<String> = path
            .segments
            .iter()
            .skip(1)
            .map(|s| s.ident.to_string())
            .collect();
        return Some(Callee::Path(model.self_path.as_ref()?.joined(&rest)));
    }
    model.scopes.resolve_local(path).map(Callee::Path)
}

/// The fn of this crate or of a workspace member that a call goes to, when that can be
/// told: a path call by what it resolves to, a method on `self` or on a receiver whose
/// type is one of the crate's (`receiver`). Calls count in a sync fn's body (edges)
/// and in executor code (call sites) only.
pub fn crate_callee(
    model: &SemanticModel<'_, '_>,
    site: CallSite<'_>,
    resolution: Option<&Resolution>,
    receiver: Option<&str>,
) -> Option<Callee> {
    if model.current_fn.is_none() && model.executor.is_none() {
        return None;
    }
    match site {
        CallSite::Call(call) => path_callee(model, call, resolution?),
        CallSite::Method(mc) => method_callee(model, mc, receiver),
        CallSite::Iterate(_) | CallSite::Macro(_) => None,
    }
}

fn path_callee(
    model: &SemanticModel<'_, '_>,
    call: &syn::ExprCall,
    resolution: &Resolution,
) -> Option<Callee> {
    let Expr::Path(p) = &*call.func else {
        return None;
    };
    match resolution {
        // `super::f` from a file's top is beyond what `resolve` sees, not unknown.
        Resolution::Local | Resolution::Unknown => local_callee(model, &p.path),
        Resolution::External(path) => {
            let krate = path.split("::").next()?;
            (model.ctx.member_crates)
                .contains(krate)
                .then(|| Callee::Member(path.split("::").map(String::from).collect()))
        }
    }
}

fn method_callee(
    model: &SemanticModel<'_, '_>,
    mc: &syn::ExprMethodCall,
    receiver: Option<&str>,
) -> Option<Callee> {
    let method = mc.method.to_string();
    if let Expr::Path(p) = peel(&mc.receiver) {
        if p.path.is_ident("self") {
            if let Some(path) = &model.self_path {
                return Some(Callee::Path(path.joined(&[method])));
            }
        }
    }
    // A crate's alias of a guard or a pointer (`type Locked<'a> = MutexGuard<'a, State>`)
    // calls the methods of what it stands for.
    let receiver = receiver?;
    let aliased = (receiver.starts_with(LOCAL_TYPE_PREFIX))
        .then(|| model.known_alias_target(receiver))
        .flatten();
    let receiver = match &aliased {
        Some(target) => target.plain()?,
        None => receiver,
    };
    if let Some(returned) = receiver.strip_prefix(RETURNED_PREFIX) {
        // What the crate fn returned may still be an `Option` or a `Result`.
        if crate::semantic::method_names::wrapper_method(&method) {
            return None;
        }
        let (krate, returned) = match returned.strip_prefix('@') {
            Some(rest) => {
                let (krate, rest) = rest.split_once("::")?;
                (Some(krate.to_string()), rest)
            }
            None => (None, returned),
        };
        let (ty, via) = returned.rsplit_once("::")?;
        return Some(Callee::Returned(Box::new(ReturnedCallee {
            krate,
            ty: ty.to_string(),
            via: via.to_string(),
            name: method,
        })));
    }
    if let Some(tr) = receiver.strip_prefix(DISPATCH_PREFIX) {
        return Some(Callee::Dispatch {
            tr: tr.to_string(),
            name: method,
        });
    }
    if let Some(ty) = receiver.strip_prefix(LOCAL_TYPE_PREFIX) {
        return Some(Callee::Method {
            ty: ty.to_string(),
            name: method,
        });
    }
    let (krate, ty) = model.member_type(receiver)?;
    Some(Callee::MemberMethod(Box::new(MemberMethod {
        krate: krate.to_string(),
        ty: ty.to_string(),
        name: method,
    })))
}

/// A module-level `pub use` (or `pub(crate) use`): the names it makes visible in the
/// module, so that a path through the module reaches the item it names.
pub fn reexports(model: &SemanticModel<'_, '_>, out: &mut Output, item: &syn::ItemUse) {
    if matches!(item.vis, syn::Visibility::Inherited) || !model.scopes.at_module_level() {
        return;
    }
    let module = LocalPath {
        anchor: Anchor::File { up: 0 },
        segments: model.scopes.current_module().to_vec(),
    };
    let mut found = Vec::new();
    use_tree_leaves(&item.tree, &mut Vec::new(), &mut found);
    for (segments, name) in found {
        let Some(target) = model.scopes.local_segments(&segments) else {
            continue;
        };
        out.summary.reexports.push(summary::Reexport {
            module: module.clone(),
            name,
            target,
        });
    }
}

/// The paths a use tree names, each with the name it binds (`None` for a glob).
fn use_tree_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident != "self" => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            out.push((path, Some(n.ident.to_string())));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) if !prefix.is_empty() => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_tree_leaves(t, prefix, out)),
        _ => {}
    }
}
