//! What one file tells the crate-wide pass: its fns (what each blocks on directly,
//! whom each calls) and the calls its executor code makes to the crate's own fns.
//!
//! Summaries hold no syntax: paths, names and line numbers only, so that the pass
//! over a whole workspace works on small data.
use crate::rules::owned::Plan;
pub use crate::semantic::conditions::{Arg, ParamIs};
use std::ops::Range;

use crate::semantic::local_path::LocalPath;
use crate::semantic::model::Executor;

/// A file's contribution to the call graph.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, Clone)]
pub struct FileSummary {
    pub fns: Vec<FnSummary>,
    /// Calls made on the executor to fns of this crate or workspace, each with its
    /// finding prepared, to be reported if the callee turns out to block.
    pub executor_calls: Vec<ExecutorCall>,
    /// `pub use` items of the file's modules: what a path through them names.
    pub reexports: Vec<Reexport>,
    /// Closures executor code hands to the crate's own fns, whose findings stand only
    /// if the fn calls that parameter itself.
    #[serde(default)]
    pub inline_closures: Vec<InlineClosure>,
    /// The names of the methods the file calls that name no known fn, except those
    /// awaited on the executor (which are `executor_calls` of `Callee::AnyMethod`):
    /// each may build the future of any trait method of the name for someone else to
    /// run. Sorted, once each.
    #[serde(default)]
    pub unseen_method_names: Vec<String>,
    /// The impls of the crate's traits in the file: the type's name (`None` for a
    /// blanket impl on a type parameter) and the trait.
    #[serde(default)]
    pub trait_impls: Vec<(Option<String>, LocalPath)>,
    /// The names of the traits of impls whose trait the file's names did not resolve
    /// (`use crate::store::*; impl Fs for Memory`): what a call through a trait of that
    /// name may reach is then not known.
    #[serde(default)]
    pub unresolved_trait_impls: Vec<String>,
}

/// A sync closure executor code passes to a fn of the crate (`digest(kind, || fs::read(p))`):
/// the findings in it are the caller's if the fn calls the closure in its own body
/// (`FnSummary::inline_params`), and are dropped otherwise.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone)]
pub struct InlineClosure {
    pub callee: Callee,
    /// Which of the callee's inputs it is (`self` counts, as in `inline_params`).
    pub input: usize,
    /// The primary ranges of the findings made in it.
    pub findings: Vec<Range<usize>>,
}

impl FileSummary {
    /// Gives back the room its lists grew into: summaries live for the whole
    /// crate-wide pass, thousands at a time.
    pub fn shrink(&mut self) {
        for f in &mut self.fns {
            f.blocks.shrink_to_fit();
            f.calls.shrink_to_fit();
            f.prefix_findings.shrink_to_fit();
            f.body_findings.shrink_to_fit();
            f.sole_body_findings.shrink_to_fit();
        }
        self.fns.shrink_to_fit();
        self.executor_calls.shrink_to_fit();
        self.reexports.shrink_to_fit();
        self.inline_closures.shrink_to_fit();
        self.unseen_method_names.sort_unstable();
        self.unseen_method_names.dedup();
        self.unseen_method_names.shrink_to_fit();
    }
}

impl FnSummary {
    /// Whether it calls its input `input` (a closure) in its own body.
    pub fn calls_inline(&self, input: usize) -> bool {
        input_bit(input).is_some_and(|bit| self.inline_params & bit != 0)
    }

    /// Notes that it calls its input `input` in its own body (past the 64th input, it
    /// is not noted: the silent side).
    pub fn note_calls_inline(&mut self, input: usize) {
        if let Some(bit) = input_bit(input) {
            self.inline_params |= bit;
        }
    }
}

/// An input's bit in `FnSummary::inline_params`.
fn input_bit(input: usize) -> Option<u64> {
    1u64.checked_shl(u32::try_from(input).ok()?)
}

/// `pub use path::name;`, `pub use path::name as alias;` or `pub use path::*;` in a
/// module of the file.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone)]
pub struct Reexport {
    /// The module it is written in, from the file's module.
    pub module: LocalPath,
    /// The name it makes visible there; `None` for a glob.
    pub name: Option<String>,
    /// The item it names (for a glob, the module whose items it makes visible).
    pub target: LocalPath,
}

