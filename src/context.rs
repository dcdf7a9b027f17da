//! The visitor that knows where code runs: on the executor, inline in it, or elsewhere.
//!
//! It walks one parsed file, keeps the name scopes (`resolve`) and variable types
//! (`types`) current, tracks whether the code at hand runs on an async executor, and
//! asks the catalogue about every call made there.
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Item, Pat, Stmt};

use crate::catalog::{Catalog, Hit, Level};
use crate::cpu_loop;
use crate::diagnostic::{Diagnostic, Label};
use crate::guards::{self, Guards};
use crate::macros;
use crate::offload;
use crate::resolve::{Anchor, LocalPath, Resolution, Scopes};
use crate::runtime::Runtime;
use crate::suggest::{self, CallSite};
use crate::summary::{self, BlockingCall, CallRef, Callee, ExecutorCall, FileSummary, FnSummary};
use crate::test_code;
use crate::types::{Ty, LOCAL_TYPE_PREFIX};

/// How many expressions down `infer` looks (method chains in real code are far shorter).
const INFER_DEPTH: usize = 64;

/// What the analysis of one file needs to know besides its syntax tree.
pub struct FileContext<'c> {
    pub catalog: &'c Catalog,
    pub runtime: Runtime,
    /// Report inside test code (`#[cfg(test)]`, `#[test]` fns) too.
    pub include_tests: bool,
    /// Field types of structs declared in other files of the same package.
    pub crate_fields: &'c StructFields,
    /// Literal-range iterations from which a loop without `.await` is reported.
    pub cpu_loop_threshold: u128,
    /// Library crate names of the workspace's members (`other_member::db::query` is
    /// a call into the workspace, not a third-party crate).
    pub member_crates: &'c HashSet<String>,
    /// Functions the configuration says run their closure arguments off the executor.
    pub offload: &'c [String],
}

/// Field types by struct (local type path, e.g. `local::AppState`); `None` when two
/// structs share the name, so that neither is trusted.
pub type StructFields = HashMap<String, Option<HashMap<String, Ty>>>;

/// What the analysis of one file found.
#[derive(Debug, Default)]
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    /// Local struct names whose fields were needed but are declared in another file.
    pub wanted_structs: HashSet<String>,
    /// This file's structs with the fields that can matter to a finding, for the files
    /// of the package that want them.
    pub struct_fields: StructFields,
    /// This file's part of the crate's call graph.
    pub summary: FileSummary,
}

/// Why the code at hand runs on the executor.
#[derive(Debug, Clone)]
struct Executor {
    /// The `async` keyword that makes it so.
    async_span: Range<usize>,
    what: &'static str,
    /// Set inside a sync closure that runs inline in the async code.
    inline_closure: Option<Range<usize>>,
}

/// Analyses one parsed file and returns its findings.
pub fn analyze(file: &syn::File, text: &str, ctx: &FileContext<'_>) -> Analysis {
    let mut analyzer = Analyzer::new(ctx, text);
    if !analyzer.is_test_code(&file.attrs) {
        analyzer.enter_module(None, &file.items);
        for item in &file.items {
            analyzer.visit_item(item);
        }
    }
    let mut diagnostics = analyzer.diagnostics;
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Analysis {
        diagnostics,
        wanted_structs: analyzer.wanted_structs.into_inner(),
        struct_fields: relevant_fields(analyzer.struct_fields, ctx.catalog),
        summary: analyzer.summary,
    }
}

/// The field types of every struct a file declares, in any of its inline modules.
pub fn struct_fields(file: &syn::File, ctx: &FileContext<'_>) -> StructFields {
    fn walk(analyzer: &mut Analyzer<'_, '_>, name: Option<String>, items: &[Item]) {
        analyzer.enter_module(name, items);
        for item in items {
            if let Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ident,
                ..
            }) = item
            {
                walk(analyzer, Some(ident.to_string()), inner);
            }
        }
        analyzer.scopes.pop();
    }
    let mut analyzer = Analyzer::new(ctx, "");
    walk(&mut analyzer, None, &file.items);
    relevant_fields(analyzer.struct_fields, ctx.catalog)
}

/// Keeps the fields whose type the catalogue knows or that lead to another of the
/// crate's structs (`self.state.db`); a struct left with none needs no second look.
/// Structs declared twice stay `None`.
fn relevant_fields(fields: StructFields, catalog: &Catalog) -> StructFields {
    let relevant = |ty: &Ty| {
        let path = ty.path.split('<').next().unwrap_or_default();
        path.starts_with(LOCAL_TYPE_PREFIX) || catalog.knows_prefix(path)
    };
    // A struct is kept even with no relevant field: a second struct of the same name
    // must still make the name ambiguous.
    fields
        .into_iter()
        .map(|(name, fields)| {
            let kept = fields.map(|f| f.into_iter().filter(|(_, ty)| relevant(ty)).collect());
            (name, kept)
        })
        .collect()
}

