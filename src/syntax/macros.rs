//! Parsers for macro bodies that are Rust code in a shape of their own (`select!`,
//! `matches!`).
use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{ParseStream, Result};
use syn::{Expr, Pat, Token};

/// One arm of `tokio::select!` / `futures::select!`: `pat = future, if guard => handler`,
/// or `else => handler` / `default => handler` / `complete => handler` (no future).
pub struct SelectArm {
    pub pat: Option<Pat>,
    pub future: Option<Expr>,
    pub guard: Option<Expr>,
    pub handler: Expr,
}

/// Parses a whole `select!` body, including a leading `biased;`.
pub fn parse_select(input: ParseStream<'_>) -> Result<Vec<SelectArm>> {
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        let word: syn::Ident = input.parse()?;
        if word != "biased" {
            return Err(syn::Error::new(word.span(), "expected `biased;`"));
        }
        input.parse::<Token![;]>()?;
    }
    let mut arms = Vec::new();
    while !input.is_empty() {
        let fallback =
            input.peek(Token![else]) || (input.peek(syn::Ident) && input.peek2(Token![=>]));
        let (pat, future) = if fallback {
            if input.peek(Token![else]) {
                input.parse::<Token![else]>()?;
            } else {
                input.parse::<syn::Ident>()?;
            }
            (None, None)
        } else {
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future = Expr::parse_without_eager_brace(input)?;
            (Some(pat), Some(future))
        };
        let guard = if input.peek(Token![,]) && input.peek2(Token![if]) {
            input.parse::<Token![,]>()?;
            input.parse::<Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        input.parse::<Token![=>]>()?;
        let handler: Expr = input.parse()?;
        if !input.is_empty() {
            // A block handler needs no comma.
            let _ = input.parse::<Option<Token![,]>>()?;
        }
        arms.push(SelectArm {
            pat,
            future,
            guard,
            handler,
        });
    }
    Ok(arms)
}

/// `matches!(scrutinee, pattern if guard)`: the expressions in it.
pub fn parse_matches(input: ParseStream<'_>) -> Result<Vec<Expr>> {
    let scrutinee: Expr = input.parse()?;
    input.parse::<Token![,]>()?;
    Pat::parse_multi_with_leading_vert(input)?;
    let mut exprs = vec![scrutinee];
    if input.peek(Token![if]) {
        input.parse::<Token![if]>()?;
        exprs.push(input.parse()?);
    }
    let _ = input.parse::<Option<Token![,]>>()?;
    Ok(exprs)
}

/// Whether the tokens hold the `async` keyword anywhere (a cheap walk, no parse).
pub fn mentions_async(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == "async",
        TokenTree::Group(group) => mentions_async(&group.stream()),
        _ => false,
    })
}

/// `select!`, `join!` and `try_join!` poll the futures written in them: they await.
pub fn polls_futures(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| matches!(s.ident.to_string().as_str(), "select" | "join" | "try_join"))
}
