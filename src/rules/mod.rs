//! The rules layer: what is reported, read off the semantic model at the checker's
//! dispatch points; plus the crate-wide call graph and the suppressions.
//!
//! A rule is a function of `(&SemanticModel, &mut Output, the node at hand)`. The plain
//! call-matching lints have no code of their own: `calls` matches every call against
//! the catalogue built from `lints/*.toml`.
use crate::diagnostic::Diagnostic;

pub mod calls;
pub mod cpu_loop;
pub mod lock_across_await;
pub mod owned;
pub mod startup;
pub mod suggest;
pub mod suppress;
pub mod transitive;

/// What the rules emit while the checker walks one file.
#[derive(Debug, Default)]
pub struct Output {
    pub diagnostics: Vec<Diagnostic>,
    /// This file's part of the crate's call graph.
    pub summary: transitive::summary::FileSummary,
    /// The executor context of the last call the summary noted: the calls of one stretch
    /// of code share it rather than each keeping a copy.
    pub last_context: Option<std::sync::Arc<crate::semantic::model::Executor>>,
}