/// One fn or method with a path the rest of the crate can name it by.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone)]
pub struct FnSummary {
    /// From this file's module: `[Store, open]`, `[inline_mod, helper]`.
    pub path: LocalPath,
    /// How a chain shows it: `load_config`, `Store::open`.
    pub display: String,
    /// The name of the impl's type, for methods.
    pub self_type: Option<String>,
    /// An `impl Trait for Type` method (an inherent method of the same name wins).
    pub trait_impl: bool,
    /// For such a method, the trait's path when it is the crate's own: the types that
    /// implement a trait have its default methods, and a call through the trait may
    /// reach this one.
    #[serde(default)]
    pub impl_of: Option<Box<LocalPath>>,
    /// A trait's default method (its `self_type` is the trait's name): an impl may
    /// override it.
    #[serde(default)]
    pub trait_default: bool,
    /// A sync fn that returns a runtime it builds with the current-thread flavor.
    #[serde(default)]
    pub makes_current_thread_runtime: bool,
    pub line: usize,
    pub is_async: bool,
    /// It takes `self`: a method call (`x.name()`) may reach it.
    #[serde(default)]
    pub takes_self: bool,
    /// Its return type, as spelled, may not cross threads (a borrow, `Rc`, a trait
    /// object or `impl Trait` without `Send`): no `spawn_blocking` around a call of it.
    pub returns_unsendable: bool,
    /// For a method or associated fn: the crate type its declared return type names
    /// (`Self`, `Result<Self>`, `Arc<Store>`, `&Cache`, `Option<Entry>`), by name: a
    /// method call on what it returns is one of that type's.
    #[serde(default)]
    pub returns: Option<String>,
    pub declared: Option<Declared>,
    /// The inputs (`self` counts) that are closures it calls in its own body, on its
    /// caller's thread (`f: impl FnOnce() -> T` and `f()`), one bit each (summaries
    /// are many: a list would cost more).
    #[serde(default)]
    pub inline_params: u64,
    /// Calls in its body, outside closures that leave the thread, that block.
    pub blocks: Vec<BlockingCall>,
    pub calls: Vec<CallRef>,
    /// For an async fn: where its findings of the blocking and cpu groups are, when made
    /// before its first `.await` or spawn (startup code if the fn is entered only from
    /// startup code).
    pub prefix_findings: Vec<Range<usize>>,
    /// For an async fn: the blocking or cpu findings in its own body, outside code that
    /// polls futures of its own (main-thread code if the fn is only awaited from there).
    pub body_findings: Vec<Range<usize>>,
    /// For an async fn: those findings in its own body before its first spawn (startup
    /// code if the fn is only awaited from a current-thread runtime's sole task).
    pub sole_body_findings: Vec<Range<usize>>,
}

/// What the user said a fn does, overriding its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Declared {
    /// `#[diagnostic::blocking]` or a doc line `unblock: blocking`.
    Blocking,
    /// A doc line `unblock: nonblocking`: it looks blocking but is not (stops the chain).
    Nonblocking,
}

/// A catalogued blocking call made directly in a fn's body.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BlockingCall {
    pub lint: String,
    /// The callee as the catalogue names it: `std::fs::read_to_string`.
    pub callee: String,
    pub line: usize,
    /// The runtime has an async equivalent the helper could use instead.
    pub async_equivalent: bool,
    /// Made only where the fn's parameters hold these constants (see `ParamIs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guard: Vec<ParamIs>,
}

/// The constants side of a call, when it has one: the conditions it is made under and
/// what it passes (boxed: most calls have neither).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CallConstants {
    pub guard: Vec<ParamIs>,
    /// The arguments as written: after the receiver of a method call, all of a path
    /// call's (`Type::method(x, ..)` passes the receiver first).
    pub args: Vec<Arg>,
    pub path_call: bool,
}

/// Whom a call goes to, as far as the file can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Callee {
    /// A fn or `Type::method` of this crate.
    Path(LocalPath),
    /// A method on a receiver whose type is known by name only (`state.store.load()`).
    Method { ty: String, name: String },
    /// A method on what a crate type's associated fn returned (`Banner::new(..)
    /// .check()`): followed once `ty::via` is known to return the type.
    Returned(Box<ReturnedCallee>),
    /// A path into another crate of the workspace: `[other_member, db, query]`.
    Member(Vec<String>),
    /// A method on a receiver whose type another crate of the workspace declares (a
    /// binary calling its library's types): `db::Pool::query` of `other_member`.
    MemberMethod(Box<MemberMethod>),
    /// A method of one of the crate's traits, on a value known only to implement it
    /// (`fs: &impl Fs`, `Box<dyn Fs>`, `T: Fs`): it blocks if every impl it may reach
    /// in the crate blocks.
    Dispatch { tr: String, name: String },
    /// A method the file cannot tie to a fn of the crate (`storage.prepare()` on the
    /// `Box<dyn Storage>` a factory returned, or on a generic). Never followed: it only counts as a
    /// possible caller of every method of the name when the pass asks where an async fn
    /// is entered from.
    AnyMethod(String),
}

/// `Callee::Returned` (boxed: calls are many, and most are of the small kinds).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ReturnedCallee {
    /// The workspace crate that declares `ty`, when it is not this one.
    pub krate: Option<String>,
    pub ty: String,
    pub via: String,
    pub name: String,
}

