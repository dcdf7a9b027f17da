//! cargo-unblock: finds code that blocks an async executor thread, from source alone.
//!
//! The pipeline: `workspace` finds the files, `scan` runs each through `source` (read,
//! prefilter), `syn` (parse) and `context` (where code runs, what each call resolves to,
//! which `catalog` lint it hits), and `render` prints the findings.
pub mod catalog;
pub mod cli;
pub mod context;
pub mod diagnostic;
pub mod macros;
pub mod offload;
pub mod render;
pub mod resolve;
pub mod runtime;
pub mod scan;
pub mod source;
pub mod suggest;
pub mod test_code;
pub mod types;
pub mod workspace;
