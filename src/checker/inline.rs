//! Closures and the crate's own fns: which closure parameters a sync fn calls itself,
//! and the findings in a closure that executor code hands to a crate fn, kept aside
//! until the crate-wide pass tells whether that fn calls it.
use syn::visit::Visit;
use syn::Expr;

use super::visitor::Checker;
use crate::rules::transitive::summary::{Callee, InlineClosure};
use crate::semantic::offload;

/// The inputs of a fn (`self` counts) whose type is a closure: a type parameter or an
/// `impl` bounded by `Fn`, `FnMut` or `FnOnce`, or a `dyn` one behind a reference or
/// a `Box`.
pub(super) fn closure_params(sig: &syn::Signature) -> Vec<(String, usize)> {
    let bounded_params: Vec<String> = (sig.generics.type_params())
        .filter(|p| p.bounds.iter().any(is_fn_bound))
        .map(|p| p.ident.to_string())
        .chain(where_bounded(&sig.generics))
        .collect();
    let is_closure = |ty: &syn::Type| match ty {
        syn::Type::Path(tp) => tp
            .path
            .get_ident()
            .is_some_and(|i| bounded_params.iter().any(|p| i == p)),
        _ => is_closure_type(ty),
    };
    (sig.inputs.iter().enumerate())
        .filter_map(|(index, input)| match input {
            syn::FnArg::Typed(arg) if is_closure(&arg.ty) => match &*arg.pat {
                syn::Pat::Ident(p) => Some((p.ident.to_string(), index)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn is_fn_bound(bound: &syn::TypeParamBound) -> bool {
    matches!(bound, syn::TypeParamBound::Trait(t)
        if t.path.segments.last().is_some_and(|s| matches!(
            s.ident.to_string().as_str(), "Fn" | "FnMut" | "FnOnce")))
}

/// `where F: FnOnce() -> T`: the type parameters bounded so.
fn where_bounded(generics: &syn::Generics) -> impl Iterator<Item = String> + '_ {
    let predicates = generics.where_clause.iter().flat_map(|w| &w.predicates);
    predicates.filter_map(|predicate| match predicate {
        syn::WherePredicate::Type(pt) if pt.bounds.iter().any(is_fn_bound) => {
            match &pt.bounded_ty {
                syn::Type::Path(tp) => Some(tp.path.get_ident()?.to_string()),
                _ => None,
            }
        }
        _ => None,
    })
}

/// `impl FnOnce()`, `&dyn Fn(u8)`, `&mut dyn FnMut()`, `Box<dyn Fn()>`.
fn is_closure_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::ImplTrait(it) => it.bounds.iter().any(is_fn_bound),
        syn::Type::TraitObject(to) => to.bounds.iter().any(is_fn_bound),
        syn::Type::Reference(r) => is_closure_type(&r.elem),
        syn::Type::Paren(p) => is_closure_type(&p.elem),
        syn::Type::Path(tp) => {
            let Some(last) = tp.path.segments.last() else {
                return false;
            };
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return false;
            };
            last.ident == "Box"
                && args.args.iter().any(
                    |a| matches!(a, syn::GenericArgument::Type(inner) if is_closure_type(inner)),
                )
        }
        _ => false,
    }
}

impl Checker<'_, '_> {
    /// `f(..)` in a sync fn's own code (not in a closure that may run elsewhere), where
    /// `f` is one of its closure parameters.
    pub(super) fn note_closure_param_call(&mut self, call: &syn::ExprCall) {
        let (Some(index), Expr::Path(p)) = (self.model.current_fn, &*call.func) else {
            return;
        };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let params = &self.model.closure_params;
        if let Some(&(_, input)) = params.iter().find(|(name, _)| ident == name) {
            self.out.summary.fns[index].note_calls_inline(input);
        }
    }

    /// The arguments of a call from executor code to the crate's fn `callee` (`first`:
    /// the input the first argument is, 1 for a method call's). A sync closure among them
    /// is visited as the caller's own code, but its findings stand only if the
    /// crate-wide pass finds that the fn calls it; the others are visited as usual.
    pub(super) fn visit_crate_fn_args<'x>(
        &mut self,
        callee: &Callee,
        first: usize,
        args: impl Iterator<Item = &'x Expr>,
    ) {
        for (i, arg) in args.enumerate() {
            if !offload::is_sync_closure_arg(arg) {
                self.visit_expr(arg);
                continue;
            }
            let (before, calls_before) = (
                self.out.diagnostics.len(),
                self.out.summary.executor_calls.len(),
            );
            self.visit_expr(arg);
            // Its calls of crate fns would make findings that no pass confirms. Where
            // it runs is not known: a trait method it awaits is entered elsewhere.
            let dropped = self.out.summary.executor_calls.split_off(calls_before);
            let names = dropped.into_iter().filter_map(|call| match call.callee {
                Callee::AnyMethod(name) | Callee::Dispatch { name, .. } => Some(name),
                Callee::Returned(returned) => Some(returned.name),
                _ => None,
            });
            self.out.summary.unseen_method_names.extend(names);
            // A finding the pass cannot name by its range cannot wait for it: dropped.
            let mut made = self.out.diagnostics.split_off(before);
            made.retain(|d| d.primary.is_some());
            let findings: Vec<_> = made.iter().filter_map(|d| d.primary.clone()).collect();
            self.out.diagnostics.extend(made);
            if !findings.is_empty() {
                self.out.summary.inline_closures.push(InlineClosure {
                    callee: callee.clone(),
                    input: first + i,
                    findings,
                });
            }
        }
    }
}
