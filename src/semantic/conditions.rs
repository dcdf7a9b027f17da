//! The conditions on a fn's parameters that the code at hand runs under (`if status ==
//! &StatusCode::NOT_FOUND { .. }`, a `match status` arm of constant patterns), and what
//! a call passes: a caller that passes another constant does not reach that code.
use syn::{Expr, Pat};

use super::resolve::Scopes;

/// A condition code runs under: the fn's parameter `param` (counted after any `self`)
/// is one of the constants `any_of` (`if status == &StatusCode::NOT_FOUND`, a `match
/// status { &StatusCode::A | &StatusCode::B => .. }` arm). Constants are named by their
/// last two segments (`StatusCode::NOT_FOUND`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParamIs {
    pub param: u8,
    pub any_of: Vec<String>,
}

/// What a call passes, as far as constants go.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Arg {
    Other,
    /// The caller's own parameter, passed on.
    Param(u8),
    /// A constant path (`&StatusCode::METHOD_NOT_ALLOWED`), by its last two segments.
    Const(String),
}

/// Kept by the model while the checker walks a fn.
#[derive(Debug, Default)]
pub struct Conditions {
    /// The fn's parameter names after `self` (`None` for a pattern that binds others).
    params: Vec<Option<String>>,
    /// The frame its parameters are bound in: a name found in another is not one.
    param_frame: usize,
    stack: Vec<ParamIs>,
    /// The parameter the innermost `match` is on, for its arms.
    scrutinee: Option<u8>,
}

/// What `Conditions::enter_fn` replaced, for `leave_fn`.
pub struct Saved(Conditions);

impl Conditions {
    /// Enters a fn whose parameters were just bound in the innermost frame.
    pub fn enter_fn(&mut self, sig: &syn::Signature, scopes: &Scopes<'_>) -> Saved {
        let params = (sig.inputs.iter())
            .filter_map(|input| match input {
                syn::FnArg::Typed(arg) => Some(match &*arg.pat {
                    Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.to_string()),
                    _ => None,
                }),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let entered = Conditions {
            params,
            param_frame: scopes.depth().saturating_sub(1),
            ..Conditions::default()
        };
        Saved(std::mem::replace(self, entered))
    }

    pub fn leave_fn(&mut self, saved: Saved) {
        *self = saved.0;
    }

    /// Where the stack stands, to go back to with `truncate`.
    pub fn mark(&self) -> usize {
        self.stack.len()
    }

    pub fn truncate(&mut self, mark: usize) {
        self.stack.truncate(mark);
    }

    /// What an `if`'s condition requires of the parameters, worked out before the
    /// condition is walked (an `if let Some(x) = x` binds a shadow of the parameter).
    pub fn required(&self, scopes: &Scopes<'_>, cond: &Expr) -> Vec<ParamIs> {
        let mut required = Vec::new();
        self.require(scopes, cond, &mut required);
        required
    }

    /// Enters an `if`'s then-branch under what `required` worked out for its condition.
    /// Returns the mark to go back to.
    pub fn enter_if(&mut self, required: Vec<ParamIs>) -> usize {
        let mark = self.mark();
        self.stack.extend(required);
        mark
    }

    /// The `==` comparisons with constants, the tested `bool` parameters (`if reauth`,
    /// `if !dry_run`) and the `if let Some(_) = param` tests that `cond` requires.
    fn require(&self, scopes: &Scopes<'_>, cond: &Expr, out: &mut Vec<ParamIs>) {
        let is = |param, constant: &str| ParamIs {
            param,
            any_of: vec![constant.to_string()],
        };
        match peel(cond) {
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.require(scopes, &b.left, out);
                self.require(scopes, &b.right, out);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Eq(_)) => {
                let sides = [(&*b.left, &*b.right), (&*b.right, &*b.left)];
                for (param, constant) in sides {
                    if let (Some(param), Some(constant)) =
                        (self.param_of(scopes, param), constant_key(constant))
                    {
                        out.push(is(param, &constant));
                        return;
                    }
                }
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                if let Some(param) = self.param_of(scopes, &u.expr) {
                    out.push(is(param, FALSE));
                }
            }
            Expr::Let(l) => {
                let variant = pattern_constants(&l.pat).filter(|v| v.len() == 1);
                if let (Some(param), Some(variant)) = (self.param_of(scopes, &l.expr), variant) {
                    out.push(ParamIs {
                        param,
                        any_of: variant,
                    });
                }
            }
            plain @ Expr::Path(_) => {
                if let Some(param) = self.param_of(scopes, plain) {
                    out.push(is(param, TRUE));
                }
            }
            _ => {}
        }
    }

