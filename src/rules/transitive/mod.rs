//! `transitive_blocking`: per-file summaries of the crate's fns, and the crate-wide
//! pass over them.
pub mod graph;
pub mod record;
pub mod summary;
