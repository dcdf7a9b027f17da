//! Which closures run where: the callees known to run a closure inline (adapters); any
//! other callee's closure may run elsewhere (offload APIs, thread spawners, pools).
use std::collections::HashSet;

use syn::visit::{self, Visit};
use syn::{Expr, Item};

/// Functions and methods with these names offload their closure whatever their path or
/// receiver (re-exports like `rocket::tokio::task::spawn_blocking`, runtime handles,
/// a crate's own wrapper): no API uses these names for running a closure inline.
const OFFLOAD_NAMES: &[&str] = &["spawn_blocking", "block_in_place", "unblock"];

/// Methods that run a sync closure on another thread on every API that has them:
/// thread builders, scoped threads, thread pools.
const THREAD_SPAWN_METHODS: &[&str] =
    &["spawn", "spawn_fifo", "spawn_scoped", "execute", "install"];

/// Methods that run a sync closure argument inline: at once, or when the value they
/// build is iterated or polled on the same thread (the `Iterator`, `Option`, `Result`,
/// slice, `Vec`, map-entry, `Stream`/`TryFuture` adapters, thread-locals, spans). The
/// closure of any other method may be stored or run elsewhere (a pool's `run`, a
/// connection's `interact` or `call`): it is not assumed to run on the executor.
const INLINE_METHODS: &[&str] = &[
    // Iterator and Stream adapters and consumers.
    "map",
    "filter",
    "filter_map",
    "flat_map",
    "for_each",
    "try_for_each",
    "fold",
    "try_fold",
    "any",
    "all",
    "find",
    "find_map",
    "position",
    "rposition",
    "take_while",
    "skip_while",
    "map_while",
    "inspect",
    "partition",
    "max_by",
    "min_by",
    "max_by_key",
    "min_by_key",
    "scan",
    "reduce",
    "try_reduce",
    "sum_by",
    "count_by",
    "then",
    "map_ok",
    "map_err",
    "and_then",
    "or_else",
    "try_filter",
    "try_filter_map",
    "for_each_concurrent",
    "try_for_each_concurrent",
    "is_sorted_by",
    "is_sorted_by_key",
    // Option and Result.
    "map_or",
    "map_or_else",
    "unwrap_or_else",
    "ok_or_else",
    "is_some_and",
    "is_none_or",
    "is_ok_and",
    "is_err_and",
    "inspect_err",
    "get_or_insert_with",
    "take_if",
    "then_with",
    // Slices, vectors, strings, maps.
    "sort_by",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "sort_by_cached_key",
    "dedup_by",
    "dedup_by_key",
    "retain",
    "retain_mut",
    "binary_search_by",
    "binary_search_by_key",
    "partition_point",
    "chunk_by",
    "split",
    "rsplit",
    "splitn",
    "rsplitn",
    "split_terminator",
    "matches",
    "rmatches",
    "trim_matches",
    "trim_start_matches",
    "trim_end_matches",
    "resize_with",
    "extract_if",
    "or_insert_with",
    "or_insert_with_key",
    "and_modify",
    "get_or_init",
    "get_or_try_init",
    "entry_or_insert_with",
    "update",
    "replace_with",
    // Thread-locals, spans, watch channels.
    "call_once",
    "call_once_force",
    "with",
    "with_borrow",
    "with_borrow_mut",
    "in_scope",
    "send_modify",
    "send_if_modified",
];

/// Functions that run a sync closure argument inline.
const INLINE_FNS: &[&str] = &[
    "std::iter::from_fn",
    "std::iter::repeat_with",
    "std::iter::successors",
    "std::array::from_fn",
    "std::panic::catch_unwind",
    "std::panic::AssertUnwindSafe",
    "futures::stream::poll_fn",
    "futures::future::poll_fn",
    "std::future::poll_fn",
];

/// Calls whose closure runs inline but whose first closure parameter has a known type.
const SCOPE_FNS: &[(&str, &str)] = &[("std::thread::scope", "std::thread::Scope")];

/// Whether a method of this name runs its closure arguments off the executor.
pub fn is_offload_method(name: &str) -> bool {
    OFFLOAD_NAMES.contains(&name) || THREAD_SPAWN_METHODS.contains(&name)
}

/// Whether `path` (a resolved `block_on`) is an executor of its own that runs the
/// future on the calling thread and nothing else there: futures', smol's, pollster's,
/// async-std's (whose spawned tasks run on threads of their own).
pub fn standalone_executor(path: &str) -> bool {
    const CRATES: &[&str] = &[
        "futures",
        "futures_executor",
        "futures_lite",
        "smol",
        "async_io",
        "pollster",
        "async_std",
        "async_global_executor",
    ];
    let krate = path.split("::").next().unwrap_or(path);
    path.ends_with("block_on") && CRATES.contains(&krate)
}

/// Whether a call of this name starts a task that runs beside the caller: `spawn`,
/// `spawn_local`, and a helper named for it (`spawn_stats_printer`, `librqbit_spawn`),
/// which most likely wraps one. `spawn_blocking` runs its closure on another thread.
pub fn spawns_task(name: &str) -> bool {
    matches!(name, "spawn" | "spawn_local")
        || name.starts_with("spawn_") && name != "spawn_blocking"
        || name.ends_with("_spawn")
}

/// Whether a call starts a task, by the last name of its callee's path
/// (`tokio::spawn(..)`, `spawn_actor(..)`).
pub fn call_spawns_task(call: &syn::ExprCall) -> bool {
    let syn::Expr::Path(p) = &*call.func else {
        return false;
    };
    (p.path.segments.last()).is_some_and(|s| spawns_task(&s.ident.to_string()))
}

/// Whether a method of this name runs its closure arguments inline.
pub fn runs_inline_method(name: &str) -> bool {
    INLINE_METHODS.contains(&name)
}

/// Whether a function at this path runs its closure arguments inline.
pub fn runs_inline_fn(path: &str) -> bool {
    INLINE_FNS.contains(&path)
}

/// A sync closure passed as an argument: written in place, or as the value a block
/// ends with (`spawn({ let s = s.clone(); move || run(s) })`).
pub fn is_sync_closure_arg(arg: &Expr) -> bool {
    match crate::syntax::expr::peel(arg) {
        Expr::Closure(c) => c.asyncness.is_none(),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(tail, None)) => is_sync_closure_arg(tail),
            _ => false,
        },
        _ => false,
    }
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
            if name.is_none_or(|n| is_offload_method(&n)) {
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

/// Builder methods of a framework whose fn or closure argument the framework calls on
/// the executor, for each request: that code is executor code wherever it is
/// registered. By receiver type and method, with what the finding says of it.
const EXECUTOR_HOOKS: &[(&str, &str, &str)] = &[
    (
        "actix_files::Files",
        "files_listing_renderer",
        "actix-files calls this renderer on the executor, for each directory listed",
    ),
    (
        "actix_files::Files",
        "path_filter",
        "actix-files calls this filter on the executor, for each request",
    ),
];

/// What the framework does with the fn or closure handed to `ty::method`, when it
/// calls it on the executor.
pub fn executor_hook(ty: &str, method: &str) -> Option<&'static str> {
    (EXECUTOR_HOOKS.iter())
        .find(|(t, m, _)| *t == ty && *m == method)
        .map(|(_, _, what)| *what)
}
