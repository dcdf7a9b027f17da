//! The driver layer: which files to check and how (workspace discovery, configuration,
//! settings), the parallel scan with its package-wide passes, and baselines.
pub mod allocator;
pub mod baseline;
pub mod cache;
pub mod check;
pub mod config;
mod config_keys;
pub mod context;
mod declarers;
pub mod glob;
pub mod layout;
pub mod manifest;
pub mod metadata;
pub mod package;
mod parents;
pub mod root_cause;
pub mod scan;
pub mod settings;
mod struct_files;
pub mod workspace;