    /// Enters a `match` on `scrutinee`; returns what to give `leave_match`.
    pub fn enter_match(&mut self, scopes: &Scopes<'_>, scrutinee: &Expr) -> Option<u8> {
        let param = self.param_of(scopes, scrutinee);
        std::mem::replace(&mut self.scrutinee, param)
    }

    pub fn leave_match(&mut self, outer: Option<u8>) {
        self.scrutinee = outer;
    }

    /// Enters an arm of the innermost `match`: when it is on a parameter and every
    /// alternative of the pattern is a constant, the parameter is one of them.
    pub fn enter_arm(&mut self, pat: &Pat) -> usize {
        let mark = self.mark();
        let param = self.scrutinee.take();
        if let (Some(param), Some(any_of)) = (param, pattern_constants(pat)) {
            self.stack.push(ParamIs { param, any_of });
        }
        self.scrutinee = param;
        mark
    }

    /// What `arg`, an argument of a call made here, passes.
    pub fn arg(&self, scopes: &Scopes<'_>, arg: &Expr) -> Arg {
        match (self.param_of(scopes, arg), constant_key(arg)) {
            (Some(param), _) => Arg::Param(param),
            (None, Some(constant)) => Arg::Const(constant),
            (None, None) => Arg::Other,
        }
    }

    /// The conditions the code at hand runs under.
    pub fn guard(&self) -> Vec<ParamIs> {
        self.stack.clone()
    }

    /// The parameter `expr` names (through `&`, `*` and parentheses), when no variable
    /// declared since shadows it.
    fn param_of(&self, scopes: &Scopes<'_>, expr: &Expr) -> Option<u8> {
        let Expr::Path(p) = peel(expr) else {
            return None;
        };
        let name = p.path.get_ident()?.to_string();
        let index = self
            .params
            .iter()
            .position(|n| n.as_deref() == Some(&name))?;
        (scopes.local_frame(&name) == Some(self.param_frame))
            .then(|| u8::try_from(index).ok())
            .flatten()
    }
}

/// `expr` without the `&`, `*` and parentheses around it.
fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Reference(r) => peel(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => peel(&u.expr),
        Expr::Paren(p) => peel(&p.expr),
        Expr::Group(g) => peel(&g.expr),
        _ => expr,
    }
}

/// `Type::NAME` or `Enum::Variant` (two segments or more, the last capitalised), by its
/// last two segments; `true`, `false`, `None` and `Some(..)` as themselves.
fn constant_key(expr: &Expr) -> Option<String> {
    match peel(expr) {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) => Some(if b.value { TRUE } else { FALSE }.to_string()),
        Expr::Path(p) if p.qself.is_none() && p.path.is_ident(NONE) => Some(NONE.to_string()),
        Expr::Call(call) if call.args.len() == 1 => match peel(&call.func) {
            Expr::Path(p) if p.qself.is_none() && p.path.is_ident(SOME) => Some(SOME.to_string()),
            _ => None,
        },
        Expr::Path(p) => path_key(&p.path),
        _ => None,
    }
}

const TRUE: &str = "true";
const FALSE: &str = "false";
const NONE: &str = "None";
const SOME: &str = "Some";

fn path_key(path: &syn::Path) -> Option<String> {
    let segments = &path.segments;
    let last = segments.last()?;
    let capitalised = last
        .ident
        .to_string()
        .starts_with(|c: char| c.is_ascii_uppercase());
    if segments.len() < 2 || !capitalised || !last.arguments.is_none() {
        return None;
    }
    Some(format!(
        "{}::{}",
        segments[segments.len() - 2].ident,
        last.ident
    ))
}

/// The constants a pattern matches, when every alternative is one.
fn pattern_constants(pat: &Pat) -> Option<Vec<String>> {
    match pat {
        Pat::Or(or) => {
            let mut all = Vec::new();
            for case in &or.cases {
                all.extend(pattern_constants(case)?);
            }
            Some(all)
        }
        Pat::Reference(r) => pattern_constants(&r.pat),
        Pat::Paren(p) => pattern_constants(&p.pat),
        Pat::Path(p) if p.qself.is_none() => Some(vec![path_key(&p.path)?]),
        Pat::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) => Some(vec![if b.value { TRUE } else { FALSE }.to_string()]),
        // A lone `None` in a pattern is the variant (no binding can take its name).
        Pat::Ident(p) if p.ident == NONE && p.subpat.is_none() => Some(vec![NONE.to_string()]),
        Pat::TupleStruct(t) if t.qself.is_none() && t.path.is_ident(SOME) => {
            Some(vec![SOME.to_string()])
        }
        _ => None,
    }
}
