//! cargo-unblock: finds code that blocks an async executor thread, from source alone.
//!
//! The pipeline: `workspace` finds the files and each package's `config` (as
//! `settings`); `scan` runs each through `source` (read, prefilter), `syn` (parse) and
//! `context` (where code runs, with `offload` telling which closures leave the
//! executor and `test_code` which items are tests; what each call resolves to through
//! `resolve`; receiver types through `types`; which `catalog` lint it hits), then the
//! package-wide passes: struct fields declared in other files, and `transitive` (the
//! call graph of `summary`s over the `modtree`); `suppress` and `baseline` filter;
//! `suggest` turns hits into rewrites and `render` prints them.
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod context;
pub mod cpu_loop;
pub mod diagnostic;
pub mod guards;
pub mod macros;
pub mod modtree;
pub mod offload;
pub mod render;
pub mod resolve;
pub mod runtime;
pub mod scan;
pub mod settings;
pub mod source;
pub mod suggest;
pub mod summary;
pub mod suppress;
pub mod test_code;
pub mod transitive;
pub mod types;
pub mod workspace;
