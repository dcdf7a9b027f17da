//! Receiver types: what the model knows of an expression's type, and the variables a
//! pattern declares with theirs.
use syn::{Expr, Pat, Stmt};

use super::method_names::{keeps_type, wrapper_method};
use super::model::SemanticModel;
use super::resolve::Resolution;
use super::struct_fields::{ALIAS_FIELD, FN_SUFFIX};
use std::collections::HashMap;

use crate::catalog::ty::{
    Ty, Wrap, CHAIN_LINK, DISPATCH_PREFIX, LOCAL_TYPE_PREFIX, RETURNED_PREFIX,
};
use crate::syntax::expr::{first_type_arg, peel, type_args};

/// How many expressions down `infer` looks (method chains in real code are far shorter).
const INFER_DEPTH: usize = 64;

impl SemanticModel<'_, '_> {
    /// What the type parameters of a fn are known to convert to: `P: AsRef<Path>`,
    /// `impl Into<PathBuf>` (so `p.as_ref().exists()` is a `Path` method).
    pub fn generic_conversions(&self, generics: &syn::Generics) -> HashMap<String, Ty> {
        let mut out = HashMap::new();
        for param in generics.type_params() {
            let bounds = || param.bounds.iter();
            let ty =
                (self.conversion_target(bounds())).or_else(|| self.scopes.dispatch_type(bounds()));
            if let Some(ty) = ty {
                out.insert(param.ident.to_string(), ty);
            }
        }
        let predicates = generics.where_clause.iter().flat_map(|w| &w.predicates);
        for predicate in predicates {
            let syn::WherePredicate::Type(pt) = predicate else {
                continue;
            };
            let syn::Type::Path(tp) = &pt.bounded_ty else {
                continue;
            };
            let bounds = || pt.bounds.iter();
            let ty =
                (self.conversion_target(bounds())).or_else(|| self.scopes.dispatch_type(bounds()));
            if let (Some(name), Some(ty)) = (tp.path.get_ident(), ty) {
                out.insert(name.to_string(), ty);
            }
        }
        out
    }

