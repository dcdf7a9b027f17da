//! The semantic model the checker keeps current while it walks one file: where the code
//! at hand runs, which names, variables and lock guards are in scope, which impl and fn
//! it is in. Rules read it; only the checker changes it.
use std::cell::{OnceCell, RefCell};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use syn::{Attribute, Expr, Item};

use super::guards::{self, Guards};
use super::local_path::LocalPath;
use super::resolve::{Resolution, Scopes};
use super::struct_fields::{StructFields, ALIAS_FIELD, FN_SUFFIX};
use super::test_code;
use super::FileContext;
use crate::catalog::ty::{Ty, Wrap, LOCAL_TYPE_PREFIX};
use crate::syntax::expr::{first_type_arg, peel};

/// Why the code at hand runs on the executor.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Executor {
    /// The `async` keyword that makes it so.
    pub async_span: Range<usize>,
    pub what: std::borrow::Cow<'static, str>,
    /// Set inside a sync closure that runs inline in the async code.
    pub inline_closure: Option<Range<usize>>,
    /// The runtime's entry fn (`#[tokio::main]`, or the async block a sync `main` hands
    /// to `block_on`) before its first `.await` or spawn: nothing runs beside it yet.
    pub startup: bool,
    /// The own body of a multi-thread `#[tokio::main]` fn: it runs on the main thread,
    /// not on a worker, so a blocking call there stalls no other task (only this future).
    pub main_thread: bool,
    /// The async fn (its index among the file summary's fns) whose body this is, before
    /// its first `.await` or spawn: if that fn is only ever awaited from startup code,
    /// this is startup code too (the crate-wide pass decides).
    pub prefix_of: Option<usize>,
    /// The async fn (its index among the file summary's fns) whose own body this is,
    /// outside code that polls futures of its own: if that fn is only ever awaited from
    /// main-thread code, this runs on the main thread too (the crate-wide pass decides).
    pub body_of: Option<usize>,
    /// The body of a current-thread runtime's entry fn before its first spawn: the
    /// runtime's only thread has no other task yet, so a blocking call stalls nothing
    /// else (startup code, as far as the user is concerned).
    pub sole_task: bool,
    /// The async fn (by index) whose own body this is, before its first spawn: if that
    /// fn is only ever awaited from such code, this is such code too.
    pub sole_body_of: Option<usize>,
    /// The future of the first `block_on` on a runtime a crate fn returned: the
    /// runtime's only task if that fn builds a current-thread one (the crate-wide pass
    /// tells).
    #[serde(default)]
    pub sole_if_runtime_of: Option<LocalPath>,
}

impl Executor {
    /// Code that runs on the executor because of the `async` at `async_span`.
    pub fn new(async_span: Range<usize>, what: &'static str) -> Executor {
        Executor {
            async_span,
            what: what.into(),
            inline_closure: None,
            startup: false,
            main_thread: false,
            prefix_of: None,
            body_of: None,
            sole_task: false,
            sole_body_of: None,
            sole_if_runtime_of: None,
        }
    }
}

/// `Executor`'s startup and sole-task fields.
pub type Alone = (bool, Option<usize>, bool, Option<usize>, Option<LocalPath>);

