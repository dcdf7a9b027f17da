//! Output formats: one module each.
pub mod human;