struct Analyzer<'a, 'c> {
    ctx: &'a FileContext<'c>,
    text: &'a str,
    scopes: Scopes<'c>,
    executor: Option<Executor>,
    /// Variables handed to an offload API somewhere in the current fn body.
    offloaded_names: HashSet<String>,
    /// Field types of this file's structs, by local type path; `None` when two structs
    /// share the name (then nothing is known about either).
    struct_fields: HashMap<String, Option<HashMap<String, Ty>>>,
    /// The type of `self` in the impl block being visited.
    self_ty: Option<Ty>,
    diagnostics: Vec<Diagnostic>,
    /// Filled while inferring types, which only reads the analyzer otherwise.
    wanted_structs: RefCell<HashSet<String>>,
    /// Lock guards alive in the current async body.
    guards: Guards,
    /// Inside a loop already reported by `cpu_loop` (its inner loops are not).
    in_reported_loop: bool,
    /// Whether the file has the `async` keyword in code position at all (a macro
    /// outside executor code is worth reading only then).
    file_has_async: bool,
    summary: FileSummary,
    /// The sync fn whose body is being visited (outside closures that may run
    /// elsewhere), as an index into `summary.fns`.
    current_fn: Option<usize>,
    /// The path of the type of the impl block being visited.
    self_path: Option<LocalPath>,
    in_trait_impl: bool,
    /// The fn being visited, as a chain shows it.
    enclosing_fn: Option<String>,
    /// Set just before visiting a closure passed to a method (`iter.map(|x| ..)`):
    /// one that runs inline in a sync fn.
    closure_is_method_arg: bool,
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

/// What kind of fn `visit_fn` is looking at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FnKind {
    Free,
    Method,
    TraitDefault,
}

fn range(span: Span) -> Range<usize> {
    span.byte_range()
}

impl<'a, 'c> Analyzer<'a, 'c> {
    fn new(ctx: &'a FileContext<'c>, text: &'a str) -> Self {
        Analyzer {
            ctx,
            text,
            scopes: Scopes::new(ctx.catalog),
            executor: None,
            offloaded_names: HashSet::new(),
            struct_fields: HashMap::new(),
            self_ty: None,
            diagnostics: Vec::new(),
            wanted_structs: RefCell::new(HashSet::new()),
            guards: Guards::default(),
            in_reported_loop: false,
            file_has_async: crate::source::may_contain_async(text),
            summary: FileSummary::default(),
            current_fn: None,
            self_path: None,
            in_trait_impl: false,
            enclosing_fn: None,
            closure_is_method_arg: false,
            line_starts: std::cell::OnceCell::new(),
        }
    }

