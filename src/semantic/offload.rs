//! Which closures leave the executor: offload APIs, thread spawners, and callees that
//! cannot be seen into.
use std::collections::HashSet;

use syn::visit::{self, Visit};
use syn::{Expr, Item};

/// Closures passed to these run on another thread or a blocking pool.
const OFFLOAD_FNS: &[&str] = &[
    "tokio::task::spawn_blocking",
    "tokio::task::block_in_place",
    "tokio::runtime::Handle::spawn_blocking",
    "tokio::runtime::Runtime::spawn_blocking",
    "std::thread::spawn",
    "std::thread::Builder::spawn",
    "std::thread::Builder::spawn_scoped",
    "std::thread::Scope::spawn",
    "async_std::task::spawn_blocking",
    "blocking::unblock",
    "smol::unblock",
    "actix_web::web::block",
    "actix_rt::task::spawn_blocking",
    "actix_web::rt::task::spawn_blocking",
    "rayon::spawn",
    "rayon::spawn_fifo",
    "rayon::join",
    "rayon::scope",
    "rayon::scope_fifo",
];

/// Functions and methods with these names offload their closure whatever their path or
/// receiver (re-exports like `rocket::tokio::task::spawn_blocking`, runtime handles,
/// a crate's own wrapper): no API uses these names for running a closure inline.
const OFFLOAD_NAMES: &[&str] = &["spawn_blocking", "block_in_place", "unblock"];

/// Methods that run a sync closure on another thread on every API that has them:
/// thread builders, scoped threads, thread pools.
const THREAD_SPAWN_METHODS: &[&str] =
    &["spawn", "spawn_fifo", "spawn_scoped", "execute", "install"];

/// Calls whose closure runs inline but whose first closure parameter has a known type.
const SCOPE_FNS: &[(&str, &str)] = &[("std::thread::scope", "std::thread::Scope")];

/// Whether a call to the function at `path` runs its closure arguments off the executor.
pub fn is_offload_fn(path: &str) -> bool {
    let name = path.rsplit("::").next().unwrap_or(path);
    OFFLOAD_FNS.contains(&path) || OFFLOAD_NAMES.contains(&name)
}

/// Whether a method of this name runs its closure arguments off the executor.
pub fn is_offload_method(name: &str) -> bool {
    OFFLOAD_NAMES.contains(&name) || THREAD_SPAWN_METHODS.contains(&name)
}

/// The type of the scope handle the closure of a scope function receives.
pub fn scope_param_type(path: &str) -> Option<&'static str> {
    SCOPE_FNS
        .iter()
        .find(|(f, _)| *f == path)
        .map(|(_, ty)| *ty)
}

/// Names passed as plain arguments to a free function or to an offloading method, so a
/// closure bound to such a name (`let work = || ..; spawn_blocking(work)`) is judged
/// like a closure written in place. Over-approximates: it can only silence.
pub fn offloaded_names(body: &syn::Block) -> HashSet<String> {
    struct Collector(HashSet<String>);
    impl Collector {
        fn take<'x>(&mut self, name: Option<String>, args: impl Iterator<Item = &'x Expr>) {
            let offloads =
                |n: &str| OFFLOAD_NAMES.contains(&n) || THREAD_SPAWN_METHODS.contains(&n);
            if name.is_none_or(|n| offloads(&n)) {
                for arg in args {
                    if let Expr::Path(p) = crate::syntax::expr::peel(arg) {
                        if let Some(ident) = p.path.get_ident() {
                            self.0.insert(ident.to_string());
                        }
                    }
                }
            }
        }
    }
    impl<'ast> Visit<'ast> for Collector {
        fn visit_item(&mut self, _: &'ast Item) {}
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            self.take(None, call.args.iter());
            visit::visit_expr_call(self, call);
        }
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            self.take(Some(mc.method.to_string()), mc.args.iter());
            visit::visit_expr_method_call(self, mc);
        }
    }
    let mut collector = Collector(HashSet::new());
    collector.visit_block(body);
    collector.0
}
