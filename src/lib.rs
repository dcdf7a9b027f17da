//! cargo-unblock: finds code that blocks an async executor thread, from source alone.
//!
//! The layers, each importing only those listed after it:
//! - `cli`: flags, exit codes, `rules`, `explain`.
//! - `server`: `cargo unblock server`, the language server: open buffers, debounced
//!   checks, diagnostics, quick fixes and hovers over LSP.
//! - `fix`: `--fix`, `--unsafe-fixes` and `--diff`: edits applied in memory pass after
//!   pass, checked by parsing, written atomically or shown as a diff.
//! - `report`: the renderers (human, short, json, sarif, github).
//! - `driver`: workspace discovery, configuration and settings, the parallel scan and
//!   the package-wide passes, baselines.
//! - `checker`: the visitor that walks one file, keeps the semantic model current and
//!   calls the rules at its dispatch points.
//! - `rules`: what is reported: catalogue matching, `cpu_loop`, `lock_across_await`,
//!   the transitive summary and call graph, suggestions, suppressions.
//! - `semantic`: the model of one file: where code runs, scopes and name resolution,
//!   receiver types, lock guards alive, offload APIs, test code.
//! - `catalog`: the lint data compiled from `lints/*.toml`, the runtimes and the types
//!   it speaks of.
//! - `syntax`: source text, line index, prefilter, nesting guard, module-tree lexer,
//!   macro-body parsers.
//! - `diagnostic`: findings as plain data.
pub mod catalog;
pub mod checker;
pub mod cli;
pub mod diagnostic;
pub mod driver;
pub mod fix;
pub mod report;
pub mod rules;
pub mod semantic;
pub mod server;
pub mod syntax;