/// `Callee::MemberMethod`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct MemberMethod {
    pub krate: String,
    pub ty: String,
    pub name: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CallRef {
    pub callee: Callee,
    pub line: usize,
    /// Made on the way out of the process (see `semantic::exit_tail`): it blocks the
    /// caller only if the callee does more than file-system work.
    #[serde(default)]
    pub exit_tail: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constants: Option<Box<CallConstants>>,
}

/// A call on the executor to a fn of the crate: where it is and why it runs on the
/// executor, for the finding the crate-wide pass makes if the callee blocks.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone)]
pub struct ExecutorCall {
    pub callee: Callee,
    /// The fn the call is written in, for the first link of the chain.
    pub caller: String,
    /// The whole call expression, and where the caret goes.
    pub call: Range<usize>,
    pub primary: Range<usize>,
    /// Why the call runs on the executor (the `async` that puts it there, the closure
    /// it runs inline in, whether it is startup code).
    pub context: std::sync::Arc<Executor>,
    /// `.await`ed at once: the callee returns a future, so offloading the call would
    /// only move the future.
    pub awaited: bool,
    /// Made on the way out of the process: reported only if the callee does more than
    /// file-system work.
    #[serde(default)]
    pub exit_tail: bool,
    /// The future of a `LocalSet::run_until(..)`: this task polls it on this thread,
    /// beside the local tasks it spawns.
    #[serde(default)]
    pub local_set: bool,
    /// A fn handed to a framework hook that calls it on the executor
    /// (`Files::files_listing_renderer`): its signature is the framework's, so neither
    /// a rewrite nor an `async fn` applies.
    #[serde(default)]
    pub hook: bool,
    /// What the rewrite needs if the callee blocks (worked out here, where the
    /// variables the call uses are known); `None` when no rewrite applies (an awaited
    /// call, or one in a closure that runs inline).
    pub offload: Option<Plan>,
    /// The constants it passes, and in an async fn's own body the tests of the fn's
    /// parameters it is made under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constants: Option<Box<CallConstants>>,
}

/// Whether a return type, as spelled, may fail to be `Send + 'static`: a borrow (not
/// `'static`), `Rc`, a guard, a raw pointer, or a trait object or `impl Trait` whose
/// bounds do not say `Send` (`Box<dyn Error>`). Other types are assumed to cross.
pub fn unsendable(output: &syn::ReturnType) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    fn says_send<'a>(bounds: impl IntoIterator<Item = &'a syn::TypeParamBound>) -> bool {
        bounds.into_iter().any(|b| {
            matches!(b, syn::TypeParamBound::Trait(t)
                if t.path.segments.last().is_some_and(|s| s.ident == "Send"))
        })
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type(&mut self, ty: &'ast syn::Type) {
            match ty {
                syn::Type::Reference(r)
                    if r.lifetime.as_ref().is_none_or(|l| l.ident != "static") =>
                {
                    self.0 = true
                }
                syn::Type::Ptr(_) => self.0 = true,
                syn::Type::TraitObject(t) if !says_send(&t.bounds) => self.0 = true,
                syn::Type::ImplTrait(t) if !says_send(&t.bounds) => self.0 = true,
                syn::Type::Path(p) => {
                    const NOT_SEND: &[&str] = &[
                        "Rc",
                        "MutexGuard",
                        "RwLockReadGuard",
                        "RwLockWriteGuard",
                        "Ref",
                        "RefMut",
                    ];
                    if (p.path.segments.last())
                        .is_some_and(|s| NOT_SEND.contains(&s.ident.to_string().as_str()))
                    {
                        self.0 = true;
                    }
                    syn::visit::visit_type(self, ty);
                }
                _ => syn::visit::visit_type(self, ty),
            }
        }
    }
    let syn::ReturnType::Type(_, ty) = output else {
        return false;
    };
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

/// Reads `#[diagnostic::blocking]` and the `unblock: blocking|nonblocking` doc lines.
pub fn declared(attrs: &[syn::Attribute]) -> Option<Declared> {
    let mut found = None;
    for attr in attrs {
        let path = attr.path();
        let is_blocking_attr = path.segments.len() == 2
            && path.segments[0].ident == "diagnostic"
            && path.segments[1].ident == "blocking";
        if is_blocking_attr {
            found = Some(Declared::Blocking);
            continue;
        }
        if !path.is_ident("doc") {
            continue;
        }
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(doc),
            ..
        }) = &nv.value
        else {
            continue;
        };
        for line in doc.value().lines() {
            if let Some(declared) = doc_line(line) {
                found = Some(declared);
            }
        }
    }
    found
}

fn doc_line(line: &str) -> Option<Declared> {
    let rest = line.trim().strip_prefix("unblock:")?.trim_start();
    let word_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    match &rest[..word_end] {
        "blocking" => Some(Declared::Blocking),
        "nonblocking" | "non-blocking" => Some(Declared::Nonblocking),
        _ => None,
    }
}

