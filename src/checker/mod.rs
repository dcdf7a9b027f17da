//! The checker: walks one parsed file, keeps the semantic model current and calls the
//! rules at its dispatch points (a call, a method call, a macro, a loop, an `.await`,
//! the end of a body).
use std::collections::HashSet;

use syn::visit::Visit;

use crate::diagnostic::Diagnostic;
use crate::rules::transitive::summary::FileSummary;
use crate::semantic::struct_fields::{relevant_fields, StructFields};
use crate::semantic::FileContext;

mod calls;
mod channels;
mod entry;
mod inline;
mod locals;
mod loops;
mod polling;
mod prescan;
mod runtimes;
mod visitor;

use visitor::Checker;

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

/// Analyses one parsed file and returns its findings.
pub fn analyze(file: &syn::File, text: &str, ctx: &FileContext<'_>) -> Analysis {
    let mut checker = Checker::new(ctx, text);
    if !checker.model.is_test_code(&file.attrs) {
        checker.model.enter_module(None, &file.items);
        for item in &file.items {
            checker.visit_item(item);
        }
    }
    let mut diagnostics = checker.out.diagnostics;
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Analysis {
        diagnostics,
        wanted_structs: checker.model.wanted_structs.into_inner(),
        struct_fields: relevant_fields(checker.model.struct_fields, ctx.catalog),
        summary: checker.out.summary,
    }
}
