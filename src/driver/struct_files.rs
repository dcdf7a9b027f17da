//! What one unchecked file of a package declares: the fields of its structs, its type
//! aliases and its fns' return types, from a parse of its items without their bodies.
use std::collections::HashSet;

use super::cache::Kind;
use super::check::{guarded, Checked};
use super::scan::{Shared, DEFAULT_CPU_LOOP_THRESHOLD};
use super::workspace::ScanFile;
use crate::semantic::struct_fields::{self, StructFields};
use crate::semantic::FileContext;
use crate::syntax::{nesting, skeleton, source};

/// The fields of every struct one file declares (cached as the file's `Fields`).
pub(super) fn file_struct_fields(file: &ScanFile, text: &str, shared: &Shared<'_>) -> StructFields {
    let no_fields = StructFields::new();
    let no_members = HashSet::new();
    let ctx = FileContext {
        catalog: shared.catalog,
        runtime: file.runtime,
        features: crate::catalog::runtime::Features::UNKNOWN,
        include_tests: true,
        crate_fields: &no_fields,
        cpu_loop_threshold: DEFAULT_CPU_LOOP_THRESHOLD,
        member_crates: &no_members,
        parent: shared.parents.names_for(shared.catalog, &file.path, text),
    };
    let fields_of = || {
        (shared.struct_files_parsed).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Only what the items declare matters here: the fn bodies are left out of the
        // parse (unless the text without them does not parse). A file too deep to parse
        // safely tells nothing.
        let text = source::parse_text(text);
        let skeleton = skeleton::declarations_only(&text);
        let parse = |text: &str| match nesting::too_deep_to_parse(text) {
            Some(_) => None,
            None => syn::parse_file(text).ok(),
        };
        let parsed = match &skeleton {
            Some(skeleton) => parse(skeleton).or_else(|| parse(&text)),
            None => parse(&text),
        };
        let fields = (parsed
            .and_then(|ast| guarded(|| struct_fields::struct_fields(&ast, &ctx)).ok()))
        .unwrap_or_default();
        proc_macro2::extra::invalidate_current_thread_spans();
        Checked {
            struct_fields: fields,
            ..Checked::nothing(true)
        }
    };
    let key = (file.settings, &ctx, false);
    shared
        .cached(&file.path, text, key, Kind::Fields, fields_of)
        .struct_fields
}