/// What one file's walk knows at the point being visited.
pub struct SemanticModel<'a, 'c> {
    pub ctx: &'a FileContext<'c>,
    pub text: &'a str,
    pub scopes: Scopes<'c>,
    /// Where the code at hand runs: `Some` on the executor.
    pub executor: Option<Executor>,
    /// Variables handed to an offload API somewhere in the current fn body.
    pub offloaded_names: HashSet<String>,
    /// Field types of this file's structs, by local type path; `None` when two structs
    /// share the name (then nothing is known about either).
    pub struct_fields: StructFields,
    /// The type of `self` in the impl block being visited.
    pub self_ty: Option<Ty>,
    /// The path of the type of the impl block being visited.
    pub self_path: Option<LocalPath>,
    /// Whether the impl block being visited implements a trait.
    pub in_trait_impl: bool,
    /// Whether a trait's definition (its default methods) is being visited.
    pub in_trait_definition: bool,
    /// The path of that trait, when it is one of this crate's.
    pub impl_trait: Option<LocalPath>,
    /// How many times this file declares each type name (`Log`), and defines each
    /// associated fn (`local::Journal::open()`, twice for `Journal<Disk>` and
    /// `Journal<Memory>`): a name declared twice tells no one type.
    pub declared_here: HashMap<String, u32>,
    /// Filled while inferring types, which only reads the model otherwise.
    pub wanted_structs: RefCell<HashSet<String>>,
    /// Lock guards alive in the current async body.
    pub guards: Guards,
    /// The conditions on the fn's parameters the code at hand runs under.
    pub conditions: super::conditions::Conditions,
    /// Whether the file has the `async` keyword in code position at all (a macro
    /// outside executor code is worth reading only then).
    pub file_has_async: bool,
    /// The sync fn whose body is being visited (outside closures that may run
    /// elsewhere), as an index into the file summary's fns.
    pub current_fn: Option<usize>,
    /// The closure parameters of the fn being visited, with the inputs they are.
    pub closure_params: Vec<(String, usize)>,
    /// The fn being visited, as a chain shows it.
    pub enclosing_fn: Option<String>,
    /// How many spawns the walk has passed (code after one does not run alone).
    pub spawns_seen: usize,
    /// How many loops the code at hand is in (a `block_on` there may run many times).
    pub loop_depth: usize,
    /// The part of the fn body being visited that runs only on the way out of the
    /// process (see `exit_tail`).
    pub exit_tail: Option<Range<usize>>,
    line_starts: OnceCell<Vec<usize>>,
}

impl<'a, 'c> SemanticModel<'a, 'c> {
    pub fn new(ctx: &'a FileContext<'c>, text: &'a str) -> Self {
        SemanticModel {
            ctx,
            text,
            scopes: Scopes::new(ctx.catalog, ctx.parent),
            executor: None,
            offloaded_names: HashSet::new(),
            struct_fields: HashMap::new(),
            self_ty: None,
            self_path: None,
            in_trait_impl: false,
            in_trait_definition: false,
            impl_trait: None,
            declared_here: HashMap::new(),
            wanted_structs: RefCell::new(HashSet::new()),
            guards: Guards::default(),
            conditions: Default::default(),
            file_has_async: crate::syntax::source::may_contain_async(text),
            current_fn: None,
            closure_params: Vec::new(),
            enclosing_fn: None,
            spawns_seen: 0,
            loop_depth: 0,
            exit_tail: None,
            line_starts: OnceCell::new(),
        }
    }

    /// Whether the code at `offset` runs only right before the process exits.
    pub fn in_exit_tail(&self, offset: usize) -> bool {
        self.exit_tail
            .as_ref()
            .is_some_and(|tail| tail.contains(&offset))
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let starts =
            (self.line_starts).get_or_init(|| crate::syntax::source::line_starts(self.text));
        starts.partition_point(|&start| start <= offset)
    }

    /// Enters a module: its names, and the field types of the structs it declares.
    pub fn enter_module(&mut self, name: Option<String>, items: &[Item]) {
        self.scopes.push_module(name, items);
        for item in items {
            let declared = match item {
                Item::Struct(def) => Some(&def.ident),
                Item::Enum(def) => Some(&def.ident),
                Item::Type(def) => Some(&def.ident),
                _ => None,
            };
            if let Some(ident) = declared {
                *self.declared_here.entry(ident.to_string()).or_default() += 1;
            }
        }
        for item in items {
            match item {
                Item::Struct(def) => {
                    let key = format!("{LOCAL_TYPE_PREFIX}{}", def.ident);
                    self.note_fields(key, &def.fields);
                }
                // A variant's fields, for `Enum::Variant(x)` and `Enum::Variant { x }`
                // patterns in this file.
                Item::Enum(def) => {
                    // The enum itself, so that a struct or alias of its name is ambiguous.
                    self.note(format!("{LOCAL_TYPE_PREFIX}{}", def.ident), HashMap::new());
                    for variant in &def.variants {
                        if !matches!(variant.fields, syn::Fields::Unit) {
                            let key =
                                format!("{LOCAL_TYPE_PREFIX}{}::{}", def.ident, variant.ident);
                            self.note_fields(key, &variant.fields);
                        }
                    }
                }
                // `type Shared = Arc<Mutex<State>>`: kept as a struct whose one field
                // is what it stands for.
                Item::Type(def) => {
                    let key = format!("{LOCAL_TYPE_PREFIX}{}", def.ident);
                    let target = (only_lifetimes(&def.generics))
                        .then(|| self.scopes.resolve_type(&def.ty))
                        .flatten();
                    match target {
                        Some(target) => {
                            self.note(key, HashMap::from([(ALIAS_FIELD.to_string(), target)]))
                        }
                        // A generic alias (`Shared<T>`) names no one type: the name
                        // stays unknown, whatever else declares it.
                        None if !only_lifetimes(&def.generics) => {
                            self.struct_fields.insert(key, None);
                        }
                        None => {}
                    }
                }
                // A free sync fn's return type, kept as a struct whose one field is what
                // it returns (`util::glob_match_file(p)?` is a `PathBuf`).
                Item::Fn(def) if def.sig.asyncness.is_none() => {
                    let syn::ReturnType::Type(_, returned) = &def.sig.output else {
                        continue;
                    };
                    let key = format!("{LOCAL_TYPE_PREFIX}{}{FN_SUFFIX}", def.sig.ident);
                    let target = (only_lifetimes(&def.sig.generics))
                        .then(|| self.scopes.resolve_type(returned))
                        .flatten();
                    match target {
                        Some(target) => {
                            self.note(key, HashMap::from([(ALIAS_FIELD.to_string(), target)]))
                        }
                        None => {
                            self.struct_fields.insert(key, None);
                        }
                    }
                }
                Item::Impl(imp) if imp.trait_.is_none() => self.note_associated_returns(imp),
                _ => {}
            }
        }
    }

