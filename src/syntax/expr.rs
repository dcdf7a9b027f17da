//! Small shape helpers on syn expressions, patterns and types, shared by every layer
//! above.
use std::ops::Range;

use syn::spanned::Spanned;
use syn::{Expr, Pat};

/// The expression inside any parentheses or invisible groups.
pub fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(e) => peel(&e.expr),
        Expr::Group(e) => peel(&e.expr),
        _ => expr,
    }
}

/// A `match` arm's pattern without its guard, and the guard (`Some(x) if x > 0`).
pub fn arm_pattern(arm: &syn::Arm) -> (&Pat, Option<&Expr>) {
    match &arm.pat {
        Pat::Guard(guarded) => (&guarded.pat, Some(&guarded.guard)),
        pat => (pat, None),
    }
}

/// The name a pattern binds when it is a plain identifier (`x`, `x: T`).
pub fn pattern_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) => Some(p.ident.to_string()),
        Pat::Type(p) => pattern_ident(&p.pat),
        _ => None,
    }
}

/// Where an expression starts, from its leftmost token. syn's `span()` prints the
/// whole expression into tokens to find its ends, which on a long method chain, asked
/// at every link, costs the square of the chain; the leftmost token costs its depth.
pub fn start_of(expr: &Expr) -> usize {
    match expr {
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => {
            match (&p.path.leading_colon, p.path.segments.first()) {
                (Some(colon), _) => colon.spans[0].byte_range().start,
                (None, Some(first)) => first.ident.span().byte_range().start,
                (None, None) => expr.span().byte_range().start,
            }
        }
        Expr::MethodCall(m) if m.attrs.is_empty() => start_of(&m.receiver),
        Expr::Call(c) if c.attrs.is_empty() => start_of(&c.func),
        Expr::Field(f) if f.attrs.is_empty() => start_of(&f.base),
        Expr::Try(t) if t.attrs.is_empty() => start_of(&t.expr),
        Expr::Await(a) if a.attrs.is_empty() => start_of(&a.base),
        Expr::Index(i) if i.attrs.is_empty() => start_of(&i.expr),
        Expr::Paren(p) if p.attrs.is_empty() => p.paren_token.span.open().byte_range().start,
        _ => expr.span().byte_range().start,
    }
}

/// The byte range of a block, from brace to brace.
pub fn block_range(block: &syn::Block) -> Range<usize> {
    let braces = &block.brace_token.span;
    braces.open().byte_range().start..braces.close().byte_range().end
}

/// The byte range of a call, from its leftmost token to its closing parenthesis.
pub fn call_range(call: &syn::ExprCall) -> Range<usize> {
    let start = match call.attrs.is_empty() {
        true => start_of(&call.func),
        false => call.span().byte_range().start,
    };
    start..call.paren_token.span.close().byte_range().end
}

/// The byte range of a method call, from its receiver's leftmost token to its closing
/// parenthesis.
pub fn method_call_range(call: &syn::ExprMethodCall) -> Range<usize> {
    let start = match call.attrs.is_empty() {
        true => start_of(&call.receiver),
        false => call.span().byte_range().start,
    };
    start..call.paren_token.span.close().byte_range().end
}

/// The type arguments of `<..>`, in order, lifetimes and constants skipped.
pub fn type_args(
    args: &syn::AngleBracketedGenericArguments,
) -> impl Iterator<Item = &syn::Type> + '_ {
    args.args.iter().filter_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// The first type argument of `<..>` (`Result<Self, Error>`: `Self`), lifetimes skipped.
pub fn first_type_arg(args: &syn::AngleBracketedGenericArguments) -> Option<&syn::Type> {
    type_args(args).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_from_the_ends_match_syn_spans() {
        let text = "fn f() { ::std::fs::read(p).unwrap().len(); \
                    a.b[0].c()?.d((x)).await.e::<T>(1, 2); (g)(h); <T as U>::v(); }";
        let file = syn::parse_file(text).unwrap();
        struct Check;
        impl<'ast> syn::visit::Visit<'ast> for Check {
            fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
                assert_eq!(call_range(c), c.span().byte_range());
                syn::visit::visit_expr_call(self, c);
            }
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                assert_eq!(method_call_range(m), m.span().byte_range());
                syn::visit::visit_expr_method_call(self, m);
            }
        }
        syn::visit::Visit::visit_file(&mut Check, &file);
        let syn::Item::Fn(f) = &file.items[0] else {
            panic!("a fn");
        };
        assert_eq!(block_range(&f.block), f.block.span().byte_range());
    }
}
