//! The semantic layer: what the checker knows about the code at hand while it walks a
//! file: where it runs, what names and receivers resolve to, which lock guards live.
use std::collections::HashSet;

use crate::catalog::runtime::{Features, Runtime};
use crate::catalog::Catalog;

mod branches;
pub mod conditions;
pub mod exit_tail;
mod frame;
pub mod guards;
pub mod infer;
pub mod local_path;
pub mod method_names;
pub mod model;
pub mod offload;
pub mod ownership;
pub mod parent;
pub mod resolve;
pub mod struct_fields;
pub mod test_code;

/// What the analysis of one file needs to know besides its syntax tree.
pub struct FileContext<'c> {
    pub catalog: &'c Catalog,
    pub runtime: Runtime,
    /// The tokio features the package enables: a rewrite needing another is advice.
    pub features: Features,
    /// Report inside test code (`#[cfg(test)]`, `#[test]` fns) too.
    pub include_tests: bool,
    /// Field types of structs declared in other files of the same package.
    pub crate_fields: &'c struct_fields::StructFields,
    /// Literal-range iterations from which a loop without `.await` is reported.
    pub cpu_loop_threshold: u128,
    /// Library crate names of the workspace's members (`other_member::db::query` is
    /// a call into the workspace, not a third-party crate).
    pub member_crates: &'c HashSet<String>,
    /// The names of the file's parent module, when the file is a module that imports
    /// from its parent (`use super::*`) and the parent's file was read.
    pub parent: Option<&'c parent::ParentNames>,
}