    /// What the associated sync fns of an inherent impl return when that is more than
    /// the type itself: `Outgoing::new(..) -> (Self, Receiver<()>)` is kept as
    /// `local::Outgoing::new()`, so `let (out, rx) = Outgoing::new(..)` types `rx`. A
    /// fn returning `Self` or another crate type is left to the call graph, which
    /// confirms it (`RETURNED_PREFIX`).
    fn note_associated_returns(&mut self, imp: &syn::ItemImpl) {
        let Some(self_ty) = (self.scopes.resolve_type(&imp.self_ty))
            .filter(|ty| ty.plain().is_some_and(|p| p.starts_with(LOCAL_TYPE_PREFIX)))
        else {
            return;
        };
        let owner = self_ty.path.clone();
        for item in &imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let sig = &f.sig;
            let takes_self = matches!(sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
            let syn::ReturnType::Type(_, returned) = &sig.output else {
                continue;
            };
            if takes_self {
                continue;
            }
            // Every associated fn that returns something counts, so that a second impl's
            // `-> Self` makes the first one's return untrusted.
            let key = format!("{owner}::{}{FN_SUFFIX}", sig.ident);
            *self.declared_here.entry(key.clone()).or_default() += 1;
            if sig.asyncness.is_some() || !only_lifetimes(&sig.generics) {
                continue;
            }
            let Some(target) = self.resolve_returned(returned, &self_ty) else {
                continue;
            };
            let local = (target.plain()).is_some_and(|p| p.starts_with(LOCAL_TYPE_PREFIX));
            // Only what inference can use is worth keeping (the owner's name is checked
            // for ambiguity on its own, see `sole_declarer_of_owner`).
            if !local && super::struct_fields::relevant_type(&target, self.ctx.catalog) {
                self.note(key, HashMap::from([(ALIAS_FIELD.to_string(), target)]));
            }
        }
    }

    /// A declared return type, `Self` standing for `self_ty`; a tuple only when every
    /// element is known.
    fn resolve_returned(&self, returned: &syn::Type, self_ty: &Ty) -> Option<Ty> {
        match returned {
            syn::Type::Tuple(tuple) if tuple.elems.len() >= 2 => {
                let elems = (tuple.elems.iter())
                    .map(|elem| self.resolve_returned(elem, self_ty))
                    .collect::<Option<Vec<_>>>()?;
                Ty::tuple(elems)
            }
            syn::Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("Self") => {
                Some(self_ty.clone())
            }
            // `Result<Self, Error>`, `Option<Self>`: the type itself, wrapped.
            _ if let Some(wrap) = wraps_self(returned) => {
                let plain = self_ty.wrap == Wrap::None && self_ty.elems.is_empty();
                plain.then(|| Ty {
                    wrap,
                    ..self_ty.clone()
                })
            }
            _ => self.scopes.resolve_type(returned),
        }
    }

