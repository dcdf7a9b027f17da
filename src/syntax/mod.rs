//! The syntax layer: source text and the cheap looks taken at it around the parse
//! (decoding, line index, prefilter, nesting guard, module-tree lexer, macro bodies).
pub mod expr;
pub mod lexer;
pub mod macros;
pub mod moddecl;
pub mod modtree;
pub mod module_level;
pub mod nesting;
pub mod skeleton;
pub mod source;