    /// `AsRef<T>`, `Into<T>`, `Borrow<T>` among the bounds: `T`.
    fn conversion_target<'x>(
        &self,
        bounds: impl Iterator<Item = &'x syn::TypeParamBound>,
    ) -> Option<Ty> {
        bounds.into_iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            let last = t.path.segments.last()?;
            if !matches!(last.ident.to_string().as_str(), "AsRef" | "Into" | "Borrow") {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(ty) => self.scopes.resolve_type(ty),
                _ => None,
            }
        })
    }

    /// A fn parameter: its annotation, where a type parameter or `impl Trait` with a
    /// conversion bound stands for what it converts to.
    pub fn bind_param(&mut self, p: &syn::PatType, conversions: &HashMap<String, Ty>) {
        let converted = match &*p.ty {
            syn::Type::Path(tp) => (tp.path.get_ident())
                .and_then(|ident| conversions.get(&ident.to_string()))
                .cloned(),
            syn::Type::ImplTrait(it) => self.conversion_target(it.bounds.iter()),
            syn::Type::Reference(r) => match &*r.elem {
                syn::Type::ImplTrait(it) => self.conversion_target(it.bounds.iter()),
                // `&T` of a `T: Fs`.
                syn::Type::Path(tp) => (tp.path.get_ident())
                    .and_then(|ident| conversions.get(&ident.to_string()))
                    .filter(|ty| ty.path.starts_with(DISPATCH_PREFIX))
                    .cloned(),
                _ => None,
            },
            _ => None,
        };
        match converted {
            Some(ty) => self.bind_pattern(&p.pat, Some(ty)),
            None => self.bind_typed(p, None),
        }
    }

    /// Declares the variables a pattern binds; only a plain identifier gets `ty`.
    /// `pat: Type` (a fn parameter, a closure input, an annotated `let`): the annotation
    /// wins over the inferred `ty`.
    pub fn bind_typed(&mut self, p: &syn::PatType, ty: Option<Ty>) {
        if let Some(inner) = self.newtype_field(&p.pat, &p.ty) {
            // `State(state): State<Arc<AppState>>`: the wrapper destructured.
            if let Pat::TupleStruct(ts) = &*p.pat {
                self.bind_pattern(&ts.elems[0], Some(inner));
            }
            return;
        }
        let annotated = self.scopes.resolve_type(&p.ty);
        self.bind_pattern(&p.pat, annotated.or(ty));
        if let Pat::Ident(ident) = &*p.pat {
            if ident.by_ref.is_none() && ident.subpat.is_none() {
                let shape = super::ownership::of_type(&p.ty);
                self.scopes.set_shape(&ident.ident.to_string(), shape);
            }
        }
    }

    pub fn bind_pattern(&mut self, pat: &Pat, ty: Option<Ty>) {
        match pat {
            Pat::Ident(p) => {
                // A closure parameter shadowed is not the closure any more.
                self.closure_params.retain(|(name, _)| p.ident != name);
                self.scopes.add_local(p.ident.to_string(), ty);
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pattern(sub, None);
                }
            }
            Pat::Type(p) => self.bind_typed(p, ty),
            Pat::Reference(p) => self.bind_pattern(&p.pat, ty),
            Pat::Paren(p) => self.bind_pattern(&p.pat, ty),
            Pat::Tuple(p) => {
                // After a `..`, elements count from the tuple's end: `(.., last)`.
                let rest = p.elems.iter().position(|e| matches!(e, Pat::Rest(_)));
                let len = ty.as_ref().map_or(0, |t| t.elems.len());
                for (index, elem) in p.elems.iter().enumerate() {
                    let index = match rest {
                        Some(rest) if index > rest => (len + index).checked_sub(p.elems.len()),
                        _ => Some(index),
                    };
                    let elem_ty = index.and_then(|i| ty.as_ref().and_then(|t| t.element(i)));
                    self.bind_pattern(elem, elem_ty);
                }
            }
            // `Some(out)` of an `Option`, `Ok(n)` of a `Result`: what it holds.
            Pat::TupleStruct(p) if p.elems.len() == 1 && wraps(&p.path, ty.as_ref()) => {
                let inner = ty.as_ref().and_then(Ty::unwrapped);
                self.bind_pattern(&p.elems[0], inner);
            }
            Pat::TupleStruct(p) => {
                let fields = self.pattern_fields(&p.path);
                for (index, elem) in p.elems.iter().enumerate() {
                    let ty = fields
                        .as_ref()
                        .and_then(|f| f.get(&index.to_string()).cloned());
                    self.bind_pattern(elem, ty);
                }
            }
            Pat::Slice(p) => p.elems.iter().for_each(|e| self.bind_pattern(e, None)),
            Pat::Or(p) => p.cases.iter().for_each(|e| self.bind_pattern(e, None)),
            Pat::Struct(p) => {
                // `let Self { config, .. } = self`, `Command::Serve { opts }`: the fields'
                // declared types, when the struct or variant is known.
                let fields = self.pattern_fields(&p.path);
                for field in &p.fields {
                    let name = match &field.member {
                        syn::Member::Named(ident) => ident.to_string(),
                        syn::Member::Unnamed(index) => index.index.to_string(),
                    };
                    let ty = fields.as_ref().and_then(|f| f.get(&name).cloned());
                    self.bind_pattern(&field.pat, ty);
                }
            }
            _ => {}
        }
    }

    /// Fills `{T}` in a declared return type with the method's turbofish type
    /// (`req.app_data::<web::Data<Config>>()` gives `Option<Config>`).
    fn with_turbofish(&self, declared: Ty, call: &syn::ExprMethodCall) -> Option<Ty> {
        if !declared.path.contains("{T}") {
            return Some(declared);
        }
        let first = first_type_arg(call.turbofish.as_ref()?)?;
        let inner = self.scopes.resolve_type(first)?;
        let path = declared.path.replace("{T}", inner.plain()?);
        Some(Ty { path, ..declared })
    }

    /// `Cli::parse()`, `Config::default()`: the constructors derives give a crate type
    /// (clap's `Parser`, `Default`) return that type.
    fn derived_constructor(&self, call: &syn::ExprCall) -> Option<Ty> {
        const DERIVED: &[&str] = &["parse", "parse_from", "from_args", "default"];
        let Expr::Path(p) = &*call.func else {
            return None;
        };
        let (ctor, owner) = split_owner(&p.path)?;
        let ctor = ctor.ident.to_string();
        // The derived signatures only: `parse_from(args)`, the others without arguments
        // (a crate's own `Config::parse(text)` returns what it declares).
        let arity = usize::from(ctor == "parse_from");
        if !DERIVED.contains(&ctor.as_str()) || call.args.len() != arity {
            return None;
        }
        let ty = self.scopes.resolve_type(&syn::Type::Path(syn::TypePath {
            attrs: Vec::new(),
            qself: None,
            path: owner,
        }))?;
        self.workspace_type(ty)
    }

    /// The field types of what a pattern's path names: an enum variant
    /// (`Source::File`, `Self::Build`) or a struct (`Self`, `Config`).
    fn pattern_fields(&self, path: &syn::Path) -> Option<HashMap<String, Ty>> {
        if let Some(enum_ty) = self.variant_owner(path) {
            let variant = path.segments.last()?.ident.to_string();
            let key = format!("{}::{variant}", enum_ty.plain()?);
            return self.struct_fields.get(&key)?.clone();
        }
        let owner = self.named_type(path)?;
        self.fields_of(owner.plain()?).cloned()
    }

    /// The type a struct path names (`Self`, `AppState`, `config::Settings`).
    fn named_type(&self, path: &syn::Path) -> Option<Ty> {
        if path.is_ident("Self") {
            return self.self_ty.clone();
        }
        self.scopes.resolve_type(&syn::Type::Path(syn::TypePath {
            attrs: Vec::new(),
            qself: None,
            path: path.clone(),
        }))
    }

    /// The enum of a variant path (`Source::File`, `Self::Build`): a type of this crate
    /// followed by a capitalised name. By Rust's naming conventions that is a variant,
    /// not an associated fn or a module.
    fn variant_owner(&self, path: &syn::Path) -> Option<Ty> {
        let (variant, owner) = split_owner(path)?;
        let variant = variant.ident.to_string();
        // `Pool::NAMES` is an associated constant, not a variant.
        let constant = !variant.chars().any(|c| c.is_ascii_lowercase());
        if !capitalised(&variant) || !capitalised(&last_name(&owner)) || constant {
            return None;
        }
        let ty = self.named_type(&owner)?;
        self.workspace_type(ty)
    }

    /// The crate type a value expression builds: `Server { .. }`, `Source::File(path)`,
    /// `Mode::Fast`, `Wrapper(inner)`.
    fn constructed_type(&self, expr: &Expr) -> Option<Ty> {
        let path = match expr {
            Expr::Struct(s) => {
                return match self.variant_owner(&s.path) {
                    Some(enum_ty) => Some(enum_ty),
                    None => self.named_type(&s.path).filter(is_local),
                };
            }
            Expr::Call(call) => match &*call.func {
                Expr::Path(p) if p.qself.is_none() => &p.path,
                _ => return None,
            },
            Expr::Path(p) if p.qself.is_none() => &p.path,
            _ => return None,
        };
        if let Some(enum_ty) = self.variant_owner(path) {
            return Some(enum_ty);
        }
        // A tuple struct's constructor: `Wrapper(inner)`, `Self(inner)`.
        let single = path.segments.len() == 1 && capitalised(&last_name(path));
        match (expr, single) {
            (Expr::Call(_), true) => self.named_type(path).filter(is_local),
            _ => None,
        }
    }

    /// `Banner::new(..)`, `Config::load(path)?`, `Self::open()`: an associated fn of a
    /// crate type, whose value is taken to be of that type until the call graph
    /// confirms the fn's declared return type says so (see `RETURNED_PREFIX`).
    fn returned_type(&self, call: &syn::ExprCall) -> Option<Ty> {
        let Expr::Path(p) = &*call.func else {
            return None;
        };
        let (ctor, owner) = split_owner(&p.path)?;
        let name = ctor.ident.to_string();
        // `Type::f`: a capitalised owner (a type, not a module like `super`).
        if !capitalised(&last_name(&owner)) || capitalised(&name) {
            return None;
        }
        let ty = self.named_type(&owner)?;
        let path = ty.plain()?;
        if let Some(local) = path.strip_prefix(LOCAL_TYPE_PREFIX) {
            if let Some(declared) = self.associated_return(path, &name) {
                return Some(declared);
            }
            return Some(Ty::named(format!("{RETURNED_PREFIX}{local}::{name}")));
        }
        // A type of another crate of the workspace (a binary's own library):
        // `returned::@krate::Type::f`.
        let (krate, type_name) = self.member_type(path)?;
        Some(Ty::named(format!(
            "{RETURNED_PREFIX}@{krate}::{type_name}::{name}"
        )))
    }

    /// What `Type::name(..)` declares it returns, when that is more than a crate type
    /// (`(Self, Receiver<()>)`) and the type's name is not ambiguous.
    fn associated_return(&self, owner: &str, name: &str) -> Option<Ty> {
        let owner_ambiguous = self.known_fields(owner).is_some_and(Option::is_none);
        let key = format!("{owner}::{name}{FN_SUFFIX}");
        let local_name = owner.strip_prefix(LOCAL_TYPE_PREFIX).unwrap_or(owner);
        let twice = |name: &str| self.declared_here.get(name).is_some_and(|&n| n > 1);
        if owner_ambiguous || twice(local_name) || twice(&key) {
            return None;
        }
        self.fields_of(&key)?.get(ALIAS_FIELD).cloned()
    }

    /// What `x.method(..)` returns when `x` is of a crate type (`plain`): taken to be a
    /// crate type that the call graph finds in the method's declared return type
    /// (`returned::Hub::scans`), so that a method called on it is followed.
    fn method_returned(&self, plain: &str, method: &str) -> Option<Ty> {
        if let Some(local) = plain.strip_prefix(LOCAL_TYPE_PREFIX) {
            return Some(Ty::named(format!("{RETURNED_PREFIX}{local}::{method}")));
        }
        let (krate, type_name) = self.member_type(plain)?;
        Some(Ty::named(format!(
            "{RETURNED_PREFIX}@{krate}::{type_name}::{method}"
        )))
    }

    /// What a free sync fn of the crate returns, as it declares it, when the package
    /// has one fn of that name (`util::glob_match_file(p)?`); not a local closure's.
    fn free_fn_return(&self, call: &syn::ExprCall) -> Option<Ty> {
        let Expr::Path(p) = &*call.func else {
            return None;
        };
        let segments = &p.path.segments;
        let name = segments.last()?.ident.to_string();
        let owner = segments
            .len()
            .checked_sub(2)
            .map(|i| segments[i].ident.to_string());
        let shadowed = segments.len() == 1 && self.scopes.local_type(&name).is_some();
        if p.qself.is_some() || shadowed || owner.is_some_and(|o| capitalised(&o)) {
            return None;
        }
        let key = format!("{LOCAL_TYPE_PREFIX}{name}{FN_SUFFIX}");
        self.fields_of(&key)?.get(ALIAS_FIELD).cloned()
    }

    /// `ty` when it is this crate's type, or one a crate of the workspace declares (a
    /// binary's own library: `use app::Cli; Cli::parse()`).
    fn workspace_type(&self, ty: Ty) -> Option<Ty> {
        let plain = ty.plain()?;
        (plain.starts_with(LOCAL_TYPE_PREFIX) || self.member_type(plain).is_some()).then_some(ty)
    }

    /// A type another crate of the workspace declares, by its path there
    /// (`app::cli::Admin`): that crate's name and the type's (impls are looked up by
    /// the type's name, as for this crate's own types).
    pub fn member_type<'p>(&self, path: &'p str) -> Option<(&'p str, &'p str)> {
        let (krate, rest) = path.split_once("::")?;
        let type_name = rest.rsplit("::").next()?;
        let plain = !type_name.contains('<') && capitalised(type_name);
        (plain && self.ctx.member_crates.contains(krate)).then_some((krate, type_name))
    }

    /// For `Wrapper(x): Wrapper<T>` (extractors like axum's `State`), the type of `x`.
    fn newtype_field(&self, pat: &Pat, ty: &syn::Type) -> Option<Ty> {
        let Pat::TupleStruct(ts) = pat else {
            return None;
        };
        let syn::Type::Path(tp) = ty else { return None };
        let wrapper = tp.path.segments.last()?;
        if ts.elems.len() != 1 || ts.path.segments.last()?.ident != wrapper.ident {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &wrapper.arguments else {
            return None;
        };
        // With one type argument it is the field's (`State<T>`, `Json<T>`); with more,
        // which one the field holds only the struct tells (`Tagged<Tag, T>`).
        let mut types = type_args(args);
        match (types.next(), types.next()) {
            (Some(inner), None) => self.scopes.resolve_type(inner),
            _ => None,
        }
    }

    /// What a `for` loop or an iterator adapter's closure gets from a value of type
    /// `ty`: a `Vec`'s elements, or the `{iterator}::Item` the catalogue declares
    /// (`std::fs::ReadDir` yields `Result<std::fs::DirEntry>`).
    pub fn items_of(&self, ty: &Ty) -> Option<Ty> {
        ty.items().or_else(|| {
            let key = format!("{}::Item", ty.plain()?);
            self.ctx.catalog.return_type(&key).cloned()
        })
    }

    /// The receiver type of `expr`, when it is known for certain.
    pub fn infer(&self, expr: &Expr) -> Option<Ty> {
        self.infer_within(expr, INFER_DEPTH)
    }

    /// `infer`, looking at most `depth` expressions down: every method call infers its
    /// receiver, so an unbounded look would make a long chain quadratic.
    pub fn infer_within(&self, expr: &Expr, depth: usize) -> Option<Ty> {
        let depth = depth.checked_sub(1)?;
        let infer = |e: &Expr| self.infer_within(e, depth);
        match expr {
            Expr::Paren(e) => infer(&e.expr),
            Expr::Group(e) => infer(&e.expr),
            Expr::Reference(e) => infer(&e.expr),
            // References and smart pointers are transparent here: `*self` is `self`.
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => infer(&u.expr),
            Expr::If(e) => self.if_value(e, depth),
            Expr::Match(m) => self.match_value(m, depth),
            Expr::Block(b) if b.label.is_none() => self.block_value(&b.block, depth),
            Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                match self.scopes.local_type(&name) {
                    Some(ty) => ty.cloned(),
                    None => self.constructed_type(expr),
                }
            }
            Expr::Path(_) | Expr::Struct(_) => self.constructed_type(expr),
            Expr::Tuple(t) if t.elems.len() >= 2 => {
                Ty::partial_tuple(t.elems.iter().map(&infer).collect())
            }
            Expr::Call(call) => match self.callee(call)? {
                Resolution::External(path) => match self.ctx.catalog.return_type(&path) {
                    Some(declared) => {
                        let arg0 = call.args.first().and_then(&infer);
                        declared.instantiate(arg0.as_ref().and_then(Ty::plain), None)
                    }
                    // Another crate of the workspace: `app::Banner::new(..)`.
                    None => (self.derived_constructor(call)).or_else(|| self.returned_type(call)),
                },
                Resolution::Local => (self.derived_constructor(call))
                    .or_else(|| self.constructed_type(expr))
                    .or_else(|| self.returned_type(call))
                    .or_else(|| self.free_fn_return(call)),
                Resolution::Unknown => (self.derived_constructor(call))
                    .or_else(|| self.constructed_type(expr))
                    .or_else(|| self.returned_type(call)),
            },
            Expr::MethodCall(mc) => {
                let receiver = infer(&mc.receiver)?;
                let method = mc.method.to_string();
                match method.as_str() {
                    // What a crate fn returns may be wrapped or not: the graph confirms.
                    "unwrap" | "expect" if is_returned(&receiver) => Some(receiver),
                    "unwrap" | "expect" => receiver.unwrapped(),
                    "unwrap_or" | "unwrap_or_else" | "unwrap_or_default"
                        if !is_returned(&receiver) =>
                    {
                        receiver.unwrapped()
                    }
                    // `Result::ok` and `Option::ok_or`: the same value, wrapped the other way.
                    "ok" if receiver.wrap == Wrap::Result => Some(Ty {
                        wrap: Wrap::Option,
                        ..receiver
                    }),
                    "ok_or" | "ok_or_else" if receiver.wrap == Wrap::Option => Some(Ty {
                        wrap: Wrap::Result,
                        ..receiver
                    }),
                    "clone" | "by_ref" => Some(receiver),
                    // An error conversion keeps what succeeds (`std::result`, anyhow, eyre).
                    "map_err" | "context" | "with_context" | "wrap_err" | "wrap_err_with"
                        if receiver.wrap == Wrap::Result || is_returned(&receiver) =>
                    {
                        Some(receiver)
                    }
                    // `Option::take`, `as_ref`, `as_mut` keep the value inside.
                    "take" | "as_ref" | "as_mut" if receiver.wrap == Wrap::Option => Some(receiver),
                    // A builder chain (`Config::load()?.with_x().run()`): what each link
                    // returns is the type again if the graph confirms every link does.
                    // What a crate fn returned may be an `Option` or a `Result` still: one of
                    // their methods (`blob().map(..)`) is not the crate type's.
                    _ if is_returned(&receiver) && wrapper_method(&method) => None,
                    _ if is_returned(&receiver) => {
                        Some(Ty::named(format!("{}{CHAIN_LINK}{method}", receiver.path)))
                    }
                    _ => {
                        // `state.lock()` where `type Shared = Arc<Mutex<State>>`.
                        let receiver = match super::guards::is_guard_method(&method) {
                            true => self.alias_target(receiver),
                            false => receiver,
                        };
                        let plain = receiver.plain()?;
                        let declared = self.ctx.catalog.return_type(&format!("{plain}::{method}"));
                        let Some(declared) = declared else {
                            if keeps_type(plain, &method) {
                                return Some(receiver);
                            }
                            return self.method_returned(plain, &method);
                        };
                        let arg0 = mc.args.first().and_then(&infer);
                        let declared = self.with_turbofish(declared.clone(), mc)?;
                        declared.instantiate(arg0.as_ref().and_then(Ty::plain), Some(&receiver))
                    }
                }
            }
            // An async fn's or method's awaited output, where the catalogue declares it
            // (`tokio::fs::read(p).await`; `m.lock().await` on a
            // `tokio::sync::Mutex<State>` gives the `State`).
            Expr::Await(e) => match peel(&e.base) {
                Expr::Call(call) => {
                    let Resolution::External(path) = self.callee(call)? else {
                        return None;
                    };
                    let declared = self.ctx.catalog.return_type(&format!("{path}.await"));
                    declared.cloned()
                }
                Expr::MethodCall(mc) => {
                    let receiver = self.alias_target(infer(&mc.receiver)?);
                    let plain = receiver.plain()?;
                    let key = format!("{plain}::{}.await", mc.method);
                    let declared = self.ctx.catalog.return_type(&key)?;
                    declared.instantiate(None, Some(&receiver))
                }
                _ => None,
            },
            Expr::Field(field) => {
                let owner = infer(&field.base)?;
                self.field_type(owner.plain()?, &field.member)
            }
            Expr::Try(e) => {
                let inner = infer(&e.expr)?;
                match is_returned(&inner) {
                    true => Some(inner),
                    false => inner.unwrapped(),
                }
            }
            // `unsafe { EnvOpenOptions::new().open(p)? }`: the tail expression's type, unless
            // it names a variable of the block (gone by now, and maybe shadowing another).
            Expr::Unsafe(syn::ExprUnsafe { block, .. })
            | Expr::Block(syn::ExprBlock { block, .. }) => match block.stmts.last()? {
                Stmt::Expr(tail, None) if !matches!(peel(tail), Expr::Path(_)) => infer(tail),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Methods that leave the receiver's type as it is, for inference: conversions along a
/// known bound (`p.as_ref()`, `p.into()`), a reader's `take(n)`, and iteration over a
/// `Vec` (whose items a `for` loop binds).
/// A path's last segment, and the path before it (`None` for a single segment).
fn split_owner(path: &syn::Path) -> Option<(&syn::PathSegment, syn::Path)> {
    let last = path.segments.last()?;
    let before = path.segments.len() - 1;
    if before == 0 {
        return None;
    }
    let owner = syn::Path {
        leading_colon: path.leading_colon,
        segments: path.segments.iter().take(before).cloned().collect(),
    };
    Some((last, owner))
}

fn last_name(path: &syn::Path) -> String {
    (path.segments.last()).map_or_else(String::new, |s| s.ident.to_string())
}

/// A name that starts with a capital: a type's or a variant's, by Rust's conventions.
fn capitalised(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Whether `path` (`Some`, `Ok`) unwraps a value of type `ty`.
fn wraps(path: &syn::Path, ty: Option<&Ty>) -> bool {
    let Some(ty) = ty else { return false };
    (path.is_ident("Some") && ty.wrap == Wrap::Option)
        || (path.is_ident("Ok") && ty.wrap == Wrap::Result)
}

fn is_returned(ty: &Ty) -> bool {
    ty.wrap == Wrap::None && ty.path.starts_with(RETURNED_PREFIX)
}

fn is_local(ty: &Ty) -> bool {
    ty.plain().is_some_and(|p| p.starts_with(LOCAL_TYPE_PREFIX))
}