    /// Records the field types of a struct or variant; a name met twice is ambiguous.
    fn note_fields(&mut self, key: String, fields: &syn::Fields) {
        let fields: HashMap<String, Ty> = fields
            .iter()
            .enumerate()
            .filter_map(|(index, field)| {
                let name = field
                    .ident
                    .as_ref()
                    .map_or(index.to_string(), |i| i.to_string());
                Some((name, self.scopes.resolve_type(&field.ty)?))
            })
            .collect();
        self.note(key, fields);
    }

    /// A name met twice is ambiguous, unless both times it has the same fields (a type
    /// alias declared twice alike).
    fn note(&mut self, key: String, fields: HashMap<String, Ty>) {
        match self.struct_fields.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(Some(fields));
            }
            Entry::Occupied(mut slot) => {
                if slot.get().as_ref() != Some(&fields) {
                    slot.insert(None);
                }
            }
        }
    }

    /// A field's type: from this file's structs, else the package's.
    pub fn field_type(&self, owner: &str, field: &syn::Member) -> Option<Ty> {
        let name = match field {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        if !owner.starts_with(LOCAL_TYPE_PREFIX) {
            // A public field of a library type the catalogue declares (`Child.stdout`).
            return self
                .ctx
                .catalog
                .return_type(&format!("{owner}.{name}"))
                .cloned();
        }
        let fields = self.fields_of(owner)?;
        match fields.get(ALIAS_FIELD) {
            // `type Shared = Arc<AppState>`: the fields of what it stands for.
            Some(target) => self.fields_of(target.plain()?)?.get(&name).cloned(),
            None => fields.get(&name).cloned(),
        }
    }

    /// What a crate's type alias stands for, when this file or the package's pass
    /// already knows it: unlike `alias_target`, asks the package for nothing (every
    /// method call on a crate type would otherwise ask for its declaration).
    pub fn known_alias_target(&self, path: &str) -> Option<Ty> {
        self.known_fields(path)?.as_ref()?.get(ALIAS_FIELD).cloned()
    }

    /// A struct's entry as this file or the package's pass has it (`Some(None)`: its
    /// name is ambiguous), without asking the package for it as `fields_of` does.
    pub fn known_fields(&self, path: &str) -> Option<&Option<HashMap<String, Ty>>> {
        (self.struct_fields.get(path)).or_else(|| self.ctx.crate_fields.get(path))
    }

    /// What a crate's type alias stands for (`type Shared = Arc<Mutex<State>>`), else `ty`.
    pub fn alias_target(&self, ty: Ty) -> Ty {
        let Some(path) = ty.plain().filter(|p| p.starts_with(LOCAL_TYPE_PREFIX)) else {
            return ty;
        };
        match self.fields_of(path).and_then(|f| f.get(ALIAS_FIELD)) {
            Some(target) => target.clone(),
            None => ty,
        }
    }

    /// A struct's field types: from this file's structs, else the package's; a local
    /// struct known to neither is noted, so the scan can look for it in the other files.
    pub fn fields_of(&self, owner: &str) -> Option<&HashMap<String, Ty>> {
        let known = self.known_fields(owner);
        if known.is_none() {
            if let Some(local) = owner.strip_prefix(LOCAL_TYPE_PREFIX) {
                self.wanted_structs.borrow_mut().insert(local.to_string());
            }
        }
        known?.as_ref()
    }

    /// A block scope for what a pattern binds (`if let`, `while let`, `for`, an arm);
    /// returns what `pop_binding_scope` restores: a closure parameter shadowed inside
    /// is the closure again after it.
    pub fn push_binding_scope(&mut self) -> Vec<(String, usize)> {
        self.scopes.push_block(std::iter::empty());
        self.closure_params.clone()
    }

    pub fn pop_binding_scope(&mut self, closure_params: Vec<(String, usize)>) {
        self.scopes.pop();
        self.closure_params = closure_params;
    }

    /// The code at hand no longer runs alone: an `.await` or a spawn was reached.
    pub fn end_startup(&mut self) {
        if let Some(executor) = &mut self.executor {
            executor.startup = false;
            executor.prefix_of = None;
        }
    }

    /// A task was spawned: the runtime's thread is no longer this future's alone.
    pub fn end_sole(&mut self) {
        self.spawns_seen += 1;
        if let Some(executor) = &mut self.executor {
            executor.sole_task = false;
            executor.sole_body_of = None;
            executor.sole_if_runtime_of = None;
        }
    }

    /// What says the code at hand runs alone (startup, sole task), to be put back
    /// with `set_alone` (the arms of a `match` each start where the `match` does).
    pub fn alone(&self) -> Option<Alone> {
        let e = self.executor.as_ref()?;
        Some((
            e.startup,
            e.prefix_of,
            e.sole_task,
            e.sole_body_of,
            e.sole_if_runtime_of.clone(),
        ))
    }

    pub fn set_alone(&mut self, alone: Option<Alone>) {
        if let (Some(e), Some(alone)) = (&mut self.executor, alone) {
            (
                e.startup,
                e.prefix_of,
                e.sole_task,
                e.sole_body_of,
                e.sole_if_runtime_of,
            ) = alone;
        }
    }

    /// Whether the code at hand is startup code (see `Executor::startup`).
    pub fn in_startup(&self) -> bool {
        self.executor
            .as_ref()
            .is_some_and(|e| e.startup || e.prefix_of.is_some())
    }

    /// Whether these attributes make an item test code that this run skips.
    pub fn is_test_code(&self, attrs: &[Attribute]) -> bool {
        !self.ctx.include_tests && attrs.iter().any(test_code::is_test_attr)
    }

    /// What a call's callee path resolves to (`None` for a callee that is no path).
    pub fn callee(&self, call: &syn::ExprCall) -> Option<Resolution> {
        match &*call.func {
            Expr::Path(p) if p.qself.is_none() => Some(self.scopes.resolve_value(&p.path)),
            _ => None,
        }
    }

    /// Whether `expr` is a lock call whose guard a `let` would hold
    /// (`m.lock()`, `m.lock().unwrap()`, `m.write()?`, `m.lock().expect(..)`).
    pub fn is_guard_chain(&self, expr: &Expr) -> bool {
        match peel(expr) {
            Expr::Try(e) => self.is_guard_chain(&e.expr),
            Expr::MethodCall(mc) => {
                let method = mc.method.to_string();
                if matches!(method.as_str(), "unwrap" | "expect" | "unwrap_or_else") {
                    return self.is_guard_chain(&mc.receiver);
                }
                let ty = self.infer(&mc.receiver);
                ty.as_ref()
                    .and_then(Ty::plain)
                    .is_some_and(|t| guards::takes_guard(t, &method))
            }
            _ => false,
        }
    }

    /// The name an `if let` / `while let` pattern binds a lock's guard to: `Ok(g)`,
    /// `Some(g)` or `g` over a lock chain (`m.lock()`, `m.try_lock()`).
    pub fn bound_guard(&self, expr: &syn::ExprLet) -> Option<String> {
        if !self.is_guard_chain(&expr.expr) {
            return None;
        }
        let pat = match &*expr.pat {
            syn::Pat::TupleStruct(ts) if ts.elems.len() == 1 => {
                let wrapper = ts.path.get_ident()?;
                (wrapper == "Ok" || wrapper == "Some").then(|| &ts.elems[0])?
            }
            other => other,
        };
        crate::syntax::expr::pattern_ident(pat)
    }
}

/// Generics that name no type: lifetimes only (`type Locked<'a> = MutexGuard<'a, State>`
/// is one type whatever the lifetime).
fn only_lifetimes(generics: &syn::Generics) -> bool {
    generics
        .params
        .iter()
        .all(|p| matches!(p, syn::GenericParam::Lifetime(_)))
}

/// `Result<Self, ..>` or `Option<Self>` (by the wrapper's last name, a crate's own
/// `Result<Self>` alias included): which wrapper holds `Self`.
fn wraps_self(returned: &syn::Type) -> Option<Wrap> {
    let syn::Type::Path(tp) = returned else {
        return None;
    };
    let last = tp.path.segments.last()?;
    let wrap = match last.ident.to_string().as_str() {
        "Result" => Wrap::Result,
        "Option" => Wrap::Option,
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let is_self = |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.is_ident("Self"));
    (tp.qself.is_none() && first_type_arg(args).is_some_and(is_self)).then_some(wrap)
}