/// Whether a return type is the type itself: `Self` or `own` bare, or as the value a
/// `Result`, `Option`, `Box`, `Arc` or `Rc` holds (`io::Result<Self>`, `Arc<Pool>`).
/// Anything else (`Vec<Self>`, `&RwLock<Self>`, `Self::Builder`) is not: a method called
/// on it would be the container's.
pub fn names_own_type(output: &syn::ReturnType, own: Option<&str>) -> bool {
    fn is_own(ty: &syn::Type, own: Option<&str>, depth: usize) -> bool {
        let syn::Type::Path(tp) = ty else {
            return false;
        };
        if tp.qself.is_some() {
            return false;
        }
        let Some(last) = tp.path.segments.last() else {
            return false;
        };
        let name = last.ident.to_string();
        let bare = matches!(last.arguments, syn::PathArguments::None);
        if tp.path.segments.len() == 1 && bare && (name == "Self" || Some(name.as_str()) == own) {
            return true;
        }
        if tp.path.segments.len() == 1 && !bare && Some(name.as_str()) == own {
            return true; // `Pool<T>`: the type with its parameters
        }
        let wrapper = matches!(name.as_str(), "Result" | "Option" | "Box" | "Arc" | "Rc");
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return false;
        };
        let first = crate::syntax::expr::first_type_arg(args);
        wrapper && depth < 2 && first.is_some_and(|ty| is_own(ty, own, depth + 1))
    }
    match output {
        syn::ReturnType::Type(_, ty) => is_own(ty, own, 0),
        syn::ReturnType::Default => false,
    }
}

/// Whether a type names an associated type anywhere (`Self::Output`,
/// `Result<<T as Tr>::Item>`): what it stands for is not the crate type of its name.
pub fn names_associated_type(ty: &syn::Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_path(&mut self, tp: &'ast syn::TypePath) {
            let first = tp.path.segments.first().map(|s| s.ident == "Self");
            if tp.qself.is_some() || (first == Some(true) && tp.path.segments.len() > 1) {
                self.0 = true;
            }
            syn::visit::visit_type_path(self, tp);
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_types_are_the_type_or_a_wrapper_of_it() {
        let own = |text: &str| {
            let sig: syn::Signature = syn::parse_str(&format!("fn f() -> {text}")).unwrap();
            names_own_type(&sig.output, Some("Pool"))
        };
        for yes in [
            "Self",
            "Pool",
            "io::Result<Self>",
            "Option<Pool>",
            "Arc<Self>",
            "anyhow::Result<Box<Self>>",
        ] {
            assert!(own(yes), "{yes}");
        }
        for no in [
            "Vec<Self>",
            "&'static RwLock<Self>",
            "Self::Builder",
            "Builder<Self>",
            "Result<Vec<Pool>>",
            "Other",
        ] {
            assert!(!own(no), "{no}");
        }
    }

    #[test]
    fn return_types_that_may_not_cross_threads() {
        let unsendable_ret = |text: &str| unsendable(&syn::parse_str(text).unwrap());
        assert!(unsendable_ret("-> Result<(), Box<dyn std::error::Error>>"));
        assert!(unsendable_ret("-> &str"));
        assert!(unsendable_ret("-> Rc<Config>"));
        assert!(unsendable_ret("-> impl Iterator<Item = u8>"));
        assert!(!unsendable_ret(
            "-> Result<(), Box<dyn Error + Send + Sync>>"
        ));
        assert!(!unsendable_ret("-> &'static str"));
        assert!(!unsendable_ret("-> anyhow::Result<Vec<String>>"));
        assert!(!unsendable_ret(""));
    }

    fn of(src: &str) -> Option<Declared> {
        let item: syn::ItemFn = syn::parse_str(src).unwrap();
        declared(&item.attrs)
    }

    #[test]
    fn reads_declarations() {
        assert_eq!(
            of("#[diagnostic::blocking] fn f() {}"),
            Some(Declared::Blocking)
        );
        assert_eq!(
            of("/// Loads it.\n///\n/// unblock: blocking -- reads a socket\nfn f() {}"),
            Some(Declared::Blocking)
        );
        assert_eq!(
            of("/// unblock: nonblocking\nfn f() {}"),
            Some(Declared::Nonblocking)
        );
        assert_eq!(
            of("/** unblock: nonblocking */ fn f() {}"),
            Some(Declared::Nonblocking)
        );
        assert_eq!(of("/// unblock: blockingly\nfn f() {}"), None);
        assert_eq!(
            of("/// mentions unblock: blocking mid-line\nfn f() {}"),
            None
        );
        assert_eq!(of("#[inline] fn f() {}"), None);
    }
}