    /// The 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        let starts = (self.line_starts).get_or_init(|| crate::source::line_starts(self.text));
        starts.partition_point(|&start| start <= offset)
    }

    /// Enters a module: its names, and the field types of the structs it declares.
    fn enter_module(&mut self, name: Option<String>, items: &[Item]) {
        self.scopes.push_module(name, items);
        for item in items {
            let Item::Struct(def) = item else { continue };
            let fields: HashMap<String, Ty> = def
                .fields
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
            let key = format!("{LOCAL_TYPE_PREFIX}{}", def.ident);
            match self.struct_fields.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(Some(fields));
                }
                Entry::Occupied(mut slot) => {
                    slot.insert(None);
                }
            }
        }
    }

    /// A field's type: from this file's structs, else the package's; a local struct
    /// known to neither is noted, so the scan can look for it in the other files.
    fn field_type(&self, owner: &str, field: &syn::Member) -> Option<Ty> {
        let name = match field {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        let fields = match self
            .struct_fields
            .get(owner)
            .or_else(|| self.ctx.crate_fields.get(owner))
        {
            Some(fields) => fields.as_ref()?,
            None => {
                if let Some(local) = owner.strip_prefix(LOCAL_TYPE_PREFIX) {
                    self.wanted_structs.borrow_mut().insert(local.to_string());
                }
                return None;
            }
        };
        fields.get(&name).cloned()
    }

    fn is_test_code(&self, attrs: &[Attribute]) -> bool {
        !self.ctx.include_tests && attrs.iter().any(test_code::is_test_attr)
    }

    /// Runs `f` with the executor context replaced by `executor`: a body of its own,
    /// with its own lock guards. Code that runs elsewhere is not part of the sync fn
    /// around it either.
    fn with_executor(&mut self, executor: Option<Executor>, f: impl FnOnce(&mut Self)) {
        self.with_context(executor, None, f)
    }

    /// `with_executor`, also telling which sync fn (if any) the code is part of.
    fn with_context(
        &mut self,
        executor: Option<Executor>,
        current_fn: Option<usize>,
        f: impl FnOnce(&mut Self),
    ) {
        let saved = std::mem::replace(&mut self.executor, executor);
        let saved_fn = std::mem::replace(&mut self.current_fn, current_fn);
        let saved_guards = std::mem::take(&mut self.guards);
        self.guards.push_frame();
        f(self);
        self.guards.finish();
        self.diagnostics.append(&mut self.guards.findings);
        self.guards = saved_guards;
        self.current_fn = saved_fn;
        self.executor = saved;
    }

    /// Whether `expr` is a lock call whose guard a `let` would hold
    /// (`m.lock()`, `m.lock().unwrap()`, `m.write()?`, `m.lock().expect(..)`).
    fn is_guard_chain(&self, expr: &Expr) -> bool {
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

    fn visit_while_parts(&mut self, expr: &syn::ExprWhile) {
        let mark = self.guards.mark();
        self.visit_expr(&expr.cond);
        if !matches!(&*expr.cond, Expr::Let(_)) {
            self.guards.release_temporaries(mark);
        }
        self.visit_block(&expr.body);
        self.guards.release_temporaries(mark);
    }

    fn visit_for_loop_parts(&mut self, for_loop: &syn::ExprForLoop) {
        self.visit_expr(&for_loop.expr);
        let iterated = self.infer(&for_loop.expr);
        // `for e in fs::read_dir(d)? {}`: the call is already reported, once is enough.
        let expr_range = CallSite::Iterate(&for_loop.expr).range();
        let reported_inside = self.diagnostics.iter().any(|d| {
            d.primary
                .as_ref()
                .is_some_and(|r| expr_range.start <= r.start && r.end <= expr_range.end)
        });
        let hit = iterated
            .as_ref()
            .and_then(Ty::plain)
            .and_then(|t| self.ctx.catalog.match_iterate(t));
        if let Some(hit) = hit.filter(|_| !reported_inside) {
            self.report(hit, CallSite::Iterate(&for_loop.expr));
        }
        self.scopes.push_block(std::iter::empty());
        self.bind_pattern(&for_loop.pat, None);
        self.visit_block(&for_loop.body);
        self.scopes.pop();
    }

    /// `cpu_loop`: judges a loop in executor code, reports it, and visits it with
    /// `visit` (inner loops of a reported loop are not judged again).
    fn check_loop(
        &mut self,
        looped: cpu_loop::Loop<'_>,
        header: Range<usize>,
        visit: impl FnOnce(&mut Self),
    ) {
        let evidence = match &self.executor {
            Some(_) if !self.in_reported_loop => {
                let heavy = cpu_loop::has_nested_loop(looped)
                    .then(|| self.cpu_heavy_call_in(looped))
                    .flatten();
                cpu_loop::judge(looped, self.ctx.cpu_loop_threshold, heavy)
            }
            _ => None,
        };
        let Some(evidence) = evidence else {
            return visit(self);
        };
        let executor = self.executor.clone().expect("judged only in executor code");
        let level = self.ctx.catalog.level("cpu_loop");
        let mut diagnostic = Diagnostic::new(
            "cpu_loop",
            level,
            "this loop keeps the executor thread busy and never yields",
        );
        diagnostic.primary = Some(header);
        diagnostic.primary_label = Some("no `.await` in this loop".into());
        diagnostic.labels.push(Label {
            range: executor.async_span.clone(),
            message: executor.what.to_string(),
        });
        diagnostic.notes.push(evidence.note());
        let loop_range = looped.range();
        match &evidence {
            cpu_loop::Evidence::Spin(_) => diagnostic.helps.push(
                "wait for the change instead of polling it (`tokio::sync::Notify`, a `watch` or async channel), \
                 or at least `tokio::task::yield_now().await` in the loop"
                    .into(),
            ),
            cpu_loop::Evidence::Endless => diagnostic.helps.push(
                "give the loop an `.await` point (`tokio::task::yield_now().await`), or run it on a thread of its own"
                    .into(),
            ),
            cpu_loop::Evidence::Count(_) | cpu_loop::Evidence::NestedHeavy(_) => {
                // A `for` loop is a statement of type `()`: its rewrite is one too.
                let block = format!("{{ {} }}", &self.text[loop_range.clone()]);
                let offloaded = looped
                    .is_for()
                    .then(|| self.ctx.runtime.offload(&block).map(|call| call + ";"))
                    .flatten();
                if let (Some(rendered), None) = (offloaded, &executor.inline_closure) {
                    diagnostic.suggestion = Some(crate::diagnostic::Suggestion {
                        message: "move the computation to the blocking thread pool".into(),
                        edits: vec![crate::diagnostic::Edit { range: loop_range, replacement: rendered.clone() }],
                        rendered,
                        applicability: crate::diagnostic::Applicability::MaybeIncorrect,
                    });
                }
                diagnostic.helps.push(
                    "if it must stay on the executor, `tokio::task::yield_now().await` every few thousand iterations"
                        .into(),
                );
            }
        }
        self.diagnostics.push(diagnostic);
        let saved = std::mem::replace(&mut self.in_reported_loop, true);
        visit(self);
        self.in_reported_loop = saved;
    }

    /// A call in the `cpu` group of the catalogue, anywhere in the loop, by canonical path.
    fn cpu_heavy_call_in(&self, looped: cpu_loop::Loop<'_>) -> Option<String> {
        struct Calls<'x>(Vec<&'x syn::ExprCall>);
        impl<'ast> Visit<'ast> for Calls<'ast> {
            fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
                self.0.push(call);
                visit::visit_expr_call(self, call);
            }
            fn visit_item(&mut self, _: &'ast Item) {}
        }
        let mut calls = Calls(Vec::new());
        match looped {
            cpu_loop::Loop::Plain(l) => calls.visit_expr_loop(l),
            cpu_loop::Loop::While(w) => calls.visit_expr_while(w),
            cpu_loop::Loop::For(f) => calls.visit_expr_for_loop(f),
        }
        calls
            .0
            .into_iter()
            .find_map(|call| match self.callee(call)? {
                Resolution::External(path) => {
                    let hit = self.ctx.catalog.match_path(&path)?;
                    (hit.lint.group == "cpu").then_some(path)
                }
                _ => None,
            })
    }

    /// Guards passed by value to a call are moved away once the call is made.
    fn guards_moved_by<'x>(&mut self, args: impl Iterator<Item = &'x Expr>) {
        let names: Vec<String> = args
            .filter_map(|arg| match peel(arg) {
                Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                _ => None,
            })
            .collect();
        names.iter().for_each(|name| self.guards.moved(name));
    }

    fn visit_fn(
        &mut self,
        attrs: &[Attribute],
        sig: &syn::Signature,
        body: &syn::Block,
        kind: FnKind,
    ) {
        if self.is_test_code(attrs) {
            return;
        }
        let name = sig.ident.to_string();
        let (path, display) = match kind {
            FnKind::Free if self.scopes.at_module_level() => {
                let mut segments = self.scopes.current_module().to_vec();
                segments.push(name.clone());
                let path = LocalPath {
                    anchor: Anchor::File { up: 0 },
                    segments,
                };
                (Some(path), name.clone())
            }
            FnKind::Method => {
                let path = (self.self_path.as_ref()).map(|p| p.joined(std::slice::from_ref(&name)));
                let display = match &self.self_path {
                    Some(p) => format!("{}::{name}", p.segments.last().map_or("Self", |s| s)),
                    None => name.clone(),
                };
                (path, display)
            }
            _ => (None, name.clone()),
        };
        let fn_index = path.map(|path| {
            self.summary.fns.push(FnSummary {
                path,
                display: display.clone(),
                self_type: (kind == FnKind::Method)
                    .then(|| self.self_path.as_ref()?.segments.last().cloned())
                    .flatten(),
                trait_impl: kind == FnKind::Method && self.in_trait_impl,
                line: self.line_of(range(sig.ident.span()).start),
                is_async: sig.asyncness.is_some(),
                declared: summary::declared(attrs),
                blocks: Vec::new(),
                calls: Vec::new(),
            });
            self.summary.fns.len() - 1
        });
        let current_fn = fn_index.filter(|_| sig.asyncness.is_none());
        let saved_enclosing = self.enclosing_fn.replace(display);
        let executor = sig.asyncness.map(|token| Executor {
            async_span: range(token.span),
            what: "this `async fn` runs on the executor",
            inline_closure: None,
        });
        let saved_names =
            std::mem::replace(&mut self.offloaded_names, offload::offloaded_names(body));
        self.scopes.push_block(std::iter::empty());
        for input in &sig.inputs {
            match input {
                syn::FnArg::Typed(arg) => self.bind_typed(arg, None),
                syn::FnArg::Receiver(_) => {
                    self.scopes.add_local("self".into(), self.self_ty.clone())
                }
            }
        }
        self.with_context(executor, current_fn, |this| this.visit_block(body));
        self.scopes.pop();
        self.offloaded_names = saved_names;
        self.enclosing_fn = saved_enclosing;
    }

    /// Whom a call path names among the crate's own fns, when that can be told.
    fn local_callee(&self, path: &syn::Path) -> Option<Callee> {
        let first = path.segments.first()?.ident.to_string();
        if first == "Self" {
            let rest: Vec<String> = path
                .segments
                .iter()
                .skip(1)
                .map(|s| s.ident.to_string())
                .collect();
            return Some(Callee::Path(self.self_path.as_ref()?.joined(&rest)));
        }
        self.scopes.resolve_local(path).map(Callee::Path)
    }

    /// Notes a call to a fn of the crate: an edge of the current sync fn, or, on the
    /// executor, a finding to make if the callee blocks.
    fn record_call(&mut self, callee: Callee, site: CallSite<'_>, awaited: bool) {
        if let Some(index) = self.current_fn {
            let line = self.line_of(site.primary_range().start);
            self.summary.fns[index].calls.push(CallRef { callee, line });
            return;
        }
        let Some(executor) = &self.executor else {
            return;
        };
        let call = ExecutorCall {
            callee,
            caller: (self.enclosing_fn.clone()).unwrap_or_else(|| "this code".into()),
            call: site.range(),
            primary: site.primary_range(),
            async_span: executor.async_span.clone(),
            what: executor.what,
            inline_closure: executor.inline_closure.clone(),
            awaited,
        };
        self.summary.executor_calls.push(call);
    }

    /// A blocking call outside executor code: part of the current sync fn's summary,
    /// when its lint is one that makes a caller block too.
    fn record_blocking(&mut self, hit: Hit<'c>, site: CallSite<'_>) {
        let Some(index) = self.current_fn else {
            return;
        };
        let lint = hit.lint;
        let propagates =
            matches!(lint.group.as_str(), "blocking" | "correctness") && lint.level != Level::Allow;
        if hit.matcher.ignore || !propagates {
            return;
        }
        let call = BlockingCall {
            lint: lint.id.clone(),
            callee: hit.path.to_string(),
            line: self.line_of(site.primary_range().start),
            async_equivalent: hit.matcher.template(self.ctx.runtime).is_some()
                || hit.matcher.rebase.is_some(),
        };
        self.summary.fns[index].blocks.push(call);
    }

    /// Declares the variables a pattern binds; only a plain identifier gets `ty`.
    /// `pat: Type` (a fn parameter, a closure input, an annotated `let`): the annotation
    /// wins over the inferred `ty`.
    fn bind_typed(&mut self, p: &syn::PatType, ty: Option<Ty>) {
        if let Some(inner) = self.newtype_field(&p.pat, &p.ty) {
            // `State(state): State<Arc<AppState>>`: the wrapper destructured.
            if let Pat::TupleStruct(ts) = &*p.pat {
                self.bind_pattern(&ts.elems[0], Some(inner));
            }
            return;
        }
        let annotated = self.scopes.resolve_type(&p.ty);
        self.bind_pattern(&p.pat, annotated.or(ty));
    }

    fn bind_pattern(&mut self, pat: &Pat, ty: Option<Ty>) {
        match pat {
            Pat::Ident(p) => {
                self.scopes.add_local(p.ident.to_string(), ty);
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pattern(sub, None);
                }
            }
            Pat::Type(p) => self.bind_typed(p, ty),
            Pat::Reference(p) => self.bind_pattern(&p.pat, ty),
            Pat::Paren(p) => self.bind_pattern(&p.pat, ty),
            Pat::Tuple(p) => {
                for (index, elem) in p.elems.iter().enumerate() {
                    self.bind_pattern(elem, ty.as_ref().and_then(|t| t.element(index)));
                }
            }
            Pat::TupleStruct(p) => p.elems.iter().for_each(|e| self.bind_pattern(e, None)),
            Pat::Slice(p) => p.elems.iter().for_each(|e| self.bind_pattern(e, None)),
            Pat::Or(p) => p.cases.iter().for_each(|e| self.bind_pattern(e, None)),
            Pat::Struct(p) => p
                .fields
                .iter()
                .for_each(|f| self.bind_pattern(&f.pat, None)),
            _ => {}
        }
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
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::Type(inner) => self.scopes.resolve_type(inner),
            _ => None,
        })
    }

    /// The receiver type of `expr`, when it is known for certain.
    fn infer(&self, expr: &Expr) -> Option<Ty> {
        self.infer_within(expr, INFER_DEPTH)
    }

    /// `infer`, looking at most `depth` expressions down: every method call infers its
    /// receiver, so an unbounded look would make a long chain quadratic.
    fn infer_within(&self, expr: &Expr, depth: usize) -> Option<Ty> {
        let depth = depth.checked_sub(1)?;
        let infer = |e: &Expr| self.infer_within(e, depth);
        match expr {
            Expr::Paren(e) => infer(&e.expr),
            Expr::Group(e) => infer(&e.expr),
            Expr::Reference(e) => infer(&e.expr),
            Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => self
                .scopes
                .local_type(&p.path.segments[0].ident.to_string())?
                .cloned(),
            Expr::Call(call) => match self.callee(call)? {
                Resolution::External(path) => {
                    let arg0 = call.args.first().and_then(&infer);
                    let declared = self.ctx.catalog.return_type(&path)?;
                    declared.instantiate(arg0.as_ref().and_then(Ty::plain), None)
                }
                _ => None,
            },
            Expr::MethodCall(mc) => {
                let receiver = infer(&mc.receiver)?;
                let method = mc.method.to_string();
                match method.as_str() {
                    "unwrap" | "expect" => receiver.unwrapped(),
                    "clone" | "by_ref" => Some(receiver),
                    _ => {
                        let plain = receiver.plain()?;
                        let declared = self
                            .ctx
                            .catalog
                            .return_type(&format!("{plain}::{method}"))?;
                        let arg0 = mc.args.first().and_then(&infer);
                        declared.instantiate(arg0.as_ref().and_then(Ty::plain), Some(plain))
                    }
                }
            }
            Expr::Field(field) => {
                let owner = infer(&field.base)?;
                self.field_type(owner.plain()?, &field.member)
            }
            Expr::Try(e) => infer(&e.expr)?.unwrapped(),
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

    fn callee(&self, call: &syn::ExprCall) -> Option<Resolution> {
        match &*call.func {
            Expr::Path(p) if p.qself.is_none() => Some(self.scopes.resolve_value(&p.path)),
            _ => None,
        }
    }

    /// Visits a call's arguments, running closures among them off the executor.
    fn visit_offloaded_args<'x>(&mut self, args: impl Iterator<Item = &'x Expr>) {
        for arg in args {
            if matches!(arg, Expr::Closure(c) if c.asyncness.is_none()) {
                self.with_executor(None, |this| this.visit_expr(arg));
            } else {
                self.visit_expr(arg);
            }
        }
    }

    fn visit_call(&mut self, call: &syn::ExprCall, awaited: bool) {
        let resolution = self.callee(call);
        if let Some(callee) = self.crate_callee(call, resolution.as_ref()) {
            self.record_call(callee, CallSite::Call(call), awaited);
        }
        let Some(Resolution::External(path)) = &resolution else {
            // A closure handed to a function of this crate (`asyncify(move || ..)`), or to
            // one that cannot be resolved, may well run elsewhere: stay silent inside it.
            self.visit_expr(&call.func);
            self.visit_offloaded_args(call.args.iter());
            return;
        };
        if !awaited {
            let hit = self.ctx.catalog.match_path(path).filter(|hit| {
                let wanted = &hit.matcher.first_arg_types;
                wanted.is_empty() || {
                    let arg0 = call.args.first().and_then(|a| self.infer(a));
                    arg0.as_ref()
                        .and_then(Ty::plain)
                        .is_some_and(|t| wanted.iter().any(|w| w == t))
                }
            });
            if let Some(hit) = hit {
                self.report(hit, CallSite::Call(call));
            }
        }
        if offload::is_offload_fn(path) || self.ctx.offload.contains(path) {
            self.visit_expr(&call.func);
            self.visit_offloaded_args(call.args.iter());
            return;
        }
        if let Some(scope_ty) = offload::scope_param_type(path) {
            self.visit_expr(&call.func);
            for arg in &call.args {
                self.visit_scope_closure(arg, scope_ty);
            }
            return;
        }
        visit::visit_expr_call(self, call);
    }

    /// The fn of this crate or of a workspace member that `call` calls, if known.
    fn crate_callee(
        &self,
        call: &syn::ExprCall,
        resolution: Option<&Resolution>,
    ) -> Option<Callee> {
        if self.current_fn.is_none() && self.executor.is_none() {
            return None;
        }
        let Expr::Path(p) = &*call.func else {
            return None;
        };
        match resolution? {
            // `super::f` from a file's top is beyond what `resolve` sees, not unknown.
            Resolution::Local | Resolution::Unknown => self.local_callee(&p.path),
            Resolution::External(path) => {
                let krate = path.split("::").next()?;
                self.ctx
                    .member_crates
                    .contains(krate)
                    .then(|| Callee::Member(path.split("::").map(String::from).collect()))
            }
        }
    }

    /// The method of this crate that `mc` calls: on `self`, or on a receiver whose
    /// type is one of the crate's, known by name.
    fn method_callee(&self, mc: &syn::ExprMethodCall, receiver: Option<&str>) -> Option<Callee> {
        if self.current_fn.is_none() && self.executor.is_none() {
            return None;
        }
        let method = mc.method.to_string();
        if let Expr::Path(p) = peel(&mc.receiver) {
            if p.path.is_ident("self") {
                if let Some(path) = &self.self_path {
                    return Some(Callee::Path(path.joined(&[method])));
                }
            }
        }
        let ty = receiver?.strip_prefix(LOCAL_TYPE_PREFIX)?;
        Some(Callee::Method {
            ty: ty.to_string(),
            name: method,
        })
    }

    /// A closure whose first parameter is a scope handle of type `scope_ty`.
    fn visit_scope_closure(&mut self, arg: &Expr, scope_ty: &str) {
        let Expr::Closure(closure) = arg else {
            return self.visit_expr(arg);
        };
        self.scopes.push_block(std::iter::empty());
        for (i, input) in closure.inputs.iter().enumerate() {
            let ty = (i == 0).then(|| Ty::named(scope_ty));
            self.bind_pattern(input, ty);
        }
        self.visit_expr(&closure.body);
        self.scopes.pop();
    }

    fn visit_method_call(&mut self, mc: &syn::ExprMethodCall, awaited: bool) {
        let method = mc.method.to_string();
        let receiver_ty = self.infer(&mc.receiver);
        let plain = receiver_ty.as_ref().and_then(Ty::plain);
        if let (Some(executor), Some(ty)) = (&self.executor, plain) {
            if !awaited && guards::takes_guard(ty, &method) {
                let taken = CallSite::Method(mc).primary_range();
                self.guards.take(ty, taken, executor.async_span.clone());
            }
        }
        if !awaited {
            let hit = plain
                .and_then(|ty| self.ctx.catalog.match_method(ty, &method))
                .or_else(|| self.trait_method_hit(&method, plain))
                .or_else(|| self.ctx.catalog.match_method_any(&method));
            if let Some(hit) = hit {
                self.report(hit, CallSite::Method(mc));
            }
        }
        if let Some(callee) = self.method_callee(mc, plain) {
            self.record_call(callee, CallSite::Method(mc), awaited);
        }
        if offload::is_offload_method(&method) {
            self.visit_expr(&mc.receiver);
            self.visit_offloaded_args(mc.args.iter());
            return;
        }
        self.visit_expr(&mc.receiver);
        for arg in &mc.args {
            // `items.iter().map(|p| fs::read(p))`: adapters run their closure inline.
            self.closure_is_method_arg = matches!(arg, Expr::Closure(_));
            self.visit_expr(arg);
            self.closure_is_method_arg = false;
        }
    }

    /// A trait method counts only when exactly one catalogue trait with it is in scope,
    /// and the receiver could implement it: its type is unknown, or it comes from the
    /// trait's crate and the catalogue does not know the method as a builder step
    /// (`HashMap::get` is not `redis::Commands::get`).
    fn trait_method_hit(&self, method: &str, receiver: Option<&str>) -> Option<Hit<'c>> {
        let could_implement = |trait_path: &str| match receiver {
            None => true,
            Some(ty) => {
                let krate = |p: &str| p.split("::").next().unwrap_or_default().to_string();
                krate(ty) == krate(trait_path)
                    && self
                        .ctx
                        .catalog
                        .return_type(&format!("{ty}::{method}"))
                        .is_none()
            }
        };
        let mut in_scope = self
            .ctx
            .catalog
            .trait_methods(method)
            .filter(|(trait_path, _)| {
                could_implement(trait_path) && self.scopes.trait_in_scope(trait_path)
            });
        let first = in_scope.next()?;
        in_scope.next().is_none().then_some(first.1)
    }

    fn report(&mut self, hit: Hit<'c>, site: CallSite<'_>) {
        let Some(executor) = self.executor.clone() else {
            return self.record_blocking(hit, site);
        };
        if hit.matcher.ignore {
            return;
        }
        let lint = hit.lint;
        let template = (hit.matcher.message.as_deref())
            .or(lint.message.as_deref())
            .unwrap_or("`{callee}` blocks the executor thread");
        let mut diagnostic =
            Diagnostic::new(&lint.id, lint.level, template.replace("{callee}", hit.path));
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
        suggest::attach(
            &mut diagnostic,
            hit,
            site,
            self.text,
            self.ctx.runtime,
            in_closure,
            &self.scopes,
        );
        self.diagnostics.push(diagnostic);
    }

    /// A standard-library macro the catalogue knows (`println!`).
    fn check_macro(&mut self, mac: &syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let Some(hit) = self.ctx.catalog.match_macro(&name) else {
            return;
        };
        let from_std = match self.scopes.resolve(&mac.path) {
            Resolution::External(path) => path == format!("std::{name}"),
            // Unimported single names are the prelude's.
            Resolution::Unknown => mac.path.segments.len() == 1,
            Resolution::Local => false,
        };
        if from_std {
            self.report(hit, CallSite::Macro(mac));
        }
    }

    /// Code inside macros is analysed when its tokens parse as Rust: `select!` arms,
    /// comma-separated expressions (`format!`, `join!`, `assert!`), or statements.
    /// Anything else stays unread, so it can only be missed, never misreported.
    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "select" {
            if let Ok(arms) = mac.parse_body_with(macros::parse_select) {
                for arm in &arms {
                    self.visit_select_arm(arm);
                }
            }
            return;
        }
        if name == "matches" {
            if let Ok(exprs) = mac.parse_body_with(macros::parse_matches) {
                exprs.iter().for_each(|e| self.visit_expr(e));
            }
            return;
        }
        let exprs = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = mac.parse_body_with(exprs) {
            exprs.iter().for_each(|e| self.visit_expr(e));
        } else if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            self.scopes.push_block(std::iter::empty());
            stmts.iter().for_each(|s| self.visit_stmt(s));
            self.scopes.pop();
        }
    }

    /// `pattern = future (if guard)? => handler`: the future is polled by the macro,
    /// so a call written there is awaited.
    fn visit_select_arm(&mut self, arm: &macros::SelectArm) {
        if let Some(future) = &arm.future {
            match peel(future) {
                Expr::Call(call) => self.visit_call(call, true),
                Expr::MethodCall(mc) => self.visit_method_call(mc, true),
                other => self.visit_expr(other),
            }
        }
        if let Some(guard) = &arm.guard {
            self.visit_expr(guard);
        }
        self.scopes.push_block(std::iter::empty());
        if let Some(pat) = &arm.pat {
            self.bind_pattern(pat, None);
        }
        self.visit_expr(&arm.handler);
        self.scopes.pop();
    }
}

impl<'ast> Visit<'ast> for Analyzer<'_, '_> {
    fn visit_item(&mut self, item: &'ast Item) {
        if self.is_test_code(test_code::item_attrs(item)) {
            return;
        }
        // A nested item is its own code: it does not run where it is written.
        self.with_executor(None, |this| match item {
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    this.enter_module(Some(m.ident.to_string()), items);
                    items.iter().for_each(|i| this.visit_item(i));
                    this.scopes.pop();
                }
            }
            _ => visit::visit_item(this, item),
        });
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.visit_fn(&f.attrs, &f.sig, &f.block, FnKind::Free);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.visit_fn(&f.attrs, &f.sig, &f.block, FnKind::Method);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(body) = &f.default {
            self.visit_fn(&f.attrs, &f.sig, body, FnKind::TraitDefault);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if self.is_test_code(&i.attrs) {
            return;
        }
        let self_ty = self.scopes.resolve_type(&i.self_ty);
        let saved = std::mem::replace(&mut self.self_ty, self_ty);
        let self_path = match &*i.self_ty {
            syn::Type::Path(tp) if tp.qself.is_none() => self.scopes.resolve_local(&tp.path),
            _ => None,
        };
        let saved_path = std::mem::replace(&mut self.self_path, self_path);
        let saved_trait = std::mem::replace(&mut self.in_trait_impl, i.trait_.is_some());
        for item in &i.items {
            match item {
                syn::ImplItem::Fn(f) => self.visit_impl_item_fn(f),
                syn::ImplItem::Const(c) => self.visit_expr(&c.expr),
                _ => {}
            }
        }
        self.self_ty = saved;
        self.self_path = saved_path;
        self.in_trait_impl = saved_trait;
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = block.stmts.iter().filter_map(|stmt| match stmt {
            Stmt::Item(item) => Some(item),
            _ => None,
        });
        self.scopes.push_block(items);
        self.guards.push_frame();
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        self.guards.pop_frame();
        self.scopes.pop();
    }

    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        // Temporaries, lock guards among them, live to the end of their statement.
        let mark = self.guards.mark();
        match stmt {
            Stmt::Local(local) => return self.visit_local(local),
            Stmt::Item(item) => self.visit_item(item),
            Stmt::Expr(expr, _) => self.visit_expr(expr),
            Stmt::Macro(mac) => self.visit_macro(&mac.mac),
        }
        self.guards.release_temporaries(mark);
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        // An `if` condition drops its temporaries before the body runs; `if let` does not.
        let mark = self.guards.mark();
        self.visit_expr(&expr.cond);
        if !matches!(&*expr.cond, Expr::Let(_)) {
            self.guards.release_temporaries(mark);
        }
        self.visit_block(&expr.then_branch);
        if let Some((_, else_branch)) = &expr.else_branch {
            self.visit_expr(else_branch);
        }
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        let header = range(expr.while_token.span).start..expr.cond.span().byte_range().end;
        self.check_loop(cpu_loop::Loop::While(expr), header, |this| {
            this.visit_while_parts(expr)
        });
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let mut ty = None;
        let mark = self.guards.mark();
        if let Some(init) = &local.init {
            let offloaded_closure = matches!(&*init.expr, Expr::Closure(c) if c.asyncness.is_none())
                && pattern_ident(&local.pat)
                    .is_some_and(|name| self.offloaded_names.contains(&name));
            if offloaded_closure {
                self.with_executor(None, |this| this.visit_expr(&init.expr));
            } else {
                self.visit_expr(&init.expr);
            }
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
            ty = self.infer(&init.expr);
        }
        // `let g = m.lock().unwrap();` holds the guard; `let _ = m.lock();` drops it at once.
        let holder = local
            .init
            .as_ref()
            .filter(|init| self.is_guard_chain(&init.expr));
        match (holder, pattern_ident(&local.pat)) {
            (Some(_), Some(name)) => self.guards.bind(mark, name),
            _ => self.guards.release_temporaries(mark),
        }
        self.bind_pattern(&local.pat, ty);
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        // A sync closure is part of a sync fn's body only when an adapter method runs
        // it there; one stored, returned or registered may run anywhere.
        let inline_in_fn = std::mem::take(&mut self.closure_is_method_arg);
        let current_fn = self
            .current_fn
            .filter(|_| inline_in_fn && closure.asyncness.is_none());
        let executor = if let Some(token) = closure.asyncness {
            Some(Executor {
                async_span: range(token.span),
                what: "this async closure runs on the executor",
                inline_closure: None,
            })
        } else {
            self.executor.clone().map(|mut executor| {
                executor.inline_closure =
                    Some(range(closure.or1_token.span).start..range(closure.or2_token.span).end);
                executor
            })
        };
        self.scopes.push_block(std::iter::empty());
        for input in &closure.inputs {
            self.bind_pattern(input, None);
        }
        self.with_context(executor, current_fn, |this| this.visit_expr(&closure.body));
        self.scopes.pop();
    }

    fn visit_expr_async(&mut self, block: &'ast syn::ExprAsync) {
        let executor = Executor {
            async_span: range(block.async_token.span),
            what: "this `async` block runs on the executor",
            inline_closure: None,
        };
        self.with_executor(Some(executor), |this| this.visit_block(&block.block));
    }

    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        match peel(&expr.base) {
            Expr::Call(call) => self.visit_call(call, true),
            Expr::MethodCall(mc) => self.visit_method_call(mc, true),
            _ => self.visit_expr(&expr.base),
        }
        let at = range(expr.dot_token.span).start..range(expr.await_token.span).end;
        self.guards.awaited(at);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        self.visit_call(call, false);
        self.guards_moved_by(call.args.iter());
    }

    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        self.visit_method_call(mc, false);
        self.guards_moved_by(mc.args.iter());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if self.executor.is_some() {
            self.check_macro(mac);
            self.visit_macro_body(mac);
        } else if self.file_has_async && macros::mentions_async(&mac.tokens) {
            // Outside executor code a macro matters only if it holds an async block.
            self.visit_macro_body(mac);
        }
    }

    fn visit_expr_for_loop(&mut self, for_loop: &'ast syn::ExprForLoop) {
        let header = range(for_loop.for_token.span).start..for_loop.expr.span().byte_range().end;
        self.check_loop(cpu_loop::Loop::For(for_loop), header, |this| {
            this.visit_for_loop_parts(for_loop)
        });
    }

    fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
        let header = range(expr.loop_token.span);
        self.check_loop(cpu_loop::Loop::Plain(expr), header, |this| {
            this.visit_block(&expr.body)
        });
    }
}

/// The expression inside any parentheses or invisible groups.
pub fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(e) => peel(&e.expr),
        Expr::Group(e) => peel(&e.expr),
        _ => expr,
    }
}

fn pattern_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) => Some(p.ident.to_string()),
        Pat::Type(p) => pattern_ident(&p.pat),
        _ => None,
    }
}
